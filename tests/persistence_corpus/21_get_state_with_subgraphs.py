"""get_state(subgraphs=True): a paused run's nested subgraph states, two levels deep, as StateSnapshots."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    text: str


def leaf(state: State) -> dict:
    return {"text": state["text"] + " " + interrupt("leaf needs a word")}


inner_builder = StateGraph(State)
inner_builder.add_node("leaf", leaf)
inner_builder.add_edge(START, "leaf")

middle_builder = StateGraph(State)
middle_builder.add_node("before", lambda s: {"text": s["text"] + " middle"})
middle_builder.add_node("inner", inner_builder.compile())
middle_builder.add_edge(START, "before")
middle_builder.add_edge("before", "inner")

builder = StateGraph(State)
builder.add_node("middle", middle_builder.compile())
builder.add_edge(START, "middle")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "nested"}}
show(graph.invoke({"text": "root"}, config))


def describe(snapshot, depth: int = 0) -> None:
    pad = "  " * depth
    show(pad + "values:", snapshot.values, "next:", snapshot.next)
    show(pad + "config:", snapshot.config)
    show(pad + "metadata:", snapshot.metadata)
    for task in snapshot.tasks:
        show(pad + "task:", task.name, task.path, task.interrupts)
        if task.state is not None and hasattr(task.state, "values"):
            describe(task.state, depth + 1)


describe(graph.get_state(config, subgraphs=True))
show(graph.get_state(config).tasks[0].state)
show(graph.invoke(Command(resume="leaf"), config))
show(graph.get_state(config, subgraphs=True).tasks)
