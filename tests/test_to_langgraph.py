"""``compiled.to_langgraph()``: the exported LangGraph graph runs like the nbstream graph it came from.

Random graphs (``_graphgen``, as ``test_differential.py`` draws them: chains, joins, branches, loops,
``Send``, ``Command`` with ``goto``/``update``/``graph=PARENT``, subgraphs used as nodes and invoked
inside nodes, custom data, retries, raising nodes, schemas, context, managed keys) are built with
nbstream, exported, and both are streamed the same way: the canonical chunks (``_diffcanon``) and
``invoke``'s result must be equal. Thread sessions (``test_differential_threads``: ``interrupt()``,
breakpoints, resumes by value and by id, ``get_state``, history) are played on both the same way.
Hand-written tests pin each translated feature, the refusals and the example server module.

Knobs: ``NBSTREAM_EXPORT_EXAMPLES`` (default 60) and ``NBSTREAM_EXPORT_THREAD_EXAMPLES`` (default 30).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import json
import operator
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("langgraph")

import langgraph.graph.state as lg_state
import langgraph.types as lg_types
import test_differential_threads as threads
from _diffcanon import canonical, normalise_exception
from _graphgen import build, build_thread, cases, reproducer
from langchain_core.runnables import RunnableConfig
from langgraph.cache.memory import InMemoryCache
from langgraph.checkpoint.memory import InMemorySaver
from test_differential import ALL_MODES, Call, _calls

from nbstream.config import get_config, get_stream_writer
from nbstream.errors import NotSupportedError
from nbstream.graph import END, START, StateGraph
from nbstream.managed import RemainingSteps
from nbstream.runtime import Runtime, get_runtime
from nbstream.types import CachePolicy, Command, Overwrite, RetryPolicy, Send, StreamWriter, interrupt

ROOT = Path(__file__).resolve().parent.parent
_runner = asyncio.Runner()


@pytest.fixture(scope="module", autouse=True)
def _close_runner() -> Iterator[None]:
    yield
    _runner.close()


def _record(graph: Any, context: Any, inp: dict[str, Any], call: Call) -> tuple[list[Any], Any]:
    """The chunks of one call and how it ended (the exception, normalised)."""
    chunks: list[Any] = []
    try:
        if call.aio:

            async def consume() -> None:
                async for chunk in graph.astream(dict(inp), **call.kwargs(context)):
                    chunks.append(chunk)

            _runner.run(consume())
        else:
            chunks.extend(graph.stream(dict(inp), **call.kwargs(context)))
    except Exception as exc:
        return chunks, normalise_exception(exc)
    return chunks, None


def _invoke(graph: Any, context: Any, inp: dict[str, Any], aio: bool) -> Any:
    kw: dict[str, Any] = {} if context is None else {"context": context}
    try:
        return _runner.run(graph.ainvoke(dict(inp), **kw)) if aio else graph.invoke(dict(inp), **kw)
    except Exception as exc:
        return normalise_exception(exc)


# --------------------------------------------------------------------------------------------------
# random graphs


@settings(
    max_examples=int(os.environ.get("NBSTREAM_EXPORT_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases(), extra=st.lists(_calls, min_size=1, max_size=3))
def test_exported_random_graphs_stream_and_invoke_as_nbstream(case: Any, extra: list[Call]) -> None:
    for aio in (False, True):
        graph, context = build(case, "nbstream", aio=aio)
        exported = graph.to_langgraph()
        assert isinstance(exported, lg_state.CompiledStateGraph)
        calls = [Call(list(ALL_MODES), True, aio), Call("updates", False, aio)]
        calls += [dataclasses.replace(c, aio=aio, limit=None) for c in extra]
        for call in calls:
            ours, our_end = _record(graph, context, case.input, call)
            theirs, their_end = _record(exported, context, case.input, call)
            expected = canonical(ours, call.modes, call.subgraphs, v2=call.v2)
            got = canonical(theirs, call.modes, call.subgraphs, v2=call.v2)
            script = reproducer(case, "nbstream", aio=aio, call=call.source(case.input, case.context))
            assert (got, their_end) == (expected, our_end), f"{call}\n# nbstream graph\n{script}"
        assert _invoke(exported, context, case.input, aio) == _invoke(graph, context, case.input, aio)


def _build_exported_thread(tc: Any, lib: str, *, aio: bool) -> tuple[Any, Any]:
    if lib == "exported":
        graph, context = build_thread(tc, "nbstream", aio=aio)
        return graph.to_langgraph(), context
    return build_thread(tc, lib, aio=aio)


@settings(
    max_examples=int(os.environ.get("NBSTREAM_EXPORT_THREAD_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tc=threads.thread_cases(), moves=st.lists(threads._moves, min_size=1, max_size=3), aio=st.booleans())
def test_exported_thread_sessions_pause_resume_and_get_state_as_nbstream(
    tc: Any, moves: list[Any], aio: bool
) -> None:
    moves = [threads._FULL, *moves]
    # the thread test's own event loop runner is closed once its module is done: lend it ours
    with patch.object(threads, "build_thread", _build_exported_thread), patch.object(threads, "_runner", _runner):
        ours = threads._play(tc, "nbstream", moves, aio)
        theirs = threads._play(tc, "exported", moves, aio)
    assert theirs.record == ours.record, threads._first_difference(ours.record, theirs.record)


# --------------------------------------------------------------------------------------------------
# hand-written graphs: each translated feature


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    n: int


def _both(graph: Any, inp: Any, **kw: Any) -> tuple[Any, Any]:
    return list(graph.stream(inp, **kw)), list(graph.to_langgraph().stream(inp, **kw))


def test_send_and_command_goto_update_cross_as_langgraph_objects() -> None:
    def plan(state: State) -> Command[Literal["work"]]:
        return Command(update={"log": ["plan"]}, goto=[Send("work", {"log": [f"job{i}"]}) for i in range(2)])

    def work(arg: State) -> dict[str, Any]:
        return {"log": [f"did {arg['log'][0]}"]}

    def fan(state: State) -> list[Send]:
        return [Send("work", {"log": ["again"]})]

    builder = StateGraph(State)
    builder.add_node("plan", plan).add_node("work", work).add_node("more", lambda s: {"n": len(s["log"])})
    builder.add_edge(START, "plan")
    builder.add_edge("work", "more")
    builder.add_conditional_edges(
        "more", lambda s: "end" if s["n"] > 4 else "fan", {"end": END, "fan": "fanout"}
    )
    builder.add_node("fanout", lambda s: {"log": ["fanout"]})
    builder.add_conditional_edges("fanout", fan)
    graph = builder.compile()
    for modes in ("updates", ["values", "updates", "debug"]):
        ours, theirs = _both(graph, {"log": []}, stream_mode=modes)
        assert canonical(theirs, modes, False) == canonical(ours, modes, False)
    assert graph.to_langgraph().invoke({"log": []}) == graph.invoke({"log": []})


def test_command_to_the_parent_from_an_exported_subgraph() -> None:
    def leave(state: State) -> Command[Any]:
        return Command(graph=Command.PARENT, goto="after", update={"log": ["left"]})

    inner = StateGraph(State).add_node("leave", leave).add_edge(START, "leave").compile()
    builder = StateGraph(State)
    builder.add_node("sub", inner).add_node("after", lambda s: {"log": ["after"]})
    builder.add_edge(START, "sub")
    graph = builder.compile()
    for subgraphs in (False, True):
        modes = ["updates", "values"]
        ours, theirs = _both(graph, {"log": []}, stream_mode=modes, subgraphs=subgraphs)
        assert canonical(theirs, modes, subgraphs) == canonical(ours, modes, subgraphs)
    assert graph.to_langgraph().invoke({"log": []}) == {"log": ["left", "after"]}


def test_interrupt_and_resume_on_a_checkpointed_thread_and_get_state_agree() -> None:
    def ask(state: State) -> dict[str, Any]:
        return {"log": [f"answer:{interrupt({'q': 'ok?'})}"]}

    builder = StateGraph(State).add_node("ask", ask).add_node("done", lambda s: {"log": ["done"]})
    builder.add_edge(START, "ask").add_edge("ask", "done")
    graph = builder.compile(checkpointer=InMemorySaver())
    exported = graph.to_langgraph()
    assert exported.checkpointer is graph.checkpointer  # the same saver: the same threads
    ours, theirs = {"configurable": {"thread_id": "nb"}}, {"configurable": {"thread_id": "lg"}}
    paused_ours = graph.invoke({"log": []}, ours)
    paused_theirs = exported.invoke({"log": []}, theirs)
    assert isinstance(paused_theirs["__interrupt__"][0], lg_types.Interrupt)
    # (interrupt ids hash the task's checkpoint namespace: random per thread in both libraries)
    assert [i.value for i in paused_theirs["__interrupt__"]] == [
        i.value for i in paused_ours["__interrupt__"]
    ]
    nb_state, lg_snapshot = graph.get_state(ours), exported.get_state(theirs)
    assert (
        (lg_snapshot.values, lg_snapshot.next) == (nb_state.values, nb_state.next) == ({"log": []}, ("ask",))
    )
    assert [i.value for i in lg_snapshot.interrupts] == [i.value for i in nb_state.interrupts]
    assert exported.invoke(lg_types.Command(resume="yes"), theirs) == graph.invoke(
        Command(resume="yes"), ours
    )
    assert (
        exported.get_state(theirs).values == graph.get_state(ours).values == {"log": ["answer:yes", "done"]}
    )


def test_a_thread_nbstream_paused_at_a_breakpoint_is_continued_by_the_exported_graph() -> None:
    # (a thread paused on interrupt() is not: nbstream saves interrupts as dicts, docs/differences.md)
    builder = StateGraph(State).add_node("draft", lambda s: {"log": ["draft"]})
    builder.add_node("publish", lambda s: {"log": ["publish"]})
    builder.add_edge(START, "draft").add_edge("draft", "publish")
    graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["publish"])
    config = {"configurable": {"thread_id": "graduating"}}
    assert graph.invoke({"log": ["in"]}, config) == {"log": ["in", "draft"]}
    exported = graph.to_langgraph()
    assert exported.interrupt_before_nodes == ["publish"]
    assert exported.get_state(config).next == ("publish",)
    assert exported.invoke(None, config) == {"log": ["in", "draft", "publish"]}
    assert graph.get_state(config).values == exported.get_state(config).values


def test_writer_config_and_runtime_reach_nodes_injected_or_through_nbstream_accessors() -> None:
    @dataclasses.dataclass
    class Ctx:
        user: str

    def by_accessors(state: State) -> dict[str, Any]:
        get_stream_writer()({"node": get_config()["metadata"]["langgraph_node"]})
        return {"log": [f"ctx:{get_runtime(Ctx).context.user}"]}

    def by_parameters(  # the annotations under which both libraries fill the parameters
        state: State, config: RunnableConfig, writer: StreamWriter, runtime: Runtime[Ctx]
    ) -> dict[str, Any]:
        writer({"step": config["metadata"]["langgraph_step"]})
        return {"log": [f"param:{runtime.context.user}"]}

    async def async_node(state: State, writer: StreamWriter) -> dict[str, Any]:
        writer({"async": True})
        return {"log": ["async"]}

    builder = StateGraph(State, context_schema=Ctx)
    builder.add_sequence([by_accessors, by_parameters, async_node])
    builder.add_edge(START, "by_accessors")
    graph = builder.compile()
    exported = graph.to_langgraph()
    kw: dict[str, Any] = {"stream_mode": ["custom", "updates"], "context": Ctx("ada")}

    async def both_async() -> tuple[list[Any], list[Any]]:
        return [c async for c in graph.astream({"log": []}, **kw)], [
            c async for c in exported.astream({"log": []}, **kw)
        ]

    ours, theirs = _runner.run(both_async())
    assert theirs == ours
    assert ("custom", {"node": "by_accessors"}) in theirs and (
        "updates",
        {"async_node": {"log": ["async"]}},
    ) in theirs
    with pytest.raises(RuntimeError, match="outside a running graph node"):
        get_stream_writer()  # LangGraph being loaded changes nothing outside a run


def test_node_options_and_compile_options_carry_over() -> None:
    tries: list[int] = []

    def flaky(state: State) -> dict[str, Any]:
        tries.append(1)
        if len(tries) % 3:
            raise ConnectionError("try again")
        return {"log": ["flaky ok"]}

    builder = StateGraph(State)
    builder.add_node("flaky", flaky, retry_policy=RetryPolicy(initial_interval=0.001, jitter=False))
    builder.add_node("cached", lambda s: {"n": 1}, cache_policy=CachePolicy(ttl=60), metadata={"owner": "me"})
    builder.add_node("last", lambda s: {"log": ["last"]}, defer=True, destinations={"cached": "maybe"})
    builder.add_edge(START, "flaky").add_edge("flaky", "cached").add_edge("flaky", "last")
    graph = builder.compile(cache=InMemoryCache(), interrupt_before=["last"], name="mine", debug=False)
    exported = graph.to_langgraph()
    assert exported.name == "mine" and exported.interrupt_before_nodes == ["last"]
    assert exported.cache is graph.cache
    spec = exported.builder.nodes
    policy = spec["flaky"].retry_policy[0]
    assert isinstance(policy, lg_types.RetryPolicy) and policy.retry_on is lg_types.default_retry_on
    assert (
        isinstance(spec["cached"].cache_policy, lg_types.CachePolicy)
        and spec["cached"].cache_policy.ttl == 60
    )
    assert spec["cached"].metadata == {"owner": "me"}
    assert spec["last"].defer and spec["last"].ends == {"cached": "maybe"}
    no_breakpoint = StateGraph(State)
    for name, node in builder.nodes.items():
        no_breakpoint.add_node(name, node.action, retry_policy=node.retry_policy, defer=node.defer)
    no_breakpoint.edges = list(builder.edges)
    plain = no_breakpoint.compile()
    assert plain.to_langgraph().invoke({"log": []}) == plain.invoke({"log": []})
    assert len(tries) == 6  # each run: two failures, then the retry that succeeds


def test_the_exported_drawing_has_the_same_nodes_and_edges() -> None:
    def route(state: State) -> Literal["a", "b"]:
        return "a"

    builder = StateGraph(State)
    builder.add_node("r", lambda s: {}).add_node("a", lambda s: {}).add_node("b", lambda s: {})
    builder.add_node("j", lambda s: {})
    builder.add_edge(START, "r").add_conditional_edges("r", route)
    builder.add_edge(["a", "b"], "j").add_edge("j", END)
    graph = builder.compile()
    ours, theirs = graph.get_graph(), graph.to_langgraph().get_graph()
    assert set(theirs.nodes) == set(ours.nodes)
    assert {(e.source, e.target, e.conditional) for e in theirs.edges} == {
        (e.source, e.target, e.conditional) for e in ours.edges
    }


def test_overwrite_and_managed_keys_become_langgraphs() -> None:
    class Counted(TypedDict, total=False):
        log: Annotated[list[str], operator.add]
        remaining_steps: RemainingSteps

    def reset(state: Counted) -> dict[str, Any]:
        return {"log": Overwrite([f"reset with {state['remaining_steps']} left"])}

    builder = StateGraph(Counted).add_node("reset", reset).add_edge(START, "reset")
    graph = builder.compile()
    exported = graph.to_langgraph()
    config = {"recursion_limit": 7}
    assert exported.invoke({"log": ["old"]}, config) == graph.invoke({"log": ["old"]}, config)
    assert graph.invoke({"log": ["old"]}, config) == {"log": ["reset with 6 left"]}


def test_what_cannot_be_exported_is_refused_by_name() -> None:
    @dataclasses.dataclass
    class Model:
        steps: RemainingSteps = 0

    managed = StateGraph(Model).add_node("n", lambda s: {}).add_edge(START, "n").compile()
    with pytest.raises(NotSupportedError, match="'steps' of Model"):
        managed.to_langgraph()

    from langchain_core.tools import tool

    from nbstream.prebuilt import ToolNode

    @tool
    def echo(text: str) -> str:
        """Echo the text."""
        return text

    tools = StateGraph(State).add_node("tools", ToolNode([echo])).add_edge(START, "tools").compile()
    with pytest.raises(NotSupportedError, match="node 'tools' is nbstream's ToolNode"):
        tools.to_langgraph()


def test_without_langgraph_the_error_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = StateGraph(State).add_node("n", lambda s: {}).add_edge(START, "n").compile()
    monkeypatch.setitem(sys.modules, "langgraph.graph", None)
    with pytest.raises(ImportError, match=r"pip install nbstream\[langgraph\]"):
        graph.to_langgraph()


# --------------------------------------------------------------------------------------------------
# the example LangGraph Server module


def test_the_server_example_exports_a_graph_that_runs_as_the_nbstream_one() -> None:
    folder = ROOT / "examples" / "langgraph_server"
    manifest = json.loads((folder / "langgraph.json").read_text())
    module_path, attribute = manifest["graphs"]["agent"].split(":")
    spec = importlib.util.spec_from_file_location("_server_example", folder / module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    graph = getattr(module, attribute)
    assert isinstance(graph, lg_state.CompiledStateGraph)
    inp = module.EXAMPLE_INPUT
    modes = ["updates", "custom", "messages", "values"]
    # message ids and task ids are random in both runs: compare the chunks with them blanked
    ours = [
        _UUID.sub("<id>", repr(c)) for c in module.compiled.stream(inp, stream_mode=modes, subgraphs=True)
    ]
    theirs = [_UUID.sub("<id>", repr(c)) for c in graph.stream(inp, stream_mode=modes, subgraphs=True)]
    assert theirs == ours
    assert any("'messages'" in c and "Otters" in c for c in theirs)  # the chat model's tokens streamed


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_raised_node_interrupt_and_parent_command_become_langgraphs() -> None:
    import langgraph.errors as lg_errors
    import langgraph.graph as lg_graph

    from nbstream.errors import NodeInterrupt, ParentCommand

    def wait(state: State) -> dict[str, Any]:
        raise NodeInterrupt("wait")

    with pytest.warns(DeprecationWarning):
        paused = StateGraph(State).add_node("wait", wait).add_edge(START, "wait")
        graph = paused.compile(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        out = graph.to_langgraph().invoke({"log": []}, config)
    assert [(type(i), i.value) for i in out["__interrupt__"]] == [(lg_types.Interrupt, "wait")]

    def leave(state: State) -> dict[str, Any]:
        raise ParentCommand(Command(graph=Command.PARENT, goto="after", update={"log": ["left"]}))

    def leave_lg(state: State) -> dict[str, Any]:
        raise lg_errors.ParentCommand(
            lg_types.Command(graph=lg_types.Command.PARENT, goto="after", update={"log": ["left"]})
        )

    def outer(lib: Any, leaving: Any) -> Any:
        inner = lib.StateGraph(State).add_node("leave", leaving).add_edge(lib.START, "leave").compile()
        builder = lib.StateGraph(State).add_node("sub", inner).add_node("after", lambda s: {"log": ["after"]})
        return builder.add_edge(lib.START, "sub").compile()

    import nbstream.graph as nb_graph

    reference = outer(lg_graph, leave_lg).invoke({"log": []})
    assert (
        outer(nb_graph, leave).to_langgraph().invoke({"log": []}) == reference == {"log": ["left", "after"]}
    )
