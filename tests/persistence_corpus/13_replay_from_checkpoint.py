"""Time travel, replay: invoke(None, config_with_checkpoint_id) re-runs the steps after a past checkpoint."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()
calls = []


class State(TypedDict):
    topic: str
    joke: str


def generate_topic(state: State) -> dict:
    calls.append("generate_topic")
    return {"topic": "chickens"}


def write_joke(state: State) -> dict:
    calls.append("write_joke")
    return {"joke": f"Why did the {state['topic']} cross the road? (take {len(calls)})"}


builder = StateGraph(State)
builder.add_node("generate_topic", generate_topic)
builder.add_node("write_joke", write_joke)
builder.add_edge(START, "generate_topic")
builder.add_edge("generate_topic", "write_joke")
builder.add_edge("write_joke", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "replay"}}
show(graph.invoke({"topic": "", "joke": ""}, config))

states = list(graph.get_state_history(config))
selected = next(s for s in states if s.next == ("write_joke",))
show(selected.next, selected.values, selected.config)

calls.clear()
for chunk in graph.stream(None, selected.config, stream_mode="updates"):
    show(chunk)
show(calls)

latest = graph.get_state(config)
show(latest.values, latest.metadata)
show(latest.parent_config == selected.config)
show(len(list(graph.get_state_history(config))))
show(graph.get_state(selected.config).values == selected.values)
