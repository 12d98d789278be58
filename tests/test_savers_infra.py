"""The saver fixtures work: each kind stores, reads back and lists checkpoints, on its real component.

These tests hold the persistence tests' ground: if a saver fixture broke (no PostgreSQL, a cluster
reachable from outside, a server left running after a failed session), every persistence test would
fail for a reason that is not nbstream's. They use the savers directly and through a LangGraph graph,
never nbstream, so they also run before nbstream's own persistence does.
"""

from __future__ import annotations

import asyncio
import operator
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from _savers import AsyncSaverFactory, PostgresCluster, find_pg_bin
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, empty_checkpoint
from langgraph.graph import END, START, StateGraph

HERE = Path(__file__).parent


def _config(thread: str, checkpoint_id: str | None = None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread, "checkpoint_ns": ""}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _checkpoint(step: int) -> Any:
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"log": [f"step {step}"]}
    checkpoint["channel_versions"] = {"log": step}
    return checkpoint


def test_saver_puts_gets_and_lists_checkpoints(saver: BaseCheckpointSaver[str]) -> None:
    first = saver.put(_config("t1"), _checkpoint(1), {"source": "input", "step": -1}, {"log": 1})
    second = saver.put(first, _checkpoint(2), {"source": "loop", "step": 0}, {"log": 2})
    saver.put_writes(second, [("log", ["pending"])], task_id="task-1")

    latest = saver.get_tuple(_config("t1"))
    assert latest is not None
    assert latest.checkpoint["channel_values"] == {"log": ["step 2"]}
    assert latest.metadata["source"] == "loop"
    assert latest.parent_config is not None
    assert latest.parent_config["configurable"]["checkpoint_id"] == first["configurable"]["checkpoint_id"]
    assert latest.pending_writes == [("task-1", "log", ["pending"])]

    by_id = saver.get_tuple(_config("t1", first["configurable"]["checkpoint_id"]))
    assert by_id is not None and by_id.checkpoint["channel_values"] == {"log": ["step 1"]}

    history = list(saver.list(_config("t1")))
    assert [t.metadata["step"] for t in history] == [0, -1]  # newest first
    assert saver.get_tuple(_config("other thread")) is None


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


def test_a_langgraph_thread_lives_in_the_saver(saver: BaseCheckpointSaver[str]) -> None:
    builder = StateGraph(Log)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_node("b", lambda s: {"log": ["b"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", END)
    graph = builder.compile(checkpointer=saver)
    config: Any = {"configurable": {"thread_id": "chat"}}

    graph.invoke({"log": ["x"]}, config)
    assert graph.invoke({"log": ["y"]}, config) == {"log": ["x", "a", "b", "y", "a", "b"]}
    assert graph.get_state(config).values == {"log": ["x", "a", "b", "y", "a", "b"]}
    steps = [s.metadata["step"] for s in graph.get_state_history(config)]  # type: ignore[index]
    assert steps == [6, 5, 4, 3, 2, 1, 0, -1]


def test_async_saver_puts_gets_lists_and_reopens(async_saver: AsyncSaverFactory) -> None:
    async def main() -> tuple[Any, Any, list[int]]:
        async with async_saver() as saver:
            first = await saver.aput(
                _config("t1"), _checkpoint(1), {"source": "input", "step": -1}, {"log": 1}
            )
            await saver.aput(first, _checkpoint(2), {"source": "loop", "step": 0}, {"log": 2})
        async with async_saver() as reopened:  # the same storage, as a new process would see it
            latest = await reopened.aget_tuple(_config("t1"))
            old = await reopened.aget_tuple(_config("t1", first["configurable"]["checkpoint_id"]))
            steps = [t.metadata["step"] async for t in reopened.alist(_config("t1"))]
        return latest, old, steps

    latest, old, steps = asyncio.run(main())
    assert latest.checkpoint["channel_values"] == {"log": ["step 2"]}
    assert old.checkpoint["channel_values"] == {"log": ["step 1"]}
    assert steps == [0, -1]


def test_async_saver_runs_a_langgraph_thread(async_saver: AsyncSaverFactory) -> None:
    builder = StateGraph(Log)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_edge(START, "a")

    async def main() -> tuple[Any, Any]:
        async with async_saver() as saver:
            graph = builder.compile(checkpointer=saver)
            config: Any = {"configurable": {"thread_id": "chat"}}
            await graph.ainvoke({"log": ["x"]}, config)
            result = await graph.ainvoke({"log": ["y"]}, config)
            state = await graph.aget_state(config)
        return result, state.values

    assert asyncio.run(main()) == ({"log": ["x", "a", "y", "a"]},) * 2


# -- the PostgreSQL cluster ------------------------------------------------------------------------
def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_cluster_listens_on_127_0_0_1_only(postgres_cluster: PostgresCluster) -> None:
    import psycopg

    with psycopg.connect(postgres_cluster.url()) as conn:
        row = conn.execute("SHOW listen_addresses").fetchone()
        sockets = conn.execute("SHOW unix_socket_directories").fetchone()
    assert row == ("127.0.0.1",)
    assert sockets == (str(postgres_cluster.socket_dir),)
    assert (postgres_cluster.socket_dir / f".s.PGSQL.{postgres_cluster.port}").exists()
    assert _listening_addresses(postgres_cluster.port) == {"0100007F"}  # 127.0.0.1, little-endian hex


def test_each_postgres_saver_sees_only_its_own_schema(postgres_cluster: PostgresCluster) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    first, second = postgres_cluster.create_schema(), postgres_cluster.create_schema()
    try:
        with PostgresSaver.from_conn_string(postgres_cluster.url(first)) as one:
            one.setup()
            one.put(_config("t1"), _checkpoint(1), {"source": "input", "step": -1}, {"log": 1})
        with PostgresSaver.from_conn_string(postgres_cluster.url(second)) as other:
            other.setup()
            assert other.get_tuple(_config("t1")) is None
        with PostgresSaver.from_conn_string(postgres_cluster.url(first)) as again:
            assert again.get_tuple(_config("t1")) is not None
    finally:
        postgres_cluster.drop_schema(first)
        postgres_cluster.drop_schema(second)


def _port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_cluster_is_stopped_and_deleted_when_a_session_fails(tmp_path: Path) -> None:
    (tmp_path / "test_fails.py").write_text(
        textwrap.dedent(
            """
            def test_fails(postgres_cluster):
                print("CLUSTER", postgres_cluster.port, postgres_cluster.folder)
                assert False, "this session fails on purpose"
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-qs", "-p", "no:cacheprovider", "-p", "conftest", "test_fails.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    line = next(line for line in done.stdout.splitlines() if "CLUSTER" in line)
    port, folder = line.split("CLUSTER ", 1)[1].split(" ", 1)
    assert _port_is_closed(int(port))
    assert not Path(folder).exists()


def test_server_programs_are_found_off_path_in_debians_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # Debian's postgresql package leaves initdb and pg_ctl out of PATH, as on a fresh CI machine
    monkeypatch.setenv("PATH", "/nonexistent")
    found = find_pg_bin()
    assert found.parent.parent == Path("/usr/lib/postgresql")
    assert (found / "initdb").exists() and (found / "pg_ctl").exists()
