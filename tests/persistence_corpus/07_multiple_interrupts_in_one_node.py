"""Several interrupt() calls in one node: each resume answers the next one; the node re-runs from its top."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()
runs = []


class State(TypedDict):
    name: str
    age: int


def ask(state: State) -> dict:
    runs.append("ask")
    name = interrupt("What is your name?")
    age = interrupt(f"How old are you, {name}?")
    return {"name": name, "age": age}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "form"}}
show(graph.invoke({"name": "", "age": 0}, config))
show(graph.invoke(Command(resume="Ada"), config))
show(graph.get_state(config).interrupts)
show(graph.invoke(Command(resume=36), config))
show(runs)
show(graph.get_state(config).next)
