"""A compiled subgraph added as a node: parent and subgraph share a key (subgraphs how-to)."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class SubgraphState(TypedDict):
    foo: str  # shared with the parent
    bar: str  # private to the subgraph


def subgraph_node_1(state: SubgraphState) -> dict[str, str]:
    return {"bar": "bar"}


def subgraph_node_2(state: SubgraphState) -> dict[str, str]:
    return {"foo": state["foo"] + state["bar"]}


sub_builder = StateGraph(SubgraphState)
sub_builder.add_node(subgraph_node_1)
sub_builder.add_node(subgraph_node_2)
sub_builder.add_edge(START, "subgraph_node_1")
sub_builder.add_edge("subgraph_node_1", "subgraph_node_2")
subgraph = sub_builder.compile()


class ParentState(TypedDict):
    foo: str


def node_1(state: ParentState) -> dict[str, str]:
    return {"foo": "hi! " + state["foo"]}


builder = StateGraph(ParentState)
builder.add_node("node_1", node_1)
builder.add_node("node_2", subgraph)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", "node_2")
builder.add_edge("node_2", END)
graph = builder.compile()

print(graph.invoke({"foo": "foo"}))
for chunk in graph.stream({"foo": "foo"}, stream_mode="values"):
    print(chunk)
for namespace, chunk in graph.stream({"foo": "foo"}, subgraphs=True):
    print([n.split(":")[0] for n in namespace], chunk)
for namespace, mode, chunk in graph.stream({"foo": "foo"}, stream_mode=["updates", "values"], subgraphs=True):
    print(len(namespace), mode, chunk)
