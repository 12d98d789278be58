"""Private state between nodes, and input/output schemas that filter what goes in and out."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class OverallState(TypedDict):
    foo: int


class PrivateState(TypedDict):
    baz: int


def node_1(state: OverallState) -> PrivateState:
    print("---Node 1---")
    return {"baz": state["foo"] + 1}


def node_2(state: PrivateState) -> OverallState:
    print("---Node 2---")
    return {"foo": state["baz"] + 1}


builder = StateGraph(OverallState)
builder.add_node("node_1", node_1)
builder.add_node("node_2", node_2)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", "node_2")
builder.add_edge("node_2", END)
graph = builder.compile()
print(graph.invoke({"foo": 1}))
for chunk in graph.stream({"foo": 1}, stream_mode="updates"):
    print(chunk)


class InputState(TypedDict):
    question: str


class OutputState(TypedDict):
    answer: str


class FullState(TypedDict):
    question: str
    answer: str
    notes: str


def thinking_node(state: InputState) -> dict[str, str]:
    return {"answer": "bye", "notes": "... his name is Lance"}


def answer_node(state: FullState) -> OutputState:
    return {"answer": f"bye Lance ({state['notes']})"}


builder = StateGraph(FullState, input_schema=InputState, output_schema=OutputState)
builder.add_node("thinking_node", thinking_node)
builder.add_node("answer_node", answer_node)
builder.add_edge(START, "thinking_node")
builder.add_edge("thinking_node", "answer_node")
builder.add_edge("answer_node", END)
graph = builder.compile()
print(graph.invoke({"question": "hi"}))
for chunk in graph.stream({"question": "hi"}, stream_mode="values"):
    print(chunk)
for chunk in graph.stream({"question": "hi"}, stream_mode="updates"):
    print(chunk)
