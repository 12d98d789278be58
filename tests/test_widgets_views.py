"""The live views with a recording comm: message budgets, final state, escaping, display, text mode."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pytest

from nbstream.events import RunFinished
from nbstream.testing import CommCounter, DisplayCapture, EventScript, ManualClock, token_run
from nbstream.widgets import RunView, StateTable, SubgraphTree, TokenTicker
from nbstream.widgets._html import header_html, lane_html, row_html, state_html, table_html, tree_html
from nbstream.widgets._throttle import FlushGate

XSS = "<script>alert(1)</script>"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def comms() -> Iterator[CommCounter]:
    with CommCounter() as counter:
        yield counter


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with DisplayCapture() as capture:
        yield capture


def html_values(widget: Any) -> list[str]:
    """Every HTML value in a widget tree, depth first."""
    values = [widget.value] if hasattr(widget, "value") and isinstance(widget.value, str) else []
    for child in getattr(widget, "children", ()):
        values += html_values(child)
    return values


def find(widget: Any, css_class: str) -> Any:
    if css_class in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, css_class)
        if found is not None:
            return found
    return None


def xss_script() -> EventScript:
    s = EventScript(graph=f"graph {XSS}")
    s.start(["writer", XSS])
    s.state(0, {"text": ""})
    (t,) = s.step(1, "writer")
    s.llm_call(t, ["safe ", XSS, " done"], tags=[XSS])
    s.task_end(t, {"text": XSS})
    s.state(1, {"text": XSS})
    (t2,) = s.step(2, XSS)
    s.task_end(t2, error=ValueError(XSS))
    s.fail(ValueError(XSS))
    return s


# -- budgets -----------------------------------------------------------------------------------


def test_a_20000_token_run_stays_within_its_message_budget(comms: CommCounter, shown: DisplayCapture) -> None:
    clock = ManualClock()
    view = RunView(mode="widgets", clock=clock, flush_rate=15.0, burst=10)
    script = token_run(20_000, calls=3)
    for event in script:
        view.on_event(event)
        clock.advance(0.0005)  # 2,000 tokens a second: a 10 s run
    seconds = clock.now
    assert seconds == pytest.approx(10.0, rel=0.01)
    budget = seconds * 15.0 + 10 + 5  # rate x time + burst + a few forced/final flushes
    assert view.flushes <= budget
    assert comms.comms, "widgets were created"
    assert comms.max_updates() <= budget
    # far below Jupyter Server's 1000 messages/s, all widgets together
    assert comms.sent / seconds < 200


def test_message_budget_with_the_real_clock(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", flush_rate=15.0)
    script = token_run(20_000, calls=3)
    started = time.monotonic()
    script.replay(view)
    seconds = time.monotonic() - started
    assert comms.max_updates() <= seconds * 15.0 + 10 + 5
    assert view.flushes <= seconds * 15.0 + 10 + 5


def test_each_flush_sends_at_most_one_message_per_widget(comms: CommCounter, shown: DisplayCapture) -> None:
    clock = ManualClock()
    view = RunView(mode="widgets", clock=clock, keep_live=True)
    script = token_run(2_000, calls=3)
    for event in script:
        view.on_event(event)
        clock.advance(0.001)
    for made in comms.comms:
        assert made.updates() <= view.flushes + 1  # + the container's children


def test_nodes_end_flushes_are_forced_within_the_burst(shown: DisplayCapture) -> None:
    clock = ManualClock()  # time stands still: only forced flushes can happen
    view = StateTable(mode="widgets", clock=clock, burst=50, keep_live=True)
    s = EventScript()
    s.start(["a", "b", "c"])
    s.node(1, "a", {"x": 1})
    flushes_after_a = None
    for event in s:
        view.on_event(event)
    flushes_after_a = view.flushes
    s2_events_start = len(s.events)
    s.node(2, "b", {"x": 2})
    for event in s.events[s2_events_start:]:
        view.on_event(event)
    # step launched (all tasks started) + node end: two forced flushes per one-task step
    assert view.flushes == flushes_after_a + 2
    rows = find(view.widget, "nbstream-table").value
    assert 'data-node="b" data-status="done"' in rows


def test_a_long_chain_of_fast_nodes_is_throttled() -> None:
    clock = ManualClock()
    with CommCounter() as comms, DisplayCapture():
        view = RunView(mode="widgets", clock=clock, burst=10, flush_rate=15.0)
        s = EventScript()
        names = [f"n{i}" for i in range(200)]
        s.start(names)
        for step, name in enumerate(names, 1):
            s.node(step, name, {"i": step})
        s.finish()
        for event in s:
            view.on_event(event)
            clock.advance(0.00001)  # 200 nodes in ~10 ms
    assert view.flushes <= 10 + 3
    assert comms.max_updates() <= 10 + 3


# -- the widgets end equal to the model ------------------------------------------------------


def test_final_widget_state_equals_the_final_fold_model(comms: CommCounter, shown: DisplayCapture) -> None:
    clock = ManualClock()
    view = RunView(mode="widgets", clock=clock, keep_live=True, show_graph=False)
    s = EventScript(graph="g")
    s.start(["a", "b"])
    s.state(0, {"n": 0})
    ta, tb = s.step(1, "a", "b")
    s.llm_call(ta, [f"w{i} " for i in range(500)])
    s.llm_call(tb, ["x", "y"], tags=["fast"])
    s.task_end(ta, {"n": 1})
    s.task_end(tb, {"m": 2})
    s.state(1, {"n": 1, "m": 2})
    s.finish({"n": 1, "m": 2})
    for event in s:
        view.on_event(event)
        clock.advance(0.0001)
    model = view.model
    assert model.table is not None and model.ticker is not None and model.tree is not None
    box = view.widget
    now = clock.now
    # what a front end holds is what the messages said: compare the comm-replayed states
    assert comms.state(find(box, "nbstream-header-box"))["value"] == header_html(model.header, timings=True)
    rows = [row_html(r, timings=True) for r in model.table.ordered_rows()]
    table = table_html(rows, state_html(model.table), timings=True)
    assert comms.state(find(box, "nbstream-table"))["value"] == table
    assert tree_html(model.tree.root, ids=True) in comms.state(find(box, "nbstream-tree-section"))["value"]
    lanes = list(find(box, "nbstream-ticker").children)
    expected = [lane_html(lane, timings=True, now=now, number=1) for lane in model.ticker.lanes.values()]
    assert [comms.state(w)["value"] for w in lanes] == expected
    assert "w499 " in expected[0]


def test_a_running_lane_sends_only_its_tail(comms: CommCounter, shown: DisplayCapture) -> None:
    clock = ManualClock()
    view = TokenTicker(mode="widgets", clock=clock, tail=100, keep_live=True)
    s = EventScript()
    s.start(["a"])
    (t,) = s.step(1, "a")
    call = s.llm_start(t)
    for i in range(1000):
        s.token(call, f"{i:04d}")
    for event in s:
        view.on_event(event)
        clock.advance(0.01)
    lane = find(view.widget, "nbstream-lane-box")
    assert "…" in lane.value and "0999" in lane.value and "0000" not in lane.value
    s.llm_end(call)
    view.on_event(s.events[-1])
    view.flush()
    assert "0000" in lane.value  # a finished call shows all of its text


# -- escaping ------------------------------------------------------------------------------


def test_untrusted_strings_are_escaped_in_widgets_and_snapshot(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets", keep_live=True)
    xss_script().replay(view)
    values = html_values(view.widget)
    assert values
    for value in values:
        assert "<script>" not in value
    joined = "".join(values)
    assert XSS_ESCAPED in joined
    for fragment in ("safe " + XSS_ESCAPED, f'data-node="{XSS_ESCAPED}"', f"ValueError: {XSS_ESCAPED}"):
        assert fragment in joined
    (snapshot,) = shown.snapshots
    assert "<script>" not in snapshot["text/html"]
    assert snapshot["text/html"].count(XSS_ESCAPED) >= 5
    # the SVG drawing's labels are escaped too
    drawing = find(view.widget, "nbstream-graph").value
    assert "<svg" in drawing and "<script>" not in drawing and XSS_ESCAPED in drawing


# -- display and snapshot ---------------------------------------------------------------------


def test_the_view_displays_itself_once_then_the_snapshot_and_closes(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets")
    script = token_run(10)
    script.replay(view)
    assert len(shown.bundles) == 2
    live, snapshot = shown.bundles
    assert live["text/plain"] == "RunView(graph='tokens')"
    assert WIDGET_VIEW in live
    assert "text/html" not in live  # a fallback would freeze the "running" picture
    assert set(snapshot) == {"text/html", "text/plain"}
    assert 'class="nbstream-view nbstream-run nbstream-snapshot" data-status="done"' in snapshot["text/html"]
    assert snapshot["text/plain"].startswith("RunView(graph='tokens')\ntokens: done, step 1\n")
    # closed at the end: every comm closed, and the live output blanked (same text, no model id)
    assert view.widget is None
    assert all(made.closed for made in comms.comms)
    (blanked,) = shown.updates
    assert blanked == {
        "text/plain": "RunView(graph='tokens')",
        WIDGET_VIEW: {**live[WIDGET_VIEW], "model_id": ""},
    }


def test_a_view_displayed_by_the_user_is_not_displayed_again(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = SubgraphTree(mode="widgets")
    view._ipython_display_()  # display(view)
    assert shown.bundles[0]["text/plain"] == "SubgraphTree()"
    token_run(3).replay(view)
    assert len(shown.bundles) == 2  # not displayed again: only the snapshot came
    assert "nbstream-snapshot" in shown.bundles[1]["text/html"]


def test_several_runs_in_a_row_each_get_a_view_and_a_snapshot(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets")
    token_run(5, run_id="r1").replay(view)
    token_run(7, run_id="r2").replay(view)
    assert [WIDGET_VIEW in b for b in shown.bundles] == [True, False, True, False]
    assert [b[WIDGET_VIEW]["model_id"] for b in shown.bundles[::2]] == ["", ""]
    first, second = shown.snapshots
    assert "5 tokens" in first["text/html"] and "7 tokens" in second["text/html"]


def test_snapshot_is_byte_identical_across_runs_with_different_ids(shown: DisplayCapture) -> None:
    view = RunView(mode="widgets")
    for run in ("first", "second"):
        s = EventScript(run_id=run, graph="g")
        s.start(["a", "b"])
        s.state(0, {"n": 0})
        ta, tb = s.step(1, "a", "b")
        if run == "second":  # parallel calls arrive in another order this time
            s.llm_call(tb, ["B"])
            s.llm_call(ta, ["A"])
        else:
            s.llm_call(ta, ["A"])
            s.llm_call(tb, ["B"])
        order = [(tb, {"m": 1}), (ta, {"n": 1})] if run == "second" else [(ta, {"n": 1}), (tb, {"m": 1})]
        for task, update in order:
            s.task_end(task, update)
        s.state(1, {"n": 1, "m": 1})
        s.finish()
        s.replay(view)
        time.sleep(0.01)  # timings differ between the runs
    first, second = shown.snapshots
    assert first == second


def test_show_timings_puts_durations_in_the_snapshot(shown: DisplayCapture) -> None:
    view = StateTable(mode="widgets", show_timings=True)
    s = EventScript()
    s.start(["a"])
    s.node(1, "a", {"x": 1})
    s.finish()
    s.replay(view)
    assert "10 ms" in shown.snapshots[0]["text/html"]


def test_keep_live_leaves_the_widget_open(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", keep_live=True)
    token_run(3).replay(view)
    assert view.widget is not None
    assert view.widget.comm is not None
    assert view.widget.has_class("nbstream-run") if hasattr(view.widget, "has_class") else True
    assert "nbstream-run" in view.widget._dom_classes


def test_a_new_run_before_the_end_of_the_last_cancels_it(shown: DisplayCapture) -> None:
    view = RunView(mode="widgets")
    s = EventScript(run_id="stuck")
    s.start(["a"])
    s.step(1, "a")
    s.replay(view)
    token_run(2, run_id="next").replay(view)
    first, second = shown.snapshots
    assert 'data-status="cancelled"' in first["text/html"]
    assert 'data-status="done"' in second["text/html"]


def test_events_of_another_run_are_ignored(shown: DisplayCapture) -> None:
    view = StateTable(mode="widgets", keep_live=True)
    s = EventScript(run_id="mine")
    s.start(["a"])
    s.step(1, "a")
    s.replay(view)
    view.on_event(RunFinished("someone-else", (), 3, None))
    assert view.model.header.status == "running"


# -- text mode -----------------------------------------------------------------------------


def test_without_a_kernel_views_print_a_compact_log(comms: CommCounter, shown: DisplayCapture) -> None:
    out = io.StringIO()
    view = RunView(log_file=out)  # "auto": no kernel in pytest
    script = token_run(500)
    script.replay(view)
    lines = out.getvalue().splitlines()
    assert lines[0] == "[nbstream] tokens: started"
    assert lines[1].startswith("[nbstream] tokens: LLM call in agent done, 500 tokens")
    assert lines[2].startswith("[nbstream] tokens: step 1 agent done")
    assert lines[3].startswith("[nbstream] tokens: done after 1 steps")
    assert len(lines) == 4  # nothing per token
    assert comms.comms == [] and shown.objects == []
    assert view.model.header.status == "done"
    assert repr(view) == "RunView(graph='tokens')"
    assert view._repr_mimebundle_() == {"text/plain": "RunView(graph='tokens')"}


def test_text_log_reports_errors_and_cancellation() -> None:
    out = io.StringIO()
    view = StateTable(mode="text", log_file=out)
    xss_script().replay(view)
    text = out.getvalue()
    assert f"step 2 {XSS} error ValueError: {XSS}" in text
    assert f"failed: ValueError: {XSS}" in text
    out = io.StringIO()
    ticker = TokenTicker(mode="text", log_file=out)
    s = EventScript()
    s.start(["a"])
    (t,) = s.step(1, "a")
    s.llm_start(t)
    s.fail(KeyboardInterrupt(), cancelled=True)
    s.replay(ticker)
    assert out.getvalue().splitlines()[-1].startswith("[nbstream] graph: cancelled after 1 steps")


def test_widgets_only_under_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython

    from nbstream.widgets import in_kernel
    from nbstream.widgets._kernel import wants_widgets

    class Shell:
        def __init__(self, app: str) -> None:
            self.config: dict[str, Any] = {app: {}}

    assert not in_kernel()
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell("IPKernelApp"))
    assert in_kernel() and wants_widgets("auto")
    assert not wants_widgets("text")
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell("TerminalIPythonApp"))
    assert not in_kernel()


def test_bad_options_are_refused_with_the_expected_values() -> None:
    with pytest.raises(ValueError, match="mode must be 'auto', 'widgets' or 'text'"):
        RunView(mode="tui")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="flush_rate must be > 0"):
        RunView(flush_rate=0)


# -- the throttle on its own -------------------------------------------------------------------


def test_flush_gate_time_gate_burst_and_final() -> None:
    clock = ManualClock()
    gate = FlushGate(rate=10.0, burst=3, clock=clock)
    assert gate.gated()  # the first flush may happen at once
    assert not gate.gated()  # then not before 1/rate
    clock.advance(0.1)
    assert gate.gated()
    # forced flushes: what is left of the burst, then nothing until tokens refill
    assert gate.forced() and gate.forced() and not gate.forced()
    clock.advance(0.1)
    assert gate.forced() and not gate.forced()
    gate.final()  # always allowed, never below zero
    clock.advance(0.05)
    assert not gate.gated()
    gate.reset()
    assert gate.forced() and gate.forced() and gate.forced() and not gate.forced()
