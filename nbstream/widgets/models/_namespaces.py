"""Turns event namespaces (``("outer:<task_id>", ...)``) into stable paths of node names.

A node that runs graphs more than once in one task gives the later runs a counter element
(``("outer:<task_id>", "1")``); they share the first run's path.

Task ids are random, so nothing a user sees (or a snapshot stores) is keyed by them: a subgraph's
nodes are named by the path of node names that leads to them, ``("outer", "inner")``. Two runs of
the same graph therefore give the same paths.
"""

from __future__ import annotations

from nbstream.events import Namespace

__all__ = ["NamespaceIndex", "Path", "path_label"]

Path = tuple[str, ...]


def path_label(path: Path) -> str:
    """``outer/inner`` for display."""
    return "/".join(path)


class NamespaceIndex:
    """Remembers which node each task ran, to name the subgraph namespaces those tasks open."""

    __slots__ = ("_namespaces", "_tasks")

    def __init__(self) -> None:
        self._tasks: dict[str, Path] = {}
        self._namespaces: dict[Namespace, Path] = {(): ()}

    def task_started(self, ns: Namespace, task_id: str, node: str) -> Path:
        """Record that ``task_id`` runs ``node`` in graph ``ns``; return the node's path."""
        path = self._tasks.get(task_id)
        if path is None:
            path = (*self.path(ns), node)
            self._tasks[task_id] = path
        return path

    def task_path(self, ns: Namespace, task_id: str, node: str) -> Path:
        """The path of a task seen before (or of ``node`` in ``ns`` if it was not)."""
        path = self._tasks.get(task_id)
        return path if path is not None else (*self.path(ns), node)

    def path(self, ns: Namespace) -> Path:
        """The path of node names of the graph that publishes under ``ns``."""
        path = self._namespaces.get(ns)
        if path is None:
            last = ns[-1]
            if ":" not in last and len(ns) > 1:
                path = self.path(ns[:-1])  # a further graph run inside the same task ("...", "1")
            else:
                node, _, task_id = last.rpartition(":")
                known = self._tasks.get(task_id)
                path = known if known is not None else (*self.path(ns[:-1]), node or last)
            self._namespaces[ns] = path
        return path
