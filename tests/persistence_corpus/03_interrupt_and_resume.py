"""Human in the loop: interrupt() pauses a node, invoke() returns __interrupt__, Command(resume=...) goes on."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    some_text: str


def human_node(state: State) -> dict:
    value = interrupt({"text_to_revise": state["some_text"]})
    return {"some_text": value}


builder = StateGraph(State)
builder.add_node("human_node", human_node)
builder.add_edge(START, "human_node")
builder.add_edge("human_node", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "some_id"}}
result = graph.invoke({"some_text": "original text"}, config=config)
show(result)
show(result["__interrupt__"][0].value, result["__interrupt__"][0].id)

snapshot = graph.get_state(config)
show(snapshot.next)
show(snapshot.tasks)
show(snapshot.interrupts)
show(snapshot.metadata)

show(graph.invoke(Command(resume="Edited text"), config=config))
final = graph.get_state(config)
show(final.values, final.next, final.tasks, final.metadata)
