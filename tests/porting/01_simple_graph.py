"""A first graph: three nodes, a conditional edge picks the mood (LangChain Academy, module 1 style)."""

from typing import Literal, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    graph_state: str


def node_1(state: State) -> dict[str, str]:
    print("---Node 1---")
    return {"graph_state": state["graph_state"] + " I am"}


def node_2(state: State) -> dict[str, str]:
    print("---Node 2---")
    return {"graph_state": state["graph_state"] + " happy!"}


def node_3(state: State) -> dict[str, str]:
    print("---Node 3---")
    return {"graph_state": state["graph_state"] + " sad!"}


def decide_mood(state: State) -> Literal["node_2", "node_3"]:
    # the course flips a coin here; the length of the input decides instead, so the run is repeatable
    return "node_2" if len(state["graph_state"]) % 2 == 0 else "node_3"


builder = StateGraph(State)
builder.add_node("node_1", node_1)
builder.add_node("node_2", node_2)
builder.add_node("node_3", node_3)
builder.add_edge(START, "node_1")
builder.add_conditional_edges("node_1", decide_mood)
builder.add_edge("node_2", END)
builder.add_edge("node_3", END)
graph = builder.compile()

print(graph.invoke({"graph_state": "Hi, this is Lance."}))
print(graph.invoke({"graph_state": "Hi, this is Lance"}))
print(sorted(graph.get_graph().nodes))
