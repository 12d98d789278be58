"""Offline drawings of a graph's topology: SVG, Mermaid text and an ASCII tree, optionally by status.

All three are pure functions of ``(node_names, edges)``, where ``edges`` are ``(source, target,
conditional)`` tuples with ``__start__``/``__end__`` endpoints (the data of
:class:`~nbstream.events.RunStarted`). No network service, no grandalf. :func:`draw_svg` (laid out
by :mod:`nbstream.widgets._svg`) is the picture the run views and :class:`GraphDrawing` show in
every front end; the ASCII tree is their text form; Mermaid text (JupyterLab ≥ 4.1 and Notebook
≥ 7.1 render ``text/vnd.mermaid``) is there to paste elsewhere. Node names are untrusted: Mermaid
labels are entity-encoded and node ids are generated (``n0``, ``n1``...), so a name can never
inject Mermaid syntax or HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nbstream.widgets._svg import draw_svg

__all__ = ["draw_svg", "draw_mermaid", "draw_ascii", "GraphDrawing", "MERMAID_MIME", "START", "END"]

START = "__start__"
END = "__end__"
MERMAID_MIME = "text/vnd.mermaid"

Edge = tuple[str, str, bool]

_STATUS_STYLES = {
    "pending": "fill:#f6f8fa,stroke:#8c959f,color:#24292f",
    "running": "fill:#fff8c5,stroke:#bf8700,stroke-width:2px,color:#24292f",
    "done": "fill:#dafbe1,stroke:#1a7f37,color:#24292f",
    "error": "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#24292f",
    "cancelled": "fill:#eaeef2,stroke:#57606a,stroke-dasharray:4 2,color:#24292f",
    "waiting": "fill:#ddf4ff,stroke:#0969da,stroke-width:2px,color:#24292f",
}
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "\n": " ",
    "\r": " ",
}


def _all_nodes(node_names: Iterable[str], edges: Sequence[Edge]) -> list[str]:
    """``__start__``, the declared nodes, nodes only edges mention, ``__end__`` (each once)."""
    seen: dict[str, None] = {}
    inner = [n for n in node_names if n not in (START, END)]
    ends = {n for edge in edges for n in edge[:2]}
    if START in ends or START in node_names:
        seen[START] = None
    seen.update(dict.fromkeys(inner))
    for source, target, _ in edges:
        for name in (source, target):
            if name not in (START, END):
                seen.setdefault(name, None)
    if END in ends or END in node_names:
        seen[END] = None
    return list(seen)


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text)


def draw_mermaid(
    node_names: Iterable[str],
    edges: Iterable[Edge],
    *,
    statuses: Mapping[str, str] | None = None,
    title: str | None = None,
    direction: str = "TD",
) -> str:
    """Mermaid flowchart text for the graph; ``statuses`` (node → status) colours the nodes.

    Conditional edges are dotted. The text is deterministic for the same input.
    """
    edge_list = list(edges)
    names = _all_nodes(node_names, edge_list)
    ids = {name: f"n{i}" for i, name in enumerate(names)}
    lines: list[str] = []
    if title:
        quoted = title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        lines += ["---", f'title: "{quoted}"', "---"]
    lines.append(f"flowchart {direction if direction in ('TD', 'TB', 'LR', 'RL', 'BT') else 'TD'}")
    for name in names:
        opener, closer = ('(["', '"])') if name in (START, END) else ('["', '"]')
        lines.append(f"    {ids[name]}{opener}{_mermaid_text(name)}{closer}")
    for source, target, conditional in edge_list:
        lines.append(f"    {ids[source]} {'-.->' if conditional else '-->'} {ids[target]}")
    if statuses:
        by_status: dict[str, list[str]] = {}
        for name in names:
            status = statuses.get(name)
            if status in _STATUS_STYLES:
                by_status.setdefault(status, []).append(ids[name])
        for status, members in by_status.items():
            lines.append(f"    classDef {status} {_STATUS_STYLES[status]}")
            lines.append(f"    class {','.join(members)} {status}")
    return "\n".join(lines) + "\n"


def draw_ascii(
    node_names: Iterable[str],
    edges: Iterable[Edge],
    *,
    statuses: Mapping[str, str] | None = None,
) -> str:
    """An ASCII drawing: the graph unrolled as a tree from ``__start__``.

    ``'->``/``|->`` are static edges, ``'.>``/``|.>`` conditional ones; a node reached again is
    marked ``(see above)`` instead of being drawn twice, so cycles stay finite, and a chain stays
    at one depth. Nodes that cannot be reached from ``__start__`` are listed after the tree.
    ``statuses`` adds ``[status]``.
    """
    edge_list = list(edges)
    names = _all_nodes(node_names, edge_list)
    out_edges: dict[str, list[tuple[str, bool]]] = {name: [] for name in names}
    for source, target, conditional in edge_list:
        out_edges[source].append((target, conditional))
    marks = statuses or {}

    def label(name: str) -> str:
        status = marks.get(name)
        return f"{name}  [{status}]" if status else name

    lines: list[str] = []
    drawn: set[str] = set()

    def draw_from(root: str) -> None:
        # depth first with an explicit stack: a chain of thousands of nodes needs no recursion
        lines.append(label(root))
        drawn.add(root)
        stack = _children(root, "")
        while stack:
            target, arrow, prefix, last = stack.pop()
            if target in drawn and target != END:
                lines.append(f"{prefix}{arrow} {target}  (see above)")
                continue
            lines.append(f"{prefix}{arrow} {label(target)}")
            if target in drawn:
                continue
            drawn.add(target)
            # the last child with a single way on continues at the same depth (chains stay flat)
            flat = last and len(out_edges.get(target, ())) == 1
            stack += _children(target, prefix if flat else prefix + ("    " if last else "|   "))

    def _children(name: str, prefix: str) -> list[tuple[str, str, str, bool]]:
        targets = out_edges.get(name, [])
        items = []
        for i, (target, conditional) in enumerate(targets):
            last = i == len(targets) - 1
            arrow = ("'" if last else "|") + (".>" if conditional else "->")
            items.append((target, arrow, prefix, last))
        items.reverse()
        return items

    if START in out_edges:
        draw_from(START)
    rest = [n for n in names if n not in drawn and n != END]
    if rest:
        lines.append("not reachable from __start__:" if START in out_edges else "nodes:")
        for name in rest:
            if name not in drawn:
                draw_from(name)
    return "\n".join(lines) + "\n"


class GraphDrawing:
    """A graph's topology that draws itself: the SVG picture in a notebook, ASCII as text.

    ``CompiledGraph.get_graph()`` returns one; in a notebook it renders as the run views' SVG
    drawing (``image/svg+xml`` and ``text/html``: every front end, and GitHub, shows one of them;
    no network service), ``print_ascii()`` prints it in a terminal, ``draw_mermaid()`` gives
    Mermaid text.
    """

    def __init__(self, node_names: Iterable[str], edges: Iterable[Edge], *, name: str | None = None) -> None:
        self.node_names: tuple[str, ...] = tuple(node_names)
        self.edges: tuple[Edge, ...] = tuple((s, t, bool(c)) for s, t, c in edges)
        self.name = name

    def draw_mermaid(self, *, statuses: Mapping[str, str] | None = None) -> str:
        """Mermaid flowchart text (see :func:`draw_mermaid`)."""
        return draw_mermaid(self.node_names, self.edges, statuses=statuses, title=self.name)

    def draw_svg(self, *, statuses: Mapping[str, str] | None = None) -> str:
        """The layered SVG picture (see :func:`draw_svg`), as the run views show it."""
        return draw_svg(self.node_names, self.edges, statuses=statuses, title=self.name)

    def draw_ascii(self, *, statuses: Mapping[str, str] | None = None) -> str:
        """The ASCII tree drawing (see :func:`draw_ascii`)."""
        return draw_ascii(self.node_names, self.edges, statuses=statuses)

    def print_ascii(self) -> None:
        """Print the ASCII drawing."""
        print(self.draw_ascii(), end="")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        svg = self.draw_svg()
        return {
            "image/svg+xml": svg,
            "text/html": f'<div class="nbstream-drawing">{svg}</div>',
            "text/plain": self.draw_ascii(),
        }

    def __repr__(self) -> str:
        return f"GraphDrawing(name={self.name!r}, nodes={len(self.node_names)}, edges={len(self.edges)})"
