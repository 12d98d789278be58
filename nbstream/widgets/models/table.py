"""The state table's model: one row per node, and the root graph's state after the last step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nbstream.events import (
    Event,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    StepFinished,
    TaskFinished,
    TaskRetrying,
    TaskStarted,
)
from nbstream.widgets.models._fold import EventFold
from nbstream.widgets.models._namespaces import NamespaceIndex, Path
from nbstream.widgets.models._status import NodeState

__all__ = ["NodeRow", "StateTableModel"]


@dataclass(slots=True, eq=False)
class NodeRow(NodeState):
    """A node of the root graph (``path == ("name",)``) or of a subgraph (``("outer", "inner")``).

    ``update`` is what the node returned the last time it finished (``None``: it wrote nothing).
    """

    path: Path = ()
    update: Any = None


class StateTableModel(EventFold):
    """Folds events into :class:`NodeRow` s and the current state; pure Python, no widgets.

    ``subgraphs=False`` keeps only the root graph's nodes. Rows are ordered as the graphs declare
    their nodes (subgraph rows right under the node that runs them), never by arrival, so parallel
    nodes give the same order in every run.
    """

    def __init__(self, *, subgraphs: bool = True, index: NamespaceIndex | None = None) -> None:
        self.subgraphs = subgraphs
        self.rows: dict[Path, NodeRow] = {}
        #: the root graph's full state after the last finished step, and the keys it changed
        self.values: dict[str, Any] | None = None
        self.changed: frozenset[str] = frozenset()
        self.state_step = -1
        self.state_version = 0
        #: grows on every change of a row or of the state
        self.version = 0
        self._index = index if index is not None else NamespaceIndex()
        self._orders: dict[Path, tuple[str, ...]] = {}
        self._children: dict[Path, list[Path]] = {}
        self._ordered: list[NodeRow] | None = None
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            RunStarted: self._run_started,
            TaskStarted: self._task_started,
            TaskFinished: self._task_finished,
            TaskRetrying: self._task_retrying,
            StepFinished: self._step_finished,
            RunFinished: self._run_ended,
            RunFailed: self._run_ended,
            RunInterrupted: self._run_ended,
        }

    def ordered_rows(self) -> list[NodeRow]:
        """The rows in display order: declared node order, subgraph rows under their node.

        The list is kept until a row or a graph is added: do not modify it.
        """
        if self._ordered is None:
            self._ordered = []
            self._visit((), self._ordered)
        return self._ordered

    def _visit(self, parent: Path, out: list[NodeRow]) -> None:
        kids = self._children.get(parent)
        if not kids:
            return
        order = self._orders.get(parent, ())
        rank = {name: i for i, name in enumerate(order)}
        last = len(order)
        for path in sorted(kids, key=lambda p: (rank.get(p[-1], last), p[-1])):
            out.append(self.rows[path])
            self._visit(path, out)

    def _row(self, path: Path) -> NodeRow:
        row = self.rows.get(path)
        if row is None:
            row = self.rows[path] = NodeRow(path[-1], path=path)
            self._children.setdefault(path[:-1], []).append(path)
            self._ordered = None
        return row

    def _run_started(self, event: RunStarted) -> None:
        if event.ns and not self.subgraphs:
            return
        graph = self._index.path(event.ns)
        self._orders[graph] = event.node_names
        self._ordered = None
        for name in event.node_names:
            self._row((*graph, name))
        self.version += 1

    def _task_started(self, event: TaskStarted) -> None:
        path = self._index.task_started(event.ns, event.task_id, event.node)
        if event.ns and not self.subgraphs:
            return
        self._row(path).started()
        self.version += 1

    def _task_finished(self, event: TaskFinished) -> None:
        if event.ns and not self.subgraphs:
            return
        row = self._row(self._index.task_path(event.ns, event.task_id, event.node))
        row.finished(event)
        if event.error is None and not event.cancelled and not event.interrupts:
            # a hand-off (Command.PARENT) shows the command it sent up
            row.update = event.update if event.handoff is None else event.handoff
        self.version += 1

    def _task_retrying(self, event: TaskRetrying) -> None:
        if event.ns and not self.subgraphs:
            return
        self._row(self._index.task_path(event.ns, event.task_id, event.node)).retrying(event)
        self.version += 1

    def _step_finished(self, event: StepFinished) -> None:
        if event.ns:
            return
        self.values = event.values
        self.changed = event.updated
        self.state_step = event.step
        self.state_version += 1
        self.version += 1

    def _run_ended(self, event: RunFinished | RunFailed | RunInterrupted) -> None:
        graph = self._index.path(event.ns)
        depth = len(graph)
        for path, row in self.rows.items():
            if path[:depth] == graph and row.stopped():
                self.version += 1
