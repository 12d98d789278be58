"""compile() rejects broken graphs with an error naming the problem; builder conveniences work."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Literal, TypedDict

import pydantic
import pytest

from nbstream.errors import GraphBuildError
from nbstream.graph import END, START, MessagesState, StateGraph
from nbstream.types import Command


class S(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


def a(state: S) -> dict[str, object]:
    return {"log": ["a"]}


def b(state: S) -> dict[str, object]:
    return {"log": ["b"]}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda g: g.add_node(a).add_edge(START, "a").add_edge("a", "nope"), "unknown target node 'nope'"),
        (lambda g: g.add_node(a).add_edge(START, "a").add_edge("ghost", "a"), "unknown source node 'ghost'"),
        (lambda g: g.add_node(a), "no entry point"),
        (
            lambda g: (
                g.add_node(a).add_edge(START, "a").add_conditional_edges("a", lambda s: "x", {"go": "zz"})
            ),
            "path_map names unknown node 'zz'",
        ),
        (
            lambda g: g.add_node(a).add_node(b).add_edge(START, "a").add_edge(["a", "q"], "b"),
            "unknown node 'q'",
        ),
    ],
)
def test_compile_names_the_problem(build, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GraphBuildError, match=message):
        build(StateGraph(S)).compile()


def test_reserved_and_duplicate_names() -> None:
    with pytest.raises(GraphBuildError, match="reserved"):
        StateGraph(S).add_node(START, a)
    with pytest.raises(GraphBuildError, match="already in the graph"):
        StateGraph(S).add_node(a).add_node("a", b)
    with pytest.raises(GraphBuildError, match="TypedDict, a dataclass or a pydantic"):
        StateGraph(42)


def test_conditional_targets_from_literal_hint_count_as_reachable() -> None:
    def route(state: S) -> Literal["b", "__end__"]:
        return "b" if state["x"] else END

    graph = (
        StateGraph(S).add_node(a).add_node(b).add_edge(START, "a").add_conditional_edges("a", route).compile()
    )
    assert graph.invoke({"x": 1}) == {"x": 1, "log": ["a", "b"]}
    assert graph.invoke({"x": 0}) == {"x": 0, "log": ["a"]}


def test_command_goto_nodes_are_reachable_when_annotated() -> None:
    def jump(state: S) -> Command[Literal["b"]]:  # type: ignore[type-arg]
        return Command(update={"x": 5}, goto="b")

    graph = StateGraph(S).add_node(jump).add_node(b).add_edge(START, "jump").compile()
    assert list(graph.stream({"x": 1})) == [{"jump": {"x": 5}}, {"b": {"log": ["b"]}}]


def test_sequence_entry_finish_points_and_chaining() -> None:
    graph = StateGraph(S).add_sequence([a, b]).set_entry_point("a").set_finish_point("b").compile(name="seq")
    assert graph.name == "seq"
    assert graph.invoke({"x": 0}) == {"x": 0, "log": ["a", "b"]}


@dataclass
class DS:
    x: int
    log: Annotated[list[str], operator.add] = field(default_factory=list)


class PS(pydantic.BaseModel):
    x: int
    log: Annotated[list[str], operator.add] = []


@pytest.mark.parametrize("schema", [DS, PS])
def test_dataclass_and_pydantic_state(schema) -> None:  # type: ignore[no-untyped-def]
    seen = []

    def node(state):  # type: ignore[no-untyped-def]
        seen.append(state)
        return {"x": state.x + 1, "log": ["n"]}

    graph = StateGraph(schema).add_node(node).add_edge(START, "node").compile()
    assert graph.invoke({"x": 1}) == {"x": 2, "log": ["n"]}
    assert graph.invoke(schema(x=1)) == {"x": 2, "log": ["n"]}
    assert isinstance(seen[0], schema)


def test_input_and_output_schemas() -> None:
    class In(TypedDict):
        question: str

    class Out(TypedDict):
        answer: str

    class Overall(TypedDict):
        question: str
        answer: str
        scratch: str

    def think(state: Overall) -> dict[str, str]:
        return {"scratch": "hmm", "answer": state["question"].upper()}

    graph = (
        StateGraph(Overall, input_schema=In, output_schema=Out)
        .add_node(think)
        .add_edge(START, "think")
        .compile()
    )
    assert graph.invoke({"question": "why", "ignored": 1}) == {"answer": "WHY"}
    # values stream all state channels, as LangGraph does
    assert list(graph.stream({"question": "why"}, stream_mode="values"))[-1] == {
        "question": "why",
        "answer": "WHY",
        "scratch": "hmm",
    }


def test_messages_state_with_add_messages() -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    def reply(state: MessagesState) -> dict[str, object]:
        return {"messages": [("ai", "hi back")]}

    graph = StateGraph(MessagesState).add_node(reply).add_edge(START, "reply").compile()
    chunks = list(graph.stream({"messages": [("user", "hi")]}, stream_mode=["updates", "values"]))
    assert chunks[1] == ("updates", {"reply": {"messages": [("ai", "hi back")]}})  # raw, pre-reducer
    final = chunks[-1][1]["messages"]
    assert [type(m) for m in final] == [HumanMessage, AIMessage]
    assert all(m.id for m in final)


def test_command_literal_annotation_declares_reachable_nodes_and_edges() -> None:
    def jump(state: S) -> Command[Literal["b"]]:
        return Command(goto="b")

    graph = StateGraph(S).add_node(jump).add_node(b).add_edge(START, "jump").compile()
    assert ("jump", "b", True) in graph.edge_list


def test_a_node_reached_only_by_an_unannotated_command_compiles_and_runs_as_langgraph() -> None:
    # LangGraph compiles such graphs; refusing them broke ported programs
    def plain(state: S):  # type: ignore[no-untyped-def]
        return Command(goto="b")

    import langgraph.graph as lg
    import langgraph.types as lgt

    def plain_lg(state: S):  # type: ignore[no-untyped-def]
        return lgt.Command(goto="b")

    graph = StateGraph(S).add_node("plain", plain).add_node(b).add_edge(START, "plain").compile()
    reference = lg.StateGraph(S).add_node("plain", plain_lg).add_node(b).add_edge(lg.START, "plain").compile()
    assert graph.invoke({"log": []}) == reference.invoke({"log": []}) == {"log": ["b"]}


def test_compiled_graph_draws_itself_offline() -> None:
    def route(state: S) -> Literal["b", "__end__"]:
        return "b"

    graph = StateGraph(S).add_node(a).add_node(b).add_edge(START, "a").add_conditional_edges("a", route).compile(name="g")
    bundle = graph._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert bundle == graph.get_graph()._repr_mimebundle_()
    assert "a" in bundle["text/plain"] and "b" in bundle["text/plain"]
    assert 'stroke-dasharray="5 4"' in bundle["image/svg+xml"]  # the conditional edge is dashed
