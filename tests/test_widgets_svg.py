"""The static SVG drawing of a graph: layout, status colours, escaping, and what survives GitHub.

Geometry is checked on :func:`layout_graph`; the picture is parsed as XML (it must be well
formed to render inline). The drawn edges are compared with LangGraph's ``get_graph()`` on the
same program, and the run view's snapshot is passed through nh3 (ammonia) set up like GitHub's
allow-list sanitizer, which drops scripts, styles, classes, ids and ``data-*``.
"""

from __future__ import annotations

import itertools
import operator
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langgraph.graph import END as LG_END
from langgraph.graph import START as LG_START
from langgraph.graph import StateGraph as LGStateGraph

from nbstream.events import RunStarted
from nbstream.graph import END, START, StateGraph
from nbstream.testing import CommCounter, DisplayCapture, ManualClock, RecordingObserver
from nbstream.widgets import RunView
from nbstream.widgets._svg import STATUS_COLOURS, GraphLayout, layout_graph
from nbstream.widgets.drawing import draw_svg

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with DisplayCapture() as capture:
        yield capture


def chain_edges(*names: str) -> list[tuple[str, str, bool]]:
    return [(a, b, False) for a, b in itertools.pairwise((START, *names, END))]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def nodes_of(svg: str) -> dict[str, dict[str, str]]:
    """node name -> its status, fill and label, as drawn."""
    found = {}
    for g in parse(svg).iter(f"{SVG}g"):
        if g.get("class") == "nbstream-svg-node":
            rect = g.find(f"{SVG}rect")
            text = g.find(f"{SVG}text")
            assert rect is not None and text is not None
            found[g.get("data-node", "")] = {
                "status": g.get("data-status", ""),
                "fill": rect.get("fill", ""),
                "label": text.text or "",
                "rects": str(len(g.findall(f"{SVG}rect"))),
            }
    return found


def edges_of(svg: str) -> list[tuple[str, str, bool, bool]]:
    """(source, target, conditional, dashed) of every drawn edge."""
    found = []
    for g in parse(svg).iter(f"{SVG}g"):
        if g.get("class") == "nbstream-svg-edge":
            path = g.find(f"{SVG}path")
            assert path is not None and g.find(f"{SVG}polygon") is not None  # every edge has its arrowhead
            dashed = path.get("stroke-dasharray") is not None
            found.append(
                (
                    g.get("data-source", ""),
                    g.get("data-target", ""),
                    g.get("data-conditional") == "true",
                    dashed,
                )
            )
    return found


def overlapping_boxes(layout: GraphLayout) -> list[tuple[str, str]]:
    boxes = list(layout.boxes.values())
    return [
        (a.name, b.name)
        for a, b in itertools.combinations(boxes, 2)
        if a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h
    ]


def assert_edges_pass_beside_boxes(layout: GraphLayout) -> None:
    """Each edge runs one way (down, or up for a loop back) through a waypoint on the centre line
    of every layer it crosses, beside that layer's boxes: it never passes through a box."""
    centres = {
        b.y + b.h // 2: [o for o in layout.boxes.values() if o.y == b.y] for b in layout.boxes.values()
    }
    for route in layout.routes:
        if route.source == route.target:
            continue
        ys = [y for _, y in route.points]
        assert ys == sorted(ys) or ys == sorted(ys, reverse=True), route
        for x, y in route.points[1:-1]:
            assert y in centres, route
            assert all(not (b.x <= x <= b.x + b.w) for b in centres[y]), route
        assert all(0 <= x <= layout.width and 0 <= y <= layout.height for x, y in route.points)


# -- layout ---------------------------------------------------------------------------------


def test_a_chain_is_one_column_top_to_bottom() -> None:
    layout = layout_graph(("a", "b", "c"), chain_edges("a", "b", "c"))
    boxes = [layout.boxes[n] for n in (START, "a", "b", "c", END)]
    assert [b.layer for b in boxes] == [0, 1, 2, 3, 4]
    assert len({b.cx for b in boxes}) == 1 and [b.y for b in boxes] == sorted(b.y for b in boxes)
    for route in layout.routes:  # one straight segment from the bottom of one box to the top of the next
        (x0, y0), (x1, y1) = route.points
        assert x0 == x1 and y0 == layout.boxes[route.source].y + layout.boxes[route.source].h
        assert y1 == layout.boxes[route.target].y
    assert layout.width > 0 and layout.height == boxes[-1].y + boxes[-1].h + 12


def test_fan_out_and_fan_in_put_the_parallel_nodes_side_by_side() -> None:
    edges = [(START, "split", False)]
    edges += [("split", n, False) for n in ("x", "y", "z")] + [(n, "join", False) for n in ("x", "y", "z")]
    edges += [("join", END, False)]
    layout = layout_graph(("split", "x", "y", "z", "join"), edges)
    parallel = [layout.boxes[n] for n in ("x", "y", "z")]
    assert {b.layer for b in parallel} == {2} and layout.boxes["join"].layer == 3
    assert len({b.y for b in parallel}) == 1 and [b.x for b in parallel] == sorted(b.x for b in parallel)
    assert not overlapping_boxes(layout)
    # the join is drawn as three edges entering the node side by side (distinct ports)
    ends = [r.points[-1] for r in layout.routes if r.target == "join"]
    assert len(ends) == 3 and len(set(ends)) == 3
    assert all(y == layout.boxes["join"].y for _, y in ends)


def test_a_skipping_edge_bends_around_the_boxes_it_passes() -> None:
    edges = [*chain_edges("a", "b", "c"), ("a", "c", True)]
    layout = layout_graph(("a", "b", "c"), edges)
    (skip,) = [r for r in layout.routes if (r.source, r.target) == ("a", "c")]
    assert len(skip.points) == 3  # through one waypoint in b's layer
    b = layout.boxes["b"]
    assert skip.points[1][1] == b.y + b.h // 2 and not (b.x <= skip.points[1][0] <= b.x + b.w)
    assert_edges_pass_beside_boxes(layout)


def test_layers_are_ordered_to_avoid_crossings() -> None:
    # declared order puts x before y, but x hangs under b and y under a: drawn y, x
    edges = [(START, "a", False), (START, "b", False), ("a", "y", False), ("b", "x", False)]
    layout = layout_graph(("a", "b", "x", "y"), edges)
    assert layout.boxes["a"].x < layout.boxes["b"].x
    assert layout.boxes["y"].x < layout.boxes["x"].x


def test_a_loop_back_edge_goes_upwards_and_does_not_hide_the_forward_edge() -> None:
    edges = [
        (START, "agent", False),
        ("agent", "tools", True),
        ("agent", END, True),
        ("tools", "agent", False),
    ]
    layout = layout_graph(("agent", "tools"), edges)
    assert layout.boxes["agent"].layer < layout.boxes["tools"].layer < layout.boxes[END].layer
    (back,) = [r for r in layout.routes if r.source == "tools"]
    (forward,) = [r for r in layout.routes if (r.source, r.target) == ("agent", "tools")]
    assert back.points[0][1] == layout.boxes["tools"].y  # leaves the top of tools
    assert back.points[-1][1] == layout.boxes["agent"].y + layout.boxes["agent"].h  # enters agent's bottom
    assert back.points[0][0] != forward.points[-1][0] and back.points[-1][0] != forward.points[0][0]
    svg = draw_svg(("agent", "tools"), edges)
    tip = [p for p in parse(svg).iter(f"{SVG}polygon")]
    assert len(tip) == 4


def test_a_self_loop_is_drawn_beside_its_node() -> None:
    edges = [*chain_edges("retry"), ("retry", "retry", True)]
    layout = layout_graph(("retry",), edges)
    (loop,) = [r for r in layout.routes if r.source == r.target]
    box = layout.boxes["retry"]
    assert all(x == box.x + box.w and box.y <= y <= box.y + box.h for x, y in loop.points)
    assert ("retry", "retry", True, True) in edges_of(draw_svg(("retry",), edges))


def test_start_is_alone_on_top_and_end_alone_at_the_bottom() -> None:
    edges = [(START, "a", False), ("a", END, True), ("a", "b", True), ("b", "c", False), ("c", END, False)]
    layout = layout_graph(("a", "b", "c"), edges)
    layers = {n: b.layer for n, b in layout.boxes.items()}
    assert layers[START] == 0 and layers[END] == max(layers.values())
    assert [n for n, layer in layers.items() if layer in (0, layers[END])] == [START, END]
    nodes = nodes_of(draw_svg(("a", "b", "c"), edges))
    assert list(nodes) == [START, "a", "b", "c", END]
    assert nodes[START]["status"] == nodes[END]["status"] == ""


def test_forty_node_graphs_stay_readable() -> None:
    rng = random.Random(7)
    names = [f"node_{i:02d}" for i in range(40)]
    edges = [(START, names[0], False), (names[-1], END, False)]
    for i, name in enumerate(names[1:], 1):
        edges.append((names[rng.randrange(i)], name, rng.random() < 0.3))  # reachable
        if rng.random() < 0.5:
            edges.append((names[rng.randrange(i)], name, False))
    edges += [(names[30], names[3], True), (names[20], names[20], False)]  # loops back
    layout = layout_graph(names, edges)
    assert not overlapping_boxes(layout)
    assert_edges_pass_beside_boxes(layout)
    svg = draw_svg(names, edges)
    assert len(nodes_of(svg)) == 42 and len(edges_of(svg)) == len(set(edges))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.booleans()), max_size=30))
def test_no_graph_makes_boxes_overlap(pairs: list[tuple[int, int, bool]]) -> None:
    names = [f"n{i}" for i in range(12)]
    edges = [(START, "n0", False), ("n11", END, False)] + [(names[a], names[b], c) for a, b, c in pairs]
    layout = layout_graph(names, edges)
    assert not overlapping_boxes(layout)
    assert_edges_pass_beside_boxes(layout)
    assert all(
        b.x >= 0 and b.x + b.w <= layout.width and b.y + b.h <= layout.height for b in layout.boxes.values()
    )


# -- the picture ------------------------------------------------------------------------------


def test_conditional_edges_are_dashed_and_static_ones_solid() -> None:
    edges = [(START, "a", False), ("a", "b", True), ("a", END, True), ("b", END, False)]
    drawn = edges_of(draw_svg(("a", "b"), edges))
    assert sorted(drawn) == sorted((s, t, c, c) for s, t, c in edges)


def test_nodes_are_filled_by_status_and_subgraphs_get_a_double_border() -> None:
    statuses = {name: name for name in STATUS_COLOURS}
    names = (*tuple(STATUS_COLOURS), "unknown")
    edges = [(START, n, False) for n in names]
    nodes = nodes_of(draw_svg(names, edges, statuses={**statuses, "unknown": "???"}, subgraphs={"done"}))
    for status, (fill, _, _) in STATUS_COLOURS.items():
        assert nodes[status]["status"] == status and nodes[status]["fill"] == fill
    assert (
        nodes["unknown"]["status"] == "pending" and nodes["unknown"]["fill"] == STATUS_COLOURS["pending"][0]
    )
    assert [n for n, v in nodes.items() if v["rects"] == "2"] == ["done"]
    assert len({v["fill"] for n, v in nodes.items() if n in STATUS_COLOURS}) == len(STATUS_COLOURS)


def test_node_names_are_escaped_and_long_ones_shortened() -> None:
    long = "x" * 80
    svg = draw_svg((XSS, long), [(START, XSS, False), (XSS, long, False)], title=f"g {XSS}")
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    nodes = nodes_of(svg)  # well-formed XML, the name intact once parsed
    assert nodes[XSS]["label"] == XSS
    assert nodes[long]["label"] == "x" * 29 + "…"
    assert parse(svg).find(f"{SVG}title") is not None


def test_the_drawing_is_deterministic() -> None:
    edges = [*chain_edges("a", "b"), ("b", "a", True)]
    first = draw_svg(("a", "b"), edges, statuses={"a": "done"})
    assert first == draw_svg(("a", "b"), list(edges), statuses={"a": "done"})
    assert " id=" not in first and "<style" not in first and "<script" not in first and "url(" not in first


# -- the same edges as LangGraph draws -----------------------------------------------------------


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


def review_loop(graph_class: Any, start: str, end: str) -> Any:
    graph = graph_class(Log)
    for name in ("plan", "a", "b", "join", "fix"):
        graph.add_node(name, lambda state, name=name: {"log": [name]})
    graph.add_edge(start, "plan")
    graph.add_edge("plan", "a")
    graph.add_edge("plan", "b")
    graph.add_edge(["a", "b"], "join")
    graph.add_conditional_edges(
        "join", lambda s: "fix" if len(s["log"]) < 6 else "done", {"fix": "fix", "done": end}
    )
    graph.add_edge("fix", "plan")
    return graph.compile()


def test_the_drawing_shows_the_edges_langgraph_draws_for_the_same_program() -> None:
    theirs = {
        (e.source, e.target, e.conditional)
        for e in review_loop(LGStateGraph, LG_START, LG_END).get_graph().edges
    }
    seen = RecordingObserver()
    review_loop(StateGraph, START, END).invoke({"log": []}, observers=[seen])
    (started,) = [e for e in seen.of_type(RunStarted) if not e.ns]
    drawn = edges_of(draw_svg(started.node_names, started.edges))
    assert {(s, t, c) for s, t, c, _ in drawn} == theirs
    assert len(drawn) == len(theirs)
    assert [(s, t) for s, t, _, _ in drawn if t == "join"] == [("a", "join"), ("b", "join")]


# -- the run view: live and saved ---------------------------------------------------------------


class Out(TypedDict):
    out: Annotated[list[str], operator.add]


def joined_run(fail: bool) -> Any:
    """Two parallel nodes (one a subgraph) joining into a third, whose name is markup."""
    inner = StateGraph(Out)
    inner.add_node("inner", lambda s: {"out": ["inner"]})
    inner.add_edge(START, "inner")
    outer = StateGraph(Out)
    outer.add_node("left", inner.compile(name="sub"))
    outer.add_node("right", lambda s: {"out": ["right"]})

    def joined(state: Out) -> dict[str, Any]:
        if fail:
            raise ValueError("boom")
        return {"out": ["joined"]}

    outer.add_node(XSS, joined)
    outer.add_edge(START, "left")
    outer.add_edge(START, "right")
    outer.add_edge(["left", "right"], XSS)
    outer.add_edge(XSS, END)
    return outer.compile(name="joined")


#: GitHub's allow-list (its HTML sanitization filter) plus inline SVG shapes with presentation
#: attributes only: no class, id, style or data-* survives, and script/style go with their content
GITHUB_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "b", "i", "strong", "em", "a", "pre", "code", "img", "tt",
    "div", "ins", "del", "sup", "sub", "p", "ol", "ul", "table", "thead", "tbody", "tfoot", "blockquote",
    "dl", "dt", "dd", "kbd", "q", "samp", "var", "hr", "li", "tr", "td", "th", "s", "strike", "summary",
    "details", "caption", "figure", "figcaption", "abbr", "cite", "mark", "small", "span", "time", "wbr",
    "svg", "g", "rect", "path", "polygon", "text", "title",
}  # fmt: skip
GITHUB_ATTRIBUTES = {
    "*": {"align", "aria-label", "colspan", "height", "width", "open", "role", "rowspan", "title", "valign"},
    "a": {"href"},
    "img": {"src"},
    "svg": {"viewBox", "xmlns", "font-family", "font-size"},
    "rect": {"x", "y", "rx", "fill", "stroke", "stroke-width", "stroke-dasharray"},
    "path": {"d", "fill", "stroke", "stroke-width", "stroke-dasharray"},
    "polygon": {"points", "fill"},
    "text": {"x", "y", "text-anchor", "fill"},
}


def github_clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=GITHUB_TAGS,
        clean_content_tags={"script", "style"},
        attributes=GITHUB_ATTRIBUTES,
        link_rel=None,
    )


def svg_in(html: str) -> str:
    start = html.index("<svg")
    return html[start : html.index("</svg>", start) + len("</svg>")]


def drawn_fills(svg: str) -> dict[str, str]:
    """label -> fill of the first rect before it, read off a sanitized SVG (no data-* left)."""
    root = parse(svg)
    fills = {}
    for g in root.iter(f"{SVG}g"):
        rect, text = g.find(f"{SVG}rect"), g.find(f"{SVG}text")
        if rect is not None and text is not None:
            fills[text.text or ""] = rect.get("fill", "")
    return fills


@pytest.mark.parametrize("fail", [False, True])
def test_the_saved_view_keeps_the_coloured_drawing_through_githubs_sanitizer(
    fail: bool, shown: DisplayCapture
) -> None:
    with CommCounter():
        view = RunView(mode="widgets")
        try:
            joined_run(fail).invoke({"out": []}, observers=[view])
        except ValueError:
            assert fail
    html = shown.snapshots[-1]["text/html"]
    assert '<pre class="nbstream-drawing">' not in html  # the ASCII tree is gone
    nodes = nodes_of(svg_in(html))
    assert nodes["left"]["rects"] == "2" and nodes["right"]["rects"] == "1"  # the subgraph is marked
    final = "error" if fail else "done"
    assert {n: v["status"] for n, v in nodes.items()} == {
        START: "",
        "left": "done",
        "right": "done",
        XSS: final,
        END: "",
    }
    cleaned = github_clean(html)
    assert "<style" not in cleaned and "class=" not in cleaned and "data-" not in cleaned
    fills = drawn_fills(svg_in(cleaned))  # shapes, labels and colours survive
    assert fills == {
        START: "#eaeef2",
        "left": STATUS_COLOURS["done"][0],
        "right": STATUS_COLOURS["done"][0],
        XSS: STATUS_COLOURS[final][0],
        END: "#eaeef2",
    }
    assert "<script>" not in cleaned and "&lt;script&gt;" in svg_in(cleaned)
    assert len(list(parse(svg_in(cleaned)).iter(f"{SVG}path"))) == 5
    assert len(list(parse(svg_in(cleaned)).iter(f"{SVG}polygon"))) == 5


def test_nbconvert_html_of_the_saved_view_keeps_the_drawing_through_githubs_sanitizer(
    shown: DisplayCapture,
) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    with CommCounter():
        joined_run(False).invoke({"out": []}, observers=[RunView(mode="widgets")])
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("nbstream.show(graph, inputs)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=shown.snapshots[-1])]
    notebook.cells = [cell]
    page, _ = HTMLExporter().from_notebook_node(notebook)
    cleaned = github_clean(page)
    fills = drawn_fills(svg_in(cleaned))
    assert fills["right"] == STATUS_COLOURS["done"][0] and fills[XSS] == STATUS_COLOURS["done"][0]


def test_the_live_graph_is_the_same_svg_recoloured_as_the_run_goes(shown: DisplayCapture) -> None:
    clock = ManualClock()
    seen = RecordingObserver()
    with CommCounter():
        joined_run(False).invoke({"out": []}, observers=[seen])
        view = RunView(mode="widgets", clock=clock, keep_live=True)
        drawings = []
        for event in seen.events:
            clock.advance(2.0)  # past the drawing's throttle: every change is drawn
            view.on_event(event)
            view.flush()
            value = next(w.value for w in walk(view.widget) if "nbstream-graph" in w._dom_classes)
            if not drawings or drawings[-1] != value:
                drawings.append(value)
    statuses = [{n: v["status"] for n, v in nodes_of(svg_in(d)).items()} for d in drawings]
    assert statuses[0]["left"] == statuses[0]["right"] == "pending"
    assert any(s["left"] == "running" for s in statuses)
    assert statuses[-1] == {START: "", "left": "done", "right": "done", XSS: "done", END: ""}
    assert svg_in(drawings[-1]) == svg_in(shown.snapshots[-1]["text/html"])  # the saved view draws the same


def walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)
