"""``version="v2"``, ``print_mode``, ``debug``, ``output_keys`` and the refused persistence options.

Every behaviour test runs the same program on nbstream and on LangGraph 1.2.22 and compares what
the caller sees: the chunks (v2 parts), ``invoke``'s result, and the text printed to stdout
(captured with ``capsys``, ANSI escapes included: LangGraph's are fixed, not terminal-dependent).
Task ids and debug timestamps differ between runs, so they are renamed by order of first
appearance before comparing; messages are reduced to their type and content.
"""

from __future__ import annotations

import asyncio
import itertools
import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any, TypedDict

import langgraph.config
import langgraph.graph
import langgraph.types
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage

import nbstream.config
import nbstream.graph
import nbstream.types
from nbstream._graph_output import GraphOutput
from nbstream.errors import NotSupportedError

NB = SimpleNamespace(
    name="nbstream",
    StateGraph=nbstream.graph.StateGraph,
    START=nbstream.graph.START,
    Command=nbstream.types.Command,
    writer=nbstream.config.get_stream_writer,
)
LG = SimpleNamespace(
    name="langgraph",
    StateGraph=langgraph.graph.StateGraph,
    START=langgraph.graph.START,
    Command=langgraph.types.Command,
    writer=langgraph.config.get_stream_writer,
)


class S(TypedDict, total=False):
    a: int
    b: Annotated[list[str], operator.add]
    note: str


def build(lib: Any, *, debug: bool | None = None) -> Any:
    """A parent graph: a node that writes custom data and calls a chat model, then a subgraph with
    two nodes (one streams custom data), then a node that writes nothing."""

    def child_1(state: S) -> dict[str, Any]:
        lib.writer()({"child": state["a"]})
        return {"b": ["c1"]}

    def child_2(state: S) -> dict[str, Any]:
        return {"a": state["a"] * 10, "b": ["c2"]}

    child = lib.StateGraph(S)
    child.add_node("child_1", child_1)
    child.add_node("child_2", child_2)
    child.add_edge(lib.START, "child_1")
    child.add_edge("child_1", "child_2")

    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage("hello there")]))

    def first(state: S) -> dict[str, Any]:
        lib.writer()({"first": state["a"]})
        reply = model.invoke("hi")
        return {"a": state["a"] + 1, "b": ["first"], "note": str(reply.content)}

    def quiet(state: S) -> None:
        return None

    graph = lib.StateGraph(S)
    graph.add_node("first", first)
    graph.add_node("sub", child.compile())
    graph.add_node("quiet", quiet)
    graph.add_edge(lib.START, "first")
    graph.add_edge("first", "sub")
    graph.add_edge("sub", "quiet")
    return graph.compile() if debug is None else graph.compile(debug=debug)


# -- normalising ---------------------------------------------------------------------------------
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00")


class Normaliser:
    """Renames ids ``<id1>``, ``<id2>``... by first appearance, timestamps ``<ts>``; messages become
    ``(type, content)``."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def text(self, s: str) -> str:
        s = _TS.sub("<ts>", s)
        return _UUID.sub(lambda m: self.names.setdefault(m.group(), f"<id{len(self.names) + 1}>"), s)

    def __call__(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, BaseMessage):
            return (type(obj).__name__, obj.content)
        if isinstance(obj, dict):
            if "langgraph_node" in obj:  # messages metadata: what both libraries must agree on
                return {"node": obj["langgraph_node"], "step": obj["langgraph_step"]}
            return {self(k): self(v) for k, v in obj.items()}
        if isinstance(obj, tuple):
            return tuple(self(v) for v in obj)
        if isinstance(obj, list):
            return [self(v) for v in obj]
        if isinstance(obj, BaseException):
            return (type(obj).__name__, str(obj))
        return obj


def sync_chunks(graph: Any, method: str = "stream", **kwargs: Any) -> Any:
    result = getattr(graph, method)({"a": 1}, **kwargs)
    return list(result) if method == "stream" else result


def async_chunks(graph: Any, method: str = "stream", **kwargs: Any) -> Any:
    async def main() -> Any:
        if method == "stream":
            return [c async for c in graph.astream({"a": 1}, **kwargs)]
        return await graph.ainvoke({"a": 1}, **kwargs)

    return asyncio.run(main())


RUNNERS = pytest.mark.parametrize("run", [sync_chunks, async_chunks], ids=["sync", "async"])


def both(run: Callable[..., Any], build_graph: Callable[[Any], Any], **kwargs: Any) -> tuple[Any, Any]:
    """Run the program on both libraries; return (nbstream's, LangGraph's), normalised."""
    nb = Normaliser()(run(build_graph(NB), **kwargs))
    lg = Normaliser()(run(build_graph(LG), **kwargs))
    return nb, lg


# -- version="v2" --------------------------------------------------------------------------------
MODE_CASES = [
    "values",
    "updates",
    "custom",
    "messages",
    "debug",
    "tasks",
    ["values", "updates", "custom", "messages", "debug", "tasks"],
    ["updates", "custom"],
]


@RUNNERS
@pytest.mark.parametrize("subgraphs", [False, True], ids=["root", "subgraphs"])
@pytest.mark.parametrize("mode", MODE_CASES, ids=lambda m: m if isinstance(m, str) else "+".join(m))
def test_v2_parts_match_langgraph(run: Callable[..., Any], subgraphs: bool, mode: Any) -> None:
    nb, lg = both(run, build, stream_mode=mode, subgraphs=subgraphs, version="v2")
    assert nb == lg
    assert all(set(part) >= {"type", "ns", "data"} for part in nb)


@RUNNERS
def test_v2_default_mode_and_v1_explicit_match_langgraph(run: Callable[..., Any]) -> None:
    nb, lg = both(run, build, version="v2")
    assert nb == lg and {p["type"] for p in nb} == {"updates"}
    nb, lg = both(run, build, stream_mode=["values", "custom"], version="v1")
    assert nb == lg and isinstance(nb[0], tuple)


@RUNNERS
def test_invoke_v2_returns_graph_output_like_langgraph(run: Callable[..., Any]) -> None:
    nb, lg = both(run, build, method="invoke", version="v2")
    assert type(nb).__name__ == type(lg).__name__ == "GraphOutput"
    assert (nb.value, nb.interrupts) == (lg.value, lg.interrupts)
    assert repr(nb) == repr(lg)
    nb, lg = both(run, build, method="invoke", version="v2", stream_mode="updates")
    assert nb == lg and nb[0]["type"] == "updates"
    nb, lg = both(run, build, method="invoke", version="v2", output_keys="a")
    assert (nb.value, nb.interrupts) == (lg.value, lg.interrupts) == (20, ())


@dataclass
class D:
    a: int = 0
    label: str = ""


def build_dataclass(lib: Any) -> Any:
    graph = lib.StateGraph(D)
    graph.add_node("inc", lambda s: {"a": s.a + 1})
    graph.add_edge(lib.START, "inc")
    return graph.compile()


@RUNNERS
def test_v2_values_of_a_dataclass_state_are_instances_like_langgraph(run: Callable[..., Any]) -> None:
    nb, lg = both(run, build_dataclass, stream_mode=["values", "updates"], version="v2")
    assert nb == lg
    assert isinstance(nb[0]["data"], D)
    nb, lg = both(run, build_dataclass, method="invoke", version="v2")
    assert nb.value == lg.value == D(a=2)
    nb, lg = both(run, build_dataclass, method="invoke", version="v2", output_keys="a")
    assert nb.value == lg.value == 2


def test_graph_output_keeps_dict_access_with_a_deprecation_warning() -> None:
    import langgraph.types

    out = GraphOutput({"a": 1})
    with pytest.warns(DeprecationWarning) as nb_record:
        assert out["a"] == 1
    with pytest.warns(DeprecationWarning) as lg_record:
        assert langgraph.types.GraphOutput({"a": 1})["a"] == 1
    # LangGraph's category name and words, so warning filters written for LangGraph still match
    assert type(nb_record[0].message).__name__ == type(lg_record[0].message).__name__
    assert str(nb_record[0].message) == str(lg_record[0].message)
    with pytest.warns(DeprecationWarning):
        assert "a" in out and "__interrupt__" not in out
    with pytest.warns(DeprecationWarning):
        assert out["__interrupt__"] == ()


# -- print_mode and debug ------------------------------------------------------------------------
def printed(
    capsys: pytest.CaptureFixture[str], lib: Any, run: Callable[..., Any], graph: Any, **kwargs: Any
) -> str:
    """What a loop that prints each chunk it gets shows, with the options' own prints in between."""
    norm = Normaliser()
    capsys.readouterr()
    if kwargs.pop("method", "stream") == "invoke":
        result = run(graph, method="invoke", **kwargs)
        print("RESULT", norm(result))
    elif run is sync_chunks:
        for chunk in graph.stream({"a": 1}, **kwargs):
            print("GOT", norm(chunk))
    else:

        async def main() -> None:
            async for chunk in graph.astream({"a": 1}, **kwargs):
                print("GOT", norm(chunk))

        asyncio.run(main())
    return norm.text(capsys.readouterr().out)


PRINT_CASES = [
    {"stream_mode": "updates", "print_mode": "values"},
    {"stream_mode": "custom", "print_mode": ["updates", "tasks"]},
    {"stream_mode": "values", "print_mode": ["values", "custom"]},
    {"stream_mode": "updates", "print_mode": "values", "subgraphs": True},
    {"stream_mode": ["updates", "custom"], "print_mode": ["debug", "custom"], "subgraphs": True},
    {"stream_mode": "updates", "print_mode": "values", "version": "v2", "subgraphs": True},
    {"stream_mode": "updates", "print_mode": "values", "output_keys": "a"},
    {"method": "invoke", "print_mode": "updates"},
    {"method": "invoke", "print_mode": ["values", "updates"], "subgraphs": True},
]


@RUNNERS
@pytest.mark.parametrize("options", PRINT_CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_print_mode_prints_like_langgraph(
    capsys: pytest.CaptureFixture[str], run: Callable[..., Any], options: dict[str, Any]
) -> None:
    nb = printed(capsys, NB, run, build(NB), **options)
    lg = printed(capsys, LG, run, build(LG), **options)
    assert nb == lg
    assert "\033[1m[" in nb  # the bold [mode] tag


@RUNNERS
def test_print_mode_messages_prints_each_token_like_langgraph(
    capsys: pytest.CaptureFixture[str], run: Callable[..., Any]
) -> None:
    # the metadata dict is left out: its keys come in another order than LangGraph's (equal dicts)
    def lines(lib: Any) -> list[str]:
        out = printed(capsys, lib, run, build(lib), stream_mode="custom", print_mode="messages")
        return [re.sub(r", \{'.*\}\)$", ")", line) for line in out.splitlines()]

    nb, lg = lines(NB), lines(LG)
    assert nb == lg
    assert sum("[messages]" in line for line in nb) == 3  # "hello", " ", "there"


DEBUG_CASES = [
    {"debug": True},
    {"debug": True, "stream_mode": "custom"},
    {"debug": True, "print_mode": "tasks"},  # debug replaces print_mode
    {"debug": True, "subgraphs": True, "stream_mode": ["updates", "values"]},
    {"debug": True, "method": "invoke"},
    {"debug": False},
]


@RUNNERS
@pytest.mark.parametrize("options", DEBUG_CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_debug_prints_like_langgraph(
    capsys: pytest.CaptureFixture[str], run: Callable[..., Any], options: dict[str, Any]
) -> None:
    nb = printed(capsys, NB, run, build(NB), **options)
    lg = printed(capsys, LG, run, build(LG), **options)
    assert nb == lg
    assert ("[values]" in nb) == bool(options["debug"])


@RUNNERS
@pytest.mark.parametrize("method", ["stream", "invoke"])
def test_compile_debug_prints_every_call_like_langgraph(
    capsys: pytest.CaptureFixture[str], run: Callable[..., Any], method: str
) -> None:
    nb = printed(capsys, NB, run, build(NB, debug=True), method=method)
    lg = printed(capsys, LG, run, build(LG, debug=True), method=method)
    assert nb == lg and "[updates]" in nb
    quiet = printed(capsys, NB, run, build(NB, debug=False), method=method)
    assert "[updates]" not in quiet


def build_debug_child(lib: Any) -> Any:
    """A parent graph whose subgraph node was compiled with ``debug=True``."""

    def inc(state: S) -> dict[str, Any]:
        return {"a": state["a"] + 1, "note": "child"}

    child = lib.StateGraph(S)
    child.add_node("inc", inc)
    child.add_edge(lib.START, "inc")
    graph = lib.StateGraph(S)
    graph.add_node("sub", child.compile(debug=True))
    graph.add_node("double", lambda state: {"a": state["a"] * 2})
    graph.add_edge(lib.START, "sub")
    graph.add_edge("sub", "double")
    return graph.compile()


@RUNNERS
@pytest.mark.parametrize(
    "options",
    [{"method": "invoke"}, {"stream_mode": ["updates", "values"], "subgraphs": True}],
    ids=["invoke", "stream-subgraphs"],
)
def test_a_debug_subgraph_prints_its_chunks_like_langgraph(
    capsys: pytest.CaptureFixture[str], run: Callable[..., Any], options: dict[str, Any]
) -> None:
    # the subgraph prints from its own task while the parent yields: how the two interleave is a
    # race in LangGraph too, so the printed lines and the chunks got are compared each in order
    def split(text: str) -> tuple[list[str], list[str]]:
        lines = text.splitlines()
        return [x for x in lines if x.startswith("GOT")], [x for x in lines if not x.startswith("GOT")]

    nb = split(printed(capsys, NB, run, build_debug_child(NB), **options))
    lg = split(printed(capsys, LG, run, build_debug_child(LG), **options))
    assert nb == lg and "\033[1m[updates]\033[0m {'inc': {'a': 2, 'note': 'child'}}" in nb[1]


def test_print_mode_prints_only_as_far_as_the_consumer_got(capsys: pytest.CaptureFixture[str]) -> None:
    stream = build(NB).stream({"a": 1}, print_mode="values")
    assert next(stream) == {"first": {"a": 2, "b": ["first"], "note": "hello there"}}
    stream.close()
    out = capsys.readouterr().out
    assert out.count("[values]") == 1  # the input step's values, printed before the first update


# -- output_keys ---------------------------------------------------------------------------------
def build_command(lib: Any) -> Any:
    """A node whose Command updates the reducer key twice and the plain key once."""

    def twice(state: S) -> Any:
        return [lib.Command(update={"b": ["x"]}), lib.Command(update=[("b", ["y"]), ("a", 5)])]

    graph = lib.StateGraph(S)
    graph.add_node("twice", twice)
    graph.add_edge(lib.START, "twice")
    return graph.compile()


OUTPUT_KEYS = ["a", ["a"], "b", ["a", "b"], ["note"], "note"]


@RUNNERS
@pytest.mark.parametrize("keys", OUTPUT_KEYS, ids=str)
@pytest.mark.parametrize("subgraphs", [False, True], ids=["root", "subgraphs"])
def test_output_keys_cut_values_and_updates_like_langgraph(
    run: Callable[..., Any], keys: Any, subgraphs: bool
) -> None:
    modes = ["values", "updates", "tasks"]
    nb, lg = both(run, build, stream_mode=modes, output_keys=keys, subgraphs=subgraphs)
    assert nb == lg
    nb, lg = both(run, build_command, stream_mode=modes, output_keys=keys)
    assert nb == lg
    nb, lg = both(run, build, stream_mode="values", output_keys=keys, version="v2")
    assert nb == lg


@RUNNERS
@pytest.mark.parametrize("keys", OUTPUT_KEYS, ids=str)
def test_invoke_with_output_keys_returns_what_langgraph_returns(run: Callable[..., Any], keys: Any) -> None:
    nb, lg = both(run, build, method="invoke", output_keys=keys)
    assert nb == lg
    nb, lg = both(run, build_command, method="invoke", output_keys=keys)
    assert nb == lg


def test_output_keys_must_name_state_keys() -> None:
    for lib in (NB, LG):
        graph = build(lib)
        with pytest.raises(ValueError, match="Key nope not in channels"):
            list(graph.stream({"a": 1}, output_keys=["a", "nope"]))
        with pytest.raises(ValueError, match="Key nope not in channels"):
            graph.invoke({"a": 1}, output_keys="nope")


# -- refused and rejected options ----------------------------------------------------------------
def call(graph: Any, method: str, **kwargs: Any) -> Any:
    """Call ``method`` with ``kwargs``, running ``ainvoke``'s coroutine (it raises when awaited)."""
    result = getattr(graph, method)({"a": 1}, **kwargs)
    return asyncio.run(result) if method == "ainvoke" else result


THREAD_OPTIONS = [
    ("interrupt_before", ["first"]),
    ("interrupt_after", "*"),
    ("durability", "sync"),
    ("durability", "exit"),
    ("checkpoint_during", True),
]


@pytest.mark.parametrize("method", ["stream", "invoke", "astream", "ainvoke"])
@pytest.mark.parametrize(("name", "value"), THREAD_OPTIONS, ids=[f"{n}={v}" for n, v in THREAD_OPTIONS])
def test_thread_options_without_a_checkpointer_act_as_langgraph(method: str, name: str, value: Any) -> None:
    """Without a checkpointer LangGraph still stops at interrupt_before/after (and warns that
    durability does nothing): nbstream gives the same chunks and results."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # LangGraph 1.2.22 crashes on durability="sync" without a checkpointer (AttributeError:
        # '_put_checkpoint_fut'); nbstream warns and runs, as LangGraph does for the other values
        lg_kwargs = {} if (name, value) == ("durability", "sync") else {name: value}
        assert _drained(call(build(NB), method, **{name: value})) == _drained(
            call(build(LG), method, **lg_kwargs)
        )


def _drained(result: Any) -> Any:
    """A stream's chunks as a list (an async one run to the end); any other result as is."""
    if hasattr(result, "__aiter__"):

        async def collect() -> list[Any]:
            return [c async for c in result]

        return asyncio.run(collect())
    return list(result) if hasattr(result, "__next__") else result


def test_control_is_refused() -> None:
    with pytest.raises(NotSupportedError, match="control"):
        build(NB).invoke({"a": 1}, control=object())


@RUNNERS
def test_default_values_of_the_refused_options_are_accepted_like_langgraph(run: Callable[..., Any]) -> None:
    defaults = {
        "interrupt_before": None,
        "interrupt_after": [],
        "durability": None,
        "control": None,
        "print_mode": (),
        "output_keys": None,
        "debug": None,
        "version": "v1",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nb, lg = both(run, build, method="invoke", **defaults)
        assert nb == lg
        nb, lg = both(run, build, stream_mode="updates", **defaults)
        assert nb == lg


@pytest.mark.parametrize("method", ["stream", "invoke", "astream", "ainvoke"])
def test_unknown_keywords_raise_type_error(method: str) -> None:
    graph = build(NB)
    with pytest.raises(TypeError, match=rf"{method}\(\) got an unexpected keyword argument 'stream_modes'"):
        call(graph, method, stream_modes="values")


def test_unknown_version_and_print_mode_are_rejected() -> None:
    graph = build(NB)
    with pytest.raises(ValueError, match="'v1' or 'v2'"):
        graph.stream({"a": 1}, version="v3")
    with pytest.raises(ValueError, match="unknown stream mode 'valus'"):
        graph.invoke({"a": 1}, print_mode="valus")
