"""Differential test for threads: random graphs that pause must pause, resume and record the same way
in nbstream and in LangGraph.

How it works
    hypothesis draws a random graph (``_graphgen.thread_cases``: the graphs of ``test_differential``,
    chains, joins, conditional edges, ``Send`` steps, subgraphs, retries, raising nodes) and adds
    where its thread pauses: node functions that call ``interrupt()`` once or twice (at the start of
    their body or after their custom events) and root nodes listed in ``interrupt_before``/
    ``interrupt_after``. Each library builds the graph from the same source (only the import lines
    differ) with its own ``InMemorySaver`` and plays the same *session* on one thread: a first call
    with the input, then, while the thread has something to run, a resume: ``Command(resume=value)``,
    ``Command(resume={interrupt_id: value})`` built from the library's own ``get_state().interrupts``,
    or ``None`` (what a breakpoint needs; with interrupts pending it reruns the paused tasks, which
    pause again). How each call is made is drawn too: ``stream``/``invoke``, sync or async, the
    stream modes (a list from values/updates/checkpoints/tasks), ``subgraphs=True``/``False``.

    Recorded and compared, per call: the stream's chunks (or ``invoke``'s result), how the call ended,
    and ``get_state`` (``subgraphs`` drawn) right after it: values, next, tasks with their names,
    paths, errors, interrupts, results and subgraph states, the interrupts, metadata, configs. At the
    end: ``get_state_history``'s (metadata, next, values) list.

What "the same" means
    Streams go through ``_diffcanon.canonical`` (tasks of one step interleave freely in both
    libraries). Two more freedoms exist on a thread and are folded here before that:

    * each interrupting task streams its own ``{"__interrupt__": (...)}`` update (and, with
      ``values``, a values chunk carrying ``__interrupt__``) when it stops, so concurrent interrupts
      arrive in any order: the chunk is keyed by who asked (``__interrupt__:<node>[<idx>]``), which
      makes it a chunk of that task for the canonical order (a values chunk of that kind is moved
      to an ``updates``-shaped chunk keyed ``values+__interrupt__:...`` for the same reason);
    * ``invoke``'s ``__interrupt__`` list is collected in that same finishing order: it is sorted by
      the interrupts' values (which name node, call, clock and packet).

    Random ids (checkpoint ids, task ids in checkpoint namespaces and snapshots, interrupt ids, which
    LangGraph hashes from the task namespace) are replaced by labels ``<id1>``, ``<id2>``... in order
    of first appearance over the whole session (dict keys walked sorted), so which config or
    interrupt points at which checkpoint or task is still compared; only the random value is not.
    Snapshot timestamps are dropped. While the canonical order is computed, an id compares as a
    placeholder (the order must not depend on random values); labels are given after.

    Lists of interrupts are sorted by value: a subgraph task (or its parent) collects its
    children's interrupts in the order they paused. And LangGraph has one race of its own on a
    thread: with the default ``durability="async"`` a barrier join's channel saves its live set
    and the next step can fill it before the background put serialises it, so an *older*
    checkpoint in ``get_state_history`` names the join in its ``next`` in some runs (about one in
    two for a join after a retried branch; ``durability="sync"`` never). History entries other
    than the latest do not compare ``next`` when the root graph has a barrier join.

    Run with ``NBSTREAM_DIFF_SELF=1`` to play every session on LangGraph twice: the check that
    everything random or racy is folded.

    One documented difference (``docs/differences.md``) is folded too: a call that ends in
    ``InvalidUpdateError`` (a step's writes conflict) is compared without its tasks' ``updates``
    and ``tasks`` results, which LangGraph drops for a task that ran alone in its step.

Known gaps
    None: pauses inside subgraphs and invoked graphs (asks in their nodes, breakpoints in their own
    ``interrupt_before``/``interrupt_after`` and on their nodes in the parent's), tasks that fail
    after their answers, saved answers, conflicts beside pauses are all compared. Small programs
    for each gap this test once had are pinned in ``test_thread_gaps.py``. A difference found
    here gets a small program there first.

Knobs: ``NBSTREAM_THREAD_EXAMPLES`` (default 250), ``NBSTREAM_DIFF_RANDOM=1`` (a fresh seed),
``NBSTREAM_DIFF_LOG=<file>`` (append failure reports), ``NBSTREAM_DIFF_SELF=1``.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("langgraph")

from _diffcanon import _sort_key, canonical, normalise_exception
from _graphgen import (
    Ask,
    Case,
    Fan,
    Loop,
    Map,
    Node,
    Program,
    ThreadCase,
    build_thread,
    render_thread,
    thread_cases,
)

SELF_CHECK = os.environ.get("NBSTREAM_DIFF_SELF") == "1"
OTHER = "langgraph" if SELF_CHECK else "nbstream"
MODES = ["values", "updates", "checkpoints", "tasks"]
MAX_CALLS = 8  # a session stops after this many calls even if the thread could go on
THREAD = {"configurable": {"thread_id": "diff"}}

_runner = asyncio.Runner()


@pytest.fixture(scope="module", autouse=True)
def _close_runner() -> Iterator[None]:
    yield
    _runner.close()


# --------------------------------------------------------------------------------------------------
# a session: how each call is made


@dataclass(frozen=True)
class Move:
    """One call of a session. ``stream``: stream with ``modes``/``subgraphs`` (else ``invoke``);
    ``resume``: how a paused thread is resumed, ``"value"`` (``Command(resume=...)``), ``"map"``
    (``Command(resume={id: ...})``) or ``"none"`` (``None``); a thread without pending interrupts
    always resumes with ``None``. ``deep``: ``get_state(subgraphs=True)`` after the call."""

    stream: bool
    modes: tuple[str, ...]
    subgraphs: bool
    resume: str
    deep: bool

    def source(self, inp: str) -> str:
        if not self.stream:
            return f"graph.invoke({inp}, THREAD<CTX>)"
        return (
            f"graph.stream({inp}, THREAD, stream_mode={list(self.modes)!r}, subgraphs={self.subgraphs}<CTX>)"
        )


_moves = st.builds(
    Move,
    stream=st.sampled_from([True, True, True, False]),
    modes=st.lists(st.sampled_from(MODES), min_size=1, max_size=4, unique=True).map(tuple),
    subgraphs=st.booleans(),
    resume=st.sampled_from(["map", "map", "value", "value", "none"]),
    deep=st.booleans(),
)

_FULL = Move(True, tuple(MODES), True, "map", True)


# --------------------------------------------------------------------------------------------------
# normalising what a session records


_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"
)


class Ided:
    """A string holding random ids; compares (and sorts, through its repr) as its template."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.template = _ID.sub("<id>", text)

    def __repr__(self) -> str:
        return f"Ided({self.template!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ided) and other.template == self.template

    def __hash__(self) -> int:
        return hash(self.template)


def _plain(obj: Any) -> Any:
    """Library objects as plain data (snapshots, tasks, interrupts as dicts; exceptions as ``Err``),
    strings with random ids as :class:`Ided`. Timestamps (``created_at``) are dropped."""
    name = type(obj).__name__
    if isinstance(obj, BaseException):
        return normalise_exception(obj)
    if name == "Interrupt" and hasattr(obj, "value") and hasattr(obj, "id"):
        return {"Interrupt": _plain(obj.value), "id": _plain(obj.id)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # StateSnapshot, PregelTask
        fields = {f: getattr(obj, f) for f in obj._fields if f != "created_at"}
        return {name: {k: _plain(v) for k, v in fields.items()}}
    if name == "Send" and hasattr(obj, "node") and hasattr(obj, "arg"):
        return {"Send": [obj.node, _plain(obj.arg)]}
    if isinstance(obj, dict):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return _interrupts_in_order(type(obj)(_plain(v) for v in obj))
    if isinstance(obj, str) and _ID.search(obj):
        return Ided(obj)
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    # anything else by its type: LangGraph's get_state(subgraphs=True) shows the saver object in the
    # config of a subgraph called inside a node
    return f"<{name}>"


def _interrupt_value(item: Any) -> Any:
    """The value of a plain interrupt (from an Interrupt object, or LangGraph's dict form)."""
    if isinstance(item, dict) and "id" in item and ("Interrupt" in item or "value" in item):
        return item.get("Interrupt", item.get("value"))
    return None


def _interrupts_in_order(items: Any) -> Any:
    """A list of interrupts sorted by value: a task whose subgraph has several paused tasks (or a
    parent of such a task) lists their interrupts in the order they paused, a race in both
    libraries (tasks-mode results, ``__interrupt__`` chunks, get_state's interrupts). Any other
    list is returned as it is."""
    if items and all(_interrupt_value(i) is not None for i in items):
        return type(items)(sorted(items, key=lambda i: _sort_key(_interrupt_value(i))))
    return items


def _asker(interrupts: Any) -> str:
    """Who asked, from interrupt values (``n3``, ``w5[1]``, ``n3+n4``); empty for a breakpoint."""
    who = []
    for i in interrupts if isinstance(interrupts, tuple | list) else ():
        value = getattr(i, "value", None)
        if isinstance(value, dict) and "node" in value:
            who.append(f"{value['node']}" + (f"[{value['idx']}]" if "idx" in value else ""))
    return "+".join(sorted(who))


def _fold_chunk(mode: str, payload: Any) -> tuple[str, Any]:
    """A chunk with its ids masked and its interrupt chunks keyed by who asked (module docstring)."""
    if mode == "tasks" and isinstance(payload, dict):
        return mode, {k: (v if k == "id" else _plain(v)) for k, v in payload.items()}
    if isinstance(payload, dict) and "__interrupt__" in payload:
        who = _asker(payload["__interrupt__"])
        if mode == "updates" and who:
            return mode, {f"__interrupt__:{who}": _plain(payload["__interrupt__"])}
        if mode == "values":
            return "updates", {f"values+__interrupt__:{who}": _plain(payload)}
    return mode, _plain(payload)


def _checkpoint_id(mode: str, payload: Any) -> str | None:
    if mode != "checkpoints" or not isinstance(payload, dict):
        return None
    return str(((payload.get("config") or {}).get("configurable") or {}).get("checkpoint_id"))


def _is_task_output(chunk: Any) -> bool:
    """Whether a canonical chunk is a task's update or its tasks-mode result."""
    mode, payload = chunk[-2:] if isinstance(chunk, tuple) and len(chunk) >= 2 else (None, None)
    return mode == "updates" or (mode == "tasks" and isinstance(payload, dict) and "result" in payload)


def _canonical_stream(chunks: list[Any], move: Move, seen: set[str]) -> list[Any]:
    """The call's chunks folded and in canonical order; ``seen``: the checkpoint ids earlier calls
    of the session streamed (this call's are added)."""
    folded: list[tuple[tuple[str, ...], str, Any]] = []
    for chunk in chunks:
        ns, mode, payload = chunk if move.subgraphs else ((), *chunk)
        if (checkpoint := _checkpoint_id(mode, payload)) is not None:
            seen.add(checkpoint)
        mode, payload = _fold_chunk(mode, payload)
        folded.append((ns, mode, payload))
    if not move.subgraphs:
        folded = [(mode, payload) for _, mode, payload in folded]  # type: ignore[misc]
    modes = [*move.modes, *(["updates"] if "updates" not in move.modes else [])]
    return canonical(folded, modes, move.subgraphs)


class _Labels:
    """Gives the random ids of a session labels in order of first appearance."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}

    def _one(self, match: re.Match[str]) -> str:
        return self.labels.setdefault(match.group(0), f"<id{len(self.labels) + 1}>")

    def __call__(self, obj: Any) -> Any:
        if isinstance(obj, Ided):
            return _ID.sub(self._one, obj.text)
        if isinstance(obj, dict):
            items = sorted(obj.items(), key=lambda kv: _sort_key(kv[0]))
            return {self(k): self(v) for k, v in items}
        if isinstance(obj, list):
            return [self(v) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self(v) for v in obj)
        return obj


# --------------------------------------------------------------------------------------------------
# playing a session


def _call(graph: Any, context: Any, inp: Any, move: Move, aio: bool) -> tuple[Any, BaseException | None]:
    """What the call streamed (a list of chunks) or returned, and how it failed."""
    kw: dict[str, Any] = {} if context is None else {"context": context}
    if move.stream:
        kw.update(stream_mode=list(move.modes), subgraphs=move.subgraphs)
    chunks: list[Any] = []
    try:
        if move.stream and aio:

            async def consume() -> None:
                async for chunk in graph.astream(inp, THREAD, **kw):
                    chunks.append(chunk)

            _runner.run(consume())
        elif move.stream:
            for chunk in graph.stream(inp, THREAD, **kw):
                chunks.append(chunk)
        else:
            result = _runner.run(graph.ainvoke(inp, THREAD, **kw)) if aio else graph.invoke(inp, THREAD, **kw)
            return result, None
    except (Exception, asyncio.CancelledError) as exc:  # a cancellation leaking out is a failure too
        return chunks, exc
    return chunks, None


def _answer(call: int, interrupt: Any) -> str:
    value = interrupt.value
    return f"a{call}-{value['node']}{value.get('idx', '')}.{value['k']}"


def _next_input(graph: Any, move: Move, call: int) -> tuple[Any, str]:
    """The input that resumes the paused thread the way ``move`` says, and how to write it."""
    types = _types_of(graph)
    pending = graph.get_state(THREAD).interrupts
    if not pending or move.resume == "none":
        return None, "None"
    if move.resume == "value":
        answer = f"a{call}"
        return types.Command(resume=answer), f"Command(resume={answer!r})"
    answers = {i.id: _answer(call, i) for i in pending}
    shown = ", ".join(f"ID({i.value!r}): {_answer(call, i)!r}" for i in pending)
    return types.Command(resume=answers), f"Command(resume={{{shown}}})"


def _types_of(graph: Any) -> Any:
    """The ``types`` module of the library that built ``graph`` (for its ``Command``)."""
    lib = type(graph).__module__.split(".")[0]
    return importlib.import_module(f"{lib}.types")


@dataclass
class Session:
    """What one library did in a session, normalised, and the calls as source (for the reproducer)."""

    record: list[Any]
    script: list[str]


def _play(tc: ThreadCase, lib: str, moves: list[Move], aio: bool) -> Session:
    graph, context = build_thread(tc, lib, aio=aio)
    record: list[Any] = []
    script: list[str] = []
    inp: Any = dict(tc.case.input)
    shown = repr(inp)
    seen: set[str] = set()
    for call in range(MAX_CALLS):
        move = moves[call % len(moves)]
        out, exc = _call(graph, context, inp, move, aio)
        script.append(move.source(shown))
        if move.stream:
            got = _canonical_stream(out, move, seen)
            if type(exc).__name__ == "InvalidUpdateError":
                # a documented difference (docs/differences.md): when a step's writes cannot be
                # applied, LangGraph never streams the output of a task that ran alone in the step
                got = [c for c in got if not _is_task_output(c)]
        else:  # invoke's __interrupt__ list is in pausing order too: _plain sorts it
            got = _plain(out)
        try:  # LangGraph's get_state applies the step's pending writes: it fails like the step did
            snapshot = graph.get_state(THREAD, subgraphs=move.deep)
            seen.add(str(snapshot.config["configurable"].get("checkpoint_id")))  # a resume starts there
        except Exception as state_exc:
            snapshot = state_exc
        state = _plain(snapshot)
        record.append({"call": call, "out": got, "error": normalise_exception(exc), "state": state})
        ambiguous = isinstance(exc, RuntimeError) and "multiple pending interrupts" in str(exc)
        if (exc is not None and not ambiguous) or isinstance(snapshot, Exception) or not snapshot.next:
            break
        next_move = moves[(call + 1) % len(moves)]
        inp, shown = _next_input(graph, next_move if not ambiguous else _FULL, call)
    try:
        history: Any = [
            {"metadata": _plain(s.metadata), "next": s.next, "values": _plain(s.values)}
            for s in graph.get_state_history(THREAD)
        ]
    except Exception as history_exc:
        history = normalise_exception(history_exc)
    if isinstance(history, list) and any(isinstance(b, Fan) and b.barrier for b in tc.case.program.blocks):
        # LangGraph race (durability="async"): a barrier join's channel saves its live set, which the
        # next step may fill before the background put serialises it; an older checkpoint then
        # names the join in its ``next`` in some runs. Only the latest checkpoint is safe.
        for entry in history[1:]:
            entry.pop("next")
    record.append({"history": history})
    return Session(_Labels()(record), script)


def _reproducer(tc: ThreadCase, aio: bool, script: list[str]) -> str:
    """A runnable script: the graph and the session's calls, each followed by ``get_state``."""
    ctx = "" if tc.case.context is None else ", context=CONTEXT"
    lines = [
        render_thread(tc, OTHER, aio=aio),
        f"THREAD = {THREAD!r}\n",
        "def ID(value):  # the id of the pending interrupt whose value is ``value``",
        "    return next(i.id for i in graph.get_state(THREAD).interrupts if i.value == value)\n",
    ]
    if aio:
        lines.append("async def main():")
    pad = "    " if aio else ""
    for source in script:
        call = source.replace("<CTX>", ctx)
        if aio:
            call = call.replace("graph.stream(", "graph.astream(").replace(
                "graph.invoke(", "await graph.ainvoke("
            )
        if "stream(" in call:
            lines.append(f"{pad}{'async ' if aio else ''}for chunk in {call}:\n{pad}    print(chunk)")
        else:
            lines.append(f"{pad}print({call})")
        lines.append(f"{pad}print(graph.get_state(THREAD))")
    if aio:
        lines.append("\nasyncio.run(main())")
    return "\n".join(lines) + "\n"


def diff_path(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """Where two normalised records first differ: a path like ``[1].state.StateSnapshot.next``
    (list positions in brackets) and the two values there; ``None`` when they are equal."""
    if a == b:
        return None
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for k in a:
            if (found := diff_path(a[k], b[k], f"{path}.{k}")) is not None:
                return found
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if (found := diff_path(x, y, f"{path}[{i}]")) is not None:
                return found
        if len(a) != len(b):
            return f"{path}[{min(len(a), len(b))}:]", a[len(b) :], b[len(a) :]
    return path, a, b


def _first_difference(expected: list[Any], got: list[Any]) -> str:
    """Where the sessions first differ (entry ``[i]`` is the i-th call, the last one the history),
    then the whole differing part of that entry."""
    found = diff_path(expected, got)
    if found is None:
        return "the sessions are equal"
    path, a, b = found
    lines = [f"first difference at {path}:", f"  LangGraph: {a!r}", f"  {OTHER:>9}: {b!r}"]
    for i, (x, y) in enumerate(zip(expected, got, strict=False)):
        if x != y and isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(k for k in x.keys() | y.keys() if x.get(k) != y.get(k)):
                lines += [f"entry [{i}] {k}:", f"  LangGraph: {x.get(k)!r}", f"  {OTHER:>9}: {y.get(k)!r}"]
            break
    return "\n".join(lines)


def _fail(message: str) -> None:
    if log := os.environ.get("NBSTREAM_DIFF_LOG"):
        with open(log, "a") as f:
            f.write(message + "\n" + "=" * 100 + "\n")
    raise AssertionError(message)


def compare_sessions(tc: ThreadCase, moves: list[Move], aio: bool) -> None:
    expected = _play(tc, "langgraph", moves, aio)
    got = _play(tc, OTHER, moves, aio)
    if expected.record != got.record:
        _fail(
            f"thread session (aio={aio}) differs\n{_first_difference(expected.record, got.record)}\n\n"
            f"# case\n{tc!r}\n\n# reproducer\n{_reproducer(tc, aio, expected.script)}"
        )


@settings(
    max_examples=int(os.environ.get("NBSTREAM_THREAD_EXAMPLES", "250")),
    deadline=None,
    derandomize=os.environ.get("NBSTREAM_DIFF_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=False,
)
# sessions worth keeping whatever the seed draws
# parallel nodes pause together: a single Command(resume=value) is ambiguous there (RuntimeError in
# both), then answers go by id; a breakpoint before the join, which asks twice
@example(
    tc=ThreadCase(
        Case(
            Program((Fan(((Node("n1", customs=1),), (Node("n2"),)), Node("j3"), barrier=False),)),
            {"log": ["in"]},
        ),
        asks=(Ask("n1", 1, late=True), Ask("n2"), Ask("j3", 2)),
        before=("j3",),
    ),
    moves=[Move(False, (), False, "value", False), Move(True, ("updates", "values"), False, "map", True)],
    aio=False,
)
# Send workers ask after their custom events; interrupt_after on the router; async calls
@example(
    tc=ThreadCase(
        Case(Program((Map(Node("r1"), Node("w2", customs=1), 2, "edge"),)), {}),
        asks=(Ask("w2", 1, late=True),),
        after=("r1",),
    ),
    moves=[
        Move(True, ("tasks", "checkpoints"), True, "none", False),
        Move(True, ("values",), False, "map", True),
    ],
    aio=True,
)
# a loop whose node asks at every turn, paused before and after it, answered by value
@example(
    tc=ThreadCase(
        Case(Program((Loop((Node("n1"),), 2),)), {"log": ["in"]}),
        asks=(Ask("n1"),),
        before=("n1",),
        after=("n1",),
    ),
    moves=[Move(True, ("checkpoints", "updates"), False, "value", True)],
    aio=False,
)
@given(tc=thread_cases(), moves=st.lists(_moves, min_size=1, max_size=4), aio=st.booleans())
def test_thread_sessions_match_langgraph(tc: ThreadCase, moves: list[Move], aio: bool) -> None:
    compare_sessions(tc, [_FULL, *moves], aio)


# --------------------------------------------------------------------------------------------------
# the normalisation itself: random ids become labels that keep which-points-at-which


def test_ids_become_labels_in_order_of_first_appearance() -> None:
    one, other = "1f0a0b1c-2d3e-6f40-8001-0123456789ab", "1f0a0b1c-2d3e-6f40-8002-0123456789ab"
    digest = "820e589316a1c53592639e44ea48c2df"
    record = _plain([{"checkpoint_id": one, "ns": f"s1:{other}"}, {"parent": one, "interrupt": digest}])
    assert _Labels()(record) == [
        {"checkpoint_id": "<id1>", "ns": "s1:<id2>"},
        {"interrupt": "<id3>", "parent": "<id1>"},
    ]
    # a record with other random values labels the same way
    again = _plain([{"checkpoint_id": other, "ns": f"s1:{one}"}, {"parent": other, "interrupt": "0" * 32}])
    assert _Labels()(again) == _Labels()(record)


def test_concurrent_interrupt_chunks_compare_in_any_order() -> None:
    types = importlib.import_module("langgraph.types")

    def asked(node: str, idx: int) -> tuple[str, Any]:
        value = {"node": node, "k": 0, "clock": 0, "idx": idx}
        return ("updates", {"__interrupt__": (types.Interrupt(value=value, id=f"{idx}" * 32),)})

    move = Move(True, ("updates",), False, "map", False)
    first = _canonical_stream([asked("w2", 0), asked("w2", 1)], move, set())
    assert _canonical_stream([asked("w2", 1), asked("w2", 0)], move, set()) == first
    assert [next(iter(payload)) for _, payload in first] == ["__interrupt__:w2[0]", "__interrupt__:w2[1]"]
