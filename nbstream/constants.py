"""LangGraph-compatible constants: ``START``, ``END``, the stream tags, and the config keys."""

from __future__ import annotations

from nbstream.graph._builder import END, START

__all__ = ["TAG_NOSTREAM", "TAG_HIDDEN", "START", "END", "CONF", "TASKS", "CONFIG_KEY_CHECKPOINTER"]

TAG_NOSTREAM = "nostream"
"""A chat model tagged with it does not stream tokens into the ``messages`` mode."""
TAG_HIDDEN = "langsmith:hidden"
"""Tags a run that tracing and streaming views should leave out."""
CONF = "configurable"
"""The RunnableConfig key that holds per-run settings (``thread_id``, ...)."""
TASKS = "__pregel_tasks"
"""The channel LangGraph's ``Send`` packets travel on."""
CONFIG_KEY_CHECKPOINTER = "__pregel_checkpointer"
"""The ``configurable`` key under which LangGraph passes a subgraph its checkpointer."""
