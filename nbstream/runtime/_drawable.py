"""``get_graph(xray=...)``: a compiled graph's drawing, its subgraphs expanded as LangGraph expands them.

``nbstream.graph._lc_graph`` draws one graph from its builder. This module adds what only the
compiled graph knows, and the subgraphs:

* metadata: ``__interrupt`` (``"before"``, ``"after"`` or ``"before,after"``) on the nodes named in
  ``compile(interrupt_before=/interrupt_after=)`` (a name test, so ``"*"`` marks none, as in
  LangGraph), and ``__tools`` (the tool names) on a node whose action has a non-empty
  ``tools_by_name`` mapping (a ``ToolNode``);
* ``xray``: ``True`` (or a negative number) expands every subgraph at every depth, ``n > 0`` expands
  ``n`` levels, ``False``/``0`` none. A subgraph is a node's compiled graph, or the compiled graph
  a node's function reaches through its closure or globals (``def call(s): return sub.invoke(s)``),
  or one inside a ``RunnableSequence``/``RunnableLambda`` node, as LangGraph finds them; a
  subgraph compiled with ``checkpointer=False`` stays one box, as in LangGraph.

Expanding node ``s`` puts the subgraph's own drawing in its place, node ids prefixed ``"s:"``
(nested ones ``"s:inner:x"``). The subgraph's ``__start__`` is dropped when it leads to a single
node and its ``__end__`` when a single node leads to it; otherwise they stay, as ``s:__start__``
/ ``s:__end__``. Edges into ``s`` then go to the subgraph's first node and edges out of ``s``
leave from its last one. A subgraph of a single node, or one with no single first or last node,
is left as one box. These are LangGraph 1.2's rules; the tests compare both libraries' drawings.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableLambda, RunnableSequence
from langchain_core.runnables.graph import Edge, Graph

from nbstream.graph._lc_graph import DrawnGraph, langchain_graph
from nbstream.runtime._persist import graph_referred_to

if TYPE_CHECKING:
    from nbstream.runtime.compiled import CompiledStateGraph

__all__ = ["compiled_drawing", "drawn_subgraphs"]


def compiled_drawing(graph: CompiledStateGraph, xray: int | bool = False) -> DrawnGraph:
    """The ``Graph`` LangGraph's ``get_graph(xray=xray)`` returns for the same program."""
    drawn = langchain_graph(graph.builder, graph.name, graph.edge_list)
    _mark_nodes(drawn, graph)
    if not xray:
        return drawn
    # True and negative numbers mean "all the way down"; n > 0 leaves n - 1 levels to the subgraph
    inner_xray = xray if isinstance(xray, bool) or xray <= 0 else xray - 1
    for name, subgraph in drawn_subgraphs(graph):
        _expand(drawn, name, compiled_drawing(subgraph, inner_xray))
    # nbstream's own offline drawing (draw_ascii, notebooks) shows the expanded nodes too
    drawn.drawing_edges = tuple((e.source, e.target, e.conditional) for e in drawn.edges)
    return drawn


def drawn_subgraphs(graph: CompiledStateGraph) -> Iterator[tuple[str, CompiledStateGraph]]:
    """``(node name, subgraph)`` for each node that xray expands, in the order of the nodes."""
    for name, node in graph.nodes.items():
        found = _subgraph_in(node.fn)
        if found is not None:
            yield name, found


def _subgraph_in(action: Any) -> CompiledStateGraph | None:
    """The first compiled graph a node's action is, holds or calls (LangGraph's search order)."""
    candidates: list[Any] = [action]
    for candidate in candidates:  # grows while it is walked: a breadth-first search
        if getattr(candidate, "_nbstream_compiled", False):
            if candidate.checkpointer is False:
                return None  # LangGraph does not count a subgraph that opted out of persistence
            found: CompiledStateGraph = candidate
            return found
        if isinstance(candidate, RunnableSequence):
            candidates.extend(candidate.steps)
        elif isinstance(candidate, RunnableLambda):
            candidates.extend(candidate.deps)
        elif candidate is action and (inspect.isfunction(action) or inspect.ismethod(action)):
            # a plain function node: the graph it refers to (``sub.invoke``), found as the runner
            # finds the graph whose checkpoints the node holds
            return graph_referred_to(action)
    return None


def _mark_nodes(drawn: DrawnGraph, graph: CompiledStateGraph) -> None:
    """Add the ``__interrupt`` and ``__tools`` metadata LangGraph shows for a compiled graph."""
    before, after = graph.interrupt_before_nodes, graph.interrupt_after_nodes
    for name, node in graph.nodes.items():
        extra: dict[str, Any] = {}
        stops = [when for when, names in (("before", before), ("after", after)) if name in names]
        if stops:
            extra["__interrupt"] = ",".join(stops)
        tools = getattr(node.fn, "tools_by_name", None)
        if isinstance(tools, Mapping) and tools:
            extra["__tools"] = list(tools)
        if extra:
            drawn_node = drawn.nodes[name]
            drawn.nodes[name] = drawn_node._replace(metadata={**(drawn_node.metadata or {}), **extra})


def _expand(drawn: DrawnGraph, name: str, inner: Graph) -> None:
    """Put ``inner`` (node ``name``'s subgraph, drawn) in place of that node, when LangGraph would."""
    if name not in drawn.nodes or len(inner.nodes) < 2:
        return
    if inner.first_node() is None or inner.last_node() is None:
        return
    inner.trim_first_node()
    inner.trim_last_node()
    del drawn.nodes[name]
    entry, exit_ = drawn.extend(inner, prefix=name)
    assert entry is not None and exit_ is not None  # trimming keeps a single first and last node
    drawn.edges[:] = [_rewired(edge, name, entry.id, exit_.id) for edge in drawn.edges]


def _rewired(edge: Edge, name: str, entry: str, exit_: str) -> Edge:
    """``edge`` with the expanded node ``name`` replaced by the subgraph's entry or exit node."""
    if edge.source != name and edge.target != name:
        return edge
    return edge.copy(
        source=exit_ if edge.source == name else edge.source,
        target=entry if edge.target == name else edge.target,
    )
