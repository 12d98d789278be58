"""Every seed example that needs no LLM, ported by changing only the import lines."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import pytest

from nbstream.config import get_stream_writer
from nbstream.graph import END, START, StateGraph
from nbstream.types import StreamWriter


class JokeState(TypedDict):
    topic: str
    joke: str


def refine_topic(state: JokeState) -> dict[str, str]:
    return {"topic": state["topic"] + " and cats"}


def generate_joke(state: JokeState) -> dict[str, str]:
    return {"joke": f"This is a joke about {state['topic']}"}


@pytest.fixture
def joke_graph():  # type: ignore[no-untyped-def]
    return (
        StateGraph(JokeState)
        .add_node(refine_topic)
        .add_node(generate_joke)
        .add_edge(START, "refine_topic")
        .add_edge("refine_topic", "generate_joke")
        .add_edge("generate_joke", END)
        .compile()
    )


UPDATES = [
    {"refine_topic": {"topic": "ice cream and cats"}},
    {"generate_joke": {"joke": "This is a joke about ice cream and cats"}},
]
VALUES = [
    {"topic": "ice cream"},
    {"topic": "ice cream and cats"},
    {"topic": "ice cream and cats", "joke": "This is a joke about ice cream and cats"},
]


def test_basic_updates_and_values(joke_graph) -> None:  # type: ignore[no-untyped-def]
    assert list(joke_graph.stream({"topic": "ice cream"}, stream_mode="updates")) == UPDATES
    assert list(joke_graph.stream({"topic": "ice cream"}, stream_mode="values")) == VALUES
    # the default mode of a compiled StateGraph is "updates"
    assert list(joke_graph.stream({"topic": "ice cream"})) == UPDATES
    assert joke_graph.invoke({"topic": "ice cream"}) == VALUES[-1]


def test_basic_async(joke_graph) -> None:  # type: ignore[no-untyped-def]
    async def main() -> tuple[list[object], list[object], object]:
        updates = [c async for c in joke_graph.astream({"topic": "ice cream"}, stream_mode="updates")]
        values = [c async for c in joke_graph.astream({"topic": "ice cream"}, stream_mode="values")]
        return updates, values, await joke_graph.ainvoke({"topic": "ice cream"})

    updates, values, final = asyncio.run(main())
    assert updates == UPDATES
    assert values == VALUES
    assert final == VALUES[-1]


def test_multiple_modes_yield_mode_tagged_tuples(joke_graph) -> None:  # type: ignore[no-untyped-def]
    chunks = list(joke_graph.stream({"topic": "ice cream"}, stream_mode=["updates", "values"]))
    assert chunks == [
        ("values", VALUES[0]),
        ("updates", UPDATES[0]),
        ("values", VALUES[1]),
        ("updates", UPDATES[1]),
        ("values", VALUES[2]),
    ]


def test_debug_mode(joke_graph) -> None:  # type: ignore[no-untyped-def]
    chunks = list(joke_graph.stream({"topic": "ice cream"}, stream_mode="debug"))
    assert [(c["step"], c["type"], c["payload"]["name"]) for c in chunks] == [
        (1, "task", "refine_topic"),
        (1, "task_result", "refine_topic"),
        (2, "task", "generate_joke"),
        (2, "task_result", "generate_joke"),
    ]
    assert chunks[0]["payload"]["input"] == {"topic": "ice cream"}
    assert chunks[0]["payload"]["triggers"] == ("branch:to:refine_topic",)
    assert chunks[1]["payload"]["result"] == {"topic": "ice cream and cats"}
    assert chunks[1]["payload"]["error"] is None
    assert chunks[0]["payload"]["id"] == chunks[1]["payload"]["id"]
    assert chunks[0]["timestamp"].endswith("+00:00")


class SubgraphState(TypedDict):
    foo: str
    bar: str


class ParentState(TypedDict):
    foo: str


def _subgraph_example():  # type: ignore[no-untyped-def]
    def subgraph_node_1(state: SubgraphState) -> dict[str, str]:
        return {"bar": "bar"}

    def subgraph_node_2(state: SubgraphState) -> dict[str, str]:
        return {"foo": state["foo"] + state["bar"]}

    subgraph_builder = StateGraph(SubgraphState)
    subgraph_builder.add_node(subgraph_node_1)
    subgraph_builder.add_node(subgraph_node_2)
    subgraph_builder.add_edge(START, "subgraph_node_1")
    subgraph_builder.add_edge("subgraph_node_1", "subgraph_node_2")
    subgraph = subgraph_builder.compile()

    def node_1(state: ParentState) -> dict[str, str]:
        return {"foo": "hi! " + state["foo"]}

    builder = StateGraph(ParentState)
    builder.add_node("node_1", node_1)
    builder.add_node("node_2", subgraph)
    builder.add_edge(START, "node_1")
    builder.add_edge("node_1", "node_2")
    return builder.compile()


def _check_subgraph_chunks(chunks: list[tuple[tuple[str, ...], object]]) -> None:
    assert [c[1] for c in chunks] == [
        {"node_1": {"foo": "hi! foo"}},
        {"subgraph_node_1": {"bar": "bar"}},
        {"subgraph_node_2": {"foo": "hi! foobar"}},
        {"node_2": {"foo": "hi! foobar"}},
    ]
    namespaces = [c[0] for c in chunks]
    assert namespaces[0] == () and namespaces[3] == ()
    assert namespaces[1] == namespaces[2]
    (segment,) = namespaces[1]
    name, _, task_id = segment.partition(":")
    assert name == "node_2" and len(task_id) == 36


def test_subgraphs_namespaces_sync_and_async() -> None:
    graph = _subgraph_example()
    _check_subgraph_chunks(list(graph.stream({"foo": "foo"}, stream_mode="updates", subgraphs=True)))

    async def main() -> list[tuple[tuple[str, ...], object]]:
        return [c async for c in graph.astream({"foo": "foo"}, stream_mode="updates", subgraphs=True)]

    _check_subgraph_chunks(asyncio.run(main()))
    # without subgraphs=True only the parent's chunks arrive
    assert list(graph.stream({"foo": "foo"}, stream_mode="updates")) == [
        {"node_1": {"foo": "hi! foo"}},
        {"node_2": {"foo": "hi! foobar"}},
    ]


class CustomState(TypedDict):
    query: str
    answer: str


def test_custom_get_stream_writer_and_writer_injection() -> None:
    def node(state: CustomState) -> dict[str, str]:
        writer = get_stream_writer()
        writer({"custom_key": "Generating custom data inside node"})
        return {"answer": "some data"}

    graph = StateGraph(CustomState).add_node(node).add_edge(START, "node").compile()
    assert list(graph.stream({"query": "example"}, stream_mode="custom")) == [
        {"custom_key": "Generating custom data inside node"}
    ]

    def injected(state: CustomState, writer: StreamWriter) -> dict[str, str]:
        writer({"custom_key": "Streaming custom data while generating a response"})
        return {"answer": "some data"}

    graph2 = StateGraph(CustomState).add_node(injected).add_edge(START, "injected").compile()

    async def main() -> list[object]:
        return [c async for c in graph2.astream({"query": "example"}, stream_mode="custom")]

    assert asyncio.run(main()) == [{"custom_key": "Streaming custom data while generating a response"}]
    assert list(graph2.stream({"query": "x"}, stream_mode=["updates", "custom"])) == [
        ("custom", {"custom_key": "Streaming custom data while generating a response"}),
        ("updates", {"injected": {"answer": "some data"}}),
    ]
