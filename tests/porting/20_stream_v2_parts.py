"""Typed stream parts: version="v2" yields dicts with type, ns and data, for any mode."""

from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph


class SubState(TypedDict):
    text: str


def shout(state: SubState) -> dict[str, str]:
    get_stream_writer()({"shouting": state["text"]})
    return {"text": state["text"].upper() + "!"}


sub = StateGraph(SubState).add_node(shout).add_edge(START, "shout").add_edge("shout", END).compile()


def prepare(state: SubState) -> dict[str, str]:
    return {"text": state["text"] + " there"}


graph = (
    StateGraph(SubState)
    .add_node(prepare)
    .add_node("sub", sub)
    .add_edge(START, "prepare")
    .add_edge("prepare", "sub")
    .add_edge("sub", END)
    .compile()
)

for part in graph.stream({"text": "hi"}, stream_mode="updates", version="v2"):
    print(part["type"], part["ns"], part["data"])
for part in graph.stream({"text": "hi"}, stream_mode=["values", "custom"], version="v2"):
    print(part["type"], part["data"])
for part in graph.stream({"text": "hi"}, stream_mode=["updates", "custom"], subgraphs=True, version="v2"):
    print(part["type"], [n.split(":")[0] for n in part["ns"]], part["data"])
out = graph.invoke({"text": "hi"}, version="v2")
print(type(out).__name__, out.value)
