"""bulk_update_state: several super-steps of updates written in one call, each one a checkpoint."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import StateUpdate

show = Labeller()


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a ran"]})
builder.add_node("b", lambda s: {"log": ["b ran"]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "bulk"}}
result = graph.bulk_update_state(
    config,
    [
        [StateUpdate(values={"log": ["input"]}, as_node="__input__")],
        [StateUpdate(values={"log": ["start"]}, as_node="__start__")],
        [StateUpdate(values={"log": ["by hand as a"]}, as_node="a")],
    ],
)
show(result)
snapshot = graph.get_state(config)
show(snapshot.values, snapshot.next, snapshot.metadata)
show(graph.invoke(None, config))
show([(s.metadata["step"], s.metadata["source"], s.next, s.values) for s in graph.get_state_history(config)])
