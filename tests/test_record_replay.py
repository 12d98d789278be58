"""Record a run to JSON Lines and replay it: every event type, real runs, failures, bad files, views."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import operator
import time
import typing
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pydantic
import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.load import load
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

import nbstream
from nbstream import events
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
from nbstream.recording import RecordingError, read_events
from nbstream.testing import CommCounter, DisplayCapture, FakeThread, RecordingObserver
from nbstream.types import Command, Interrupt, PregelTask, Send


class Point(pydantic.BaseModel):
    x: int
    y: int


@dataclasses.dataclass
class Box:
    label: str
    size: float


class QuotaExceeded(Exception):
    """An exception class of the user's: a recording brings back a stand-in of the same name."""


RUN = "run-1"
SUB = ("outer:t1",)
AI = AIMessage(
    content="calling",
    id="ai-1",
    tool_calls=[{"name": "add", "args": {"a": 1}, "id": "call-1", "type": "tool_call"}],
    usage_metadata={"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
)
META = {"langgraph_node": "llm", "langgraph_triggers": ("branch:to:llm",), "tags": ["x"]}
TASK = PregelTask("t1", "ask", ("__pregel_pull", "ask"), None, (Interrupt("ok?", "i-1"),), None, None)

#: one event of every type, carrying values JSON cannot hold as they are
SAMPLES: dict[type[Any], Event] = {
    RunStarted: RunStarted(
        RUN,
        (),
        -1,
        "demo",
        {"messages": [HumanMessage("hi", id="h1")]},
        ("a", "b"),
        (("__start__", "a", False), ("a", "b", True)),
        ("out",),
    ),
    RunFinished: RunFinished(RUN, (), 3, {"point": Point(x=1, y=2), "box": Box("b", 1.5)}),
    RunFailed: RunFailed(RUN, (), 2, GraphRecursionError("Recursion limit of 3 reached"), False),
    StepStarted: StepStarted(RUN, SUB, 1, ("t1", "t2")),
    StepFinished: StepFinished(
        RUN,
        (),
        1,
        {"n": 1, "pair": (1, "a"), "tags": {"a", "b"}, "nan": math.inf, "by_id": {1: "x"}},
        frozenset({"n", "pair"}),
    ),
    TaskStarted: TaskStarted(
        RUN, (), 1, "t1", "a", {"n": 0}, ("branch:to:a",), ("__pregel_pull", "a"), {"k": 1}
    ),
    TaskFinished: TaskFinished(
        RUN,
        (),
        1,
        "t1",
        "a",
        Command(goto=Send("b", {"n": 2}), update={"n": 1}),
        (("n", 1), ("n", (2, 3))),
        0.25,
        ValueError("bad", 3),
        False,
        False,
        Command(graph=Command.PARENT, goto="x"),
        (Interrupt("q", "i-2"),),
    ),
    TaskRetrying: TaskRetrying(RUN, (), 1, "t1", "a", 2, QuotaExceeded("slow down"), 0.5),
    CustomData: CustomData(
        RUN,
        SUB,
        2,
        "t3",
        "sub",
        {"$weird": b"\x00\x01", "box": Box("c", 2.0), "doc": Document("text", id="d1")},
        "tc-1",
    ),
    LLMCallStarted: LLMCallStarted(RUN, (), 1, "c1", "llm", ("seq:step:1",), META),
    MessageChunk: MessageChunk(
        RUN, (), 1, "c1", "llm", AIMessageChunk(content="he", id="ai-2"), META, "token"
    ),
    LLMCallFinished: LLMCallFinished(RUN, (), 1, "c1", "llm", TimeoutError("model timed out")),
    ToolCallStarted: ToolCallStarted(RUN, (), 2, "t4", "tools", "tc-1", "add", {"a": 1}, "call-1"),
    ToolCallFinished: ToolCallFinished(
        RUN, (), 2, "t4", "tools", "tc-1", ToolMessage("2", tool_call_id="call-1", id="tm-1"), None, 0.01
    ),
    CheckpointSaved: CheckpointSaved(
        RUN,
        (),
        1,
        {"configurable": {"thread_id": "th", "checkpoint_ns": "", "checkpoint_id": "cp1"}},
        {"source": "loop", "step": 1, "parents": {}},
        {"messages": [AI]},
        ("ask",),
        (TASK,),
        None,
        "2026-01-01T00:00:00+00:00",
    ),
    RunInterrupted: RunInterrupted(
        RUN,
        (),
        1,
        (Interrupt({"question": "ok?"}, "i-1"),),
        {"configurable": {"thread_id": "th"}},
        FakeThread("th"),
        {"messages": [AI]},
    ),
    RunResumed: RunResumed(RUN, (), 2, {"configurable": {"thread_id": "th"}}, {"i-1": True}),
}


def same_value(a: Any, b: Any) -> bool:
    """Equal, where exceptions compare by class name, message and args, and user classes by repr."""
    if isinstance(a, BaseException):
        return type(a).__name__ == type(b).__name__ and str(a) == str(b) and same_value(a.args, b.args)
    if isinstance(a, (Point, Box)):
        return isinstance(b, nbstream.recording.RecordedValue) and repr(a) == repr(b)
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and not hasattr(a, "_fields"):
        return type(a) is type(b) and len(a) == len(b) and all(map(same_value, a, b))
    if isinstance(a, tuple):  # a named tuple (PregelTask): same class, same fields
        return type(a) is type(b) and all(map(same_value, a, b))
    if isinstance(a, (Command, Send)):
        return type(a) is type(b) and all(
            same_value(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    return type(a) is type(b) and a == b


def recorded(tmp_path: Path, evts: list[Event], name: str = "run.jsonl") -> Path:
    path = tmp_path / name
    with nbstream.record(path) as recorder:
        for event in evts:
            recorder.on_event(event)
    return path


def replayed(path: Path) -> list[Event]:
    seen = RecordingObserver()
    nbstream.replay(path, [seen], speed=None)
    return seen.events


# every event type --------------------------------------------------------------------------------


def test_every_event_type_has_a_sample_here() -> None:
    """A new event type in nbstream.events fails here until it is given a sample (and so tested)."""
    assert set(SAMPLES) == set(typing.get_args(Event))


@pytest.mark.parametrize("kind", list(SAMPLES), ids=lambda k: k.__name__)
def test_every_event_type_round_trips(tmp_path: Path, kind: type[Any]) -> None:
    event = SAMPLES[kind]
    (back,) = replayed(recorded(tmp_path, [event]))
    assert type(back) is kind
    for field, original, read in zip(kind._fields, event, back, strict=True):
        if field == "thread":
            assert read is None  # a live handle on a thread is not kept
        else:
            assert same_value(original, read), f"{kind.__name__}.{field}: {original!r} != {read!r}"


def test_values_come_back_as_the_python_values_they_were(tmp_path: Path) -> None:
    (step,) = replayed(recorded(tmp_path, [SAMPLES[StepFinished]]))
    assert step.values == {"n": 1, "pair": (1, "a"), "tags": {"a", "b"}, "nan": math.inf, "by_id": {1: "x"}}
    (custom,) = replayed(recorded(tmp_path, [SAMPLES[CustomData]]))
    assert custom.data["$weird"] == b"\x00\x01"
    assert custom.data["box"].data == {"label": "c", "size": 2.0}
    (failed,) = replayed(recorded(tmp_path, [SAMPLES[RunFailed]]))
    assert type(failed.error) is GraphRecursionError  # nbstream's own errors come back as themselves
    (retry,) = replayed(recorded(tmp_path, [SAMPLES[TaskRetrying]]))
    assert isinstance(retry.error, nbstream.recording.RecordedError)
    assert type(retry.error).__name__ == "QuotaExceeded" and str(retry.error) == "slow down"


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_messages_are_written_in_langchain_cores_form(tmp_path: Path) -> None:
    """The ``$lc`` form is what ``langchain_core.load`` reads, and it gives the same messages."""
    messages = [
        AI,
        HumanMessage("hi", id="h1", name="ann"),
        ToolMessage("2", tool_call_id="c", status="error"),
        AIMessageChunk(content="", tool_call_chunks=[{"name": "add", "args": '{"a"', "id": "c", "index": 0}]),
    ]
    path = recorded(tmp_path, [RunFinished(RUN, (), 1, messages)])
    line = json.loads(path.read_text().splitlines()[1])
    by_langchain = [load(m["$lc"], allowed_objects="core") for m in line["output"]]
    (finished,) = replayed(path)
    assert by_langchain == messages
    assert finished.output == messages


def test_metadata_of_one_llm_call_is_shared_as_in_the_live_run(tmp_path: Path) -> None:
    words = ["a", ' "quoted"\n', "é✓\x00", "", "last"]
    chunks = [
        MessageChunk(RUN, (), 1, "c1", "llm", AIMessageChunk(content=w, id="a"), META, "token") for w in words
    ]
    back = replayed(recorded(tmp_path, chunks))
    assert [c.message for c in back] == [c.message for c in chunks]
    assert back[0].metadata == META and all(c.metadata is back[0].metadata for c in back)


# real runs ---------------------------------------------------------------------------------------


class Outer(TypedDict, total=False):
    items: Annotated[list[str], operator.add]
    answer: str


def demo_graph() -> Any:
    """Parallel work, a subgraph, Send fan-out, custom data and a streaming model."""
    from nbstream.config import get_stream_writer

    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage(content="all done here")]))

    def inner(state: Outer) -> dict[str, Any]:
        get_stream_writer()({"inner": len(state.get("items", []))})
        return {"items": ["inner"]}

    sub = StateGraph(Outer)
    sub.add_node("inner", inner)
    sub.add_edge(START, "inner")
    sub.add_edge("inner", END)

    def fan(state: Outer) -> list[Send]:
        return [Send("work", {"items": [f"w{i}"]}) for i in range(3)]

    def work(state: Outer) -> dict[str, Any]:
        return {"items": [state["items"][0].upper()]}

    def answer(state: Outer) -> dict[str, Any]:
        return {"answer": model.invoke("sum up").content}

    builder = StateGraph(Outer)
    builder.add_node("start", lambda s: {"items": ["s"]})
    builder.add_node("sub", sub.compile())
    builder.add_node("work", work)
    builder.add_node("answer", answer)
    builder.add_edge(START, "start")
    builder.add_edge("start", "sub")
    builder.add_conditional_edges("start", fan, ["work"])
    builder.add_edge(["sub", "work"], "answer")
    builder.add_edge("answer", END)
    return builder.compile()


def test_a_recorded_run_replays_every_event_it_had(tmp_path: Path) -> None:
    live = RecordingObserver()
    path = tmp_path / "run.jsonl"
    result = demo_graph().invoke({"items": []}, observers=[live, nbstream.record(path)])
    assert result["answer"] == "all done here"
    back = replayed(path)
    assert back == live.events
    assert any(e.ns for e in back)  # the subgraph's events are in it
    assert sum(isinstance(e, MessageChunk) for e in back) > 3


def test_the_header_says_what_the_run_was(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    demo_graph().invoke({"items": []}, observers=[nbstream.record(path)])
    header = json.loads(path.read_text().splitlines()[0])
    assert header["format"] == "nbstream.recording" and header["version"] == nbstream.recording.FORMAT_VERSION
    assert header["nbstream"] == nbstream.__version__
    assert header["run"]["nodes"] == ["start", "sub", "work", "answer"]
    lines = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert lines[0]["event"] == "RunStarted" and lines[-1]["event"] == "RunFinished"


def test_a_run_that_fails_keeps_its_failure(tmp_path: Path) -> None:
    def boom(state: Outer) -> dict[str, Any]:
        raise QuotaExceeded("quota of 3 calls exceeded")

    builder = StateGraph(Outer)
    builder.add_node("boom", boom)
    builder.add_edge(START, "boom")
    path = tmp_path / "failed.jsonl"
    with pytest.raises(QuotaExceeded):
        builder.compile().invoke({"items": []}, observers=[nbstream.record(path)])
    back = replayed(path)
    failed = back[-1]
    assert isinstance(failed, RunFailed) and not failed.cancelled
    assert type(failed.error).__name__ == "QuotaExceeded"
    assert str(failed.error) == "quota of 3 calls exceeded"
    (finished,) = [e for e in back if isinstance(e, TaskFinished)]
    assert str(finished.error) == "quota of 3 calls exceeded"


def test_a_paused_run_replays_without_its_thread(tmp_path: Path) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    from nbstream.types import interrupt

    def ask(state: Outer) -> dict[str, Any]:
        return {"answer": interrupt("approve?")}

    builder = StateGraph(Outer)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    graph = builder.compile(checkpointer=InMemorySaver())
    live = RecordingObserver()
    path = tmp_path / "paused.jsonl"
    graph.invoke({"items": []}, {"configurable": {"thread_id": "1"}}, observers=[live, nbstream.record(path)])
    back = replayed(path)
    paused = back[-1]
    assert isinstance(paused, RunInterrupted) and paused.thread is None
    assert paused.interrupts == live.events[-1].interrupts
    assert [e for e in back if isinstance(e, CheckpointSaved)] == [
        e for e in live.events if isinstance(e, CheckpointSaved)
    ]


def test_a_run_view_replayed_shows_the_same_final_snapshot(tmp_path: Path) -> None:
    from nbstream.widgets import RunView

    path = tmp_path / "run.jsonl"
    with CommCounter(), DisplayCapture() as live_shown:
        demo_graph().invoke({"items": []}, observers=[RunView(mode="widgets"), nbstream.record(path)])
    with CommCounter(), DisplayCapture() as replay_shown:
        nbstream.replay(path, observers=[RunView(mode="widgets")], speed=None)
    live_html = live_shown.snapshots[-1]["text/html"]
    assert "answer" in live_html
    assert replay_shown.snapshots[-1]["text/html"] == live_html


# timing ------------------------------------------------------------------------------------------


def test_replay_keeps_the_recorded_timing_or_goes_at_once(tmp_path: Path) -> None:
    def slow(state: Outer) -> dict[str, Any]:
        time.sleep(0.2)
        return {"answer": "late"}

    builder = StateGraph(Outer)
    builder.add_node("slow", slow)
    builder.add_edge(START, "slow")
    path = tmp_path / "slow.jsonl"
    builder.compile().invoke({"items": []}, observers=[nbstream.record(path)])

    def took(speed: float | None) -> float:
        start = time.perf_counter()
        nbstream.replay(path, [lambda e: None], speed=speed)
        return time.perf_counter() - start

    assert took(1.0) >= 0.2
    assert 0.1 <= took(2.0) < 0.2
    assert took(None) < 0.1
    with pytest.raises(ValueError, match="speed"):
        nbstream.replay(path, [], speed=0)


# bad files ---------------------------------------------------------------------------------------


def good_file(tmp_path: Path) -> list[str]:
    """The lines of a small recorded run (header first)."""
    path = tmp_path / "good.jsonl"
    demo_graph().invoke({"items": []}, observers=[nbstream.record(path)])
    return path.read_text().splitlines()


def replay_bad(tmp_path: Path, text: str) -> tuple[list[Event], RecordingError]:
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    seen = RecordingObserver()
    with pytest.raises(RecordingError) as caught:
        nbstream.replay(path, [seen], speed=None)
    return seen.events, caught.value


def test_a_cut_short_last_line_replays_what_came_before(tmp_path: Path) -> None:
    lines = good_file(tmp_path)
    text = "\n".join(lines[:10]) + "\n" + lines[10][: len(lines[10]) // 2]
    seen, error = replay_bad(tmp_path, text)
    assert len(seen) == 9 and error.line == 11
    assert "cut short" in str(error) and "bad.jsonl, line 11" in str(error)


def test_a_line_that_is_not_json_stops_the_replay_there(tmp_path: Path) -> None:
    lines = good_file(tmp_path)
    seen, error = replay_bad(tmp_path, "\n".join([*lines[:5], "{oops", *lines[5:]]) + "\n")
    assert len(seen) == 4 and error.line == 6 and "not JSON" in str(error)


def test_an_unknown_event_type_is_named(tmp_path: Path) -> None:
    lines = good_file(tmp_path)
    alien = json.dumps({"event": "TeleportStarted", "t": 0.1, "run_id": "r", "ns": [], "step": 1})
    seen, error = replay_bad(tmp_path, "\n".join([*lines[:3], alien, *lines[3:]]) + "\n")
    assert len(seen) == 2 and error.line == 4
    assert "unknown event type 'TeleportStarted'" in str(error)


def test_a_field_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    lines = good_file(tmp_path)
    line = json.loads(lines[2])
    line["step"] = "two"
    seen, error = replay_bad(tmp_path, "\n".join([lines[0], lines[1], json.dumps(line)]) + "\n")
    assert len(seen) == 1 and error.line == 3 and "step" in str(error)


def test_a_newer_format_version_is_refused_with_both_versions(tmp_path: Path) -> None:
    lines = good_file(tmp_path)
    header = json.loads(lines[0])
    header["version"] = 99
    seen, error = replay_bad(tmp_path, "\n".join([json.dumps(header), *lines[1:]]) + "\n")
    assert seen == [] and error.line == 1
    assert "format version 99 is newer" in str(error) and "upgrade nbstream" in str(error)


def test_a_file_that_is_not_a_recording_is_refused(tmp_path: Path) -> None:
    seen, error = replay_bad(tmp_path, '{"hello": 1}\n')
    assert seen == [] and error.line == 1 and "no nbstream header" in str(error)
    assert isinstance(error, ValueError)


def test_read_events_gives_events_with_their_times(tmp_path: Path) -> None:
    lines = good_file(tmp_path)
    path = tmp_path / "again.jsonl"
    path.write_text("\n".join(lines) + "\n")
    timed = list(read_events(path))
    times = [t for t, _ in timed]
    assert times == sorted(times) and times[0] == 0.0
    assert isinstance(timed[0][1], RunStarted) and isinstance(timed[-1][1], RunFinished)


def test_the_recorder_is_an_observer_of_several_runs(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    recorder = nbstream.record(path)
    graph = demo_graph()
    graph.invoke({"items": []}, observers=[recorder])
    graph.invoke({"items": ["again"]}, observers=[recorder])
    back = replayed(path)
    starts = [e for e in back if isinstance(e, RunStarted) and not e.ns]
    assert len(starts) == 2 and starts[0].run_id != starts[1].run_id
    assert isinstance(back[-1], RunFinished) and "again" in back[-1].output["items"]


def test_events_module_lists_what_the_format_knows() -> None:
    from nbstream._recording_format import EVENT_TYPES

    assert set(EVENT_TYPES) == set(events.__all__) - {"Event", "ThreadControl", "Namespace"}


def test_replayed_messages_read_as_the_originals(tmp_path: Path) -> None:
    """Same repr (field order included), same model_dump: what views and reducers see."""
    messages = [AI, HumanMessage("hi", id="h1"), AIMessageChunk(content="tok", id="a")]
    (finished,) = replayed(recorded(tmp_path, [RunFinished(RUN, (), 1, messages)]))
    assert [repr(m) for m in finished.output] == [repr(m) for m in messages]
    assert [m.model_dump() for m in finished.output] == [m.model_dump() for m in messages]


def test_an_async_run_records_as_a_sync_one(tmp_path: Path) -> None:
    import asyncio

    live = RecordingObserver()
    path = tmp_path / "async.jsonl"
    asyncio.run(demo_graph().ainvoke({"items": []}, observers=[live, nbstream.record(path)]))
    assert replayed(path) == live.events


def test_interleaved_llm_calls_keep_their_own_tokens(tmp_path: Path) -> None:
    """Two calls streaming at once, one chunk carrying a tool call among plain tokens."""
    meta = {1: {"langgraph_node": "a"}, 2: {"langgraph_node": "b"}}
    chunks = []
    for i in range(6):
        call = 1 + i % 2
        message = AIMessageChunk(content=f"w{i}", id=f"run-{call}")
        if i == 3:
            message = AIMessageChunk(
                content="",
                id="run-2",
                tool_call_chunks=[{"name": "add", "args": "{}", "id": "x", "index": 0}],
            )
        chunks.append(
            MessageChunk(RUN, ("sub:t9",), 2, f"c{call}", "ab"[call - 1], message, meta[call], "token")
        )
    back = replayed(recorded(tmp_path, chunks))
    assert back == chunks
    assert back[0].metadata is back[2].metadata and back[1].metadata is back[3].metadata


KILLED_RUN = """
import os, sys, time
from typing import TypedDict
import nbstream
from nbstream.graph import StateGraph, START, END

class S(TypedDict, total=False):
    n: int

def slow(state):
    time.sleep(0.6)  # longer than the recorder waits between writes
    return {"n": 1}

def killed(state):
    os._exit(9)  # the process dies mid-run: no RunFailed, no flush

b = StateGraph(S)
b.add_node("slow", slow)
b.add_node("killed", killed)
b.add_edge(START, "slow")
b.add_edge("slow", "killed")
b.add_edge("killed", END)
b.compile().invoke({"n": 0}, observers=[nbstream.record(sys.argv[1])])
"""


def test_a_killed_process_leaves_the_run_up_to_its_last_write(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    path = tmp_path / "killed.jsonl"
    env = {**os.environ, "PYTHONPATH": str(Path(nbstream.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", KILLED_RUN, str(path)], env=env, timeout=60, check=False)
    assert done.returncode == 9
    back = replayed(path)
    assert [type(e).__name__ for e in back][-2:] == ["TaskFinished", "StepFinished"]
    assert back[-1].step == 1 and back[-1].values == {"n": 1}


def test_a_langgraph_run_watched_through_nbstream_records_and_replays(tmp_path: Path) -> None:
    """A LangGraph graph watched with nbstream.langgraph.stream is recorded like an nbstream run."""
    import langgraph.graph as lg

    import nbstream.langgraph as nblg

    class Log(TypedDict):
        log: Annotated[list[str], operator.add]

    def first(state: Log) -> dict[str, Any]:
        return {"log": ["first"]}

    def second(state: Log) -> dict[str, Any]:
        return {"log": ["second"]}

    graph = (
        lg.StateGraph(Log)
        .add_node("first", first)
        .add_node("second", second)
        .add_edge(lg.START, "first")
        .add_edge("first", "second")
        .compile()
    )
    live = RecordingObserver()
    path = tmp_path / "langgraph.jsonl"
    chunks = list(
        nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[live, nbstream.record(path)])
    )
    assert chunks == [{"first": {"log": ["first"]}}, {"second": {"log": ["second"]}}]
    back = replayed(path)
    assert back == live.events
    assert type(back[0]).__name__ == "RunStarted" and type(back[-1]).__name__ == "RunFinished"
