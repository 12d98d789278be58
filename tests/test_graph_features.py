"""Graph features real programs use, each run on nbstream and on LangGraph 1.2.22 side by side.

defer, RetryPolicy, CachePolicy, Command.PARENT, private and per-node schemas, context and Runtime,
RemainingSteps and IsLastStep: the same program gives the same chunks on both libraries (task ids
aside), and nbstream's views get the events LangGraph's stream does not show (retries).
"""

from __future__ import annotations

import asyncio
import operator
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

import langgraph.cache.memory
import langgraph.errors
import langgraph.graph
import langgraph.managed
import langgraph.runtime
import langgraph.types
import pytest
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig

import nbstream.errors
import nbstream.graph
import nbstream.managed
import nbstream.runtime
import nbstream.types
from nbstream.errors import ParentCommand
from nbstream.events import TaskFinished, TaskRetrying
from nbstream.testing import RecordingObserver

LG = types.SimpleNamespace(
    graph=langgraph.graph,
    types=langgraph.types,
    managed=langgraph.managed,
    runtime=langgraph.runtime,
    errors=langgraph.errors,
)
NB = types.SimpleNamespace(
    graph=nbstream.graph,
    types=nbstream.types,
    managed=nbstream.managed,
    runtime=nbstream.runtime,
    errors=nbstream.errors,
)
BOTH = pytest.mark.parametrize("lib", [LG, NB], ids=["langgraph", "nbstream"])


def _no_ids(chunks: list[Any]) -> list[Any]:
    """Chunks with task ids and namespace ids blanked (they are random in both libraries)."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ("<id>" if k == "id" else clean(v)) for k, v in value.items()}
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        if isinstance(value, str) and ":" in value and len(value) > 36:
            return value.split(":")[0] + ":<id>"
        return value

    return [clean(c) for c in chunks]


def same_on_both(program: Callable[[Any], list[Any]]) -> list[Any]:
    """Run ``program(lib)`` on both libraries, assert equal output (ids aside), return it."""
    expected = _no_ids(program(LG))
    assert _no_ids(program(NB)) == expected
    return expected


class Log(TypedDict):
    xs: Annotated[list[str], operator.add]


# -- defer ---------------------------------------------------------------------------------------------
def test_a_deferred_node_waits_until_every_other_branch_is_done() -> None:
    def program(lib: Any) -> list[Any]:
        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("a", lambda s: {"xs": ["a"]})
            .add_node("b", lambda s: {"xs": ["b"]})
            .add_node("b2", lambda s: {"xs": ["b2"]})
            .add_node("b3", lambda s: {"xs": ["b3"]})
            .add_node("join", lambda s: {"xs": ["join"]}, defer=True)
            .add_edge(g.START, "a")
            .add_edge(g.START, "b")
            .add_edge("b", "b2")
            .add_edge("b2", "b3")
            .add_edge("a", "join")
            .add_edge("b3", "join")
            .compile()
        )
        return list(graph.stream({"xs": []}, stream_mode=["updates", "values"]))

    chunks = same_on_both(program)
    assert chunks[-1] == ("values", {"xs": ["a", "b", "b2", "b3", "join"]})


# -- retries -------------------------------------------------------------------------------------------
def _flaky(failures: int, error: type[Exception] = ConnectionError) -> Callable[[Any], dict[str, Any]]:
    calls = {"n": 0}

    def flaky(state: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise error(f"try {calls['n']}")
        return {"xs": [f"ok after {calls['n']}"]}

    return flaky


@BOTH
def test_retry_policy_reruns_a_failing_node_until_it_succeeds(lib: Any) -> None:
    policy = lib.types.RetryPolicy(initial_interval=0.001, jitter=False)
    graph = (
        lib.graph.StateGraph(Log)
        .add_node("f", _flaky(2), retry_policy=policy)
        .add_edge(lib.graph.START, "f")
        .compile()
    )
    assert list(graph.stream({"xs": []}, stream_mode="updates")) == [{"f": {"xs": ["ok after 3"]}}]


@BOTH
def test_retries_stop_after_max_attempts_with_the_last_error(lib: Any) -> None:
    policy = lib.types.RetryPolicy(initial_interval=0.001, jitter=False, max_attempts=2)
    graph = lib.graph.StateGraph(Log).add_node("f", _flaky(5), retry_policy=policy).add_edge("__start__", "f")
    with pytest.raises(ConnectionError, match="try 2"):
        graph.compile().invoke({"xs": []})


@BOTH
def test_errors_the_default_policy_does_not_retry_fail_at_once(lib: Any) -> None:
    # LangGraph's default retry_on skips programming errors such as ValueError
    policy = lib.types.RetryPolicy(initial_interval=0.001)
    graph = lib.graph.StateGraph(Log).add_node("f", _flaky(1, ValueError), retry_policy=policy)
    with pytest.raises(ValueError, match="try 1"):
        graph.add_edge("__start__", "f").compile().invoke({"xs": []})


@BOTH
@pytest.mark.parametrize("retry_on", [ValueError, (KeyError, ValueError), lambda e: "try" in str(e)])
def test_retry_on_takes_a_class_a_tuple_or_a_predicate(lib: Any, retry_on: Any) -> None:
    policy = lib.types.RetryPolicy(initial_interval=0.001, jitter=False, retry_on=retry_on)
    graph = lib.graph.StateGraph(Log).add_node("f", _flaky(1, ValueError), retry_policy=policy)
    assert graph.add_edge("__start__", "f").compile().invoke({"xs": []}) == {"xs": ["ok after 2"]}


def test_observers_see_each_retry_with_its_error_and_delay() -> None:
    policy = nbstream.types.RetryPolicy(initial_interval=0.01, backoff_factor=3.0, jitter=False)
    graph = nbstream.graph.StateGraph(Log).add_node("f", _flaky(2), retry_policy=policy)
    recorder = RecordingObserver()
    graph.add_edge("__start__", "f").compile().invoke({"xs": []}, observers=[recorder])
    retries = [e for e in recorder.events if isinstance(e, TaskRetrying)]
    assert [(e.node, e.attempt, str(e.error), e.delay) for e in retries] == [
        ("f", 2, "try 1", 0.01),
        ("f", 3, "try 2", pytest.approx(0.03)),
    ]


def test_async_nodes_retry_too() -> None:
    calls = {"n": 0}

    async def flaky(state: Log) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] < 3:
            raise ConnectionError("down")
        return {"xs": ["up"]}

    policy = nbstream.types.RetryPolicy(initial_interval=0.001, jitter=False)
    graph = nbstream.graph.StateGraph(Log).add_node(flaky, retry_policy=policy).add_edge("__start__", "flaky")
    assert asyncio.run(graph.compile().ainvoke({"xs": []})) == {"xs": ["up"]}
    assert calls["n"] == 3


# -- cache ---------------------------------------------------------------------------------------------
@BOTH
def test_a_cached_node_runs_once_per_input_and_updates_marks_the_hit(lib: Any) -> None:
    calls: list[list[str]] = []

    def slow(state: Log) -> dict[str, Any]:
        calls.append(state["xs"])
        return {"xs": ["computed"]}

    graph = (
        lib.graph.StateGraph(Log)
        .add_node("slow", slow, cache_policy=lib.types.CachePolicy(ttl=60))
        .add_edge(lib.graph.START, "slow")
        .compile(cache=langgraph.cache.memory.InMemoryCache())
    )
    first = list(graph.stream({"xs": []}, stream_mode=["updates", "values"]))
    again = list(graph.stream({"xs": []}, stream_mode=["updates", "values"]))
    other = graph.invoke({"xs": ["other"]})
    assert first[1] == ("updates", {"slow": {"xs": ["computed"]}})
    assert again[1] == ("updates", {"slow": {"xs": ["computed"]}, "__metadata__": {"cached": True}})
    assert again[-1] == first[-1]
    assert other == {"xs": ["other", "computed"]}
    assert calls == [[], ["other"]]
    graph.clear_cache()
    graph.invoke({"xs": []})
    assert calls == [[], ["other"], []]


def test_a_cache_hit_reaches_observers_as_a_cached_task() -> None:
    graph = (
        nbstream.graph.StateGraph(Log)
        .add_node("n", lambda s: {"xs": ["n"]}, cache_policy=nbstream.types.CachePolicy())
        .add_edge("__start__", "n")
        .compile(cache=langgraph.cache.memory.InMemoryCache())
    )
    recorder = RecordingObserver()
    graph.invoke({"xs": []})
    graph.invoke({"xs": []}, observers=[recorder])
    (finished,) = [e for e in recorder.events if isinstance(e, TaskFinished)]
    assert finished.cached and finished.writes == (("xs", ["n"]),)


def test_a_cache_policy_without_a_cache_warns_that_nothing_is_cached() -> None:
    builder = nbstream.graph.StateGraph(Log).add_node(
        "n", lambda s: {}, cache_policy=nbstream.types.CachePolicy()
    )
    with pytest.warns(UserWarning, match="compiled without a cache"):
        builder.add_edge("__start__", "n").compile()


# -- Command.PARENT ------------------------------------------------------------------------------------
class Outer(TypedDict):
    xs: Annotated[list[str], operator.add]
    n: int


class Inner(TypedDict):
    xs: Annotated[list[str], operator.add]
    private: str


def _parent_program(
    lib: Any, *, mode: Any, subgraphs: bool, run_async: bool = False, raised: bool = False
) -> list[Any]:
    g, t = lib.graph, lib.types

    def s1(state: Inner) -> dict[str, Any]:
        return {"xs": ["s1"], "private": "p"}

    def s2(state: Inner) -> Any:
        command = t.Command(graph=t.Command.PARENT, goto="after", update={"xs": ["from-sub"], "n": 7})
        if raised:  # as LangGraph's own code sends it on: raised, not returned
            raise lib.errors.ParentCommand(command)
        return command

    def sibling(state: Inner) -> dict[str, Any]:
        return {"xs": ["sibling"]}

    inner = (
        g.StateGraph(Inner)
        .add_node(s1)
        .add_node(s2)
        .add_node(sibling)
        .add_edge(g.START, "s1")
        .add_edge("s1", "s2")
        .add_edge("s1", "sibling")
        .compile()
    )
    graph = (
        g.StateGraph(Outer)
        .add_node("sub", inner)
        .add_node("after", lambda s: {"xs": ["after"]})
        .add_node("other", lambda s: {"xs": ["other"]})
        .add_edge(g.START, "sub")
        .add_edge("sub", "other")
        .compile()
    )
    if run_async:

        async def collect() -> list[Any]:
            return [c async for c in graph.astream({"xs": []}, stream_mode=mode, subgraphs=subgraphs)]

        return asyncio.run(collect())
    return list(graph.stream({"xs": []}, stream_mode=mode, subgraphs=subgraphs))


@pytest.mark.parametrize("raised", [False, True], ids=["returned", "raised"])
@pytest.mark.parametrize("subgraphs", [False, True])
@pytest.mark.parametrize("run_async", [False, True])
def test_command_parent_from_a_subgraph_node_updates_and_routes_the_parent(
    subgraphs: bool, run_async: bool, raised: bool
) -> None:
    def program(lib: Any) -> list[Any]:
        chunks = _parent_program(
            lib, mode=["updates", "values"], subgraphs=subgraphs, run_async=run_async, raised=raised
        )
        return _steps_sorted(chunks)

    chunks = same_on_both(program)
    last = chunks[-1][-1]
    assert last == {"xs": ["from-sub", "after", "other"], "n": 7}


def _steps_sorted(chunks: list[Any]) -> list[Any]:
    """Sort each run of consecutive ``updates`` chunks: tasks of one step finish in any order."""
    out: list[Any] = []
    run: list[Any] = []
    for chunk in [*chunks, None]:
        if chunk is not None and chunk[-2] == "updates":
            run.append(chunk)
            continue
        out.extend(sorted(run, key=repr))
        run = []
        if chunk is not None:
            out.append(chunk)
    return out


@pytest.mark.parametrize("raised", [False, True], ids=["returned", "raised"])
@BOTH
def test_command_parent_from_the_root_graph_escapes_as_parent_command(lib: Any, raised: bool) -> None:
    def bad(state: Log) -> Any:
        command = lib.types.Command(graph=lib.types.Command.PARENT, goto="b")
        if raised:
            raise lib.errors.ParentCommand(command)
        return command

    graph = lib.graph.StateGraph(Log).add_node(bad).add_node("b", lambda s: {}).add_edge("__start__", "bad")
    with pytest.raises(Exception) as info:
        graph.compile().invoke({"xs": []})
    assert type(info.value).__name__ == "ParentCommand"
    assert str(info.value) == "Command(goto='b')"
    if lib is NB:
        assert isinstance(info.value, ParentCommand)


# -- schemas -------------------------------------------------------------------------------------------
class OverallState(TypedDict):
    foo: int


class PrivateState(TypedDict):
    baz: int


class InputState(TypedDict):
    user_input: str


class OutputState(TypedDict):
    graph_output: str


class AllState(TypedDict):
    foo: str
    user_input: str
    graph_output: str


class Scratch(TypedDict):
    bar: str


def test_private_state_passes_between_nodes_through_type_hints() -> None:
    # LangGraph's "private state" lesson: node_2 reads a key only the hints declare
    def node_1(state: OverallState) -> PrivateState:
        return {"baz": state["foo"] + 1}

    def node_2(state: PrivateState) -> OverallState:
        return {"foo": state["baz"] + 1}

    def program(lib: Any) -> list[Any]:
        g = lib.graph
        graph = (
            g.StateGraph(OverallState)
            .add_node("node_1", node_1)
            .add_node("node_2", node_2)
            .add_edge(g.START, "node_1")
            .add_edge("node_1", "node_2")
            .add_edge("node_2", g.END)
            .compile()
        )
        return [*graph.stream({"foo": 1}, stream_mode=["updates", "values"]), graph.invoke({"foo": 1})]

    assert same_on_both(program)[-1] == {"foo": 3}


def test_multiple_schemas_lesson_gives_langgraphs_output() -> None:
    # LangGraph's "multiple schemas" lesson: input/output schemas and a node-private channel
    def node_1(state: InputState) -> AllState:
        return {"foo": state["user_input"] + " name"}

    def node_2(state: AllState) -> Scratch:
        return {"bar": state["foo"] + " is"}

    def node_3(state: Scratch) -> OutputState:
        return {"graph_output": state["bar"] + " Lance"}

    def program(lib: Any) -> list[Any]:
        g = lib.graph
        graph = (
            g.StateGraph(AllState, input_schema=InputState, output_schema=OutputState)
            .add_node("node_1", node_1)
            .add_node("node_2", node_2)
            .add_node("node_3", node_3)
            .add_edge(g.START, "node_1")
            .add_edge("node_1", "node_2")
            .add_edge("node_2", "node_3")
            .add_edge("node_3", g.END)
            .compile()
        )
        return [
            *graph.stream({"user_input": "My"}, stream_mode=["updates", "values"]),
            graph.invoke({"user_input": "My"}),
        ]

    assert same_on_both(program)[-1] == {"graph_output": "My name is Lance"}


@BOTH
def test_input_schema_argument_limits_what_a_node_reads(lib: Any) -> None:
    seen: list[Any] = []

    def reader(state: Any) -> dict[str, Any]:
        seen.append(dict(state))
        return {"graph_output": "done"}

    graph = (
        lib.graph.StateGraph(AllState)
        .add_node("reader", reader, input_schema=InputState)
        .add_edge("__start__", "reader")
        .compile()
    )
    graph.invoke({"user_input": "hi", "foo": "x"})
    assert seen == [{"user_input": "hi"}]


# -- Sequence[...] reducer keys -------------------------------------------------------------------------
class LgMessages(TypedDict):
    messages: Annotated[Sequence[BaseMessage], langgraph.graph.add_messages]


class NbMessages(TypedDict):
    messages: Annotated[Sequence[BaseMessage], nbstream.graph.add_messages]


def test_a_sequence_messages_key_runs_the_input_through_add_messages() -> None:
    def program(lib: Any) -> list[Any]:
        graph = (
            lib.graph.StateGraph(LgMessages if lib is LG else NbMessages)
            .add_node("n", lambda s: {"messages": [("ai", "yo")]})
            .add_edge("__start__", "n")
            .compile()
        )
        return [
            [(type(m).__name__, m.content) for m in chunk["messages"]]
            for chunk in graph.stream({"messages": [("user", "hi")]}, stream_mode="values")
        ]

    assert same_on_both(program)[0] == [("HumanMessage", "hi")]


# -- context, Runtime, managed values -----------------------------------------------------------------
@dataclass
class Ctx:
    user: str


@BOTH
@pytest.mark.parametrize("context", [Ctx("ann"), {"user": "ann"}])
def test_context_reaches_nodes_through_runtime_and_get_runtime(lib: Any, context: Any) -> None:
    Runtime = lib.runtime.Runtime

    def node(state: Log, runtime: Runtime[Ctx]) -> dict[str, Any]:
        here = lib.runtime.get_runtime()
        return {"xs": [runtime.context.user, here.context.user, type(runtime.context).__name__]}

    graph = lib.graph.StateGraph(Log, context_schema=Ctx).add_node(node).add_edge("__start__", "node")
    assert graph.compile().invoke({"xs": []}, context=context) == {"xs": ["ann", "ann", "Ctx"]}


@BOTH
def test_context_reaches_async_nodes_and_subgraphs(lib: Any) -> None:
    async def inner_node(state: Log, runtime: Any) -> dict[str, Any]:
        return {"xs": [f"inner sees {runtime.context.user}"]}

    inner = lib.graph.StateGraph(Log, context_schema=Ctx).add_node(inner_node).add_edge("__start__", "inner_node")
    graph = lib.graph.StateGraph(Log, context_schema=Ctx).add_node("sub", inner.compile()).add_edge("__start__", "sub")
    result = asyncio.run(graph.compile().ainvoke({"xs": []}, context=Ctx("bo")))
    assert result == {"xs": ["inner sees bo"]}


class LgLooping(TypedDict):
    xs: Annotated[list[Any], operator.add]
    remaining: langgraph.managed.RemainingSteps
    last: langgraph.managed.IsLastStep


class NbLooping(TypedDict):
    xs: Annotated[list[Any], operator.add]
    remaining: nbstream.managed.RemainingSteps
    last: nbstream.managed.IsLastStep


def test_remaining_steps_and_is_last_step_count_down_to_the_recursion_limit() -> None:
    def program(lib: Any) -> list[Any]:
        def loop(state: Any) -> dict[str, Any]:
            return {"xs": [(state["remaining"], state["last"])]}

        def route(state: Any) -> Literal["loop", "__end__"]:
            return "__end__" if state["last"] else "loop"

        graph = (
            lib.graph.StateGraph(LgLooping if lib is LG else NbLooping)
            .add_node(loop)
            .add_edge("__start__", "loop")
            .add_conditional_edges("loop", route)
            .compile()
        )
        return [
            *graph.stream({"xs": []}, {"recursion_limit": 4}, stream_mode=["values", "tasks"]),
            graph.invoke({"xs": []}, {"recursion_limit": 5}),
        ]

    chunks = same_on_both(program)
    assert chunks[-1] == {"xs": [(4, False), (3, False), (2, False), (1, True)]}


# -- routers ---------------------------------------------------------------------------------------------
class Count(TypedDict):
    x: int


def _routed(lib: Any, router: Any, *, from_start: bool = False) -> Any:
    g = lib.graph
    builder = (
        g.StateGraph(Count)
        .add_node("a", lambda s: {"x": s["x"] + 1})
        .add_node("b", lambda s: {"x": s["x"] + 10})
        .add_edge("b", g.END)
    )
    if from_start:
        return builder.add_conditional_edges(g.START, router, ["a", "b"]).add_edge("a", g.END).compile()
    return builder.add_edge(g.START, "a").add_conditional_edges("a", router).compile()


async def _arouter(state: Count) -> Literal["b", "__end__"]:
    await asyncio.sleep(0)
    return "b" if state["x"] < 3 else "__end__"


def test_async_routers_are_awaited_in_async_runs() -> None:
    def program(lib: Any) -> list[Any]:
        async def collect() -> list[Any]:
            graph = _routed(lib, _arouter)
            start = _routed(lib, _arouter, from_start=True)
            return [
                *[c async for c in graph.astream({"x": 0}, stream_mode=["updates", "values"])],
                await graph.ainvoke({"x": 5}),
                await start.ainvoke({"x": 0}),
            ]

        return asyncio.run(collect())

    assert same_on_both(program)[-3:] == [("values", {"x": 11}), {"x": 6}, {"x": 10}]


@BOTH
def test_an_async_router_in_a_sync_run_is_refused_with_langgraphs_words(lib: Any) -> None:
    with pytest.raises(TypeError, match='No synchronous function provided to "_arouter"'):
        _routed(lib, _arouter).invoke({"x": 0})


@BOTH
def test_a_router_with_a_config_parameter_gets_the_task_config(lib: Any) -> None:
    seen: list[Any] = []

    def router(state: Count, config: RunnableConfig) -> str:
        seen.append((config["metadata"]["langgraph_node"], config["metadata"]["langgraph_step"]))
        return "b" if state["x"] < 3 else "__end__"

    assert _routed(lib, router).invoke({"x": 0}) == {"x": 11}
    assert seen == [("a", 1)]


# -- get_graph() -----------------------------------------------------------------------------------------
def _shapes(lib: Any) -> list[Any]:
    g, t = lib.graph, lib.types

    def lit(state: Count) -> Literal["b", "__end__"]:
        return "b"

    def jump(state: Count) -> t.Command[Literal["a"]]:  # type: ignore[name-defined]
        return t.Command(goto="a")

    def noop(state: Count) -> dict[str, Any]:
        return {}

    chain = g.StateGraph(Count).add_node("a", noop).add_node("b", noop).add_edge(g.START, "a").add_edge("a", "b")
    mixed = (
        g.StateGraph(Count)
        .add_node("a", noop, metadata={"k": 1})
        .add_node("b", noop)
        .add_node("c", jump)
        .add_node("d", noop)
        .add_node("e", noop, defer=True)
        .add_edge(g.START, "a")
        .add_conditional_edges("a", lit)
        .add_edge("b", "c")
        .add_conditional_edges("c", lambda s: "x", {"x": "d", "y": g.END})
        .add_edge(["d", "b"], "e")
    )
    entry = (
        g.StateGraph(Count)
        .add_node("a", noop)
        .add_node("b", noop, destinations={"a": "back"})
        .add_conditional_edges(g.START, lambda s: "a", ["a", "b"])
        .add_edge("a", g.END)
    )
    return [chain.compile(), mixed.compile(), entry.compile()]


def test_get_graph_is_langgraphs_langchain_graph() -> None:
    def program(lib: Any) -> list[Any]:
        out = []
        for graph in _shapes(lib):
            drawn = graph.get_graph()
            out.append(
                (
                    [(k, n.name, n.metadata) for k, n in drawn.nodes.items()],
                    [(e.source, e.target, e.data, e.conditional) for e in drawn.edges],
                    drawn.draw_mermaid(),
                )
            )
        return out

    same_on_both(program)


def test_get_graph_still_draws_offline_in_a_notebook() -> None:
    drawn = _shapes(NB)[1].get_graph()
    bundle = drawn._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert bundle["image/svg+xml"].startswith("<svg") and bundle["image/svg+xml"] in bundle["text/html"]
    assert drawn.draw_ascii() == bundle["text/plain"]


@pytest.mark.parametrize("run_async", [False, True])
def test_a_failing_router_leaves_its_nodes_update_shown_as_langgraph(run_async: bool) -> None:
    def bad(state: Log) -> str:
        raise KeyError("no route")

    def program(lib: Any) -> list[Any]:
        graph = (
            lib.graph.StateGraph(Log)
            .add_node("n", lambda s: {"xs": ["n"]})
            .add_edge("__start__", "n")
            .add_conditional_edges("n", bad)
            .compile()
        )
        modes = ["updates", "tasks", "values"]
        out: list[Any] = []

        async def collect() -> None:
            async for chunk in graph.astream({"xs": []}, stream_mode=modes):
                out.append(chunk)

        try:
            if run_async:
                asyncio.run(collect())
            else:
                out.extend(graph.stream({"xs": []}, stream_mode=modes))
        except KeyError as exc:
            out.append(("raised", repr(exc)))
        return [
            (m, {k: repr(v) if k == "error" else v for k, v in c.items()} if isinstance(c, dict) else c)
            for m, c in out
        ]

    chunks = same_on_both(program)
    assert ("updates", {"n": {"xs": ["n"]}}) in chunks
    assert chunks[-1] == ("raised", "KeyError('no route')")


class AB(TypedDict):
    a: int
    b: int


class OnlyB(TypedDict):
    b: int


@pytest.mark.parametrize("run_async", [False, True])
def test_invoke_with_other_modes_shows_the_output_schemas_keys_as_langgraph(run_async: bool) -> None:
    def program(lib: Any) -> list[Any]:
        graph = (
            lib.graph.StateGraph(AB, output_schema=OnlyB)
            .add_node("n", lambda s: {"a": 1, "b": 2})
            .add_node("m", lambda s: {"a": 5})
            .add_edge("__start__", "n")
            .add_edge("n", "m")
            .compile()
        )
        calls = [
            lambda: graph.ainvoke({"a": 0}, stream_mode="updates")
            if run_async
            else graph.invoke({"a": 0}, stream_mode="updates"),
            lambda: graph.ainvoke({"a": 0}, stream_mode=["updates", "values"])
            if run_async
            else graph.invoke({"a": 0}, stream_mode=["updates", "values"]),
        ]
        results = [call() for call in calls]
        if run_async:

            async def gather() -> list[Any]:
                return [await r for r in results]

            results = asyncio.run(gather())
        return [*results, list(graph.stream({"a": 0}, stream_mode="updates"))]

    assert same_on_both(program)[0] == [{"n": {"b": 2}}, {"m": None}]


class Flags(TypedDict):
    urgent: bool


def test_a_router_reads_the_schema_its_first_parameter_names() -> None:
    # LangGraph infers a router's input schema from its hint, as a node's: the router may read a
    # key only another node writes, even one the node before it does not read
    def flag(state: Count) -> Flags:
        return {"urgent": state["x"] > 2}

    def route(state: Flags) -> Literal["fast", "slow"]:
        return "fast" if state["urgent"] else "slow"

    def program(lib: Any) -> list[Any]:
        g = lib.graph
        graph = (
            g.StateGraph(Count)
            .add_node("flag", flag)
            .add_node("fast", lambda s: {"x": 100})
            .add_node("slow", lambda s: {"x": -1})
            .add_edge(g.START, "flag")
            .add_conditional_edges("flag", route)
            .compile()
        )
        start = g.StateGraph(Count).add_node("fast", lambda s: {"x": 100}).add_node("slow", lambda s: {"x": -1})
        start = start.add_conditional_edges(g.START, lambda s: "slow").compile()
        return [graph.invoke({"x": 5}), graph.invoke({"x": 1}), start.invoke({"x": 0})]

    assert same_on_both(program) == [{"x": 100}, {"x": -1}, {"x": -1}]


@BOTH
def test_a_router_from_start_reads_the_run_context_through_get_runtime(lib: Any) -> None:
    def choose(state: Count) -> str:
        return "fast" if lib.runtime.get_runtime().context.user == "go" else "slow"

    graph = (
        lib.graph.StateGraph(Count, context_schema=Ctx)
        .add_node("fast", lambda s: {"x": 100})
        .add_node("slow", lambda s: {"x": -1})
        .add_conditional_edges("__start__", choose, ["fast", "slow"])
        .compile()
    )
    assert graph.invoke({"x": 0}, context=Ctx("go")) == {"x": 100}
    assert graph.invoke({"x": 0}, context=Ctx("stop")) == {"x": -1}
