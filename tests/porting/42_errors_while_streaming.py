"""A node that fails mid-stream: the chunks before the error arrive, then the error; tasks mode shows it."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    value: int


def ok(state: State) -> dict[str, int]:
    return {"value": state["value"] + 1}


def boom(state: State) -> dict[str, int]:
    if state["value"] > 1:
        raise ValueError(f"value {state['value']} is too big")
    return {"value": state["value"] * 10}


graph = StateGraph(State).add_node(ok).add_node(boom).add_edge(START, "ok").add_edge("ok", "boom")
app = graph.add_edge("boom", END).compile()

print(app.invoke({"value": 0}))
try:
    for chunk in app.stream({"value": 5}, stream_mode="updates"):
        print("chunk", chunk)
except ValueError as e:
    print("failed:", e)

try:
    for chunk in app.stream({"value": 5}, stream_mode="tasks"):
        print({k: v for k, v in chunk.items() if k != "id"})
except ValueError as e:
    print("failed:", e)

try:
    for mode, chunk in app.stream({"value": 7}, stream_mode=["values", "updates"]):
        print(mode, chunk)
except ValueError as e:
    print("failed:", e)
