"""Persistence basics: a graph compiled with a checkpointer remembers each thread between invocations."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()


class State(TypedDict):
    foo: str
    bar: Annotated[list[str], operator.add]


def node_a(state: State) -> dict:
    return {"foo": "a", "bar": ["a"]}


def node_b(state: State) -> dict:
    return {"foo": "b", "bar": ["b"]}


builder = StateGraph(State)
builder.add_node(node_a)
builder.add_node(node_b)
builder.add_edge(START, "node_a")
builder.add_edge("node_a", "node_b")
builder.add_edge("node_b", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
show(graph.invoke({"foo": "", "bar": []}, config))
show(graph.invoke({"foo": "again", "bar": ["x"]}, config))
show(graph.invoke({"foo": "", "bar": []}, {"configurable": {"thread_id": "2"}}))

snapshot = graph.get_state(config)
show(snapshot.values)
show(snapshot.next)
show(snapshot.config)
show(snapshot.metadata)
show(snapshot.created_at)
show(snapshot.parent_config)
show(snapshot.tasks, snapshot.interrupts)
show(snapshot)
