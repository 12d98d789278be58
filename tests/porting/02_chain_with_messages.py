"""A chain: messages as state, a chat model called in a node (Academy module 1, "chain")."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.message import add_messages

messages = [AIMessage(content="So you said you were researching ocean mammals?", name="Model")]
messages.append(HumanMessage(content="Yes, that's right.", name="Lance"))
messages.append(AIMessage(content="Great, what would you like to learn about.", name="Model"))
messages.append(
    HumanMessage(content="I want to learn about the best place to see Orcas in the US.", name="Lance")
)
for m in messages:
    m.pretty_print()

# the reducer on its own: appends, and replaces a message that has the same id
initial = [AIMessage(content="Hello! How can I assist you?", name="Model", id="1")]
print(
    [
        m.content
        for m in add_messages(initial, [HumanMessage(content="I'm looking for marine biology.", id="2")])
    ]
)
print([m.content for m in add_messages(initial, [AIMessage(content="Hi again!", name="Model", id="1")])])

llm = FakeListChatModel(responses=["Orcas are often seen around the San Juan Islands in Washington."])


def tool_calling_llm(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [llm.invoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("tool_calling_llm", tool_calling_llm)
builder.add_edge(START, "tool_calling_llm")
builder.add_edge("tool_calling_llm", END)
graph = builder.compile()

result = graph.invoke({"messages": messages})
for m in result["messages"]:
    m.pretty_print()
print(len(result["messages"]))
