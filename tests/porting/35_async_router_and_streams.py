"""Async nodes with a sync router: async custom writers, async subgraphs, astream with several modes."""

import asyncio
import operator
from typing import Annotated, Literal, TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import StreamWriter


class State(TypedDict):
    n: int
    log: Annotated[list[str], operator.add]


async def check(state: State) -> dict[str, list[str]]:
    get_stream_writer()({"checking": state["n"]})
    return {"log": [f"check {state['n']}"]}


async def route(state: State) -> Literal["small", "big"]:
    return "small" if state["n"] < 10 else "big"


async def small(state: State, writer: StreamWriter) -> dict[str, list[str]]:
    writer("small branch")
    return {"log": ["small"]}


async def big(state: State) -> dict[str, list[str]]:
    return {"log": ["big"]}


inner = StateGraph(State).add_node(check).add_edge(START, "check").compile()

builder = StateGraph(State)
builder.add_node("inner", inner)
builder.add_node(small)
builder.add_node(big)
builder.add_edge(START, "inner")
builder.add_conditional_edges("inner", route)
builder.add_edge("small", END)
builder.add_edge("big", END)
graph = builder.compile()


async def main() -> None:
    for n in (3, 30):
        print(await graph.ainvoke({"n": n, "log": []}))
    async for mode, chunk in graph.astream({"n": 5, "log": []}, stream_mode=["custom", "updates"]):
        print(mode, chunk)
    async for ns, mode, chunk in graph.astream(
        {"n": 50, "log": []}, stream_mode=["custom", "values"], subgraphs=True
    ):
        print([n.split(":")[0] for n in ns], mode, chunk)


asyncio.run(main())
