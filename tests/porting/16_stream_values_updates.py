"""Streaming how-to: values, updates, several modes at once, and the default mode."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    topic: str
    joke: str


def refine_topic(state: State) -> dict[str, str]:
    return {"topic": state["topic"] + " and cats"}


def generate_joke(state: State) -> dict[str, str]:
    return {"joke": f"This is a joke about {state['topic']}"}


graph = (
    StateGraph(State)
    .add_node(refine_topic)
    .add_node(generate_joke)
    .add_edge(START, "refine_topic")
    .add_edge("refine_topic", "generate_joke")
    .add_edge("generate_joke", END)
    .compile()
)

for chunk in graph.stream({"topic": "ice cream"}, stream_mode="values"):
    print("values", chunk)
for chunk in graph.stream({"topic": "ice cream"}, stream_mode="updates"):
    print("updates", chunk)
for chunk in graph.stream({"topic": "ice cream"}):
    print("default", chunk)
for mode, chunk in graph.stream({"topic": "ice cream"}, stream_mode=["updates", "values"]):
    print(mode, chunk)
for chunk in graph.stream({"topic": "ice cream"}, stream_mode="updates", output_keys=["joke"]):
    print("output_keys", chunk)
print(graph.invoke({"topic": "ice cream"}, output_keys="joke"))
print(graph.invoke({"topic": "ice cream"}, stream_mode="updates"))
