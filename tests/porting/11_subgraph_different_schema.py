"""A subgraph with its own schema, called from inside a node that maps the state in and out."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class SubgraphState(TypedDict):
    bar: str
    baz: str


def subgraph_node_1(state: SubgraphState) -> dict[str, str]:
    return {"baz": "baz"}


def subgraph_node_2(state: SubgraphState) -> dict[str, str]:
    return {"bar": state["bar"] + state["baz"]}


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


def node_2(state: ParentState) -> dict[str, str]:
    response = subgraph.invoke({"bar": state["foo"]})
    return {"foo": response["bar"]}


builder = StateGraph(ParentState)
builder.add_node("node_1", node_1)
builder.add_node("node_2", node_2)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", "node_2")
builder.add_edge("node_2", END)
graph = builder.compile()

print(graph.invoke({"foo": "foo"}))
for namespace, chunk in graph.stream({"foo": "foo"}, subgraphs=True):
    print([n.split(":")[0] for n in namespace], chunk)


# two levels: grandchild inside child inside parent, each with its own keys
class GrandChildState(TypedDict):
    my_grandchild_key: str


def grandchild_1(state: GrandChildState) -> GrandChildState:
    return {"my_grandchild_key": state["my_grandchild_key"] + ", how are you"}


grandchild = StateGraph(GrandChildState)
grandchild.add_node("grandchild_1", grandchild_1)
grandchild.add_edge(START, "grandchild_1")
grandchild.add_edge("grandchild_1", END)
grandchild_graph = grandchild.compile()


class ChildState(TypedDict):
    my_child_key: str


def call_grandchild_graph(state: ChildState) -> ChildState:
    out = grandchild_graph.invoke({"my_grandchild_key": state["my_child_key"]})
    return {"my_child_key": out["my_grandchild_key"] + " today?"}


child = StateGraph(ChildState)
child.add_node("child_1", call_grandchild_graph)
child.add_edge(START, "child_1")
child.add_edge("child_1", END)
child_graph = child.compile()


class ParentKeyState(TypedDict):
    my_key: str


def parent_1(state: ParentKeyState) -> ParentKeyState:
    return {"my_key": "hi " + state["my_key"]}


def call_child_graph(state: ParentKeyState) -> ParentKeyState:
    out = child_graph.invoke({"my_child_key": state["my_key"]})
    return {"my_key": out["my_child_key"]}


def parent_2(state: ParentKeyState) -> ParentKeyState:
    return {"my_key": state["my_key"] + " bye!"}


parent = StateGraph(ParentKeyState)
parent.add_node("parent_1", parent_1)
parent.add_node("child", call_child_graph)
parent.add_node("parent_2", parent_2)
parent.add_edge(START, "parent_1")
parent.add_edge("parent_1", "child")
parent.add_edge("child", "parent_2")
parent.add_edge("parent_2", END)
parent_graph = parent.compile()
for namespace, chunk in parent_graph.stream({"my_key": "Bob"}, subgraphs=True):
    print([n.split(":")[0] for n in namespace], chunk)
