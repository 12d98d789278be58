"""``durability="async"`` (the default): a sync run saves in the background, as LangGraph does.

Each step's checkpoint and each task's pending writes go, in order, to one background job, so a slow
saver's ``put`` overlaps the next step. These tests hold nbstream to what that must not change: the
saver gets the same calls in the same order as with ``durability="sync"``; nothing is pending when a
run returns, pauses, fails or hands out its last chunk, or when something in the run reads the
saver; a save that fails surfaces as the same error and ends the run. Where LangGraph 1.2.22's
behaviour is observable (the overlap, what a node or a subgraph reads, the thread's history, the
``checkpoints`` chunks) the same program runs on both libraries.
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from nbstream.events import RunFailed, RunFinished, RunInterrupted
from nbstream.testing import RecordingObserver

LIBRARIES = ("langgraph", "nbstream")


def _add(a: list[str], b: list[str]) -> list[str]:
    return a + b


class Log(TypedDict):
    log: Annotated[list[str], _add]


class TracingSqliteSaver(SqliteSaver):
    """A SqliteSaver that records each put/put_writes call (what, and on which thread), and can be
    slowed down or made to fail at its n-th put."""

    def __init__(self, conn: sqlite3.Connection, *, delay: float = 0.0, fail_at_put: int = 0) -> None:
        super().__init__(conn)
        self.calls: list[tuple[str, Any]] = []
        self.threads: list[int] = []
        self.delay = delay
        self.fail_at_put = fail_at_put
        self.puts = 0

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        self.threads.append(threading.get_ident())
        self.puts += 1
        if self.puts == self.fail_at_put:
            raise OSError(f"disk full (put {self.puts})")
        if self.delay:
            time.sleep(self.delay)
        self.calls.append(("put", (metadata["source"], metadata["step"], sorted(new_versions))))
        return super().put(config, checkpoint, metadata, new_versions)

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        self.threads.append(threading.get_ident())
        if self.delay:
            time.sleep(self.delay)
        self.calls.append(("put_writes", (config["configurable"]["checkpoint_id"], [c for c, _ in writes])))
        super().put_writes(config, writes, task_id, task_path)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Any]:
    """Makes TracingSqliteSavers on files of a temp folder (closed at the end)."""
    conns: list[sqlite3.Connection] = []

    def make(name: str, **kwargs: Any) -> TracingSqliteSaver:
        conn = sqlite3.connect(str(tmp_path / f"{name}.sqlite"), check_same_thread=False)
        conns.append(conn)
        return TracingSqliteSaver(conn, **kwargs)

    yield make
    for conn in conns:
        conn.close()


def _chain(library: str, saver: Any, n: int = 4, hook: Any = None) -> Any:
    graph = importlib.import_module(f"{library}.graph")
    builder = graph.StateGraph(Log)
    for i in range(n):

        def node(state: Log, i: int = i) -> dict[str, Any]:
            if hook is not None:
                hook(i, state)
            return {"log": [f"n{i}"]}

        builder.add_node(f"n{i}", node)
        builder.add_edge(graph.START if i == 0 else f"n{i - 1}", f"n{i}")
    builder.add_edge(f"n{n - 1}", graph.END)
    return builder.compile(checkpointer=saver)


def _fan(library: str, saver: Any) -> Any:
    """START -> a + b (parallel) -> c -> END: a step with two tasks' writes."""
    graph = importlib.import_module(f"{library}.graph")
    builder = graph.StateGraph(Log)
    for name in ("a", "b", "c"):
        builder.add_node(name, lambda s, name=name: {"log": [name]})
    builder.add_edge(graph.START, "a")
    builder.add_edge(graph.START, "b")
    builder.add_edge(["a", "b"], "c")
    builder.add_edge("c", graph.END)
    return builder.compile(checkpointer=saver)


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def _history(graph: Any, thread: str) -> list[tuple[Any, ...]]:
    return [
        (s.metadata["source"], s.metadata["step"], s.next, s.values, len(s.tasks))
        for s in graph.get_state_history(_config(thread))
    ]


# -- the same saves, in the same order -----------------------------------------------------------------
@pytest.mark.parametrize("make_graph", [_chain, _fan], ids=["chain", "fan-out"])
def test_async_saves_the_calls_sync_makes_in_the_same_order(sqlite_file: Any, make_graph: Any) -> None:
    made = {}
    for durability in ("sync", "async"):
        saver = sqlite_file(durability, delay=0.002)
        graph = make_graph("nbstream", saver)
        graph.invoke({"log": ["start"]}, _config("t"), durability=durability)
        made[durability] = (saver, graph)
    sync_saver, sync_graph = made["sync"]
    async_saver, async_graph = made["async"]
    # checkpoint ids differ run to run: compare each put_writes by the put it follows
    def shape(calls: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        return [(kind, what if kind == "put" else what[1]) for kind, what in calls]

    assert shape(async_saver.calls) == shape(sync_saver.calls)
    assert _history(async_graph, "t") == _history(sync_graph, "t")
    # and the thread LangGraph writes for the same program
    reference = make_graph("langgraph", sqlite_file("langgraph"))
    reference.invoke({"log": ["start"]}, _config("t"))
    assert _history(async_graph, "t") == _history(reference, "t")


def test_async_saves_off_the_callers_thread_sync_and_memory_save_inline(sqlite_file: Any) -> None:
    caller = threading.get_ident()
    background = sqlite_file("async")
    _chain("nbstream", background).invoke({"log": []}, _config("t"))
    assert background.threads and all(t != caller for t in background.threads)

    inline = sqlite_file("sync")
    _chain("nbstream", inline).invoke({"log": []}, _config("t"), durability="sync")
    assert inline.threads and all(t == caller for t in inline.threads)

    # InMemorySaver: handing a dict update to a thread costs more than making it, so it stays inline
    memory = InMemorySaver()
    seen: list[int] = []
    real_put = memory.put
    memory.put = lambda *a: (seen.append(threading.get_ident()), real_put(*a))[1]  # type: ignore[method-assign]
    _chain("nbstream", memory).invoke({"log": []}, _config("t"))
    assert seen and all(t == caller for t in seen)


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_steps_save_overlaps_the_next_step(sqlite_file: Any, library: str) -> None:
    """The checkpoint of step 0 (START's) is saved while n0, the next step, runs: its put waits for
    n0 to start, which only a background save lets happen."""
    started_n0 = threading.Event()
    overlapped: list[bool] = []

    class Waiting(TracingSqliteSaver):
        def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            if metadata["source"] == "loop" and metadata["step"] == 0:
                overlapped.append(started_n0.wait(timeout=2))
            return super().put(config, checkpoint, metadata, new_versions)

    def hook(i: int, state: Any) -> None:
        if i == 0:
            started_n0.set()

    conn = sqlite3.connect(":memory:", check_same_thread=False)
    graph = _chain(library, Waiting(conn), hook=hook)
    assert graph.invoke({"log": []}, _config("t")) == {"log": ["n0", "n1", "n2", "n3"]}
    assert overlapped == [True]
    conn.close()


# -- nothing pending when the run ends, or when it reads the saver --------------------------------------
def test_everything_is_saved_when_invoke_returns_pauses_or_fails(sqlite_file: Any, tmp_path: Path) -> None:
    from nbstream.graph import END, START, StateGraph
    from nbstream.types import interrupt

    saver = sqlite_file("slow", delay=0.01)
    assert _chain("nbstream", saver).invoke({"log": []}, _config("done")) == {"log": ["n0", "n1", "n2", "n3"]}

    def reader() -> SqliteSaver:  # another connection to the file: what a new process would see
        return SqliteSaver(sqlite3.connect(str(tmp_path / "slow.sqlite"), check_same_thread=False))

    assert len(list(reader().list(_config("done")))) == 6  # input, after START, after each of 4 nodes

    def ask(state: Log) -> dict[str, Any]:
        return {"log": [interrupt("ok?")]}

    def boom(state: Log) -> dict[str, Any]:
        raise ValueError("node failed")

    builder = StateGraph(Log)
    builder.add_node("first", lambda s: {"log": ["first"]})
    builder.add_node("ask", ask)
    builder.add_node("boom", boom)
    builder.add_edge(START, "first")
    builder.add_edge("first", "ask")
    builder.add_edge("ask", "boom")
    builder.add_edge("boom", END)
    graph = builder.compile(checkpointer=saver)
    paused = graph.invoke({"log": []}, _config("paused"))
    assert "__interrupt__" in paused
    latest = reader().get_tuple(_config("paused"))
    assert latest is not None and latest.metadata["step"] == 1
    assert [c for _, c, _ in latest.pending_writes] == ["__interrupt__"]

    with pytest.raises(ValueError, match="node failed"):
        graph.invoke(__import__("nbstream.types").types.Command(resume="yes"), _config("paused"))
    latest = reader().get_tuple(_config("paused"))
    assert latest is not None and latest.metadata["step"] == 2
    assert [c for _, c, _ in latest.pending_writes] == ["__error__"]


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("mode", ["values", "updates", "checkpoints", "debug"])
def test_the_last_stream_chunk_comes_after_the_last_save(sqlite_file: Any, library: str, mode: str) -> None:
    saver = sqlite_file("stream", delay=0.01)
    graph = _chain(library, saver)
    saved_at_chunk = [len(saver.calls) for _ in graph.stream({"log": []}, _config("t"), stream_mode=mode)]
    # 6 checkpoints and 5 pending writes (the start task's, and each node's)
    assert saved_at_chunk[-1] == len(saver.calls) == 11


@pytest.mark.parametrize("durability", ["async", "sync"])
def test_a_node_reading_the_thread_sees_the_last_step(sqlite_file: Any, durability: str) -> None:
    """nbstream waits for the run's saves before a node reads the thread, so it sees what LangGraph
    shows with durability="sync" (LangGraph's "async" may show an older checkpoint, or none)."""
    seen: dict[str, list[tuple[int, tuple[str, ...], list[str]]]] = {}
    for library in LIBRARIES:
        graphs: list[Any] = []
        seen[library] = []

        def hook(i: int, state: Any, library: str = library, graphs: list[Any] = graphs) -> None:
            snap = graphs[0].get_state(_config("t"))
            seen[library].append((snap.metadata["step"], snap.next, snap.values["log"]))

        graph = _chain(library, sqlite_file(library, delay=0.01), hook=hook)
        graphs.append(graph)
        graph.invoke(
            {"log": ["start"]}, _config("t"), durability="sync" if library == "langgraph" else durability
        )
    assert seen["nbstream"] == seen["langgraph"] == [
        (0, ("n0",), ["start"]),
        (1, ("n1",), ["start", "n0"]),
        (2, ("n2",), ["start", "n0", "n1"]),
        (3, ("n3",), ["start", "n0", "n1", "n2"]),
    ]


def _loop_over_subgraph(library: str, saver: Any) -> Any:
    """A node calling a checkpointer=True subgraph, run twice (a loop): the second call continues
    the subgraph's own thread, which it reads from the saver."""
    graph = importlib.import_module(f"{library}.graph")

    class Count(TypedDict):
        n: Annotated[list[int], _add]

    sub = graph.StateGraph(Count)
    sub.add_node("inc", lambda s: {"n": [len(s["n"])]})
    sub.add_edge(graph.START, "inc")
    sub.add_edge("inc", graph.END)
    inner = sub.compile(checkpointer=True)

    parent = graph.StateGraph(Count)
    parent.add_node("call", lambda s: {"n": inner.invoke({"n": []})["n"]})
    parent.add_edge(graph.START, "call")
    parent.add_conditional_edges("call", lambda s: "call" if len(s["n"]) < 3 else graph.END)
    return parent.compile(checkpointer=saver)


def test_a_subgraph_reads_what_its_earlier_call_saved(sqlite_file: Any) -> None:
    out = {
        library: _loop_over_subgraph(library, sqlite_file(library, delay=0.01)).invoke({"n": []}, _config("t"))
        for library in LIBRARIES
    }
    assert out["nbstream"] == out["langgraph"] == {"n": [0, 0, 1]}


# -- a save that fails ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fail_at_put", [1, 3, 6])
def test_a_failed_background_save_ends_the_run_with_its_error(sqlite_file: Any, fail_at_put: int) -> None:
    outcome = {}
    for durability in ("sync", "async"):
        saver = sqlite_file(durability, fail_at_put=fail_at_put)
        graph = _chain("nbstream", saver)
        events = RecordingObserver()
        with pytest.raises(OSError) as raised:
            graph.invoke({"log": []}, _config("t"), durability=durability, observers=[events])
        last = events.events[-1]
        assert isinstance(last, RunFailed) and last.error is raised.value  # the view ends in error
        assert not events.of_type(RunFinished, RunInterrupted)
        # nothing saved before the failed save is lost, nothing after it is saved
        outcome[durability] = (str(raised.value), saver.calls, _history(graph, "t"))
    assert outcome["async"][0] == outcome["sync"][0] == f"disk full (put {fail_at_put})"

    def shape(calls: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        return [(kind, what if kind == "put" else what[1]) for kind, what in calls]

    assert shape(outcome["async"][1]) == shape(outcome["sync"][1])
    assert outcome["async"][2] == outcome["sync"][2]


def test_a_failed_background_save_stops_the_run_at_the_next_step_at_the_latest(sqlite_file: Any) -> None:
    ran: list[int] = []
    saver = sqlite_file("fail", fail_at_put=3)  # the checkpoint after n0
    graph = _chain("nbstream", saver, n=6, hook=lambda i, s: ran.append(i))
    with pytest.raises(OSError, match="disk full"):
        graph.invoke({"log": []}, _config("t"))
    # n1 may have run while the save failed; the run stops at the checkpoint after it
    assert ran in ([0], [0, 1])


def test_a_failed_save_during_a_pause_fails_the_run(sqlite_file: Any) -> None:
    from nbstream.graph import END, START, StateGraph
    from nbstream.types import interrupt

    builder = StateGraph(Log)
    builder.add_node("ask", lambda s: {"log": [interrupt("ok?")]})
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)

    class FailingWrites(TracingSqliteSaver):
        def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
            if writes and writes[0][0] == "__interrupt__":
                raise OSError("cannot save the interrupt")
            super().put_writes(config, writes, task_id, task_path)

    for durability in ("sync", "async"):
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        graph = builder.compile(checkpointer=FailingWrites(conn))
        events = RecordingObserver()
        with pytest.raises(OSError, match="cannot save the interrupt"):
            graph.invoke({"log": []}, _config("t"), durability=durability, observers=[events])
        assert isinstance(events.events[-1], RunFailed)
        conn.close()


# -- what does not change -----------------------------------------------------------------------------------
def test_checkpoint_chunks_match_langgraph(sqlite_file: Any) -> None:
    def chunks(library: str) -> list[Any]:
        graph = _fan(library, sqlite_file(library, delay=0.002))
        return [
            (c["metadata"]["source"], c["metadata"]["step"], c["next"], c["values"])
            for c in graph.stream({"log": []}, _config("t"), stream_mode="checkpoints")
        ]

    assert chunks("nbstream") == chunks("langgraph")


def test_a_connection_bound_to_its_thread_still_works(tmp_path: Path) -> None:
    """Unlike LangGraph (ProgrammingError with either durability), a SqliteSaver over a plain
    ``sqlite3.connect(path)`` falls back to saving in the run's thread."""
    conn = sqlite3.connect(str(tmp_path / "bound.sqlite"))
    graph = _chain("nbstream", SqliteSaver(conn))
    assert graph.invoke({"log": []}, _config("t")) == {"log": ["n0", "n1", "n2", "n3"]}
    assert graph.invoke(None, _config("t")) == {"log": ["n0", "n1", "n2", "n3"]}
    assert len(list(graph.get_state_history(_config("t")))) == 6
    conn.close()
