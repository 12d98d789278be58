"""Async nodes: ainvoke, astream, and tokens from an async model call (async how-to)."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START, MessagesState, StateGraph

model = GenericFakeChatModel(messages=iter(["Async hello to you too.", "Second async answer here."]))


async def call_model(state: MessagesState) -> dict[str, list[AIMessage]]:
    response = await model.ainvoke(state["messages"])
    return {"messages": [response]}


builder = StateGraph(MessagesState)
builder.add_node("call_model", call_model)
builder.add_edge(START, "call_model")
builder.add_edge("call_model", END)
graph = builder.compile()


class Counter(TypedDict):
    trail: Annotated[list[str], operator.add]


async def slow(state: Counter) -> dict[str, list[str]]:
    await asyncio.sleep(0.02)
    return {"trail": ["slow"]}


async def quick(state: Counter) -> dict[str, list[str]]:
    return {"trail": ["quick"]}


async def join(state: Counter) -> dict[str, list[str]]:
    return {"trail": [f"join saw {len(state['trail'])}"]}


parallel = (
    StateGraph(Counter)
    .add_node(slow)
    .add_node(quick)
    .add_node(join)
    .add_edge(START, "slow")
    .add_edge(START, "quick")
    .add_edge(["slow", "quick"], "join")
    .compile()
)


async def main() -> None:
    result = await graph.ainvoke({"messages": [HumanMessage(content="hi", id="h1")]})
    for m in result["messages"]:
        print(type(m).__name__, m.content)
    async for chunk, metadata in graph.astream(
        {"messages": [HumanMessage(content="again", id="h2")]}, stream_mode="messages"
    ):
        print(metadata["langgraph_node"], repr(chunk.content))
    print(await parallel.ainvoke({"trail": []}))
    async for chunk in parallel.astream({"trail": []}, stream_mode="values"):
        print(chunk)


asyncio.run(main())
