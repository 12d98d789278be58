"""Errors keep what was streamed and name the culprit; stopping a run stops it promptly."""

from __future__ import annotations

import asyncio
import operator
import threading
import time
from typing import Annotated, Any, TypedDict

import pytest

from nbstream.errors import (
    EmptyInputError,
    GraphRecursionError,
    InvalidUpdateError,
    NodeInputError,
)
from nbstream.events import RunFailed, TaskFinished
from nbstream.graph import END, START, StateGraph
from nbstream.types import Send


class S(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


def _ok(state: S) -> dict[str, Any]:
    return {"log": ["ok"]}


def _boom(state: S) -> dict[str, Any]:
    raise ValueError("kaboom")


def _chain_with_failure():  # type: ignore[no-untyped-def]
    return (
        StateGraph(S)
        .add_node("ok", _ok)
        .add_node("boom", _boom)
        .add_edge(START, "ok")
        .add_edge("ok", "boom")
        .compile()
    )


def test_node_error_delivers_everything_then_raises_original_with_note() -> None:
    got: list[Any] = []
    with pytest.raises(ValueError, match="kaboom") as info:
        for chunk in _chain_with_failure().stream({"x": 1}, stream_mode=["updates", "values", "tasks"]):
            got.append(chunk)
    assert [c[0] for c in got] == ["values", "tasks", "updates", "tasks", "values", "tasks", "tasks"]
    failing = got[-1][1]
    assert failing["name"] == "boom" and isinstance(failing["error"], ValueError) and failing["result"] == {}
    assert "while running node 'boom' at step 2" in info.value.__notes__


def test_node_error_async() -> None:
    async def boom(state: S) -> dict[str, Any]:
        raise ValueError("async kaboom")

    graph = (
        StateGraph(S)
        .add_node("ok", _ok)
        .add_node("boom", boom)
        .add_edge(START, "ok")
        .add_edge("ok", "boom")
        .compile()
    )

    async def main() -> list[Any]:
        got = []
        with pytest.raises(ValueError, match="async kaboom"):
            async for chunk in graph.astream({"x": 1}, stream_mode="updates"):
                got.append(chunk)
        return got

    assert asyncio.run(main()) == [{"ok": {"log": ["ok"]}}]


def test_parallel_writes_to_plain_key_name_key_and_nodes() -> None:
    def w1(state: S) -> dict[str, Any]:
        return {"x": 1}

    def w2(state: S) -> dict[str, Any]:
        return {"x": 2}

    graph = StateGraph(S).add_node(w1).add_node(w2).add_edge(START, "w1").add_edge(START, "w2").compile()
    got: list[Any] = []
    with pytest.raises(InvalidUpdateError, match=r"^At key 'x': Can receive only one value per step") as info:
        for chunk in graph.stream({"x": 0}, stream_mode=["updates", "values"]):
            got.append(chunk)
    assert "(from 'w1', 'w2')" in info.value.__notes__[0]  # nbstream's detail, in a note
    # both updates were delivered, and no values chunk for the failed step
    assert sorted(str(c) for c in got[1:]) == sorted(
        [str(("updates", {"w1": {"x": 1}})), str(("updates", {"w2": {"x": 2}}))]
    )


def test_unknown_key_is_an_error_naming_node_key_and_known_keys() -> None:
    def typo(state: S) -> dict[str, Any]:
        return {"lgo": ["oops"]}

    graph = StateGraph(S).add_node(typo).add_edge(START, "typo").compile()
    with pytest.raises(
        InvalidUpdateError, match=r"node 'typo' at step 1 wrote unknown key 'lgo'.*\['log', 'x'\]"
    ):
        graph.invoke({"x": 0})


def test_non_dict_return_is_an_error() -> None:
    graph = StateGraph(S).add_node("n", lambda s: 42).add_edge(START, "n").compile()
    with pytest.raises(InvalidUpdateError, match="node 'n' returned int"):
        graph.invoke({"x": 0})


def test_recursion_limit() -> None:
    graph = (
        StateGraph(S)
        .add_node("loop", _ok)
        .add_edge(START, "loop")
        .add_conditional_edges("loop", lambda s: "loop")
        .compile()
    )
    got: list[Any] = []
    with pytest.raises(GraphRecursionError, match="Recursion limit of 5") as info:
        for chunk in graph.stream({"x": 0}, {"recursion_limit": 5}):
            got.append(chunk)
    assert len(got) == 5
    assert isinstance(info.value, RecursionError)
    with pytest.raises(ValueError, match="recursion_limit"):
        graph.invoke({"x": 0}, {"recursion_limit": 0})


def test_bad_inputs() -> None:
    graph = _chain_with_failure()
    with pytest.raises(EmptyInputError):
        graph.invoke(None)
    with pytest.raises(InvalidUpdateError, match=r"^Expected dict, got 42") as info:
        graph.invoke(42)
    assert "graph input must be a dict" in info.value.__notes__[0]
    with pytest.raises(ValueError, match="unknown stream mode 'bogus'; valid modes are values, updates"):
        graph.stream({"x": 1}, stream_mode=["updates", "bogus"])


def test_tuple_of_modes_behaves_like_a_list() -> None:
    graph = StateGraph(S).add_node("ok", _ok).add_edge(START, "ok").compile()
    assert list(graph.stream({"x": 1}, stream_mode=("updates",))) == [("updates", {"ok": {"log": ["ok"]}})]


def test_unknown_route_and_send_targets() -> None:
    g1 = (
        StateGraph(S)
        .add_node("ok", _ok)
        .add_edge(START, "ok")
        .add_conditional_edges("ok", lambda s: "nowhere")
        .compile()
    )
    with pytest.raises(NodeInputError, match="'ok' routed to unknown node 'nowhere'"):
        g1.invoke({"x": 1})
    g2 = (
        StateGraph(S)
        .add_node("ok", _ok)
        .add_edge(START, "ok")
        .add_conditional_edges("ok", lambda s: [Send("ghost", 1)])
        .compile()
    )
    with pytest.raises(NodeInputError, match="'ok' sent to unknown node 'ghost'"):
        g2.invoke({"x": 1})


# -- stopping -------------------------------------------------------------------------------------


def _slow_parallel(events: list[str], delay: float = 0.3):  # type: ignore[no-untyped-def]
    slow_started = threading.Event()

    def fast(state: S) -> dict[str, Any]:
        # hand out the first chunk only once its sibling is running, so closing the stream
        # meets a task in flight (a task that has not started yet is simply never started)
        assert slow_started.wait(5)
        return {"log": ["fast"]}

    def slow(state: S) -> dict[str, Any]:
        slow_started.set()
        time.sleep(delay)
        events.append("slow finished")
        return {"log": ["slow"]}

    def after(state: S) -> dict[str, Any]:
        events.append("after ran")
        return {"log": ["after"]}

    return (
        StateGraph(S)
        .add_node(fast)
        .add_node(slow)
        .add_node(after)
        .add_edge(START, "fast")
        .add_edge(START, "slow")
        .add_edge(["fast", "slow"], "after")
        .add_edge("after", END)
        .compile()
    )


def _worker_threads_busy() -> bool:
    return any(
        t.name.startswith("nbstream-worker") and t.is_alive() and getattr(t, "_busy", False)
        for t in threading.enumerate()
    )


def test_break_closes_the_generator_waits_for_running_threads_and_starts_no_new_step() -> None:
    events: list[str] = []
    observed: list[Any] = []
    graph = _slow_parallel(events)
    stream = graph.stream({"x": 0}, stream_mode="updates", observers=[observed.append])
    first = next(stream)
    assert first in ({"fast": {"log": ["fast"]}}, {"slow": {"log": ["slow"]}})
    stream.close()
    # close() returned only after the running thread finished, and the next step never started
    assert events == ["slow finished"]
    failed = [e for e in observed if isinstance(e, RunFailed)]
    assert len(failed) == 1 and failed[0].cancelled
    # the graph can run again
    assert graph.invoke({"x": 0})["log"] == ["fast", "slow", "after"]


def test_keyboard_interrupt_in_consuming_thread_stops_run() -> None:
    events: list[str] = []
    graph = _slow_parallel(events)
    observed: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        for _ in graph.stream({"x": 0}, observers=[observed.append]):
            raise KeyboardInterrupt
    assert events == ["slow finished"]
    assert any(isinstance(e, RunFailed) and e.cancelled for e in observed)


def test_keyboard_interrupt_inside_inline_node_marks_task_cancelled() -> None:
    def interrupted(state: S) -> dict[str, Any]:
        raise KeyboardInterrupt

    graph = StateGraph(S).add_node(interrupted).add_edge(START, "interrupted").compile()
    observed: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        graph.invoke({"x": 0}, observers=[observed.append])
    finished = [e for e in observed if isinstance(e, TaskFinished)]
    assert finished[0].cancelled
    assert isinstance(observed[-1], RunFailed) and observed[-1].cancelled


def _async_graph(log: list[str]):  # type: ignore[no-untyped-def]
    async def fast(state: S) -> dict[str, Any]:
        return {"log": ["fast"]}

    async def slow(state: S) -> dict[str, Any]:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            log.append("slow cancelled")
            raise
        return {"log": ["slow"]}

    return (
        StateGraph(S).add_node(fast).add_node(slow).add_edge(START, "fast").add_edge(START, "slow").compile()
    )


def test_aclose_cancels_in_flight_async_tasks() -> None:
    log: list[str] = []
    graph = _async_graph(log)

    async def main() -> Any:
        stream = graph.astream({"x": 0}, stream_mode="updates")
        first = await stream.__anext__()
        started = time.perf_counter()
        await stream.aclose()
        return first, time.perf_counter() - started

    first, took = asyncio.run(main())
    assert first == {"fast": {"log": ["fast"]}}
    assert log == ["slow cancelled"]
    assert took < 2


def test_cancelling_the_consuming_task_cancels_nodes() -> None:
    log: list[str] = []
    graph = _async_graph(log)
    observed: list[Any] = []

    async def consume() -> None:
        async for _ in graph.astream({"x": 0}, observers=[observed.append]):
            pass

    async def main() -> None:
        task = asyncio.create_task(consume())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert log == ["slow cancelled"]
    assert any(isinstance(e, RunFailed) and e.cancelled for e in observed)
    assert not any(isinstance(e, TaskFinished) and e.node == "slow" and not e.cancelled for e in observed)


def test_async_error_cancels_siblings() -> None:
    log: list[str] = []

    async def boom(state: S) -> dict[str, Any]:
        await asyncio.sleep(0.01)
        raise ValueError("async boom")

    async def slow(state: S) -> dict[str, Any]:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            log.append("cancelled")
            raise
        return {}

    graph = (
        StateGraph(S).add_node(boom).add_node(slow).add_edge(START, "boom").add_edge(START, "slow").compile()
    )

    async def main() -> list[Any]:
        got = []
        with pytest.raises(ValueError, match="async boom"):
            async for c in graph.astream({"x": 0}, stream_mode="tasks"):
                got.append(c)
        return got

    got = asyncio.run(main())
    assert log == ["cancelled"]
    results = [c for c in got if "result" in c]
    assert [r["name"] for r in results] == ["boom"]


def test_unsupported_langgraph_options_are_refused_not_ignored() -> None:
    graph = StateGraph(S).add_node("ok", _ok).add_edge(START, "ok").compile()
    # as LangGraph: without a checkpointer the run still stops before the node (and cannot resume)
    assert list(graph.stream({"x": 1}, interrupt_before=["ok"])) == [{"__interrupt__": ()}]
    with pytest.raises(TypeError, match="unexpected keyword argument 'output_key'"):
        graph.stream({"x": 1}, output_key=["x"])
    assert graph.invoke({"x": 1}, print_mode=()) == {"x": 1, "log": ["ok"]}
