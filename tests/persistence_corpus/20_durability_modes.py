"""Durability modes: "sync" and "async" save every step; "exit" saves only when the run ends or pauses."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt("continue?")]}


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a"]})
builder.add_node("b", lambda s: {"log": ["b"]})
builder.add_node("ask", ask)
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", "ask")
builder.add_edge("ask", END)
graph = builder.compile(checkpointer=InMemorySaver())

for durability in ("sync", "async", "exit"):
    config = {"configurable": {"thread_id": durability}}
    show(durability, graph.invoke({"log": []}, config, durability=durability))
    show([(s.metadata["step"], s.metadata["source"], s.next) for s in graph.get_state_history(config)])
    show(graph.invoke(Command(resume="yes"), config, durability=durability))
    show([(s.metadata["step"], s.metadata["source"], s.next) for s in graph.get_state_history(config)])
