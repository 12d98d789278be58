"""The chatbot tutorial with memory: an InMemorySaver checkpointer keeps the thread's history."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph

llm = FakeListChatModel(responses=["Hi Will! Nice to meet you.", "Your name is Will."])


def chatbot(state: MessagesState) -> dict[str, list[object]]:
    return {"messages": [llm.invoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("chatbot", chatbot)
builder.add_edge(START, "chatbot")
builder.add_edge("chatbot", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
for text in ["Hi there! My name is Will.", "Remember my name?"]:
    result = graph.invoke({"messages": [{"role": "user", "content": text}]}, config)
    print(result["messages"][-1].content)
print(len(graph.get_state(config).values["messages"]))
