"""Time travel, fork: update_state on a past checkpoint makes a new branch; invoke(None, fork) runs it."""

from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

show = Labeller()


class State(TypedDict):
    topic: str
    joke: str


builder = StateGraph(State)
builder.add_node("generate_topic", lambda s: {"topic": "chickens"})
builder.add_node("write_joke", lambda s: {"joke": f"A joke about {s['topic']}"})
builder.add_edge(START, "generate_topic")
builder.add_edge("generate_topic", "write_joke")
builder.add_edge("write_joke", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "fork"}}
show(graph.invoke({"topic": "", "joke": ""}, config))
selected = next(s for s in graph.get_state_history(config) if s.next == ("write_joke",))

new_config = graph.update_state(selected.config, values={"topic": "crab"})
show(new_config)
forked = graph.get_state(new_config)
show(forked.values, forked.next, forked.metadata)
show(forked.parent_config == selected.config)
show(graph.invoke(None, new_config))

# as_node decides what runs next: written "as" write_joke, the fork has nothing left to do
done = graph.update_state(selected.config, {"joke": "told by hand"}, as_node="write_joke")
snapshot = graph.get_state(done)
show(snapshot.values, snapshot.next, snapshot.metadata)

# an update on the latest checkpoint, as generate_topic: write_joke runs next
latest = graph.update_state(config, {"topic": "ducks"}, as_node="generate_topic")
show(graph.get_state(config).next, graph.get_state(config).metadata)
show(graph.invoke(None, config))
show([(s.metadata["step"], s.metadata["source"], s.next) for s in graph.get_state_history(config)])
