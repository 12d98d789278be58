"""Tool calls as events: the langchain-core side of the views' tool-call rows.

A :class:`ToolCallsHandler` is made per call of a graph that has observers (views, recorders, your
own callables) unless every observer says ``wants_tool_calls = False``; a run without observers
has none and pays nothing. It rides in the same task callbacks as the messages handler
(:mod:`nbstream.llm`), so a langchain-core tool run anywhere inside a node (``tool.invoke(args)``,
``tool.invoke(tool_call)``, ``await tool.ainvoke(...)``, ``tool.batch`` in threads, a ``ToolNode``)
reports to it. It publishes, on the run's bus:

* ``ToolCallStarted`` when the tool starts: the task and node it runs in (read from the
  ``langgraph_*`` metadata the task's callbacks carry), the tool's name, its arguments (the dict
  the model sent, injected arguments left out, or the input string), and the model's tool call id
  when the tool was given a ``ToolCall``;
* ``ToolCallFinished`` when it ends: what it returned (a ``ToolMessage`` for a ``ToolCall``) or
  the error it raised, and how long it took.

While a tool runs, :data:`~nbstream.runtime._context.CURRENT_TOOL_CALL` names it, so that custom
data written inside it (``get_stream_writer()`` in the tool, or a writer the node handed it) is
published with ``CustomData.tool_call`` set. The variable is set in the caller's context before
langchain-core copies it for the tool body, and reset when the tool ends. No stream mode reads
these events: LangGraph has no tool-call chunk, and stream output does not change.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from nbstream._callbacks import plus_handler
from nbstream.events import Event, Namespace, ToolCallFinished, ToolCallStarted
from nbstream.runtime._context import CURRENT_TOOL_CALL

__all__ = ["ToolCallsHandler", "with_tool_handler"]

_NS_SEP = "|"
_perf = time.perf_counter


class _ToolRun:
    """What the end of one running tool call needs to know about its start."""

    __slots__ = ("call_id", "node", "ns", "started", "step", "task_id", "token")

    def __init__(self, ns: Namespace, step: int, task_id: str, node: str, call_id: str, token: Any) -> None:
        self.ns = ns
        self.step = step
        self.task_id = task_id
        self.node = node
        self.call_id = call_id
        self.token = token
        self.started = _perf()


class ToolCallsHandler(BaseCallbackHandler):
    """Publishes the tool runs of one call of a graph as ``ToolCallStarted``/``ToolCallFinished``."""

    run_inline = True  # in the tool's own thread and task: the context variable must be set there
    #: ours: like the messages handler, it alone does not make a call traced (nbstream.runtime._tracing)
    _nbstream_messages = True
    # langchain-core routes tool callbacks through ``ignore_agent``; everything else is not ours
    ignore_llm = True
    ignore_chat_model = True
    ignore_chain = True
    ignore_agent = False
    ignore_retriever = True
    ignore_retry = True
    ignore_custom_event = True

    def __init__(self, publish: Callable[[Event], None], run_id: str) -> None:
        self._publish = publish
        self._run_id = run_id
        self._runs: dict[int, _ToolRun] = {}

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        checkpoint_ns = metadata.get("langgraph_checkpoint_ns") if metadata else None
        if not isinstance(checkpoint_ns, str) or metadata is None:
            return  # not run from a task of ours (a config built by hand, another framework)
        segments = checkpoint_ns.split(_NS_SEP)
        task_id = segments[-1].rpartition(":")[2]
        ns = tuple(segments[:-1])
        node = metadata.get("langgraph_node", "")
        step = metadata.get("langgraph_step", 0)
        call_id = str(run_id)
        tool = (serialized or {}).get("name") or kwargs.get("name") or "tool"
        tool_call_id = kwargs.get("tool_call_id")
        self._publish(
            ToolCallStarted(
                self._run_id,
                ns,
                step,
                task_id,
                node,
                call_id,
                str(tool),
                inputs if inputs is not None else input_str,
                tool_call_id if isinstance(tool_call_id, str) else None,
            )
        )
        token = CURRENT_TOOL_CALL.set((task_id, call_id))
        self._runs[run_id.int] = _ToolRun(ns, step, task_id, node, call_id, token)

    def on_tool_end(
        self, output: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        self._end(run_id, output, None)

    def on_tool_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        self._end(run_id, None, error)

    def _end(self, run_id: UUID, output: Any, error: BaseException | None) -> None:
        run = self._runs.pop(run_id.int, None)
        if run is None:
            return
        # a tool that ended in another context than it started in has nothing to undo here
        with contextlib.suppress(ValueError):
            CURRENT_TOOL_CALL.reset(run.token)
        self._publish(
            ToolCallFinished(
                self._run_id,
                run.ns,
                run.step,
                run.task_id,
                run.node,
                run.call_id,
                output,
                error,
                _perf() - run.started,
            )
        )


def with_tool_handler(callbacks: Any, handler: ToolCallsHandler) -> Any:
    """``callbacks`` (a list of handlers or a callback manager) with ``handler`` in place of any other.

    A graph invoked inside a node reports its tool calls to its own handler alone, which publishes
    on its own bus: one route per task keeps a tool's custom data after its start, before its end.
    """
    return plus_handler(callbacks, handler, replacing=ToolCallsHandler)
