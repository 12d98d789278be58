"""Retries and caching on async nodes, run with ainvoke and astream."""

import asyncio
from typing import TypedDict

from langgraph.cache.memory import InMemoryCache
from langgraph.graph import END, START, StateGraph
from langgraph.types import CachePolicy, RetryPolicy


class State(TypedDict):
    city: str
    forecast: str
    summary: str


attempts = {"fetch": 0, "summarise": 0}


async def fetch(state: State) -> dict[str, str]:
    attempts["fetch"] += 1
    await asyncio.sleep(0.001)
    if attempts["fetch"] % 2 == 1:
        raise ConnectionError("weather service dropped the connection")
    return {"forecast": f"sunny in {state['city']}"}


async def summarise(state: State) -> dict[str, str]:
    attempts["summarise"] += 1
    return {"summary": state["forecast"].capitalize() + "."}


builder = StateGraph(State)
builder.add_node(
    "fetch", fetch, retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False)
)
builder.add_node("summarise", summarise, cache_policy=CachePolicy())
builder.add_edge(START, "fetch")
builder.add_edge("fetch", "summarise")
builder.add_edge("summarise", END)
graph = builder.compile(cache=InMemoryCache())


async def main() -> None:
    print(await graph.ainvoke({"city": "Oslo"}))
    print(attempts)
    async for chunk in graph.astream({"city": "Oslo"}, stream_mode="updates"):
        print(chunk)
    print(attempts)
    async for chunk in graph.astream({"city": "Rome"}, stream_mode="updates"):
        print(chunk)
    print(attempts)


asyncio.run(main())
