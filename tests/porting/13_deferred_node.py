"""A deferred node runs once every branch is done, even when the branches differ in length."""

import operator
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    aggregate: Annotated[list[str], operator.add]


def node(name: str) -> Any:
    def run(state: State) -> dict[str, list[str]]:
        print(f"Adding {name} to {state['aggregate']}")
        return {"aggregate": [name]}

    return run


builder = StateGraph(State)
builder.add_node("a", node("A"))
builder.add_node("b", node("B"))
builder.add_node("b_2", node("B_2"))
builder.add_node("c", node("C"))
builder.add_node("d", node("D"), defer=True)
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("a", "c")
builder.add_edge("b", "b_2")
builder.add_edge("b_2", "d")
builder.add_edge("c", "d")
builder.add_edge("d", END)
graph = builder.compile()

result = graph.invoke({"aggregate": []})
print(result)
for chunk in graph.stream({"aggregate": []}, stream_mode="values"):
    print(chunk)
