"""Configurable nodes (RunnableConfig), get_config, and a conditional edge with a path map."""

from typing import TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    text: str
    lang: str


def translate(state: State, config: RunnableConfig) -> dict[str, str]:
    style = config["configurable"].get("style", "plain")
    return {"text": f"[{style}] {state['text']}"}


def tag(state: State) -> dict[str, str]:
    config = get_config()
    return {"text": state["text"] + f" #{config['configurable']['user_id']}"}


def which_language(state: State) -> str:
    return "english" if state["lang"] == "en" else "other"


def french(state: State) -> dict[str, str]:
    return {"text": state["text"] + " (fr)"}


builder = StateGraph(State)
builder.add_node("translate", translate)
builder.add_node("tag", tag)
builder.add_node("french", french)
builder.add_edge(START, "translate")
builder.add_conditional_edges("translate", which_language, {"english": "tag", "other": "french"})
builder.add_edge("french", "tag")
builder.add_edge("tag", END)
graph = builder.compile()

print(graph.invoke({"text": "hello", "lang": "en"}, {"configurable": {"user_id": "u1", "style": "formal"}}))
print(graph.invoke({"text": "bonjour", "lang": "fr"}, config={"configurable": {"user_id": "u2"}}))
for chunk in graph.stream(
    {"text": "hi", "lang": "en"}, {"configurable": {"user_id": "u3"}}, stream_mode="updates"
):
    print(chunk)
print(graph.get_graph().draw_mermaid())
