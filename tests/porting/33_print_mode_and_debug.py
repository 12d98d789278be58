"""print_mode prints chunks of extra modes while the loop sees the requested ones; debug=True prints steps."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    n: int


def double(state: State) -> dict[str, int]:
    return {"n": state["n"] * 2}


def inc(state: State) -> dict[str, int]:
    return {"n": state["n"] + 1}


graph = StateGraph(State).add_node(double).add_node(inc).add_edge(START, "double").add_edge("double", "inc")
graph.add_edge("inc", END)
app = graph.compile()

for chunk in app.stream({"n": 3}, stream_mode="values", print_mode="updates"):
    print("got", chunk)
print(app.invoke({"n": 1}, print_mode=["updates", "values"]))

debug_app = graph.compile(debug=True)
print(debug_app.invoke({"n": 2}))
