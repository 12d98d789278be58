"""``get_graph()``'s result: a langchain-core ``Graph`` with LangGraph's nodes and edges.

LangGraph returns a ``langchain_core.runnables.graph.Graph``; programs read its ``nodes`` and
``edges`` and print ``draw_mermaid()``. nbstream builds the same object from the builder's
declarations, so that text is LangGraph's:

* nodes: ``__start__``, the graph's nodes in the order they were added (with their ``metadata``,
  plus ``defer: True`` for deferred nodes), then ``__end__`` once an edge reaches it. A node's
  ``data`` is a Runnable, as in LangGraph (so ``to_json()`` gives ``"type": "runnable"``): the
  node's own Runnable or compiled graph, else its function in a ``RunnableLambda`` (its ``func``
  or ``afunc`` is the function, as on LangGraph's ``RunnableCallable``); ``__start__``'s passes
  its input through;
* edges, sorted: plain edges and joins (solid); conditional edges from a ``path_map`` (labelled
  with the key when it differs from the target), a router's ``Literal`` return hint, a node's
  ``Command[Literal[...]]`` hint or ``destinations=`` (dotted); then a solid edge to ``__end__``
  from every node that some edge reaches and no edge leaves. A plain ``add_edge(x, END)`` is
  drawn only by that last rule, as LangGraph does: a node that also has other edges out shows
  no edge to ``__end__``.

LangGraph finds its edges by simulating a run of the graph; nbstream reads them from the
declarations, which gives the same drawing for graphs whose routes are declared (the common case).
A router with neither ``path_map`` nor ``Literal`` hint contributes no edge in either library, and
as in LangGraph's walk, a node reached only through such a route (or a ``Send``) keeps no edges.

The drawing in a notebook (``_repr_mimebundle_``) and ``draw_ascii()`` are nbstream's own, offline
ones: LangGraph's need a network service (``draw_mermaid_png``) or ``grandalf``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.runnables.graph import Graph

if TYPE_CHECKING:
    from nbstream.graph._builder import StateGraph

__all__ = ["DrawnGraph", "langchain_graph"]

START, END = "__start__", "__end__"


class DrawnGraph(Graph):
    """A langchain-core ``Graph`` that also draws itself offline (notebooks, terminals)."""

    graph_name: str | None = None
    #: ``(source, target, conditional)`` for nbstream's own drawing
    drawing_edges: tuple[tuple[str, str, bool], ...] = ()

    def _drawing(self) -> Any:
        from nbstream.widgets.drawing import GraphDrawing

        names = tuple(n for n in self.nodes if n not in (START, END))
        return GraphDrawing(names, self.drawing_edges, name=self.graph_name)

    def draw_ascii(self) -> str:
        """The ASCII drawing (nbstream's: LangGraph's needs the ``grandalf`` package)."""
        text: str = self._drawing().draw_ascii()
        return text

    def print_ascii(self) -> None:
        print(self.draw_ascii(), end="")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle: dict[str, str] = self._drawing()._repr_mimebundle_(include, exclude)
        return bundle


def langchain_graph(
    builder: StateGraph, name: str, drawing_edges: tuple[tuple[str, str, bool], ...]
) -> DrawnGraph:
    """The graph as LangGraph's ``get_graph()`` returns it (see the module docstring)."""
    from nbstream.graph._hints import branch_targets

    edges: set[tuple[str, str, bool, Any]] = set()
    for source, target in builder.edges:
        if target != END:  # as LangGraph: a plain edge to END is drawn by the termini rule below
            edges.add((source, target, False, None))
    for branch in builder.branches:
        if branch.path_map is not None:
            for key, target in branch.path_map.items():
                edges.add((branch.source, target, True, None if key == target else key))
        else:
            edges.update((branch.source, target, True, None) for target in branch_targets(branch) or ())
    for spec in builder.nodes.values():
        labels = spec.labels
        edges.update((spec.name, target, True, labels.get(target)) for target in spec.ends)
    reached = _reached(edges, builder.joins)
    edges = {edge for edge in edges if edge[0] in reached}
    for sources, target in builder.joins:
        if reached.issuperset(sources):  # else the join never fires in LangGraph's walk
            edges.update((source, target, False, None) for source in sources)

    graph = DrawnGraph()
    graph.graph_name = name
    graph.drawing_edges = drawing_edges
    graph.add_node(RunnableLambda(_passthrough, name=START), START)
    for spec in builder.nodes.values():
        metadata = dict(spec.metadata)
        if spec.defer:
            metadata["defer"] = True
        action = spec.action
        data = action if isinstance(action, Runnable) else RunnableLambda(action, name=spec.name)
        graph.add_node(data, spec.name, metadata=metadata or None)

    def add(source: str, target: str, label: Any = None, conditional: bool = False) -> None:
        if any(e.source == source and e.target == target for e in graph.edges):
            return
        if target == END and END not in graph.nodes:
            graph.add_node(None, END)
        graph.add_edge(graph.nodes[source], graph.nodes[target], label, conditional)

    if any(spec.defer for spec in builder.nodes.values()):
        edges.update((source, target, True, None) for source, target in _walk(builder)[1])
    for source, target, conditional, label in sorted(edges, key=lambda e: (e[0], e[1], e[2], str(e[3]))):
        add(source, target, None if label == target else label, conditional)
    ends = {target for _, target, _, _ in edges if target != END}
    termini = sorted(ends.difference(source for source, _, _, _ in edges))
    for source in termini:
        add(source, END)
    if not termini and not any(target == END for _, target, _, _ in edges):
        # a graph that never ends (a loop with no way out): LangGraph's walk stops after 250
        # steps and, when that last step ran one node, draws a dotted edge from it to __end__
        last, _ = _walk(builder)
        if len(last) == 1:
            add(last[0], END, conditional=True)
    return graph


def _passthrough(value: Any) -> Any:
    """What ``__start__`` does with the input: hands it on (its node's ``data`` in a drawing)."""
    return value


def _reached(edges: set[tuple[str, str, bool, Any]], joins: list[tuple[tuple[str, ...], str]]) -> set[str]:
    """The nodes LangGraph's walk of the graph reaches from ``__start__``: through the declared
    edges, and through a join once all its sources are reached. LangGraph draws the edges it sees
    nodes take in that walk, so a node reached only by an undeclared route (a router with neither
    ``path_map`` nor ``Literal`` hint, a ``Send``) is drawn with no edges."""
    onward: dict[str, set[str]] = {}
    for source, target, _, _ in edges:
        onward.setdefault(source, set()).add(target)
    reached: set[str] = set()
    todo = [START]
    while todo:
        while todo:
            name = todo.pop()
            if name not in reached:
                reached.add(name)
                todo.extend(onward.get(name, ()))
        todo = [target for sources, target in joins if target not in reached and reached.issuperset(sources)]
    return reached


def _walk(builder: StateGraph) -> tuple[list[str], set[tuple[str, str]]]:
    """Walk the graph as LangGraph's drawing does (at most 250 steps after ``__start__``): the
    nodes of the last step, and the dotted edges LangGraph adds into a deferred node that runs
    when none of the step before it led there (from each node of that step).

    In that walk a plain edge fires every time its source runs, a declared route (``path_map``,
    ``Literal`` hint, ``Command`` hint, ``destinations=``) only the first time, a join once all
    its sources have run, and a deferred node once nothing else is left to run."""
    from nbstream.graph._hints import branch_targets

    plain: dict[str, list[str]] = {}
    for source, target in builder.edges:
        plain.setdefault(source, []).append(target)
    declared: list[tuple[str, tuple[str, ...]]] = [
        (b.source, branch_targets(b) or ()) for b in builder.branches
    ]
    declared += [(spec.name, spec.ends) for spec in builder.nodes.values()]
    deferred = {spec.name for spec in builder.nodes.values() if spec.defer}
    arrived: list[set[str]] = [set() for _ in builder.joins]
    used: set[int] = set()
    waiting: set[str] = set()
    implicit: set[tuple[str, str]] = set()
    tasks, last = [START], [START]
    for _ in range(251):
        if not tasks:
            break
        last = tasks
        fired: set[str] = set()
        for task in tasks:
            fired.update(plain.get(task, ()))
            for index, (source, targets) in enumerate(declared):
                if source == task and index not in used:
                    used.add(index)
                    fired.update(targets)
            for index, (sources, target) in enumerate(builder.joins):
                if task in sources:
                    arrived[index].add(task)
                    if arrived[index].issuperset(sources):
                        arrived[index].clear()
                        fired.add(target)
        fired.discard(END)
        waiting.update(fired & deferred)
        tasks = sorted(fired - deferred)
        if not tasks:
            tasks, waiting = sorted(waiting), set()
            implicit.update((source, task) for task in tasks if task not in fired for source in last)
    return last, implicit
