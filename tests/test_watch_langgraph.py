"""Watching LangGraph graphs (``nbstream.langgraph``): exact chunks for the caller, sound events for views.

The differential part draws random graphs (``_graphgen``) rendered for LangGraph and streams each
twice, once with ``lg_graph.stream`` and once through ``nbstream.langgraph.stream`` with an event
recorder attached, with the same arguments (every mode and lists of them, ``subgraphs`` on and off,
``version`` v1/v2, sync and async): the chunks must be equal up to the interleaving of concurrent
tasks (``_diffcanon``), the exception the same, and the events well formed.
"""

from __future__ import annotations

import asyncio
import io
import operator
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

pytest.importorskip("langgraph")

from _diffcanon import canonical, normalise_exception
from _graphgen import Case, build, cases
from _messages_support import fake
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt

import nbstream
import nbstream.langgraph as nblg
from nbstream.events import (
    Event,
    LLMCallFinished,
    LLMCallStarted,
    MessageChunk,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    TaskFinished,
    TaskStarted,
)
from nbstream.widgets import RunView

MODES = ["values", "updates", "custom", "debug", "tasks", "messages"]
_ENDS = (RunFinished, RunFailed, RunInterrupted)

_runner = asyncio.Runner()


@pytest.fixture(scope="module", autouse=True)
def _close_runner() -> Iterator[None]:
    yield
    _runner.close()


def _consume(stream: Any, aio: bool) -> tuple[list[Any], BaseException | None]:
    chunks: list[Any] = []

    async def drain() -> None:
        async for chunk in stream:
            chunks.append(chunk)

    try:
        if aio:
            _runner.run(drain())
        else:
            chunks.extend(stream)
    except Exception as exc:
        return chunks, exc
    return chunks, None


def assert_well_formed(events: list[Event]) -> None:
    """RunStarted first and a run end last in every namespace; every started task finishes."""
    assert events and isinstance(events[0], RunStarted) and events[0].ns == ()
    ended: set[tuple[str, ...]] = set()
    started: set[tuple[str, ...]] = set()
    tasks: dict[tuple[tuple[str, ...], str], int] = {}
    for event in events:
        assert event.ns not in ended, f"{type(event).__name__} at {event.ns} after its run ended"
        if isinstance(event, RunStarted):
            assert event.ns not in started
            started.add(event.ns)
            continue
        assert event.ns in started, f"{type(event).__name__} at {event.ns} before RunStarted"
        if isinstance(event, TaskStarted):
            tasks[event.ns, event.task_id] = tasks.get((event.ns, event.task_id), 0) + 1
        elif isinstance(event, TaskFinished):
            assert tasks.get((event.ns, event.task_id)), f"TaskFinished without TaskStarted: {event}"
            tasks[event.ns, event.task_id] -= 1
        elif isinstance(event, _ENDS):
            ended.add(event.ns)
    assert ended == started, f"runs that never ended: {started - ended}"
    assert not any(tasks.values()), f"tasks that never finished: {[k for k, v in tasks.items() if v]}"
    assert isinstance(events[-1], _ENDS) and events[-1].ns == ()


_calls = st.tuples(
    st.one_of(
        st.sampled_from([None, *MODES]), st.lists(st.sampled_from(MODES), min_size=1, max_size=4, unique=True)
    ),
    st.booleans(),  # subgraphs
    st.booleans(),  # v2
    st.booleans(),  # async
)


def _compare(
    graph: Any, context: Any, inp: dict[str, Any], modes: Any, subgraphs: bool, v2: bool, aio: bool
) -> None:
    kwargs: dict[str, Any] = {"subgraphs": subgraphs}
    if modes is not None:
        kwargs["stream_mode"] = modes
    if v2:
        kwargs["version"] = "v2"
    if context is not None:
        kwargs["context"] = context
    method = graph.astream if aio else graph.stream
    ref, ref_exc = _consume(method(dict(inp), **kwargs), aio)
    events: list[Event] = []
    watch = nblg.astream if aio else nblg.stream
    got, got_exc = _consume(watch(graph, dict(inp), observers=[events.append], **kwargs), aio)
    canon_modes = [m for m in modes if m != "messages"] if isinstance(modes, list) else modes
    assert canonical(got, canon_modes, subgraphs, v2=v2) == canonical(ref, canon_modes, subgraphs, v2=v2), (
        f"chunks differ for stream_mode={modes!r} subgraphs={subgraphs} v2={v2} aio={aio}"
    )
    assert normalise_exception(got_exc) == normalise_exception(ref_exc)
    assert_well_formed(events)
    root_end = events[-1]
    assert isinstance(root_end, RunFailed) == (ref_exc is not None)


@settings(
    max_examples=int(os.environ.get("NBSTREAM_WATCH_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a shrink takes minutes; the report prints the case
)
@given(case=cases(), extra=st.lists(_calls, min_size=2, max_size=3))
def test_watched_stream_yields_exactly_langgraphs_chunks(case: Case, extra: list[Any]) -> None:
    graphs = {aio: build(case, "langgraph", aio=aio) for aio in (False, True)}
    for aio in (False, True):
        graph, context = graphs[aio]
        _compare(graph, context, case.input, list(MODES), True, False, aio)
    for modes, subgraphs, v2, aio in extra:
        graph, context = graphs[aio]
        _compare(graph, context, case.input, modes, subgraphs, v2, aio)
    graph, context = graphs[False]
    kw = {} if context is None else {"context": context}
    for v2 in (False, True):
        version = {"version": "v2"} if v2 else {}
        try:
            ref: Any = graph.invoke(dict(case.input), **kw, **version)
        except Exception as exc:
            ref = normalise_exception(exc)
        try:
            got: Any = nblg.invoke(graph, dict(case.input), **kw, **version)
        except Exception as exc:
            got = normalise_exception(exc)
        assert got == ref


# --------------------------------------------------------------------------------------------------
# hand-written graphs: views, interrupts, messages


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    messages: Annotated[list[Any], add_messages]


def _chain(raise_in: str | None = None) -> Any:
    def node(name: str) -> Any:
        def run(state: State) -> State:
            if name == raise_in:
                raise ValueError(f"{name} failed")
            return {"log": [name]}

        return run

    builder = StateGraph(State)
    for name in ("a", "b", "c"):
        builder.add_node(name, node(name))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    builder.add_edge("c", END)
    return builder.compile()


def test_a_run_view_watching_a_langgraph_run_ends_done() -> None:
    view = RunView(mode="text", log_file=io.StringIO())
    chunks = list(nblg.stream(_chain(), {"log": []}, stream_mode="updates", observers=[view]))
    assert chunks == list(_chain().stream({"log": []}, stream_mode="updates"))
    assert view.model.header.status == "done"
    assert view.model.node_statuses() == {"a": "done", "b": "done", "c": "done"}


def test_a_run_view_watching_a_failing_langgraph_run_ends_in_error() -> None:
    view = RunView(mode="text", log_file=io.StringIO())
    with pytest.raises(ValueError, match="b failed"):
        for _ in nblg.stream(_chain(raise_in="b"), {"log": []}, observers=[view]):
            pass
    assert view.model.header.status == "error"
    assert "b failed" in (view.model.header.error or "")
    assert view.model.node_statuses()["b"] == "error"


def test_a_langgraph_error_handler_shows_as_a_node_run_after_the_failure() -> None:
    """LangGraph streams no start for a handler started when its node failed; the view still sees
    the handler start and finish, after the node's failure, as for an nbstream graph."""

    def bad(state: State) -> State:
        raise ValueError("boom")

    def build() -> Any:
        builder = StateGraph(State).add_node("bad", bad, error_handler=lambda s: {"log": ["handled"]})
        return builder.add_edge(START, "bad").compile()

    events: list[Any] = []
    view = RunView(mode="text", log_file=io.StringIO())
    chunks = list(nblg.stream(build(), {"log": []}, stream_mode="updates", observers=[events.append, view]))
    assert chunks == list(build().stream({"log": []}, stream_mode="updates"))
    assert [(type(e).__name__, e.node) for e in events if isinstance(e, TaskStarted | TaskFinished)] == [
        ("TaskStarted", "bad"),
        ("TaskFinished", "bad"),
        ("TaskStarted", "__error_handler__bad"),
        ("TaskFinished", "__error_handler__bad"),
    ]
    assert view.model.header.status == "done"
    assert view.model.node_statuses()["__error_handler__bad"] == "done"


def test_show_accepts_a_langgraph_graph() -> None:
    view = RunView(mode="text", log_file=io.StringIO())
    assert nbstream.show(_chain(), {"log": []}, view=view) == _chain().invoke({"log": []})
    assert view.model.header.status == "done"


def test_show_refuses_what_is_no_graph_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="compiled LangGraph graphs"):
        list(nblg.stream(object(), {}))


def _asking_graph() -> Any:
    def ask(state: State) -> State:
        return {"log": [str(interrupt("ship it?"))]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_node("done", lambda state: {"log": ["done"]})
    builder.add_edge(START, "ask")
    builder.add_edge("ask", "done")
    return builder.compile(checkpointer=InMemorySaver())


def test_an_interrupt_pauses_the_view_and_its_thread_control_resumes_the_langgraph_thread() -> None:
    graph = _asking_graph()
    config = {"configurable": {"thread_id": "t"}}
    events: list[Event] = []
    view = RunView(mode="text", log_file=io.StringIO())
    chunks = list(
        nblg.stream(graph, {"log": []}, config, stream_mode="updates", observers=[view, events.append])
    )
    ref_graph = _asking_graph()
    assert [set(c) for c in chunks] == [
        set(c) for c in ref_graph.stream({"log": []}, config, stream_mode="updates")
    ]
    paused = events[-1]
    assert isinstance(paused, RunInterrupted) and paused.ns == ()
    assert [i.value for i in paused.interrupts] == ["ship it?"]
    assert view.model.header.status == "waiting"
    assert paused.thread is not None and paused.thread.thread_id == "t"
    paused.thread.resume("yes")
    assert graph.get_state(config).values == {"log": ["yes", "done"], "messages": []} or graph.get_state(
        config
    ).values == {"log": ["yes", "done"]}
    assert isinstance(events[-1], RunFinished) and events[-1].ns == ()
    assert view.model.header.status == "done"
    assert len(paused.thread.history()) == len(list(graph.get_state_history(config)))


def _agent_in_subgraph() -> Any:
    model = fake("hello there")

    def think(state: State) -> State:
        return {"messages": [model.invoke(state["messages"])]}

    inner = StateGraph(State)
    inner.add_node("think", think)
    inner.add_edge(START, "think")
    builder = StateGraph(State)
    builder.add_node("agent", inner.compile())
    builder.add_edge(START, "agent")
    return builder.compile()


@pytest.mark.parametrize("subgraphs", [False, True])
def test_messages_match_langgraph_with_and_without_subgraphs_and_calls_are_bounded(subgraphs: bool) -> None:
    inp = {"messages": [("user", "hi")]}

    def shape(chunks: list[Any]) -> list[Any]:
        out = []
        for chunk in chunks:
            ns, (message, meta) = chunk if subgraphs else ((), chunk)
            out.append((len(ns), type(message).__name__, message.content, meta["langgraph_node"]))
        return out

    ref = list(_agent_in_subgraph().stream(inp, stream_mode="messages", subgraphs=subgraphs))
    events: list[Event] = []
    got = list(
        nblg.stream(
            _agent_in_subgraph(), inp, stream_mode="messages", subgraphs=subgraphs, observers=[events.append]
        )
    )
    assert shape(got) == shape(ref) and ref
    assert_well_formed(events)
    calls = [e for e in events if isinstance(e, (LLMCallStarted, LLMCallFinished))]
    assert [type(e) for e in calls] == [LLMCallStarted, LLMCallFinished]
    if (
        not subgraphs
    ):  # watched at the root only: the subgraph's message arrives whole, as LangGraph streams it
        whole = [e for e in events if isinstance(e, MessageChunk)]
        assert [(e.ns, e.kind, e.message.content) for e in whole] == [((), "message", "hello there")]
        return
    tokens = [e for e in events if isinstance(e, MessageChunk) and e.kind == "token"]
    assert tokens and all(t.call_id == calls[0].call_id for t in tokens)
    assert "".join(t.message.content for t in tokens) == "hello there"


def test_a_tuple_of_modes_stays_untagged_as_in_langgraph() -> None:
    got = list(
        nblg.stream(_chain(), {"log": []}, stream_mode=("updates", "values"), observers=[lambda e: None])
    )
    assert got == list(_chain().stream({"log": []}, stream_mode=("updates", "values")))


def test_async_invoke_matches_langgraph() -> None:
    events: list[Event] = []
    got = _runner.run(nblg.ainvoke(_chain(), {"log": []}, observers=[events.append]))
    assert got == _runner.run(_chain().ainvoke({"log": []}))
    assert_well_formed(events)


def test_importing_nbstream_does_not_import_langgraph() -> None:
    code = (
        "import sys, nbstream, nbstream.widgets; print(any(m.startswith('langgraph') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
