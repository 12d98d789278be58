"""Node timeouts (``add_node(..., timeout=...)``), each program run on nbstream and on LangGraph 1.2.22.

The same program gives the same chunks, result and error on both libraries (task ids aside, and the
measured ``elapsed`` in a ``NodeTimeoutError``'s message). Limits are tenths of a second and every
race has a margin of several times the limit, so that the tests hold on a loaded machine: a node
that must time out sleeps for seconds (it is cancelled, so that costs nothing), a node that must not
shows progress far more often than its idle limit.
"""

from __future__ import annotations

import asyncio
import operator
import re
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, TypedDict

import langgraph.config
import langgraph.errors
import langgraph.graph
import langgraph.runtime
import langgraph.types
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.runnables import RunnableLambda
from langgraph.errors import NodeError  # nbstream fills a parameter hinted with either's NodeError

import nbstream.config
import nbstream.errors
import nbstream.graph
import nbstream.runtime
import nbstream.types
from nbstream.events import TaskFinished, TaskRetrying
from nbstream.testing import RecordingObserver

LG = types.SimpleNamespace(
    graph=langgraph.graph, types=langgraph.types, errors=langgraph.errors, config=langgraph.config,
    runtime=langgraph.runtime,
)
NB = types.SimpleNamespace(
    graph=nbstream.graph, types=nbstream.types, errors=nbstream.errors, config=nbstream.config,
    runtime=nbstream.runtime,
)

LONG = 5.0  # how long a node that must time out would take (it is cancelled long before)


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


def _outcome(value: Any) -> Any:
    """An exception as (type name, message), its measured elapsed time blanked; else the value."""
    if isinstance(value, BaseException):
        text = re.sub(r"elapsed: \d+\.\d+s", "elapsed: <t>", str(value))
        return (type(value).__name__, text)
    return value


def _clean(value: Any) -> Any:
    """A chunk with task ids, namespace ids and errors made comparable across the libraries."""
    if isinstance(value, dict):
        return {k: ("<id>" if k == "id" else _clean(v)) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str) and ":" in value and len(value) > 36:
        return value.split(":")[0] + ":<id>"
    return _outcome(value)


Program = Callable[[Any], Awaitable[tuple[list[Any], Any]]]


def same_on_both(program: Program) -> tuple[list[Any], Any]:
    """Run ``program(lib)`` on both libraries: the same chunks and the same result or error."""

    async def both() -> tuple[tuple[list[Any], Any], tuple[list[Any], Any]]:
        return await program(LG), await program(NB)

    (lg_chunks, lg_end), (nb_chunks, nb_end) = asyncio.run(both())
    expected = (_clean(lg_chunks), _outcome(lg_end))
    assert (_clean(nb_chunks), _outcome(nb_end)) == expected
    return expected


async def stream(graph: Any, modes: Any = ("updates", "custom"), **kwargs: Any) -> tuple[list[Any], Any]:
    """The chunks of ``graph.astream`` and how it ended: its last values, or the error it raised."""
    chunks: list[Any] = []
    try:
        async for chunk in graph.astream({"log": []}, stream_mode=list(modes), **kwargs):
            chunks.append(chunk)
    except Exception as exc:
        return chunks, exc
    return chunks, "done"


def one_node(lib: Any, node: Any, timeout: Any, **kwargs: Any) -> Any:
    return (
        lib.graph.StateGraph(Log)
        .add_node("n", node, timeout=timeout, **kwargs)
        .add_edge(lib.graph.START, "n")
        .compile()
    )


async def _hangs(state: Log) -> dict[str, Any]:
    await asyncio.sleep(LONG)
    return {"log": ["never"]}


async def _quick(state: Log) -> dict[str, Any]:
    return {"log": ["quick"]}


# -- run_timeout ----------------------------------------------------------------------------------------
def test_a_node_past_its_run_timeout_fails_the_run_while_its_sibling_finishes() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        graph = (
            lib.graph.StateGraph(Log)
            .add_node("slow", _hangs, timeout=0.1)
            .add_node("quick", _quick)
            .add_edge(lib.graph.START, "slow")
            .add_edge(lib.graph.START, "quick")
            .compile()
        )
        return await stream(graph, ["values", "updates", "tasks"])

    chunks, error = same_on_both(program)
    assert error == ("NodeTimeoutError", "Node 'slow' exceeded its run timeout of 0.100s (elapsed: <t>).")
    assert ("updates", {"quick": {"log": ["quick"]}}) in chunks
    failed = chunks[-1][1]
    assert failed["name"] == "slow" and failed["result"] == {} and failed["error"][0] == "NodeTimeoutError"


@pytest.mark.parametrize("timeout", [0.1, timedelta(milliseconds=100), "0.1"], ids=["float", "timedelta", "str"])
def test_the_timeout_error_carries_the_limits_as_langgraphs_does(timeout: Any) -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        try:
            await one_node(lib, _hangs, timeout).ainvoke({"log": []})
        except lib.errors.NodeTimeoutError as exc:
            assert exc.elapsed >= 0.1
            return [], (exc.node, exc.kind, exc.timeout, exc.run_timeout, exc.idle_timeout)
        return [], "no timeout"

    assert same_on_both(program)[1] == ("n", "run", 0.1, 0.1, None)


def test_a_run_timeout_is_not_extended_by_progress() -> None:
    async def busy(state: Log, runtime: Any) -> dict[str, Any]:
        for _ in range(100):
            await asyncio.sleep(0.02)
            runtime.heartbeat()
            runtime.stream_writer("tick")
        return {"log": ["done"]}

    async def program(lib: Any) -> tuple[list[Any], Any]:
        policy = lib.types.TimeoutPolicy(run_timeout=0.2, idle_timeout=1.0)
        _, error = await stream(one_node(lib, busy, policy))
        return [], error  # how many ticks made it in varies with the machine's load

    assert same_on_both(program)[1] == (
        "NodeTimeoutError", "Node 'n' exceeded its run timeout of 0.200s (elapsed: <t>)."
    )


# -- idle_timeout and what counts as progress ------------------------------------------------------------
def _writer() -> Any:
    """The running node's custom writer, whichever library runs it."""
    try:
        return nbstream.config.get_stream_writer()
    except RuntimeError:
        return langgraph.config.get_stream_writer()


async def _ticks(state: Log) -> dict[str, Any]:
    """Custom writes every 50 ms for half a second: progress, under refresh_on='auto'."""
    writer = _writer()
    for i in range(10):
        await asyncio.sleep(0.05)
        writer(i)
    return {"log": ["ticked"]}


def test_custom_writes_keep_an_idle_timeout_from_firing() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        return await stream(one_node(lib, _ticks, lib.types.TimeoutPolicy(idle_timeout=0.3)))

    chunks, end = same_on_both(program)
    assert end == "done" and len(chunks) == 11


def test_a_node_with_no_progress_fails_its_idle_timeout_even_with_a_longer_run_timeout() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        return await stream(one_node(lib, _hangs, lib.types.TimeoutPolicy(run_timeout=LONG, idle_timeout=0.15)))

    assert same_on_both(program)[1] == (
        "NodeTimeoutError",
        "Node 'n' exceeded its idle timeout of 0.150s without making progress (elapsed: <t>).",
    )


async def _writes_then_hangs(state: Log) -> dict[str, Any]:
    writer = _writer()
    writer("first")
    await asyncio.sleep(0.1)
    writer("second")
    await asyncio.sleep(LONG)
    return {"log": ["never"]}


@pytest.mark.parametrize("refresh_on", ["auto", "heartbeat"])
def test_under_refresh_on_heartbeat_custom_writes_are_not_progress(refresh_on: str) -> None:
    """The idle clock starts with the attempt; under "auto" the second write restarts it."""

    async def program(lib: Any) -> tuple[list[Any], Any]:
        policy = lib.types.TimeoutPolicy(idle_timeout=0.3, refresh_on=refresh_on)
        try:
            await one_node(lib, _writes_then_hangs, policy).ainvoke({"log": []})
        except lib.errors.NodeTimeoutError as exc:
            return [], exc.elapsed
        return [], None

    async def both() -> tuple[float, float]:
        return (await program(LG))[1], (await program(NB))[1]

    for elapsed in asyncio.run(both()):
        if refresh_on == "auto":
            assert 0.4 <= elapsed < 0.4 + 1.0
        else:
            assert 0.3 <= elapsed < 0.4


@pytest.mark.parametrize("refresh_on", ["auto", "heartbeat"])
def test_runtime_heartbeat_is_progress_under_both_refresh_modes(refresh_on: str) -> None:
    async def beats(state: Log, runtime: Any) -> dict[str, Any]:
        for _ in range(10):
            await asyncio.sleep(0.05)
            runtime.heartbeat()
        return {"log": ["alive"]}

    async def program(lib: Any) -> tuple[list[Any], Any]:
        policy = lib.types.TimeoutPolicy(idle_timeout=0.3, refresh_on=refresh_on)
        return await stream(one_node(lib, beats, policy))

    assert same_on_both(program) == ([("updates", {"n": {"log": ["alive"]}})], "done")


class _SlowTokens(GenericFakeChatModel):
    """A fake chat model whose tokens arrive 50 ms apart."""

    async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async for chunk in super()._astream(*args, **kwargs):
            await asyncio.sleep(0.05)
            yield chunk


def test_llm_tokens_keep_an_idle_timeout_from_firing_but_not_a_heartbeat_only_one() -> None:
    async def ask(state: Log) -> dict[str, Any]:
        model = _SlowTokens(messages=iter([AIMessage(content="one two three four five")]))
        text = ""
        async for chunk in model.astream("hi"):
            assert isinstance(chunk, AIMessageChunk)
            text += str(chunk.content)
        return {"log": [text]}

    async def program(lib: Any) -> tuple[list[Any], Any]:
        auto = await stream(one_node(lib, ask, lib.types.TimeoutPolicy(idle_timeout=0.3)))
        strict = await stream(one_node(lib, ask, lib.types.TimeoutPolicy(idle_timeout=0.3, refresh_on="heartbeat")))
        return [auto, strict], None

    (auto, strict), _ = same_on_both(program)
    assert auto == ([("updates", {"n": {"log": ["one two three four five"]}})], "done")
    assert strict[1][0] == "NodeTimeoutError"


# -- retries and error handlers --------------------------------------------------------------------------
def test_the_default_retry_policy_retries_a_timed_out_attempt() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        attempts: list[int] = []

        async def hangs_twice(state: Log) -> dict[str, Any]:
            attempts.append(1)
            if len(attempts) < 3:
                await asyncio.sleep(LONG)
            return {"log": [f"attempt {len(attempts)}"]}

        retry = lib.types.RetryPolicy(initial_interval=0.01, jitter=False)
        ok = await stream(one_node(lib, hangs_twice, 0.1, retry_policy=retry))
        attempts.clear()
        retry = lib.types.RetryPolicy(initial_interval=0.01, jitter=False, max_attempts=2)
        gave_up = await stream(one_node(lib, hangs_twice, 0.1, retry_policy=retry))
        return [ok, gave_up], None

    (ok, gave_up), _ = same_on_both(program)
    assert ok == ([("updates", {"n": {"log": ["attempt 3"]}})], "done")
    assert gave_up[1][0] == "NodeTimeoutError"


def test_views_see_each_timed_out_attempt_and_the_failed_task() -> None:
    retry = nbstream.types.RetryPolicy(initial_interval=0.01, jitter=False, max_attempts=2)
    observer = RecordingObserver()
    with pytest.raises(nbstream.errors.NodeTimeoutError):
        asyncio.run(one_node(NB, _hangs, 0.1, retry_policy=retry).ainvoke({"log": []}, observers=[observer]))
    retried = [e for e in observer.events if isinstance(e, TaskRetrying)]
    finished = [e for e in observer.events if isinstance(e, TaskFinished)]
    assert [type(e.error).__name__ for e in retried] == ["NodeTimeoutError"]
    assert len(finished) == 1 and isinstance(finished[0].error, nbstream.errors.NodeTimeoutError)


def test_an_error_handler_takes_a_timed_out_node() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        def handler(state: Log, error: NodeError) -> dict[str, Any]:
            failure = error.error
            return {"log": [f"{error.node}: {type(failure).__name__} {failure.kind} {failure.timeout}"]}

        graph = one_node(lib, _hangs, 0.1, error_handler=handler)
        return await stream(graph, ["updates", "tasks", "values"])

    chunks, end = same_on_both(program)
    assert end == "done"
    assert chunks[-1] == ("values", {"log": ["n: NodeTimeoutError run 0.1"]})


# -- sync nodes and sync runs ------------------------------------------------------------------------
def _sync(state: Log) -> dict[str, Any]:
    return {"log": ["sync"]}


BUILDS: dict[str, Callable[[Any], Any]] = {
    "sync node": lambda lib: one_node(lib, _sync, 1.0),
    "sync runnable": lambda lib: one_node(lib, RunnableLambda(_sync), 1.0),
    "default on a sync node": lambda lib: (
        lib.graph.StateGraph(Log)
        .add_node("n", _sync)
        .set_node_defaults(timeout=1.0)
        .add_edge(lib.graph.START, "n")
        .compile()
    ),
    "default on a sync error handler": lambda lib: (
        lib.graph.StateGraph(Log)
        .set_node_defaults(timeout=1.0)
        .add_node("n", _quick, error_handler=_sync)
        .add_edge(lib.graph.START, "n")
        .compile()
    ),
}


@pytest.mark.parametrize("build", list(BUILDS), ids=list(BUILDS))
def test_compile_refuses_a_timeout_on_a_sync_node_as_langgraph(build: str) -> None:
    messages = []
    for lib in (LG, NB):
        with pytest.raises(ValueError, match="only supported for async nodes") as info:
            BUILDS[build](lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_a_timeout_on_an_async_runnable_a_subgraph_or_a_sync_handler_of_a_timed_node_compiles() -> None:
    for lib in (LG, NB):
        one_node(lib, RunnableLambda(_sync, afunc=_quick), 1.0)
        sub = lib.graph.StateGraph(Log).add_node("x", _sync).add_edge(lib.graph.START, "x").compile()
        one_node(lib, sub, 1.0)
        one_node(lib, _quick, 1.0, error_handler=_sync)


def test_a_sync_run_fails_a_timed_task_before_it_starts_and_a_handler_may_take_that() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        retry = lib.types.RetryPolicy(initial_interval=0.01)
        try:
            one_node(lib, _quick, 1.0, retry_policy=retry).invoke({"log": []})
            plain: Any = "done"
        except ValueError as exc:
            plain = exc
        def handler(state: Log, error: NodeError) -> dict[str, Any]:
            return {"log": [str(error.error)]}

        handled = one_node(lib, _quick, 1.0, error_handler=handler)
        return [plain, handled.invoke({"log": []})], None

    (plain, handled), _ = same_on_both(program)
    message = (
        "Node timeouts are only supported for async nodes because sync Python execution cannot be "
        "safely cancelled in-process. Node 'n' is sync."
    )
    assert plain == ("ValueError", message)
    assert handled == {"log": [message]}


@pytest.mark.parametrize("bad", [0, -1, timedelta(0)])
def test_a_timeout_that_is_not_positive_is_refused_in_langgraphs_words(bad: Any) -> None:
    for lib in (LG, NB):
        with pytest.raises(ValueError, match=r"^run_timeout must be greater than 0$"):
            lib.graph.StateGraph(Log).add_node("n", _quick, timeout=bad)
        with pytest.raises(ValueError, match=r"^run_timeout must be greater than 0$"):
            lib.graph.StateGraph(Log).set_node_defaults(timeout=bad)


# -- subgraphs, defaults, cancelled work ---------------------------------------------------------------
def _subgraph(lib: Any, step: Callable[..., Any], n: int) -> Any:
    builder = lib.graph.StateGraph(Log)
    for i in range(n):
        builder.add_node(f"s{i}", step)
    builder.add_edge(lib.graph.START, "s0")
    for i in range(n - 1):
        builder.add_edge(f"s{i}", f"s{i + 1}")
    return builder.compile()


async def _step(state: Log) -> dict[str, Any]:
    await asyncio.sleep(0.05)
    return {"log": ["s"]}


def test_a_timed_out_subgraph_node_is_cancelled_with_its_inner_steps() -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        builder = lib.graph.StateGraph(Log).add_node("s0", _quick).add_node("s1", _hangs)
        sub = builder.add_edge(lib.graph.START, "s0").add_edge("s0", "s1").compile()
        return await stream(one_node(lib, sub, 0.2), ["updates"], subgraphs=True)

    chunks, error = same_on_both(program)
    assert chunks == [(("n:<id>",), "updates", {"s0": {"log": ["quick"]}})]
    assert error == ("NodeTimeoutError", "Node 'n' exceeded its run timeout of 0.200s (elapsed: <t>).")


@pytest.mark.parametrize("refresh_on", ["auto", "heartbeat"])
def test_a_subgraphs_steps_are_progress_for_its_nodes_idle_timeout(refresh_on: str) -> None:
    async def program(lib: Any) -> tuple[list[Any], Any]:
        policy = lib.types.TimeoutPolicy(idle_timeout=0.25, refresh_on=refresh_on)
        return await stream(one_node(lib, _subgraph(lib, _step, 10), policy), ["updates"])

    chunks, end = same_on_both(program)
    if refresh_on == "auto":
        assert end == "done" and chunks == [("updates", {"n": {"log": ["s"] * 10}})]
    else:
        assert end[0] == "NodeTimeoutError" and chunks == []


def test_set_node_defaults_times_every_node_without_its_own_whenever_it_was_added() -> None:
    async def takes_a_while(state: Log) -> dict[str, Any]:
        await asyncio.sleep(0.3)
        return {"log": ["patient"]}

    async def program(lib: Any) -> tuple[list[Any], Any]:
        def build(first: Any, second: Any) -> Any:
            return (
                lib.graph.StateGraph(Log)
                .add_node("a", takes_a_while, timeout=LONG)  # its own limit wins
                .add_node("before", first)
                .set_node_defaults(timeout=0.1)
                .add_node("after", second)
                .add_edge(lib.graph.START, "a")
                .add_edge(lib.graph.START, "before")
                .add_edge(lib.graph.START, "after")
                .compile()
            )

        return [
            await stream(build(_hangs, _quick), ["updates"]),
            await stream(build(_quick, _hangs), ["updates"]),
        ], None

    (first, second), _ = same_on_both(program)
    assert first[1] == ("NodeTimeoutError", "Node 'before' exceeded its run timeout of 0.100s (elapsed: <t>).")
    assert second[1] == ("NodeTimeoutError", "Node 'after' exceeded its run timeout of 0.100s (elapsed: <t>).")


def test_what_a_cancelled_node_does_after_its_timeout_is_dropped() -> None:
    """A node that swallows its cancellation runs on, but its custom data and writes are lost."""

    async def stubborn(state: Log) -> dict[str, Any]:
        writer = _writer()
        writer("before")
        try:
            await asyncio.sleep(LONG)
        except asyncio.CancelledError:
            writer("after the timeout")
        return {"log": ["late"]}

    async def wait(state: Log) -> dict[str, Any]:
        await asyncio.sleep(0.2)  # the stubborn node's late write has long happened
        return {"log": ["next"]}

    async def program(lib: Any) -> tuple[list[Any], Any]:
        graph = (
            lib.graph.StateGraph(Log)
            .add_node("n", stubborn, timeout=0.1, error_handler=lambda s: {"log": ["handled"]})
            .add_node("next", wait)
            .add_edge(lib.graph.START, "n")
            .add_edge(lib.graph.START, "next")
            .compile()
        )
        return await stream(graph, ["custom", "values"])

    chunks, end = same_on_both(program)
    assert ("custom", "before") in chunks and ("custom", "after the timeout") not in chunks
    assert chunks[-1] == ("values", {"log": ["handled", "next"]}) and end == "done"


# -- Send(..., timeout=...) ------------------------------------------------------------------------------
async def _work(arg: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(arg["t"])
    return {"log": [f"slept {arg['t']}"]}


def _sleep_sync(arg: dict[str, Any]) -> dict[str, Any]:
    import time

    time.sleep(arg["t"])
    return {"log": [f"slept {arg['t']}"]}


def _fan_out(lib: Any, node: Any, sends: Callable[[Any], list[Any]], node_timeout: Any = None) -> Any:
    builder = lib.graph.StateGraph(Log).add_node("w", node, timeout=node_timeout)
    return builder.add_conditional_edges(lib.graph.START, lambda s: sends(lib)).compile()


SENDS: dict[str, tuple[Any, Callable[[Any], list[Any]], Any]] = {
    "one of two past its limit": (
        _work,
        lambda lib: [lib.types.Send("w", {"t": 0.0}, timeout=0.2), lib.types.Send("w", {"t": LONG}, timeout=0.2)],
        None,
    ),
    "a looser limit than the node's": (_work, lambda lib: [lib.types.Send("w", {"t": 0.3}, timeout=LONG)], 0.1),
    "a tighter limit than the node's": (_work, lambda lib: [lib.types.Send("w", {"t": LONG}, timeout=0.1)], LONG),
    "to a sync node": (_sleep_sync, lambda lib: [lib.types.Send("w", {"t": 0.5}, timeout=0.1)], None),
}


@pytest.mark.parametrize("case", list(SENDS), ids=list(SENDS))
def test_a_sends_timeout_limits_its_task_instead_of_the_nodes(case: str) -> None:
    node, sends, node_timeout = SENDS[case]

    async def program(lib: Any) -> tuple[list[Any], Any]:
        return await stream(_fan_out(lib, node, sends, node_timeout), ["updates"])

    _, end = same_on_both(program)
    assert (end == "done") is (case == "a looser limit than the node's")


def test_a_send_with_a_timeout_shows_it_as_langgraphs_and_a_sync_run_refuses_it() -> None:
    assert repr(nbstream.types.Send("w", 1, timeout=2)) == repr(langgraph.types.Send("w", 1, timeout=2))
    assert repr(nbstream.types.Send("w", 1)) == repr(langgraph.types.Send("w", 1))
    assert nbstream.types.Send("w", 1, timeout=2) == nbstream.types.Send("w", 1, timeout=timedelta(seconds=2))
    errors = []
    for lib in (LG, NB):
        graph = _fan_out(lib, _work, lambda lib: [lib.types.Send("w", {"t": 0.0}, timeout=1.0)])
        with pytest.raises(ValueError, match="only supported for async nodes") as info:
            graph.invoke({"log": []})
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_to_langgraph_keeps_the_timeouts() -> None:
    graph = (
        NB.graph.StateGraph(Log)
        .set_node_defaults(timeout=0.1)
        .add_node("slow", _hangs)
        .add_node("patient", _work, timeout=NB.types.TimeoutPolicy(idle_timeout=LONG))
        .add_edge(NB.graph.START, "slow")
        .add_conditional_edges(NB.graph.START, lambda s: [NB.types.Send("patient", {"t": LONG}, timeout=0.1)])
        .compile()
        .to_langgraph()
    )
    assert graph.builder.nodes["patient"].timeout == LG.types.TimeoutPolicy(idle_timeout=LONG)
    with pytest.raises(LG.errors.NodeTimeoutError, match=r"run timeout of 0\.100s"):
        asyncio.run(graph.ainvoke({"log": []}))
