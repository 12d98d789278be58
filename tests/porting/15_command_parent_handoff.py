"""Handoffs: a node inside a subgraph jumps to a node of the parent graph with Command.PARENT."""

import operator
from typing import Annotated, Literal, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    foo: Annotated[str, operator.add]


def node_a(state: State) -> Command:  # type: ignore[type-arg]
    print("Called A")
    value = "b" if len(state["foo"]) == 0 else "c"
    goto: Literal["node_b", "node_c"] = "node_b" if value == "b" else "node_c"
    # the target is in the parent graph, so the update goes to the parent too
    return Command(update={"foo": value}, goto=goto, graph=Command.PARENT)


subgraph = StateGraph(State).add_node(node_a).add_edge(START, "node_a").compile()


def node_b(state: State) -> dict[str, str]:
    print("Called B")
    return {"foo": "b"}


def node_c(state: State) -> dict[str, str]:
    print("Called C")
    return {"foo": "c"}


builder = StateGraph(State)
builder.add_edge(START, "subgraph")
builder.add_node("subgraph", subgraph)
builder.add_node(node_b)
builder.add_node(node_c)
graph = builder.compile()

print(graph.invoke({"foo": ""}))
print(graph.invoke({"foo": "x"}))
for chunk in graph.stream({"foo": ""}, stream_mode="updates"):
    print(chunk)


# agents handing off to each other, each a subgraph of the supervisor graph
class AgentState(TypedDict):
    log: Annotated[list[str], operator.add]
    hops: int


def make_agent(name: str, other: str) -> object:
    def act(state: AgentState) -> Command:  # type: ignore[type-arg]
        if state["hops"] >= 3:
            return Command(update={"log": [f"{name} finishes"]}, goto="__end__", graph=Command.PARENT)
        return Command(
            update={"log": [f"{name} hands off to {other}"], "hops": state["hops"] + 1},
            goto=other,
            graph=Command.PARENT,
        )

    return StateGraph(AgentState).add_node("act", act).add_edge(START, "act").compile()


team = StateGraph(AgentState)
team.add_node("alice", make_agent("alice", "bob"), destinations=("bob",))
team.add_node("bob", make_agent("bob", "alice"), destinations=("alice",))
team.add_edge(START, "alice")
print(team.compile().invoke({"log": [], "hops": 0}))
