"""Human in the loop: a node pauses with interrupt() and the run resumes with Command(resume=...)."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    draft: str
    approved: bool


def write(state: State) -> dict[str, str]:
    return {"draft": "A short draft."}


def review(state: State) -> dict[str, bool]:
    answer = interrupt({"question": "Approve this draft?", "draft": state["draft"]})
    return {"approved": answer == "yes"}


builder = StateGraph(State)
builder.add_node(write)
builder.add_node(review)
builder.add_edge(START, "write")
builder.add_edge("write", "review")
builder.add_edge("review", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "t"}}
for chunk in graph.stream({"draft": "", "approved": False}, config):
    print(chunk)
print(graph.invoke(Command(resume="yes"), config))
