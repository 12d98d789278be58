"""The subgraph tree's model: root graph → its nodes → the subgraph runs they start → ..."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from nbstream.events import (
    Event,
    Namespace,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    TaskFinished,
    TaskRetrying,
    TaskStarted,
)
from nbstream.widgets._format import error_text
from nbstream.widgets.models._fold import EventFold
from nbstream.widgets.models._status import NodeState, Status

__all__ = ["GraphRun", "TreeNode", "SubgraphTreeModel"]


@dataclass(slots=True, eq=False)
class TreeNode(NodeState):
    """A node of one graph run, with the subgraph runs its tasks started (in start order)."""

    subgraphs: list[GraphRun] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class GraphRun:
    """One run of a graph: the root run, or one subgraph run (namespace ``(..., "node:<task>")``)."""

    ns: Namespace
    name: str
    order: tuple[str, ...] = ()
    status: Status = "running"
    error: str | None = None
    nodes: dict[str, TreeNode] = field(default_factory=dict)
    version: int = 0
    _ordered: list[TreeNode] | None = field(default=None, repr=False)

    def node(self, name: str) -> TreeNode:
        found = self.nodes.get(name)
        if found is None:
            found = self.nodes[name] = TreeNode(name)
            self._ordered = None
        return found

    def ordered_nodes(self) -> list[TreeNode]:
        """Declared order first, then nodes the graph did not declare, by name (do not modify)."""
        if self._ordered is None:
            rank = {name: i for i, name in enumerate(self.order)}
            last = len(self.order)
            self._ordered = sorted(self.nodes.values(), key=lambda n: (rank.get(n.name, last), n.name))
        return self._ordered


class SubgraphTreeModel(EventFold):
    """Folds events into a tree of :class:`GraphRun` s and :class:`TreeNode` s; no widgets.

    Subgraph runs hang under the node whose task started them, nested to any depth.
    ``version`` grows on every change anywhere in the tree.
    """

    def __init__(self) -> None:
        self.root: GraphRun | None = None
        self.version = 0
        self._graphs: dict[Namespace, GraphRun] = {}
        self._tasks: dict[str, TreeNode] = {}
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            RunStarted: self._run_started,
            TaskStarted: self._task_started,
            TaskFinished: self._task_finished,
            TaskRetrying: self._task_retrying,
            RunFinished: self._run_ended,
            RunFailed: self._run_ended,
            RunInterrupted: self._run_ended,
        }

    def walk(self) -> Iterator[GraphRun]:
        """Every graph run, parents before children."""
        stack = [self.root] if self.root is not None else []
        while stack:
            graph = stack.pop()
            yield graph
            for node in reversed(graph.ordered_nodes()):
                stack.extend(reversed(node.subgraphs))

    def _graph(self, ns: Namespace, name: str = "") -> GraphRun:
        graph = self._graphs.get(ns)
        if graph is None:
            graph = self._graphs[ns] = GraphRun(ns, name or (ns[-1].rpartition(":")[0] if ns else "graph"))
            if not ns:
                self.root = graph
            else:
                self._starter(ns).subgraphs.append(graph)
        return graph

    def _starter(self, ns: Namespace) -> TreeNode:
        """The node whose task started the graph run at ``ns``."""
        last = ns[-1]
        if ":" not in last and len(ns) > 1:
            return self._starter(ns[:-1])  # a further run inside the same task ("...", "1")
        node_name, _, task_id = last.rpartition(":")
        starter = self._tasks.get(task_id)
        if starter is None:  # the starting task was never seen: hang it under its node
            starter = self._graph(ns[:-1]).node(node_name or last)
        return starter

    def _run_started(self, event: RunStarted) -> None:
        graph = self._graph(event.ns, event.graph_name)
        graph.name = event.graph_name
        graph.order = event.node_names
        graph.status = "running"  # a run that continues a paused thread runs again
        graph.error = None
        graph._ordered = None
        for name in event.node_names:
            graph.node(name)
        graph.version += 1
        self.version += 1

    def _task_started(self, event: TaskStarted) -> None:
        node = self._graph(event.ns).node(event.node)
        self._tasks[event.task_id] = node
        node.started()
        self.version += 1

    def _task_finished(self, event: TaskFinished) -> None:
        node = self._tasks.get(event.task_id)
        if node is None:
            node = self._graph(event.ns).node(event.node)
        node.finished(event)
        self.version += 1

    def _task_retrying(self, event: TaskRetrying) -> None:
        node = self._tasks.get(event.task_id)
        if node is None:
            node = self._graph(event.ns).node(event.node)
        node.retrying(event)
        self.version += 1

    def _run_ended(self, event: RunFinished | RunFailed | RunInterrupted) -> None:
        graph = self._graph(event.ns)
        if isinstance(event, RunFinished):
            graph.status = "done"
        elif isinstance(event, RunInterrupted):
            graph.status = "waiting"
        elif event.cancelled:
            graph.status = "cancelled"
        else:
            graph.status = "error"
            graph.error = error_text(event.error)
        graph.version += 1
        self.version += 1
        if not event.ns:
            self._stop_all("waiting" if isinstance(event, RunInterrupted) else "cancelled")
        else:
            for node in graph.nodes.values():
                node.stopped()

    def _stop_all(self, status: Status) -> None:
        # nothing may stay "running" once the root run ended, however it ended; a subgraph run
        # still open when the root paused is paused with it (its interrupt went up through it)
        for graph in self.walk():
            if graph.status == "running":
                graph.status = status
                graph.version += 1
            for node in graph.nodes.values():
                node.stopped()
