"""The drawing of a served graph, as the shape the watcher reads a LangGraph graph's from.

:func:`nbstream.langgraph._watch.graph_outline` reads a compiled graph's ``nodes``, its builder's
``edges`` and ``branches``, and a node's ``subgraphs``. A served graph is known by its drawing
(``client.assistants.get_graph(assistant_id, xray=True)``: nodes and edges, a subgraph's nodes
named ``"<node>:<inner>"``), so :func:`outline_from_drawing` builds a small object with those
attributes: the root's nodes and edges, and each subgraph's, whose entry and exit are the edges
that cross into and out of it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GraphOutline", "outline_from_drawing"]

_START, _END = "__start__", "__end__"


class _Branch:
    __slots__ = ("ends",)

    def __init__(self, targets: list[str]) -> None:
        self.ends = {target: target for target in targets}


class _Builder:
    __slots__ = ("branches", "edges")

    def __init__(self) -> None:
        self.edges: set[tuple[str, str]] = set()
        self.branches: dict[str, dict[str, _Branch]] = {}


class _Node:
    __slots__ = ("subgraphs",)

    def __init__(self) -> None:
        self.subgraphs: list[GraphOutline] = []


class GraphOutline:
    """A served graph's (or subgraph's) name, nodes and edges, shaped as the watcher reads them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.nodes: dict[str, _Node] = {}
        self.builder = _Builder()
        self._conditional: dict[str, list[str]] = {}

    def get_name(self) -> str:
        return self.name

    def _edge(self, source: str, target: str, conditional: bool) -> None:
        if conditional:
            self._conditional.setdefault(source, []).append(target)
        else:
            self.builder.edges.add((source, target))

    def _close(self) -> None:
        for source, targets in self._conditional.items():
            self.builder.branches[source] = {"condition": _Branch(targets)}
        self._order_nodes()
        for node in self.nodes.values():
            for sub in node.subgraphs:
                sub._close()


    def _order_nodes(self) -> None:
        """Nodes in the order a run reaches them (breadth first from the start), as a builder
        lists them; the drawing's own order is not that (it sorts them)."""
        after: dict[str, list[str]] = {}
        for source, target in sorted(self.builder.edges):
            after.setdefault(source, []).append(target)
        for source, targets in self._conditional.items():
            after.setdefault(source, []).extend(targets)
        seen: list[str] = []
        queue = [_START]
        while queue:
            for target in after.get(queue.pop(0), ()):
                if target in self.nodes and target not in seen:
                    seen.append(target)
                    queue.append(target)
        self.nodes = {name: self.nodes[name] for name in [*seen, *(n for n in self.nodes if n not in seen)]}


def outline_from_drawing(name: str, drawing: dict[str, Any]) -> GraphOutline:
    """The outline of a graph from its xray drawing (``{"nodes": [...], "edges": [...]}``)."""
    root = GraphOutline(name)
    for node in drawing.get("nodes", ()):
        path = str(node.get("id", "")).split(":")
        if path[0] in (_START, _END):
            continue
        graph = root
        for depth, segment in enumerate(path):
            entry = graph.nodes.setdefault(segment, _Node())
            if depth < len(path) - 1:
                if not entry.subgraphs:
                    entry.subgraphs.append(GraphOutline(segment))
                graph = entry.subgraphs[0]
    for edge in drawing.get("edges", ()):
        source = str(edge.get("source", "")).split(":")
        target = str(edge.get("target", "")).split(":")
        conditional = bool(edge.get("conditional", False))
        # the graph both ends share is where the edge is drawn; below it, the edge enters or leaves
        shared = 0
        while shared < min(len(source), len(target)) - 1 and source[shared] == target[shared]:
            shared += 1
        _add_edge(root, source, target, shared, conditional)
    root._close()
    return root


def _walk(root: GraphOutline, path: list[str]) -> GraphOutline | None:
    graph: GraphOutline | None = root
    for segment in path:
        node = graph.nodes.get(segment) if graph is not None else None
        graph = node.subgraphs[0] if node is not None and node.subgraphs else None
    return graph


def _add_edge(
    root: GraphOutline, source: list[str], target: list[str], shared: int, conditional: bool
) -> None:
    common = _walk(root, source[:shared])
    if common is None:
        return
    common._edge(source[shared], target[shared], conditional)
    # the inner graphs the source leaves end there; those the target enters start there
    for depth in range(shared + 1, len(source)):
        inner = _walk(root, source[:depth])
        if inner is not None:
            inner._edge(source[depth], _END, False)
    for depth in range(shared + 1, len(target)):
        inner = _walk(root, target[:depth])
        if inner is not None:
            inner._edge(_START, target[depth], False)
