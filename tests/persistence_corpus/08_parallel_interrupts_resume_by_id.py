"""Interrupts in parallel nodes: both pause in one step; one Command(resume={id: answer}) resumes both."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    vals: Annotated[list[str], operator.add]


def node_a(state: State) -> dict:
    answer = interrupt("question_a")
    return {"vals": [f"a:{answer}"]}


def node_b(state: State) -> dict:
    answer = interrupt("question_b")
    return {"vals": [f"b:{answer}"]}


builder = StateGraph(State)
builder.add_node("a", node_a)
builder.add_node("b", node_b)
builder.add_edge(START, "a")
builder.add_edge(START, "b")
builder.add_edge("a", END)
builder.add_edge("b", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "parallel"}}
result = graph.invoke({"vals": []}, config)
interrupts = sorted(result["__interrupt__"], key=lambda i: i.value)
show(interrupts)
snapshot = graph.get_state(config)
show(sorted(snapshot.next), sorted(i.value for i in snapshot.interrupts))

answers = {i.id: f"answer to {i.value}" for i in interrupts}
result = graph.invoke(Command(resume=answers), config)
show({"vals": sorted(result["vals"])})
show(graph.get_state(config).next)

# answering one of the two leaves the other pending
config = {"configurable": {"thread_id": "one-at-a-time"}}
first = sorted(graph.invoke({"vals": []}, config)["__interrupt__"], key=lambda i: i.value)
result = graph.invoke(Command(resume={first[0].id: "only a"}), config)
show(result)
show(sorted(graph.get_state(config).next))
result = graph.invoke(Command(resume={first[1].id: "then b"}), config)
show({"vals": sorted(result["vals"])})
