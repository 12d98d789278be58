"""LangGraph-compatible run-time accessors: ``get_stream_writer()``, ``get_config()``, ``get_store()``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from nbstream.runtime._context import CURRENT_TASK, START_RUNTIME
from nbstream.types import StreamWriter

__all__ = ["get_stream_writer", "get_config", "get_store"]


def get_stream_writer() -> StreamWriter:
    """The running node's writer: call it with any value to emit it on the ``custom`` stream.

    When nobody listens (no ``custom`` mode, no observer) it is a no-op. Works in nodes, in tools
    and in anything else a node calls, sync or async (the task context is copied into threads and
    asyncio tasks). Outside a running graph it raises ``RuntimeError``, as LangGraph does.
    """
    ctx = CURRENT_TASK.get()
    if ctx is None:
        if (langgraph_own := langgraph_accessor("get_stream_writer")) is not None:
            return langgraph_own()  # type: ignore[no-any-return]
        raise RuntimeError("get_stream_writer() was called outside a running graph node")
    writer: StreamWriter = ctx.writer
    return writer


def get_config() -> dict[str, Any]:
    """The running node's RunnableConfig (metadata with ``langgraph_node``, ``langgraph_step``...)."""
    ctx = CURRENT_TASK.get()
    if ctx is None:
        if (langgraph_own := langgraph_accessor("get_config")) is not None:
            return langgraph_own()  # type: ignore[no-any-return]
        raise RuntimeError("get_config() was called outside a running graph node")
    if not ctx.config:
        ctx.config = ctx.run.task_config(ctx.task)
    return ctx.config


def get_store() -> Any:
    """The graph's long-term memory store (``compile(store=...)``), from inside a node, a router or
    anything they call; ``None`` when the graph has none, as in LangGraph.

    Inside a subgraph it is the outermost graph's store. Outside a running graph it raises
    ``RuntimeError``, as LangGraph does.
    """
    ctx = CURRENT_TASK.get()
    if ctx is not None:
        return ctx.run.root.store
    start = START_RUNTIME.get()
    if start is not None:  # a router from START, which runs before any task
        return start.store
    if (langgraph_own := langgraph_accessor("get_store")) is not None:  # to_langgraph()'s nodes
        return langgraph_own()
    raise RuntimeError("get_store() was called outside a running graph node")


def langgraph_accessor(name: str) -> Callable[..., Any] | None:
    """LangGraph's own accessor ``name`` when LangGraph runs the calling code, else ``None``.

    So that nbstream's accessors keep working in a graph exported with ``to_langgraph()``. Asked
    only when no nbstream task is running; costs nothing unless LangGraph is loaded.
    """
    if "langgraph.pregel" not in sys.modules:
        return None
    from nbstream.langgraph._export import langgraph_accessor as accessor

    return accessor(name)
