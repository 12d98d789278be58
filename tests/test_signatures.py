"""Every parameter of LangGraph's public graph API is implemented by nbstream or refused by name.

The walk reads LangGraph 1.2.22's signatures with ``inspect.signature``: a parameter LangGraph adds
in a later release fails this test until nbstream implements it or refuses it. What nbstream
refuses raises :class:`~nbstream.errors.NotSupportedError` naming the parameter, never ignores it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import langgraph.config as lg_config
import langgraph.graph as lg_graph
import langgraph.graph.message as lg_message
import langgraph.prebuilt as lg_prebuilt
import langgraph.types as lg_types
import pytest
from langchain_core.runnables import Runnable
from langgraph.graph.state import CompiledStateGraph as LgCompiled
from typing_extensions import TypedDict

import nbstream.config as nb_config
import nbstream.graph as nb_graph
import nbstream.graph._messages as nb_messages
import nbstream.prebuilt as nb_prebuilt
import nbstream.types as nb_types
from nbstream.errors import NotSupportedError
from nbstream.runtime.compiled import CompiledStateGraph as NbCompiled


class S(TypedDict):
    x: int


def _one(state: S) -> dict[str, int]:
    return {"x": state["x"] + 1}


def _graph() -> Any:
    return nb_graph.StateGraph(S).add_node("one", _one).add_edge(nb_graph.START, "one").compile()


def _lg_graph() -> Any:
    from langgraph.graph import START, StateGraph

    return StateGraph(S).add_node("one", _one).add_edge(START, "one").compile()


def _public_methods(cls: type, *, skip: type | None = None) -> list[str]:
    names = ["__init__"] if "__init__" in vars(cls) else []
    for name in dir(cls):
        if name.startswith("_") or (skip is not None and hasattr(skip, name)):
            continue
        if callable(getattr(cls, name)) and not isinstance(getattr(cls, name), type):
            names.append(name)
    return names


#: LangGraph's compiled-graph methods that are not langchain-core Runnable's, plus the run methods
_COMPILED = sorted({*_public_methods(LgCompiled, skip=Runnable), "invoke", "ainvoke", "stream", "astream"})

PAIRS: list[tuple[str, Callable[..., Any], Callable[..., Any]]] = [
    *[
        (f"StateGraph.{name}", getattr(lg_graph.StateGraph, name), getattr(nb_graph.StateGraph, name))
        for name in _public_methods(lg_graph.StateGraph)
    ],
    *[
        (f"CompiledStateGraph.{name}", getattr(LgCompiled, name), getattr(NbCompiled, name, None))
        for name in _COMPILED
        if name != "__init__"
    ],
    ("Send", lg_types.Send, nb_types.Send),
    ("Command", lg_types.Command, nb_types.Command),
    ("add_messages", lg_message.add_messages, nb_messages.add_messages),
    ("get_stream_writer", lg_config.get_stream_writer, nb_config.get_stream_writer),
    ("get_config", lg_config.get_config, nb_config.get_config),
    ("ToolNode", lg_prebuilt.ToolNode.__init__, nb_prebuilt.ToolNode.__init__),
    ("tools_condition", lg_prebuilt.tools_condition, nb_prebuilt.tools_condition),
    ("create_react_agent", lg_prebuilt.create_react_agent, nb_prebuilt.create_react_agent),
    ("ValidationNode", lg_prebuilt.ValidationNode.__init__, nb_prebuilt.ValidationNode.__init__),
    ("InjectedState", lg_prebuilt.InjectedState.__init__, nb_prebuilt.InjectedState.__init__),
]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _simple_default(value: Any) -> bool:
    return value is inspect.Parameter.empty or isinstance(
        value, str | int | float | bool | tuple | type(None)
    )


@pytest.mark.parametrize(("where", "lg", "nb"), PAIRS, ids=[p[0] for p in PAIRS])
def test_every_langgraph_parameter_is_in_nbstreams_signature(where: str, lg: Any, nb: Any) -> None:
    assert nb is not None, f"{where} is missing"
    lg_params = inspect.signature(lg).parameters
    nb_params = inspect.signature(nb).parameters
    nb_positional = [n for n, p in nb_params.items() if p.kind in _POSITIONAL]
    problems = []
    for index, (name, param) in enumerate(lg_params.items()):
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            # LangGraph's **kwargs carry its deprecated names (tested below) or pass to Runnable
            if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in nb_params.values()):
                problems.append(f"**{name} (LangGraph accepts extra keyword arguments here)")
            continue
        mine = nb_params.get(name)
        if mine is None:
            problems.append(f"{name!r} is missing")
            continue
        if param.kind in _POSITIONAL and (index >= len(nb_positional) or nb_positional[index] != name):
            problems.append(f"{name!r} is not positional at index {index}")
        if param.kind is inspect.Parameter.KEYWORD_ONLY and mine.kind is inspect.Parameter.POSITIONAL_ONLY:
            problems.append(f"{name!r} cannot be passed by keyword")
        if _simple_default(param.default) and param.default != mine.default:
            problems.append(f"{name!r} defaults to {mine.default!r}, LangGraph to {param.default!r}")
    assert not problems, f"{where}: " + "; ".join(problems)


# -- what nbstream refuses, by name ------------------------------------------------------------------
REFUSED: list[tuple[str, Callable[[], Any]]] = [
    (
        "transformers",
        lambda: (
            nb_graph.StateGraph(S)
            .add_node("one", _one)
            .add_edge("__start__", "one")
            .compile(transformers=[object()])
        ),
    ),
]


@pytest.mark.parametrize(("name", "call"), REFUSED, ids=[f"{i}-{n}" for i, (n, _) in enumerate(REFUSED)])
def test_unsupported_options_raise_an_error_that_names_them(name: str, call: Callable[[], Any]) -> None:
    with pytest.raises(NotSupportedError, match=name):
        call()


@pytest.mark.parametrize("method", ["get_state", "aget_state", "update_state", "aupdate_state"])
def test_thread_methods_without_a_checkpointer_say_so_as_langgraph(method: str) -> None:
    import asyncio

    args: list[Any] = [{"configurable": {"thread_id": "1"}}] + ([{"x": 1}] if "update" in method else [])
    for graph in (_graph(), _lg_graph()):
        with pytest.raises(ValueError, match="No checkpointer set"):
            result = getattr(graph, method)(*args)
            if asyncio.iscoroutine(result):
                asyncio.run(result)


def test_a_checkpointer_that_is_not_a_saver_is_rejected_by_name() -> None:
    with pytest.raises(TypeError, match=r"checkpointer=.*expected a langgraph-checkpoint saver"):
        nb_graph.StateGraph(S).add_node("one", _one).add_edge("__start__", "one").compile(
            checkpointer=object()
        )


def test_every_public_attribute_of_a_langgraph_compiled_graph_exists_or_is_refused_by_name() -> None:
    graph = _graph()
    for name in dir(LgCompiled):
        if name.startswith("_"):
            continue
        try:
            getattr(graph, name)
        except NotSupportedError as exc:
            assert name in str(exc)
        except AttributeError as exc:  # a bare AttributeError hides what is missing
            pytest.fail(f"CompiledStateGraph.{name}: bare AttributeError {exc}")


def test_pregel_leftovers_answer_as_langgraph() -> None:
    lg = lg_graph.StateGraph(S).add_node("one", _one).add_edge(lg_graph.START, "one").compile()
    nb = _graph()
    assert nb.stream_channels == nb.stream_channels_list == nb.stream_channels_asis == lg.stream_channels
    assert nb.validate() is nb
    renamed = nb.copy({"name": "other"})
    assert (renamed.name, nb.name) == (lg.copy({"name": "other"}).name, lg.name) == ("other", "LangGraph")
    assert renamed.invoke({"x": 1}) == {"x": 2}
    with pytest.raises(NotSupportedError, match="attach_node"):
        nb.attach_node("two", None)


def test_private_attributes_stay_plain_attribute_errors_so_python_can_probe_them() -> None:
    graph = _graph()
    assert not hasattr(graph, "_ipython_canary_method_should_not_exist_")
    with pytest.raises(AttributeError) as info:
        graph._no_such_thing  # noqa: B018
    assert not isinstance(info.value, NotSupportedError)


def test_langgraphs_deprecated_keywords_work_with_its_warnings() -> None:
    from langgraph.warnings import LangGraphDeprecatedSinceV05, LangGraphDeprecatedSinceV10

    from nbstream import warnings as nb_warnings

    cases = [
        (
            {"config_schema": S},
            "config_schema",
            LangGraphDeprecatedSinceV10,
            nb_warnings.LangGraphDeprecatedSinceV10,
        ),
        ({"input": S}, "input", LangGraphDeprecatedSinceV05, nb_warnings.LangGraphDeprecatedSinceV05),
        ({"output": S}, "output", LangGraphDeprecatedSinceV05, nb_warnings.LangGraphDeprecatedSinceV05),
    ]
    for kwargs, name, lg_category, nb_category in cases:
        with pytest.warns(lg_category) as lg_record:
            lg_graph.StateGraph(S, **kwargs)
        with pytest.warns(nb_category) as nb_record:
            nb_graph.StateGraph(S, **kwargs)
        assert str(nb_record[0].message) == str(lg_record[0].message), name
    with pytest.warns(nb_warnings.LangGraphDeprecatedSinceV05, match="`retry` is deprecated"):
        nb_graph.StateGraph(S).add_node("one", _one, retry=lg_types.RetryPolicy())
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        nb_graph.StateGraph(S).add_node("one", _one, bogus=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        nb_graph.StateGraph(S, bogus=1)


def test_the_core_never_imports_langgraph_itself() -> None:
    # langgraph is an optional extra; only langgraph-checkpoint's interfaces may load with the core
    import subprocess
    import sys

    program = """
import sys, asyncio
from typing_extensions import TypedDict
from nbstream.graph import StateGraph, START
from nbstream.types import Command, RetryPolicy, CachePolicy
from nbstream.runtime import get_runtime
from langgraph.cache.memory import InMemoryCache
class S(TypedDict):
    x: int
g = (StateGraph(S).add_node("a", lambda s: {"x": 1}, retry_policy=RetryPolicy(), cache_policy=CachePolicy())
     .add_edge(START, "a").compile(cache=InMemoryCache()))
list(g.stream({"x": 0}, stream_mode=["updates", "values", "messages", "custom"], version="v2"))
asyncio.run(g.ainvoke({"x": 0}))
loaded = sorted(m for m in sys.modules if m == "langgraph" or m.startswith("langgraph."))
allowed = ("langgraph.cache", "langgraph.checkpoint", "langgraph.store")
print([m for m in loaded if m != "langgraph" and not m.startswith(allowed)])
"""
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
