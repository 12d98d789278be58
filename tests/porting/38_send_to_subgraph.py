"""Send fanning out to a subgraph: each branch runs the subgraph with its own input; subgraphs=True shows them."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class ResearchState(TypedDict):
    topic: str
    findings: Annotated[list[str], operator.add]


def search(state: ResearchState) -> dict[str, list[str]]:
    return {"findings": [f"searched {state['topic']}"]}


def read(state: ResearchState) -> dict[str, list[str]]:
    return {"findings": [f"read {len(state['findings'])} results on {state['topic']}"]}


researcher = (
    StateGraph(ResearchState)
    .add_node(search)
    .add_node(read)
    .add_edge(START, "search")
    .add_edge("search", "read")
    .compile()
)


class Overall(TypedDict):
    topics: list[str]
    findings: Annotated[list[str], operator.add]


def plan(state: Overall) -> dict[str, list[str]]:
    return {"topics": ["tides", "reefs"]}


def dispatch(state: Overall) -> list[Send]:
    return [Send("researcher", {"topic": t, "findings": []}) for t in state["topics"]]


builder = StateGraph(Overall)
builder.add_node(plan)
builder.add_node("researcher", researcher)
builder.add_edge(START, "plan")
builder.add_conditional_edges("plan", dispatch, ["researcher"])
builder.add_edge("researcher", END)
graph = builder.compile()

print(graph.invoke({"findings": []}))
seen = []
for ns, chunk in graph.stream({"findings": []}, subgraphs=True):
    seen.append(([n.split(":")[0] for n in ns], chunk))
for item in sorted(seen, key=repr):
    print(*item)
