"""Offline graph drawings: Mermaid text and the ASCII tree, pure functions of nodes and edges."""

from __future__ import annotations

import itertools

from nbstream.widgets.drawing import GraphDrawing, draw_ascii, draw_mermaid

AGENT_EDGES = (
    ("__start__", "agent", False),
    ("agent", "tools", True),
    ("agent", "__end__", True),
    ("tools", "agent", False),
)


def test_mermaid_has_start_end_shapes_generated_ids_and_dotted_conditionals() -> None:
    text = draw_mermaid(("agent", "tools"), AGENT_EDGES)
    assert text == (
        "flowchart TD\n"
        '    n0(["__start__"])\n'
        '    n1["agent"]\n'
        '    n2["tools"]\n'
        '    n3(["__end__"])\n'
        "    n0 --> n1\n"
        "    n1 -.-> n2\n"
        "    n1 -.-> n3\n"
        "    n2 --> n1\n"
    )


def test_mermaid_colours_nodes_by_status() -> None:
    text = draw_mermaid(("agent", "tools"), AGENT_EDGES, statuses={"agent": "done", "tools": "error"})
    assert "classDef done " in text and "    class n1 done\n" in text
    assert "classDef error " in text and "    class n2 error\n" in text
    assert "running" not in text


def test_mermaid_labels_cannot_inject_syntax_or_html() -> None:
    evil = 'x"]\n  click n0 "javascript:alert(1)"<script>#'
    text = draw_mermaid((evil,), (("__start__", evil, False),), title='t"\nitle')
    label_line = next(line for line in text.splitlines() if line.startswith("    n1["))
    assert '"' not in label_line[len('    n1["') : -2]
    assert "<" not in text and ">" not in text.replace("-->", "")
    assert "\n  click" not in text
    assert 'title: "t\\" itle"' in text


def test_ascii_unrolls_the_graph_from_start_and_marks_cycles() -> None:
    text = draw_ascii(("agent", "tools"), AGENT_EDGES, statuses={"agent": "running"})
    assert text.splitlines() == [
        "__start__",
        "'-> agent  [running]",
        "    |.> tools",
        "    |   '-> agent  (see above)",
        "    '.> __end__",
    ]


def test_ascii_lists_nodes_that_start_cannot_reach() -> None:
    text = draw_ascii(("a", "island"), (("__start__", "a", False), ("a", "__end__", False)))
    assert text.endswith("not reachable from __start__:\nisland\n")


def test_ascii_of_a_fan_out() -> None:
    edges = (
        ("__start__", "split", False),
        ("split", "x", False),
        ("split", "y", False),
        ("x", "join", False),
        ("y", "join", False),
        ("join", "__end__", False),
    )
    assert draw_ascii(("split", "x", "y", "join"), edges) == (
        "__start__\n"
        "'-> split\n"
        "    |-> x\n"
        "    |   '-> join\n"
        "    |   '-> __end__\n"
        "    '-> y\n"
        "    '-> join  (see above)\n"
    )


def test_graph_drawing_is_a_rich_notebook_repr_without_network() -> None:
    drawing = GraphDrawing(("agent", "tools"), AGENT_EDGES, name="react")
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert bundle["image/svg+xml"] == drawing.draw_svg()
    assert drawing.draw_mermaid().startswith('---\ntitle: "react"\n---\nflowchart TD\n')
    assert bundle["text/plain"] == drawing.draw_ascii()
    assert repr(drawing) == "GraphDrawing(name='react', nodes=2, edges=4)"


def test_ascii_keeps_a_long_chain_flat() -> None:
    names = [f"n{i}" for i in range(3000)]
    chain = ["__start__", *names, "__end__"]
    text = draw_ascii(names, [(a, b, False) for a, b in itertools.pairwise(chain)])
    lines = text.splitlines()
    assert lines[:3] == ["__start__", "'-> n0", "'-> n1"]
    assert lines[-1] == "'-> __end__" and len(lines) == 3002


def test_drawings_are_deterministic() -> None:
    assert draw_mermaid(("a", "b"), AGENT_EDGES) == draw_mermaid(("a", "b"), AGENT_EDGES)
