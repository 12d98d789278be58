"""Retrying a flaky node with RetryPolicy (node retries how-to)."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy


class State(TypedDict):
    attempts: Annotated[list[str], operator.add]
    result: str


calls = {"flaky": 0, "picky": 0}


def flaky(state: State) -> dict[str, object]:
    calls["flaky"] += 1
    if calls["flaky"] < 3:
        raise ConnectionError(f"attempt {calls['flaky']} failed")
    return {"attempts": [f"flaky ok after {calls['flaky']} calls"], "result": "data"}


def picky(state: State) -> dict[str, object]:
    calls["picky"] += 1
    raise ValueError("bad input, retrying will not help")


fast = RetryPolicy(max_attempts=5, initial_interval=0.001, backoff_factor=1.0, jitter=False)

builder = StateGraph(State)
builder.add_node("flaky", flaky, retry_policy=fast)
builder.add_edge(START, "flaky")
builder.add_edge("flaky", END)
graph = builder.compile()
print(graph.invoke({"attempts": []}))
print(calls)

# retry_on limits which exceptions are retried
only_connection = RetryPolicy(max_attempts=4, initial_interval=0.001, jitter=False, retry_on=ConnectionError)
builder = StateGraph(State)
builder.add_node("picky", picky, retry_policy=only_connection)
builder.add_edge(START, "picky")
try:
    builder.compile().invoke({"attempts": []})
except ValueError as e:
    print("ValueError:", e)
print(calls)

# a list of policies: the first that matches the exception applies
calls["flaky"] = 0
builder = StateGraph(State)
builder.add_node(
    "flaky",
    flaky,
    retry_policy=[
        RetryPolicy(max_attempts=1, retry_on=ValueError),
        RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False, retry_on=ConnectionError),
    ],
)
builder.add_edge(START, "flaky")
for chunk in builder.compile().stream({"attempts": []}, stream_mode="updates"):
    print(chunk)

# too few attempts: the last error comes out
calls["flaky"] = 0
builder = StateGraph(State)
builder.add_node(
    "flaky", flaky, retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.001, jitter=False)
)
builder.add_edge(START, "flaky")
try:
    builder.compile().invoke({"attempts": []})
except ConnectionError as e:
    print("ConnectionError:", e)
