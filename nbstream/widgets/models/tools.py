"""The tool-call rows' model: one row per langchain-core tool call, under the node that ran it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from nbstream.events import (
    CustomData,
    Event,
    Namespace,
    RunFailed,
    RunFinished,
    TaskFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from nbstream.widgets._format import error_text, message_text, preview
from nbstream.widgets.models._fold import EventFold
from nbstream.widgets.models._namespaces import NamespaceIndex, Path

__all__ = ["ToolCallRow", "ToolCallsModel", "ToolStatus"]

ToolStatus = Literal["running", "done", "error", "cancelled"]


@dataclass(slots=True, eq=False)
class ToolCallRow:
    """One tool call: which tool, its arguments, how it ended, what it returned or wrote.

    ``result`` is what to show of the tool's return value (a ``ToolMessage``'s content, else the
    value itself); ``error`` is ``TypeName: message``, or the content of a ``ToolMessage`` whose
    status is ``"error"`` (a tool that handled its own error). ``custom`` holds the last
    ``ToolCallsModel.keep_custom`` values the tool wrote to its stream writer; ``custom_count`` all.
    """

    call_id: str
    ns: Namespace
    task_id: str
    node: str
    path: Path
    step: int
    tool: str
    args: Any
    tool_call_id: str | None = None
    status: ToolStatus = "running"
    result: Any = None
    error: str | None = None
    duration: float | None = None
    custom: list[Any] = field(default_factory=list)
    custom_count: int = 0
    version: int = 0


class ToolCallsModel(EventFold):
    """Folds tool-call events (and the custom data tools wrote) into :class:`ToolCallRow` s; no widgets.

    ``subgraphs=False`` keeps only the root graph's calls. ``calls`` keeps arrival order (what the
    live view shows); :meth:`ordered` gives a run-independent order for snapshots, since parallel
    tools start in any order.
    """

    def __init__(
        self, *, subgraphs: bool = True, index: NamespaceIndex | None = None, keep_custom: int = 20
    ) -> None:
        self.subgraphs = subgraphs
        self.keep_custom = keep_custom
        self.calls: dict[str, ToolCallRow] = {}
        #: the calls of each node path, in arrival order
        self.by_path: dict[Path, list[ToolCallRow]] = {}
        #: grows on every change of any call
        self.version = 0
        self._index = index if index is not None else NamespaceIndex()
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            ToolCallStarted: self._started,
            ToolCallFinished: self._finished,
            CustomData: self._custom,
            TaskFinished: self._task_finished,
            RunFinished: self._run_ended,
            RunFailed: self._run_ended,
        }

    def ordered(self, path: Path) -> list[ToolCallRow]:
        """The calls of node ``path`` in a run-independent order: by step, tool, arguments."""
        return sorted(
            self.by_path.get(path, ()),
            key=lambda c: (c.step, c.tool, preview(c.args, 200), c.tool_call_id or ""),
        )

    def _started(self, event: ToolCallStarted) -> None:
        if event.ns and not self.subgraphs:
            return
        path = self._index.task_path(event.ns, event.task_id, event.node)
        row = ToolCallRow(
            event.call_id,
            event.ns,
            event.task_id,
            event.node,
            path,
            event.step,
            event.tool,
            event.args,
            event.tool_call_id,
        )
        self.calls[event.call_id] = row
        self.by_path.setdefault(path, []).append(row)
        self.version += 1

    def _finished(self, event: ToolCallFinished) -> None:
        row = self.calls.get(event.call_id)
        if row is None:
            return
        row.duration = event.duration
        result = event.result
        if event.error is not None:
            row.status = "error"
            row.error = error_text(event.error)
        elif _is_tool_message(result):
            content = message_text(result.content) if isinstance(result.content, list) else result.content
            row.result = content
            if getattr(result, "status", None) == "error":
                row.status = "error"
                row.error = str(content)
            else:
                row.status = "done"
        else:
            row.status = "done"
            row.result = result
        row.version += 1
        self.version += 1

    def _custom(self, event: CustomData) -> None:
        if event.tool_call is None:
            return
        row = self.calls.get(event.tool_call)
        if row is None:
            return
        row.custom.append(event.data)
        if len(row.custom) > self.keep_custom:
            del row.custom[0]
        row.custom_count += 1
        row.version += 1
        self.version += 1

    def _task_finished(self, event: TaskFinished) -> None:
        # a node that raised or was stopped while its tools ran: their calls end with it
        if event.error is None and not event.cancelled:
            return
        status: ToolStatus = "cancelled" if event.cancelled else "error"
        for row in self.calls.values():
            if row.status == "running" and row.task_id == event.task_id:
                self._stop(row, status)

    def _run_ended(self, event: RunFinished | RunFailed) -> None:
        depth = len(event.ns)
        for row in self.calls.values():
            if row.status == "running" and row.ns[:depth] == event.ns:
                self._stop(row, "cancelled")

    def _stop(self, row: ToolCallRow, status: ToolStatus) -> None:
        row.status = status
        row.version += 1
        self.version += 1


def _is_tool_message(value: Any) -> bool:
    # duck-typed, as nbstream.widgets._format does, so that no langchain-core import is needed here
    return type(value).__name__.startswith("ToolMessage") and hasattr(value, "content")
