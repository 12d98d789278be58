"""LangGraph-compatible graph building: ``from nbstream.graph import StateGraph, START, END``."""

from typing import Any

from nbstream.graph._builder import END, START, StateGraph
from nbstream.graph._messages import REMOVE_ALL_MESSAGES, MessageGraph, MessagesState, add_messages

__all__ = [
    "StateGraph",
    "START",
    "END",
    "add_messages",
    "MessagesState",
    "MessageGraph",
    "CompiledStateGraph",
    "REMOVE_ALL_MESSAGES",
]


def __getattr__(name: str) -> Any:
    # the runner imports this package's builder: load it on first use, so either side can be
    # imported first without a cycle
    if name == "CompiledStateGraph":
        from nbstream.runtime.compiled import CompiledStateGraph

        return CompiledStateGraph
    raise AttributeError(f"module 'nbstream.graph' has no attribute {name!r}")
