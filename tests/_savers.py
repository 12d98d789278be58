"""Real checkpoint savers for the tests: a throwaway PostgreSQL cluster and openers for each saver kind.

The tests run every persistence behaviour on the savers users have: ``InMemorySaver``, ``SqliteSaver``
on a file, and ``PostgresSaver`` on a real server. :class:`PostgresCluster` is that server: a cluster
made by ``initdb`` in a fresh temporary folder, listening on 127.0.0.1 only (on a free port) with its
unix socket inside the same folder, so it never meets a system PostgreSQL or another test run. Its
settings trade durability for speed (no fsync): the data is thrown away at the end of the session.

``initdb`` and the server refuse to run as root. When the tests run as root (CI does, on a fresh
Debian machine) the cluster's programs run as Debian's ``postgres`` user through ``runuser``, the way
Debian's own ``pg_ctlcluster`` does, and the folder is handed to that user.

``python tests/_savers.py`` starts a cluster, prints its URL, and stops it: a quick manual check.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

SAVER_KINDS = ("memory", "sqlite", "postgres")

# what the async_saver fixture gives: call it inside the test's event loop, ``async with`` the result
AsyncSaverFactory = Callable[[], contextlib.AbstractAsyncContextManager[BaseCheckpointSaver[str]]]

_SERVICE_USER = "postgres"  # Debian's postgresql package creates it
_START_TRIES = 3  # a free port can be taken by someone else between choosing it and binding it


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed, or the cluster could not start."""


def find_pg_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: from PATH, else Debian's versioned folder."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    # Debian keeps the server programs out of PATH, one folder per major version; take the newest
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL's initdb is neither on PATH nor under /usr/lib/postgresql/*/bin: install "
            "Debian's 'postgresql' package (.ci/run does) to run the tests on PostgresSaver"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresCluster:
    """A PostgreSQL server of the tests' own, on 127.0.0.1 and a free port; ``stop()`` removes it all."""

    def __init__(self) -> None:
        self.bin = find_pg_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="nbstream-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "socket"
        self.log = self.folder / "server.log"
        self.port = 0
        self.host = "127.0.0.1"
        self.user = "postgres"
        self._as_user: list[str] = []
        self._started = False
        self._lock = threading.Lock()
        self._schemas = 0

    # -- running the server programs ---------------------------------------------------------------
    def _prepare_folder(self) -> None:
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(_SERVICE_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root and there is no {_SERVICE_USER!r} user to run PostgreSQL as: "
                    "install Debian's 'postgresql' package (it creates the user) or run the tests "
                    "as an ordinary user"
                ) from None
            for path in (self.folder, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", _SERVICE_USER, "--"]

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as_user, *argv],
            cwd=self.folder,  # readable by the postgres user, unlike a root-only working folder
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self) -> None:
        """Make the cluster and start its server; raise :class:`PostgresUnavailable` with the log."""
        self._prepare_folder()
        made = self._run(
            str(self.bin / "initdb"),
            "-D", str(self.data),
            "-U", self.user,
            "--auth=trust",  # reachable only from this machine, on a throwaway cluster
            "--no-sync",
            "--no-instructions",
            "-E", "UTF8",
            "--locale=C",
        )  # fmt: skip
        if made.returncode != 0:
            self.remove()
            raise PostgresUnavailable(f"initdb failed ({made.returncode}):\n{made.stdout}\n{made.stderr}")
        last = ""
        for _ in range(_START_TRIES):
            self.port = _free_port()
            options = " ".join(
                (
                    f"-p {self.port}",
                    f"-c listen_addresses={self.host}",
                    f"-c unix_socket_directories={self.socket_dir}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                )
            )
            started = self._run(
                str(self.bin / "pg_ctl"), "start", "-w", "-t", "60",
                "-D", str(self.data), "-l", str(self.log), "-o", options,
            )  # fmt: skip
            if started.returncode == 0:
                self._started = True
                return
            last = f"{started.stdout}\n{started.stderr}\n{self._read_log()}"
        self.remove()
        raise PostgresUnavailable(f"pg_ctl start failed {_START_TRIES} times; last attempt:\n{last}")

    def _read_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (immediately: its data is thrown away) and delete the folder."""
        if self._started:
            self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w")
            self._started = False
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- using it ----------------------------------------------------------------------------------
    def url(self, schema: str | None = None) -> str:
        """A libpq URL over TCP on 127.0.0.1; with ``schema``, its tables are made and found there."""
        url = f"postgresql://{self.user}@{self.host}:{self.port}/postgres?sslmode=disable"
        if schema is not None:
            url += f"&options=-csearch_path%3D{schema}"  # the savers name their tables unqualified
        return url

    def create_schema(self) -> str:
        """A new empty schema (a fresh name each call); returns its name.

        A schema, not a database, per test: CREATE DATABASE costs ~0.3 s, a schema ~0.01 s, and the
        savers' tables are as separate either way.
        """
        import psycopg

        with self._lock:
            self._schemas += 1
            name = f"test_{os.getpid()}_{self._schemas}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return name

    def drop_schema(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


# -- one opener per saver kind ---------------------------------------------------------------------
@contextlib.contextmanager
def open_saver(
    kind: str, folder: Path, cluster: Callable[[], PostgresCluster]
) -> Iterator[BaseCheckpointSaver[str]]:
    """A ready saver of ``kind`` on fresh storage: a new SQLite file in ``folder``, a new schema."""
    if kind == "memory":
        yield InMemorySaver()
    elif kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(str(folder / "checkpoints.sqlite")) as saver:
            yield saver
    elif kind == "postgres":
        from langgraph.checkpoint.postgres import PostgresSaver

        server = cluster()
        schema = server.create_schema()
        try:
            with PostgresSaver.from_conn_string(server.url(schema)) as pg_saver:
                pg_saver.setup()
                yield pg_saver
        finally:
            server.drop_schema(schema)
    else:
        raise ValueError(f"unknown saver kind {kind!r}; known: {', '.join(SAVER_KINDS)}")


@contextlib.asynccontextmanager
async def open_async_saver(
    kind: str, folder: Path, postgres_url: str | None
) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """An async saver of ``kind`` (sqlite or postgres) on existing storage, opened on the running loop.

    The storage outlives the saver: the SQLite file in ``folder``, the Postgres schema that
    ``postgres_url`` points at (made by the caller, synchronously, before the loop). Opening twice
    reads the same threads, as a second process would.
    """
    if kind == "sqlite":
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        async with AsyncSqliteSaver.from_conn_string(str(folder / "checkpoints.sqlite")) as saver:
            yield saver
    elif kind == "postgres":
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        if postgres_url is None:
            raise ValueError("an async Postgres saver needs the URL of its schema")
        async with AsyncPostgresSaver.from_conn_string(postgres_url) as pg_saver:
            await pg_saver.setup()
            yield pg_saver
    else:
        raise ValueError(f"no async opener for saver kind {kind!r}; known: sqlite, postgres")


if __name__ == "__main__":
    demo = PostgresCluster()
    demo.start()
    try:
        print(demo.url(), "log:", demo.log)
    finally:
        demo.stop()
