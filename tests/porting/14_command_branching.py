"""A node that updates the state and picks the next node in one Command (Command how-to)."""

import operator
from typing import Annotated, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send


class State(TypedDict):
    foo: str
    count: int


def node_a(state: State) -> Command[Literal["node_b", "node_c"]]:
    print("Called A")
    value = "b" if state["count"] % 2 == 0 else "c"
    goto: Literal["node_b", "node_c"] = "node_b" if value == "b" else "node_c"
    return Command(update={"foo": value}, goto=goto)


def node_b(state: State) -> dict[str, str]:
    print("Called B")
    return {"foo": state["foo"] + "b"}


def node_c(state: State) -> dict[str, str]:
    print("Called C")
    return {"foo": state["foo"] + "c"}


builder = StateGraph(State)
builder.add_edge(START, "node_a")
builder.add_node(node_a)
builder.add_node(node_b)
builder.add_node(node_c)
graph = builder.compile()

print(graph.invoke({"foo": "", "count": 0}))
print(graph.invoke({"foo": "", "count": 1}))
for chunk in graph.stream({"foo": "", "count": 2}, stream_mode="updates"):
    print(chunk)


# a loop steered by Command: count up, then go to END
def counter(state: State) -> Command[Literal["counter", "__end__"]]:
    if state["count"] >= 3:
        return Command(goto=END)
    return Command(update={"count": state["count"] + 1}, goto="counter")


loop = StateGraph(State)
loop.add_node("counter", counter)
loop.add_edge(START, "counter")
for chunk in loop.compile().stream({"foo": "", "count": 0}, stream_mode="updates"):
    print(chunk)


# Command with a list of destinations and a Send
class FanState(TypedDict):
    foo: Annotated[list[str], operator.add]
    count: int


def fan(state: FanState) -> Command[Literal["left", "right"]]:
    return Command(update={"foo": ["fan"]}, goto=["left", Send("right", {"foo": ["sent"], "count": 9})])


def left(state: FanState) -> dict[str, list[str]]:
    return {"foo": [f"left saw {state['foo']}"]}


def right(state: FanState) -> dict[str, list[str]]:
    return {"foo": [f"right saw {state['foo']} and {state['count']}"]}


fanned = StateGraph(FanState)
fanned.add_node("fan", fan)
fanned.add_node(left)
fanned.add_node(right)
fanned.add_edge(START, "fan")
for chunk in fanned.compile().stream({"foo": [], "count": 0}, stream_mode="updates"):
    print(chunk)
