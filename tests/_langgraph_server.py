"""A LangGraph Server for tests/test_remote.py: ``langgraph dev`` serving tests/remote_app.

The server runs from a venv of its own (``<repo>/.venv-lgserver``: ``langgraph-api`` wants a
newer ``langgraph`` than the 1.2.22 the differential tests pin), built once by
:func:`nbstream.remote.server_python` and reused afterwards. Fixtures:

* ``lg_server``: one server for the session (its URL is ``lg_server.url``);
* ``lg_server_to_kill``: a server of the test's own, which the test may kill mid-run;
* ``tcp_proxy``: a proxy in front of ``lg_server`` whose connections a test can cut.

``fast_reconnect`` makes the SDK's reconnection attempts back off by nothing, so a stream that
cannot reconnect fails at once instead of after its ~17 s of backoff.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbstream.remote import DevServer, server_python, start_dev_server

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "tests" / "remote_app" / "langgraph.json"
VENV = REPO / ".venv-lgserver"


@pytest.fixture(scope="session")
def lg_python() -> str:
    return server_python(VENV)


@pytest.fixture(scope="session")
def lg_server(lg_python: str) -> Iterator[DevServer]:
    server = start_dev_server(APP, python=lg_python)
    yield server
    server.stop()


@pytest.fixture
def lg_server_to_kill(lg_python: str) -> Iterator[DevServer]:
    server = start_dev_server(APP, python=lg_python)
    yield server
    server.stop(kill=True)


@pytest.fixture
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    import langgraph_sdk._async.http as async_http
    import langgraph_sdk._sync.http as sync_http

    monkeypatch.setattr(sync_http, "_reconnect_delay", lambda *args, **kwargs: 0.0)
    monkeypatch.setattr(async_http, "_reconnect_delay", lambda *args, **kwargs: 0.0)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the server; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.refusing = False
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every open connection abruptly and refuse new ones until :meth:`restore`."""
        self.refusing = True
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass
            self._open.clear()

    def restore(self) -> None:
        self.refusing = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def tcp_proxy(lg_server: DevServer) -> Iterator[TcpProxy]:
    proxy = TcpProxy(int(lg_server.url.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()
