"""Terminal demo: ``python -m nbstream`` runs the streaming page's basic example in every stream mode."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any, TypedDict

from nbstream.config import get_stream_writer
from nbstream.graph import END, START, StateGraph


class State(TypedDict):
    topic: str
    joke: str
    notes: Annotated[list[str], operator.add]


def refine_topic(state: State) -> dict[str, Any]:
    get_stream_writer()({"progress": "refining the topic"})
    return {"topic": state["topic"] + " and cats", "notes": ["refined"]}


async def generate_joke(state: State) -> dict[str, Any]:
    get_stream_writer()({"progress": "writing the joke"})
    return {"joke": f"This is a joke about {state['topic']}", "notes": ["joked"]}


def build() -> Any:
    return (
        StateGraph(State)
        .add_node(refine_topic)
        .add_node(generate_joke)
        .add_edge(START, "refine_topic")
        .add_edge("refine_topic", "generate_joke")
        .add_edge("generate_joke", END)
        .compile(name="joke")
    )


async def main() -> None:
    graph = build()
    for mode in ("updates", "values", "custom", "tasks"):
        print(f"== stream_mode={mode!r}")
        async for chunk in graph.astream({"topic": "ice cream"}, stream_mode=mode):
            print("  ", chunk)
    print("== stream_mode=['updates', 'custom']")
    async for mode_name, chunk in graph.astream({"topic": "ice cream"}, stream_mode=["updates", "custom"]):
        print("  ", mode_name, chunk)
    print("== ainvoke ->", await graph.ainvoke({"topic": "ice cream"}))


if __name__ == "__main__":
    asyncio.run(main())
