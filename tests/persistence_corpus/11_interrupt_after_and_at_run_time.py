"""interrupt_after at compile time, and interrupt_before/interrupt_after passed to invoke() for one run."""

import operator
from typing import Annotated, TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()


class State(TypedDict):
    steps: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("a", "b", "c"):
    builder.add_node(name, lambda state, name=name: {"steps": [name]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", "c")
builder.add_edge("c", END)

after_a = builder.compile(checkpointer=InMemorySaver(), interrupt_after=["a"])
config = {"configurable": {"thread_id": "after"}}
for chunk in after_a.stream({"steps": []}, config, stream_mode="updates"):
    show(chunk)
show(after_a.get_state(config).next)
show(after_a.invoke(None, config))

plain = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "run-time"}}
show(plain.invoke({"steps": []}, config, interrupt_before=["b"]))
show(plain.get_state(config).next)
show(plain.invoke(None, config, interrupt_after=["b"]))
show(plain.get_state(config).next)
show(plain.invoke(None, config))

config = {"configurable": {"thread_id": "all"}}
every = builder.compile(checkpointer=InMemorySaver(), interrupt_before="*")
while True:
    every.invoke(None if every.get_state(config).values else {"steps": []}, config)
    snapshot = every.get_state(config)
    show(snapshot.next, snapshot.values)
    if not snapshot.next:
        break
