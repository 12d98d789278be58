"""The graphs tests/test_remote.py watches on a LangGraph Server (``langgraph dev``).

``agent``: plan (custom data) -> research (a subgraph whose summarize node streams a fake chat
model's tokens) -> review (``interrupt()`` asks for approval) -> finish.
``slow``: a chain of nodes that each sleep ``delay`` seconds and write custom data, so a test can
join, drop and kill a run while it runs. Served from the server's own venv, so it imports
LangGraph (not nbstream).
"""

from __future__ import annotations

import itertools
import operator
import time
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict


class AgentState(TypedDict, total=False):
    topic: str
    messages: Annotated[list[AnyMessage], add_messages]
    notes: Annotated[list[str], operator.add]
    approved: Any
    fail: bool


_REPLIES = itertools.cycle([AIMessage(content="rivers carry water to the sea")])


def plan(state: AgentState) -> dict[str, Any]:
    writer = get_stream_writer()
    writer({"planning": state.get("topic", "")})
    return {"notes": ["planned"]}


def search(state: AgentState) -> dict[str, Any]:
    get_stream_writer()({"searching": True})
    if state.get("fail"):
        raise ValueError("search failed on purpose")
    return {"notes": ["searched"]}


def summarize(state: AgentState) -> dict[str, Any]:
    model = GenericFakeChatModel(messages=iter([next(_REPLIES)]))
    reply = model.invoke(f"summarize {state.get('topic', '')}")
    return {"messages": [reply]}


research_builder = StateGraph(AgentState)
research_builder.add_node("search", search)
research_builder.add_node("summarize", summarize)
research_builder.add_edge(START, "search")
research_builder.add_edge("search", "summarize")
research_builder.add_edge("summarize", END)
research = research_builder.compile()


def review(state: AgentState) -> dict[str, Any]:
    answer = interrupt({"question": "approve the summary?", "notes": state.get("notes", [])})
    return {"approved": answer}


def finish(state: AgentState) -> dict[str, Any]:
    return {"notes": [f"approved={state.get('approved')}"]}


builder = StateGraph(AgentState)
builder.add_node("plan", plan)
builder.add_node("research", research)
builder.add_node("review", review)
builder.add_node("finish", finish)
builder.add_edge(START, "plan")
builder.add_edge("plan", "research")
builder.add_edge("research", "review")
builder.add_edge("review", "finish")
builder.add_edge("finish", END)
graph = builder.compile()


class SlowState(TypedDict, total=False):
    delay: float
    count: Annotated[int, operator.add]


def _tick(name: str) -> Any:
    def tick(state: SlowState) -> dict[str, Any]:
        time.sleep(state.get("delay", 0.0))
        get_stream_writer()({"tick": name})
        return {"count": 1}

    return tick


slow_builder = StateGraph(SlowState)
_previous = START
for _index in range(6):
    _name = f"tick{_index}"
    slow_builder.add_node(_name, _tick(_name))
    slow_builder.add_edge(_previous, _name)
    _previous = _name
slow_builder.add_edge(_previous, END)
slow = slow_builder.compile()
