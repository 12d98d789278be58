"""Review and edit state: a human corrects a summary through interrupt(), streamed in updates mode."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    summary: str


def generate_summary(state: State) -> dict:
    return {"summary": "The cat sat on the mat and looked at the stars."}


def human_review_edit(state: State) -> dict:
    result = interrupt({"task": "Please review and edit the generated summary if necessary.", "generated_summary": state["summary"]})
    return {"summary": result["edited_summary"]}


def downstream_use(state: State) -> dict:
    print(f"Received edited summary: {state['summary']}")
    return {}


builder = StateGraph(State)
builder.add_node("generate_summary", generate_summary)
builder.add_node("human_review_edit", human_review_edit)
builder.add_node("downstream_use", downstream_use)
builder.add_edge(START, "generate_summary")
builder.add_edge("generate_summary", "human_review_edit")
builder.add_edge("human_review_edit", "downstream_use")
builder.add_edge("downstream_use", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "edit"}}
for chunk in graph.stream({"summary": ""}, config):
    show(chunk)
edited = "The cat lay on the rug, gazing peacefully at the night sky."
for chunk in graph.stream(Command(resume={"edited_summary": edited}), config):
    show(chunk)
show(graph.get_state(config).values)
