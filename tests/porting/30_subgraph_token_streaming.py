"""Tokens from a model called inside a subgraph, streamed with subgraphs=True, plus node outputs."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph

model = GenericFakeChatModel(messages=iter(["Deep inside the subgraph."]))


def inner_model(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [model.invoke(state["messages"])]}


def canned(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [AIMessage(content="a canned reply, no model", id="canned-1")]}


inner = (
    StateGraph(MessagesState)
    .add_node(inner_model)
    .add_node(canned)
    .add_edge(START, "inner_model")
    .add_edge("inner_model", "canned")
    .compile()
)
graph = StateGraph(MessagesState).add_node("inner", inner).add_edge(START, "inner").compile()

for namespace, (chunk, metadata) in graph.stream(
    {"messages": [HumanMessage(content="hi", id="in-1")]}, stream_mode="messages", subgraphs=True
):
    print(
        [n.split(":")[0] for n in namespace],
        metadata["langgraph_node"],
        type(chunk).__name__,
        repr(chunk.content),
    )

model.messages = iter(["Only the parent sees this once."])
for chunk, metadata in graph.stream(
    {"messages": [HumanMessage(content="hi", id="in-2")]}, stream_mode="messages"
):
    print(metadata["langgraph_node"], type(chunk).__name__, repr(chunk.content))
