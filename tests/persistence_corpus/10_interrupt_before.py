"""Static breakpoints: compile(interrupt_before=[...]) stops before a node; invoke(None, config) goes on."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()


class State(TypedDict):
    input: str
    steps: Annotated[list[str], operator.add]


def step_1(state: State) -> dict:
    return {"steps": ["step_1"]}


def step_2(state: State) -> dict:
    return {"steps": ["step_2"]}


def step_3(state: State) -> dict:
    return {"steps": ["step_3"]}


builder = StateGraph(State)
builder.add_node("step_1", step_1)
builder.add_node("step_2", step_2)
builder.add_node("step_3", step_3)
builder.add_edge(START, "step_1")
builder.add_edge("step_1", "step_2")
builder.add_edge("step_2", "step_3")
builder.add_edge("step_3", END)
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["step_3"])

config = {"configurable": {"thread_id": "1"}}
for event in graph.stream({"input": "hello world", "steps": []}, config, stream_mode="values"):
    show(event)
snapshot = graph.get_state(config)
show(snapshot.next, snapshot.tasks, snapshot.interrupts)
show(graph.invoke({"input": "ignored?", "steps": []}, {"configurable": {"thread_id": "2"}}))
for event in graph.stream(None, config, stream_mode="values"):
    show(event)
show(graph.get_state(config).next)
for event in graph.stream(None, {"configurable": {"thread_id": "2"}}, stream_mode="updates"):
    show(event)
