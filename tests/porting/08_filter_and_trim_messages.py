"""Keeping a conversation short: RemoveMessage, filtering before the model, trim_messages."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, trim_messages
from langchain_core.messages.utils import count_tokens_approximately
from langgraph.graph import END, START, MessagesState, StateGraph

llm = FakeListChatModel(
    responses=["Orcas live in every ocean.", "Try the San Juan Islands.", "Yes, in summer."]
)
seen_by_model: list[int] = []


def chat_model_node(state: MessagesState) -> dict[str, list[AIMessage]]:
    seen_by_model.append(len(state["messages"]))
    return {"messages": [llm.invoke(state["messages"])]}


def filter_messages(state: MessagesState) -> dict[str, list[RemoveMessage]]:
    # delete all but the two most recent messages
    return {"messages": [RemoveMessage(id=m.id) for m in state["messages"][:-2] if m.id]}


builder = StateGraph(MessagesState)
builder.add_node("filter", filter_messages)
builder.add_node("chat_model", chat_model_node)
builder.add_edge(START, "filter")
builder.add_edge("filter", "chat_model")
builder.add_edge("chat_model", END)
graph = builder.compile()

history = [
    AIMessage("Hi.", name="Bot", id="1"),
    HumanMessage("Hi.", name="Lance", id="2"),
    AIMessage("So you said you were researching ocean mammals?", name="Bot", id="3"),
    HumanMessage("Yes, I know about whales. But what others should I learn about?", name="Lance", id="4"),
]
for chunk in graph.stream({"messages": history}, stream_mode="updates"):
    for node, update in chunk.items():
        print(node, [(type(m).__name__, m.id if m.id in "1234" else "new") for m in update["messages"]])
out = graph.invoke({"messages": history})
for m in out["messages"]:
    m.pretty_print()


def filtered_model_node(state: MessagesState) -> dict[str, list[AIMessage]]:
    # the state keeps everything; only the last message goes to the model
    seen_by_model.append(len(state["messages"][-1:]))
    return {"messages": [llm.invoke(state["messages"][-1:])]}


def trimmed_model_node(state: MessagesState) -> dict[str, list[AIMessage]]:
    kept = trim_messages(
        state["messages"],
        max_tokens=40,
        strategy="last",
        token_counter=count_tokens_approximately,
        allow_partial=False,
    )
    seen_by_model.append(len(kept))
    return {"messages": [llm.invoke(kept)]}


for node in (filtered_model_node, trimmed_model_node):
    builder = StateGraph(MessagesState)
    builder.add_node("chat_model", node)
    builder.add_edge(START, "chat_model")
    builder.add_edge("chat_model", END)
    result = builder.compile().invoke({"messages": history})
    print(node.__name__, len(result["messages"]), result["messages"][-1].content)
print("messages seen by the model:", seen_by_model)
