"""Threads on every saver users have: nbstream gives LangGraph's output, and survives a killed process.

The comparison tests run one human-in-the-loop program (two parallel nodes, one of which asks two
questions in a row, then a subgraph that asks a third) on LangGraph and on nbstream, each with its
own fresh saver of the same kind (``InMemorySaver``, ``SqliteSaver``, ``PostgresSaver`` and their
async twins), and compare everything a user looks at, ids and times normalised by
``persistence_corpus/_norm.Labeller``: stream chunks in ``updates`` + ``values`` modes, ``get_state``
(values, next, tasks, interrupts), the history's ``(metadata, next)`` list, ``invoke`` results and
which nodes ran.

The crash test kills (SIGKILL) a process in the middle of a step with two parallel nodes, after the
quick one's write reached the SQLite file and while the other is still running; resuming the thread
in this process must finish the run without running the quick node again. The last tests pin the
errors a call gets for what does not fit a thread: an unknown checkpoint id, a resume map naming no
waiting interrupt, a checkpoint whose stored bytes are garbage.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import operator
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from _savers import PostgresCluster, open_saver
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from nbstream.runtime._persist import ThreadError

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "persistence_corpus"))
from _norm import Labeller  # noqa: E402

LIBRARIES = ("langgraph", "nbstream")
Saver = BaseCheckpointSaver[str]


# -- the program --------------------------------------------------------------------------------------
class State(TypedDict):
    log: Annotated[list[str], operator.add]
    name: str


def hitl_graph(library: str, saver: Saver, calls: list[str], *, asynchronous: bool = False) -> Any:
    """START -> ask + fetch (parallel) -> review (a subgraph: draft -> check) -> finish.

    ``ask`` interrupts twice (a name, then a confirmation); ``check`` inside the subgraph interrupts
    once. Every node appends its name to ``calls`` when it runs, so a test sees what was re-run.
    With ``asynchronous`` the nodes are coroutines.
    """
    graph = importlib.import_module(f"{library}.graph")
    types = importlib.import_module(f"{library}.types")

    def ask(state: State) -> dict[str, Any]:
        calls.append("ask")
        name = types.interrupt("name?")
        confirmed = types.interrupt({"confirm": name})
        return {"name": name, "log": [f"ask:{name}:{confirmed}"]}

    def fetch(state: State) -> dict[str, Any]:
        calls.append("fetch")
        return {"log": ["fetch"]}

    def draft(state: State) -> dict[str, Any]:
        calls.append("draft")
        return {"log": [f"draft for {state['name']}"]}

    def check(state: State) -> dict[str, Any]:
        calls.append("check")
        verdict = types.interrupt({"check": state["log"][-1]})
        return {"log": [f"check:{verdict}"]}

    def finish(state: State) -> dict[str, Any]:
        calls.append("finish")
        return {"log": ["finish"]}

    def as_node(fn: Callable[[State], dict[str, Any]]) -> Any:
        if not asynchronous:
            return fn

        async def node(state: State) -> dict[str, Any]:
            await asyncio.sleep(0)
            return fn(state)

        node.__name__ = fn.__name__
        return node

    sub = graph.StateGraph(State)
    sub.add_node("draft", as_node(draft))
    sub.add_node("check", as_node(check))
    sub.add_edge(graph.START, "draft")
    sub.add_edge("draft", "check")
    sub.add_edge("check", graph.END)

    builder = graph.StateGraph(State)
    builder.add_node("ask", as_node(ask))
    builder.add_node("fetch", as_node(fetch))
    builder.add_node("review", sub.compile())
    builder.add_node("finish", as_node(finish))
    builder.add_edge(graph.START, "ask")
    builder.add_edge(graph.START, "fetch")
    builder.add_edge(["ask", "fetch"], "review")
    builder.add_edge("review", "finish")
    builder.add_edge("finish", graph.END)
    return builder.compile(checkpointer=saver)


START_INPUT: dict[str, Any] = {"log": [], "name": ""}
ANSWERS = ("Ada", "yes", "fine")  # to ask's two questions, then to check's


def _command(library: str, resume: Any) -> Any:
    return importlib.import_module(f"{library}.types").Command(resume=resume)


class Transcript:
    """What a program showed, one normalised text per item (ids labelled in order of appearance)."""

    def __init__(self) -> None:
        self._label = Labeller()
        self.lines: list[str] = []

    def __call__(self, *values: Any) -> None:
        self.lines.append(self._label.text(values if len(values) > 1 else values[0]))

    def stream(self, chunks: list[Any]) -> None:
        """Show one call's stream chunks, parallel tasks' chunks in a canonical order.

        Tasks of one step finish in any order, and both libraries emit a task's ``updates`` chunk
        (and an interrupt's chunks) as it finishes; a step still ends with its ``values`` chunk. So
        the chunks between two state ``values`` chunks are sorted (by their text with ids masked,
        so labels are given in that sorted order too); everything else keeps its order.
        """
        segment: list[Any] = []

        def flush() -> None:
            for chunk in sorted(segment, key=lambda c: Labeller().text(c)):
                self("chunk", chunk)
            segment.clear()

        for chunk in chunks:
            mode, data = chunk[-2], chunk[-1]  # (mode, data), or (namespace, mode, data)
            if mode == "values" and "__interrupt__" not in data:
                flush()
                self("chunk", chunk)
            else:
                segment.append(chunk)
        flush()


def _snapshot_view(snapshot: Any) -> tuple[Any, ...]:
    tasks = [(t.name, t.interrupts, t.state, t.error) for t in snapshot.tasks]
    return (snapshot.values, snapshot.next, tasks, snapshot.interrupts, snapshot.metadata)


def run_sync(library: str, saver: Saver) -> list[str]:
    """The program on one thread by ``stream``, on another by ``invoke``; everything it shows."""
    show = Transcript()
    calls: list[str] = []
    graph = hitl_graph(library, saver, calls)

    def state(config: dict[str, Any]) -> None:
        show("get_state", _snapshot_view(graph.get_state(config)))
        show("history", [(s.metadata, s.next) for s in graph.get_state_history(config)])

    streamed: dict[str, Any] = {"configurable": {"thread_id": "streamed"}}
    for index, given in enumerate((START_INPUT, *(_command(library, a) for a in ANSWERS))):
        # the last resume also shows the subgraph's own chunks, under its namespace
        subgraphs = index == len(ANSWERS)
        show.stream(
            list(graph.stream(given, streamed, stream_mode=["updates", "values"], subgraphs=subgraphs))
        )
        state(streamed)
    show("calls", calls)

    calls.clear()
    invoked: dict[str, Any] = {"configurable": {"thread_id": "invoked"}}
    result = graph.invoke(START_INPUT, invoked)
    show("invoke", result)
    for answer in ANSWERS:
        # by id: the one waiting interrupt's id, as a user reads it from the last result
        (waiting,) = result["__interrupt__"]
        result = graph.invoke(_command(library, {waiting.id: answer}), invoked)
        show("invoke", result)
    state(invoked)
    show("calls", calls)
    return show.lines


async def run_async(library: str, saver: Saver, *, native: bool) -> list[str]:
    """The program's async twin; everything it shows, read with ``aget_state``/``aget_state_history``.

    ``native``: async nodes run by ``astream``/``ainvoke``. Otherwise sync nodes run by ``stream``/
    ``invoke`` in a worker thread (as a web server's thread pool would) while the event loop reads
    the thread: the way to use ``AsyncSqliteSaver``/``AsyncPostgresSaver`` with nbstream today, whose
    ``astream``/``ainvoke`` call the saver's sync methods on the event loop.
    """
    show = Transcript()
    calls: list[str] = []
    graph = hitl_graph(library, saver, calls, asynchronous=native)

    async def chunks(given: Any, config: dict[str, Any]) -> list[Any]:
        modes = ["updates", "values"]
        if native:
            return [chunk async for chunk in graph.astream(given, config, stream_mode=modes)]
        return await asyncio.to_thread(lambda: list(graph.stream(given, config, stream_mode=modes)))

    async def invoke(given: Any, config: dict[str, Any]) -> Any:
        if native:
            return await graph.ainvoke(given, config)
        return await asyncio.to_thread(graph.invoke, given, config)

    async def state(config: dict[str, Any]) -> None:
        show("aget_state", _snapshot_view(await graph.aget_state(config)))
        show("history", [(s.metadata, s.next) async for s in graph.aget_state_history(config)])

    streamed: dict[str, Any] = {"configurable": {"thread_id": "streamed"}}
    for given in (START_INPUT, *(_command(library, a) for a in ANSWERS)):
        show.stream(await chunks(given, streamed))
        await state(streamed)
    show("calls", calls)

    calls.clear()
    invoked: dict[str, Any] = {"configurable": {"thread_id": "invoked"}}
    show("ainvoke", await invoke(START_INPUT, invoked))
    for answer in ANSWERS:
        show("ainvoke", await invoke(_command(library, answer), invoked))
    await state(invoked)
    show("calls", calls)
    return show.lines


# -- savers: one fresh pair per kind --------------------------------------------------------------------
@pytest.fixture
def saver_pair(saver_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, Saver]]:
    """A fresh saver of this test's kind for each library, on separate storage."""

    def cluster() -> PostgresCluster:
        server: PostgresCluster = request.getfixturevalue("postgres_cluster")
        return server

    with contextlib.ExitStack() as stack:
        pair: dict[str, Saver] = {}
        for library in LIBRARIES:
            folder = tmp_path / library
            folder.mkdir()
            pair[library] = stack.enter_context(open_saver(saver_kind, folder, cluster))
        yield pair


AsyncSaverOpener = Callable[[str], contextlib.AbstractAsyncContextManager[Saver]]


@pytest.fixture
def async_saver_pair(
    saver_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[AsyncSaverOpener]:
    """Opens, inside the test's event loop, a fresh async saver of this test's kind per library."""
    cluster: PostgresCluster | None = None
    schemas: dict[str, str] = {}
    if saver_kind == "postgres":
        cluster = request.getfixturevalue("postgres_cluster")
        schemas = {library: cluster.create_schema() for library in LIBRARIES}

    @contextlib.asynccontextmanager
    async def opener(library: str) -> AsyncIterator[Saver]:
        if saver_kind == "memory":
            yield InMemorySaver()
        elif saver_kind == "sqlite":
            from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

            async with AsyncSqliteSaver.from_conn_string(str(tmp_path / f"{library}.sqlite")) as saver:
                yield saver
        else:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

            assert cluster is not None
            async with AsyncPostgresSaver.from_conn_string(cluster.url(schemas[library])) as pg_saver:
                await pg_saver.setup()
                yield pg_saver

    try:
        yield opener
    finally:
        if cluster is not None:
            for schema in schemas.values():
                cluster.drop_schema(schema)


# -- the comparisons ------------------------------------------------------------------------------------
def _diff(expected: list[str], got: list[str]) -> str:
    import difflib

    return "\n".join(difflib.unified_diff(expected, got, "langgraph", "nbstream", lineterm=""))


def test_human_in_the_loop_thread_matches_langgraph(saver_pair: dict[str, Saver]) -> None:
    expected = run_sync("langgraph", saver_pair["langgraph"])
    got = run_sync("nbstream", saver_pair["nbstream"])
    assert got == expected, _diff(expected, got)
    # the program did what it says: fetch ran once although ask paused the step three times
    assert expected[-1] == "('calls', ['ask', 'fetch', 'ask', 'ask', 'draft', 'check', 'check', 'finish'])"


def test_async_run_on_a_thread_matches_langgraph() -> None:
    """astream/ainvoke with async nodes, on InMemorySaver (the saver whose sync and async methods
    both work on the event loop)."""

    async def main() -> tuple[list[str], list[str]]:
        expected = await run_async("langgraph", InMemorySaver(), native=True)
        got = await run_async("nbstream", InMemorySaver(), native=True)
        return expected, got

    expected, got = asyncio.run(main())
    assert got == expected, _diff(expected, got)
    assert expected[-1] == "('calls', ['ask', 'fetch', 'ask', 'ask', 'draft', 'check', 'check', 'finish'])"


def test_async_runs_on_async_savers_match_langgraph(async_saver_pair: AsyncSaverOpener) -> None:
    """astream/ainvoke/aget_state/aget_state_history on the async savers (memory, AsyncSqliteSaver,
    AsyncPostgresSaver): an async run uses the saver's async methods, as LangGraph's does."""

    async def main() -> tuple[list[str], list[str]]:
        async with async_saver_pair("langgraph") as reference:
            expected = await run_async("langgraph", reference, native=True)
        async with async_saver_pair("nbstream") as candidate:
            got = await run_async("nbstream", candidate, native=True)
        return expected, got

    expected, got = asyncio.run(main())
    assert got == expected, _diff(expected, got)
    assert expected[-1] == "('calls', ['ask', 'fetch', 'ask', 'ask', 'draft', 'check', 'check', 'finish'])"


# -- a process killed in the middle of a step -----------------------------------------------------------
def _quick_write_saved(db: Path) -> bool:
    """Whether the SQLite file holds quick's pending write (read as another process would)."""
    from _crash_child import THREAD

    try:
        with SqliteSaver.from_conn_string(str(db)) as reader:
            saved = reader.get_tuple(THREAD)
    except sqlite3.OperationalError:  # no tables yet, or the writer holds the lock
        return False
    return saved is not None and any(
        channel == "log" and value == ["quick"] for _, channel, value in saved.pending_writes or ()
    )


def _kill_mid_step(library: str, folder: Path) -> tuple[Path, Path, Path]:
    """Run the crash graph in a child process; SIGKILL it once quick's write is saved and slow waits."""
    db, marker, gate = folder / "thread.sqlite", folder / "marker.txt", folder / "gate"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(HERE.parent), str(HERE)))}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "_crash_child.py"), library, str(db), str(marker), str(gate)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _quick_write_saved(db):
            if child.poll() is not None:
                pytest.fail(f"the {library} child exited ({child.returncode}) first:\n{child.stderr.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the {library} child did not save quick's write within 120 s")
            time.sleep(0.02)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert not gate.exists()
    return db, marker, gate


@pytest.mark.parametrize(
    ("crashed", "resumer"),
    [("nbstream", "nbstream"), ("langgraph", "nbstream"), ("nbstream", "langgraph")],
    ids=["nbstream-resumes-nbstream", "nbstream-resumes-langgraph", "langgraph-resumes-nbstream"],
)
def test_a_killed_run_resumes_without_rerunning_finished_tasks(
    crashed: str, resumer: str, tmp_path: Path
) -> None:
    from _crash_child import THREAD, crash_graph

    db, marker, gate = _kill_mid_step(crashed, tmp_path)
    assert marker.read_text() == "quick ran\n"
    gate.touch()  # slow may finish now

    with SqliteSaver.from_conn_string(str(db)) as saver:
        graph = crash_graph(resumer, saver, marker, gate)
        waiting = graph.get_state(THREAD)
        # as LangGraph shows a step cut short: quick's saved write is in the values and its task's
        # result; only slow is still to run
        assert waiting.values == {"log": ["start", "quick"]}
        assert waiting.next == ("slow",)
        assert [(t.name, t.result) for t in waiting.tasks] == [("quick", {"log": ["quick"]}), ("slow", None)]
        assert waiting.metadata == {"source": "loop", "step": 0, "parents": {}}

        assert graph.invoke(None, THREAD) == {"log": ["start", "quick", "slow", "after"]}
        history = [
            (s.metadata["source"], s.metadata["step"], s.next) for s in graph.get_state_history(THREAD)
        ]
    assert marker.read_text() == "quick ran\n"  # quick did not run again
    assert history == [
        ("loop", 2, ()),
        ("loop", 1, ("after",)),
        ("loop", 0, ("quick", "slow")),
        ("input", -1, ("__start__",)),
    ]


# -- what does not fit a thread: errors that name it -----------------------------------------------------
UNKNOWN_CHECKPOINT = "1f0a0b1c-2d3e-6f40-8001-0123456789ab"
UNKNOWN_INTERRUPT = "0123456789abcdef0123456789abcdef"


def _paused_thread(library: str, saver: Saver, thread: str) -> tuple[Any, dict[str, Any]]:
    graph = hitl_graph(library, saver, [])
    config: dict[str, Any] = {"configurable": {"thread_id": thread}}
    graph.invoke(START_INPUT, config)
    return graph, config


def test_an_unknown_checkpoint_id_is_refused_naming_thread_and_checkpoint(saver: Saver) -> None:
    from nbstream.runtime._persist import ThreadError

    graph, _ = _paused_thread("nbstream", saver, "known")
    unknown: dict[str, Any] = {"configurable": {"thread_id": "known", "checkpoint_id": UNKNOWN_CHECKPOINT}}
    calls: list[Callable[[], object]] = [
        lambda: graph.invoke(None, unknown),  # LangGraph: EmptyInputError, naming neither
        lambda: graph.invoke(_command("nbstream", "Ada"), unknown),  # LangGraph: starts over silently
        lambda: graph.update_state(unknown, {"name": "Bo"}),  # LangGraph: saves a new checkpoint
    ]
    for call in calls:
        with pytest.raises(ThreadError) as refused:
            call()
        assert "'known'" in str(refused.value) and UNKNOWN_CHECKPOINT in str(refused.value)
    # reading it is not an error in either library: an empty snapshot, LangGraph's to the field
    empty = graph.get_state(unknown)
    assert (empty.values, empty.next, empty.tasks, empty.interrupts) == ({}, (), (), ())
    assert tuple(empty) == tuple(hitl_graph("langgraph", saver, []).get_state(unknown))
    # and nothing was saved on the thread by the refused calls
    assert [
        s.metadata["step"] for s in graph.get_state_history({"configurable": {"thread_id": "known"}})
    ] == [
        0,
        -1,
    ]


def test_a_resume_map_naming_no_waiting_interrupt_is_refused(saver: Saver) -> None:
    from nbstream.runtime._persist import ThreadError

    graph, config = _paused_thread("nbstream", saver, "waiting")
    before = graph.get_state(config)
    (waiting,) = before.interrupts
    with pytest.raises(ThreadError) as refused:
        graph.invoke(_command("nbstream", {UNKNOWN_INTERRUPT: "Ada"}), config)
    message = str(refused.value)
    for part in ("'waiting'", UNKNOWN_INTERRUPT, waiting.id, before.config["configurable"]["checkpoint_id"]):
        assert part in message
    # the thread is as it was: the same interrupt waits, and the right id still answers it
    after = graph.get_state(config)
    assert (after.next, after.interrupts, after.config) == (before.next, before.interrupts, before.config)
    result = graph.invoke(_command("nbstream", {waiting.id: "Ada"}), config)
    assert [i.value for i in result["__interrupt__"]] == [{"confirm": "Ada"}]


def test_a_corrupt_checkpoint_raises_instead_of_reading_as_empty(tmp_path: Path) -> None:
    """Garbage in the SQLite checkpoint blob: every call on the thread raises the saver's error.

    LangGraph raises the serializer's ``ValueError`` ("invalid type Reserved") naming neither thread
    nor checkpoint; nbstream raises a ThreadError (a ValueError) that names the thread and says what
    to do, with the serializer's error as its cause (the history, read through the saver's ``list``,
    raises the serializer's error itself). The thread is never read as empty (which would start it
    over) and nothing is written over it.
    """
    db = tmp_path / "corrupt.sqlite"
    with SqliteSaver.from_conn_string(str(db)) as saver:
        graph, config = _paused_thread("nbstream", saver, "corrupt")
        with contextlib.closing(sqlite3.connect(db)) as conn, conn:  # commits, then closes
            conn.execute(
                "UPDATE checkpoints SET checkpoint = X'c1c1c1deadbeef' WHERE thread_id = 'corrupt' "
                "AND checkpoint_id = (SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = 'corrupt')"
            )
        calls: list[Callable[[], object]] = [
            lambda: graph.get_state(config),
            lambda: list(graph.get_state_history(config)),
            lambda: graph.invoke(_command("nbstream", "Ada"), config),
            lambda: graph.invoke(START_INPUT, config),
            lambda: list(graph.stream(None, config)),
        ]
        for index, call in enumerate(calls):
            with pytest.raises(ValueError) as raised:
                call()
            if index != 1:
                assert isinstance(raised.value, ThreadError)
                assert "thread 'corrupt'" in str(raised.value) and "cannot be read" in str(raised.value)
        with contextlib.closing(sqlite3.connect(db)) as conn:
            rows = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = 'corrupt'").fetchone()
    assert rows == (2,)  # the input checkpoint and the corrupt one: nothing written after
