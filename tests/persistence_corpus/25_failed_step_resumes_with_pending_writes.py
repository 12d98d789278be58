"""A step that fails part-way: the finished task's writes are kept, and invoke(None) re-runs only the failed one."""

import operator
import time
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()
checkpointer = InMemorySaver()
calls = []
flaky = {"fail": True}


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def steady(state: State) -> dict:
    calls.append("steady")
    return {"log": ["steady"]}


def steady_write_is_saved() -> bool:
    saved = checkpointer.get_tuple({"configurable": {"thread_id": "retry"}})
    return saved is not None and any(write == ["steady"] for _, _, write in saved.pending_writes or [])


def fragile(state: State) -> dict:
    calls.append("fragile")
    if flaky["fail"]:
        # fail once steady's write is saved: LangGraph 1.2.22 drops a sibling's write that lands
        # after the failure (its executor is shut down), and then steady would run again
        deadline = time.monotonic() + 2
        while not steady_write_is_saved() and time.monotonic() < deadline:
            time.sleep(0.005)
        raise RuntimeError("the service is down")
    return {"log": ["fragile"]}


builder = StateGraph(State)
builder.add_node("steady", steady)
builder.add_node("fragile", fragile)
builder.add_node("after", lambda s: {"log": ["after"]})
builder.add_edge(START, "steady")
builder.add_edge(START, "fragile")
builder.add_edge(["steady", "fragile"], "after")
builder.add_edge("after", END)
graph = builder.compile(checkpointer=checkpointer)

config = {"configurable": {"thread_id": "retry"}}
try:
    graph.invoke({"log": []}, config)
except RuntimeError as error:
    show("failed:", error)
snapshot = graph.get_state(config)
show(sorted(snapshot.next), snapshot.metadata)
show(sorted((t.name, t.error and repr(t.error), t.result) for t in snapshot.tasks))

flaky["fail"] = False
show(sorted(calls))
calls.clear()
show(graph.invoke(None, config))
show(calls)
