"""The saved (static) view: long LLM texts fold, and a graph's own drawing is the SVG picture.

The saved view is what a notebook keeps after the run and what GitHub, nbviewer and nbconvert
show; these tests pass it through the GitHub-like allow-list sanitizer of ``test_widgets_svg``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from test_widgets_svg import github_clean, svg_in

from nbstream.graph import END, START, StateGraph
from nbstream.graph.message import add_messages
from nbstream.testing import CommCounter, DisplayCapture, scripted_chat_model
from nbstream.widgets import RunView
from nbstream.widgets._html import FOLD_CHARS, FOLD_LINES, text_html
from nbstream.widgets.drawing import GraphDrawing

SVG = "{http://www.w3.org/2000/svg}"


class Chat(TypedDict):
    messages: Annotated[list[Any], add_messages]


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with DisplayCapture() as capture:
        yield capture


def answering(reply: str) -> Any:
    model = scripted_chat_model(reply)

    def answer(state: Chat) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    builder = StateGraph(Chat)
    builder.add_node("answer", answer)
    builder.add_edge(START, "answer")
    builder.add_edge("answer", END)
    return builder.compile(name="answers")


def saved_view(reply: str, shown: DisplayCapture) -> str:
    with CommCounter():
        answering(reply).invoke({"messages": [("user", "go")]}, observers=[RunView(mode="widgets")])
    html: str = shown.snapshots[-1]["text/html"]
    return html


def lane_of(html: str) -> str:
    start = html.index('<div class="nbstream-lane"')
    return html[start : html.index("</details>", html.index("nbstream-ticker"))]


LONG = " ".join(f"line{i}\n" for i in range(60)).strip()


def test_a_long_llm_text_shows_its_start_and_folds_the_rest(shown: DisplayCapture) -> None:
    html = saved_view(LONG, shown)
    lane = lane_of(html)
    visible, _, folded = lane.partition('<details class="nbstream-fold">')
    assert "line0" in visible and "line9" in visible and "line10" not in visible
    assert folded.startswith("<summary>… 50 more lines</summary>")
    assert "line10" in folded and "line59" in folded
    cleaned = github_clean(html)  # GitHub keeps <details>/<summary> and the text
    assert "<details><summary>… 50 more lines</summary><pre>" in cleaned
    assert "line59" in cleaned and "<style" not in cleaned


def test_a_short_llm_text_stays_whole_and_the_saved_view_stays_deterministic(shown: DisplayCapture) -> None:
    first = saved_view("a short answer", shown)
    assert "nbstream-fold" not in first and "a short answer" in lane_of(first)
    assert saved_view("a short answer", shown) == first
    assert saved_view(LONG, shown) == saved_view(LONG, shown)


@pytest.mark.parametrize(
    ("text", "shown_part", "summary"),
    [
        ("x" * (FOLD_CHARS + 1), "x" * 1000, "… 1001 more characters"),  # one long line
        ("ab\n" * FOLD_LINES + "end", "ab\n" * 10, "… 11 more lines"),
        ("<b>&</b>\n" * (FOLD_LINES + 5), "&lt;b&gt;&amp;&lt;/b&gt;\n" * 10, "… 16 more lines"),
    ],
)
def test_folding_splits_at_lines_or_characters_and_escapes(text: str, shown_part: str, summary: str) -> None:
    html = text_html(text, fold=True)
    assert html.startswith(f'<pre class="nbstream-text">{shown_part}</pre><details class="nbstream-fold">')
    assert f"<summary>{summary}</summary>" in html and "<b>" not in html
    assert text_html(text) == text_html(text, fold=False) and "<details" not in text_html(text)


def test_text_at_the_limits_does_not_fold() -> None:
    assert "<details" not in text_html("y" * FOLD_CHARS, fold=True)
    assert "<details" not in text_html("\n".join(["z"] * FOLD_LINES), fold=True)


def test_a_graph_drawing_shows_the_svg_picture_with_ascii_as_text() -> None:
    edges = [(START, "plan", False), ("plan", "act", True), ("plan", END, True), ("act", "plan", False)]
    drawing = GraphDrawing(("plan", "act"), edges, name="<loop>")
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert bundle["text/plain"] == drawing.draw_ascii()
    svg = bundle["image/svg+xml"]
    root = ET.fromstring(svg)
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"plan", "act", START, END} <= labels
    assert svg_in(bundle["text/html"]) == svg
    cleaned = github_clean(bundle["text/html"])
    assert svg_in(cleaned).count("<rect") == svg.count("<rect") and "&lt;loop&gt;" in cleaned


def test_a_compiled_graph_shows_the_same_drawing_as_get_graph() -> None:
    graph = answering("hi")
    assert graph._repr_mimebundle_() == graph.get_graph()._repr_mimebundle_()
    assert "answer" in graph._repr_mimebundle_()["image/svg+xml"]
