"""nbstream's public modules mirror LangGraph 1.2.22's: same names, same values, same record shapes.

The name lists are read from LangGraph's modules at test time, so a name LangGraph adds fails here
until nbstream has it (implemented, or refusing with NotSupportedError). Behaviour tests cover what
this layer implements: ``Overwrite``, ``get_runtime()``, the policies' defaults, the error classes.
"""

from __future__ import annotations

import dataclasses
import importlib
import operator
import re
import types
import warnings
from datetime import timedelta
from typing import Annotated, Any, NotRequired, Optional

import httpx
import langgraph.errors as lg_errors
import langgraph.graph as lg_graph
import langgraph.managed as lg_managed
import langgraph.runtime as lg_runtime
import langgraph.types as lg_types
import pytest
import requests
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from langgraph._internal._retry import default_retry_on as lg_default_retry_on
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import InjectedState
from typing_extensions import TypedDict

import nbstream.errors as nb_errors
import nbstream.func as nb_func
import nbstream.graph as nb_graph
import nbstream.managed as nb_managed
import nbstream.runtime as nb_runtime
import nbstream.types as nb_types
from nbstream.errors import NotSupportedError

#: LangGraph module -> its nbstream counterpart
MODULES = {
    "langgraph.graph": "nbstream.graph",
    "langgraph.graph.message": "nbstream.graph.message",
    "langgraph.graph.state": "nbstream.graph.state",
    "langgraph.types": "nbstream.types",
    "langgraph.managed": "nbstream.managed",
    "langgraph.constants": "nbstream.constants",
    "langgraph.errors": "nbstream.errors",
    "langgraph.config": "nbstream.config",
    "langgraph.func": "nbstream.func",
    "langgraph.runtime": "nbstream.runtime",
    "langgraph.prebuilt": "nbstream.prebuilt",
    "langgraph.prebuilt.chat_agent_executor": "nbstream.prebuilt.chat_agent_executor",
    "langgraph.prebuilt.tool_node": "nbstream.prebuilt.tool_node",
    "langgraph.prebuilt.tool_validator": "nbstream.prebuilt.tool_validator",
    "langgraph.prebuilt.interrupt": "nbstream.prebuilt.interrupt",
}


def public_names(module: types.ModuleType) -> list[str]:
    """``__all__``, or (without one) the public functions and classes the module itself defines."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    ]


# -- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lg_name", "nb_name"), MODULES.items(), ids=list(MODULES))
def test_every_langgraph_public_name_exists_in_nbstream(lg_name: str, nb_name: str) -> None:
    lg_module = importlib.import_module(lg_name)
    nb_module = importlib.import_module(nb_name)
    names = public_names(lg_module)
    assert names, f"found no public names in {lg_name}"
    missing = [name for name in names if not hasattr(nb_module, name)]
    assert not missing, f"{nb_name} lacks LangGraph's {lg_name} names: {missing}"


@pytest.mark.parametrize("nb_name", MODULES.values())
def test_every_name_in_nbstream_all_resolves(nb_name: str) -> None:
    module = importlib.import_module(nb_name)
    unresolved = [name for name in module.__all__ if not hasattr(module, name)]
    assert not unresolved, f"{nb_name}.__all__ lists names it does not have: {unresolved}"


def test_create_error_message_is_there_too() -> None:
    # used by LangGraph code though not in langgraph.errors.__all__
    assert nb_errors.create_error_message is not None
    assert hasattr(lg_errors, "create_error_message")


def test_constants_have_langgraph_values() -> None:
    lg_constants = importlib.import_module("langgraph.constants")
    nb_constants = importlib.import_module("nbstream.constants")
    for name in lg_constants.__all__:
        assert getattr(nb_constants, name) == getattr(lg_constants, name), name
    assert (nb_graph.START, nb_graph.END) == (lg_graph.START, lg_graph.END)
    lg_message = importlib.import_module("langgraph.graph.message")
    nb_message = importlib.import_module("nbstream.graph.message")
    assert nb_message.REMOVE_ALL_MESSAGES == lg_message.REMOVE_ALL_MESSAGES


def test_error_codes_and_message_match_langgraph() -> None:
    assert [(m.name, m.value) for m in nb_errors.ErrorCode] == [
        (m.name, m.value) for m in lg_errors.ErrorCode
    ]
    for code in lg_errors.ErrorCode:
        ours = nb_errors.create_error_message(message="It broke.", error_code=nb_errors.ErrorCode[code.name])
        assert ours == lg_errors.create_error_message(message="It broke.", error_code=code)


# -- record shapes -----------------------------------------------------------------------------------


def _default_of(value: Any) -> Any:
    # a default function is compared by name: the two libraries each define their own
    if isinstance(value, types.FunctionType):
        return ("function", value.__name__)
    if value is dataclasses.MISSING:
        return "<required>"
    return value


def shape(cls: Any) -> list[tuple[Any, ...]]:
    """Field names, defaults, keyword-only-ness (dataclass) in order; empty for other classes."""
    if isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return [
            (name, _default_of(cls._field_defaults.get(name, dataclasses.MISSING))) for name in cls._fields
        ]
    if dataclasses.is_dataclass(cls):
        out: list[tuple[Any, ...]] = []
        for f in dataclasses.fields(cls):
            default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
            out.append((f.name, _default_of(default), f.kw_only))
        return out
    return []


def _records(module: types.ModuleType) -> list[str]:
    return [
        n for n in public_names(module) if isinstance(getattr(module, n), type) and shape(getattr(module, n))
    ]


RECORD_PAIRS = [
    *((f"types.{n}", getattr(lg_types, n), getattr(nb_types, n)) for n in _records(lg_types)),
    ("types.CacheKey", lg_types.CacheKey, importlib.import_module("nbstream._state_types").CacheKey),
    *((f"runtime.{n}", getattr(lg_runtime, n), getattr(nb_runtime, n)) for n in _records(lg_runtime)),
    *((f"errors.{n}", getattr(lg_errors, n), getattr(nb_errors, n)) for n in _records(lg_errors)),
]


def test_the_record_list_covers_the_data_types_named_in_the_brief() -> None:
    named = {name for name, _, _ in RECORD_PAIRS}
    for expected in (
        "types.RetryPolicy",
        "types.CachePolicy",
        "types.TimeoutPolicy",
        "types.TracePolicy",
        "types.Interrupt",
        "types.StateSnapshot",
        "types.PregelTask",
        "types.StateUpdate",
        "types.Overwrite",
        "types.Command",
        "types.GraphOutput",
        "types.PregelExecutableTask",
        "runtime.Runtime",
        "runtime.ExecutionInfo",
        "errors.NodeError",
    ):
        assert expected in named


@pytest.mark.parametrize(("name", "lg_cls", "nb_cls"), RECORD_PAIRS, ids=[p[0] for p in RECORD_PAIRS])
def test_records_have_langgraph_fields_defaults_and_order(name: str, lg_cls: Any, nb_cls: Any) -> None:
    assert shape(nb_cls) == shape(lg_cls)
    if dataclasses.is_dataclass(lg_cls):
        params = ("frozen", "eq", "order")
        lg_params = lg_cls.__dataclass_params__  # type: ignore[union-attr]
        nb_params = nb_cls.__dataclass_params__
        assert [getattr(nb_params, p) for p in params] == [getattr(lg_params, p) for p in params]
    else:
        assert issubclass(nb_cls, tuple), f"{name} is a NamedTuple in LangGraph"


_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def _same_repr(a: Any, b: Any) -> None:
    assert _ADDRESS.sub(">", repr(a)) == _ADDRESS.sub(">", repr(b))


@pytest.mark.parametrize(
    "build",
    [
        lambda t: t.RetryPolicy(),
        lambda t: t.RetryPolicy(max_attempts=5, retry_on=(ValueError,)),
        lambda t: t.CachePolicy(),
        lambda t: t.CachePolicy(ttl=60),
        lambda t: t.TimeoutPolicy(run_timeout=3.0),
        lambda t: t.TracePolicy(),
        lambda t: t.Interrupt("why?"),
        lambda t: t.Interrupt("why?", "some-id", response_schema={"type": "string"}),
        lambda t: t.Interrupt.from_ns("why?", "node:1234"),
        lambda t: t.StateUpdate({"x": 1}, as_node="a"),
        lambda t: t.PregelTask("id-1", "a", ("__pregel_pull", "a")),
        lambda t: t.StateSnapshot({"x": 1}, ("a",), {}, None, None, None, (), ()),
        lambda t: t.Overwrite(["b"]),
        lambda t: t.Command(update={"x": 1}, goto="a"),
        lambda t: t.Command(graph=t.Command.PARENT, goto=[t.Send("a", 1)]),
        lambda t: t.Command(),
        lambda t: t.Send("a", {"x": 1}),
        lambda t: t.GraphOutput({"x": 1}),
    ],
)
def test_records_print_as_langgraph_prints_them(build: Any) -> None:
    _same_repr(build(nb_types), build(lg_types))


def test_interrupt_ids_from_a_namespace_match_langgraph() -> None:
    assert nb_types.Interrupt.from_ns(1, "a:x|b:y").id == lg_types.Interrupt.from_ns(1, "a:x|b:y").id
    assert nb_types.Interrupt("v") == nb_types.Interrupt("v", "placeholder-id")


def test_graph_output_dict_access_is_deprecated_as_in_langgraph() -> None:
    out = nb_types.GraphOutput({"x": 1}, (nb_types.Interrupt("q"),))
    with pytest.warns(DeprecationWarning):
        assert out["x"] == 1
    with pytest.warns(DeprecationWarning):
        assert "__interrupt__" in out


def test_timeout_policy_coerce_matches_langgraph() -> None:
    for value in (None, 5, 2.5, timedelta(seconds=2)):
        _same_repr(nb_types.TimeoutPolicy.coerce(value), lg_types.TimeoutPolicy.coerce(value))
    for kwargs in ({}, {"idle_timeout": 3}, {"run_timeout": 1.0, "refresh_on": "heartbeat"}):
        _same_repr(
            nb_types.TimeoutPolicy.coerce(nb_types.TimeoutPolicy(**kwargs)),
            lg_types.TimeoutPolicy.coerce(lg_types.TimeoutPolicy(**kwargs)),
        )
    for bad in (0, -1):
        with pytest.raises(ValueError):
            lg_types.TimeoutPolicy.coerce(bad)
        with pytest.raises(ValueError, match="run_timeout"):
            nb_types.TimeoutPolicy.coerce(bad)


def _http_errors() -> list[Exception]:
    request = httpx.Request("GET", "http://x")
    out: list[Exception] = []
    for code in (500, 503, 404):
        out.append(
            httpx.HTTPStatusError("e", request=request, response=httpx.Response(code, request=request))
        )
        response = requests.Response()
        response.status_code = code
        out.append(requests.HTTPError("e", response=response))
    out.append(requests.HTTPError("no response"))
    return out


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionError(),
        ConnectionResetError(),
        TimeoutError(),
        OSError(),
        ValueError(),
        KeyError("k"),
        TypeError(),
        ZeroDivisionError(),
        RuntimeError(),
        NotImplementedError(),
        StopIteration(),
        Exception(),
        type("ProviderError", (Exception,), {})(),
        nb_errors.NodeTimeoutError("a", 1.0, kind="run", run_timeout=0.5),
        *_http_errors(),
    ],
    ids=repr,
)
def test_default_retry_on_follows_langgraph(exc: Exception) -> None:
    assert nb_types.default_retry_on(exc) == lg_default_retry_on(exc)


def test_default_cache_key_is_deterministic_and_tells_inputs_apart() -> None:
    key = nb_types.default_cache_key
    assert isinstance(key({"a": 1}), str)
    assert key({"a": 1, "b": [1, 2]}) == key({"b": [1, 2], "a": 1})
    assert key({"s": {3, 1, 2}}) == key({"s": {1, 2, 3}})
    assert key({"a": 1}) != key({"a": 2})
    assert key([HumanMessage("hi", id="1")]) == key([HumanMessage("hi", id="1")])
    assert key([HumanMessage("hi", id="1")]) != key([HumanMessage("ho", id="1")])
    assert key({1: "int key", "1": "str key"}) == key({"1": "str key", 1: "int key"})
    with pytest.raises(TypeError, match="key_func"):
        key({"lock": __import__("threading").Lock()})


def test_ensure_valid_checkpointer_accepts_what_langgraph_accepts() -> None:
    for value in (None, True, False, InMemorySaver()):
        assert nb_types.ensure_valid_checkpointer(value) is value
    with pytest.raises(TypeError):
        lg_types.ensure_valid_checkpointer("memory")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="BaseCheckpointSaver"):
        nb_types.ensure_valid_checkpointer("memory")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [n for n in lg_types.__all__ if n.endswith(("StreamPart", "Payload")) or n == "CheckpointTask"],
)
def test_stream_part_typed_dicts_have_langgraph_keys(name: str) -> None:
    lg_part, nb_part = getattr(lg_types, name), getattr(nb_types, name)
    if not hasattr(lg_part, "__required_keys__"):  # a union alias (StreamPart, DebugPayload)
        assert nb_part.__name__ == lg_part.__name__
        assert len(nb_part.__value__.__args__) == len(lg_part.__value__.__args__)
        return
    assert list(nb_part.__annotations__) == list(lg_part.__annotations__)
    assert nb_part.__required_keys__ == lg_part.__required_keys__


# -- errors ------------------------------------------------------------------------------------------


def _builtin_bases(cls: type) -> set[type]:
    return {base for base in cls.__mro__ if base.__module__ == "builtins"}


LG_ERRORS = [n for n in lg_errors.__all__ if isinstance(getattr(lg_errors, n), type)]


@pytest.mark.parametrize("name", LG_ERRORS)
def test_error_classes_keep_langgraph_builtin_bases(name: str) -> None:
    # `except RecursionError`, `except Exception` ... catch the same errors on both
    assert _builtin_bases(getattr(nb_errors, name)) == _builtin_bases(getattr(lg_errors, name))


def test_error_classes_keep_langgraph_hierarchy() -> None:
    for a in LG_ERRORS:
        for b in LG_ERRORS:
            lg_a, lg_b = getattr(lg_errors, a), getattr(lg_errors, b)
            if issubclass(lg_a, BaseException) and issubclass(lg_b, BaseException):
                ours = issubclass(getattr(nb_errors, a), getattr(nb_errors, b))
                assert ours == issubclass(lg_a, lg_b), f"issubclass({a}, {b})"


def test_existing_errors_stay_graph_errors() -> None:
    assert issubclass(nb_errors.GraphRecursionError, RecursionError)
    for cls in (nb_errors.GraphRecursionError, nb_errors.InvalidUpdateError, nb_errors.EmptyInputError):
        assert issubclass(cls, nb_errors.GraphError)
    assert issubclass(nb_errors.GraphBuildError, ValueError)
    assert not issubclass(nb_errors.GraphInterrupt, nb_errors.GraphError)  # control flow, not an error


def test_error_messages_and_attributes_match_langgraph() -> None:
    for kwargs in ({"kind": "run", "run_timeout": 0.5}, {"kind": "idle", "idle_timeout": 2.0}):
        ours, theirs = (
            lib.NodeTimeoutError("fetch", 1.25, **kwargs)  # type: ignore[arg-type]
            for lib in (nb_errors, lg_errors)
        )
        assert str(ours) == str(theirs)
        assert (ours.timeout, ours.kind, ours.elapsed) == (theirs.timeout, theirs.kind, theirs.elapsed)
    assert str(nb_errors.NodeCancelledError("a")) == str(lg_errors.NodeCancelledError("a"))
    assert str(nb_errors.GraphDrained()) == str(lg_errors.GraphDrained())
    pending = nb_errors.UnknownInterruptError("no", reason="ambiguous", pending_ids=["i1", "i2"])
    assert (pending.reason, pending.interrupt_ids, pending.pending_ids) == ("ambiguous", (), ("i1", "i2"))
    with pytest.warns(DeprecationWarning):
        interrupt = nb_errors.NodeInterrupt("stop here", id="x")
    assert interrupt.args == ([nb_types.Interrupt("stop here", "x")],)
    error = ValueError()
    assert not nb_errors.is_invalid_resume(error)
    error._langgraph_invalid_resume = True  # type: ignore[attr-defined]
    assert nb_errors.is_invalid_resume(error) and lg_errors.is_invalid_resume(error)


# -- what is refused ---------------------------------------------------------------------------------


class X(TypedDict):
    x: int


def _one_node_graph(node: Any) -> Any:
    return nb_graph.StateGraph(X).add_node("a", node).add_edge(nb_graph.START, "a").compile()


def test_interrupt_without_a_checkpointer_pauses_as_langgraph() -> None:
    """As LangGraph: the run stops with the interrupt (it cannot be resumed without a thread)."""
    from langgraph.graph import START as LG_START
    from langgraph.graph import StateGraph as LgStateGraph
    from langgraph.types import interrupt as lg_interrupt

    def shape(result: Any) -> Any:
        return {
            k: [(i.value, len(i.id)) for i in v] if k == "__interrupt__" else v for k, v in result.items()
        }

    def asks(state: X) -> dict[str, Any]:
        return {"x": nb_types.interrupt("how many?")}

    def lg_asks(state: X) -> dict[str, Any]:
        return {"x": lg_interrupt("how many?")}

    lg = LgStateGraph(X).add_node("a", lg_asks).add_edge(LG_START, "a").compile()
    assert shape(_one_node_graph(asks).invoke({"x": 0})) == shape(lg.invoke({"x": 0}))
    assert shape(_one_node_graph(asks).invoke({"x": 0})) == {"x": 0, "__interrupt__": [("how many?", 32)]}
    with pytest.raises(RuntimeError, match=r"Cannot use Command\(resume=...\) without checkpointer"):
        _one_node_graph(asks).invoke(nb_types.Command(resume=1))


def test_functional_api_is_refused_at_the_decorator() -> None:
    with pytest.raises(NotSupportedError, match="@task"):

        @nb_func.task
        def step(x: int) -> int:
            return x

    with pytest.raises(NotSupportedError, match="@entrypoint"):

        @nb_func.entrypoint(checkpointer=None)
        def workflow(x: int) -> int:
            return x


def test_message_graph_is_refused_with_the_replacement() -> None:
    with pytest.raises(NotSupportedError, match=r"MessageGraph.*StateGraph\(MessagesState\)"):
        nb_graph.MessageGraph()
    assert issubclass(nb_graph.MessageGraph, nb_graph.StateGraph)


# -- Overwrite ---------------------------------------------------------------------------------------


class Log(TypedDict):
    xs: Annotated[list[str], operator.add]
    plain: str
    anything: Annotated[Any, operator.add]


def _overwrite_graph(
    graph_mod: Any, types_mod: Any, nodes: dict[str, Any], edges: list[tuple[str, str]]
) -> Any:
    builder = graph_mod.StateGraph(Log)
    for name, make in nodes.items():
        builder.add_node(name, make(types_mod))
    for source, target in edges:
        builder.add_edge(graph_mod.START if source == "START" else source, target)
    return builder.compile()


def _parallel(*names: str) -> list[tuple[str, str]]:
    return [("START", n) for n in names]


OVERWRITE_CASES = {
    "sequence": (
        {"a": lambda t: lambda s: {"xs": ["a"]}, "b": lambda t: lambda s: {"xs": t.Overwrite(["b"])}},
        [("START", "a"), ("a", "b")],
        {"xs": ["in"]},
    ),
    "before_and_after_in_one_step": (
        {
            "a": lambda t: lambda s: {"xs": ["a"]},
            "b": lambda t: lambda s: {"xs": t.Overwrite(["b"])},
            "c": lambda t: lambda s: {"xs": ["c"]},
        },
        _parallel("a", "b", "c"),
        {"xs": ["in"]},
    ),
    "json_forms": (
        {
            "a": lambda t: lambda s: {"xs": {"__overwrite__": ["a"]}},
            "b": lambda t: lambda s: {"xs": ["b"]},
        },
        [("START", "a"), ("a", "b"), ("START", "b")],
        {"xs": ["in"]},
    ),
    "json_typed_form": (
        {"a": lambda t: lambda s: {"xs": {"type": "__overwrite__", "value": ["a"]}}},
        [("START", "a")],
        {"xs": ["in"]},
    ),
    "in_a_command": (
        {"a": lambda t: lambda s: t.Command(update={"xs": t.Overwrite(["cmd"])})},
        [("START", "a")],
        {"xs": ["in"]},
    ),
    "plain_key_keeps_the_wrapper": (
        {"a": lambda t: lambda s: {"plain": t.Overwrite("p")}},
        [("START", "a")],
        {"plain": "in"},
    ),
    "empty_key_takes_first_write_as_is": (
        {"a": lambda t: lambda s: {"anything": t.Overwrite(5)}},
        [("START", "a")],
        {"plain": "in"},
    ),
    "empty_key_then_overwrite": (
        {"a": lambda t: lambda s: {"anything": 1}, "b": lambda t: lambda s: {"anything": t.Overwrite(5)}},
        _parallel("a", "b"),
        {"plain": "in"},
    ),
}


def _run_canonical(graph: Any, inputs: dict[str, Any], mode: str) -> list[str]:
    return [_ADDRESS.sub(">", repr(chunk)) for chunk in graph.stream(inputs, stream_mode=mode)]


@pytest.mark.parametrize("mode", ["values", "updates"])
@pytest.mark.parametrize("case", OVERWRITE_CASES, ids=list(OVERWRITE_CASES))
def test_overwrite_matches_langgraph(case: str, mode: str) -> None:
    nodes, edges, inputs = OVERWRITE_CASES[case]
    ours = _run_canonical(_overwrite_graph(nb_graph, nb_types, nodes, edges), inputs, mode)
    theirs = _run_canonical(_overwrite_graph(lg_graph, lg_types, nodes, edges), inputs, mode)
    assert ours == theirs


def test_two_overwrites_in_one_step_are_rejected_as_in_langgraph() -> None:
    nodes = {
        "a": lambda t: lambda s: {"xs": t.Overwrite(["a"])},
        "b": lambda t: lambda s: {"xs": t.Overwrite(["b"])},
    }
    with pytest.raises(lg_errors.InvalidUpdateError, match="only one Overwrite"):
        _overwrite_graph(lg_graph, lg_types, nodes, _parallel("a", "b")).invoke({"xs": []})
    with pytest.raises(nb_errors.InvalidUpdateError) as info:
        _overwrite_graph(nb_graph, nb_types, nodes, _parallel("a", "b")).invoke({"xs": []})
    message = str(info.value)
    assert "key 'xs'" in message and "step 1" in message and "'a', 'b'" in message
    assert message.endswith("errors/INVALID_CONCURRENT_GRAPH_UPDATE")


def test_overwrite_is_what_a_router_after_the_node_sees() -> None:
    def build(graph_mod: Any, types_mod: Any) -> Any:
        seen: list[list[str]] = []

        def route(state: Any) -> str:
            seen.append(list(state["xs"]))
            return graph_mod.END

        builder = graph_mod.StateGraph(Log)
        builder.add_node("a", lambda s: {"xs": types_mod.Overwrite(["only"])})
        builder.add_edge(graph_mod.START, "a")
        builder.add_conditional_edges("a", route)
        return builder.compile(), seen

    results = []
    for graph_mod, types_mod in ((nb_graph, nb_types), (lg_graph, lg_types)):
        graph, seen = build(graph_mod, types_mod)
        graph.invoke({"xs": ["in"]})
        results.append(seen)
    assert results[0] == results[1] == [["only"]]


def test_overwrite_replaces_a_message_list() -> None:
    def build(graph_mod: Any, types_mod: Any) -> Any:
        builder = graph_mod.StateGraph(graph_mod.MessagesState)
        builder.add_node("a", lambda s: {"messages": types_mod.Overwrite([AIMessage("fresh", id="2")])})
        builder.add_edge(graph_mod.START, "a")
        return builder.compile()

    inputs = {"messages": [HumanMessage("old", id="1")]}
    ours = build(nb_graph, nb_types).invoke(inputs)
    assert ours == build(lg_graph, lg_types).invoke(inputs)
    assert [m.content for m in ours["messages"]] == ["fresh"]


def test_messages_inside_an_overwrite_are_not_streamed_as_in_langgraph() -> None:
    def build(graph_mod: Any, types_mod: Any) -> Any:
        builder = graph_mod.StateGraph(graph_mod.MessagesState)
        builder.add_node("a", lambda s: {"messages": types_mod.Overwrite([AIMessage("fresh", id="2")])})
        builder.add_edge(graph_mod.START, "a")
        return builder.compile()

    inputs = {"messages": [HumanMessage("old", id="1")]}
    assert list(build(lg_graph, lg_types).stream(inputs, stream_mode="messages")) == []
    assert list(build(nb_graph, nb_types).stream(inputs, stream_mode="messages")) == []


# -- managed values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "kind"),
    [
        (nb_managed.RemainingSteps, "remaining_steps"),
        (nb_managed.IsLastStep, "is_last_step"),
        (Annotated[int, nb_managed.RemainingStepsManager], "remaining_steps"),
        (NotRequired[nb_managed.RemainingSteps], "remaining_steps"),
        (Optional[nb_managed.IsLastStep], "is_last_step"),  # noqa: UP045 (the form users write)
        (lg_managed.RemainingSteps, "remaining_steps"),
        (lg_managed.IsLastStep, "is_last_step"),
        (int, None),
        (Annotated[list[str], operator.add], None),
        (Annotated[int, "a note"], None),
    ],
)
def test_managed_kind_recognises_the_markers(hint: Any, kind: str | None) -> None:
    assert nb_managed.managed_kind(hint) == kind


def test_managed_markers_are_not_taken_for_reducers() -> None:
    from nbstream.graph._state import schema_info

    class WithManaged(TypedDict):
        remaining_steps: nb_managed.RemainingSteps
        is_last_step: nb_managed.IsLastStep

    info, channels = schema_info(WithManaged)
    # managed keys are filled in by the runner: no channel, no reducer, not part of the output
    assert channels == {}
    assert info.keys == ()
    assert info.managed == (("remaining_steps", "remaining_steps"), ("is_last_step", "is_last_step"))


# -- runtime -----------------------------------------------------------------------------------------


def test_get_runtime_in_a_node_gives_the_task_writer_and_facts() -> None:
    seen: list[Any] = []

    def node(state: X) -> dict[str, Any]:
        runtime = nb_runtime.get_runtime()
        assert nb_runtime.get_runtime() is runtime  # built once per task
        runtime.stream_writer({"progress": 1})
        seen.append(runtime)
        return {"x": 1}

    chunks = list(
        _one_node_graph(node).stream(
            {"x": 0}, {"configurable": {"thread_id": "t-1"}}, stream_mode=["custom", "tasks"]
        )
    )
    assert ("custom", {"progress": 1}) in chunks
    task_id = next(c[1]["id"] for c in chunks if c[0] == "tasks")
    (runtime,) = seen
    assert isinstance(runtime, nb_runtime.Runtime)
    assert runtime.context is None and runtime.store is None and runtime.previous is None
    info = runtime.execution_info
    assert info is not None
    assert (info.task_id, info.checkpoint_ns) == (task_id, f"a:{task_id}")
    assert (info.thread_id, info.run_id, info.node_attempt) == ("t-1", None, 1)
    assert not runtime.drain_requested


def test_runtime_defaults_and_helpers_match_langgraph() -> None:
    ours, theirs = nb_runtime.Runtime(), lg_runtime.Runtime()
    for f in dataclasses.fields(theirs):
        assert _default_of(getattr(ours, f.name)) == _default_of(getattr(theirs, f.name)), f.name

    def writer(chunk: Any) -> None:
        pass

    merged = nb_runtime.Runtime(context="base").merge(nb_runtime.Runtime(stream_writer=writer))
    assert (merged.context, merged.stream_writer) == ("base", writer)
    assert nb_runtime.Runtime().override(context=3).context == 3
    with pytest.raises(RuntimeError):
        nb_runtime.Runtime().patch_execution_info(node_attempt=2)
    control = nb_runtime.RunControl()
    control.request_drain("deploy")
    assert nb_runtime.Runtime(control=control).drain_reason == "deploy"


def test_get_runtime_outside_a_node_raises_runtime_error_as_langgraph() -> None:
    with pytest.raises(RuntimeError):
        lg_runtime.get_runtime()
    with pytest.raises(RuntimeError, match=r"get_runtime\(\).*outside"):
        nb_runtime.get_runtime()


# -- MessagesState in pydantic -----------------------------------------------------------------------


def test_messages_state_builds_a_tool_schema_with_injected_state() -> None:
    @tool
    def count_messages(query: str, state: Annotated[nb_graph.MessagesState, InjectedState]) -> int:
        """Count the messages so far."""
        return len(state["messages"])

    assert set(count_messages.args_schema.model_json_schema()["properties"]) == {"query", "state"}  # type: ignore[union-attr]
    assert list(count_messages.tool_call_schema.model_json_schema()["properties"]) == ["query"]  # type: ignore[union-attr]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = count_messages.invoke({"query": "q", "state": {"messages": [HumanMessage("hi")]}})
    assert result == 1


def test_nbstream_checkpoint_re_exports_the_savers_packages_own_classes() -> None:
    """nbstream has no saver of its own: its names are the langgraph-checkpoint packages' objects."""
    import langgraph.checkpoint.memory as lg_memory
    import langgraph.checkpoint.postgres as lg_postgres
    import langgraph.checkpoint.sqlite as lg_sqlite
    import langgraph.checkpoint.sqlite.aio as lg_sqlite_aio

    from nbstream.checkpoint import memory, postgres, sqlite
    from nbstream.checkpoint.sqlite import aio

    assert memory.InMemorySaver is lg_memory.InMemorySaver
    assert memory.MemorySaver is lg_memory.MemorySaver
    assert sqlite.SqliteSaver is lg_sqlite.SqliteSaver
    assert aio.AsyncSqliteSaver is lg_sqlite_aio.AsyncSqliteSaver
    assert postgres.PostgresSaver is lg_postgres.PostgresSaver
