"""Node error handlers (``add_node(..., error_handler=...)``, ``set_node_defaults(error_handler=...)``).

Each program runs on LangGraph 1.2.22 and on nbstream; their stream chunks, results, ``get_state``
and history must be the same, task ids, checkpoint ids and timestamps aside (exceptions compare by
type and message). The semantics are written up in ``nbstream/runtime/_error_handlers.py``.
"""

import asyncio
import io
import operator
import re
import types
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

import langgraph.checkpoint.memory
import langgraph.config
import langgraph.errors
import langgraph.graph
import langgraph.types
import pytest
from langchain_core.runnables import RunnableConfig

import nbstream.checkpoint.memory
import nbstream.config
import nbstream.errors
import nbstream.graph
import nbstream.types
from nbstream.events import TaskFinished, TaskStarted
from nbstream.testing import RecordingObserver
from nbstream.widgets import RunView

LG = types.SimpleNamespace(
    graph=langgraph.graph,
    types=langgraph.types,
    errors=langgraph.errors,
    config=langgraph.config,
    memory=langgraph.checkpoint.memory,
)
NB = types.SimpleNamespace(
    graph=nbstream.graph,
    types=nbstream.types,
    errors=nbstream.errors,
    config=nbstream.config,
    memory=nbstream.checkpoint.memory,
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX32 = re.compile(r"\b[0-9a-f]{32}\b")


def clean(value: Any) -> Any:
    """``value`` with random ids, timestamps and exception identities taken out."""
    if isinstance(value, BaseException):
        return ("raised", type(value).__name__, str(value))
    if isinstance(value, dict):
        return {
            clean(k): "<id>" if k in ("id", "checkpoint_id", "timestamp", "ts", "created_at") else clean(v)
            for k, v in value.items()
        }
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # StateSnapshot, PregelTask, Interrupt
        return (type(value).__name__, clean(value._asdict()))
    if isinstance(value, list | tuple):
        return type(value)(clean(v) for v in value)
    if isinstance(value, str):
        return _HEX32.sub("<iid>", _UUID.sub("<id>", value))
    if hasattr(value, "__dataclass_fields__"):  # Interrupt, NodeError
        return (type(value).__name__, clean(vars(value) if hasattr(value, "__dict__") else repr(value)))
    return value


def same_on_both(program: Callable[[Any], Any]) -> Any:
    """Run ``program(lib)`` on both libraries, assert equal output (ids aside), return it."""
    expected = clean(program(LG))
    assert clean(program(NB)) == expected
    return expected


def outcome(run: Callable[[], Any]) -> Any:
    """What ``run()`` returned, or the error it raised (as ``("raised", type, message)``)."""
    try:
        return run()
    except Exception as exc:  # the error is the outcome compared
        return exc


def stream_all(graph: Any, inp: Any, config: Any = None, **kw: Any) -> list[Any]:
    """Every chunk of ``graph.stream(...)``, then the error it raised, if any."""
    chunks: list[Any] = []
    try:
        chunks.extend(graph.stream(inp, config, **kw))
    except Exception as exc:  # compared as an outcome
        chunks.append(exc)
    return chunks


async def astream_all(graph: Any, inp: Any, config: Any = None, **kw: Any) -> list[Any]:
    chunks: list[Any] = []
    try:
        async for chunk in graph.astream(inp, config, **kw):
            chunks.append(chunk)
    except Exception as exc:  # compared as an outcome
        chunks.append(exc)
    return chunks


def thread_record(graph: Any, config: Any) -> Any:
    """``get_state`` and the history of a thread, as compared."""
    state = graph.get_state(config)
    history = [(h.metadata, h.next, h.values, h.tasks, h.interrupts) for h in graph.get_state_history(config)]
    return state.values, state.next, state.tasks, state.interrupts, state.metadata, history


class Log(TypedDict):
    log: Annotated[list[Any], operator.add]


MODES = ["updates", "tasks", "values"]


def a(state: Log) -> dict[str, Any]:
    return {"log": ["a"]}


def bad(state: Log) -> dict[str, Any]:
    raise ValueError(f"boom after {state['log']}")


def after(state: Log) -> dict[str, Any]:
    return {"log": ["after"]}


def chain(lib: Any, handler: Any, *, retry_policy: Any = None, checkpointer: Any = None) -> Any:
    """START -> a -> bad -> after, ``bad`` failing with ``handler`` as its error handler."""
    g = lib.graph
    return (
        g.StateGraph(Log)
        .add_node("a", a)
        .add_node("bad", bad, error_handler=handler, retry_policy=retry_policy)
        .add_node("after", after)
        .add_edge(g.START, "a")
        .add_edge("a", "bad")
        .add_edge("bad", "after")
        .compile(checkpointer=checkpointer)
    )


# -- when the handler runs, what it gets, what it returns ---------------------------------------------
def test_a_handler_takes_over_a_failure_and_the_graph_ends_after_it() -> None:
    def program(lib: Any) -> Any:
        def handler(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [f"handled {error.node}: {error.error}"]}
        graph = chain(lib, handler)
        return stream_all(graph, {"log": []}, stream_mode=MODES), graph.invoke({"log": []})

    chunks, result = same_on_both(program)
    # the failed node's own edge (to "after") is not followed: the handler node has none
    assert result == {"log": ["a", "handled bad: boom after ['a']"]}
    assert ("updates", {"__error_handler__bad": {"log": ["handled bad: boom after ['a']"]}}) in chunks


def test_a_handler_command_goto_continues_the_graph() -> None:
    def program(lib: Any) -> Any:
        def handler(state: Log, error: lib.errors.NodeError) -> Any:
            return lib.types.Command(update={"log": ["recovered"]}, goto="after")

        return stream_all(chain(lib, handler), {"log": []}, stream_mode=MODES)

    chunks = same_on_both(program)
    assert chunks[-1] == ("values", {"log": ["a", "recovered", "after"]})


def test_a_handler_gets_the_failed_input_the_node_error_and_its_own_task_config() -> None:
    def program(lib: Any) -> Any:
        seen: list[Any] = []

        def handler(state: Log, config: RunnableConfig, error: lib.errors.NodeError) -> dict[str, Any]:
            meta = config["metadata"]
            seen.append(
                (
                    state,
                    error.node,
                    type(error.error).__name__,
                    str(error.error),
                    meta["langgraph_node"],
                    meta["langgraph_step"],
                    meta["langgraph_triggers"],
                    meta["langgraph_path"],
                    # the handler's namespace is nested in the failed task's
                    re.sub(r":[0-9a-f-]{36}", ":<id>", config["configurable"]["checkpoint_ns"]),
                    lib.config.get_config()["metadata"]["langgraph_node"],
                )
            )
            return {"log": ["h"]}

        out = chain(lib, handler).invoke({"log": []})
        return out, seen

    _, seen = same_on_both(program)
    assert seen[0][-2] == "bad:<id>|__error_handler__bad:<id>"
    assert seen[0][7] == ("__pregel_pull", "bad", "node_error_handler", False)


def test_the_retry_policy_gives_up_before_the_handler_runs() -> None:
    def program(lib: Any) -> Any:
        calls: list[str] = []

        def flaky(state: Log) -> dict[str, Any]:
            calls.append("try")
            raise ConnectionError("down")

        def handler(state: Log) -> dict[str, Any]:
            calls.append("handler")
            return {"log": ["fallback"]}

        g = lib.graph
        policy = lib.types.RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False)
        graph = (
            g.StateGraph(Log)
            .add_node("flaky", flaky, retry_policy=policy, error_handler=handler)
            .add_edge(g.START, "flaky")
            .compile()
        )
        return stream_all(graph, {"log": []}, stream_mode=["updates", "tasks"]), calls

    _, calls = same_on_both(program)
    assert calls == ["try", "try", "try", "handler"]


def test_a_failing_handler_fails_the_run_with_its_own_error() -> None:
    def program(lib: Any) -> Any:
        def handler(state: Log) -> dict[str, Any]:
            raise KeyError("the handler failed too")

        return stream_all(chain(lib, handler), {"log": []}, stream_mode=MODES)

    chunks = same_on_both(program)
    assert chunks[-1] == ("raised", "KeyError", "'the handler failed too'")


def test_an_interrupt_in_a_node_is_a_pause_not_a_failure_for_its_handler() -> None:
    def program(lib: Any) -> Any:
        calls: list[str] = []

        def asks(state: Log) -> dict[str, Any]:
            return {"log": [lib.types.interrupt("continue?")]}

        def handler(state: Log) -> dict[str, Any]:
            calls.append("handler")
            return {"log": ["h"]}

        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("asks", asks, error_handler=handler)
            .add_edge(g.START, "asks")
            .compile(checkpointer=lib.memory.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        first = stream_all(graph, {"log": []}, config, stream_mode=MODES)
        second = stream_all(graph, lib.types.Command(resume="yes"), config, stream_mode=MODES)
        return first, second, calls, thread_record(graph, config)

    _, second, calls, _ = same_on_both(program)
    assert calls == []
    assert second[-1] == ("values", {"log": ["yes"]})


def test_a_regular_node_with_an_error_parameter_gets_none_and_a_handler_without_the_hint_fails() -> None:
    def program(lib: Any) -> Any:
        def plain(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [repr(error)]}

        def no_hint(state: Log, error) -> dict[str, Any]:  # type: ignore[no-untyped-def]
            return {"log": ["never"]}

        g = lib.graph
        one = g.StateGraph(Log).add_node("plain", plain).add_edge(g.START, "plain").compile()
        two = chain(lib, no_hint)
        return one.invoke({"log": []}), stream_all(two, {"log": []}, stream_mode=["updates", "tasks"])

    first, chunks = same_on_both(program)
    assert first == {"log": ["None"]}
    assert chunks[-1][:2] == ("raised", "TypeError")


def test_an_error_handler_node_name_that_is_taken_is_refused() -> None:
    def program(lib: Any) -> Any:
        g = lib.graph.StateGraph(Log).add_node("__error_handler__x", a)
        return outcome(lambda: g.add_node("x", bad, error_handler=a))

    assert same_on_both(program) == (
        "raised",
        "ValueError",
        "Auto-generated error handler node `__error_handler__x` already exists.",
    )


# -- siblings, fan-outs, routers, the default handler ---------------------------------------------------
def test_siblings_keep_running_and_the_handler_writes_in_the_failed_nodes_place() -> None:
    def program(lib: Any) -> Any:
        def handler(state: Log) -> dict[str, Any]:
            return {"log": ["handled"]}

        g = lib.graph
        builder = g.StateGraph(Log).add_node("a", a)
        for name in ("b", "m", "z"):
            builder.add_node(name, lambda s, name=name: {"log": [name]})
            builder.add_edge("a", name)
        builder.add_node("k", bad, error_handler=handler).add_edge("a", "k").add_edge(g.START, "a")
        graph = builder.compile()
        return [graph.invoke({"log": []}) for _ in range(5)], stream_all(graph, {"log": []}, stream_mode="values")

    results, _ = same_on_both(program)
    assert results[0] == {"log": ["a", "b", "handled", "m", "z"]}


def test_a_failed_send_task_is_handled_in_its_place() -> None:
    def program(lib: Any) -> Any:
        def fan(state: Log) -> list[Any]:
            return [lib.types.Send("work", {"log": [i]}) for i in range(3)]

        def work(state: Log) -> dict[str, Any]:
            if state["log"] == [1]:
                raise ValueError("item 1")
            return {"log": [f"done {state['log'][0]}"]}

        def handler(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [f"skipped {state['log'][0]}: {error.error}"]}

        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("work", work, error_handler=handler)
            .add_conditional_edges(g.START, fan)
            .compile()
        )
        return graph.invoke({"log": []})

    assert same_on_both(program) == {"log": ["done 0", "skipped 1: item 1", "done 2"]}


def test_a_failing_router_is_the_nodes_failure_and_the_nodes_writes_are_kept() -> None:
    def program(lib: Any) -> Any:
        def router(state: Log) -> str:
            raise KeyError("no route")

        def handler(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [f"handled {error.error!r}"]}

        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("a", a, error_handler=handler)
            .add_edge(g.START, "a")
            .add_conditional_edges("a", router)
            .compile()
        )
        return stream_all(graph, {"log": []}, stream_mode=MODES)

    chunks = same_on_both(program)
    assert chunks[-1] == ("values", {"log": ["a", "handled KeyError('no route')"]})


def test_set_node_defaults_error_handler_covers_the_nodes_without_their_own() -> None:
    def program(lib: Any) -> Any:
        def default(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [f"default for {error.node}"]}

        def own(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [f"own for {error.node}"]}

        g = lib.graph
        builder = (
            g.StateGraph(Log)
            .set_node_defaults(error_handler=default)
            .add_node("a", a)
            .add_node("bad", bad)
            .add_node("bad2", bad, error_handler=own)
            .add_edge(g.START, "a")
            .add_edge("a", "bad")
            .add_edge("a", "bad2")
        )
        graph = builder.compile()
        return list(builder.nodes), graph.invoke({"log": []}), stream_all(graph, {"log": []}, stream_mode="values")

    names, result, _ = same_on_both(program)
    assert names == ["a", "bad", "__error_handler__bad2", "bad2", "__default_error_handler__"]
    assert result == {"log": ["a", "default for bad", "own for bad2"]}


def test_nbstream_compiles_a_builder_with_a_default_handler_twice() -> None:
    # LangGraph's second compile() raises ValueError (its first added the handler node to the
    # builder); nbstream replaces the node it added (docs/differences.md)
    builder = (
        NB.graph.StateGraph(Log)
        .set_node_defaults(error_handler=lambda s: {"log": ["d"]})
        .add_node("bad", bad)
        .add_edge(NB.graph.START, "bad")
    )
    builder.compile()
    assert builder.compile().invoke({"log": []}) == {"log": ["d"]}


def test_a_handler_writes_custom_data_and_the_views_see_the_failure_then_the_handler() -> None:
    def program(lib: Any) -> Any:
        def handler(state: Log) -> dict[str, Any]:
            lib.config.get_stream_writer()({"recovering": True})
            return {"log": ["h"]}

        return stream_all(chain(lib, handler), {"log": []}, stream_mode=["custom", "updates", "tasks"])

    same_on_both(program)
    recorder = RecordingObserver()
    chain(NB, lambda s: {"log": ["h"]}).invoke({"log": []}, observers=[recorder])
    tasks = [(type(e).__name__, e.node, type(getattr(e, "error", None)).__name__) for e in recorder.events
             if isinstance(e, TaskStarted | TaskFinished) and e.node != "a"]
    # the failed node's finish carries its error; the handler starts after it (the tasks mode,
    # compared above, leaves that start out as LangGraph's does: the step did not announce it)
    assert tasks == [
        ("TaskStarted", "bad", "NoneType"),
        ("TaskFinished", "bad", "ValueError"),
        ("TaskStarted", "__error_handler__bad", "NoneType"),
        ("TaskFinished", "__error_handler__bad", "NoneType"),
    ]
    # so a view counts the handler's run like any node's
    view = RunView(mode="text", log_file=io.StringIO())
    chain(NB, lambda s: {"log": ["h"]}).invoke({"log": []}, observers=[view])
    rows = {row.name: row for row in view.model.table.rows.values()}
    assert rows["__error_handler__bad"].runs == 1 and rows["__error_handler__bad"].status == "done"
    assert rows["bad"].status == "error"


# -- subgraphs ------------------------------------------------------------------------------------------
def test_a_failing_subgraph_is_handled_by_its_nodes_handler_in_the_parent() -> None:
    def program(lib: Any) -> Any:
        g = lib.graph
        sub = g.StateGraph(Log).add_node("inner", bad).add_edge(g.START, "inner").compile()
        graph = (
            g.StateGraph(Log)
            .add_node("a", a)
            .add_node("sub", sub, error_handler=lambda s: {"log": ["parent handled"]})
            .add_edge(g.START, "a")
            .add_edge("a", "sub")
            .compile()
        )
        return stream_all(graph, {"log": []}, stream_mode=MODES, subgraphs=True)

    chunks = same_on_both(program)
    assert chunks[-1] == ((), "values", {"log": ["a", "parent handled"]})


def test_a_handler_inside_a_subgraph_recovers_there() -> None:
    def program(lib: Any) -> Any:
        g = lib.graph
        sub = (
            g.StateGraph(Log)
            .add_node("inner", bad, error_handler=lambda s: {"log": ["inner handled"]})
            .add_edge(g.START, "inner")
            .compile()
        )
        graph = (
            g.StateGraph(Log).add_node("a", a).add_node("sub", sub)
            .add_edge(g.START, "a").add_edge("a", "sub").add_edge("sub", g.END)
            .compile()
        )
        return stream_all(graph, {"log": []}, stream_mode=MODES, subgraphs=True)

    chunks = same_on_both(program)
    assert chunks[-1] == ((), "values", {"log": ["a", "a", "inner handled"]})


def test_a_compiled_graph_as_handler_and_a_handler_that_invokes_one_stream_under_the_failed_task() -> None:
    def program(lib: Any) -> Any:
        g = lib.graph
        fixer = g.StateGraph(Log).add_node("fix", lambda s: {"log": ["fixed"]}).add_edge(g.START, "fix").compile()

        def invokes(state: Log) -> dict[str, Any]:
            return {"log": fixer.invoke({"log": []})["log"]}

        out = []
        for handler in (fixer, invokes):
            graph = g.StateGraph(Log).add_node("bad", bad, error_handler=handler).add_edge(g.START, "bad").compile()
            out.append(stream_all(graph, {"log": []}, stream_mode=["updates", "values"], subgraphs=True))
        return out

    as_node, _ = same_on_both(program)
    # the handler's namespace nests in the failed task's, as two parts
    assert next(chunk[0] for chunk in as_node if chunk[0]) == ("bad:<id>", "__error_handler__bad:<id>")


# -- async --------------------------------------------------------------------------------------------
def test_async_nodes_and_handlers_beside_sync_siblings() -> None:
    def program(lib: Any) -> Any:
        async def abad(state: Log) -> dict[str, Any]:
            await asyncio.sleep(0)
            raise ValueError("async boom")

        async def ahandler(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            await asyncio.sleep(0)
            return {"log": [f"async handled {error.error}"]}

        def sync_handler(state: Log) -> dict[str, Any]:
            return {"log": ["sync handled"]}

        g = lib.graph
        single = (
            g.StateGraph(Log).add_node("a", a).add_node("bad", abad, error_handler=ahandler)
            .add_edge(g.START, "a").add_edge("a", "bad").compile()
        )
        fanned = (
            g.StateGraph(Log)
            .add_node("a", a)
            .add_node("abad", abad, error_handler=sync_handler)
            .add_node("sbad", bad, error_handler=ahandler)
            .add_node("ok", lambda s: {"log": ["ok"]})
            .add_edge(g.START, "a").add_edge("a", "abad").add_edge("a", "sbad").add_edge("a", "ok")
            .compile()
        )

        async def main() -> Any:
            return (
                await astream_all(single, {"log": []}, stream_mode=MODES),
                await fanned.ainvoke({"log": []}),
                await astream_all(fanned, {"log": []}, stream_mode="values"),
            )

        return asyncio.run(main())

    _, fanned, _ = same_on_both(program)
    assert fanned == {"log": ["a", "sync handled", "ok", "async handled boom after ['a']"]}


def test_an_async_handler_in_a_sync_run_fails_as_an_async_node_does() -> None:
    def program(lib: Any) -> Any:
        async def ahandler(state: Log) -> dict[str, Any]:
            return {"log": ["never"]}

        return stream_all(chain(lib, ahandler), {"log": []}, stream_mode=["updates", "tasks"])

    chunks = same_on_both(program)
    assert chunks[-1][:2] == ("raised", "TypeError")


# -- threads: checkpoints, interrupts, resumes ------------------------------------------------------------
def test_a_handled_failure_on_a_thread_saves_as_langgraph_does() -> None:
    def program(lib: Any) -> Any:
        graph = chain(lib, lambda s: {"log": ["handled"]}, checkpointer=lib.memory.InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        chunks = stream_all(graph, {"log": []}, config, stream_mode=["updates", "tasks", "checkpoints", "debug"])
        return chunks, thread_record(graph, config)

    _, (values, next_, *_rest) = same_on_both(program)
    assert values == {"log": ["a", "handled"]} and next_ == ()


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_an_interrupt_in_a_handler_pauses_and_the_resume_runs_the_handler_again(use_async: bool) -> None:
    def program(lib: Any) -> Any:
        calls: list[str] = []

        def failing(state: Log) -> dict[str, Any]:
            calls.append("node")
            raise ValueError("boom")

        def handler(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            calls.append(f"handler got {error.error!s}")
            return {"log": [lib.types.interrupt(f"fix {error.node}?")]}

        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("a", a)
            .add_node("failing", failing, error_handler=handler)
            .add_edge(g.START, "a")
            .add_edge("a", "failing")
            .compile(checkpointer=lib.memory.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        record = []
        for inp in ({"log": []}, lib.types.Command(resume="fixed")):
            if use_async:
                chunks = asyncio.run(astream_all(graph, inp, config, stream_mode=MODES))
            else:
                chunks = stream_all(graph, inp, config, stream_mode=MODES)
            record.append((chunks, thread_record(graph, config)))
        return record, calls

    record, calls = same_on_both(program)
    # the node does not run again; the handler does, with the error as the thread saved it (its text)
    assert calls == ["node", "handler got boom", "handler got ValueError('boom')"]
    assert record[-1][0][-1] == ("values", {"log": ["a", "fixed"]})


def test_a_sibling_pause_keeps_the_failure_handled_and_the_resume_runs_its_handler_again() -> None:
    def program(lib: Any) -> Any:
        calls: list[str] = []

        def asks(state: Log) -> dict[str, Any]:
            calls.append("asks")
            return {"log": [f"asked {lib.types.interrupt('ok?')}"]}

        def handler(state: Log) -> dict[str, Any]:
            calls.append("handler")
            return {"log": ["handled"]}

        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("a", a)
            .add_node("bad", bad, error_handler=handler)
            .add_node("asks", asks)
            .add_edge(g.START, "a")
            .add_edge("a", "bad")
            .add_edge("a", "asks")
            .compile(checkpointer=lib.memory.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        first = graph.invoke({"log": []}, config)
        after_first = thread_record(graph, config)
        second = stream_all(graph, lib.types.Command(resume="yes"), config, stream_mode=["updates", "tasks"])
        return first, after_first, sorted(map(repr, clean(second))), thread_record(graph, config), sorted(calls)

    *_, final, calls = same_on_both(program)
    # the handler's writes go in the place of "bad", after those of "asks"
    assert final[0] == {"log": ["a", "asked yes", "handled"]}
    assert calls == ["asks", "asks", "handler", "handler"]


def test_a_handler_paused_inside_a_subgraph_on_a_thread_resumes_there() -> None:
    def program(lib: Any) -> Any:
        def asks(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [lib.types.interrupt(f"{error.node} failed: retry?")]}

        g = lib.graph
        sub = g.StateGraph(Log).add_node("inner", bad, error_handler=asks).add_edge(g.START, "inner").compile()
        graph = (
            g.StateGraph(Log)
            .set_node_defaults(error_handler=lambda s: {"log": ["default"]})
            .add_node("a", a)
            .add_node("sub", sub)
            .add_edge(g.START, "a")
            .add_edge("a", "sub")
            .compile(checkpointer=lib.memory.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        record: list[Any] = [graph.get_graph().draw_mermaid()]
        for inp in ({"log": []}, lib.types.Command(resume="again")):
            chunks = stream_all(graph, inp, config, stream_mode=MODES, subgraphs=True)
            state = graph.get_state(config, subgraphs=True)
            record.append((chunks, state, thread_record(graph, config)))
        return record

    record = same_on_both(program)
    assert "__error_handler__inner" not in record[0] and "__default_error_handler__" in record[0]
    assert record[-1][0][-1] == ((), "values", {"log": ["a", "a", "again"]})


@pytest.mark.parametrize("durability", ["sync", "exit"])
def test_a_handler_and_a_sibling_both_paused_are_answered_by_interrupt_id(durability: str) -> None:
    def program(lib: Any) -> Any:
        def asks(state: Log) -> dict[str, Any]:
            return {"log": [f"sibling got {lib.types.interrupt('sibling?')}"]}

        def handler(state: Log) -> dict[str, Any]:
            return {"log": [f"handler got {lib.types.interrupt('handler?')}"]}

        g = lib.graph
        graph = (
            g.StateGraph(Log)
            .add_node("a", a)
            .add_node("bad", bad, error_handler=handler)
            .add_node("asks", asks)
            .add_edge(g.START, "a")
            .add_edge("a", "bad")
            .add_edge("a", "asks")
            .compile(checkpointer=lib.memory.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        first = stream_all(graph, {"log": []}, config, stream_mode="updates", durability=durability)
        # one answer for two waiting interrupts is refused (the handler's counts, as in LangGraph)
        refused = stream_all(graph, lib.types.Command(resume="?"), config, durability=durability)
        asked = [i for chunk in first if "__interrupt__" in chunk for i in chunk["__interrupt__"]]
        answers = {i.id: f"answer to {i.value}" for i in asked}
        last = stream_all(graph, lib.types.Command(resume=answers), config, stream_mode="values")
        return first, refused, last, thread_record(graph, config)

    *_, last, _ = same_on_both(program)
    assert last[-1] == {"log": ["a", "sibling got answer to sibling?", "handler got answer to handler?"]}


@pytest.mark.parametrize("first,second", [(LG, NB), (NB, LG)], ids=["langgraph-then-nbstream", "nbstream-then-langgraph"])
def test_a_thread_paused_in_a_handler_by_one_library_is_resumed_by_the_other(first: Any, second: Any) -> None:
    def build(lib: Any, saver: Any) -> Any:
        def handler(state: Log, error: lib.errors.NodeError) -> dict[str, Any]:
            return {"log": [f"{lib.types.interrupt('retry?')} ({error.error!s})"]}

        g = lib.graph
        return (
            g.StateGraph(Log)
            .add_node("a", a)
            .add_node("bad", bad, error_handler=handler)
            .add_edge(g.START, "a")
            .add_edge("a", "bad")
            .compile(checkpointer=saver)
        )

    saver = LG.memory.InMemorySaver()
    config = {"configurable": {"thread_id": "shared"}}
    asked = build(first, saver).invoke({"log": []}, config)["__interrupt__"][0]
    # the handler's interrupt id is LangGraph's (its task id and namespace are), so an answer by id fits
    resumed = build(second, saver).invoke(second.types.Command(resume={asked.id: "yes"}), config)
    saved_error = repr(ValueError("boom after ['a']"))  # the error's text, as the thread saved it
    assert resumed == {"log": ["a", f"yes ({saved_error})"]}


# -- to_langgraph -----------------------------------------------------------------------------------------
def test_to_langgraph_exports_the_handlers_and_the_export_runs_as_the_nbstream_graph() -> None:
    def own(state: Log, error: nbstream.errors.NodeError) -> Any:
        assert isinstance(error, nbstream.errors.NodeError)  # the function was written for nbstream
        return nbstream.types.Command(update={"log": [f"own for {error.node}: {error.error}"]}, goto="after")

    def default(state: Log, error: nbstream.errors.NodeError) -> dict[str, Any]:
        return {"log": [f"default for {error.node}"]}

    g = NB.graph
    builder = (
        g.StateGraph(Log)
        .set_node_defaults(error_handler=default)
        .add_node("a", a)
        .add_node("bad", bad, error_handler=own)
        .add_node("bad2", bad)
        .add_node("after", after)
        .add_edge(g.START, "a")
        .add_edge("a", "bad")
        .add_edge("a", "bad2")
    )
    graph = builder.compile()
    exported = graph.to_langgraph()
    assert list(exported.builder.nodes) == list(builder.nodes)
    mine = stream_all(graph, {"log": []}, stream_mode="values")
    assert clean(stream_all(exported, {"log": []}, stream_mode="values")) == clean(mine)
    assert mine[-1] == {"log": ["a", "own for bad: boom after ['a']", "default for bad2", "after"]}
