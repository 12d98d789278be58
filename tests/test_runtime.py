"""Runner semantics: the bus, live custom data, shared values, injection, nested graphs, threads."""

from __future__ import annotations

import asyncio
import operator
import threading
import time
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.runnables import RunnableConfig

from nbstream.config import get_config, get_stream_writer
from nbstream.errors import ObserverWarning
from nbstream.events import (
    CustomData,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskFinished,
    TaskStarted,
)
from nbstream.graph import START, StateGraph
from nbstream.types import Command, Send


class S(TypedDict):
    x: int
    log: Annotated[list[Any], operator.add]


def test_event_sequence_of_a_run() -> None:
    graph = StateGraph(S).add_node("a", lambda s: {"x": 2}).add_edge(START, "a").compile(name="g")
    events: list[Any] = []
    graph.invoke({"x": 1}, observers=[events.append])
    assert [type(e) for e in events] == [
        RunStarted,
        StepFinished,
        StepStarted,
        TaskStarted,
        TaskFinished,
        StepFinished,
        RunFinished,
    ]
    assert events[0].graph_name == "g" and events[0].node_names == ("a",)
    assert events[0].edges == (("__start__", "a", False),)
    assert {e.run_id for e in events} == {events[0].run_id}
    assert events[4].writes == (("x", 2),) and events[4].duration >= 0
    assert events[-1].output == {"x": 2, "log": []}


def test_observer_that_raises_is_detached_with_a_warning_and_the_run_goes_on() -> None:
    graph = StateGraph(S).add_node("a", lambda s: {"x": 2}).add_node("b", lambda s: {"x": 3})
    graph = graph.add_edge(START, "a").add_edge("a", "b").compile()
    calls: list[str] = []

    def flaky(event: Any) -> None:
        calls.append(type(event).__name__)
        if isinstance(event, TaskStarted):
            raise RuntimeError("widget bug")

    healthy: list[Any] = []
    with pytest.warns(
        ObserverWarning, match=r"flaky raised RuntimeError: widget bug while handling TaskStarted"
    ):
        result = list(graph.stream({"x": 1}, observers=[flaky, healthy.append]))
    assert result == [{"a": {"x": 2}}, {"b": {"x": 3}}]
    assert calls[-1] == "TaskStarted" and calls.count("TaskStarted") == 1  # detached after raising
    assert isinstance(healthy[-1], RunFinished)


def test_observer_objects_with_on_event_and_delivery_thread() -> None:
    threads: set[int] = set()

    class Recorder:
        def on_event(self, event: Any) -> None:
            threads.add(threading.get_ident())

    def fan(state: S) -> list[Send]:
        return [Send("w", i) for i in range(8)]

    def w(i: int) -> dict[str, Any]:
        get_stream_writer()(i)
        return {"log": [i]}

    graph = StateGraph(S).add_node("a", lambda s: None).add_node("w", w).add_edge(START, "a")
    graph = graph.add_conditional_edges("a", fan).compile()
    out = graph.invoke({"x": 0}, observers=[Recorder()])
    assert out["log"] == list(range(8))  # push tasks applied in Send order
    assert threads == {threading.get_ident()}  # parallel tasks ran in threads, observers in ours


def test_custom_data_arrives_while_the_node_is_still_running() -> None:
    release = threading.Event()

    def node(state: S) -> dict[str, Any]:
        get_stream_writer()("started")
        assert release.wait(5), "consumer never saw the custom chunk"
        return {"x": 1}

    graph = StateGraph(S).add_node(node).add_edge(START, "node").compile()
    stream = graph.stream({"x": 0}, stream_mode=["custom", "updates"])
    assert next(stream) == ("custom", "started")  # the node is blocked until we release it
    release.set()
    assert list(stream) == [("updates", {"node": {"x": 1}})]


def test_writer_is_a_noop_without_custom_mode_and_raises_outside_a_run() -> None:
    def node(state: S) -> dict[str, Any]:
        get_stream_writer()("ignored")
        return {"x": 1}

    graph = StateGraph(S).add_node(node).add_edge(START, "node").compile()
    assert list(graph.stream({"x": 0}, stream_mode="updates")) == [{"node": {"x": 1}}]
    with pytest.raises(RuntimeError, match="outside a running graph node"):
        get_stream_writer()
    with pytest.raises(RuntimeError, match="outside a running graph node"):
        get_config()


def test_values_chunks_share_state_objects() -> None:
    big = list(range(1000))
    graph = StateGraph(S).add_node("a", lambda s: {"x": 1}).add_node("b", lambda s: {"x": 2})
    graph = graph.add_edge(START, "a").add_edge("a", "b").compile()
    chunks = list(graph.stream({"x": 0, "log": big}, stream_mode="values"))
    assert len(chunks) == 3
    assert chunks[1]["log"] is chunks[2]["log"]  # the list is shared, never deep-copied


def test_config_injection_and_get_config_metadata() -> None:
    seen: dict[str, Any] = {}

    def node(state: S, config: RunnableConfig) -> dict[str, Any]:  # LangGraph fills it under this hint
        seen["config"] = config
        seen["get_config"] = get_config()
        return {"x": 1}

    graph = StateGraph(S).add_node("node", node, metadata={"owner": "me"}).add_edge(START, "node").compile()
    graph.invoke({"x": 0}, {"configurable": {"thread_id": "t1"}, "metadata": {"run": "r"}})
    meta = seen["config"]["metadata"]
    assert meta["langgraph_node"] == "node" and meta["langgraph_step"] == 1
    assert meta["langgraph_triggers"] == ("branch:to:node",)
    assert meta["owner"] == "me" and meta["run"] == "r"
    assert seen["config"]["configurable"]["thread_id"] == "t1"
    assert seen["get_config"]["metadata"]["langgraph_node"] == "node"


def test_graph_invoked_inside_a_node_is_namespaced_under_the_calling_task() -> None:
    inner = StateGraph(S).add_node("leaf", lambda s: {"log": ["leaf"]}).add_edge(START, "leaf").compile()

    def wrap(state: S) -> dict[str, Any]:
        first = inner.invoke({"x": 1})
        second = inner.invoke({"x": 2})
        return {"log": first["log"] + second["log"]}

    graph = StateGraph(S).add_node(wrap).add_edge(START, "wrap").compile()
    chunks = list(graph.stream({"x": 0}, stream_mode="updates", subgraphs=True))
    namespaces = [ns for ns, _ in chunks]
    assert len(namespaces) == 3 and namespaces[-1] == ()
    assert namespaces[0][0].startswith("wrap:") and len(namespaces[0]) == 1
    assert namespaces[1] == (namespaces[0][0], "1")
    assert chunks[-1][1] == {"wrap": {"log": ["leaf", "leaf"]}}


def test_sync_nodes_under_astream_run_in_threads_with_the_context() -> None:
    main_thread = threading.get_ident()
    seen: list[Any] = []

    def sync_node(state: S) -> dict[str, Any]:
        seen.append(threading.get_ident())
        get_stream_writer()("from thread")
        return {"x": 1}

    graph = StateGraph(S).add_node(sync_node).add_edge(START, "sync_node").compile()

    async def main() -> list[Any]:
        return [c async for c in graph.astream({"x": 0}, stream_mode=["custom", "updates"])]

    assert asyncio.run(main()) == [("custom", "from thread"), ("updates", {"sync_node": {"x": 1}})]
    assert seen[0] != main_thread


def test_parallel_sync_nodes_overlap_in_time() -> None:
    def slow(name: str) -> Any:
        def node(state: S) -> dict[str, Any]:
            time.sleep(0.2)
            return {"log": [name]}

        return node

    graph = StateGraph(S)
    for name in "abcd":
        graph.add_node(name, slow(name)).add_edge(START, name)
    compiled = graph.compile()
    started = time.perf_counter()
    assert compiled.invoke({"x": 0})["log"] == ["a", "b", "c", "d"]  # writes in task order
    assert time.perf_counter() - started < 0.6


def test_command_update_goto_and_duplicate_key_writes() -> None:
    def cmd(state: S) -> Command:
        return Command(update=[("log", ["t1"]), ("log", ["t2"]), ("x", 9)], goto="end_node")

    graph = (
        StateGraph(S)
        .add_node("cmd", cmd)
        .add_node("end_node", lambda s: None)
        .add_edge(START, "cmd")
        .compile()
    )
    assert list(graph.stream({"x": 0, "log": []})) == [
        {"cmd": [{"log": ["t1"]}, {"log": ["t2"]}, {"x": 9}]},
        {"end_node": None},
    ]


def test_step_events_carry_updated_keys() -> None:
    graph = StateGraph(S).add_node("a", lambda s: {"x": 2}).add_node("b", lambda s: None)
    graph = graph.add_edge(START, "a").add_edge("a", "b").compile()
    steps = [e for e in _events(graph) if isinstance(e, StepFinished)]
    assert [(e.step, e.updated) for e in steps] == [
        (0, frozenset({"x"})),
        (1, frozenset({"x"})),
        (2, frozenset()),
    ]
    # values mode skips the step that wrote nothing
    assert len(list(graph.stream({"x": 1}, stream_mode="values"))) == 2


def _events(graph: Any) -> list[Any]:
    events: list[Any] = []
    graph.invoke({"x": 1}, observers=[events.append])
    return events


def test_custom_events_from_subgraph_need_subgraphs_flag() -> None:
    def inner_node(state: S) -> dict[str, Any]:
        get_stream_writer()("inner")
        return {"x": 5}

    inner = StateGraph(S).add_node(inner_node).add_edge(START, "inner_node").compile()
    outer = StateGraph(S).add_node("sub", inner).add_edge(START, "sub").compile()
    assert list(outer.stream({"x": 0}, stream_mode="custom")) == []
    chunks = list(outer.stream({"x": 0}, stream_mode="custom", subgraphs=True))
    assert len(chunks) == 1 and chunks[0][1] == "inner" and chunks[0][0][0].startswith("sub:")
    assert [isinstance(e, CustomData) for e in _events(outer)].count(True) == 1


def test_runnables_as_nodes_and_propagated_metadata() -> None:
    from langchain_core.runnables import RunnableLambda

    seen: dict[str, Any] = {}

    def body(state: S) -> dict[str, Any]:
        seen.update(get_config()["metadata"])
        return {"x": state["x"] + 1}

    graph = StateGraph(S).add_node("r", RunnableLambda(body)).add_edge(START, "r").compile()
    assert graph.invoke({"x": 1}, {"configurable": {"thread_id": "t9", "user_id": "u"}}) == {"x": 2, "log": []}
    assert seen["thread_id"] == "t9" and "user_id" not in seen and seen["langgraph_node"] == "r"
