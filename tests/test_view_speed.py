"""The views' fast paths show what the slow ones showed: kept pictures, one model per run, classes at open.

Each fast path (``bench/bench_watch_langgraph.py`` times them) is checked against the plain
computation it replaces: a kept SVG picture against one drawn afresh, a reused model against a
new view's, a widget opened with its CSS classes against the classes a front end ends up with.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langgraph.graph import START as LG_START
from langgraph.graph import StateGraph as LGStateGraph

import nbstream.langgraph as nblg
from nbstream.graph import END, START
from nbstream.testing import CommCounter, DisplayCapture
from nbstream.widgets import RunView
from nbstream.widgets._format import preview
from nbstream.widgets._svg import _svg_of, layout_graph
from nbstream.widgets.drawing import draw_svg


class State(TypedDict, total=False):
    log: Annotated[list[int], operator.add]


def lg_chain(*names: str) -> Any:
    builder = LGStateGraph(State)
    previous = LG_START
    for i, name in enumerate(names):
        builder.add_node(name, lambda state, i=i: {"log": [i]})
        builder.add_edge(previous, name)
        previous = name
    return builder.compile()


def chain_edges(*names: str) -> list[tuple[str, str, bool]]:
    return [(a, b, False) for a, b in itertools.pairwise((START, *names, END))]


class _Dict(dict):  # type: ignore[type-arg]
    """A dict the previews' fast path does not know: it goes down the whole chain of checks."""


class _List(list):  # type: ignore[type-arg]
    pass


class _Tuple(tuple):  # type: ignore[type-arg]
    pass


def _slow(value: Any) -> Any:
    """``value`` with every dict, list and tuple in it swapped for a subclass (same repr)."""
    if type(value) is dict:
        return _Dict({key: _slow(item) for key, item in value.items()})
    if type(value) is list:
        return _List(_slow(item) for item in value)
    if type(value) is tuple:
        return _Tuple(_slow(item) for item in value)
    return value


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=5)
    ),
    max_leaves=30,
)


@given(_VALUES, st.integers(min_value=1, max_value=120))
def test_a_preview_by_exact_type_is_the_preview_of_the_whole_chain(value: Any, limit: int) -> None:
    assert preview(value, limit) == preview(_slow(value), limit)


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with DisplayCapture() as capture:
        yield capture


def test_a_kept_picture_is_the_picture_drawn_afresh() -> None:
    names = ("a", "b", "c")
    edges = chain_edges(*names)
    for statuses in ({}, {"a": "done", "b": "running"}, {"a": "done", "b": "done", "c": "error"}):
        fresh = _svg_of(layout_graph(names, edges), statuses, {"b"}, "g")
        assert draw_svg(names, edges, statuses=statuses, subgraphs={"b"}, title="g") == fresh
        assert draw_svg(list(names), iter(edges), statuses=statuses, subgraphs=["b"], title="g") == fresh
    # a status the run changed is a new picture, not the kept one
    assert draw_svg(names, edges, statuses={"a": "done"}) != draw_svg(names, edges, statuses={"a": "error"})


def test_a_layout_changed_by_its_caller_does_not_change_later_pictures() -> None:
    names = ("x", "y")
    edges = chain_edges(*names)
    before = draw_svg(names, edges)
    layout = layout_graph(names, edges)  # public: the caller owns what it gets
    layout.boxes["x"].x += 500
    layout.width = 1
    assert draw_svg(names, edges) == before


def test_statuses_that_cannot_be_kept_are_drawn_all_the_same() -> None:
    names = ("a", "b")
    edges = chain_edges(*names)
    mixed: dict[Any, str] = {"a": "done", 1: "done"}  # keys that do not sort together
    assert draw_svg(names, edges, statuses=mixed) == _svg_of(layout_graph(names, edges), mixed, (), None)


def test_each_run_of_a_view_folds_into_a_model_of_its_own(shown: DisplayCapture) -> None:
    first, second = lg_chain("a", "b"), lg_chain("c", "d", "e")
    view = RunView(mode="text", log_file=None, snapshot=False)
    made = view.model
    for _ in nblg.stream(first, {"log": []}, stream_mode="updates", observers=[view]):
        pass
    assert view.model is made  # the first run uses the model the view was made with
    assert [row.name for row in view.model.table.ordered_rows()] == ["a", "b"]  # type: ignore[union-attr]
    for _ in nblg.stream(second, {"log": []}, stream_mode="updates", observers=[view]):
        pass
    assert view.model is not made
    alone = RunView(mode="text", log_file=None, snapshot=False)
    for _ in nblg.stream(second, {"log": []}, stream_mode="updates", observers=[alone]):
        pass
    assert view.snapshot_text() == alone.snapshot_text()
    assert view.snapshot_html() == alone.snapshot_html()


def test_widgets_open_with_their_classes_and_the_front_end_state_is_whole(shown: DisplayCapture) -> None:
    graph = lg_chain("a", "b", "c")
    with CommCounter() as comms:
        view = RunView(mode="widgets", keep_live=True)
        for _ in nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[view]):
            pass
        opened = {made.comm_id: made.open_data.get("state", {}) for made in comms.comms}
        for made in comms.comms:
            for message in made.messages:
                assert "_dom_classes" not in message.get("state", {}), "a class sent in an update of its own"
        classes = {cls for state in opened.values() for cls in state.get("_dom_classes", ())}
        assert {
            "nbstream-view",
            "nbstream-run",
            "nbstream-css",
            "nbstream-header-box",
            "nbstream-graph",
        } <= classes
        assert {"nbstream-table", "nbstream-ticker", "nbstream-tree-section"} <= classes
        # what the front end holds is what the widgets hold
        for widget in (view.widget, *view.widget.children):
            state = comms.state(widget)
            assert tuple(state["_dom_classes"]) == tuple(widget._dom_classes)
            if "value" in state:
                assert state["value"] == widget.value
        view.close()
    snapshot = shown.snapshots[-1]["text/plain"]
    assert "  a  done" in snapshot and "  c  done" in snapshot


class Chat(TypedDict, total=False):
    question: str
    answers: Annotated[list[str], operator.add]
    messages: list[Any]


def lg_chatty() -> Any:
    """Two nodes, three model calls (two in one node), and a message a node returns."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    model = GenericFakeChatModel(
        messages=itertools.cycle([AIMessage(content="one two three"), AIMessage(content="four five")])
    )

    def ask(state: Chat) -> dict[str, Any]:
        first = model.invoke(state["question"]).content
        second = model.invoke(state["question"]).content
        return {"answers": [first, second]}

    def again(state: Chat) -> dict[str, Any]:
        return {"answers": [model.invoke("more").content], "messages": [AIMessage(content="done", id="m-1")]}

    builder = LGStateGraph(Chat)
    builder.add_node("ask", ask)
    builder.add_node("again", again)
    builder.add_edge(LG_START, "ask")
    builder.add_edge("ask", "again")
    return builder.compile()


def test_each_token_names_its_own_call_step_and_node() -> None:
    from langchain_core.messages import BaseMessageChunk

    from nbstream.events import LLMCallStarted, MessageChunk
    from nbstream.testing import RecordingObserver

    inputs = {"question": "hi", "answers": []}
    theirs = list(lg_chatty().stream(inputs, stream_mode="messages"))  # each graph its own model
    seen = RecordingObserver()
    ours = list(nblg.stream(lg_chatty(), inputs, stream_mode="messages", observers=[seen]))
    assert [(m.content, meta["langgraph_node"]) for m, meta in ours] == [
        (m.content, meta["langgraph_node"]) for m, meta in theirs
    ]
    chunks = [e for e in seen.events if isinstance(e, MessageChunk)]
    started = {e.call_id: e for e in seen.events if isinstance(e, LLMCallStarted)}
    assert len(chunks) == len(ours) and len(started) == 3
    for event, (message, meta) in zip(chunks, ours, strict=True):
        assert event.message is message
        assert (event.step, event.node) == (meta["langgraph_step"], meta["langgraph_node"])
        if isinstance(message, BaseMessageChunk):
            assert event.kind == "token"
            assert event.call_id is not None and message.id is not None and message.id.endswith(event.call_id)
            assert (started[event.call_id].node, started[event.call_id].step) == (event.node, event.step)
        else:
            assert (event.kind, event.call_id) == ("message", None)
    calls = [e.call_id for e in chunks if e.kind == "token"]
    assert len(dict.fromkeys(calls)) == 3  # three calls, each its own lane
