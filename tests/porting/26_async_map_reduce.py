"""Async map-reduce: Send fans out async workers that call a model, a reducer collects them."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class OverallState(TypedDict):
    sections: list[str]
    drafts: Annotated[list[str], operator.add]
    report: str


class WorkerState(TypedDict):
    section: str


def make_model(section: str) -> FakeListChatModel:
    # one model per section keeps each answer tied to its input, whatever order the workers run in
    return FakeListChatModel(responses=[f"Draft of {section}: {len(section)} ideas."])


async def orchestrator(state: OverallState) -> dict[str, list[str]]:
    return {"sections": ["Introduction", "Methods", "Results"]}


async def worker(state: WorkerState) -> dict[str, list[str]]:
    response = await make_model(state["section"]).ainvoke(f"Write {state['section']}")
    return {"drafts": [str(response.content)]}


def assign_workers(state: OverallState) -> list[Send]:
    return [Send("worker", {"section": s}) for s in state["sections"]]


async def synthesizer(state: OverallState) -> dict[str, str]:
    return {"report": "\n---\n".join(state["drafts"])}


builder = StateGraph(OverallState)
builder.add_node("orchestrator", orchestrator)
builder.add_node("worker", worker)
builder.add_node("synthesizer", synthesizer)
builder.add_edge(START, "orchestrator")
builder.add_conditional_edges("orchestrator", assign_workers, ["worker"])
builder.add_edge("worker", "synthesizer")
builder.add_edge("synthesizer", END)
graph = builder.compile()


async def main() -> None:
    state = await graph.ainvoke({"drafts": []})
    print(state["report"])
    async for chunk in graph.astream({"drafts": []}, stream_mode="values"):
        print(sorted(chunk))


asyncio.run(main())
