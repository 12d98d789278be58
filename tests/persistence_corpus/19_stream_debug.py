"""stream_mode="debug" with a checkpointer: checkpoint, task and task_result events with their configs."""

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
    return {"log": [interrupt("your answer?")]}


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a"]})
builder.add_node("ask", ask)
builder.add_edge(START, "a")
builder.add_edge("a", "ask")
builder.add_edge("ask", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "debug"}}
for chunk in graph.stream({"log": []}, config, stream_mode="debug"):
    show(chunk)
for chunk in graph.stream(Command(resume="yes"), config, stream_mode="debug"):
    show(chunk)
