"""Resuming a thread with nothing pending: LangGraph runs on silently; nbstream means to refuse, naming the thread."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()
runs = []


class State(TypedDict):
    answer: str


def ask(state: State) -> dict:
    runs.append("ask")
    return {"answer": interrupt("question?")}


builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")
graph = builder.compile(checkpointer=InMemorySaver())


def attempt(label: str, run) -> None:
    try:
        show(label, run())
    except Exception as error:
        show(label, type(error).__name__, str(error))


attempt("new thread:", lambda: graph.invoke(Command(resume="hi"), {"configurable": {"thread_id": "new"}}))
config = {"configurable": {"thread_id": "t"}}
attempt("first run:", lambda: graph.invoke({"answer": ""}, config))
attempt("resume:", lambda: graph.invoke(Command(resume="yes"), config))
attempt("resume again:", lambda: graph.invoke(Command(resume="again"), config))
attempt("continue with None:", lambda: graph.invoke(None, config))
attempt("unknown interrupt id:", lambda: graph.invoke(Command(resume={"0" * 32: "x"}), {"configurable": {"thread_id": "t2"}}))
show(runs)
show(graph.get_state(config).values, graph.get_state(config).next)
