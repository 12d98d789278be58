"""LangGraph-compatible graph building: ``from nbstream.graph import StateGraph, START, END``."""

from nbstream.graph._builder import END, START, StateGraph
from nbstream.graph._messages import REMOVE_ALL_MESSAGES, MessagesState, add_messages
from nbstream.runtime.compiled import CompiledStateGraph

__all__ = [
    "StateGraph",
    "START",
    "END",
    "add_messages",
    "MessagesState",
    "CompiledStateGraph",
    "REMOVE_ALL_MESSAGES",
]
