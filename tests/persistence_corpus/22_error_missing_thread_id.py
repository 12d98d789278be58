"""Errors a new user meets first: a checkpointer without a thread_id, and get_state on a graph without one."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

show = Labeller()


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"x": s["x"] + 1})
builder.add_edge(START, "inc")
graph = builder.compile(checkpointer=InMemorySaver())

for attempt in (
    lambda: graph.invoke({"x": 1}),
    lambda: graph.invoke({"x": 1}, {"configurable": {}}),
    lambda: list(graph.stream({"x": 1}, {"configurable": {"checkpoint_id": "nope"}})),
    lambda: graph.get_state({"configurable": {}}),
    lambda: graph.update_state({"configurable": {}}, {"x": 5}),
):
    try:
        show(attempt())
    except Exception as error:
        show(type(error).__name__, str(error))

no_saver = builder.compile()
for attempt in (
    lambda: no_saver.get_state({"configurable": {"thread_id": "1"}}),
    lambda: list(no_saver.get_state_history({"configurable": {"thread_id": "1"}})),
    lambda: no_saver.update_state({"configurable": {"thread_id": "1"}}, {"x": 5}),
):
    try:
        show(attempt())
    except Exception as error:
        show(type(error).__name__, str(error))

# a thread_id that was never used is an empty thread, not an error
fresh = graph.get_state({"configurable": {"thread_id": "never used"}})
show(fresh.values, fresh.next, fresh.config, fresh.metadata, fresh.created_at, fresh.tasks)
show(list(graph.get_state_history({"configurable": {"thread_id": "never used"}})))
