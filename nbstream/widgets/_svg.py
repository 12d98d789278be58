"""A static SVG picture of a graph, laid out in layers by our own small code (no JavaScript).

Layout (a compact Sugiyama scheme):

1. Edges that close a cycle are found by a depth-first walk from ``__start__`` (in declared
   order) and reversed for layering, so a loop back to an earlier node is drawn upwards.
2. Each node's layer is its longest path from ``__start__`` over the remaining edges;
   ``__end__`` always gets the last layer.
3. An edge spanning several layers gets an invisible waypoint in each layer it crosses, so it
   bends around the boxes in between instead of crossing them.
4. A few barycenter sweeps order each layer to keep crossings down (ties by declared order).
5. Boxes sit left to right in their layer, layers centred on the widest; edges meet a box at
   ports spread along its side, so two edges between the same nodes never overlap.

Why our own: pure-Python layout libraries (grandalf, which LangGraph's ASCII drawing uses) are
unmaintained and bring far more than this needs; Graphviz is a binary. The output is made to
survive sanitizers (GitHub's notebook renderer drops ``<script>``, ``<style>`` and ``id``
references): colours are presentation attributes (``fill=``, ``stroke=``), arrowheads are
plain polygons (no ``<marker>``/``url(#id)``), every name is escaped, and the same input gives
the same bytes (integer coordinates, no ids, no randomness).
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = ["Box", "GraphLayout", "layout_graph", "draw_svg", "STATUS_COLOURS"]

START = "__start__"
END = "__end__"
Edge = tuple[str, str, bool]

#: status -> (fill, stroke, stroke width); the live view and the snapshot share these
STATUS_COLOURS: dict[str, tuple[str, str, int]] = {
    "pending": ("#f6f8fa", "#8c959f", 1),
    "running": ("#fff8c5", "#bf8700", 2),
    "done": ("#dafbe1", "#1a7f37", 1),
    "error": ("#ffebe9", "#cf222e", 2),
    "cancelled": ("#eaeef2", "#57606a", 1),
    "waiting": ("#ddf4ff", "#0969da", 2),
}
_ENDPOINT_COLOURS = ("#eaeef2", "#6e7781", 1)
_BOX_H = 32
_LAYER_GAP = 48
_NODE_GAP = 24
_WAYPOINT_W = 12
_MARGIN = 12
_MAX_LABEL = 30
_FONT = 13


@dataclass(slots=True)
class Box:
    """Where one node (or an edge's waypoint, ``name`` empty) sits: top-left corner and size."""

    name: str
    layer: int
    x: int = 0
    y: int = 0
    w: int = _WAYPOINT_W
    h: int = _BOX_H

    @property
    def cx(self) -> int:
        return self.x + self.w // 2


@dataclass(slots=True)
class Route:
    """One edge as drawn: its points from source to target (through waypoints)."""

    source: str
    target: str
    conditional: bool
    points: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class GraphLayout:
    """The layout: a box per node, a route per edge, the picture's size."""

    boxes: dict[str, Box]
    routes: list[Route]
    width: int
    height: int


def _text_width(text: str) -> int:
    """An estimate of the rendered width at 13 px: wide (CJK) characters count double."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return int((len(text) - wide) * 7.4 + wide * 13.5)


def _label(name: str) -> str:
    return name if len(name) <= _MAX_LABEL else name[: _MAX_LABEL - 1] + "…"


def _order_names(node_names: Iterable[str], edges: Sequence[Edge]) -> list[str]:
    declared = [n for n in node_names if n not in (START, END)]
    mentioned = {n for edge in edges for n in edge[:2]}
    names = [START] if START in mentioned or START in declared else []
    seen = set(names)
    for name in [*declared, *(n for e in edges for n in e[:2])]:
        if name not in seen and name not in (START, END):
            seen.add(name)
            names.append(name)
    if END in mentioned:
        names.append(END)
    return names


def _back_edges(names: list[str], succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges into a node still on the depth-first path: the ones that close a cycle."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the path, 2: finished
    for root in names:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:  # explicit stack: a chain of thousands of nodes needs no recursion
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ[child])))
    return back


def _layers(names: list[str], dag: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the sources, in topological order (declared order breaks ties)."""
    indegree = dict.fromkeys(names, 0)
    down: dict[str, list[str]] = {n: [] for n in names}
    for source, target in dag:
        indegree[target] += 1
        down[source].append(target)
    layer = dict.fromkeys(names, 0)
    ready = [n for n in names if indegree[n] == 0]
    while ready:
        node = ready.pop(0)
        for target in down[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if END in layer:
        layer[END] = max([v for k, v in layer.items() if k != END], default=-1) + 1
    return layer


def layout_graph(node_names: Iterable[str], edges: Iterable[Edge]) -> GraphLayout:
    """Lay the graph out in layers (see the module docstring); a pure function of its input."""
    edge_list = list(dict.fromkeys((s, t, bool(c)) for s, t, c in edges))
    names = _order_names(node_names, edge_list)
    succ: dict[str, list[str]] = {n: [] for n in names}
    for source, target, _ in edge_list:
        if target not in succ[source]:
            succ[source].append(target)
    back = _back_edges(names, succ)
    pairs = {(s, t) for s, t, _ in edge_list if s != t}
    dag = [(t, s) if (s, t) in back else (s, t) for s, t in sorted(pairs, key=_pair_key(names))]
    layer_of = _layers(names, list(dict.fromkeys(dag)))
    # even widths: a chain's boxes then share one integer centre line
    boxes = {n: Box(n, layer_of[n], w=max(56, _text_width(_label(n)) + 24) // 2 * 2) for n in names}
    layers: list[list[Box]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for name in names:
        layers[layer_of[name]].append(boxes[name])
    # each edge as a chain of boxes from its upper end to its lower end, through waypoints
    chains: list[tuple[Route, list[Box]]] = []
    for source, target, conditional in edge_list:
        route = Route(source, target, conditional)
        if source == target:
            chains.append((route, [boxes[source]]))
            continue
        upper, lower = (target, source) if (source, target) in back else (source, target)
        if layer_of[upper] > layer_of[lower]:  # a cycle layering could not keep downwards
            upper, lower = lower, upper
        chain = [boxes[upper]]
        for between in range(layer_of[upper] + 1, layer_of[lower]):
            waypoint = Box("", between)
            layers[between].append(waypoint)
            chain.append(waypoint)
        chain.append(boxes[lower])
        chains.append((route, chain))
    _order_layers(layers, [c for _, c in chains if len(c) > 1])
    width = _place(layers)
    _route(chains)
    height = 2 * _MARGIN + len(layers) * _BOX_H + max(len(layers) - 1, 0) * _LAYER_GAP
    return GraphLayout(boxes, [route for route, _ in chains], width, height)


def _pair_key(names: list[str]) -> Callable[[tuple[str, str]], tuple[int, int]]:
    rank = {n: i for i, n in enumerate(names)}
    return lambda pair: (rank[pair[0]], rank[pair[1]])


Links = dict[int, list[Box]]  # id of a box -> the boxes it is linked to in the next layer


def _order_layers(layers: list[list[Box]], chains: list[list[Box]]) -> None:
    """Barycenter sweeps, down then up, to keep edge crossings few."""
    up: Links = {}
    down: Links = {}
    for chain in chains:
        for a, b in itertools.pairwise(chain):
            down.setdefault(id(a), []).append(b)
            up.setdefault(id(b), []).append(a)
    for sweep in range(4):
        going_down = sweep % 2 == 0
        indices = range(1, len(layers)) if going_down else range(len(layers) - 2, -1, -1)
        for i in indices:
            near = layers[i - 1] if going_down else layers[i + 1]
            pos = {id(box): p for p, box in enumerate(near)}
            links = up if going_down else down

            def key(item: tuple[int, Box], pos: dict[int, int] = pos, links: Links = links) -> float:
                p, box = item
                linked = [pos[id(o)] for o in links.get(id(box), ()) if id(o) in pos]
                return sum(linked) / len(linked) if linked else float(p)

            layers[i] = [box for _, box in sorted(enumerate(layers[i]), key=key)]


def _place(layers: list[list[Box]]) -> int:
    """Integer coordinates: boxes left to right in each layer, layers centred; the width."""
    widths = [sum(b.w for b in layer) + _NODE_GAP * max(len(layer) - 1, 0) for layer in layers]
    widest = max(widths, default=0)
    for i, layer in enumerate(layers):
        x = _MARGIN + (widest - widths[i]) // 2
        y = _MARGIN + i * (_BOX_H + _LAYER_GAP)
        for box in layer:
            box.x, box.y = x, y
            x += box.w + _NODE_GAP
    return widest + 2 * _MARGIN


def _route(chains: list[tuple[Route, list[Box]]]) -> None:
    """Points of each edge; ports spread along a box's bottom and top sides, ordered by where
    the other end is, so edges leave and enter side by side."""
    bottoms: dict[int, list[tuple[int, int, int]]] = {}  # box -> (other end's x, chain, slot)
    tops: dict[int, list[tuple[int, int, int]]] = {}
    for n, (_, chain) in enumerate(chains):
        if len(chain) < 2:
            continue
        first, last = chain[0], chain[-1]
        bottoms.setdefault(id(first), []).append((chain[1].cx, n, 0))
        tops.setdefault(id(last), []).append((chain[-2].cx, n, 1))
    ports: dict[tuple[int, int], int] = {}
    for sides in (bottoms, tops):
        for _, items in sides.items():
            items.sort()
            for k, (_, n, end) in enumerate(items):
                box = chains[n][1][0 if end == 0 else -1]
                ports[(n, end)] = box.x + box.w * (k + 1) // (len(items) + 1)
    for n, (route, chain) in enumerate(chains):
        if len(chain) == 1:
            box = chain[0]
            route.points = [(box.x + box.w, box.y + 10), (box.x + box.w, box.y + _BOX_H - 10)]
            continue
        points = [(ports[(n, 0)], chain[0].y + _BOX_H)]
        points += [(w.cx, w.y + _BOX_H // 2) for w in chain[1:-1]]
        points.append((ports[(n, 1)], chain[-1].y))
        if chain[0].name != route.source:  # drawn upwards: it goes back to an earlier node
            points.reverse()
        route.points = points


def _path(points: list[tuple[int, int]], self_loop: bool) -> str:
    if self_loop:
        (x0, y0), (x1, y1) = points
        return f"M{x0},{y0} C{x0 + 36},{y0 - 14} {x1 + 36},{y1 + 14} {x1 + 6},{y1}"
    d = [f"M{points[0][0]},{points[0][1]}"]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        mid = (y0 + y1) // 2  # vertical handles: the curve leaves and enters a box straight
        d.append(f"C{x0},{mid} {x1},{mid} {x1},{y1}")
    return " ".join(d)


def _arrowhead(points: list[tuple[int, int]], self_loop: bool) -> str:
    x, y = points[-1]
    if self_loop:
        tip = f"{x},{y} {x + 7},{y - 4} {x + 7},{y + 4}"
    elif y > points[-2][1]:
        tip = f"{x},{y} {x - 4},{y - 7} {x + 4},{y - 7}"
    else:
        tip = f"{x},{y} {x - 4},{y + 7} {x + 4},{y + 7}"
    return f'<polygon points="{tip}" fill="#57606a"/>'


def draw_svg(
    node_names: Iterable[str],
    edges: Iterable[Edge],
    *,
    statuses: Mapping[str, str] | None = None,
    subgraphs: Collection[str] = (),
    title: str | None = None,
) -> str:
    """The graph as one ``<svg>`` element; ``statuses`` (node -> status) colours the boxes.

    Conditional edges are dashed; nodes in ``subgraphs`` get a double border. Hooks for tests
    and CSS: each node is a ``<g class="nbstream-svg-node" data-node=... data-status=...>``.
    The same arguments give the same string, so recent pictures are kept: a run view draws its
    graph when it opens, at the run's end and in the snapshot, mostly the same picture, and the
    layout of a graph run again is its layout of the last run.
    """
    names, edge_list = tuple(node_names), tuple(edges)
    try:
        marks = tuple(sorted((statuses or {}).items()))
        return _cached_svg(names, edge_list, marks, frozenset(subgraphs), title)
    except TypeError:  # an unhashable or unsortable name or status (not from a run): draw afresh
        return _svg_of(layout_graph(names, edge_list), statuses or {}, subgraphs, title)


@functools.lru_cache(maxsize=32)
def _cached_svg(
    names: tuple[str, ...],
    edges: tuple[Edge, ...],
    marks: tuple[tuple[str, str], ...],
    subgraphs: frozenset[str],
    title: str | None,
) -> str:
    return _svg_of(_cached_layout(names, edges), dict(marks), subgraphs, title)


@functools.lru_cache(maxsize=16)
def _cached_layout(names: tuple[str, ...], edges: tuple[Edge, ...]) -> GraphLayout:
    """:func:`layout_graph`, kept: the layout is only read by the drawing, never changed."""
    return layout_graph(names, edges)


def _svg_of(
    layout: GraphLayout, marks: Mapping[str, str], subgraphs: Collection[str], title: str | None
) -> str:
    label = escape(title or "graph")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nbstream-svg" width="{layout.width}" '
        f'height="{layout.height}" viewBox="0 0 {layout.width} {layout.height}" role="img" '
        f'aria-label="{label}" font-family="sans-serif" font-size="{_FONT}">',
        f"<title>{label}</title>",
    ]
    for route in layout.routes:
        loop = route.source == route.target
        dash = ' stroke-dasharray="5 4"' if route.conditional else ""
        out.append(
            f'<g class="nbstream-svg-edge" data-source="{escape(route.source)}" '
            f'data-target="{escape(route.target)}" data-conditional="{str(route.conditional).lower()}">'
            f'<path d="{_path(route.points, loop)}" fill="none" stroke="#57606a" stroke-width="1.5"{dash}/>'
            f"{_arrowhead(route.points, loop)}</g>"
        )
    for box in layout.boxes.values():
        out.append(_node_svg(box, marks.get(box.name), box.name in subgraphs))
    out.append("</svg>")
    return "".join(out)


def _node_svg(box: Box, status: str | None, subgraph: bool) -> str:
    name = escape(box.name)
    endpoint = box.name in (START, END)
    shown = status if status in STATUS_COLOURS else "pending"
    fill, stroke, width = _ENDPOINT_COLOURS if endpoint else STATUS_COLOURS[shown or "pending"]
    radius = _BOX_H // 2 if endpoint else 6
    dash = ' stroke-dasharray="4 2"' if shown == "cancelled" and not endpoint else ""
    tip = f"{name} ({shown}{', subgraph' if subgraph else ''})" if not endpoint else name
    flag = ' data-subgraph="true"' if subgraph else ""
    parts = [
        f'<g class="nbstream-svg-node" data-node="{name}" data-status="{"" if endpoint else shown}"'
        f"{flag}><title>{tip}</title>",
        f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="{radius}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>',
    ]
    if subgraph:
        parts.append(
            f'<rect x="{box.x + 3}" y="{box.y + 3}" width="{box.w - 6}" height="{box.h - 6}" rx="4" '
            f'fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    parts.append(
        f'<text x="{box.cx}" y="{box.y + box.h // 2 + 4}" text-anchor="middle" fill="#24292f">'
        f"{escape(_label(box.name))}</text></g>"
    )
    return "".join(parts)
