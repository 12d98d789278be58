"""An nbstream graph served by LangGraph Server: ``langgraph.json`` names ``graph`` in this module.

The graph is prototyped on nbstream (``compiled`` runs in a notebook with nbstream's live views);
LangGraph Server runs ``graph = compiled.to_langgraph()``, the same graph exported to LangGraph.
Serve it from this folder with ``langgraph dev`` (``pip install "langgraph-cli[inmem]"``); no key
and no outbound call is needed with ``LANGSMITH_TRACING=false LANGGRAPH_CLI_NO_ANALYTICS=1``.

It shows what a served graph usually has: a subgraph (``writer``), custom data
(``get_stream_writer()``), a chat model streaming tokens (a fake one, so it runs offline) and a
human review that pauses the thread with ``interrupt()`` when the input asks for one
(``{"review": true}``); the server's checkpointer keeps the paused thread.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage

from nbstream.config import get_stream_writer
from nbstream.graph import END, START, MessagesState, StateGraph
from nbstream.testing import fake_chat_model
from nbstream.types import interrupt

model = fake_chat_model("Otters hold hands while they sleep so they do not drift apart.")


class State(MessagesState, total=False):
    topic: str
    review: bool
    verdict: str


def outline(state: State) -> dict[str, Any]:
    get_stream_writer()({"stage": "outline", "topic": state.get("topic", "")})
    return {"messages": [HumanMessage(f"Write one sentence about {state.get('topic', 'otters')}.")]}


def draft(state: State) -> dict[str, Any]:
    get_stream_writer()({"stage": "draft"})
    return {"messages": [model.invoke(state["messages"])]}


writer_builder = StateGraph(State)
writer_builder.add_sequence([outline, draft])
writer_builder.add_edge(START, "outline")
writer = writer_builder.compile(name="writer")


def review(state: State) -> dict[str, Any]:
    if not state.get("review"):
        return {"verdict": "auto-approved"}
    answer = interrupt({"question": "Publish this draft?", "draft": state["messages"][-1].content})
    return {"verdict": str(answer)}


builder = StateGraph(State)
builder.add_node("writer", writer)
builder.add_node("review", review)
builder.add_edge(START, "writer")
builder.add_edge("writer", "review")
builder.add_edge("review", END)

#: the graph on nbstream: run it in a notebook, watch it with nbstream's views
compiled = builder.compile(name="agent")

#: the same graph on LangGraph: what LangGraph Server serves (see langgraph.json)
graph = compiled.to_langgraph()

#: an input that runs to the end without a review (add "review": True to pause for one)
EXAMPLE_INPUT: dict[str, Any] = {"topic": "otters", "messages": []}
