"""A subgraph compiled with checkpointer=True keeps its own state across the parent's invocations."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

show = Labeller()


class Inner(TypedDict):
    notes: Annotated[list[str], operator.add]


class Outer(TypedDict):
    question: str
    answer: str


inner_builder = StateGraph(Inner)
inner_builder.add_node("note", lambda s: {"notes": [f"note {len(s['notes']) + 1}"]})
inner_builder.add_edge(START, "note")
remembering = inner_builder.compile(checkpointer=True)
forgetting = inner_builder.compile()


def make_caller(agent):
    def call(state: Outer) -> dict:
        result = agent.invoke({"notes": [state["question"]]})
        return {"answer": ", ".join(result["notes"])}

    return call


for name, agent in (("checkpointer=True", remembering), ("default", forgetting)):
    builder = StateGraph(Outer)
    builder.add_node("agent", make_caller(agent))
    builder.add_edge(START, "agent")
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": name}}
    for question in ("q1", "q2"):
        show(name, graph.invoke({"question": question, "answer": ""}, config))
