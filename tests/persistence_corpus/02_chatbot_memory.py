"""The chatbot tutorial's "add memory" step: MessagesState, InMemorySaver, one conversation per thread."""

from _norm import Labeller
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph

show = Labeller()

llm = FakeListChatModel(responses=["Hi Will! Nice to meet you.", "Your name is Will.", "I don't know your name."])


def chatbot(state: MessagesState) -> dict:
    return {"messages": [llm.invoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("chatbot", chatbot)
builder.add_edge(START, "chatbot")
graph = builder.compile(checkpointer=InMemorySaver())


def chat(text: str, thread_id: str) -> None:
    config = {"configurable": {"thread_id": thread_id}}
    for event in graph.stream({"messages": [{"role": "user", "content": text}]}, config, stream_mode="values"):
        message = event["messages"][-1]
        show(f"{message.type}: {message.content}")


chat("Hi there! My name is Will.", "1")
chat("Remember my name?", "1")
chat("Remember my name?", "2")

for thread_id in ("1", "2"):
    snapshot = graph.get_state({"configurable": {"thread_id": thread_id}})
    show([(m.type, m.content) for m in snapshot.values["messages"]])
    show(snapshot.next, snapshot.metadata)
    show(snapshot.values["messages"][0].id == graph.get_state({"configurable": {"thread_id": thread_id}}).values["messages"][0].id)
