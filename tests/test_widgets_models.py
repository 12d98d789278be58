"""The fold models, as plain Python, on hand-built event sequences (no Jupyter involved)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from nbstream.testing import EventScript, RecordingObserver, token_run
from nbstream.widgets._format import error_text, full_text, message_text, preview
from nbstream.widgets.models import (
    NamespaceIndex,
    RunModel,
    StateTableModel,
    SubgraphTreeModel,
    TokenTickerModel,
)


def fold(script: EventScript, **options: object) -> RunModel:
    model = RunModel(**options)  # type: ignore[arg-type]
    for event in script:
        model.fold(event)
    return model


def statuses(model: RunModel) -> dict[str, str]:
    assert model.table is not None
    return {"/".join(row.path): row.status for row in model.table.ordered_rows()}


# -- values ----------------------------------------------------------------------------------


def test_values_rows_and_state_follow_the_steps() -> None:
    s = EventScript(graph="counter")
    s.start(["a", "b"])
    s.state(0, {"n": 0, "log": []})
    s.node(1, "a", {"n": 1})
    model = fold(s)
    assert model.table is not None
    assert statuses(model) == {"a": "done", "b": "pending"}
    assert model.table.values == {"n": 1, "log": []}
    assert model.table.changed == {"n"}
    assert model.table.state_step == 1
    assert model.header.status == "running" and model.header.step == 1

    s.node(2, "b", {"log": ["b ran"]})
    s.finish({"n": 1, "log": ["b ran"]})
    model = fold(s)
    assert model.table is not None
    row_b = model.table.rows[("b",)]
    assert (row_b.status, row_b.runs, row_b.update) == ("done", 1, {"log": ["b ran"]})
    assert model.table.changed == {"log"}
    assert model.header.status == "done"


def test_a_node_run_twice_counts_runs_and_keeps_the_last_update() -> None:
    s = EventScript()
    s.start(["loop"])
    s.node(1, "loop", {"i": 1})
    s.node(2, "loop", {"i": 2})
    (t,) = s.step(3, "loop")
    s.task_end(t, None)  # wrote nothing this time
    model = fold(s)
    assert model.table is not None
    row = model.table.rows[("loop",)]
    assert (row.runs, row.status, row.update) == (3, "done", None)


def test_versions_grow_on_change_only() -> None:
    from nbstream.events import CustomData

    table = StateTableModel()
    s = EventScript()
    s.start(["a"])
    s.step(1, "a")
    for event in s:
        table.fold(event)
    row = table.rows[("a",)]
    version, row_version = table.version, row.version
    table.fold(CustomData("run-1", (), 1, "t1", "a", {"progress": 1}))
    assert (table.version, row.version) == (version, row_version)
    s.task_end("t1", {"x": 1})
    table.fold(s.events[-1])
    assert table.version > version and row.version == row_version + 1


# -- parallel nodes --------------------------------------------------------------------------


def test_parallel_nodes_keep_declared_order_whatever_the_finish_order() -> None:
    s = EventScript()
    s.start(["fan", "x", "y", "z"])
    s.node(1, "fan", {"go": True})
    tx, ty, tz = s.step(2, "x", "y", "z")
    model = fold(s)
    assert statuses(model) == {"fan": "done", "x": "running", "y": "running", "z": "running"}
    s.task_end(tz, {"z": 3})
    s.task_end(tx, {"x": 1})
    model = fold(s)
    assert statuses(model) == {"fan": "done", "x": "done", "y": "running", "z": "done"}
    s.task_end(ty, {"y": 2})
    s.state(2, {"x": 1, "y": 2, "z": 3})
    s.finish()
    model = fold(s)
    assert list(statuses(model)) == ["fan", "x", "y", "z"]
    assert set(statuses(model).values()) == {"done"}


def test_two_tasks_of_one_node_in_a_step_one_fails_the_error_stands() -> None:
    s = EventScript()
    s.start(["worker"])
    t1, t2 = s.step(1, "worker", "worker")
    s.task_end(t1, error=KeyError("k"))
    s.task_end(t2, {"ok": 1})
    model = fold(s)
    assert model.table is not None
    row = model.table.rows[("worker",)]
    assert (row.status, row.runs, row.error) == ("error", 2, "KeyError: 'k'")


# -- subgraphs two levels deep ---------------------------------------------------------------


def two_level_script() -> EventScript:
    s = EventScript(graph="parent")
    s.start(["prep", "outer"])
    s.node(1, "prep", {"x": 1})
    (outer,) = s.step(2, "outer")
    mid_ns = s.sub_ns(outer)
    s.start(["m1", "inner"], graph="middle", ns=mid_ns)
    s.node(1, "m1", {"y": 1}, ns=mid_ns)
    (inner,) = s.step(2, "inner", ns=mid_ns)
    leaf_ns = s.sub_ns(inner)
    s.start(["leaf"], graph="child", ns=leaf_ns)
    s.node(1, "leaf", {"z": 1}, ns=leaf_ns)
    s.finish({"z": 1}, ns=leaf_ns)
    s.task_end(inner, {"z": 1})
    s.finish({"z": 1}, ns=mid_ns)
    s.task_end(outer, {"z": 1})
    s.state(2, {"z": 1})
    s.finish({"x": 1, "z": 1})
    return s


def test_subgraph_rows_are_named_by_node_paths_not_task_ids() -> None:
    model = fold(two_level_script())
    assert statuses(model) == {
        "prep": "done",
        "outer": "done",
        "outer/m1": "done",
        "outer/inner": "done",
        "outer/inner/leaf": "done",
    }


def test_subgraph_rows_can_be_left_out() -> None:
    model = fold(two_level_script(), subgraphs=False)
    assert statuses(model) == {"prep": "done", "outer": "done"}


def test_subgraph_tree_nests_runs_under_the_nodes_that_started_them() -> None:
    model = fold(two_level_script())
    tree = model.tree
    assert tree is not None and tree.root is not None
    root = tree.root
    assert root.name == "parent" and root.status == "done"
    outer = root.nodes["outer"]
    (middle,) = outer.subgraphs
    assert middle.name == "middle" and list(middle.nodes) == ["m1", "inner"]
    (child,) = middle.nodes["inner"].subgraphs
    assert child.name == "child" and child.nodes["leaf"].status == "done"
    assert [g.name for g in tree.walk()] == ["parent", "middle", "child"]


def test_tree_attaches_a_subgraph_whose_starting_task_was_not_seen() -> None:
    tree = SubgraphTreeModel()
    s = EventScript(graph="root")
    s.start(["n"])
    s.start(["inner"], graph="sub", ns=("n:unknown-task",))
    for event in s:
        tree.fold(event)
    assert tree.root is not None
    assert [g.name for g in tree.root.nodes["n"].subgraphs] == ["sub"]


def test_namespace_index_resolves_paths_by_task_id() -> None:
    index = NamespaceIndex()
    assert index.task_started((), "t1", "outer") == ("outer",)
    assert index.path(("outer:t1",)) == ("outer",)
    assert index.task_started(("outer:t1",), "t2", "inner") == ("outer", "inner")
    assert index.path(("outer:t1", "inner:t2")) == ("outer", "inner")
    # an unknown task: fall back to the node name in the namespace element
    assert index.path(("ghost:t9",)) == ("ghost",)


# -- errors ------------------------------------------------------------------------------------


def test_a_failing_node_marks_row_tree_header_and_open_lane_as_error() -> None:
    s = EventScript(graph="g")
    s.start(["ok", "bad"])
    s.node(1, "ok", {"a": 1})
    (t,) = s.step(2, "bad")
    call = s.llm_start(t)
    s.token(call, "partial ")
    error = ValueError("model said <no>")
    s.task_end(t, error=error)
    s.fail(error)
    model = fold(s)
    assert statuses(model) == {"ok": "done", "bad": "error"}
    assert model.table is not None and model.table.rows[("bad",)].error == "ValueError: model said <no>"
    assert model.header.status == "error"
    assert model.header.error == "ValueError: model said <no>"
    assert model.header.failed_node == "bad"
    assert model.tree is not None and model.tree.root is not None
    assert model.tree.root.status == "error"
    assert model.tree.root.nodes["bad"].status == "error"
    assert model.ticker is not None
    (lane,) = model.ticker.lanes.values()
    assert (lane.status, lane.error, lane.text) == ("error", "ValueError: model said <no>", "partial ")


def test_a_failing_subgraph_node_names_its_path() -> None:
    s = EventScript(graph="g")
    s.start(["outer"])
    (outer,) = s.step(1, "outer")
    sub = s.sub_ns(outer)
    s.start(["inner"], graph="sub", ns=sub)
    (inner,) = s.step(1, "inner", ns=sub)
    s.task_end(inner, error=RuntimeError("deep"))
    s.fail(RuntimeError("deep"), ns=sub)
    s.task_end(outer, error=RuntimeError("deep"))
    s.fail(RuntimeError("deep"))
    model = fold(s)
    assert model.header.failed_node == "outer/inner"
    assert statuses(model) == {"outer": "error", "outer/inner": "error"}


def test_error_text_leaves_notes_out() -> None:
    error = ValueError("boom")
    error.add_note("while running node 'x' at step 3")
    assert error_text(error) == "ValueError: boom"
    assert error_text(KeyboardInterrupt()) == "KeyboardInterrupt"


# -- cancellation --------------------------------------------------------------------------


def test_nothing_stays_running_after_a_cancelled_run() -> None:
    s = EventScript(graph="g")
    s.start(["a", "b", "c"])
    s.node(1, "a", {"x": 1})
    tb, tc = s.step(2, "b", "c")
    call = s.llm_start(tb)
    s.token(call, "half")
    (sub_task,) = [tc]
    sub = s.sub_ns(sub_task)
    s.start(["deep"], graph="sub", ns=sub)
    s.step(1, "deep", ns=sub)
    s.fail(KeyboardInterrupt(), cancelled=True)  # the consumer stopped: no TaskFinished came
    model = fold(s)
    assert statuses(model) == {"a": "done", "b": "cancelled", "c": "cancelled", "c/deep": "cancelled"}
    assert model.header.status == "cancelled" and model.header.error is None
    assert model.ticker is not None
    assert [lane.status for lane in model.ticker.lanes.values()] == ["cancelled"]
    assert model.tree is not None
    for graph in model.tree.walk():
        assert graph.status != "running"
        assert all(node.status != "running" for node in graph.nodes.values())


def test_a_cancelled_task_is_cancelled_not_error() -> None:
    s = EventScript()
    s.start(["slow"])
    (t,) = s.step(1, "slow")
    s.task_end(t, error=KeyboardInterrupt(), cancelled=True)
    s.fail(KeyboardInterrupt(), cancelled=True)
    model = fold(s)
    assert statuses(model) == {"slow": "cancelled"}


# -- LLM calls -----------------------------------------------------------------------------


def test_three_parallel_llm_calls_get_one_lane_each() -> None:
    script = token_run(30, calls=3)
    model = fold(script)
    ticker = model.ticker
    assert ticker is not None
    lanes = ticker.ordered_lanes()
    assert [lane.tags for lane in lanes] == [("call-0",), ("call-1",), ("call-2",)]
    assert [lane.tokens for lane in lanes] == [10, 10, 10]
    assert lanes[0].text == "".join(f"t{i} " for i in range(0, 30, 3))
    assert all(lane.status == "done" for lane in lanes)


def test_ticker_filters_by_node_and_by_tags() -> None:
    s = EventScript()
    s.start(["a", "b"])
    ta, tb = s.step(1, "a", "b")
    s.llm_call(ta, ["A1"], tags=["keep"])
    s.llm_call(ta, ["A2"], tags=["drop"])
    s.llm_call(tb, ["B1"], tags=["keep"])
    only_a = TokenTickerModel(nodes=["a"])
    kept = TokenTickerModel(tags=["keep"])
    both = TokenTickerModel(nodes=["a"], tags=["keep"])
    for event in s:
        only_a.fold(event)
        kept.fold(event)
        both.fold(event)
    assert sorted(lane.text for lane in only_a.lanes.values()) == ["A1", "A2"]
    assert sorted(lane.text for lane in kept.lanes.values()) == ["A1", "B1"]
    assert [lane.text for lane in both.lanes.values()] == ["A1"]


def test_ticker_takes_message_objects_block_contents_and_whole_messages() -> None:
    @dataclass
    class Chunk:
        content: object

    s = EventScript()
    s.start(["a"])
    (t,) = s.step(1, "a")
    c1 = s.llm_start(t)
    s.token(c1, "", Chunk("Hel"))
    s.token(c1, "", Chunk([{"type": "text", "text": "lo"}, {"type": "image"}]))
    s.llm_end(c1)
    c2 = s.llm_start(t)
    model = fold(s)
    from nbstream.events import MessageChunk

    meta = {"langgraph_node": "a"}
    whole = MessageChunk("run-1", (), 1, c2, "a", Chunk("all at once"), meta, "message")
    node_output = MessageChunk("run-1", (), 1, None, "a", Chunk("ignored"), meta, "message")
    model.fold(whole)
    model.fold(node_output)
    assert model.ticker is not None
    assert [(lane.text, lane.tokens) for lane in model.ticker.lanes.values()] == [
        ("Hello", 2),
        ("all at once", 0),
    ]


def test_ticker_opens_a_lane_for_chunks_without_a_start_event() -> None:
    from nbstream.events import MessageChunk

    ticker = TokenTickerModel(tags=["t"])
    meta = {"tags": ["t"]}
    ticker.fold(MessageChunk("r", (), 1, "c9", "n", "x", meta, "token"))
    ticker.fold(MessageChunk("r", (), 1, "c8", "n", "x", {}, "token"))  # filtered out by tags
    assert list(ticker.lanes) == ["c9"]


def test_lane_rate_uses_the_injected_clock() -> None:
    times = iter([10.0, 12.0])
    ticker = TokenTickerModel(clock=lambda: next(times))
    s = EventScript()
    s.start(["a"])
    (t,) = s.step(1, "a")
    s.llm_call(t, ["a", "b", "c", "d"])
    for event in s:
        ticker.fold(event)
    (lane,) = ticker.lanes.values()
    assert lane.rate(now=99.0) == pytest.approx(2.0)


# -- recording real sequences ------------------------------------------------------------------


def test_recording_observer_records_and_replays() -> None:
    recorder = RecordingObserver()
    token_run(5).replay(recorder)
    assert recorder.kinds()[:3] == ["RunStarted", "StepFinished", "StepStarted"]
    model = RunModel()
    recorder.replay(model.fold)
    assert model.header.status == "done"
    from nbstream.events import MessageChunk

    assert len(recorder.of_type(MessageChunk)) == 5


# -- value previews ------------------------------------------------------------------------


class _Opaque:
    pass


def test_previews_are_bounded_deterministic_and_address_free() -> None:
    assert preview("x" * 1000, 20) == "'" + "x" * 18 + "…"
    assert len(preview(list(range(100_000)), 50)) == 50
    assert preview({3, 1, 2}) == "{1, 2, 3}"
    assert "0x" not in preview(_Opaque())
    assert preview({"a": [1, (2, None)]}) == "{'a': [1, (2, None)]}"
    deep: list[object] = []
    node = deep
    for _ in range(20):
        node.append([])
        node = node[0]  # type: ignore[assignment]
    assert "…" in preview(deep)


def test_previews_show_messages_as_role_and_text_without_ids() -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    msgs = [HumanMessage("hi", id="random-1"), AIMessage("hello", id="random-2")]
    assert preview(msgs) == "[human: 'hi', ai: 'hello']"
    assert full_text(msgs) == "human: 'hi'\nai: 'hello'"
    calls = AIMessage("", tool_calls=[{"name": "search", "args": {}, "id": "x"}])
    assert preview(calls) == "ai: '' [tool calls: search]"
    assert message_text([{"type": "text", "text": "a"}, "b", {"type": "image"}]) == "ab"


def test_full_text_puts_one_key_per_line() -> None:
    assert full_text({"a": 1, "b": "two"}) == "'a': 1\n'b': 'two'"
