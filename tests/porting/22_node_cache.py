"""Caching a node's result with CachePolicy and InMemoryCache (node caching how-to)."""

import time
from typing import TypedDict

from langgraph.cache.memory import InMemoryCache
from langgraph.graph import END, START, StateGraph
from langgraph.types import CachePolicy


class State(TypedDict):
    x: int
    result: int


calls: list[int] = []


def expensive_node(state: State) -> dict[str, int]:
    calls.append(state["x"])
    time.sleep(0.01)
    return {"result": state["x"] * 2}


builder = StateGraph(State)
builder.add_node("expensive_node", expensive_node, cache_policy=CachePolicy(ttl=120))
builder.add_edge(START, "expensive_node")
builder.add_edge("expensive_node", END)
graph = builder.compile(cache=InMemoryCache())

for chunk in graph.stream({"x": 5}, stream_mode="updates"):
    print(chunk)
for chunk in graph.stream({"x": 5}, stream_mode="updates"):
    print(chunk)
print(graph.invoke({"x": 6}))
print(graph.invoke({"x": 6}))
print("calls:", calls)

# a key function picks which part of the input counts
keyed = StateGraph(State)
keyed.add_node("expensive_node", expensive_node, cache_policy=CachePolicy(key_func=lambda s: str(s["x"] % 3)))
keyed.add_edge(START, "expensive_node")
keyed_graph = keyed.compile(cache=InMemoryCache())
for x in (1, 4, 7, 2):
    print(x, keyed_graph.invoke({"x": x}))
print("calls:", calls)

graph.clear_cache()
print(graph.invoke({"x": 5}))
print("calls:", calls)
