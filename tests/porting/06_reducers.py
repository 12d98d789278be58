"""Reducers: overwrite, operator.add, a custom reducer, and the error when branches collide."""

import operator
from typing import Annotated, TypedDict

from langgraph.errors import InvalidUpdateError
from langgraph.graph import END, START, StateGraph


class DefaultState(TypedDict):
    foo: int


def node_1(state: DefaultState) -> dict[str, int]:
    return {"foo": state["foo"] + 1}


def node_2(state: DefaultState) -> dict[str, int]:
    return {"foo": state["foo"] + 1}


def node_3(state: DefaultState) -> dict[str, int]:
    return {"foo": state["foo"] + 1}


builder = StateGraph(DefaultState)
builder.add_node("node_1", node_1)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", END)
print(builder.compile().invoke({"foo": 1}))

# two branches write "foo" in the same step: without a reducer that is an error
builder = StateGraph(DefaultState)
builder.add_node("node_1", node_1)
builder.add_node("node_2", node_2)
builder.add_node("node_3", node_3)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", "node_2")
builder.add_edge("node_1", "node_3")
builder.add_edge("node_2", END)
builder.add_edge("node_3", END)
try:
    builder.compile().invoke({"foo": 1})
except InvalidUpdateError as e:
    print("InvalidUpdateError raised:", "foo" in str(e))


class AddState(TypedDict):
    foo: Annotated[list[int], operator.add]


def add_1(state: AddState) -> dict[str, list[int]]:
    return {"foo": [state["foo"][-1] + 1]}


def add_2(state: AddState) -> dict[str, list[int]]:
    return {"foo": [state["foo"][-1] + 1]}


builder = StateGraph(AddState)
builder.add_node("node_1", add_1)
builder.add_node("node_2", add_2)
builder.add_node("node_3", add_2)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", "node_2")
builder.add_edge("node_1", "node_3")
builder.add_edge("node_2", END)
builder.add_edge("node_3", END)
print(builder.compile().invoke({"foo": [1]}))


def reduce_list(left: list[int] | None, right: list[int] | None) -> list[int]:
    """Concatenate two lists, where a missing list counts as empty."""
    return (left or []) + (right or [])


class CustomReducerState(TypedDict):
    foo: Annotated[list[int], reduce_list]


def append_2(state: CustomReducerState) -> dict[str, list[int]]:
    return {"foo": [2]}


builder = StateGraph(CustomReducerState)
builder.add_node("node_1", append_2)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", END)
graph = builder.compile()
print(graph.invoke({"foo": None}))
print(graph.invoke({"foo": [1]}))
for chunk in graph.stream({"foo": [0]}, stream_mode="values"):
    print(chunk)
