"""The async API with a checkpointer: astream, ainvoke(Command(resume=...)), aget_state, aget_state_history."""

import asyncio
from typing import TypedDict

from _norm import Labeller
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

show = Labeller()


class State(TypedDict):
    draft: str
    approved: bool


async def write(state: State) -> dict:
    await asyncio.sleep(0)
    return {"draft": "A short draft."}


async def review(state: State) -> dict:
    answer = interrupt({"question": "Approve this draft?", "draft": state["draft"]})
    return {"approved": answer == "yes"}


builder = StateGraph(State)
builder.add_node(write)
builder.add_node(review)
builder.add_edge(START, "write")
builder.add_edge("write", "review")
builder.add_edge("review", END)
graph = builder.compile(checkpointer=InMemorySaver())


async def main() -> None:
    config = {"configurable": {"thread_id": "async"}}
    async for chunk in graph.astream({"draft": "", "approved": False}, config):
        show(chunk)
    snapshot = await graph.aget_state(config)
    show(snapshot.next, snapshot.interrupts, snapshot.metadata)
    show(await graph.ainvoke(Command(resume="yes"), config))
    show([(s.metadata["step"], s.next) async for s in graph.aget_state_history(config)])
    updated = await graph.aupdate_state(config, {"draft": "Rewritten."}, as_node="write")
    show(updated)
    show((await graph.aget_state(config)).next)
    async for chunk in graph.astream(None, config, stream_mode="values"):
        show(chunk)


asyncio.run(main())
