"""The run view's model: a header (graph, status, step, time, error) over the three part models."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from typing import Any

from nbstream.events import (
    CheckpointSaved,
    Event,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskFinished,
    TaskStarted,
    ThreadControl,
)
from nbstream.widgets._format import error_text
from nbstream.widgets.models._fold import EventFold, Handlers
from nbstream.widgets.models._namespaces import NamespaceIndex, path_label
from nbstream.widgets.models._status import Status
from nbstream.widgets.models.history import HistoryModel
from nbstream.widgets.models.pause import PauseModel
from nbstream.widgets.models.table import StateTableModel
from nbstream.widgets.models.ticker import TokenTickerModel
from nbstream.widgets.models.tools import ToolCallsModel
from nbstream.widgets.models.tree import SubgraphTreeModel

__all__ = ["RunHeaderModel", "RunModel", "Handlers"]


class RunHeaderModel(EventFold):
    """What the header line shows about the root run; pure Python."""

    def __init__(self, *, index: NamespaceIndex | None = None, clock: Callable[[], float] = time.monotonic):
        self.run_id: str | None = None
        self.graph_name = ""
        self.status: Status = "pending"
        self.step = -1
        self.started: float | None = None
        self.ended: float | None = None
        #: ``TypeName: message`` of the error that ended the run, and the node that raised first
        self.error: str | None = None
        self.failed_node: str | None = None
        self.node_names: tuple[str, ...] = ()
        self.edges: tuple[tuple[str, str, bool], ...] = ()
        self.version = 0
        self._index = index if index is not None else NamespaceIndex()
        self._clock = clock
        self.handlers: Handlers = {
            RunStarted: self._run_started,
            StepStarted: self._step,
            StepFinished: self._step,
            TaskFinished: self._task_finished,
            RunFinished: self._run_finished,
            RunFailed: self._run_failed,
            RunInterrupted: self._run_interrupted,
        }

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the run started (until it ended, once it has)."""
        if self.started is None:
            return 0.0
        end = self.ended if self.ended is not None else (self._clock() if now is None else now)
        return end - self.started

    def _run_started(self, event: RunStarted) -> None:
        if event.ns:
            return
        self.run_id = event.run_id
        self.graph_name = event.graph_name
        self.node_names = event.node_names
        self.edges = event.edges
        self.status = "running"
        self.started = self._clock()
        # a run that continues a paused thread in the same model starts with a clean slate
        self.ended = None
        self.error = None
        self.failed_node = None
        self.version += 1

    def _step(self, event: StepStarted | StepFinished) -> None:
        if not event.ns and event.step != self.step:
            self.step = event.step
            self.version += 1

    def _task_finished(self, event: TaskFinished) -> None:
        if event.error is not None and not event.cancelled and self.failed_node is None:
            self.failed_node = path_label(self._index.task_path(event.ns, event.task_id, event.node))
            self.version += 1

    def _run_finished(self, event: RunFinished) -> None:
        if not event.ns:
            self.status = "done"
            self.ended = self._clock()
            self.version += 1

    def _run_interrupted(self, event: RunInterrupted) -> None:
        if not event.ns:
            self.status = "waiting"  # paused for an answer: neither running nor done
            self.ended = self._clock()
            self.version += 1

    def _run_failed(self, event: RunFailed) -> None:
        if event.ns:
            return
        self.status = "cancelled" if event.cancelled else "error"
        self.error = None if event.cancelled else error_text(event.error)
        self.ended = self._clock()
        self.version += 1


def merge_handlers(*tables: Handlers) -> Handlers:
    """One handler per event type that calls each model's handler in turn."""
    grouped: dict[type[Event], list[Callable[[Any], None]]] = {}
    for table in tables:
        for kind, handler in table.items():
            grouped.setdefault(kind, []).append(handler)
    merged: Handlers = {}
    for kind, handlers in grouped.items():
        merged[kind] = handlers[0] if len(handlers) == 1 else _chain(tuple(handlers))
    return merged


def _chain(handlers: tuple[Callable[[Any], None], ...]) -> Callable[[Any], None]:
    def call_each(event: Any) -> None:
        for handler in handlers:
            handler(event)

    return call_each


class RunModel(EventFold):
    """Everything a run view shows, folded from one run's events: header, table, ticker, tree.

    Pure Python, so it can be tested (and replayed from a recording) without Jupyter. Parts that
    are switched off (``table=False``...) are ``None`` and cost nothing per event. ``tools`` holds
    the tool calls, shown under their nodes in the table (so it is on only with the table). With
    ``threads=True`` the model also follows a run on a thread: ``pause`` (what a paused run asks)
    and ``history`` (its checkpoints) are made by the first event that needs them, so a run
    without a checkpointer never builds them.
    """

    def __init__(
        self,
        *,
        table: bool = True,
        tools: bool = True,
        ticker: bool = True,
        tree: bool = True,
        subgraphs: bool = True,
        nodes: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        threads: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.index = NamespaceIndex()
        self.pause: PauseModel | None = None
        self.history: HistoryModel | None = None
        #: the thread the run belongs to, once an event gave it (what the panels' buttons act on)
        self.thread: ThreadControl | None = None
        self.header = RunHeaderModel(index=self.index, clock=clock)
        self.table = StateTableModel(subgraphs=subgraphs, index=self.index) if table else None
        self.tools = ToolCallsModel(subgraphs=subgraphs, index=self.index) if table and tools else None
        self.ticker = (
            TokenTickerModel(nodes=nodes, tags=tags, index=self.index, clock=clock) if ticker else None
        )
        self.tree = SubgraphTreeModel() if tree else None
        self._threads = threads
        self.handlers = self._merged_handlers()

    def _merged_handlers(self) -> Handlers:
        models = (self.table, self.tools, self.ticker, self.tree)
        parts = [m.handlers for m in models if m is not None]
        index: Handlers = {TaskStarted: self._task_started}
        if self._threads:
            # rare events (a checkpoint per step at most): the panels' models are made by the
            # first one that needs them, so a run without a checkpointer never has them
            index.update(
                {
                    RunInterrupted: self._paused,
                    RunResumed: self._to_pause,
                    RunStarted: self._to_pause,
                    CheckpointSaved: self._checkpoint,
                }
            )
        return merge_handlers(index, self.header.handlers, *parts)

    def __deepcopy__(self, memo: dict[int, Any]) -> RunModel:
        """A copy that folds on independently of this model (the step timeline keeps a few).

        Everything is copied but the merged handler table, whose chained handlers would still
        call this model's parts: the copy builds its own. Put values to share in ``memo``.
        """
        twin = RunModel.__new__(RunModel)
        memo[id(self)] = twin
        for name, value in vars(self).items():
            if name != "handlers":
                setattr(twin, name, copy.deepcopy(value, memo))
        twin.handlers = twin._merged_handlers()
        return twin

    def _paused(self, event: RunInterrupted) -> None:
        if event.thread is not None:
            self.thread = event.thread
        if self.pause is None and not event.ns:
            self.pause = PauseModel()
        if self.pause is not None:
            self.pause.fold(event)

    def _to_pause(self, event: RunResumed | RunStarted) -> None:
        if self.pause is not None:
            self.pause.fold(event)

    def _checkpoint(self, event: CheckpointSaved) -> None:
        thread = getattr(event, "thread", None)  # should an event ever carry it
        if thread is not None:
            self.thread = thread
        if self.history is None and not event.ns:
            self.history = HistoryModel()
        if self.history is not None:
            self.history.fold(event)

    def _task_started(self, event: TaskStarted) -> None:
        self.index.task_started(event.ns, event.task_id, event.node)

    def node_statuses(self) -> dict[str, Status]:
        """Status of each root-graph node (for colouring the drawing of the graph)."""
        if self.tree is not None and self.tree.root is not None:
            return {node.name: node.status for node in self.tree.root.nodes.values()}
        if self.table is not None:
            return {row.name: row.status for path, row in self.table.rows.items() if len(path) == 1}
        return {}
