"""stream_mode="checkpoints": one chunk per saved checkpoint, shaped like get_state's snapshot."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

show = Labeller()


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt("go on?")]}


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a"]})
builder.add_node("ask", ask)
builder.add_edge(START, "a")
builder.add_edge("a", "ask")
builder.add_edge("ask", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "cp"}}
for chunk in graph.stream({"log": []}, config, stream_mode="checkpoints"):
    show(chunk)
for mode, chunk in graph.stream(None, config, stream_mode=["checkpoints", "updates"]):
    show(mode, chunk)
