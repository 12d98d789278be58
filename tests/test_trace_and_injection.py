"""Node trace policies and injected parameters behave as LangGraph 1.2.22's.

Every test runs one program on nbstream and on LangGraph and compares what a user sees:

* which of a node's or router's ``config``, ``writer``, ``runtime``, ``store`` and ``previous``
  parameters get filled, for each annotation (real or a string from ``from __future__ import
  annotations``), with and without a default: the value it got, the ``TypeError`` of a required
  one left unfilled, and the warning about a ``config`` parameter with another annotation;
* ``add_node(..., trace_policy=TracePolicy(...))``: what a tracer records as the node run's
  inputs and outputs, what a plain callback handler records, and what the node really gets.
"""

from __future__ import annotations
import __future__

import asyncio
import functools
import logging
import operator
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from typing import Annotated, Any, Optional

import langgraph.graph
import langgraph.types
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableConfig
from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.context import register_configure_hook
from langchain_core.tracers.schemas import Run
from typing_extensions import TypedDict

import nbstream.graph
import nbstream.types

LIBS = {"nbstream": (nbstream.graph, nbstream.types), "langgraph": (langgraph.graph, langgraph.types)}


# -- injected parameters -------------------------------------------------------------------------
class Got(TypedDict, total=False):
    got: Any


def describe(value: Any) -> str:
    """What a parameter was given, the same way for both libraries' objects."""
    if value is None:
        return "None"
    if isinstance(value, dict):  # (what a START router's config holds differs: not compared here)
        return "config"
    if hasattr(value, "context") and hasattr(value, "store"):
        return "runtime"
    if callable(value):
        return "writer"
    return repr(value)


#: (parameter, annotation source or None, default source)
CASES = [
    ("config", None, ""),
    ("config", "RunnableConfig", ""),
    ("config", "Optional[RunnableConfig]", ""),
    ("config", "RunnableConfig | None", " = None"),
    ("config", "dict", " = None"),
    ("config", "dict", ""),
    ("config", "Any", " = None"),
    ("writer", None, ""),
    ("writer", "StreamWriter", ""),
    ("writer", "Callable[[Any], None]", " = None"),
    ("writer", "Callable", " = None"),
    ("writer", "Callable", ""),
    ("writer", "Optional[StreamWriter]", " = None"),
    ("runtime", "int", ""),
    ("previous", None, ""),
    ("previous", "int", " = 5"),
    ("store", "dict", " = 7"),
]
CASE_IDS = [f"{p}:{h}{d.strip()}" for p, h, d in CASES]


def make(param: str, hint: str | None, default: str, *, kw_only: bool, future: bool, run: str) -> Any:
    """A real function ``(state, <param>: <hint> = <default>)``: its own signature, not a fake."""
    star = "*, " if kw_only else ""
    annotation = f": {hint}" if hint else ""
    head = f"(state, {star}{param}{annotation}{default})"
    if run == "router":
        body = f"    seen.append(describe({param}))\n    return '__end__'"
    else:
        body = f"    return {{'got': describe({param})}}"
    source = f"{'async def' if run == 'async' else 'def'} fn{head}:\n{body}\n"
    flags = __future__.annotations.compiler_flag if future else 0
    seen: list[str] = []
    scope: dict[str, Any] = {
        "describe": describe,
        "seen": seen,
        "RunnableConfig": RunnableConfig,
        "Optional": Optional,
        "Any": Any,
        "Callable": Callable,
        "StreamWriter": nbstream.types.StreamWriter,
    }
    exec(compile(source, f"<{param} case>", "exec", flags=flags, dont_inherit=True), scope)
    fn = scope["fn"]
    fn.seen = seen
    return fn


def outcome(lib: str, fn: Any, run: str, where: str = "node") -> tuple[Any, list[str], bool]:
    """(the result or the error, what a router saw, whether a config warning came from here)."""
    g, _ = LIBS[lib]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        builder = g.StateGraph(Got)
        if run == "router":
            builder.add_node("n", lambda s: {"got": "n"})
            if where == "start":
                builder.add_conditional_edges(g.START, fn, ["n", g.END])
            else:
                builder.add_edge(g.START, "n")
                builder.add_conditional_edges("n", fn, [g.END])
        else:
            builder.add_node("n", fn)
            builder.add_edge(g.START, "n")
        graph = builder.compile()
    warned = [w for w in caught if "'config' parameter" in str(w.message)]
    assert all(w.filename == __file__ and issubclass(w.category, UserWarning) for w in warned)
    try:
        if run == "async":
            result: Any = asyncio.run(graph.ainvoke({}))
        else:
            result = graph.invoke({})
    except TypeError as exc:
        result = ("TypeError", str(exc))
    return result, list(fn.seen), bool(warned)


@pytest.mark.parametrize("future", [False, True], ids=["hints", "string-hints"])
@pytest.mark.parametrize(("param", "hint", "default"), CASES, ids=CASE_IDS)
def test_node_parameters_are_filled_by_annotation_as_in_langgraph(
    param: str, hint: str | None, default: str, future: bool
) -> None:
    for run in ("node", "async"):
        for kw_only in (False, True):
            results = [
                outcome(lib, make(param, hint, default, kw_only=kw_only, future=future, run=run), run)
                for lib in LIBS
            ]
            assert results[0] == results[1], (run, kw_only)


@pytest.mark.parametrize("future", [False, True], ids=["hints", "string-hints"])
@pytest.mark.parametrize(("param", "hint", "default"), CASES, ids=CASE_IDS)
def test_router_parameters_are_filled_by_annotation_as_in_langgraph(
    param: str, hint: str | None, default: str, future: bool
) -> None:
    results = [
        outcome(lib, make(param, hint, default, kw_only=False, future=future, run="router"), "router")
        for lib in LIBS
    ]
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("param", "hint", "default"),
    [c for c in CASES if c[0] != "writer" or c[2]],  # nbstream refuses a writer to a START router
    ids=[i for i, c in zip(CASE_IDS, CASES, strict=True) if c[0] != "writer" or c[2]],
)
def test_start_router_parameters_are_filled_by_annotation_as_in_langgraph(
    param: str, hint: str | None, default: str
) -> None:
    results = [
        outcome(lib, make(param, hint, default, kw_only=False, future=True, run="router"), "router", "start")
        for lib in LIBS
    ]
    assert results[0] == results[1]


def test_an_unfilled_config_is_what_a_ported_program_sees_not_a_silent_config() -> None:
    """The user-visible point: ``config: dict = None`` gets None (and a warning), on both."""
    fn = make("config", "dict", " = None", kw_only=False, future=False, run="node")
    assert outcome("nbstream", fn, "node") == ({"got": "None"}, [], True)
    required = make("config", "dict", "", kw_only=False, future=True, run="node")
    result, _, warned = outcome("nbstream", required, "node")
    assert result == ("TypeError", "fn() missing 1 required positional argument: 'config'") and warned


def test_to_langgraph_keeps_which_parameters_are_filled() -> None:
    g = nbstream.graph
    for param, hint, default in [("config", "dict", " = None"), ("writer", "Callable", " = None"),
                                 ("config", "RunnableConfig", ""), ("previous", None, "")]:
        fn = make(param, hint, default, kw_only=False, future=True, run="node")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            graph = g.StateGraph(Got).add_node("n", fn).add_edge(g.START, "n").compile()
        assert graph.to_langgraph().invoke({}) == graph.invoke({}), param


# -- trace policies ------------------------------------------------------------------------------
class Tracer(BaseTracer):
    """A tracer (as LangSmith's is): each chain run as recorded, with its parent's name."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[Any, ...]] = []

    def _persist_run(self, run: Run) -> None:
        pass

    def _parent(self, run: Run) -> str | None:
        parent = self.run_map.get(str(run.parent_run_id)) if run.parent_run_id else None
        return parent.name if parent is not None else None

    def _on_chain_start(self, run: Run) -> None:
        self.events.append(("start", run.name, self._parent(run), run.inputs))

    def _on_chain_end(self, run: Run) -> None:
        self.events.append(("end", run.name, run.outputs))

    def _on_chain_error(self, run: Run) -> None:
        self.events.append(("error", run.name, "KeyError: 'no such thing'" in (run.error or "")))


class Handler(BaseCallbackHandler):
    """A plain callback handler: it is not a tracer, so it sees the real inputs and outputs."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kw: Any) -> None:
        self.events.append(("start", kw.get("name"), inputs))

    def on_chain_end(self, outputs: Any, **kw: Any) -> None:
        self.events.append(("end", outputs))


class Msgs(TypedDict, total=False):
    messages: Annotated[list[str], operator.add]
    n: int


def keys_only(value: Any) -> Any:
    return {"keys": sorted(value)} if isinstance(value, dict) else repr(value)


def count_messages(value: Any) -> Any:
    return {"messages": len(value.get("messages", []))} if isinstance(value, dict) else repr(value)


def traced(lib: str, build: Callable[..., Any], use_async: bool = False, inp: Any = None) -> Any:
    """(result, tracer events, plain handler events, what the nodes got) for ``build(g, t)``."""
    g, t = LIBS[lib]
    got: list[Any] = []
    graph = build(g, t, got)
    tracer, handler = Tracer(), Handler()
    config: Any = {"callbacks": [tracer, handler]}
    inp = inp if inp is not None else {"messages": ["hi", "there"], "n": 0}
    result = asyncio.run(graph.ainvoke(inp, config)) if use_async else graph.invoke(inp, config)
    return result, tracer.events, handler.events, got


def sequence(g: Any, t: Any, got: list[Any], use_async: bool = False) -> Any:
    def first(state: Msgs) -> dict[str, Any]:
        got.append(("first", dict(state)))
        return {"messages": ["a", "b"], "n": state["n"] + 1}

    def second_sync(state: Msgs) -> dict[str, Any]:
        got.append(("second", dict(state)))
        return {"n": state["n"] + 1}

    async def second_async(state: Msgs) -> dict[str, Any]:
        return second_sync(state)

    second = second_async if use_async else second_sync

    builder = g.StateGraph(Msgs)
    builder.add_node(
        "first", first, trace_policy=t.TracePolicy(process_inputs=count_messages, process_outputs=keys_only)
    )
    builder.add_node("second", second, trace_policy=t.TracePolicy(process_outputs=t.omit_payload))
    builder.add_node("third", lambda s: {"n": s["n"] * 10})
    builder.add_edge(g.START, "first").add_edge("first", "second").add_edge("second", "third")
    return builder.compile(name="outer")


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_tracers_record_processed_node_payloads_and_nodes_get_real_ones_as_in_langgraph(
    use_async: bool
) -> None:
    build = functools.partial(sequence, use_async=use_async)
    nb, lg = traced("nbstream", build, use_async), traced("langgraph", build, use_async)
    assert nb == lg
    result, tracer, handler, got = nb
    assert ("start", "first", "outer", {"messages": 2}) in tracer
    assert ("end", "first", {"keys": ["messages", "n"]}) in tracer
    assert ("end", "second", {}) in tracer  # omit_payload keeps the span, drops the data
    assert ("start", "first", {"messages": ["hi", "there"], "n": 0}) in handler  # not a tracer: real
    assert got[0] == ("first", {"messages": ["hi", "there"], "n": 0}) and result["n"] == 20


def raising(g: Any, t: Any, got: list[Any]) -> Any:
    def boom(value: Any) -> Any:
        raise ValueError("cannot summarise")

    builder = g.StateGraph(Msgs)
    builder.add_node("a", lambda s: {"n": 1}, trace_policy=t.TracePolicy(process_inputs=boom, process_outputs=boom))
    return builder.add_edge(g.START, "a").compile()


def test_a_processor_that_raises_is_logged_and_the_real_payload_recorded_as_in_langgraph(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logged = {}
    for lib in LIBS:
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            logged[lib] = traced(lib, raising)
        errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
        assert [type(r.exc_info[1]) for r in errors if r.exc_info] == [ValueError, ValueError], lib
    assert logged["nbstream"] == logged["langgraph"]
    assert ("start", "a", "LangGraph", {"messages": ["hi", "there"], "n": 0}) in logged["nbstream"][1]


def commands_and_errors(g: Any, t: Any, got: list[Any]) -> Any:
    def jump(state: Msgs) -> Any:
        return t.Command(update={"n": 5}, goto="fail")

    def fail(state: Msgs) -> dict[str, Any]:
        raise KeyError("no such thing")

    called = functools.partial(lambda what, v: got.append(what) or type(v).__name__)
    builder = g.StateGraph(Msgs)
    builder.add_node("jump", jump, trace_policy=t.TracePolicy(process_outputs=functools.partial(called, "out")))
    builder.add_node("fail", fail, trace_policy=t.TracePolicy(process_outputs=functools.partial(called, "fail")))
    return builder.add_edge(g.START, "jump").compile()


def test_a_command_is_processed_and_a_failed_node_records_its_error_as_in_langgraph() -> None:
    events = {}
    for lib in LIBS:
        g, t = LIBS[lib]
        tracer, got = Tracer(), []
        graph = commands_and_errors(g, t, got)
        with pytest.raises(KeyError):
            graph.invoke({"n": 0}, {"callbacks": [tracer]})
        events[lib] = (tracer.events, got)
    assert events["nbstream"] == events["langgraph"]
    assert ("end", "jump", {"output": "Command"}) in events["nbstream"][0]
    assert events["nbstream"][1] == ["out"]  # a failed node has no output to process


def subgraphs(g: Any, t: Any, got: list[Any]) -> Any:
    inner = g.StateGraph(Msgs)
    inner.add_node("leaf", lambda s: {"messages": ["leaf"]}, trace_policy=t.TracePolicy(process_inputs=count_messages))
    inner = inner.add_edge(g.START, "leaf").compile(name="inner")
    builder = g.StateGraph(Msgs)
    builder.add_node("sub", inner, trace_policy=t.TracePolicy(process_inputs=t.omit_payload, process_outputs=keys_only))
    return builder.add_edge(g.START, "sub").compile(name="outer")


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_subgraph_nodes_and_the_nodes_inside_them_follow_their_policies_as_in_langgraph(use_async: bool) -> None:
    nb = traced("nbstream", subgraphs, use_async)
    assert nb == traced("langgraph", subgraphs, use_async)
    tracer = nb[1]
    assert ("start", "sub", "outer", {}) in tracer
    assert ("start", "inner", "sub", {"messages": ["hi", "there"], "n": 0}) in tracer  # its graph run: real
    assert ("start", "leaf", "inner", {"messages": 2}) in tracer
    assert ("end", "sub", {"keys": ["messages", "n"]}) in tracer


#: a tracer that langchain-core adds to every run by itself while set, as it adds LangSmith's
_AMBIENT_TRACER: ContextVar[Tracer | None] = ContextVar("ambient_tracer", default=None)
register_configure_hook(_AMBIENT_TRACER, inheritable=True)


def test_a_tracer_added_by_langchain_core_records_the_processed_payloads_as_in_langgraph() -> None:
    """No callbacks in the config: the tracer comes from langchain-core's configure hooks (as
    LangSmith's does when tracing is on)."""
    recorded = {}
    for lib in LIBS:
        g, t = LIBS[lib]
        graph = sequence(g, t, [])
        tracer = Tracer()
        token = _AMBIENT_TRACER.set(tracer)
        try:
            graph.invoke({"messages": ["hi"], "n": 0})
        finally:
            _AMBIENT_TRACER.reset(token)
        recorded[lib] = tracer.events
    assert recorded["nbstream"] == recorded["langgraph"]
    assert ("start", "first", "outer", {"messages": 1}) in recorded["nbstream"]


def test_trace_policy_is_an_add_node_option_only_as_in_langgraph() -> None:
    for lib in LIBS:
        g, t = LIBS[lib]
        with pytest.raises(TypeError, match="trace_policy"):
            g.StateGraph(Msgs).set_node_defaults(trace_policy=t.TracePolicy())
    with pytest.raises(TypeError, match=r"add_node\('a', trace_policy='omit'\)"):
        nbstream.graph.StateGraph(Msgs).add_node("a", lambda s: {}, trace_policy="omit")


def test_to_langgraph_keeps_trace_policies() -> None:
    g, t = LIBS["nbstream"]
    graph = subgraphs(g, t, [])
    exported = graph.to_langgraph()
    tracer, mine = Tracer(), Tracer()
    inp = {"messages": ["hi"], "n": 0}
    assert exported.invoke(inp, {"callbacks": [tracer]}) == graph.invoke(inp, {"callbacks": [mine]})
    assert tracer.events == mine.events and ("start", "sub", "outer", {}) in tracer.events
