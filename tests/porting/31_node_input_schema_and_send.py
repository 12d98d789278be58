"""Nodes with their own input schema, Send payloads in a private schema, and a pydantic state."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from pydantic import BaseModel


class OverallState(TypedDict):
    documents: list[str]
    summaries: Annotated[list[str], operator.add]
    final: str


class DocInput(TypedDict):
    document: str


def summarize_one(state: DocInput) -> dict[str, list[str]]:
    return {"summaries": [state["document"][:12] + "..."]}


def fan_out(state: OverallState) -> list[Send]:
    return [Send("summarize_one", {"document": d}) for d in state["documents"]]


def combine(state: OverallState) -> dict[str, str]:
    return {"final": " | ".join(state["summaries"])}


builder = StateGraph(OverallState)
builder.add_node("summarize_one", summarize_one, input_schema=DocInput)
builder.add_node("combine", combine)
builder.add_conditional_edges(START, fan_out, ["summarize_one"])
builder.add_edge("summarize_one", "combine")
builder.add_edge("combine", END)
graph = builder.compile()
docs = ["LangGraph builds stateful agents.", "Reducers merge parallel writes.", "Send maps over inputs."]
print(graph.invoke({"documents": docs, "summaries": []}))


class Profile(BaseModel):
    name: str
    visits: int = 0
    tags: list[str] = []


def visit(state: Profile) -> dict[str, object]:
    return {"visits": state.visits + 1, "tags": [*state.tags, f"visit-{state.visits + 1}"]}


def describe(state: Profile) -> dict[str, object]:
    return {"name": f"{state.name} ({state.visits} visits)"}


pyd = (
    StateGraph(Profile)
    .add_node(visit)
    .add_node(describe)
    .add_edge(START, "visit")
    .add_edge("visit", "describe")
    .compile()
)
print(pyd.invoke({"name": "Ada"}))
for chunk in pyd.stream(Profile(name="Bob", visits=2), stream_mode="values"):
    print(chunk)
for chunk in pyd.stream({"name": "Cy"}, stream_mode="updates"):
    print(chunk)
