"""Editing a paused subgraph's state: update_state with the subgraph's config from get_state(subgraphs=True)."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

show = Labeller()


class State(TypedDict):
    city: str
    report: str


def pick_city(state: State) -> dict:
    return {"city": "San Francisco"}


def confirm(state: State) -> dict:
    interrupt(f"confirm {state['city']}?")
    return {}


def weather(state: State) -> dict:
    return {"report": f"It's sunny in {state['city']}!"}


sub = StateGraph(State)
sub.add_node("pick_city", pick_city)
sub.add_node("confirm", confirm)
sub.add_node("weather", weather)
sub.add_edge(START, "pick_city")
sub.add_edge("pick_city", "confirm")
sub.add_edge("confirm", "weather")
sub.add_edge("weather", END)

builder = StateGraph(State)
builder.add_node("weather_graph", sub.compile(interrupt_before=["confirm"]))
builder.add_edge(START, "weather_graph")
builder.add_edge("weather_graph", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "sub"}}
for chunk in graph.stream({"city": "", "report": ""}, config, subgraphs=True, stream_mode="updates"):
    show(chunk)

parent = graph.get_state(config, subgraphs=True)
show(parent.next)
inner = parent.tasks[0].state
show(inner.values, inner.next, inner.config, inner.metadata)

graph.update_state(inner.config, {"city": "Lisbon"}, as_node="confirm")
show(graph.get_state(config, subgraphs=True).tasks[0].state.next)
for chunk in graph.stream(None, config, subgraphs=True, stream_mode="updates"):
    show(chunk)
show(graph.get_state(config).values)
