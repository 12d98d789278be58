"""get_state_history: every checkpoint of a thread, newest first, with its step, source, next and parent."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()


class State(TypedDict):
    topic: str
    joke: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("generate_topic", lambda s: {"topic": "socks in the dryer"})
builder.add_node("write_joke", lambda s: {"joke": [f"Why do {s['topic']} disappear?"]})
builder.add_edge(START, "generate_topic")
builder.add_edge("generate_topic", "write_joke")
builder.add_edge("write_joke", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "history"}}
graph.invoke({"topic": "", "joke": []}, config)
graph.invoke({"topic": "", "joke": ["second run"]}, config)

for state in graph.get_state_history(config):
    show(state.metadata["step"], state.metadata["source"], state.next, state.values)
    show("  config:", state.config["configurable"]["checkpoint_id"], "parent:", state.parent_config and state.parent_config["configurable"]["checkpoint_id"])
    show("  tasks:", [(t.name, t.result) for t in state.tasks])

show(len(list(graph.get_state_history(config, limit=2))))
newest = next(iter(graph.get_state_history(config)))
show([s.metadata["step"] for s in graph.get_state_history(config, before=newest.config)])
show([s.metadata["step"] for s in graph.get_state_history(config, filter={"source": "input"})])
