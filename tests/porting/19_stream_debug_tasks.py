"""The debug and tasks modes: task starts and results (ids and timestamps vary per run)."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    topic: str
    notes: Annotated[list[str], operator.add]


def plan(state: State) -> dict[str, list[str]]:
    return {"notes": [f"plan {state['topic']}"]}


def write(state: State) -> dict[str, list[str]]:
    return {"notes": ["write"]}


graph = (
    StateGraph(State)
    .add_node(plan)
    .add_node(write)
    .add_edge(START, "plan")
    .add_edge("plan", "write")
    .add_edge("write", END)
    .compile()
)

for chunk in graph.stream({"topic": "owls", "notes": []}, stream_mode="tasks"):
    print(chunk)
for chunk in graph.stream({"topic": "owls", "notes": []}, stream_mode="debug"):
    print(chunk)
for mode, chunk in graph.stream({"topic": "owls", "notes": []}, stream_mode=["tasks", "updates"]):
    print(mode, chunk)
