"""messages mode next to updates: a model called with an explicit config, hand-made messages, tool messages."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, MessagesState, StateGraph

streaming = GenericFakeChatModel(messages=iter(["Streaming with an explicit config works.", "Second call."]))
whole = FakeListChatModel(responses=["whole answer"])


def with_config(state: MessagesState, config: RunnableConfig) -> dict[str, list[AIMessage]]:
    return {"messages": [streaming.invoke(state["messages"], config)]}


def handmade(state: MessagesState) -> dict[str, list[object]]:
    return {
        "messages": [
            AIMessage(content="", id="ai-call", tool_calls=[{"name": "lookup", "args": {}, "id": "c9"}]),
            ToolMessage(content="looked up", tool_call_id="c9", id="tool-1"),
        ]
    }


def list_model(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [whole.invoke(state["messages"])]}


graph = (
    StateGraph(MessagesState)
    .add_node(with_config)
    .add_node(handmade)
    .add_node(list_model)
    .add_edge(START, "with_config")
    .add_edge("with_config", "handmade")
    .add_edge("handmade", "list_model")
    .add_edge("list_model", END)
    .compile()
)

for mode, chunk in graph.stream(
    {"messages": [HumanMessage(content="hi", id="h1")]}, stream_mode=["messages", "updates"]
):
    if mode == "messages":
        message, metadata = chunk
        print(mode, metadata["langgraph_node"], type(message).__name__, repr(message.content))
    else:
        print(mode, {node: [m.content for m in update["messages"]] for node, update in chunk.items()})
