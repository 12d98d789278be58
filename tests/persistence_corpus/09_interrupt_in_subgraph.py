"""An interrupt inside a subgraph: the parent pauses too; stream(subgraphs=True) and resume from the parent."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()
calls = []


class State(TypedDict):
    state_counter: int


def node_in_subgraph(state: State) -> dict:
    calls.append("node_in_subgraph")
    return {"state_counter": state["state_counter"] + 1}


def human_node(state: State) -> dict:
    calls.append("human_node")
    answer = interrupt("what is your name?")
    return {"state_counter": state["state_counter"] + len(answer)}


sub_builder = StateGraph(State)
sub_builder.add_node("some_node", node_in_subgraph)
sub_builder.add_node("human_node", human_node)
sub_builder.add_edge(START, "some_node")
sub_builder.add_edge("some_node", "human_node")
subgraph = sub_builder.compile()


def parent_node(state: State) -> dict:
    calls.append("parent_node")
    return {"state_counter": state["state_counter"] + 10}


builder = StateGraph(State)
builder.add_node("parent_node", parent_node)
builder.add_node("subgraph", subgraph)
builder.add_edge(START, "parent_node")
builder.add_edge("parent_node", "subgraph")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
for chunk in graph.stream({"state_counter": 1}, config, subgraphs=True):
    show(chunk)
snapshot = graph.get_state(config)
show(snapshot.next, snapshot.interrupts)
show(snapshot.tasks[0].name, snapshot.tasks[0].state)
for chunk in graph.stream(Command(resume="Ada"), config, subgraphs=True):
    show(chunk)
show(calls)
show(graph.get_state(config).values)
