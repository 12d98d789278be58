"""Custom data from nodes and from tools: get_stream_writer and the writer parameter."""

from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import StreamWriter


class State(TypedDict):
    query: str
    answer: str


def fetch(query: str) -> str:
    """A tool-like helper that reports progress from wherever it is called."""
    writer = get_stream_writer()
    for done in (25, 50, 100):
        writer({"progress": f"fetched {done}% of {query!r}"})
    return f"results for {query}"


def node(state: State) -> dict[str, str]:
    writer = get_stream_writer()
    writer({"custom_key": "Generating custom data inside node"})
    return {"answer": fetch(state["query"])}


def summarise(state: State, writer: StreamWriter) -> dict[str, str]:
    writer("a plain string is fine too")
    writer(["or", "a", "list"])
    return {"answer": state["answer"].upper()}


graph = (
    StateGraph(State)
    .add_node(node)
    .add_node(summarise)
    .add_edge(START, "node")
    .add_edge("node", "summarise")
    .add_edge("summarise", END)
    .compile()
)

for chunk in graph.stream({"query": "example"}, stream_mode="custom"):
    print(chunk)
for mode, chunk in graph.stream({"query": "example"}, stream_mode=["updates", "custom"]):
    print(mode, chunk)
print(graph.invoke({"query": "quiet"}))
