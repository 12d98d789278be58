"""LangGraph-compatible ``langgraph.graph.message``: ``add_messages``, ``MessagesState`` and friends."""

from nbstream.graph._messages import REMOVE_ALL_MESSAGES, MessageGraph, MessagesState, add_messages

__all__ = ["add_messages", "MessagesState", "MessageGraph", "REMOVE_ALL_MESSAGES"]
