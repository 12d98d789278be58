"""The basic chatbot tutorial without memory: the caller keeps the history and streams updates."""

from typing import Annotated

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


llm = FakeListChatModel(
    responses=[
        "LangGraph is a library for building stateful, multi-actor applications with LLMs.",
        "It models an application as a graph of nodes that share a state.",
        "Goodbye!",
    ]
)


def chatbot(state: State) -> dict[str, list[AnyMessage]]:
    return {"messages": [llm.invoke(state["messages"])]}


graph_builder = StateGraph(State)
graph_builder.add_node("chatbot", chatbot)
graph_builder.add_edge(START, "chatbot")
graph_builder.add_edge("chatbot", END)
graph = graph_builder.compile()

history: list[dict[str, str]] = []


def stream_graph_updates(user_input: str) -> None:
    history.append({"role": "user", "content": user_input})
    for event in graph.stream({"messages": history}):
        for value in event.values():
            print("Assistant:", value["messages"][-1].content)
            history.append({"role": "assistant", "content": value["messages"][-1].content})


for user_input in ["What do you know about LangGraph?", "How does it work?", "quit"]:
    print("User: " + user_input)
    stream_graph_updates(user_input)
print(len(history))

result = graph.invoke({"messages": [("user", "a tuple message"), {"role": "user", "content": "a dict"}]})
print([(m.type, m.content) for m in result["messages"]])
