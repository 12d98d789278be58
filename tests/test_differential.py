"""Differential test: random graphs must stream the same chunks in nbstream and in LangGraph.

How it works
    hypothesis draws a graph *description* (``_graphgen.cases``: chains, fan-out/fan-in joins,
    deferred joins, conditional branches and loops, ``Send`` map steps, reducer and plain keys, sync
    and async nodes, nested subgraphs, ``Command.PARENT`` out of a subgraph, nodes that write custom
    data, raise, or fail under a ``RetryPolicy`` before succeeding, private input/output schemas,
    graph ``input_schema``/``output_schema``, ``context=`` read through ``Runtime``, loop routes
    reading ``RemainingSteps``/``IsLastStep``). ``_graphgen.render`` turns it into the
    source of a module that builds the graph; the LangGraph and nbstream versions differ only in
    their import lines, so every example also checks the "port by changing the import line" promise.
    Both graphs get the same input and are streamed with the same arguments: the strongest call
    (all of values/updates/custom/debug/tasks, ``subgraphs=True``) in sync ``stream`` and async
    ``astream``, plus a few calls drawn from every single mode, lists of modes, the default mode,
    ``subgraphs=True``/``False``, small ``recursion_limit``s, run-config ``metadata``/``tags`` and
    ``version="v2"`` parts; ``invoke``/``ainvoke`` results (and ``invoke(version="v2")``) are
    compared too.

What "the same" means (``_diffcanon``)
    Task ids and debug timestamps are normalised and exceptions compare by type (and message for
    the test's own ``Boom``). Ordering is compared *up to the freedom the runtime legitimately has*:
    tasks of one super-step finish in any order, so their chunks may interleave differently from
    run to run, in LangGraph itself. Rather than forcing an order with sleeps or barriers inside
    nodes (timing-dependent, and it could deadlock a runtime that runs tasks one at a time), both
    streams are mapped to a canonical member of their equivalence class (the lexicographically
    least reordering that swaps only chunks of different concurrent tasks) and those are compared
    with ``==``. Anything else (shapes, payloads, barriers such as ``values`` and task starts, order
    within a task, order across steps) must match exactly. Run with ``NBSTREAM_DIFF_SELF=1`` to
    compare LangGraph with itself: the check that the canonical form absorbs all of LangGraph's own
    nondeterminism.

    A failing node is always the only task in its step at every graph level (the generator sees to
    it): when a task fails, LangGraph lets running siblings finish in sync mode and cancels them in
    async mode, so what the siblings stream before the error is a race. For the same reason a
    recursion limit is only set when no subgraph runs concurrently with other tasks.

Documented differences (excluded from the generator, pinned by hand-written tests at the bottom)
    * unknown stream modes: nbstream raises ``ValueError``; LangGraph silently yields nothing
      (it does no validation, a typo looks like an empty stream);
    * a non-list sequence of modes (a tuple): nbstream tags chunks like for a list; LangGraph
      activates the modes but yields untagged chunks (its formatter checks for ``list`` only);
    * a node writing a key no channel has: nbstream raises ``InvalidUpdateError``; LangGraph drops
      the key silently;
    * framework errors are compared by type name only (their words are LangGraph's since
      ``nbstream._error_text``, and ``tests/test_exactness.py`` compares them; nbstream's own
      details are notes);
    * a subgraph's update carries only the keys the parent also has (LangGraph: its whole output):
      not exercised, every generated (sub)graph shares one state schema;
    * a key declared only by a node's return hint (``-> Private``, read by no node): nbstream makes
      it a channel, LangGraph drops writes to it; generated graphs with a ``-> Private`` node always
      have a node reading ``Private`` too;
    * a router that raises is not generated (routers never fail); ``tests/test_graph_features.py``
      compares that case by hand.

Knobs (environment): ``NBSTREAM_DIFF_EXAMPLES`` (default 200), ``NBSTREAM_DIFF_RANDOM=1`` (a fresh
random seed instead of the fixed CI one), ``NBSTREAM_DIFF_LOG=<file>`` (append every failure report,
reproducer included, for long hunting runs), ``NBSTREAM_DIFF_SELF=1`` (LangGraph against itself).

LangGraph is a test-only dependency: the whole module is skipped without it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("langgraph")

from _diffcanon import canonical, normalise_exception
from _graphgen import (
    Branch,
    Case,
    Fan,
    Invoke,
    Jump,
    Loop,
    Map,
    Node,
    Program,
    Single,
    Sub,
    build,
    cases,
    concurrent_subgraph,
    reproducer,
)

SELF_CHECK = os.environ.get("NBSTREAM_DIFF_SELF") == "1"
OTHER = "langgraph" if SELF_CHECK else "nbstream"
HAVE_NBSTREAM = importlib.util.find_spec("nbstream") is not None and (
    importlib.util.find_spec("nbstream.graph") is not None
)
needs_other = pytest.mark.skipif(
    not (SELF_CHECK or HAVE_NBSTREAM), reason="nbstream.graph is not importable yet"
)

ALL_MODES = ["values", "updates", "custom", "debug", "tasks"]


@dataclass(frozen=True)
class Call:
    """One way of streaming: the ``stream_mode`` argument (``None``: not passed), ``subgraphs``, async,
    a ``recursion_limit`` (``None``: the default), whether the run config carries ``metadata``
    and ``tags`` (they show in task start events) and whether chunks are ``version="v2"`` parts.
    A case with a context passes it to every call (``context=CONTEXT``)."""

    modes: str | list[str] | None
    subgraphs: bool
    aio: bool
    limit: int | None = None
    tagged: bool = False
    v2: bool = False

    def kwargs(self, context: Any = None) -> dict[str, Any]:
        kw: dict[str, Any] = {"subgraphs": self.subgraphs}
        if context is not None:
            kw["context"] = context
        if self.v2:
            kw["version"] = "v2"
        config: dict[str, Any] = {}
        if self.limit is not None:
            config["recursion_limit"] = self.limit
        if self.tagged:
            config.update(metadata={"run": "diff"}, tags=["diff"])
        if config:
            kw["config"] = config
        if self.modes is not None:
            kw["stream_mode"] = list(self.modes) if isinstance(self.modes, list) else self.modes
        return kw

    def source(self, inp: dict[str, Any], context: str | None = None) -> str:
        """The call's arguments as source (the reproducer module defines ``CONTEXT``)."""
        kw = {k: repr(v) for k, v in self.kwargs().items()}
        if context is not None:
            kw = {"subgraphs": kw.pop("subgraphs"), "context": "CONTEXT", **kw}
        return ", ".join([repr(inp), *(f"{k}={v}" for k, v in kw.items())])


_SINGLE = [None, "values", "updates", "custom", "debug", "tasks"]
_calls = st.builds(
    Call,
    modes=st.one_of(
        st.sampled_from(_SINGLE),
        st.lists(st.sampled_from(ALL_MODES), min_size=1, max_size=4, unique=True),
    ),
    subgraphs=st.booleans(),
    aio=st.booleans(),
    limit=st.sampled_from([None, None, None, 1, 2, 3, 5, 8]),
    tagged=st.booleans(),
    v2=st.booleans(),
)

_runner = asyncio.Runner()  # one event loop for every async call of the module


@pytest.fixture(scope="module", autouse=True)
def _close_runner() -> Iterator[None]:
    yield
    _runner.close()


Built = tuple[Any, Any]  # a compiled graph and the context its calls pass (see _graphgen.build)


def _record(built: Built, inp: dict[str, Any], call: Call) -> tuple[list[Any], BaseException | None]:
    """Every chunk the call yields, then the exception it ended with (``None`` if it ended normally)."""
    graph, context = built
    chunks: list[Any] = []
    try:
        if call.aio:

            async def consume() -> None:
                async for chunk in graph.astream(dict(inp), **call.kwargs(context)):
                    chunks.append(chunk)

            _runner.run(consume())
        else:
            for chunk in graph.stream(dict(inp), **call.kwargs(context)):
                chunks.append(chunk)
    except Exception as exc:
        return chunks, exc
    return chunks, None


def _invoke(built: Built, inp: dict[str, Any], aio: bool, v2: bool) -> tuple[Any, Any]:
    """What ``invoke``/``ainvoke`` returns (a v2 ``GraphOutput`` as its fields), or how it fails."""
    graph, context = built
    kw: dict[str, Any] = {} if context is None else {"context": context}
    if v2:
        kw["version"] = "v2"
    try:
        result = _runner.run(graph.ainvoke(dict(inp), **kw)) if aio else graph.invoke(dict(inp), **kw)
    except Exception as exc:
        return None, normalise_exception(exc)
    if v2:
        return (type(result).__name__, result.value, result.interrupts), None
    return result, None


def _first_difference(expected: list[Any], got: list[Any]) -> str:
    i = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
        min(len(expected), len(got)),
    )
    lines = [
        f"first difference at canonical chunk {i} (LangGraph {len(expected)} chunks, {OTHER} {len(got)})"
    ]
    for j in range(max(0, i - 2), min(max(len(expected), len(got)), i + 3)):
        lines.append(f"  [{j}] LangGraph: {expected[j] if j < len(expected) else '<end>'!r}")
        lines.append(f"  [{j}] {OTHER:>9}: {got[j] if j < len(got) else '<end>'!r}")
    return "\n".join(lines)


def _fail(message: str) -> None:
    """Fail the example; with ``NBSTREAM_DIFF_LOG=<file>`` also append the report there (long runs)."""
    if log := os.environ.get("NBSTREAM_DIFF_LOG"):
        with open(log, "a") as f:
            f.write(message + "\n" + "=" * 100 + "\n")
    raise AssertionError(message)


def _compare(case: Case, graphs: dict[tuple[str, bool], Built], call: Call) -> None:
    ref_chunks, ref_exc = _record(graphs["langgraph", call.aio], case.input, call)
    new_chunks, new_exc = _record(graphs[OTHER, call.aio], case.input, call)
    expected = canonical(ref_chunks, call.modes, call.subgraphs, v2=call.v2)
    got = canonical(new_chunks, call.modes, call.subgraphs, v2=call.v2)
    problems = []
    if expected != got:
        problems.append(_first_difference(expected, got))
    if normalise_exception(ref_exc) != normalise_exception(new_exc):
        problems.append(f"LangGraph ended with {ref_exc!r}, {OTHER} with {new_exc!r}")
    if problems:
        source = call.source(case.input, case.context)
        script = reproducer(case, OTHER, aio=call.aio, call=source)
        message = (
            f"stream({source}) aio={call.aio} differs\n"
            + "\n".join(problems)
            + "\n\n# reproducer\n"
            + script
        )
        _fail(message)


def _graphs(case: Case) -> dict[tuple[str, bool], Built]:
    return {(lib, aio): build(case, lib, aio=aio) for lib in {"langgraph", OTHER} for aio in (False, True)}


@needs_other
@settings(
    max_examples=int(os.environ.get("NBSTREAM_DIFF_EXAMPLES", "200")),
    deadline=None,
    derandomize=os.environ.get("NBSTREAM_DIFF_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=False,  # one bug, shrunk, is a quicker red than several
)
# Disagreements the random search found once, pinned so they stay fixed (each ran red before its fix):
# invoke() of a run in which nothing was ever written returns None
@example(
    case=Case(Program((Single(Node("n1", ret="none")), Single(Node("n2", ret="empty")))), {}),
    extra=[Call(None, False, False), Call("values", True, True)],
)
# a run that needs exactly recursion_limit steps fails (LangGraph checks before looking for tasks)
@example(
    case=Case(Program((Single(Node("n1")), Single(Node("n2")))), {"log": ["in"]}),
    extra=[Call("updates", False, False, limit=2), Call(["updates", "values"], True, True, limit=2)],
)
# a list of Commands / a Command of (key, value) pairs: the updates chunk flattens repeated keys
@example(
    case=Case(Program((Single(Node("n1", ret="multi", plain=("x",))), Single(Node("n2", ret="pairs")))), {}),
    extra=[Call("updates", False, False), Call(["updates", "tasks"], True, True)],
)
# routers annotated -> Command[Literal[...]] (a generic Command)
@example(
    case=Case(
        Program(
            (
                Branch(Node("r1"), ((Node("n2"),), (Node("n3"),)), 0, "command", True),
                Map(Node("r4"), Node("w5"), 2, "command", True),
            )
        ),
        {"log": ["in"]},
    ),
    extra=[Call("updates", False, False), Call(["custom", "values"], True, True)],
)
# a node returning a bare list of (key, value) pairs is an invalid return
@example(
    case=Case(Program((Single(Node("n1", customs=1, raises="pairs")),)), {}),
    extra=[Call(["updates", "custom", "tasks"], False, False), Call("debug", True, True)],
)
# run-config metadata and tags show in task start events, next to a node's metadata=
@example(
    case=Case(Program((Single(Node("n1", meta=True)), Single(Node("n2")))), {}),
    extra=[Call("tasks", False, False, tagged=True), Call(["debug", "tasks"], True, True, tagged=True)],
)
# a subgraph's values/updates show only its output keys (output_schema, or private keys from hints)
@example(
    case=Case(
        Program(
            (
                Single(Sub("s1", Program((Single(Node("n2", private="emit")), Single(Node("n3", private="hint"))), True))),
                Single(Invoke("c4", Program((Single(Node("n5", plain=("x", "y"))),), True))),
            )
        ),
        {"y": "in", "log": []},
    ),
    extra=[Call(["values", "updates"], True, False), Call("values", True, True, v2=True)],
)
# a task that leaves its subgraph with Command.PARENT has no task result of its own
@example(
    case=Case(Program((Jump(Sub("s1", Program((Single(Node("e2", customs=1, escape="t3")),))), Node("t3")),)), {}),
    extra=[Call("tasks", True, False), Call(["debug", "updates"], True, True)],
)
# Command.PARENT from a subgraph of a graph called twice in one node: the parent is the 2nd call
@example(
    case=Case(
        Program(
            (
                Single(
                    Invoke(
                        "c1",
                        Program((Jump(Sub("s2", Program((Single(Node("e3", escape="t4")),))), Node("t4")),)),
                        times=2,
                    )
                ),
            )
        ),
        {"log": ["in"]},
    ),
    extra=[Call("updates", True, False), Call(["tasks", "values"], True, True)],
)
# the new graph features together: retries with custom data before the failure, a deferred join,
# context, RemainingSteps in a loop's route, v2 parts, input/output schemas
@example(
    case=Case(
        Program(
            (
                Fan(
                    ((Node("n1", retries=2, flaky="after", customs=1),), (Node("n2"), Node("n3", ctx=True))),
                    Node("j4", retries=1),
                    barrier=False,
                    defer=True,
                ),
                Loop((Node("n5", ctx=True, customs=1),), 2, managed="remaining"),
            ),
            schemas=True,
        ),
        {"log": ["in"], "clock": 5},
        "t1",
    ),
    extra=[Call(["custom", "updates", "tasks"], True, False, v2=True), Call("values", False, True, limit=5)],
)
@given(case=cases(), extra=st.lists(_calls, min_size=2, max_size=4))
def test_streams_match_langgraph(case: Case, extra: list[Call]) -> None:
    graphs = _graphs(case)
    for aio in (False, True):
        _compare(case, graphs, Call(list(ALL_MODES), True, aio))
    for call in extra:
        if call.limit is not None and concurrent_subgraph(case.program):
            call = replace(call, limit=None)
        _compare(case, graphs, call)
    for aio, v2 in ((False, False), (True, False), (False, True)):
        ref = _invoke(graphs["langgraph", aio], case.input, aio, v2)
        new = _invoke(graphs[OTHER, aio], case.input, aio, v2)
        if new != ref:
            args = [repr(case.input)]
            args += [] if case.context is None else ["context=CONTEXT"]
            args += ["version='v2'"] if v2 else []
            script = reproducer(case, OTHER, aio=aio, call=", ".join(args), method="invoke")
            _fail(f"invoke(aio={aio}, v2={v2}): LangGraph {ref!r}, {OTHER} {new!r}\n\n# reproducer\n{script}")


# --------------------------------------------------------------------------------------------------
# the canonical form itself: it must absorb legitimate reorderings and nothing else


def _tagged(ns: tuple[str, ...], mode: str, payload: Any) -> tuple[Any, ...]:
    return (ns, mode, payload)


def _two_task_step() -> Iterator[list[Any]]:
    """Both legitimate orders of a step where n1 and n2 run concurrently."""
    a = [
        _tagged((), "custom", {"node": "n1", "i": 0, "clock": 0}),
        _tagged((), "updates", {"n1": {"clock": 1, "log": ["n1@0"]}}),
    ]
    b = [_tagged((), "updates", {"n2": {"clock": 1}})]
    values = _tagged((), "values", {"clock": 1, "log": ["n1@0"]})
    yield [*a, *b, values]
    yield [*b, *a, values]
    yield [a[0], b[0], a[1], values]


def test_canonical_form_absorbs_concurrent_interleavings() -> None:
    forms = [canonical(s, ["custom", "updates", "values"], True) for s in _two_task_step()]
    assert forms[0] == forms[1] == forms[2]


def test_canonical_form_keeps_order_within_a_task_and_around_barriers() -> None:
    custom, update, values = (
        _tagged((), "custom", {"node": "n1", "i": 0, "clock": 0}),
        _tagged((), "updates", {"n1": {"clock": 1}}),
        _tagged((), "values", {"clock": 1}),
    )
    modes = ["custom", "updates", "values"]
    good = canonical([custom, update, values], modes, True)
    assert canonical([update, custom, values], modes, True) != good
    assert canonical([custom, values, update], modes, True) != good


def test_canonical_form_keeps_steps_apart() -> None:
    step1 = {"n1": {"clock": 1}}
    step2 = {"n2": {"clock": 2}}
    assert canonical([step1, step2], "updates", False) != canonical([step2, step1], "updates", False)


def test_canonical_form_renames_task_ids_in_namespaces_and_payloads() -> None:
    def run(sub_id: str, inner_id: str) -> list[Any]:
        return [
            (
                ("s1:" + sub_id,),
                "tasks",
                {"id": inner_id, "name": "n2", "input": {"clock": 0}, "triggers": ("branch:to:n2",)},
            ),
            (
                ("s1:" + sub_id,),
                "debug",
                {
                    "step": 1,
                    "timestamp": "2026-11-24T04:02:51.096624+00:00",
                    "type": "task_result",
                    "payload": {
                        "id": inner_id,
                        "name": "n2",
                        "error": ValueError("x"),
                        "result": {},
                        "interrupts": [],
                    },
                },
            ),
        ]

    first = canonical(run("1111", "aaaa"), ["tasks", "debug"], True)
    assert first == canonical(run("2222", "bbbb"), ["tasks", "debug"], True)
    assert first[0][0] == ("s1:<s1#1>",) and first[0][2]["id"] == "<n2#1>"
    assert first[1][2]["timestamp"] == "<ts>" and first[1][2]["payload"]["error"].type == "ValueError"


# --------------------------------------------------------------------------------------------------
# documented differences: pinned on both sides so a change in either library shows up here


def _tiny(lib: str) -> Any:
    graph_mod = importlib.import_module(f"{lib}.graph")
    from typing import TypedDict

    class State(TypedDict, total=False):
        x: int

    def bump(state: State) -> dict[str, int]:
        return {"x": state.get("x", 0) + 1}

    builder = graph_mod.StateGraph(State)
    builder.add_node("bump", bump)
    builder.add_edge(graph_mod.START, "bump")
    builder.add_edge("bump", graph_mod.END)
    return builder.compile()


@needs_other
def test_unknown_stream_mode_is_an_error_in_nbstream_and_ignored_by_langgraph() -> None:
    # LangGraph does no validation: a typo'd mode yields an empty stream
    assert list(_tiny("langgraph").stream({"x": 1}, stream_mode="bogus")) == []
    if not SELF_CHECK:
        with pytest.raises(ValueError, match="bogus"):
            list(_tiny("nbstream").stream({"x": 1}, stream_mode="bogus"))


@needs_other
def test_a_tuple_of_modes_is_tagged_in_nbstream_and_untagged_in_langgraph() -> None:
    # LangGraph's formatter tags chunks only for a real list; nbstream accepts any sequence
    assert list(_tiny("langgraph").stream({"x": 1}, stream_mode=("values", "updates"))) == [
        {"x": 1},
        {"bump": {"x": 2}},
        {"x": 2},
    ]
    if not SELF_CHECK:
        assert list(_tiny("nbstream").stream({"x": 1}, stream_mode=("values", "updates"))) == [
            ("values", {"x": 1}),
            ("updates", {"bump": {"x": 2}}),
            ("values", {"x": 2}),
        ]


@needs_other
def test_writing_an_unknown_key_is_an_error_in_nbstream_and_dropped_by_langgraph() -> None:
    def build_bad(lib: str) -> Any:
        graph_mod = importlib.import_module(f"{lib}.graph")
        from typing import TypedDict

        class State(TypedDict, total=False):
            x: int

        builder = graph_mod.StateGraph(State)
        builder.add_node("bad", lambda state: {"nope": 1})
        builder.add_edge(graph_mod.START, "bad")
        return builder.compile()

    assert list(build_bad("langgraph").stream({"x": 1})) == [{"bad": None}]
    if not SELF_CHECK:
        errors = importlib.import_module("nbstream.errors")
        with pytest.raises(errors.InvalidUpdateError, match="nope"):
            list(build_bad("nbstream").stream({"x": 1}))


def _module(lib: str, source: str) -> dict[str, Any]:
    """Execute ``source`` (which imports from ``LIB``) as a module of its own for ``lib``: type hints
    must resolve at module level, and this test module uses postponed annotations."""
    namespace: dict[str, Any] = {"__name__": f"_hand_{lib}"}
    exec(compile(source.replace("LIB", lib), f"<hand {lib}>", "exec", dont_inherit=True), namespace)
    return namespace


_RETURN_HINT_ONLY = """
from typing import TypedDict
from LIB.graph import START, StateGraph

class State(TypedDict, total=False):
    x: int

class Private(TypedDict, total=False):
    p: int

def write(state: State) -> Private:
    return {"p": 1}

builder = StateGraph(State)
builder.add_node("write", write)
builder.add_edge(START, "write")
graph = builder.compile()
"""


@needs_other
def test_a_return_hint_alone_adds_keys_in_nbstream_and_not_in_langgraph() -> None:
    # LangGraph makes channels of input schemas only: a key declared only by a node's return hint
    # is no channel, and writes to it vanish; nbstream keeps what the hint declares (the generator
    # always gives such a graph a node that reads the private schema, where both agree)
    assert list(_module("langgraph", _RETURN_HINT_ONLY)["graph"].stream({"x": 1})) == [{"write": None}]
    if not SELF_CHECK:
        assert list(_module("nbstream", _RETURN_HINT_ONLY)["graph"].stream({"x": 1})) == [{"write": {"p": 1}}]


_ROUTERS = """
import operator
from typing import Annotated, TypedDict
from LIB.graph import END, START, StateGraph
from LIB.managed import RemainingSteps

class State(TypedDict, total=False):
    log: Annotated[list, operator.add]
    x: int
    remaining_steps: RemainingSteps

class Private(TypedDict, total=False):
    log: Annotated[list, operator.add]

SEEN = []

def route(state):
    SEEN.append(sorted(state))
    return END

def narrow(state: Private):
    return {"log": ["narrow"]}

builder = StateGraph(State)
builder.add_node("narrow", narrow)
builder.add_node("wide", lambda state: {"x": 1})
builder.add_edge(START, "narrow")
builder.add_edge("narrow", "wide")
builder.add_conditional_edges("narrow", route)
builder.add_conditional_edges("wide", route)
graph = builder.compile()
"""


@needs_other
def test_a_router_reads_what_its_source_node_reads() -> None:
    # the state a conditional edge's function gets has the shape of its source node's input schema
    # (found by the differential test: nbstream passed the whole state, managed keys included)
    seen = {}
    for lib in ("langgraph", OTHER):
        module = _module(lib, _ROUTERS)
        module["graph"].invoke({"x": 0})
        seen[lib] = module["SEEN"]
    assert seen["langgraph"] == [["log"], ["log", "remaining_steps", "x"]]
    assert seen[OTHER] == seen["langgraph"]
