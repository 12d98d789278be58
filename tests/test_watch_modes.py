"""Watching a LangGraph run asks LangGraph only for the costly modes the graph can use.

``subgraphs``, ``custom`` and ``messages`` make LangGraph run every task on a pool thread, which
doubles the cost of quick nodes; ``nbstream.langgraph`` asks for each only when the graph can make
it (``_probe``) and hears chat models through LangGraph's messages handler otherwise. These tests
check that a view gets the same custom data and messages as when every mode is asked for
(``watch="all"``), that tokens reach it while the node still runs, and that the caller's chunks
stay LangGraph's.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from _messages_support import fake
from langchain_core.tools import tool
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

import nbstream.langgraph as nblg
from nbstream.events import CustomData, Event, LLMCallStarted, MessageChunk, TaskFinished
from nbstream.langgraph._probe import needs_of


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    messages: Annotated[list[Any], add_messages]


def _graph(*nodes: Any, parallel: bool = False) -> Any:
    builder = StateGraph(State)
    names = [f"n{i}" for i in range(len(nodes))]
    for name, node in zip(names, nodes, strict=True):
        builder.add_node(name, node)
    if parallel:
        for name in names:
            builder.add_edge(START, name)
            builder.add_edge(name, END)
    else:
        for a, b in zip([START, *names], [*names, END], strict=True):
            builder.add_edge(a, b)
    return builder.compile()


def _asked(graph: Any, **kwargs: Any) -> dict[str, Any]:
    """The arguments LangGraph's stream gets from the watcher (with one observer)."""
    seen: dict[str, Any] = {}
    stream = graph.stream

    def spy(*args: Any, **given: Any) -> Any:
        seen.update(given)
        return stream(*args, **given)

    graph.stream = spy
    try:
        list(nblg.stream(graph, {"log": []}, observers=[lambda event: None], **kwargs))
    finally:
        del graph.stream
    return seen


def _watched(graph: Any, inputs: dict[str, Any], **kwargs: Any) -> tuple[list[Any], list[Event]]:
    events: list[Event] = []
    chunks = list(nblg.stream(graph, inputs, observers=[events.append], stream_mode="updates", **kwargs))
    return chunks, events


def _seen(events: list[Event]) -> list[tuple[Any, ...]]:
    """What a view shows of custom data and messages, ids aside."""
    out: list[tuple[Any, ...]] = []
    for event in events:
        if isinstance(event, CustomData):
            out.append(("custom", event.ns, event.node, event.data))
        elif isinstance(event, MessageChunk):
            out.append(("message", event.ns, event.node, event.kind, event.message.content))
    return out


# module-level helpers a node reaches through a global name ------------------------------------


def _emit(value: str) -> None:
    get_stream_writer()(value)


HIDDEN_MODELS = {"answer": fake("hidden model here")}  # a dict: the scan does not look into it


def test_a_graph_of_plain_nodes_gets_no_costly_mode() -> None:
    graph = _graph(lambda state: {"log": ["a"]}, lambda state: {"log": ["b"]})
    asked = _asked(graph)
    assert asked["subgraphs"] is False
    assert set(asked["stream_mode"]) == {"values", "updates", "tasks"}
    everything = _asked(graph, watch="all")
    assert {"custom", "messages"} <= set(everything["stream_mode"]) and everything["subgraphs"] is True


def test_one_handler_hears_times_calls_and_returned_messages_and_the_callers_own_still_fire() -> None:
    """Without ``messages`` asked, one handler (LangGraph's messages handler, ours too) does it all."""
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.messages import AIMessage

    ends: list[str] = []

    class Mine(BaseCallbackHandler):
        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            ends.append("end")

    def reply(state: State) -> dict[str, Any]:  # a message made by hand, no model
        return {"messages": [AIMessage("by hand", id="m1")]}

    graph = _graph(reply, lambda state: {"log": ["b"]})
    asked_config: dict[str, Any] = {}
    stream = graph.stream

    def spy(input: Any, config: Any = None, **given: Any) -> Any:
        asked_config.update(config or {})
        return stream(input, config, **given)

    graph.stream = spy
    try:
        events: list[Event] = []
        chunks = list(
            nblg.stream(
                graph, {"log": []}, {"callbacks": [Mine()]}, stream_mode="updates", observers=[events.append]
            )
        )
    finally:
        del graph.stream
    assert chunks == list(graph.stream({"log": []}, {"callbacks": [Mine()]}, stream_mode="updates"))
    assert len(asked_config["callbacks"]) == 2  # the caller's and the watcher's one
    assert ends  # the caller's handler still heard the run
    assert [s for s in _seen(events) if s[0] == "message"] == [("message", (), "n0", "message", "by hand")]
    finished = [e for e in events if isinstance(e, TaskFinished)]
    assert [e.node for e in finished] == ["n0", "n1"]
    assert all(e.duration >= 0 for e in finished)  # times from the callbacks, not NaN


def test_no_observer_means_the_callers_own_call() -> None:
    graph = _graph(lambda state: {"log": ["a"]})
    seen: dict[str, Any] = {}
    stream = graph.stream

    def spy(*args: Any, **given: Any) -> Any:
        seen.update(given)
        return stream(*args, **given)

    graph.stream = spy
    got = list(nblg.stream(graph, {"log": []}, stream_mode="values"))
    assert got == list(stream({"log": []}, stream_mode="values"))
    assert seen["stream_mode"] == ["values"] and seen["subgraphs"] is False


@pytest.mark.parametrize(
    "node",
    [
        pytest.param(lambda state: get_stream_writer()("direct") or {"log": ["a"]}, id="get_stream_writer"),
        pytest.param(lambda state, writer: writer("injected") or {"log": ["a"]}, id="writer-parameter"),
        pytest.param(lambda state: _emit("helper") or {"log": ["a"]}, id="through-a-helper"),
    ],
)
def test_custom_data_reaches_the_view_as_with_every_mode(node: Any) -> None:
    graph = _graph(node, lambda state: {"log": ["b"]})
    assert needs_of(graph).custom
    chunks, events = _watched(graph, {"log": []})
    all_chunks, all_events = _watched(graph, {"log": []}, watch="all")
    assert chunks == all_chunks == list(graph.stream({"log": []}, stream_mode="updates"))
    assert _seen(events) == _seen(all_events) and [e for e in events if isinstance(e, CustomData)]


def test_the_runtimes_writer_counts_too() -> None:
    def node(state: State, runtime: Runtime) -> State:
        runtime.stream_writer("typed")
        return {"log": ["a"]}

    graph = _graph(node)
    assert needs_of(graph).custom
    _, events = _watched(graph, {"log": []})
    assert ("custom", (), "n0", "typed") in _seen(events)


def test_tool_nodes_and_models_are_taken_as_able() -> None:
    @tool
    def shout(text: str) -> str:
        """Shout the text."""
        return text.upper()

    model = fake("hi")
    graph = _graph(ToolNode([shout]), lambda state: {"messages": [model.invoke("x")]})
    assert needs_of(graph).custom and needs_of(graph).messages


def test_a_model_the_scan_misses_still_streams_its_tokens_to_the_view_while_the_node_runs() -> None:
    events: list[Event] = []
    seen_in_node: list[int] = []

    def answer(state: State) -> State:
        reply = HIDDEN_MODELS["answer"].invoke(state["messages"])
        seen_in_node.append(sum(isinstance(e, MessageChunk) for e in events))  # before the node ends
        return {"messages": [reply]}

    graph = _graph(answer)
    assert not needs_of(graph).messages
    inputs = {"messages": [("user", "hi")]}
    list(nblg.stream(graph, inputs, observers=[events.append], stream_mode="updates"))
    in_node = list(seen_in_node)
    _, all_events = _watched(graph, inputs, watch="all")
    assert _seen(events) == _seen(all_events)
    tokens = [e for e in events if isinstance(e, MessageChunk) and e.kind == "token"]
    assert "".join(t.message.content for t in tokens) == "hidden model here"
    calls = [e.call_id for e in events if isinstance(e, LLMCallStarted)]
    assert calls and {t.call_id for t in tokens} == set(calls)
    assert in_node == [len(tokens)]  # every token was in the view before the node returned


def test_parallel_nodes_with_missed_models_keep_their_tokens_before_their_ends() -> None:
    def ask(name: str) -> Any:
        def node(state: State) -> State:
            return {"messages": [HIDDEN_MODELS["answer"].invoke(f"{name}?")]}

        return node

    graph = _graph(ask("a"), ask("b"), parallel=True)
    _, events = _watched(graph, {"messages": []})
    for node in ("n0", "n1"):
        mine = [i for i, e in enumerate(events) if isinstance(e, MessageChunk) and e.node == node]
        end = next(i for i, e in enumerate(events) if isinstance(e, TaskFinished) and e.node == node)
        text = "".join(events[i].message.content for i in mine if events[i].kind == "token")
        assert text == "hidden model here" and max(mine) < end


def test_an_async_run_hears_a_missed_model_too() -> None:
    import asyncio

    async def answer(state: State) -> State:
        return {"messages": [await HIDDEN_MODELS["answer"].ainvoke(state["messages"])]}

    graph = _graph(answer)
    inputs = {"messages": [("user", "hi")]}

    async def watch(**kwargs: Any) -> list[Event]:
        events: list[Event] = []
        async for _ in nblg.astream(graph, inputs, observers=[events.append], **kwargs):
            pass
        return events

    events, all_events = asyncio.run(watch()), asyncio.run(watch(watch="all"))
    assert _seen(events) == _seen(all_events)
    assert "".join(e.message.content for e in events if isinstance(e, MessageChunk) and e.kind == "token")
