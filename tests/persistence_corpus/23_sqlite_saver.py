"""The same thread API on SqliteSaver (a file would do; ":memory:" here): memory, interrupt, resume, history."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt({"seen": list(state["log"])})]}


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a"]})
builder.add_node("ask", ask)
builder.add_edge(START, "a")
builder.add_edge("a", "ask")
builder.add_edge("ask", END)

with SqliteSaver.from_conn_string(":memory:") as checkpointer:
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": "sqlite"}}
    show(graph.invoke({"log": ["start"]}, config))
    snapshot = graph.get_state(config)
    show(snapshot.next, snapshot.interrupts, snapshot.metadata)
    show(graph.invoke(Command(resume="answer"), config))
    show(graph.invoke({"log": ["again"]}, config))
    show([(s.metadata["step"], s.metadata["source"], s.next, s.values) for s in graph.get_state_history(config)])
    show([t.checkpoint["id"] == t.config["configurable"]["checkpoint_id"] for t in checkpointer.list(config, limit=2)])
