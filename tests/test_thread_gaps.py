"""Small thread programs that once differed from LangGraph (the differential test's known gaps), pinned.

Each test plays one program on LangGraph 1.2.22 and on nbstream (the same source, only the import
lines differ), each library with its own saver of the same kind, and compares everything the
program recorded: stream chunks, ``invoke`` results, errors, ``get_state`` snapshots and the
history. Random ids are compared by which-points-at-which (``_Labels``), timestamps are dropped,
as in ``test_differential_threads``. The programs record in a fixed order (no concurrent chunks
whose order is free), so no further folding is needed.
"""

from __future__ import annotations

import asyncio
import importlib
import operator
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from _diffcanon import normalise_exception
from langgraph.errors import InvalidUpdateError
from test_differential_threads import Move, _canonical_stream, _Labels, _plain

MODES = ["values", "updates", "checkpoints", "tasks"]


class S(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    x: str


class Out(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


class Lib:
    """One library's modules, its saver, and the record a program writes."""

    def __init__(self, name: str, saver: Any) -> None:
        self.name = name
        self.graph = importlib.import_module(f"{name}.graph")
        self.types = importlib.import_module(f"{name}.types")
        self.saver = saver
        #: whether the saver has async methods (SqliteSaver has not)
        self.aio = type(saver).__name__ == "InMemorySaver"
        self.record: list[Any] = []

    def out(self, *items: Any) -> None:
        self.record.append(_plain(items[0] if len(items) == 1 else items))

    def failed(self, how: str, exc: BaseException) -> None:
        """Record an error by its type (``_plain`` would keep only that it is an ``Err``)."""
        self.record.append((how, normalise_exception(exc)))

    def stream(
        self, graph: Any, inp: Any, config: Any, *, stream_mode: list[str], subgraphs: bool = False
    ) -> None:
        """Record the chunks in the differential test's canonical order (tasks of one step run
        concurrently: their chunks interleave freely), then how the call ended."""
        chunks: list[Any] = []
        try:
            for chunk in graph.stream(inp, config, stream_mode=stream_mode, subgraphs=subgraphs):
                chunks.append(chunk)
        except Exception as exc:
            ended: Any = ("raised", normalise_exception(exc))
        else:
            ended = "returned"
        move = Move(True, tuple(stream_mode), subgraphs, "value", False)
        self.record.extend(_canonical_stream(chunks, move, set()))
        self.record.append(ended)

    def state(self, graph: Any, config: Any, subgraphs: bool = True) -> Any:
        try:
            snap = graph.get_state(config, subgraphs=subgraphs)
        except Exception as exc:
            self.failed("get_state raised", exc)
            return None
        self.out(snap)
        return snap

    def history(self, graph: Any, config: Any) -> None:
        self.out([(s.metadata, s.next, s.values) for s in graph.get_state_history(config)])


@pytest.fixture(params=["memory", "sqlite"])
def savers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """A factory of fresh savers of one kind (each library gets its own)."""
    from langgraph.checkpoint.memory import InMemorySaver

    if request.param == "memory":
        yield InMemorySaver
        return
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    opened: list[sqlite3.Connection] = []

    def make() -> Any:
        conn = sqlite3.connect(str(tmp_path / f"c{len(opened)}.sqlite"), check_same_thread=False)
        opened.append(conn)
        return SqliteSaver(conn)

    yield make
    for conn in opened:
        conn.close()


def same_as_langgraph(program: Callable[[Lib], None], savers: Callable[[], Any]) -> None:
    expected, got = Lib("langgraph", savers()), Lib("nbstream", savers())
    program(expected)
    program(got)
    want, have = _Labels()(expected.record), _Labels()(got.record)
    for i, (a, b) in enumerate(zip(want, have, strict=False)):
        assert a == b, f"entry {i} differs\nLangGraph: {a!r}\nnbstream:  {b!r}"
    assert len(want) == len(have)


# --------------------------------------------------------------------------------------------------
# nested pauses: interrupt() inside a subgraph, a subgraph paused by a breakpoint, resumed


def _ask_in_subgraph(lib: Lib) -> None:
    """The human-in-the-loop how-to's shape: a subgraph node's node asks; the parent resumes it."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("approve?")]}

    sub = g.StateGraph(S)
    sub.add_node("a", lambda s: {"log": ["a"]})
    sub.add_node("ask", ask)
    sub.add_edge(g.START, "a")
    sub.add_edge("a", "ask")
    parent = g.StateGraph(S)
    parent.add_node("s1", sub.compile())
    parent.add_node("z", lambda s: {"log": ["z"]})
    parent.add_edge(g.START, "s1")
    parent.add_edge("s1", "z")
    graph = parent.compile(checkpointer=lib.saver)
    config = {"configurable": {"thread_id": "1"}}
    lib.stream(graph, {"log": ["in"]}, config, stream_mode=MODES, subgraphs=True)
    lib.state(graph, config)
    # the resumed run first shows the subgraph checkpoint it continues from (with checkpoint_map)
    lib.stream(graph, t.Command(resume="yes"), config, stream_mode=MODES, subgraphs=True)
    lib.state(graph, config)
    lib.history(graph, config)


def test_interrupt_in_a_subgraph_node_resumes_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_ask_in_subgraph, savers)


def _breakpoint_in_subgraph(lib: Lib) -> None:
    """A subgraph compiled with interrupt_before on its own subgraph node, whose node asks twice,
    next to a parent node that finishes in the paused step; resumed with None and by id."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("q1"), t.interrupt("q2")], "x": "asked"}

    inner = g.StateGraph(S)
    inner.add_node("ask", ask)
    inner.add_edge(g.START, "ask")
    sub = g.StateGraph(S, output_schema=Out)
    sub.add_node("a", lambda s: {"log": ["a"]})
    sub.add_node("i", inner.compile())
    sub.add_edge(g.START, "a")
    sub.add_edge("a", "i")
    parent = g.StateGraph(S)
    parent.add_node("s1", sub.compile(interrupt_before=["i"]))
    parent.add_node("p", lambda s: {"log": ["p"]})
    parent.add_node("z", lambda s: {"log": ["z"]})
    parent.add_edge(g.START, "s1")
    parent.add_edge(g.START, "p")
    parent.add_edge("s1", "z")
    parent.add_edge("p", "z")
    graph = parent.compile(checkpointer=lib.saver)
    config = {"configurable": {"thread_id": "1"}}
    inp: Any = {"log": ["in"]}
    for call in range(5):
        # the breakpoint saves no write for the paused subgraph task (no error in its snapshot);
        # the last values chunk (the finished sibling's writes) comes before {"__interrupt__": ()}
        lib.stream(graph, inp, config, stream_mode=MODES, subgraphs=call % 2 == 0)
        snap = lib.state(graph, config)
        if snap is None or not snap.next:
            break
        inp = t.Command(resume={i.id: f"a{call}" for i in snap.interrupts}) if snap.interrupts else None
    lib.history(graph, config)


def test_breakpoint_inside_a_subgraph_resumes_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_breakpoint_in_subgraph, savers)


def _subgraph_node_paused_by_parent(lib: Lib) -> None:
    """A subgraph node listed in the parent's interrupt_before/after, whose node asks; its output
    schema hides a key: the subgraph's interrupt values chunk shows its output keys only."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("q1")], "x": "asked"}

    sub = g.StateGraph(S, output_schema=Out)
    sub.add_node("a", lambda s: {"log": ["a"], "x": "a"})
    sub.add_node("ask", ask)
    sub.add_node("b", lambda s: {"log": ["b"]})
    sub.add_edge(g.START, "a")
    sub.add_edge("a", "ask")
    sub.add_edge("ask", "b")
    parent = g.StateGraph(S)
    parent.add_node("s1", sub.compile())
    parent.add_node("z", lambda s: {"log": ["z"]})
    parent.add_edge(g.START, "s1")
    parent.add_edge("s1", "z")
    graph = parent.compile(checkpointer=lib.saver, interrupt_before=["s1"], interrupt_after=["s1"])
    for n, (modes, subgraphs) in enumerate(
        [(["values"], True), (["values", "updates"], True), (MODES, False)]
    ):
        config = {"configurable": {"thread_id": str(n)}}
        inp: Any = {"log": ["in"]}
        for call in range(5):
            lib.stream(graph, inp, config, stream_mode=modes, subgraphs=subgraphs)
            snap = lib.state(graph, config, subgraphs=subgraphs)
            if snap is None or not snap.next:
                break
            inp = t.Command(resume=f"a{call}") if snap.interrupts else None
    config = {"configurable": {"thread_id": "invoke"}}
    for inp in ({"log": ["in"]}, None, t.Command(resume="r"), None):
        lib.out(graph.invoke(inp, config))

    async def main() -> None:
        config = {"configurable": {"thread_id": "async"}}
        lib.out(await graph.ainvoke({"log": ["in"]}, config))
        lib.out(await graph.ainvoke(None, config))
        async for chunk in graph.astream(t.Command(resume="r"), config, stream_mode=MODES, subgraphs=True):
            lib.out(chunk)
        lib.out(await graph.ainvoke(None, config))
        lib.history(graph, config)

    if lib.aio:
        asyncio.run(main())


def test_subgraph_node_at_a_parent_breakpoint_resumes_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_subgraph_node_paused_by_parent, savers)


def _sibling_finishes_in_a_paused_subgraph(lib: Lib) -> None:
    """In a subgraph, one node asks while its sibling finishes: only the root shows the state with
    the finished tasks' writes when the run pauses (a nested graph shows no such values chunk)."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("q1")]}

    sub = g.StateGraph(S)
    sub.add_node("a", lambda s: {"log": ["a"]})
    sub.add_node("ask", ask)
    sub.add_edge(g.START, "a")
    sub.add_edge(g.START, "ask")
    parent = g.StateGraph(S)
    parent.add_node("s1", sub.compile())
    parent.add_node("p", lambda s: {"log": ["p"]})
    parent.add_edge(g.START, "s1")
    parent.add_edge(g.START, "p")
    graph = parent.compile(checkpointer=lib.saver)
    config = {"configurable": {"thread_id": "1"}}
    lib.stream(graph, {"log": ["in"]}, config, stream_mode=["values"], subgraphs=True)
    lib.stream(graph, t.Command(resume="r"), config, stream_mode=["values"], subgraphs=True)
    lib.state(graph, config)


def test_paused_subgraph_shows_no_values_chunk_of_its_own(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_sibling_finishes_in_a_paused_subgraph, savers)


def _conflict_beside_a_pause_in_subgraph(lib: Lib) -> None:
    """In a subgraph, two nodes write one plain key while a third asks: the subgraph pauses (its
    writes wait, unapplied); the conflict shows in get_state, which applies them, and on resume."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("q1")]}

    sub = g.StateGraph(S)
    sub.add_node("a", lambda s: {"x": "a"})
    sub.add_node("b", lambda s: {"x": "b"})
    sub.add_node("ask", ask)
    for name in ("a", "b", "ask"):
        sub.add_edge(g.START, name)
    parent = g.StateGraph(S)
    parent.add_node("s1", sub.compile())
    parent.add_edge(g.START, "s1")
    graph = parent.compile(checkpointer=lib.saver)
    config = {"configurable": {"thread_id": "1"}}
    lib.stream(graph, {"log": ["in"]}, config, stream_mode=["values", "updates"])
    lib.state(graph, config, subgraphs=False)
    lib.state(graph, config, subgraphs=True)
    lib.stream(graph, t.Command(resume="r"), config, stream_mode=["values"])


def test_conflict_beside_a_pause_in_a_subgraph_pauses_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_conflict_beside_a_pause_in_subgraph, savers)


# --------------------------------------------------------------------------------------------------
# fail-after-resume: a node fails after its interrupt() calls were answered


def _fail_after_answers(lib: Lib) -> None:
    """LangGraph counts the saved answers as the task's output: ``updates`` shows ``{node: None}``
    before the error, each time the answered task runs again and fails."""
    g, t = lib.graph, lib.types

    def raises(state: S) -> dict[str, Any]:
        t.interrupt("q1")
        t.interrupt("q2")
        raise KeyError("boom")

    def bad_return(state: S) -> Any:
        t.interrupt("q1")
        return 42

    for name, fn in (("raises", raises), ("bad_return", bad_return)):
        builder = g.StateGraph(S)
        builder.add_node("n1", fn)
        builder.add_node("p", lambda s: {"log": ["p"]})
        builder.add_edge(g.START, "n1")
        builder.add_edge(g.START, "p")
        graph = builder.compile(checkpointer=lib.saver)
        config = {"configurable": {"thread_id": name}}
        lib.out(graph.invoke({"log": []}, config))
        for inp in (t.Command(resume="a"), t.Command(resume="b"), None):
            lib.stream(graph, inp, config, stream_mode=MODES)
            lib.state(graph, config)


def test_node_failing_after_its_answers_streams_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_fail_after_answers, savers)


# --------------------------------------------------------------------------------------------------
# invoked-subgraph-state: a node whose function calls a compiled graph


_INVOKED: dict[str, Any] = {}  # module globals a node function reads, as a notebook's would be


def _invoked_graph_state(lib: Lib) -> None:
    """LangGraph finds a compiled graph a node's function refers to (a global, a closure cell, an
    attribute path) and treats it as that node's subgraph: checkpoints chunks give the task a
    state config and ``get_state(subgraphs=True)`` that graph's snapshot (an empty one whose
    config holds the saver before it ran); a graph compiled with ``checkpointer=False`` is none."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("q")]}

    sub = g.StateGraph(S)
    sub.add_node("a", lambda s: {"log": ["a"]})
    sub.add_node("ask", ask)
    sub.add_edge(g.START, "a")
    sub.add_edge("a", "ask")
    _INVOKED["asking"] = sub.compile()
    plain = g.StateGraph(S)
    plain.add_node("a", lambda s: {"log": ["plain"]})
    plain.add_edge(g.START, "a")
    _INVOKED["stateless"] = plain.compile(checkpointer=False)
    inner = plain.compile()

    def calls_global(state: S) -> Any:
        return _INVOKED["asking"].invoke(state)

    def calls_closure(state: S) -> Any:
        return inner.invoke(state)

    def calls_stateless(state: S) -> Any:
        return _INVOKED["stateless"].invoke(state)

    class Holder:
        graph = inner

    def calls_attribute(state: S) -> Any:
        return Holder.graph.invoke(state)

    parent = g.StateGraph(S)
    parent.add_node("c1", calls_global)
    parent.add_node("c2", calls_closure)
    parent.add_node("c3", calls_stateless)
    parent.add_node("c4", calls_attribute)
    for name in ("c1", "c2", "c3", "c4"):
        parent.add_edge(g.START, name)
    graph = parent.compile(checkpointer=lib.saver, interrupt_before=["c1"])
    config = {"configurable": {"thread_id": "1"}}
    for inp in ({"log": ["in"]}, None, t.Command(resume="r")):
        # the root's chunks only: the four tasks run concurrently
        for chunk in graph.stream(inp, config, stream_mode=["checkpoints"]):
            lib.out(chunk)
        lib.state(graph, config, subgraphs=True)


def test_graph_invoked_in_a_node_shows_its_state_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_invoked_graph_state, savers)


def _hidden_key_in_a_resumed_subgraph(lib: Lib) -> None:
    """A resumed subgraph's first checkpoints chunk lists its finished tasks' results with the
    subgraph's output keys only, and so does the update of a task whose saved writes are replayed
    (a root graph's stream shows every key)."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("q")]}

    sub = g.StateGraph(S, output_schema=Out)
    sub.add_node("a", lambda s: {"log": ["a"], "x": "hidden"})
    sub.add_node("ask", ask)
    sub.add_edge(g.START, "a")
    sub.add_edge(g.START, "ask")
    parent = g.StateGraph(S)
    parent.add_node("s1", sub.compile())
    parent.add_edge(g.START, "s1")
    config = {"configurable": {"thread_id": "1"}}
    for graph in (parent.compile(checkpointer=lib.saver), sub.compile(checkpointer=lib.saver)):
        for inp in ({"log": ["in"]}, t.Command(resume="r")):
            # canonical order: the subgraph's two tasks run concurrently, their chunks interleave
            lib.stream(graph, inp, config, stream_mode=["checkpoints", "updates"], subgraphs=True)
            lib.state(graph, config, subgraphs=True)
        config = {"configurable": {"thread_id": "2"}}


def test_resumed_subgraph_task_results_show_its_output_keys(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_hidden_key_in_a_resumed_subgraph, savers)


# --------------------------------------------------------------------------------------------------
# conflict-after-resume: a documented difference (docs/differences.md)


def _resumed_task_conflicts(lib: Lib) -> None:
    """The resumed task writes the plain key its finished sibling wrote in the paused step."""
    g, t = lib.graph, lib.types

    def ask(state: S) -> dict[str, Any]:
        return {"x": t.interrupt("q")}

    builder = g.StateGraph(S)
    builder.add_node("ask", ask)
    builder.add_node("a", lambda s: {"x": "a"})
    builder.add_edge(g.START, "ask")
    builder.add_edge(g.START, "a")
    graph = builder.compile(checkpointer=lib.saver)
    config = {"configurable": {"thread_id": "1"}}
    lib.out(graph.invoke({"log": []}, config))
    lib.stream(graph, t.Command(resume="v"), config, stream_mode=["updates"])
    lib.state(graph, config)


def test_resumed_task_whose_write_conflicts_streams_its_update_then_raises(
    savers: Callable[[], Any],
) -> None:
    expected, got = Lib("langgraph", savers()), Lib("nbstream", savers())
    _resumed_task_conflicts(expected)
    _resumed_task_conflicts(got)
    update = ("updates", {"ask": {"x": "v"}})
    raised = ("raised", normalise_exception(InvalidUpdateError()))
    # LangGraph drops the resumed task's update (it ran alone in the step); nbstream streams it,
    # then raises the same error
    assert update not in expected.record
    assert got.record.index(update) + 1 == got.record.index(raised)
    without = [entry for entry in got.record if entry != update]
    assert _Labels()(without) == _Labels()(expected.record)


# --------------------------------------------------------------------------------------------------
# nested pauses in graphs invoked inside nodes


def _one_answer_for_nested_invokes(lib: Lib) -> None:
    """``Command(resume=value)`` answers one interrupt() in the whole call: a graph invoked inside
    a node, invoking graphs in its own nodes, must not hand the same answer to a second asker."""
    g, t = lib.graph, lib.types

    def asks(name: str) -> Callable[[S], dict[str, Any]]:
        def node(state: S) -> dict[str, Any]:
            return {"log": [f"{name}:{t.interrupt(name)}"]}

        return node

    def single(name: str, fn: Any) -> Any:
        builder = g.StateGraph(S)
        builder.add_node(name, fn)
        builder.add_edge(g.START, name)
        return builder.compile()

    asking = single("n3", asks("n3"))
    quiet = single("n5", lambda s: {"log": ["n5"]})
    middle = g.StateGraph(S)
    middle.add_node("c2", lambda s: asking.invoke(s))
    middle.add_node("c4", lambda s: quiet.invoke(s))
    middle.add_node("j6", asks("j6"))
    middle.add_edge(g.START, "c2")
    middle.add_edge(g.START, "c4")
    middle.add_edge(["c2", "c4"], "j6")
    inner = middle.compile()
    builder = g.StateGraph(S)
    builder.add_node("c1", lambda s: inner.invoke(s))
    builder.add_edge(g.START, "c1")
    graph = builder.compile(checkpointer=lib.saver)
    config = {"configurable": {"thread_id": "1"}}
    for inp in ({"log": ["in"]}, t.Command(resume="a0"), t.Command(resume="a1")):
        try:
            lib.out(graph.invoke(inp, config))
        except Exception as exc:
            lib.failed("raised", exc)
        lib.state(graph, config, subgraphs=False)


def test_one_resume_value_answers_one_nested_interrupt(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_one_answer_for_nested_invokes, savers)


def _stale_answer_after_answer_by_id(lib: Lib) -> None:
    """``Command(resume=value)`` is saved on the checkpoint; a call that pauses again leaves it
    there, and the next call (even one answering by id) hands it to the first interrupt() that
    has no answer of its own, as LangGraph does; here the node after the asking one."""
    g, t = lib.graph, lib.types

    def twice(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("k0"), t.interrupt("k1")]}

    def once(state: S) -> dict[str, Any]:
        return {"log": [t.interrupt("j")]}

    for nested in (False, True):
        builder = g.StateGraph(S)
        builder.add_node("n3", twice)
        builder.add_node("j5", once)
        builder.add_edge(g.START, "n3")
        builder.add_edge("n3", "j5")
        graph = builder.compile(checkpointer=None if nested else lib.saver)
        if nested:  # the same graph invoked inside a node
            outer = g.StateGraph(S)
            outer.add_node("c1", lambda s, inner=graph: inner.invoke(s))
            outer.add_edge(g.START, "c1")
            graph = outer.compile(checkpointer=lib.saver)
        config = {"configurable": {"thread_id": str(nested)}}
        lib.out(graph.invoke({"log": []}, config))
        lib.out(graph.invoke(t.Command(resume="a0"), config))
        pending = graph.get_state(config).interrupts
        lib.out(graph.invoke(t.Command(resume={i.id: "by-id" for i in pending}), config))
        lib.state(graph, config, subgraphs=False)


def test_saved_resume_value_answers_the_next_interrupt_as_langgraph(savers: Callable[[], Any]) -> None:
    same_as_langgraph(_stale_answer_after_answer_by_id, savers)


def _value_raced_by_a_subgraph(lib: Lib) -> None:
    """An async node and a subgraph node (sync inside) in one step; the subgraph stopped at its
    own breakpoint, the async node asked. ``Command(resume=value)`` goes to the first interrupt()
    that runs: LangGraph starts tasks in task order, so the async node's (it asks again after),
    not the one the subgraph's node reaches on a thread."""
    g, t = lib.graph, lib.types

    async def n6(state: S) -> dict[str, Any]:
        return {"log": [f"n6:{t.interrupt('n6-k0')}:{t.interrupt('n6-k1')}"]}

    def n8(state: S) -> dict[str, Any]:
        return {"log": [f"n8:{t.interrupt('n8')}"]}

    sub = g.StateGraph(S)
    sub.add_node("n8", n8)
    sub.add_edge(g.START, "n8")
    parent = g.StateGraph(S)
    parent.add_node("n6", n6)
    parent.add_node("s7", sub.compile(interrupt_before=["n8"]))
    parent.add_edge(g.START, "n6")
    parent.add_edge(g.START, "s7")
    graph = parent.compile(checkpointer=lib.saver)

    async def main() -> None:
        for k in range(5):  # a race would show in some of them
            config = {"configurable": {"thread_id": str(k)}}
            await graph.ainvoke({"log": []}, config)
            paused = await graph.ainvoke(t.Command(resume="a1"), config)
            lib.out(sorted(i.value for i in paused.get("__interrupt__", [])))

    asyncio.run(main())


def test_resume_value_goes_to_the_first_task_in_order_as_langgraph() -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    same_as_langgraph(_value_raced_by_a_subgraph, InMemorySaver)
