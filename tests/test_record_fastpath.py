"""The recorder's fast line writers: what they write reads back to the events they were given.

``nbstream.record`` writes most lines with a fast writer that leaves scalars and flat dicts and
tuples of them to strict JSON as they are and leaves out fields at their defaults; any other
value (a tuple in a dict, a ``$`` key, a non-finite float, a message, an exception...) sends the
event to the checked writer, which gives it the tagged form. These tests check that both give
the same line, that every event type reads back equal at and off its defaults, and that a line
with every field written out (as nbstream wrote them before) still reads.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import operator
import typing
from pathlib import Path
from typing import Annotated, Any, TypedDict

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

import nbstream
from nbstream.checkpoint.memory import InMemorySaver
from nbstream.errors import GraphRecursionError
from nbstream.events import (
    CheckpointSaved,
    CustomData,
    Event,
    LLMCallFinished,
    LLMCallStarted,
    MessageChunk,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskFinished,
    TaskRetrying,
    TaskStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from nbstream.graph import END, START, StateGraph
from nbstream.recording import _CHECKED_WRITERS, _SAFE_WRITERS, RecordedValue, _line_writer, read_events
from nbstream.testing import FakeThread, RecordingObserver
from nbstream.types import Command, Interrupt, interrupt

RUN = "run-1"
SUB = ("outer:t1",)
META = {"langgraph_node": "llm", "tags": ["x"]}


class Color(enum.IntEnum):
    """An int subclass: JSON would write it as an int, the tagged form keeps what it was."""

    RED = 1


#: a value of every shape that needs the tagged form, for every value field
TAGGED = {
    "pair": (1, "a"),
    "$key": 1,
    "nan": math.nan,
    "inf": -math.inf,
    "message": HumanMessage("hi", id="h1"),
    "nested": {"deep": [(2, 3)]},
    "by_id": {7: "seven"},
    "color": Color.RED,
}
#: a flat dict of scalars: the fast writer's line
FLAT = {"n": 1, "name": "ann", "ok": True, "none": None, "score": 0.5, "neg": -0.0, "text": 'a "quoted" é ✓'}

#: per event type, one event whose values the fast writer takes as they are
PLAIN: dict[type[Any], Event] = {
    RunStarted: RunStarted(RUN, (), -1, "demo", FLAT, ("a", "b"), (("__start__", "a", False),)),
    RunFinished: RunFinished(RUN, (), 3, FLAT),
    RunFailed: RunFailed(RUN, (), 2, GraphRecursionError("Recursion limit of 3 reached"), False),
    StepStarted: StepStarted(RUN, SUB, 1, ("t1", "t2")),
    StepFinished: StepFinished(RUN, (), 1, FLAT, frozenset({"n", "name"})),
    TaskStarted: TaskStarted(RUN, (), 1, "t1", "a", FLAT, ("branch:to:a",), ("__pregel_pull", "a"), {}),
    TaskFinished: TaskFinished(RUN, SUB, 1, "t1", "a", {"n": 2}, (("n", 2),), 0.25),
    TaskRetrying: TaskRetrying(RUN, (), 1, "t1", "a", 2, ValueError("slow down"), 0.5),
    CustomData: CustomData(RUN, SUB, 2, "t3", "sub", "progress"),
    LLMCallStarted: LLMCallStarted(RUN, (), 1, "c1", "llm", ("seq:step:1",), {"langgraph_node": "llm"}),
    MessageChunk: MessageChunk(RUN, (), 1, None, "llm", AIMessage("done", id="m1"), {}, "message"),
    LLMCallFinished: LLMCallFinished(RUN, (), 1, "c1", "llm", None),
    ToolCallStarted: ToolCallStarted(RUN, (), 2, "t4", "tools", "tc-1", "add", {"a": 1}, "call-1"),
    ToolCallFinished: ToolCallFinished(RUN, (), 2, "t4", "tools", "tc-1", 2, None, 0.01),
    CheckpointSaved: CheckpointSaved(
        RUN, (), 1, {"configurable": "th"}, {"source": "loop", "step": 1}, FLAT, ("ask",), (), None, "2026"
    ),
    RunInterrupted: RunInterrupted(RUN, (), 1, (), {"thread_id": "th"}),
    RunResumed: RunResumed(RUN, (), 2, {"thread_id": "th"}, None),
}

#: events whose every value field (and item, and pair) holds values that need the tagged form,
#: and whose fields with defaults are off them
TAGGED_EVENTS: list[Event] = [
    RunStarted(RUN, (), -1, "demo", TAGGED, ("a",), (("__start__", "a", True),), ("out",)),
    RunFinished(RUN, (), 3, TAGGED),
    StepFinished(RUN, SUB, 1, TAGGED, frozenset({"pair", "nan"})),
    TaskStarted(RUN, (), 1, "t1", "a", TAGGED, ("branch:to:a",), ("__pregel_push", 0, (1, 2)), TAGGED),
    TaskFinished(RUN, (), 1, "t1", "a", TAGGED, (("n", (1, 2)), ("$key", math.nan)), 0.1),
    CustomData(RUN, SUB, 2, "t3", "sub", TAGGED, "tc-1"),
    CustomData(RUN, SUB, 2, "t3", "sub", (1, 2)),
    ToolCallStarted(RUN, (), 2, "t4", "tools", "tc-1", "add", TAGGED, None),
    ToolCallFinished(RUN, (), 2, "t4", "tools", "tc-1", TAGGED, KeyError("k"), 0.01),
    CheckpointSaved(RUN, (), 1, TAGGED, TAGGED, TAGGED, ("ask",), ((1, 2),), TAGGED, "2026"),
    RunInterrupted(
        RUN, (), 1, (Interrupt(TAGGED, "i-1"),), TAGGED, FakeThread("th"), {"messages": [AIMessage("a")]}
    ),
    RunResumed(RUN, (), 2, TAGGED, (1, "a")),
    LLMCallStarted(RUN, (), 1, "c1", "llm", ("seq:step:1",), TAGGED),
    MessageChunk(RUN, (), 1, "c1", "llm", AIMessageChunk(content="he", id="ai-2"), TAGGED, "token"),
]

#: a TaskFinished with each of its defaulted fields off its default, one at a time and all at once
_TASK = PLAIN[TaskFinished]
TASK_VARIANTS: dict[str, TaskFinished] = {
    "error": _TASK._replace(writes=(), error=ValueError("bad", 3)),
    "cancelled": _TASK._replace(cancelled=True),
    "cached": _TASK._replace(cached=True),
    "handoff": _TASK._replace(handoff=Command(graph=Command.PARENT, goto="x", update={"n": 1})),
    "interrupts": _TASK._replace(interrupts=(Interrupt("ok?", "i-1"),)),
    "answered": _TASK._replace(error=ValueError("after"), answered=True),
    "all": _TASK._replace(
        error=ValueError("bad"),
        cancelled=True,
        cached=True,
        handoff=Command(goto="b"),
        interrupts=(Interrupt(1, "i"),),
        answered=True,
    ),
}


def same(a: Any, b: Any) -> bool:
    """Equal, where exceptions compare by class, message and args, nan equals nan, records field
    by field, and a value of a class of the user's by its repr (it comes back as a RecordedValue)."""
    if isinstance(b, RecordedValue):
        return repr(a) == repr(b)
    if isinstance(a, BaseException):
        return type(a) is type(b) and str(a) == str(b) and same(a.args, b.args)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and bool(a == b)


def read_back(tmp_path: Path, events: list[Event]) -> tuple[list[bytes], list[Event]]:
    """The lines a recorder writes for ``events`` (header left out) and the events read from them."""
    path = tmp_path / "run.jsonl"
    with nbstream.record(path) as recorder:
        for event in events:
            recorder.on_event(event)
    lines = path.read_bytes().split(b"\n")[1:-1]
    return lines, [event for _, event in read_events(path)]


def assert_read_back_equal(original: Event, back: Event) -> None:
    assert type(back) is type(original)
    for field, was, read in zip(type(original)._fields, original, back, strict=True):
        if field == "thread":
            assert read is None  # a live handle on a thread is not written
        else:
            assert same(was, read), f"{type(original).__name__}.{field}: {was!r} != {read!r}"


def fields_of(line: bytes) -> list[str]:
    keys = list(json.loads(line))
    return keys


# the fast writer and the checked one -------------------------------------------------------------


def test_every_event_type_has_a_plain_sample_here() -> None:
    """A new event type fails here until it has a sample (and so is tested)."""
    assert set(PLAIN) == set(typing.get_args(Event))


def _spying_writer(cls: type[Any]) -> tuple[Any, list[Event]]:
    """A fast writer for ``cls`` that notes each event it hands to the checked writer."""
    handed: list[Event] = []

    def checked(event: Any, t: float) -> bytes:
        handed.append(event)
        return _CHECKED_WRITERS[cls](event, t)

    return _line_writer(cls, orjson.dumps, checked), handed


@pytest.mark.parametrize("kind", [k for k in PLAIN if k is not MessageChunk], ids=lambda k: k.__name__)
def test_plain_values_are_written_by_the_fast_writer_as_the_checked_one_writes_them(kind: type[Any]) -> None:
    event = PLAIN[kind]
    fast, handed = _spying_writer(kind)
    line = fast(event, 0.5)
    assert line == _CHECKED_WRITERS[kind](event, 0.5)
    has_error = kind in (RunFailed, TaskRetrying)  # an exception always has the tagged form
    assert handed == ([event] if has_error else [])


@pytest.mark.parametrize(
    "event", [e for e in TAGGED_EVENTS if type(e) is not MessageChunk], ids=lambda e: type(e).__name__
)
def test_values_that_need_the_tagged_form_go_to_the_checked_writer(event: Event) -> None:
    fast, handed = _spying_writer(type(event))
    try:
        line = fast(event, 0.5)
    except TypeError:  # JSON refused a key that is not a str: the recorder asks the checked writer
        line = _CHECKED_WRITERS[type(event)](event, 0.5)
    else:
        assert handed == [event]
    assert line == _CHECKED_WRITERS[type(event)](event, 0.5)
    assert b'"$' in line


def test_a_dollar_in_a_string_costs_the_checked_writer_and_changes_nothing() -> None:
    event = TaskFinished(RUN, (), 1, "t1", "a", {"price": "$5"}, (("price", "$5"),), 0.1)
    fast, handed = _spying_writer(TaskFinished)
    assert fast(event, 0.5) == _CHECKED_WRITERS[TaskFinished](event, 0.5)
    assert handed == [event]
    assert json.loads(fast(event, 0.5))["update"] == {"price": "$5"}


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_float_that_is_not_finite_is_written_in_the_tagged_form_wherever_it_is(
    tmp_path: Path, number: float
) -> None:
    """JSON would write nan and the infinities as null: a finite float goes as it is, they do not."""
    events: list[Event] = [
        TaskFinished(RUN, (), 1, "t1", "a", number, (("n", 0.5),), 0.1),
        TaskFinished(RUN, (), 1, "t1", "a", {"n": number, "m": 0.5}, (("n", 0.5),), 0.1),
        TaskFinished(RUN, (), 1, "t1", "a", {"n": 0.5}, (("n", number),), 0.1),
        TaskStarted(RUN, (), 1, "t1", "a", {}, (), ("__pregel_push", number), {}),
    ]
    lines, back = read_back(tmp_path, events)
    for line, event in zip(lines, events, strict=True):
        assert json.loads(line) | {"t": 0} == json.loads(_CHECKED_WRITERS[type(event)](event, 0))
        assert b'{"$float":' in line
    for original, read in zip(events, back, strict=True):
        assert_read_back_equal(original, read)


class Shade(enum.StrEnum):
    """A str subclass: as a dict key, JSON would write it as a string; the tagged form keeps it."""

    DARK = "dark"


def test_a_dict_key_that_is_not_exactly_a_str_is_written_in_the_tagged_form(tmp_path: Path) -> None:
    events: list[Event] = [
        TaskFinished(RUN, (), 1, "t1", "a", {7: "seven"}, (("n", 1),), 0.1),
        TaskFinished(RUN, (), 1, "t1", "a", {Shade.DARK: 1}, (("n", 1),), 0.1),
    ]
    lines, back = read_back(tmp_path, events)
    for line, event in zip(lines, events, strict=True):
        assert json.loads(line) | {"t": 0} == json.loads(_CHECKED_WRITERS[TaskFinished](event, 0))
        assert b'"$dict"' in line
    assert back[0].update == {7: "seven"}
    (key,) = back[1].update
    assert isinstance(key, RecordedValue) and repr(key) == repr(Shade.DARK)


# reading back ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PLAIN), ids=lambda k: k.__name__)
def test_plain_events_read_back_equal(tmp_path: Path, kind: type[Any]) -> None:
    (original,) = events = [PLAIN[kind]]
    _, (back,) = read_back(tmp_path, events)
    assert_read_back_equal(original, back)


@pytest.mark.parametrize("event", TAGGED_EVENTS, ids=lambda e: type(e).__name__)
def test_tagged_values_in_every_value_field_read_back_equal(tmp_path: Path, event: Event) -> None:
    _, (back,) = read_back(tmp_path, [event])
    assert_read_back_equal(event, back)


@pytest.mark.parametrize("name", list(TASK_VARIANTS))
def test_a_task_finished_off_its_defaults_reads_back_equal(tmp_path: Path, name: str) -> None:
    event = TASK_VARIANTS[name]
    (line,), (back,) = read_back(tmp_path, [event])
    assert_read_back_equal(event, back)
    off = [f for f in TaskFinished._field_defaults if getattr(event, f) is not getattr(_TASK, f)]
    assert fields_of(line)[10:] == off  # only the fields off their defaults, in the event's order


def test_a_run_through_the_fast_writers_reads_back_to_its_live_events(tmp_path: Path) -> None:
    """A real run with a loop, an interrupt, a failure and a resume: the file gives its events again."""

    class State(TypedDict, total=False):
        n: int
        log: Annotated[list[str], operator.add]
        answer: str

    def count(state: State) -> dict[str, Any]:
        return {"n": state.get("n", 0) + 1, "log": [f"count {state.get('n', 0)}"]}

    def ask(state: State) -> dict[str, Any]:
        return {"answer": interrupt({"question": "go on?", "n": state["n"]})}

    def check(state: State) -> dict[str, Any]:
        if state["answer"] != "yes":
            raise ValueError(f"answer was {state['answer']!r}")
        return {"log": ["$ checked"]}

    builder = StateGraph(State)
    builder.add_node("count", count)
    builder.add_node("ask", ask)
    builder.add_node("check", check)
    builder.add_edge(START, "count")
    builder.add_conditional_edges("count", lambda s: "count" if s["n"] < 3 else "ask", ["count", "ask"])
    builder.add_edge("ask", "check")
    builder.add_edge("check", END)
    graph = builder.compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "th"}}
    live = RecordingObserver()
    path = tmp_path / "run.jsonl"
    recorder = nbstream.record(path)
    graph.invoke({"n": 0}, config, observers=[live, recorder])
    with pytest.raises(ValueError, match="answer was 'no'"):
        graph.invoke(Command(resume="no"), config, observers=[live, recorder])
    back = [event for _, event in read_events(path)]
    assert len(back) == len(live.events)
    for original, read in zip(live.events, back, strict=True):
        assert_read_back_equal(original, read)
    paused = [e for e in back if isinstance(e, TaskFinished) and e.interrupts]
    failed = [e for e in back if isinstance(e, TaskFinished) and e.error is not None]
    assert paused and failed and isinstance(failed[0].error, ValueError)


# the line ----------------------------------------------------------------------------------------


def test_fields_at_their_defaults_are_left_out_and_the_others_keep_their_order(tmp_path: Path) -> None:
    events = [_TASK, TASK_VARIANTS["all"], PLAIN[RunStarted], PLAIN[CustomData], PLAIN[RunInterrupted]]
    lines, _ = read_back(tmp_path, events)
    head = ["event", "t", "run_id", "ns", "step"]
    task = [*head, "task_id", "node", "update", "writes", "duration"]
    assert [fields_of(line) for line in lines] == [
        task,
        [*task, "error", "cancelled", "cached", "handoff", "interrupts", "answered"],
        [*head, "graph_name", "input", "node_names", "edges"],
        [*head, "task_id", "node", "data"],
        [*head, "interrupts", "config"],
    ]


def test_a_line_with_every_field_written_out_still_reads(tmp_path: Path) -> None:
    """Files written before fields at defaults were left out (format version 1 all the same)."""
    header = {
        "format": "nbstream.recording",
        "version": 1,
        "nbstream": "0.1.0",
        "langchain_core": "1.0.0",
        "recorded_at": "2026-01-01T00:00:00+00:00",
        "run": {"run_id": RUN, "graph": "demo", "nodes": ["a"]},
    }
    base = {"t": 0.5, "run_id": RUN, "ns": [], "step": 1}
    lines = [
        header,
        {"event": "RunStarted", **base, "graph_name": "demo", "input": {"n": 0}, "node_names": ["a"]}
        | {"edges": [["__start__", "a", False]], "output_keys": None},
        {"event": "TaskFinished", **base, "task_id": "t1", "node": "a", "update": {"n": 1}}
        | {"writes": [["n", 1]], "duration": 0.1, "error": None, "cancelled": False, "cached": False}
        | {"handoff": None, "interrupts": [], "answered": False},
        {"event": "CustomData", **base, "task_id": "t1", "node": "a", "data": 1, "tool_call": None},
        {"event": "RunInterrupted", **base, "interrupts": [], "config": {}, "values": None},
    ]
    path = tmp_path / "old.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    back = [event for _, event in read_events(path)]
    assert back == [
        RunStarted(RUN, (), 1, "demo", {"n": 0}, ("a",), (("__start__", "a", False),), None),
        TaskFinished(RUN, (), 1, "t1", "a", {"n": 1}, (("n", 1),), 0.1),
        CustomData(RUN, (), 1, "t1", "a", 1, None),
        RunInterrupted(RUN, (), 1, (), {}, None, None),
    ]


def test_the_line_is_made_when_its_event_comes(tmp_path: Path) -> None:
    """A node that changes its state's values later in place changes nothing written."""
    update = {"n": 1}
    path = tmp_path / "run.jsonl"
    with nbstream.record(path) as recorder:
        recorder.on_event(TaskFinished(RUN, (), 1, "t1", "a", update, (("n", 1),), 0.1))
        update["n"] = 2
        update["$later"] = (1, 2)
    ((_, back),) = list(read_events(path))
    assert back.update == {"n": 1}


# any value ---------------------------------------------------------------------------------------

_KEYS = st.one_of(st.sampled_from(["x", "$x", "", "a$"]), st.text(max_size=3), st.integers())
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # past 64 bits: orjson refuses, json writes
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(["$tuple", "\ud800", Color.RED]),  # a lone surrogate: orjson refuses it
    st.sampled_from([math.nan, math.inf, 0.5, -0.0]),  # st.floats seldom draws these
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.tuples(inner, inner), st.dictionaries(_KEYS, inner, max_size=3)
    ),
    max_leaves=6,
)


def _checked_line(event: Event) -> dict[str, Any]:
    for writer in (_CHECKED_WRITERS[type(event)], _SAFE_WRITERS[type(event)]):
        try:
            line: dict[str, Any] = json.loads(writer(event, 0.0))
            break
        except TypeError:
            continue
    del line["t"]
    return line


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_VALUES, other=_VALUES, off=st.booleans())
@example(value=math.nan, other={"x": -math.inf, "y": 0.5}, off=False)  # JSON would write null
@example(value={"$x": 1, "y": "$"}, other={1: 2}, off=True)
def test_any_values_give_the_checked_writers_line_and_read_back_equal(
    tmp_path: Path, value: Any, other: Any, off: bool
) -> None:
    task = TaskFinished(RUN, (), 1, "t1", "a", value, (("a", value), ("b", other)), 0.1)
    events: list[Event] = [
        task._replace(handoff=other, cached=True) if off else task,
        TaskStarted(RUN, (), 1, "t1", "a", value, ("branch:to:a",), ("__pregel_pull", other), {"k": value}),
        StepFinished(RUN, (), 1, {"a": value, "b": other}, frozenset({"a", "b"})),
        CustomData(RUN, (), 1, "t1", "a", value, "tc" if off else None),
    ]
    lines, back = read_back(tmp_path, events)
    assert [json.loads(line) | {"t": None} for line in lines] == [
        _checked_line(event) | {"t": None} for event in events
    ]
    for original, read in zip(events, back, strict=True):
        assert_read_back_equal(original, read)
