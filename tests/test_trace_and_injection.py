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
import warnings
from collections.abc import Callable
from typing import Any, Optional

import langgraph.graph
import langgraph.types
import pytest
from langchain_core.runnables import RunnableConfig
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
