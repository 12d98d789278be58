"""The run view on a thread: a paused run waits, its buttons resume it in place, the history forks.

Driven by hand-written events (EventScript) and a FakeThread that plays the resumed run into the
view, with the widget test helpers (CommCounter, DisplayCapture); the resume values the panel
builds are checked against LangGraph 1.2.22 itself.
"""

from __future__ import annotations

import io
import operator
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest

from nbstream.events import RunInterrupted, RunStarted
from nbstream.testing import CommCounter, DisplayCapture, EventScript, FakeThread, ManualClock, token_run
from nbstream.types import StateSnapshot
from nbstream.widgets import RunView, StateTable
from nbstream.widgets._html import CSS
from nbstream.widgets.models import PauseModel

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
NODES = ["draft", "review"]


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


def panel(view: RunView) -> str:
    return str(find(view.widget, "nbstream-pause-box").value)


def buttons(view: RunView) -> dict[str, Any]:
    box = view.widget
    return {name: find(box, f"nbstream-{name}") for name in ("approve", "reject", "edit", "send")}


def controls_shown(view: RunView) -> bool:
    return "nbstream-hidden" not in find(view.widget, "nbstream-pause-controls")._dom_classes


def paused_run(
    *questions: Any, thread: FakeThread | None = None, run_id: str = "run-1", thread_id: str = "thread-1"
) -> EventScript:
    """draft, then review asks ``questions`` with ``interrupt()``: the run pauses at step 2."""
    s = EventScript(run_id=run_id, graph="approval", thread_id=thread_id)
    s.start(NODES, input={"text": "hi"})
    s.checkpoint(-1, ["__start__"], source="input")
    s.state(0, {"text": "hi"})
    s.checkpoint(0, ["draft"])
    s.node(1, "draft", {"text": "a draft"})
    s.checkpoint(1, ["review"])
    (t,) = s.step(2, "review")
    asked = s.ask(t, *questions)
    s.interrupted(asked, thread=thread)
    return s


def finished_after(script: EventScript, answer: Any, run_id: str = "run-2") -> EventScript:
    """The run that resumes ``script``: review runs again with the answer and the run ends."""
    after = script.continuation(run_id)
    after.start(NODES)
    after.resumed(answer)
    (t,) = after.step(2, "review")
    after.task_end(t, {"verdict": answer})
    after.state(2, {"verdict": answer})
    after.checkpoint(2, [])
    after.finish({"text": "a draft", "verdict": answer})
    return after


def paused_view(*questions: Any, **options: Any) -> tuple[RunView, FakeThread, EventScript]:
    view = RunView(mode="widgets", **options)
    thread = FakeThread(observers=[view])
    script = paused_run(*questions, thread=thread)
    script.replay(view)
    return view, thread, script


# -- waiting ------------------------------------------------------------------------------------


def test_a_paused_run_is_waiting_in_header_rows_tree_drawing_and_snapshot(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, _, _ = paused_view("Publish it?")
    model = view.model
    assert model.header.status == "waiting"
    assert model.table is not None and model.tree is not None and model.tree.root is not None
    assert {r.name: r.status for r in model.table.ordered_rows()} == {"draft": "done", "review": "waiting"}
    assert model.tree.root.status == "waiting"
    assert model.node_statuses() == {"draft": "done", "review": "waiting"}
    # the live widget stays, with its buttons: the cell is idle and the clicks reach the kernel
    assert view.widget is not None
    assert controls_shown(view) and not buttons(view)["approve"].disabled
    assert 'data-status="waiting"' in panel(view) and "Publish it?" in panel(view)
    header = find(view.widget, "nbstream-header-box").value
    assert 'data-status="waiting"' in header
    graph = find(view.widget, "nbstream-graph").value
    assert 'data-node="review" data-status="waiting"' in graph
    (snapshot,) = shown.snapshots
    html = snapshot["text/html"]
    assert 'class="nbstream-view nbstream-run nbstream-snapshot" data-status="waiting"' in html
    assert 'data-node="review" data-status="waiting"' in html
    assert "Publish it?" in html and "<button" not in html
    assert 'data-status="running"' not in html.replace(CSS, "") and "[running]" not in html
    text = snapshot["text/plain"]
    assert "approval: waiting, step 2" in text
    assert "waiting for an answer (1):\n  1. 'Publish it?'" in text
    assert "running" not in text


def test_interrupt_values_are_escaped_in_the_panel_and_the_snapshot(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, _, _ = paused_view({"question": XSS}, XSS)
    values = [panel(view), shown.snapshots[0]["text/html"]]
    for value in values:
        assert "<script>" not in value
        assert value.count(XSS_ESCAPED) >= 2


def test_the_snapshot_of_a_paused_run_is_the_same_for_two_runs(shown: DisplayCapture) -> None:
    for run in ("first", "second"):
        view = RunView(mode="widgets")
        # interrupt and checkpoint ids differ between the runs
        script = paused_run("Publish it?", thread=FakeThread(run), run_id=run, thread_id=run)
        script.replay(view)
        asked = view.model.pause.interrupts if view.model.pause else ()
        assert asked[0].id in str(find(view.widget, "nbstream-pause-box").value)  # live only
    first, second = shown.snapshots
    assert first == second


# -- answering ----------------------------------------------------------------------------------


def test_approve_resumes_the_thread_and_the_run_continues_in_the_same_view(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, script = paused_view("Publish it?")
    box = view.widget
    thread.then(finished_after(script, True))
    buttons(view)["approve"].click()
    assert thread.calls == [("resume", True)]
    # same widget, same model: draft still counted once, review ran twice, nothing reset
    assert view.widget is box and box.comm is not None
    model = view.model
    assert model.header.status == "done"
    assert model.table is not None
    rows = {r.name: (r.status, r.runs) for r in model.table.ordered_rows()}
    assert rows == {"draft": ("done", 1), "review": ("done", 2)}
    assert model.table.values == {"text": "a draft", "verdict": True}
    # the panel says what resumed it and offers nothing more
    assert 'data-status="resumed"' in panel(view) and "<code>True</code>" in panel(view)
    assert not controls_shown(view)
    # no new output from inside the click: the snapshot was updated in place
    assert len(shown.bundles) == 2
    (snapshot,) = shown.snapshots
    assert 'nbstream-snapshot" data-status="done"' in snapshot["text/html"]
    assert "resumed with True" in snapshot["text/plain"]


@pytest.mark.parametrize(
    ("button", "options", "expected"),
    [
        ("reject", {}, False),
        ("approve", {"approve": {"action": "accept"}}, {"action": "accept"}),
        ("reject", {"reject": "no, rewrite it"}, "no, rewrite it"),
    ],
)
def test_approve_and_reject_send_the_values_the_view_was_given(
    comms: CommCounter, shown: DisplayCapture, button: str, options: dict[str, Any], expected: Any
) -> None:
    view, thread, script = paused_view("Publish it?", **options)
    thread.then(finished_after(script, expected))
    buttons(view)[button].click()
    assert thread.calls == [("resume", expected)]


def test_a_json_answer_is_sent_as_its_value(comms: CommCounter, shown: DisplayCapture) -> None:
    view, thread, script = paused_view("Edit the draft")
    answer = {"text": "better <b>draft</b>", "tags": [1, 2.5, None, True]}
    thread.then(finished_after(script, answer))
    controls = buttons(view)
    controls["edit"].value = '{"text": "better <b>draft</b>", "tags": [1, 2.5, null, true]}'
    controls["send"].click()
    assert thread.calls == [("resume", answer)]
    assert "better &lt;b&gt;draft&lt;/b&gt;" in panel(view)


def test_a_bad_json_answer_shows_an_error_and_resumes_nothing(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, script = paused_view("Edit the draft")
    controls = buttons(view)
    controls["edit"].value = "{'single': quotes}"
    controls["send"].click()
    assert thread.calls == []
    assert "the answer is not valid JSON" in panel(view) and "nothing was sent" in panel(view)
    assert view.model.header.status == "waiting"
    assert controls_shown(view) and not controls["send"].disabled
    # the typed text stays to be fixed; a good answer then goes through and clears the error
    assert controls["edit"].value == "{'single': quotes}"
    thread.then(finished_after(script, {"single": "quotes"}))
    controls["edit"].value = '{"single": "quotes"}'
    controls["send"].click()
    assert thread.calls == [("resume", {"single": "quotes"})]
    assert "not valid JSON" not in panel(view)


def test_several_interrupts_are_answered_in_turn_then_resumed_once_with_a_mapping(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, script = paused_view("Title ok?", {"body": "ok?"})
    first, second = view.model.pause.interrupts if view.model.pause else ()
    assert 'data-current="true"' in panel(view).split('class="nbstream-interrupt"')[1]
    buttons(view)["approve"].click()
    assert thread.calls == []  # one answer of two: nothing resumed yet
    html = panel(view)
    assert html.count('data-answered="true"') == 1
    assert 'data-current="true"' in html.split('class="nbstream-interrupt"')[2]
    thread.then(finished_after(script, "done"))
    buttons(view)["edit"].value = '"fix the body"'
    buttons(view)["send"].click()
    assert thread.calls == [("resume", {first.id: True, second.id: "fix the body"})]


def test_the_resume_values_are_what_langgraph_accepts() -> None:
    """The panel's answers, given to LangGraph 1.2.22 as Command(resume=...), resume its run."""
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Command, interrupt

    class State(TypedDict):
        log: Annotated[list[str], operator.add]

    def ask(question: str) -> Any:
        def node(state: State) -> dict[str, list[str]]:
            return {"log": [f"{question}={interrupt(question)}"]}

        return node

    builder = StateGraph(State)
    builder.add_node("one", ask("one"))
    builder.add_node("two", ask("two"))
    builder.add_edge(START, "one")
    builder.add_edge(START, "two")
    builder.add_edge(["one", "two"], END)
    graph = builder.compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "t"}}
    asked = graph.invoke({"log": []}, config)["__interrupt__"]
    assert len(asked) == 2
    # what the view would send after Approve on the first and a JSON answer on the second
    pause = PauseModel()
    pause.fold(RunInterrupted("r", (), 1, tuple(asked), config))
    assert pause.answer(True) == (False, None)
    ready, resume = pause.answer({"n": 1})
    assert ready
    # a bare value is what LangGraph refuses with several interrupts pending: hence the mapping
    with pytest.raises(RuntimeError, match="multiple pending interrupts"):
        graph.invoke(Command(resume=True), config)
    result = graph.invoke(Command(resume=resume), config)
    by_question = {item.value: answer for item, answer in zip(asked, ("True", "{'n': 1}"), strict=True)}
    assert sorted(result["log"]) == sorted(f"{q}={a}" for q, a in by_question.items())
    # with one interrupt the answer goes as it is, as LangGraph's how-tos resume
    single = PauseModel()
    single.fold(RunInterrupted("r", (), 1, (asked[0],), config))
    assert single.answer("yes") == (True, "yes")


def test_buttons_are_disabled_while_the_resume_runs_and_a_second_click_does_nothing(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    seen: list[tuple[bool, ...]] = []

    def click_again(event: Any) -> None:
        if isinstance(event, RunStarted) and not event.ns:
            controls = buttons(view)
            seen.append(tuple(controls[name].disabled for name in ("approve", "reject", "edit", "send")))
            # what the browser shows while the run goes on
            state = comms.state(controls["approve"])
            seen.append((state["disabled"],))
            controls["approve"].click()  # a click queued meanwhile
            controls["reject"].click()

    view, thread, script = paused_view("Publish it?")
    thread.observers.append(click_again)
    thread.then(finished_after(script, True))
    buttons(view)["approve"].click()
    assert seen == [(True, True, True, True), (True,)]
    assert thread.calls == [("resume", True)]


def test_a_second_interrupt_shows_the_panel_again(comms: CommCounter, shown: DisplayCapture) -> None:
    view, thread, script = paused_view("Publish it?")
    again = script.continuation("run-2")
    again.start(NODES)
    again.resumed(False)
    (t,) = again.step(2, "review")
    asked = again.ask(t, f"Why not? {XSS}")
    again.interrupted(asked, thread=thread)
    thread.then(again).then(finished_after(again, "too long", run_id="run-3"))
    buttons(view)["reject"].click()
    assert view.model.header.status == "waiting"
    assert controls_shown(view) and not buttons(view)["approve"].disabled
    assert f"Why not? {XSS_ESCAPED}" in panel(view) and "Publish it?" not in panel(view)
    assert len(shown.snapshots) == 1 and "Why not?" in shown.snapshots[0]["text/plain"]
    buttons(view)["edit"].value = '"too long"'
    buttons(view)["send"].click()
    assert thread.calls == [("resume", False), ("resume", "too long")]
    assert view.model.header.status == "done"
    assert view.model.table is not None
    assert {r.name: r.runs for r in view.model.table.ordered_rows()} == {"draft": 1, "review": 3}


def test_an_answer_the_thread_refuses_is_shown_and_can_be_given_again(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, script = paused_view("Publish it?")
    thread.then(ValueError(f"bad answer {XSS}")).then(finished_after(script, True))
    buttons(view)["approve"].click()
    assert "the thread refused it: ValueError: bad answer " + XSS_ESCAPED in panel(view)
    assert view.model.header.status == "waiting" and controls_shown(view)
    assert not buttons(view)["approve"].disabled
    buttons(view)["approve"].click()
    assert thread.calls == [("resume", True), ("resume", True)]
    assert view.model.header.status == "done"


def test_a_resumed_run_that_fails_shows_the_error_and_nothing_running(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, script = paused_view("Publish it?")
    after = script.continuation("run-2")
    after.start(NODES)
    after.resumed(True)
    (t,) = after.step(2, "review")
    after.task_end(t, error=KeyError("verdict"))
    after.fail(KeyError("verdict"))
    thread.then(after)
    buttons(view)["approve"].click()
    assert view.model.header.status == "error"
    assert view.model.header.error == "KeyError: 'verdict'"
    html = shown.snapshots[0]["text/html"]
    assert 'data-node="review" data-status="error"' in html
    assert 'data-status="running"' not in html.replace(CSS, "") and "[running]" not in html


def test_a_breakpoint_pause_offers_continue(comms: CommCounter, shown: DisplayCapture) -> None:
    view = RunView(mode="widgets")
    thread = FakeThread(observers=[view])
    s = EventScript(graph="approval")
    s.start(NODES)
    s.node(1, "draft", {"text": "a draft"})
    s.checkpoint(1, ["review"])
    s.interrupted((), thread=thread)  # interrupt_before=["review"]
    s.replay(view)
    assert view.model.header.status == "waiting"
    assert "paused at a breakpoint" in panel(view)
    controls = buttons(view)
    assert controls["approve"].description == "Continue"
    assert "nbstream-hidden" in controls["reject"]._dom_classes
    thread.then(finished_after(s, None))
    controls["approve"].click()
    assert thread.calls == [("resume", None)]


def test_without_a_thread_the_view_shows_the_question_and_closes_as_usual(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets")
    paused_run("Publish it?").replay(view)  # no ThreadControl: answer in code
    assert view.widget is None
    assert "Publish it?" in shown.snapshots[0]["text/html"]


def test_a_resume_from_code_continues_the_model_and_shows_a_new_snapshot(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, _, script = paused_view("Publish it?")
    finished_after(script, True).replay(view)  # graph.invoke(Command(resume=True), config, observers=[view])
    assert view.model.table is not None
    assert {r.name: r.runs for r in view.model.table.ordered_rows()} == {"draft": 1, "review": 2}
    waiting, done = shown.snapshots
    assert 'data-status="waiting"' in waiting["text/html"]
    assert 'nbstream-snapshot" data-status="done"' in done["text/html"]
    assert view.widget is None  # closed at the end, as any run that a cell ran


def test_another_graph_after_a_pause_starts_afresh(comms: CommCounter, shown: DisplayCapture) -> None:
    view, _, _ = paused_view("Publish it?")
    token_run(3, run_id="other").replay(view)
    assert view.model.pause is None and view.model.header.graph_name == "tokens"


# -- history ------------------------------------------------------------------------------------


def older_snapshot() -> StateSnapshot:
    """A checkpoint saved before the view watched the thread, as ThreadControl.history() gives it."""
    config = {"configurable": {"thread_id": "thread-1", "checkpoint_ns": "", "checkpoint_id": "cp-0"}}
    return StateSnapshot(
        values={"text": XSS},
        next=("__start__",),
        config=config,
        metadata={"source": "input", "step": -2, "parents": {}},
        created_at="2024-12-31T23:59:59.000000+00:00",
        parent_config=None,
        tasks=(),
        interrupts=(),
    )


def test_the_history_panel_lists_checkpoints_shows_a_state_and_forks(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, script = paused_view("Publish it?")
    history = view.model.history
    assert history is not None
    assert [(r.step, r.source, history.writers(r)) for r in history.ordered()] == [
        (1, "loop", ("draft",)),
        (0, "loop", ("__start__",)),
        (-1, "input", ()),
    ]
    section = find(view.widget, "nbstream-history-section")
    assert section.titles == ("checkpoints (3)",) and section.selected_index is None
    table = find(view.widget, "nbstream-history-box").value
    assert table.count('class="nbstream-checkpoint"') == 3
    # opening it reads the thread's whole history
    thread.snapshots = [older_snapshot()]
    section.selected_index = 0
    assert thread.calls == [("history", None)]
    assert section.titles == ("checkpoints (4)",)
    choose = find(view.widget, "nbstream-choose-checkpoint")
    assert [value for _, value in choose.options] == ["cp-3", "cp-2", "cp-1", "cp-0"]
    assert choose.options[0][0] == "step 1 · loop by draft · 00:00:03"
    fork = find(view.widget, "nbstream-fork")
    assert fork.disabled
    # choosing one shows its state, escaped
    choose.value = "cp-0"
    state = find(view.widget, "nbstream-checkpoint-box").value
    assert XSS_ESCAPED in state and "<script>" not in state
    choose.value = "cp-2"
    state = find(view.widget, "nbstream-checkpoint-box").value
    assert 'data-key="text"' in state and "next: draft" in state
    assert not fork.disabled
    # forking runs the thread on from there, in the same view
    box = view.widget
    forked = script.continuation("run-fork")
    forked.start(NODES)
    forked.resumed(None)
    forked.node(1, "draft", {"text": "another draft"})
    forked.checkpoint(1, ["review"], source="loop")
    forked.finish({"text": "another draft"})
    thread.then(forked)
    fork.click()
    assert thread.calls[-1] == ("fork", history.rows["cp-2"].config)
    assert view.widget is box and view.model.header.status == "done"
    assert view.model.table is not None and view.model.table.values == {"text": "another draft"}
    assert "checkpoints (5)" in section.titles[0]
    assert choose.value == "cp-2"  # the choice survives the new checkpoint


def test_a_fork_the_thread_refuses_is_shown_in_the_history_panel(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view, thread, _ = paused_view("Publish it?")
    thread.then(LookupError("no such checkpoint"))
    find(view.widget, "nbstream-choose-checkpoint").value = "cp-2"
    find(view.widget, "nbstream-fork").click()
    assert "the thread refused it: LookupError" in find(view.widget, "nbstream-history-box").value
    assert view.model.header.status == "waiting"


def test_the_snapshot_lists_the_checkpoints_without_times(shown: DisplayCapture) -> None:
    paused_view("Publish it?")
    text = shown.snapshots[0]["text/plain"]
    assert "checkpoints (3):\n  step 1 loop by draft -> next: review\n" in text
    assert "00:00" not in text and "00:00" not in shown.snapshots[0]["text/html"]


# -- cost -------------------------------------------------------------------------------------


def test_a_run_without_a_checkpointer_builds_no_thread_panels(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = RunView(mode="widgets", keep_live=True)
    token_run(20).replay(view)
    assert view.model.pause is None and view.model.history is None
    made = {c.open_data["state"]["_model_name"] for c in comms.comms}
    assert "HTMLModel" in made
    assert not made & {"ButtonModel", "TextareaModel", "DropdownModel", "AccordionModel"}
    assert find(view.widget, "nbstream-pause-section") is None
    assert "nbstream-pause" not in shown.snapshots[0]["text/html"].replace(CSS, "")


def test_a_long_run_on_a_thread_stays_within_its_message_budget(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    clock = ManualClock()
    view = RunView(mode="widgets", clock=clock, burst=10, flush_rate=15.0)
    thread = FakeThread(observers=[view])
    s = EventScript()
    names = [f"n{i}" for i in range(300)]
    s.start(names)
    for step, name in enumerate(names, 1):
        s.node(step, name, {"i": step})
        s.checkpoint(step, [names[step]] if step < len(names) else ["ask"])
    (t,) = s.step(len(names) + 1, "n0")
    s.interrupted(s.ask(t, "go on?"), thread=thread)
    for event in s:
        view.on_event(event)
        clock.advance(0.0001)  # 300 steps in ~0.1 s
    assert view.model.history is not None and len(view.model.history.rows) == 300
    assert comms.max_updates() <= 10 + 2 + 5
    # answering costs a handful of messages, not one per checkpoint
    sent = comms.sent
    thread.then(finished_after(s, True))
    buttons(view)["approve"].click()
    assert comms.sent - sent <= 40


def test_state_table_alone_shows_waiting_rows_but_no_panels(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    view = StateTable(mode="widgets")
    paused_run("Publish it?", thread=FakeThread()).replay(view)
    assert view.model.pause is None and view.model.history is None
    assert 'data-node="review" data-status="waiting"' in shown.snapshots[0]["text/html"]
    assert view.widget is None  # nothing to answer with: closed as at any run end


# -- text mode and the fake thread -------------------------------------------------------------


def test_without_a_kernel_the_log_prints_the_question_and_the_answer() -> None:
    out = io.StringIO()
    view = RunView(log_file=out)
    script = paused_run("Publish it?", {"q": XSS})
    script.replay(view)
    finished_after(script, True).replay(view)
    lines = out.getvalue().splitlines()
    assert "[nbstream] approval: waiting for an answer to 2 interrupts after 2 steps" in lines[3]
    assert lines[4:6] == ["[nbstream]   1. 'Publish it?'", f"[nbstream]   2. {{'q': '{XSS}'}}"]
    assert "[nbstream] approval: resumed with True" in lines
    assert lines[-1].startswith("[nbstream] approval: done after 2 steps")


def test_fake_thread_refuses_a_call_it_was_not_given_a_run_for() -> None:
    thread = FakeThread("t-9")
    with pytest.raises(
        LookupError, match="FakeThread 't-9': nothing queued with then\\(\\) for resume\\(1\\)"
    ):
        thread.resume(1)
    assert thread.calls == [("resume", 1)]


# -- a real graph on a real thread ---------------------------------------------------------------
def test_approve_on_a_real_thread_resumes_it_and_the_view_ends_done(
    comms: CommCounter, shown: DisplayCapture
) -> None:
    """The view's thread control is the graph's: Approve runs Command(resume=True) on the thread."""
    from langgraph.checkpoint.memory import InMemorySaver

    from nbstream.graph import END, START, StateGraph
    from nbstream.types import interrupt

    class Log(TypedDict):
        log: Annotated[list[str], operator.add]

    def draft(state: Log) -> dict[str, Any]:
        return {"log": ["draft"]}

    def review(state: Log) -> dict[str, Any]:
        ok = interrupt({"question": XSS})
        return {"log": [f"review:{ok}"]}

    graph = (
        StateGraph(Log)
        .add_node("draft", draft)
        .add_node("review", review)
        .add_edge(START, "draft")
        .add_edge("draft", "review")
        .add_edge("review", END)
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "view"}}
    view = RunView(mode="widgets")
    paused = graph.invoke({"log": []}, config, observers=[view])
    assert [i.value for i in paused["__interrupt__"]] == [{"question": XSS}]
    assert "waiting" in panel(view) and XSS_ESCAPED in panel(view) and XSS not in panel(view)
    buttons(view)["approve"].click()
    assert graph.get_state(config).values == {"log": ["draft", "review:True"]}
    assert "resumed" in panel(view)
    text = shown.snapshots[-1]["text/plain"]
    assert "done" in text and "waiting" not in text.split("\n")[1]
    assert "review  done" in text
