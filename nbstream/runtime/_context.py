"""Per-task context: what ``get_stream_writer()``/``get_config()`` and nested graphs read."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbstream.runtime.loop import Run, Task

__all__ = ["TaskContext", "CURRENT_TASK", "CURRENT_TOOL_CALL", "START_RUNTIME"]


@dataclass(slots=True)
class TaskContext:
    """The running task, its run, its writer and its RunnableConfig."""

    run: Run
    task: Task
    writer: Any
    config: dict[str, Any]
    #: how many graphs this task invoked itself (the 2nd gets an extra namespace segment '1', ...)
    nested_calls: int = field(default=0)
    #: the nbstream.runtime.Runtime the task's get_runtime() returns; built on first use when None
    runtime: Any = field(default=None)


CURRENT_TASK: ContextVar[TaskContext | None] = ContextVar("nbstream_current_task", default=None)

#: while a graph's routers from START run (before any task): the Runtime ``get_runtime()`` returns
START_RUNTIME: ContextVar[Any] = ContextVar("nbstream_start_runtime", default=None)

#: the tool call running in this context, as ``(task_id, call_id)``, while observers watch tool
#: calls (set by nbstream.tool_events.ToolCallsHandler); custom data written under it names the call
CURRENT_TOOL_CALL: ContextVar[tuple[str, str] | None] = ContextVar("nbstream_current_tool_call", default=None)
