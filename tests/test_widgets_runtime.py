"""Views attached to real runs: stream, invoke, ainvoke/astream, errors, subgraphs, stops, LLM tokens."""

from __future__ import annotations

import asyncio
import io
import itertools
import operator
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from nbstream.graph import END, START, StateGraph
from nbstream.testing import CommCounter, DisplayCapture, RecordingObserver, fake_chat_model
from nbstream.widgets import RunView, StateTable, TextProgressLog, TokenTicker, show
from nbstream.widgets.models import RunModel

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class S(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with CommCounter(), DisplayCapture() as capture:
        yield capture


def chain(*names: str, name: str = "chain") -> Any:
    graph = StateGraph(S)
    for node in names:
        graph.add_node(node, lambda s, node=node: {"x": s["x"] + 1, "log": [node]})
    graph.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        graph.add_edge(a, b)
    graph.add_edge(names[-1], END)
    return graph.compile(name=name)


def statuses(model: RunModel) -> dict[str, str]:
    assert model.table is not None
    return {"/".join(row.path): row.status for row in model.table.ordered_rows()}


def assert_nothing_running(model: RunModel) -> None:
    assert model.header.status != "running"
    assert "running" not in statuses(model).values()
    assert model.tree is not None
    for graph in model.tree.walk():
        assert graph.status != "running"
        assert all(node.status != "running" for node in graph.nodes.values())
    assert model.ticker is not None
    assert all(lane.status != "running" for lane in model.ticker.lanes.values())


def test_sync_stream_leaves_the_users_loop_untouched(shown: DisplayCapture) -> None:
    graph = chain("a", "b", "c")
    plain = list(graph.stream({"x": 0, "log": []}, stream_mode="updates"))
    view = RunView(mode="widgets")
    watched = list(graph.stream({"x": 0, "log": []}, stream_mode="updates", observers=[view]))
    assert watched == plain
    assert statuses(view.model) == {"a": "done", "b": "done", "c": "done"}
    assert view.model.table is not None and view.model.table.values == {"x": 3, "log": ["a", "b", "c"]}
    assert view.model.header.graph_name == "chain" and view.model.header.status == "done"
    (snapshot,) = shown.snapshots
    assert 'data-node="c" data-status="done"' in snapshot["text/html"]
    assert shown.bundles[0]["text/plain"] == "RunView(graph='chain')"
    assert view.widget is None  # shown, then closed


def test_invoke_returns_the_same_result_with_a_view(shown: DisplayCapture) -> None:
    graph = chain("a", "b")
    view = StateTable(mode="widgets")
    assert graph.invoke({"x": 1, "log": []}, observers=[view]) == {"x": 3, "log": ["a", "b"]}
    assert view.flushes >= 2
    assert len(shown.snapshots) == 1


def test_ainvoke_and_astream_with_async_nodes(shown: DisplayCapture) -> None:
    async def bump(state: S) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"x": state["x"] + 1, "log": ["bump"]}

    graph = StateGraph(S).add_node("bump", bump).add_edge(START, "bump").compile(name="async")
    view = RunView(mode="widgets")

    async def main() -> tuple[Any, list[Any]]:
        result = await graph.ainvoke({"x": 0, "log": []}, observers=[view])
        chunks = [c async for c in graph.astream({"x": 5, "log": []}, stream_mode="values", observers=[view])]
        return result, chunks

    result, chunks = asyncio.run(main())
    assert result == {"x": 1, "log": ["bump"]}
    assert chunks[-1] == {"x": 6, "log": ["bump"]}
    assert len(shown.snapshots) == 2
    assert statuses(view.model) == {"bump": "done"}
    assert view.model.table is not None and view.model.table.values == {"x": 6, "log": ["bump"]}


def test_astream_with_an_async_llm_call_fills_a_lane(shown: DisplayCapture) -> None:
    class T(TypedDict):
        out: Annotated[list[str], operator.add]

    async def agent(state: T) -> dict[str, Any]:
        model = GenericFakeChatModel(messages=iter([AIMessage("one two three")]))
        reply = await model.ainvoke("hi")
        return {"out": [str(reply.content)]}

    graph = StateGraph(T).add_node("agent", agent).add_edge(START, "agent").compile(name="async_llm")
    view = RunView(mode="widgets")

    async def main() -> list[Any]:
        return [c async for c in graph.astream({"out": []}, stream_mode="messages", observers=[view])]

    chunks = asyncio.run(main())
    assert "".join(str(message.content) for message, _ in chunks) == "one two three"
    assert view.model.ticker is not None
    (lane,) = view.model.ticker.lanes.values()
    assert (lane.node, lane.text, lane.tokens, lane.status) == ("agent", "one two three", 5, "done")
    assert "one two three" in shown.snapshots[0]["text/html"]


def test_a_failing_node_shows_as_error_and_the_error_still_propagates(shown: DisplayCapture) -> None:
    def bad(state: S) -> dict[str, Any]:
        raise ValueError(f"bad input {XSS}")

    graph = (
        StateGraph(S)
        .add_node("ok", lambda s: {"log": ["ok"]})
        .add_node("bad", bad)
        .add_edge(START, "ok")
        .add_edge("ok", "bad")
        .compile(name="fails")
    )
    view = RunView(mode="widgets")
    with pytest.raises(ValueError, match="bad input"):
        graph.invoke({"x": 0, "log": []}, observers=[view])
    assert statuses(view.model) == {"ok": "done", "bad": "error"}
    assert view.model.header.error == f"ValueError: bad input {XSS}"
    assert view.model.header.failed_node == "bad"
    assert_nothing_running(view.model)
    html = shown.snapshots[0]["text/html"]
    assert 'data-status="error"' in html and XSS_ESCAPED in html and "<script>" not in html


def test_subgraphs_two_levels_deep_and_a_graph_run_twice_in_a_node(shown: DisplayCapture) -> None:
    leaf = chain("leaf", name="leaf_graph")
    middle = StateGraph(S).add_node("inner", leaf).add_edge(START, "inner").compile(name="middle")

    def twice(state: S) -> dict[str, Any]:
        first = leaf.invoke({"x": 0, "log": []})
        second = leaf.invoke({"x": 0, "log": []})
        return {"log": first["log"] + second["log"]}

    graph = (
        StateGraph(S)
        .add_node("outer", middle)
        .add_node("twice", twice)
        .add_edge(START, "outer")
        .add_edge("outer", "twice")
        .compile(name="root")
    )
    view = RunView(mode="widgets")
    graph.invoke({"x": 0, "log": []}, observers=[view])
    assert statuses(view.model) == {
        "outer": "done",
        "outer/inner": "done",
        "outer/inner/leaf": "done",
        "twice": "done",
        "twice/leaf": "done",
    }
    assert view.model.table is not None
    assert view.model.table.rows[("twice", "leaf")].runs == 2
    tree = view.model.tree
    assert tree is not None and tree.root is not None
    (middle_run,) = tree.root.nodes["outer"].subgraphs
    (leaf_run,) = middle_run.nodes["inner"].subgraphs
    assert (middle_run.name, leaf_run.name) == ("middle", "leaf_graph")
    assert [g.name for g in tree.root.nodes["twice"].subgraphs] == ["leaf_graph", "leaf_graph"]
    html = shown.snapshots[0]["text/html"]
    assert html.count('class="nbstream-graph-run"') == 5
    assert "run 2" in html


def test_closing_the_stream_early_shows_cancelled(shown: DisplayCapture) -> None:
    graph = chain("a", "b", "c")
    view = RunView(mode="widgets")
    stream = graph.stream({"x": 0, "log": []}, stream_mode="updates", observers=[view])
    assert next(stream) == {"a": {"x": 1, "log": ["a"]}}
    stream.close()
    assert view.model.header.status == "cancelled"
    assert_nothing_running(view.model)
    assert 'data-status="cancelled"' in shown.snapshots[0]["text/html"]


def test_three_parallel_llm_calls_stream_into_three_lanes(shown: DisplayCapture) -> None:
    class T(TypedDict):
        out: Annotated[list[str], operator.add]

    def speaker(name: str) -> Any:
        def node(state: T) -> dict[str, Any]:
            model = GenericFakeChatModel(messages=iter([AIMessage(f"{name} says {XSS} hello")]))
            return {"out": [model.with_config(tags=[f"tag-{name}"]).invoke("hi").content]}

        return node

    graph = StateGraph(T)
    for name in ("a", "b", "c"):
        graph.add_node(name, speaker(name))
        graph.add_edge(START, name)
    app = graph.compile(name="talk")
    view = RunView(mode="widgets", keep_live=True)
    app.invoke({"out": []}, observers=[view])
    assert view.model.ticker is not None
    lanes = view.model.ticker.ordered_lanes()
    assert [(lane.node, lane.tags, lane.status) for lane in lanes] == [
        ("a", ("tag-a",), "done"),
        ("b", ("tag-b",), "done"),
        ("c", ("tag-c",), "done"),
    ]
    assert [lane.text for lane in lanes] == [f"{n} says {XSS} hello" for n in "abc"]
    assert all(lane.tokens == 7 for lane in lanes)
    (ticker,) = [w for w in view.widget.children if "nbstream-ticker" in w._dom_classes]
    live = "".join(w.value for w in ticker.children)
    assert live.count(XSS_ESCAPED) == 3 and "<script>" not in live
    html = shown.snapshots[0]["text/html"]
    assert html.count(XSS_ESCAPED) >= 3 and "<script>" not in html

    only_b = TokenTicker(mode="widgets", tags=["tag-b"])
    app.invoke({"out": []}, observers=[only_b])
    assert only_b.model.ticker is not None
    assert [lane.node for lane in only_b.model.ticker.lanes.values()] == ["b"]


def test_snapshots_of_two_runs_of_the_same_graph_are_byte_identical(shown: DisplayCapture) -> None:
    class T(TypedDict):
        out: Annotated[list[str], operator.add]

    def speaker(name: str) -> Any:
        def node(state: T) -> dict[str, Any]:
            model = GenericFakeChatModel(messages=iter([AIMessage(f"{name} done")]))
            return {"out": [model.invoke("hi").content]}

        return node

    inner = StateGraph(T).add_node("x", speaker("x")).add_edge(START, "x").compile(name="inner")
    graph = StateGraph(T)
    for name in ("a", "b"):
        graph.add_node(name, speaker(name))
        graph.add_edge(START, name)
    graph.add_node("sub", inner)
    graph.add_edge("a", "sub")
    app = graph.compile(name="det")
    for _ in range(2):
        app.invoke({"out": []}, observers=[RunView(mode="widgets")])
    first, second = shown.snapshots
    assert first["text/html"] == second["text/html"]
    assert first["text/plain"] == second["text/plain"]


def test_fake_chat_model_streams_its_replies_in_turn(shown: DisplayCapture) -> None:
    class T(TypedDict):
        out: Annotated[list[str], operator.add]

    model = fake_chat_model("first reply", "second", tags=["fake"])
    graph = (
        StateGraph(T)
        .add_node("ask", lambda s: {"out": [model.invoke("a").content, model.invoke("b").content]})
        .add_edge(START, "ask")
        .compile()
    )
    ticker = TokenTicker(mode="widgets", tags=["fake"])
    assert graph.invoke({"out": []}, observers=[ticker]) == {"out": ["first reply", "second"]}
    assert ticker.model.ticker is not None
    assert sorted(lane.text for lane in ticker.model.ticker.lanes.values()) == ["first reply", "second"]
    with pytest.raises(ValueError, match="at least one reply"):
        fake_chat_model()


def test_show_runs_the_graph_with_a_view_and_returns_the_result(shown: DisplayCapture) -> None:
    graph = chain("a")
    view = RunView(mode="widgets")
    recorder = RecordingObserver()
    assert show(graph, {"x": 0, "log": []}, view=view, observers=[recorder]) == {"x": 1, "log": ["a"]}
    assert recorder.kinds()[-1] == "RunFinished"
    assert len(shown.snapshots) == 1


def test_in_a_terminal_the_view_prints_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    graph = chain("a", "b", name="term")
    assert show(graph, {"x": 0, "log": []}) == {"x": 2, "log": ["a", "b"]}
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "[nbstream] term: started"
    assert err[1].startswith("[nbstream] term: step 1 a done")
    assert err[-1].startswith("[nbstream] term: done after 2 steps")


def test_text_progress_log_alone() -> None:
    out = io.StringIO()
    chain("a", name="solo").invoke({"x": 0, "log": []}, observers=[TextProgressLog(out, show_timings=False)])
    assert out.getvalue().splitlines() == [
        "[nbstream] solo: started",
        "[nbstream] solo: step 1 a done",
        "[nbstream] solo: done after 1 steps",
    ]


def _flaky_node(failures: int) -> Any:
    calls = {"n": 0}

    def flaky(state: S) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise ConnectionError(f"link down {XSS}")
        return {"log": ["flaky"]}

    return flaky


def test_retries_show_in_the_table_the_tree_and_the_log(shown: DisplayCapture) -> None:
    from nbstream.types import RetryPolicy

    policy = RetryPolicy(initial_interval=0.001, jitter=False)
    graph = StateGraph(S).add_node("flaky", _flaky_node(2), retry_policy=policy).add_edge(START, "flaky")
    view = RunView(mode="widgets")
    out = io.StringIO()
    graph.compile(name="retries").invoke(
        {"x": 0, "log": []}, observers=[view, TextProgressLog(out, show_timings=False)]
    )
    assert view.model.table is not None and view.model.tree is not None
    (row,) = view.model.table.ordered_rows()
    assert (row.status, row.runs, row.retries, row.retry_error) == ("done", 1, 2, None)
    assert view.model.tree.root.nodes["flaky"].retries == 2
    html = shown.snapshots[0]["text/html"]
    assert "(2 retries)" in html
    assert out.getvalue().splitlines()[1:3] == [
        f"[nbstream] retries: step 1 flaky retrying (try 2) after ConnectionError: link down {XSS}",
        f"[nbstream] retries: step 1 flaky retrying (try 3) after ConnectionError: link down {XSS}",
    ]


def test_a_node_waiting_to_retry_says_why_escaped() -> None:
    from nbstream.events import TaskRetrying
    from nbstream.widgets._html import row_html
    from nbstream.widgets.models import StateTableModel

    model = StateTableModel()
    graph = chain("a", name="g")
    recorder = RecordingObserver()
    graph.invoke({"x": 0, "log": []}, observers=[recorder])
    started = recorder.events[:4]  # RunStarted, StepFinished (input), StepStarted, TaskStarted
    for event in started:
        model.fold(event)
    task = started[-1]
    model.fold(TaskRetrying(task.run_id, (), 1, task.task_id, "a", 2, ValueError(XSS), 0.5))  # type: ignore[attr-defined]
    (row,) = model.ordered_rows()
    assert row.status == "running"
    html = row_html(row, timings=False)
    assert f"retrying after ValueError: {XSS_ESCAPED}" in html and "<script>" not in html


def test_a_hand_off_with_command_parent_shows_as_done_not_as_an_error(shown: DisplayCapture) -> None:
    from nbstream.events import RunFailed, RunFinished, TaskFinished
    from nbstream.types import Command

    def leave(state: S) -> Any:
        return Command(graph=Command.PARENT, goto="after", update={"log": ["left"]})

    inner = StateGraph(S).add_node("leave", leave).add_edge(START, "leave").compile(name="inner")
    graph = (
        StateGraph(S)
        .add_node("sub", inner)
        .add_node("after", lambda s: {"log": ["after"]})
        .add_edge(START, "sub")
        .compile(name="outer")
    )
    view = RunView(mode="widgets")
    recorder = RecordingObserver()
    result = graph.invoke({"x": 0, "log": []}, observers=[view, recorder])
    assert result == {"x": 0, "log": ["left", "after"]}
    assert statuses(view.model) == {"sub": "done", "sub/leave": "done", "after": "done"}
    assert_nothing_running(view.model)
    assert not [e for e in recorder.events if isinstance(e, RunFailed)]
    assert [e.ns[0].split(":")[0] for e in recorder.events if isinstance(e, RunFinished) and e.ns] == ["sub"]
    (handoff,) = [e for e in recorder.events if isinstance(e, TaskFinished) and e.handoff is not None]
    assert (handoff.node, handoff.error, handoff.handoff.goto) == ("leave", None, "after")
    assert "Command(graph=&#x27;__parent__&#x27;" in shown.snapshots[0]["text/html"]
