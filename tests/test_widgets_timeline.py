"""The step timeline of ``RunView(timeline=True)``: sliders -> what the view shows, live and replayed."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest

import nbstream
from nbstream.events import Event, RunStarted
from nbstream.graph import END, START, StateGraph
from nbstream.testing import CommCounter, DisplayCapture, EventScript, FakeThread, fake_chat_model
from nbstream.widgets import RunView
from nbstream.widgets._html import header_html, row_html, state_html, table_html, tree_html
from nbstream.widgets._timeline import TimelinePart
from nbstream.widgets.models import RunModel
from nbstream.widgets.models.timeline import RunTimeline, describe_event


@pytest.fixture
def comms() -> Iterator[CommCounter]:
    with CommCounter() as counter:
        yield counter


@pytest.fixture
def shown() -> Iterator[DisplayCapture]:
    with DisplayCapture() as capture:
        yield capture


def find(widget: Any, css_class: str) -> Any:
    if css_class in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, css_class)
        if found is not None:
            return found
    return None


def two_steps() -> EventScript:
    """``a`` streams "hello world" in step 1, ``b`` writes in step 2."""
    s = EventScript(graph="demo")
    s.start(["a", "b"])
    s.state(0, {"x": 0})
    (t,) = s.step(1, "a")
    s.llm_call(t, ["hello ", "world"])
    s.task_end(t, {"x": 1})
    s.state(1, {"x": 1})
    s.node(2, "b", {"x": 2})
    s.finish({"x": 2})
    return s


def timeline_part(view: RunView) -> TimelinePart:
    assert view.step_timeline is not None
    part = view.step_timeline.part
    assert part is not None, "no timeline on screen"
    return part


def drawn_statuses(view: RunView) -> dict[str, str]:
    svg = find(view.widget, "nbstream-graph").value
    return dict(re.findall(r'class="nbstream-svg-node" data-node="([^"]+)" data-status="(\w+)"', svg))


def row_statuses(view: RunView) -> dict[str, str]:
    table = find(view.widget, "nbstream-table").value
    return dict(re.findall(r'class="nbstream-row[^"]*" data-node="([^"]+)" data-status="(\w+)"', table))


def state_shown(view: RunView) -> str:
    table = find(view.widget, "nbstream-table").value
    match = re.search(r"value after step (\d+)", table)
    return match.group(1) if match else "no state"


def lane_texts(view: RunView) -> list[str]:
    lanes = find(view.widget, "nbstream-ticker").children
    return [re.search(r'<pre class="nbstream-text">(.*?)</pre>', w.value, re.S).group(1) for w in lanes]


# -- the slider shows the run as of a step ---------------------------------------------------


def test_no_timeline_while_the_run_goes_on_then_one_at_its_end(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets", timeline=True)
    events = list(two_steps())
    for event in events[:-1]:
        view.on_event(event)
        assert find(view.widget, "nbstream-timeline") is None  # a live run is not timeline-able
    view.on_event(events[-1])
    part = timeline_part(view)
    assert find(view.widget, "nbstream-timeline") is part.box
    # it starts at the end: the run as it ended, on the last step and its last event
    assert (part.steps.min, part.steps.max, part.steps.value) == (0, 2, 2)
    assert part.events.value == part.events.max
    assert part.position == len(events)
    assert drawn_statuses(view) == {"a": "done", "b": "done"}


def test_moving_the_step_slider_shows_that_step(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    two_steps().replay(view)
    part = timeline_part(view)

    part.steps.value = 1  # the end of step 1: a done, b not run, state after step 1
    assert drawn_statuses(view) == {"a": "done", "b": "pending"}
    assert row_statuses(view) == {"a": "done", "b": "pending"}
    assert state_shown(view) == "1"
    assert lane_texts(view) == ["hello world"]
    assert 'data-step="1"' in part.label.value and "state after step 1" in part.label.value

    part.steps.value = 0  # the input step: nothing ran, no LLM call yet
    assert drawn_statuses(view) == {"a": "pending", "b": "pending"}
    assert state_shown(view) == "0"
    assert lane_texts(view) == []

    part.steps.value = 2  # and forward again to the end
    assert drawn_statuses(view) == {"a": "done", "b": "done"}
    assert state_shown(view) == "2"
    assert lane_texts(view) == ["hello world"]


def test_the_event_slider_moves_within_a_step(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    two_steps().replay(view)
    part = timeline_part(view)
    part.steps.value = 1
    # step 1: StepStarted, TaskStarted, LLMCallStarted, 2 tokens, LLMCallFinished, TaskFinished, StepFinished
    assert (part.events.min, part.events.max, part.events.value) == (0, 7, 7)
    part.events.value = 1  # a has started
    assert drawn_statuses(view)["a"] == "running" and row_statuses(view)["a"] == "running"
    assert state_shown(view) == "0"  # the state is still the one after step 0
    part.events.value = 3  # the first token
    assert lane_texts(view) == ["hello "]
    assert "token from a" in part.label.value
    part.events.value = 4
    assert lane_texts(view) == ["hello world"]
    part.events.value = 6  # a finished, the step not yet
    assert row_statuses(view)["a"] == "done" and state_shown(view) == "0"
    part.events.value = 7
    assert state_shown(view) == "1"


def test_sliders_move_one_step_or_one_event_per_key(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    two_steps().replay(view)
    part = timeline_part(view)
    # an ipywidgets slider with focus moves by `step` per arrow key
    assert part.steps.step == 1 and part.events.step == 1
    assert not part.steps.readout  # the label under the sliders says where they are
    part.steps.value -= 1  # what ArrowLeft does
    assert state_shown(view) == "1"
    assert comms.state(part.steps)["value"] == 1  # the front end is told
    assert comms.state(part.events)["max"] == 7


def test_a_step_move_costs_one_message_per_changed_widget(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    two_steps().replay(view)
    part = timeline_part(view)
    before = {made.comm_id: made.updates() for made in comms.comms}
    part.steps.value = 1
    after = {made.comm_id: made.updates() for made in comms.comms}
    sent = {k: after[k] - before.get(k, 0) for k in after}
    # the event slider's range and position go in two messages (see _set_range), the rest in one
    assert sent.pop(part.events.model_id) == 2
    assert max(sent.values()) == 1


# -- any position equals folding the run from its start ----------------------------------------


def subgraph_run() -> EventScript:
    """Three steps; ``outer`` runs a subgraph whose node streams; ``check`` fails in step 3."""
    s = EventScript(graph="parent")
    s.start(["outer", "side", "check"])
    s.state(0, {"n": 0})
    t_outer, t_side = s.step(1, "outer", "side")
    sub = s.sub_ns(t_outer)
    s.start(["inner"], ns=sub)
    (t_inner,) = s.step(1, "inner", ns=sub)
    s.llm_call(t_inner, [f"w{i} " for i in range(6)])
    s.task_end(t_inner, {"n": 1})
    s.state(1, {"n": 1}, ns=sub)
    s.finish({"n": 1}, ns=sub)
    s.task_end(t_outer, {"n": 1})
    s.llm_call(t_side, ["side ", "text"])
    s.task_end(t_side, {"m": 1})
    s.state(1, {"n": 1, "m": 1})
    s.node(2, "side", {"m": 2})
    (t_check,) = s.step(3, "check")
    s.task_end(t_check, error=ValueError("bad <n>"))
    s.fail(ValueError("bad <n>"))
    return s


def folded(events: list[Event], position: int) -> RunModel:
    model = RunModel(threads=True, clock=lambda: 0.0)
    for event in events[:position]:
        model.fold(event)
    return model


def rendered(model: RunModel) -> tuple[str, ...]:
    assert model.table is not None and model.ticker is not None and model.tree is not None
    rows = [row_html(r, timings=False) for r in model.table.ordered_rows()]
    lanes = tuple(f"{lane.call_id}:{lane.status}:{lane.text}" for lane in model.ticker.lanes.values())
    return (
        header_html(model.header, timings=False),
        table_html(rows, state_html(model.table), timings=False),
        tree_html(model.tree.root),
        *lanes,
        repr(sorted(model.node_statuses().items())),
    )


@pytest.mark.parametrize("every", [1, 4, 1000])
def test_any_move_gives_the_model_folded_from_the_start(every: int) -> None:
    events = list(subgraph_run())
    timeline = RunTimeline(
        [(0.0, e) for e in events], lambda clock: RunModel(threads=True, clock=clock), every=every
    )
    expected = {p: rendered(folded(events, p)) for p in range(1, len(events) + 1)}
    moves = list(range(len(events), 0, -1)) + random.Random(7).choices(range(1, len(events) + 1), k=60)
    for position in moves:
        assert rendered(timeline.model_at(position)) == expected[position], position


def test_the_widgets_match_the_model_after_random_moves(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    events = list(subgraph_run())
    for event in events:
        view.on_event(event)
    part = timeline_part(view)
    assert view.step_timeline is not None and view.step_timeline.timeline is not None
    timeline = view.step_timeline.timeline
    rng = random.Random(3)
    for _ in range(40):
        segment = rng.randrange(len(timeline.segments))
        part.steps.value = segment
        part.events.value = rng.randrange(len(timeline.segments[segment]))
        expected = folded(events, part.position)
        assert expected.tree is not None
        tree = find(view.widget, "nbstream-tree-section").value
        assert tree.endswith(tree_html(expected.tree.root, ids=True)), part.position
        assert drawn_statuses(view) == {k: v for k, v in expected.node_statuses().items()}
        assert expected.ticker is not None
        assert lane_texts(view) == [lane.text for lane in expected.ticker.lanes.values()]


def test_steps_are_root_steps_and_the_input_step_has_the_run_start() -> None:
    events = list(subgraph_run())
    timeline = RunTimeline([(float(i), e) for i, e in enumerate(events)], lambda c: RunModel(clock=c))
    assert [segment.step for segment in timeline.segments] == [0, 1, 2, 3]
    first = timeline.segments[0]
    assert [type(e).__name__ for e in events[first.start : first.end]] == ["RunStarted", "StepFinished"]
    # subgraph steps stay inside the root step that ran them, the run's end in the last step
    assert type(events[timeline.segments[-1].end - 1]).__name__ == "RunFailed"
    assert timeline.segment_of(timeline.position_of(1, 0)) == 1
    assert timeline.time_at(5) == 4.0
    with pytest.raises(IndexError, match=f"positions are 1..{len(events)}, not 0"):
        timeline.model_at(0)


# -- failed, paused, replayed and following runs ---------------------------------------------


def test_a_failed_run_is_timeline_able(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    subgraph_run().replay(view)
    part = timeline_part(view)
    header = find(view.widget, "nbstream-header-box")
    assert 'data-status="error"' in header.value and drawn_statuses(view)["check"] == "error"
    part.steps.value = 2
    assert 'data-status="running"' in header.value and "bad &lt;n&gt;" not in header.value
    assert drawn_statuses(view) == {"outer": "done", "side": "done", "check": "pending"}
    assert "run failed" not in part.label.value
    part.steps.value = 3
    assert "run failed" in part.label.value and drawn_statuses(view)["check"] == "error"


def test_a_paused_run_is_timeline_able_and_keeps_its_buttons(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    thread = FakeThread()
    view = RunView(mode="widgets", timeline=True)
    s = EventScript(graph="review")
    s.start(["draft", "review"])
    s.state(0, {"text": ""})
    s.checkpoint(0, ["draft"])
    s.node(1, "draft", {"text": "v1"})
    s.checkpoint(1, ["review"])
    (t,) = s.step(2, "review")
    asked = s.ask(t, "Publish?")
    s.interrupted(asked, thread=thread)
    s.replay(view)
    part = timeline_part(view)
    assert drawn_statuses(view)["review"] == "waiting"
    assert find(view.widget, "nbstream-approve") is not None
    part.steps.value = 1
    assert drawn_statuses(view) == {"draft": "done", "review": "pending"}
    # the pause panel still answers the thread as it is now
    approve = find(view.widget, "nbstream-approve")
    assert approve is not None and not approve.disabled


def test_a_button_resumed_run_drops_the_timeline_then_shows_a_longer_one(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets", timeline=True)
    thread = FakeThread(observers=[view])
    s = EventScript(graph="review")
    s.start(["draft", "review"])
    s.state(0, {"text": ""})
    s.node(1, "draft", {"text": "v1"})
    s.checkpoint(1, ["review"])
    (t,) = s.step(2, "review")
    s.interrupted(s.ask(t, "Publish?"), thread=thread)
    after = s.continuation("run-2")
    after.start(["draft", "review"])
    after.resumed(True)
    (t2,) = after.step(2, "review")
    after.task_end(t2, {"text": "published"})
    after.state(2, {"text": "published"})
    after.finish({"text": "published"})
    thread.then(after)
    s.replay(view)
    first = view.step_timeline.timeline if view.step_timeline else None
    assert first is not None
    box = view.widget
    find(box, "nbstream-approve").click()
    assert view.widget is box  # the resumed run went on in the same widget
    second = view.step_timeline.timeline if view.step_timeline else None
    assert second is not None and len(second) > len(first)  # both runs, one after the other
    part = timeline_part(view)
    assert part.steps.max == len(second.segments) - 1
    part.steps.value = 1
    assert row_statuses(view)["review"] == "pending"


def test_a_new_run_gets_a_new_widget_and_the_old_timeline_goes(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets", timeline=True)
    two_steps().replay(view)
    first = view.widget
    s = EventScript(run_id="run-2", graph="demo")
    s.start(["a", "b"])
    s.state(0, {"x": 0})
    view.on_event(next(iter(s)))  # the new run's RunStarted
    assert first.comm is None  # the old widget closed (and its output blanked)
    assert view.widget is not first and find(view.widget, "nbstream-timeline") is None
    s.node(1, "a", {"x": 1})
    s.finish()
    for event in list(s)[1:]:
        view.on_event(event)
    assert timeline_part(view).steps.max == 1
    first_output = shown.bundles[0]["application/vnd.jupyter.widget-view+json"]
    assert first_output["model_id"] == ""  # blanked: a saved notebook does not ask for it


def test_the_snapshot_is_the_same_with_or_without_a_timeline(shown: DisplayCapture) -> None:
    two_steps().replay(RunView(mode="widgets"))
    two_steps().replay(RunView(mode="widgets", timeline=True))
    plain, with_timeline = shown.snapshots
    assert plain == with_timeline


def test_a_view_without_a_timeline_keeps_nothing() -> None:
    view = RunView(mode="widgets")
    assert view.step_timeline is None
    assert "on_event" not in vars(view)  # the plain observer: no per-event work added
    with pytest.warns(UserWarning, match=r"timeline=True\) has no timeline in text mode"):
        text = RunView(mode="text", timeline=True)  # no kernel: nothing to slide, and it says so
    assert text.step_timeline is None


class State(TypedDict):
    question: str
    answer: str
    done: bool


def answering_graph() -> Any:
    model = fake_chat_model("the answer is 42")

    def ask(state: State) -> dict[str, Any]:
        return {"answer": model.invoke(state["question"]).content}

    def check(state: State) -> dict[str, Any]:
        return {"done": True}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_node("check", check)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", "check")
    builder.add_edge("check", END)
    return builder.compile()


def test_a_replayed_run_has_the_live_runs_timeline(
    tmp_path: Path, comms: CommCounter, shown: DisplayCapture
) -> None:
    path = tmp_path / "run.jsonl"
    live = RunView(mode="widgets", timeline=True)
    answering_graph().invoke({"question": "q"}, observers=[nbstream.record(path), live])
    replayed = RunView(mode="widgets", timeline=True)
    nbstream.replay(path, observers=[replayed], speed=None)
    live_part, replay_part = timeline_part(live), timeline_part(replayed)
    assert live_part.steps.max == replay_part.steps.max == 2
    for step in range(3):
        live_part.steps.value = replay_part.steps.value = step
        assert drawn_statuses(live) == drawn_statuses(replayed)
        assert row_statuses(live) == row_statuses(replayed)
        assert state_shown(live) == state_shown(replayed) == str(step)
        assert lane_texts(live) == lane_texts(replayed)
        assert live_part.label.value == replay_part.label.value
    replay_part.steps.value = 1
    replay_part.events.value = 3  # after the first token of the answer
    assert lane_texts(replayed) == ["the"]
    assert drawn_statuses(replayed)["ask"] == "running"


def test_describe_event_names_the_node_and_the_subgraph() -> None:
    events = list(subgraph_run())
    lines = [describe_event(e) for e in events]
    assert lines[0] == "run of parent started"
    assert "inner started in outer" in lines
    assert "check failed: ValueError" in lines
    assert lines[-1] == "run failed"
    assert all(isinstance(e, RunStarted) or line for e, line in zip(events, lines, strict=True))


def test_jumping_back_and_forth_reuses_the_lane_widgets(comms: CommCounter, shown: DisplayCapture) -> None:
    s = EventScript(graph="loop")
    s.start(["think"])
    s.state(0, {"n": 0})
    for step in range(1, 31):
        (t,) = s.step(step, "think")
        s.llm_call(t, [f"answer {step}"])
        s.task_end(t, {"n": step})
        s.state(step, {"n": step})
    s.finish({"n": 30})
    view = RunView(mode="widgets", timeline=True)
    s.replay(view)
    part = timeline_part(view)
    opened = len(comms.comms)
    part.steps.value = 2
    assert lane_texts(view) == ["answer 1", "answer 2"]
    part.steps.value = 30
    assert lane_texts(view) == [f"answer {i}" for i in range(1, 31)]
    part.steps.value = 0
    assert lane_texts(view) == []
    part.steps.value = 15
    assert len(lane_texts(view)) == 15
    assert len(comms.comms) == opened  # hidden lanes were kept, not closed and opened again
    assert not any(made.closed for made in comms.comms)


def test_move_to_moves_the_sliders_and_says_where_they_are(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    assert view.step_timeline is not None
    with pytest.raises(RuntimeError, match="appears when a run has ended"):
        view.step_timeline.move_to(0)
    two_steps().replay(view)
    part = timeline_part(view)
    assert view.step_timeline.move_to(1, 3) == "step 1 (2 of 3) · event 4 of 8: token from a"
    assert (part.steps.value, part.events.value) == (1, 3)
    assert lane_texts(view) == ["hello "]
    assert view.step_timeline.move_to(1) == "step 1 (2 of 3) · event 8 of 8: state after step 1"
    assert view.step_timeline.move_to(-1) == "step 2 (3 of 3) · event 5 of 5: run finished"
    assert view.step_timeline.move_to(0, 0) == "step 0 (1 of 3) · event 1 of 2: run of demo started"
    with pytest.raises(IndexError, match=re.escape("steps 0..2 on the timeline, not 3")):
        view.step_timeline.move_to(3)
    with pytest.raises(IndexError, match=re.escape("step 1 of the timeline has events 0..7, not 8")):
        view.step_timeline.move_to(1, 8)


def test_a_run_cut_short_by_a_new_one_gets_no_timeline(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets", timeline=True)
    stuck = EventScript(run_id="stuck", graph="demo")
    stuck.start(["a", "b"])
    stuck.step(1, "a")
    for event in stuck:
        view.on_event(event)
    first = view.widget
    two_steps().replay(view)  # a new run before the first ended: the first is cancelled
    assert first.comm is None  # its widget closed, as without a timeline
    assert 'data-status="cancelled"' in shown.snapshots[0]["text/html"]
    part = timeline_part(view)  # the new run's timeline, in the new run's widget
    assert view.widget is not first and part.steps.max == 2
    assert view.step_timeline is not None and view.step_timeline.timeline is not None
    assert len(view.step_timeline.timeline) == len(list(two_steps()))
