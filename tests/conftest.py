"""Fixtures shared by the test files: checkpoint savers on real components.

``saver`` gives each test a fresh saver of every kind users have, one test per kind: ``memory``
(``InMemorySaver``), ``sqlite`` (``SqliteSaver`` on a file in the test's ``tmp_path``) and
``postgres`` (``PostgresSaver`` in a new schema of the session's own PostgreSQL cluster, its
tables made by ``setup()``). The cluster starts the first time a test needs it and stops at the end
of the session, whether the tests passed or not.

The repo's async tests are plain functions that call ``asyncio.run``; an async saver is tied to the
event loop that opened it, so ``async_saver`` is a factory to open inside that loop::

    def test_something(async_saver):
        async def main():
            async with async_saver() as saver:
                ...
        asyncio.run(main())
"""

from __future__ import annotations

import atexit
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from _savers import SAVER_KINDS, AsyncSaverFactory, PostgresCluster, open_async_saver, open_saver
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """The session's PostgreSQL server on 127.0.0.1; stopped and deleted when the session ends."""
    cluster = PostgresCluster()
    # atexit too: a session torn down without running its finalizers must not leave a server behind
    atexit.register(cluster.stop)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        atexit.unregister(cluster.stop)


@pytest.fixture(params=SAVER_KINDS)
def saver_kind(request: pytest.FixtureRequest) -> str:
    """The name of the saver kind this test runs on: memory, sqlite or postgres."""
    kind: str = request.param
    return kind


@pytest.fixture
def saver(
    saver_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[BaseCheckpointSaver[str]]:
    """A fresh checkpoint saver, once per kind (memory, sqlite, postgres)."""

    def cluster() -> PostgresCluster:
        server: PostgresCluster = request.getfixturevalue("postgres_cluster")
        return server

    with open_saver(saver_kind, tmp_path, cluster) as opened:
        yield opened


@pytest.fixture
def async_saver(
    saver_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[AsyncSaverFactory]:
    """A factory of fresh async savers (``async with async_saver() as saver``), once per kind.

    Every call opens on the same storage (the same SQLite file, the same Postgres schema), so a
    test can close a saver and open the thread again as a new process would.
    """
    postgres_url: str | None = None
    schema: str | None = None
    cluster: PostgresCluster | None = None
    if saver_kind == "postgres":
        cluster = request.getfixturevalue("postgres_cluster")
        schema = cluster.create_schema()
        postgres_url = cluster.url(schema)

    memory = InMemorySaver()  # the "storage" of the memory kind: every call hands out this one

    @contextlib.asynccontextmanager
    async def factory() -> AsyncIterator[BaseCheckpointSaver[str]]:
        if saver_kind == "memory":
            yield memory
            return
        async with open_async_saver(saver_kind, tmp_path, postgres_url) as opened:
            yield opened

    try:
        yield factory
    finally:
        if cluster is not None and schema is not None:
            cluster.drop_schema(schema)
