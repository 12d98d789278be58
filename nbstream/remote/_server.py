"""Start a LangGraph Server (``langgraph dev``) from a notebook or a test, and the venv it runs in.

``langgraph dev`` (from ``langgraph-cli[inmem]``) serves the graphs a ``langgraph.json`` names,
in memory, on one port. It wants a newer ``langgraph`` than the one a notebook may pin, so it runs
from a Python of its own: :func:`server_python` builds that venv once (``python -m venv`` and
``pip install``) and reuses it afterwards. :func:`dev_server` starts the server as a child
process, in a process group of its own, with everything that would call out switched off
(tracing, analytics, the version check, the browser, the reloader), waits for ``GET /ok``, yields
its URL and stops it (SIGTERM, then SIGKILL) when the block ends. Its log goes to a file, so a
chatty server never blocks on a full pipe; a server that dies before it answers says why with the
log's tail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["dev_server", "server_python", "free_port", "DevServer"]

#: what ``langgraph dev`` needs; a graph's own imports come on top (``server_python(packages=...)``)
SERVER_PACKAGES = ("langgraph-cli[inmem]",)

#: no outbound calls and no key needed: LangSmith tracing, CLI analytics and the version check off
QUIET_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def server_python(
    venv: str | os.PathLike[str], *, packages: Sequence[str] = (), base_python: str | None = None
) -> str:
    """The Python of a venv that can run ``langgraph dev``, built at ``venv`` if it is not there yet.

    ``packages`` are what the served graphs import besides LangGraph and langchain-core (which
    ``langgraph-cli[inmem]`` brings). A venv that already has ``langgraph_cli`` is reused as it is.
    Building it takes about 40 seconds with a warm pip cache.
    """
    root = Path(os.path.abspath(venv))
    python = root / "bin" / "python"
    if python.exists() and _has_cli(python):
        return str(python)
    subprocess.run([base_python or sys.executable, "-m", "venv", str(root)], check=True)
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*install, *SERVER_PACKAGES, *packages], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"could not install {[*SERVER_PACKAGES, *packages]} into {root}: {done.stderr[-2000:]}"
        )
    return str(python)


def _has_cli(python: Path) -> bool:
    probe = subprocess.run([str(python), "-c", "import langgraph_cli, langgraph_api"], capture_output=True)
    return probe.returncode == 0


class DevServer:
    """A running ``langgraph dev``: its URL, its process and its log (see :func:`dev_server`)."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.process.poll() is None

    def stop(self, *, kill: bool = False, timeout: float = 10.0) -> None:
        """Stop the server: SIGTERM (SIGKILL at once with ``kill=True``, or after ``timeout``)."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)


def start_dev_server(
    config: str | os.PathLike[str],
    *,
    python: str | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 90.0,
    env: Mapping[str, str] | None = None,
) -> DevServer:
    """Start ``langgraph dev`` for ``config`` and wait until it answers; :func:`dev_server` stops it."""
    config_path = Path(config).resolve()
    if not config_path.is_file():
        raise FileNotFoundError(f"dev_server: no langgraph.json at {config_path}")
    # absolute, not resolved: a venv's python is a symlink whose target is not the venv
    interpreter = os.path.abspath(python) if python and os.sep in python else (python or sys.executable)
    chosen = port or free_port(host)
    url = f"http://{host}:{chosen}"
    log = Path(tempfile.mkstemp(prefix="langgraph-dev-", suffix=".log")[1])
    command = [
        interpreter, "-m", "langgraph_cli", "dev",
        "--config", str(config_path),
        "--host", host, "--port", str(chosen),
        "--no-browser", "--no-reload",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=config_path.parent,
            env={**os.environ, **QUIET_ENV, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and its children
        )
    server = DevServer(process, url, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(
                f"langgraph dev exited with code {process.returncode} before answering at {url} "
                f"(is langgraph-cli[inmem] installed for {interpreter}?); its log:\n{server.log_tail()}"
            )
        if _answers(url):
            return server
        time.sleep(0.25)
    server.stop(kill=True)
    raise TimeoutError(
        f"langgraph dev did not answer GET {url}/ok within {timeout}s; its log:\n{server.log_tail()}"
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def dev_server(
    config: str | os.PathLike[str],
    *,
    python: str | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 90.0,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve the graphs of a ``langgraph.json`` with ``langgraph dev`` for the block; yields its URL.

    ::

        with nbstream.remote.dev_server("app/langgraph.json", python=server_python(".venv-lgserver")) as url:
            client = get_sync_client(url=url)

    ``python`` is an interpreter with ``langgraph-cli[inmem]`` (default: this one); ``port`` a free
    one unless given. The server makes no outbound calls and needs no key.
    """
    server = start_dev_server(config, python=python, host=host, port=port, timeout=timeout, env=env)
    try:
        yield server.url
    finally:
        server.stop()
