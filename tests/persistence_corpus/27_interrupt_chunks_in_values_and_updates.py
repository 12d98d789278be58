"""__interrupt__ as it shows in stream modes values and updates, several modes at once, and in invoke()."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    question: str
    answer: str


def ask(state: State) -> dict:
    return {"answer": interrupt({"question": state["question"], "choices": ["yes", "no"]})}


builder = StateGraph(State)
builder.add_node("prepare", lambda s: {"question": s["question"].strip()})
builder.add_node("ask", ask)
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "ask")
graph = builder.compile(checkpointer=InMemorySaver())

start = {"question": "  Ship it?  ", "answer": ""}
for index, mode in enumerate(("values", "updates", ["values", "updates"])):
    config = {"configurable": {"thread_id": f"mode-{index}"}}
    show("mode:", mode)
    for chunk in graph.stream(start, config, stream_mode=mode):
        show(chunk)
    for chunk in graph.stream(Command(resume="yes"), config, stream_mode=mode):
        show(chunk)

config = {"configurable": {"thread_id": "invoke"}}
show(graph.invoke(start, config))
show(graph.invoke(start, config, stream_mode="updates"))
