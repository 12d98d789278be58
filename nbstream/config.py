"""LangGraph-compatible run-time accessors: ``get_stream_writer()``, ``get_config()``, ``get_store()``."""

from __future__ import annotations

from typing import Any, NoReturn

from nbstream.errors import NotSupportedError
from nbstream.runtime._context import CURRENT_TASK
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
        raise RuntimeError("get_stream_writer() was called outside a running graph node")
    writer: StreamWriter = ctx.writer
    return writer


def get_config() -> dict[str, Any]:
    """The running node's RunnableConfig (metadata with ``langgraph_node``, ``langgraph_step``...)."""
    ctx = CURRENT_TASK.get()
    if ctx is None:
        raise RuntimeError("get_config() was called outside a running graph node")
    if not ctx.config:
        ctx.config = ctx.run.task_config(ctx.task)
    return ctx.config


def get_store() -> NoReturn:
    """LangGraph's accessor for the graph's store: not supported, nbstream has no store yet."""
    raise NotSupportedError(
        "get_store() is not supported: nbstream has no store (compile(store=...)) yet. Pass the data "
        "the node needs in the state or in config['configurable'], or run this graph with LangGraph."
    )
