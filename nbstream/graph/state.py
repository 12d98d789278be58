"""LangGraph-compatible ``langgraph.graph.state``: the builder and the compiled graph."""

from nbstream.graph._builder import StateGraph
from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["StateGraph", "CompiledStateGraph"]
