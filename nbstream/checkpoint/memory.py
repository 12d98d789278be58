"""``InMemorySaver`` (and its old name ``MemorySaver``) from ``langgraph-checkpoint``."""

from langgraph.checkpoint.memory import InMemorySaver, MemorySaver

__all__ = ["InMemorySaver", "MemorySaver"]
