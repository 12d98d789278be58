"""A compiled graph is a langchain-core Runnable and reports to LangChain callbacks as LangGraph's does.

Every test builds the same program on nbstream and on LangGraph 1.2.22 and compares what a user
sees: the callback run tree (names, nesting, tags, the ``langgraph_*`` metadata, inputs and
outputs), ``astream_events`` lists (run ids and timestamps left out), the results of
``with_config``/``batch``/``abatch``/``pipe``/``with_retry``/``with_listeners``, and the schemas.
"""

from __future__ import annotations

import asyncio
import operator
import os
from typing import Annotated, Any
from uuid import UUID

import langgraph.config
import langgraph.graph
import langgraph.types
import pytest
from langchain_core.callbacks import BaseCallbackHandler, adispatch_custom_event
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.tracers.context import collect_runs
from pydantic import BaseModel
from typing_extensions import TypedDict

import nbstream.config
import nbstream.graph
import nbstream.types
from nbstream.runtime import _tracing

LIBS = {
    "nbstream": (nbstream.graph, nbstream.config, nbstream.types),
    "langgraph": (langgraph.graph, langgraph.config, langgraph.types),
}
META_KEYS = ("langgraph_step", "langgraph_node", "langgraph_triggers", "langgraph_path", "ls_integration")


class S(TypedDict):
    x: Annotated[list[Any], operator.add]


def model(text: str = "hello world") -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=text, id="m1")]))


class Recorder(BaseCallbackHandler):
    """Every chain, chat-model and custom event as (event, name, parent name, tags, metadata, data)."""

    def __init__(self) -> None:
        self.names: dict[UUID, str] = {}
        self.parents: dict[UUID, UUID | None] = {}
        self.events: list[tuple[Any, ...]] = []

    def _parent(self, parent_run_id: UUID | None) -> str | None:
        return None if parent_run_id is None else self.names.get(parent_run_id)

    def _start(
        self, kind: str, name: Any, data: Any, run_id: UUID, parent: UUID | None, tags: Any, meta: Any
    ) -> None:
        self.names[run_id] = name
        self.parents[run_id] = parent
        subset = {k: meta[k] for k in META_KEYS if k in (meta or {})}
        self.events.append((kind, name, self._parent(parent), tuple(tags or ()), subset, data))

    def on_chain_start(
        self,
        serialized: Any,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: Any = None,
        metadata: Any = None,
        **kw: Any,
    ) -> None:
        self._start("chain_start", kw.get("name"), inputs, run_id, parent_run_id, tags, metadata)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(
            ("chain_end", self.names[run_id], self._parent(self.parents[run_id]), plain(outputs))
        )

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(("chain_error", self.names[run_id], repr(error)))

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: Any = None,
        metadata: Any = None,
        **kw: Any,
    ) -> None:
        self._start("chat_start", "chat", None, run_id, parent_run_id, tags, metadata)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(("llm_end", self.names[run_id], self._parent(self.parents[run_id])))

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(("custom", name, self.names.get(run_id), data))


def plain(value: Any) -> Any:
    """A node's or router's output with each library's Command and Send made comparable."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, langgraph.types.Command | nbstream.types.Command):
        return ("Command", value.update, value.goto)
    if isinstance(value, langgraph.types.Send | nbstream.types.Send):
        return ("Send", value.node, value.arg)
    return value


def tree_graph(lib: str) -> Any:
    """Nodes, a plain edge, three routers (named, lambda, path_map), Send, Command, a subgraph and a
    chat model called without a config inside a node."""
    g, _, types = LIBS[lib]
    sub = g.StateGraph(S)
    sub.add_node("inner", lambda s: {"x": ["inner"]})
    sub.add_edge(g.START, "inner")

    def first(state: S) -> dict[str, Any]:
        return {"x": ["first"]}

    def talk(state: S) -> dict[str, Any]:
        model().invoke("hi")
        return {"x": ["talk"]}

    def route(state: S) -> str:
        return "talk"

    def pick(state: S) -> str:
        return "one"

    builder = g.StateGraph(S)
    builder.add_node("first", first)
    builder.add_node("talk", talk)
    builder.add_node("sub", sub.compile())
    builder.add_node("cmd", lambda s: types.Command(update={"x": ["cmd"]}, goto="sub"))
    builder.add_edge(g.START, "first")
    builder.add_conditional_edges("first", route)
    builder.add_conditional_edges("talk", lambda s: [types.Send("cmd", {"x": ["sent"]})])
    builder.add_conditional_edges("cmd", pick, {"one": g.END})
    builder.add_edge("sub", g.END)
    return builder.compile()


def record(lib: str, build: Any, config: dict[str, Any] | None = None, use_async: bool = False) -> Any:
    rec = Recorder()
    graph = build(lib)
    cfg = {**(config or {}), "callbacks": [rec]}
    result = asyncio.run(graph.ainvoke({"x": []}, cfg)) if use_async else graph.invoke({"x": []}, cfg)
    return result, rec.events


@pytest.mark.parametrize("use_async", [False, True])
def test_callback_run_tree_matches_langgraph(use_async: bool) -> None:
    config = {"tags": ["mine"], "metadata": {"user": 1}}
    nb = record("nbstream", tree_graph, config, use_async)
    lg = record("langgraph", tree_graph, config, use_async)
    assert nb == lg
    events = nb[1]
    # spot checks of what the comparison covers
    assert events[0][:4] == ("chain_start", "LangGraph", None, ("mine",))
    chat = next(e for e in events if e[0] == "chat_start")
    assert chat[:4] == ("chat_start", "chat", "talk", ("seq:step:1", "mine"))
    assert any(e[:3] == ("chain_start", "route", "first") and e[3] == ("seq:step:3", "mine") for e in events)
    assert any(e[:3] == ("chain_start", "LangGraph", "sub") for e in events)


def start_router_graph(lib: str) -> Any:
    g, _, _ = LIBS[lib]
    builder = g.StateGraph(S)
    builder.add_node("a", lambda s: {"x": ["a"]})
    builder.add_conditional_edges(g.START, lambda s: "a")
    return builder.compile()


def test_start_routers_run_under_a_hidden_start_task() -> None:
    nb = record("nbstream", start_router_graph, {"tags": ["t"]})
    assert nb == record("langgraph", start_router_graph, {"tags": ["t"]})
    start = nb[1][1]
    assert start[:4] == ("chain_start", "__start__", "LangGraph", ("graph:step:0", "t", "langsmith:hidden"))


def failing_graph(lib: str) -> Any:
    g, _, _ = LIBS[lib]

    def bad(state: S) -> dict[str, Any]:
        raise ValueError("boom")

    builder = g.StateGraph(S)
    builder.add_node("ok", lambda s: {"x": ["ok"]})
    builder.add_node("bad", bad)
    builder.add_edge(g.START, "ok")
    builder.add_edge("ok", "bad")
    return builder.compile()


@pytest.mark.parametrize("use_async", [False, True])
def test_node_error_ends_the_node_and_graph_runs_with_the_error(use_async: bool) -> None:
    seen = {}
    for lib in LIBS:
        with pytest.raises(ValueError, match="boom"):
            record(lib, failing_graph, None, use_async)
        rec = Recorder()
        with pytest.raises(ValueError):
            failing_graph(lib).invoke({"x": []}, {"callbacks": [rec]})
        seen[lib] = rec.events
    assert seen["nbstream"] == seen["langgraph"]
    assert [e[:2] for e in seen["nbstream"][-2:]] == [("chain_error", "bad"), ("chain_error", "LangGraph")]


def fan_out_graph(lib: str) -> Any:
    g, _, types = LIBS[lib]
    builder = g.StateGraph(S)
    for name in ("a", "b", "c"):
        builder.add_node(name, lambda s, name=name: {"x": [name]})
    builder.add_conditional_edges(g.START, lambda s: [types.Send("a", {"x": []}), "b", "c"])
    return builder.compile()


@pytest.mark.parametrize("use_async", [False, True])
def test_parallel_tasks_are_sibling_runs_of_one_step(use_async: bool) -> None:
    nb = record("nbstream", fan_out_graph, None, use_async)
    lg = record("langgraph", fan_out_graph, None, use_async)
    assert nb[0] == lg[0]
    assert sorted(map(repr, nb[1])) == sorted(map(repr, lg[1]))


# -- astream_events ------------------------------------------------------------------------------
def events_graph(lib: str) -> Any:
    """Async and sync nodes, a router, a subgraph, a stream writer, a custom event, a streaming model."""
    g, config, _ = LIBS[lib]
    chat = model()

    async def a(state: S) -> dict[str, Any]:
        config.get_stream_writer()({"w": 1})
        await adispatch_custom_event("my_event", {"d": 1})
        return {"x": ["a"]}

    async def b(state: S) -> dict[str, Any]:
        await chat.ainvoke("hi")
        return {"x": ["b"]}

    def route(state: S) -> str:
        return "b"

    sub = g.StateGraph(S)
    sub.add_node("sa", lambda s: {"x": ["sa"]})
    sub.add_edge(g.START, "sa")
    builder = g.StateGraph(S)
    builder.add_node("a", a)
    builder.add_node("b", b)
    builder.add_node("sub", sub.compile())
    builder.add_edge(g.START, "a")
    builder.add_conditional_edges("a", route)
    builder.add_edge("b", "sub")
    return builder.compile()


def sync_model_graph(lib: str) -> Any:
    """A sync node calling a model with its config, as a worker thread does under astream."""
    g, _, _ = LIBS[lib]
    chat = model("one two")

    def call(state: S, config: RunnableConfig) -> dict[str, Any]:
        message = chat.invoke("hi", config)
        return {"x": [message.content]}

    builder = g.StateGraph(S)
    builder.add_node("call", call)
    builder.add_conditional_edges(g.START, lambda s: "call")
    return builder.compile()


def stream_events(lib: str, build: Any, version: str = "v2", **kwargs: Any) -> list[tuple[Any, ...]]:
    async def collect() -> list[tuple[Any, ...]]:
        graph = build(lib)
        out = []
        async for e in graph.astream_events({"x": []}, {"tags": ["t"]}, version=version, **kwargs):
            data = {k: (v.content if isinstance(v, BaseMessage) else plain(v)) for k, v in e["data"].items()}
            meta = {k: e["metadata"][k] for k in META_KEYS if k in e["metadata"]}
            out.append(
                (e["event"], e["name"], len(e.get("parent_ids", ())), tuple(e["tags"]), meta, repr(data))
            )
        return out

    return asyncio.run(collect())


@pytest.mark.parametrize("build", [events_graph, sync_model_graph, tree_graph, start_router_graph])
def test_astream_events_v2_matches_langgraph(build: Any) -> None:
    nb = stream_events("nbstream", build)
    assert nb == stream_events("langgraph", build)
    names = {e[0] for e in nb}
    assert {"on_chain_start", "on_chain_stream", "on_chain_end"} <= names


def test_astream_events_has_tokens_custom_events_and_nesting() -> None:
    events = stream_events("nbstream", events_graph)
    tokens = [e for e in events if e[0] == "on_chat_model_stream"]
    assert [e[5] for e in tokens] == [repr({"chunk": t}) for t in ("hello", " ", "world")]
    assert {e[2] for e in tokens} == {2}  # graph > node b > model
    assert [e[:3] for e in events if e[0] == "on_custom_event"] == [("on_custom_event", "my_event", 1)]
    assert ("on_chain_start", "sa", 3) in [e[:3] for e in events]  # graph > sub > subgraph > sa


def test_astream_events_v1_and_stream_mode_match_langgraph() -> None:
    with pytest.warns(Warning):
        nb = stream_events("nbstream", events_graph, "v1")
    with pytest.warns(Warning):
        assert nb == stream_events("langgraph", events_graph, "v1")
    values = stream_events("nbstream", events_graph, stream_mode="values")
    assert values == stream_events("langgraph", events_graph, stream_mode="values")


# -- Runnable API --------------------------------------------------------------------------------
def chain_graph(lib: str) -> Any:
    g, _, _ = LIBS[lib]
    builder = g.StateGraph(S)
    builder.add_node("a", lambda s: {"x": ["a"]})
    builder.add_node("b", lambda s: {"x": ["b"]})
    builder.add_edge(g.START, "a")
    builder.add_edge("a", "b")
    return builder.compile()


def both(fn: Any) -> Any:
    nb, lg = fn(chain_graph("nbstream")), fn(chain_graph("langgraph"))
    assert nb == lg
    return nb


def test_batch_and_abatch_match_langgraph() -> None:
    inputs = [{"x": [1]}, {"x": [2]}, {"x": [3]}]
    assert both(lambda g: g.batch(inputs)) == [{"x": [i, "a", "b"]} for i in (1, 2, 3)]
    both(lambda g: asyncio.run(g.abatch(inputs)))
    both(lambda g: sorted(g.batch_as_completed(inputs)))

    async def as_completed(g: Any) -> list[Any]:
        return sorted([r async for r in g.abatch_as_completed(inputs)])

    both(lambda g: asyncio.run(as_completed(g)))
    errors = both(
        lambda g: [
            type(e).__name__ for e in g.batch(inputs[:1], {"recursion_limit": 2}, return_exceptions=True)
        ]
    )
    assert errors == ["GraphRecursionError"]


def test_with_config_pipe_retry_match_langgraph() -> None:
    assert both(lambda g: g.with_config(tags=["t"]).invoke({"x": [0]})) == {"x": [0, "a", "b"]}
    both(lambda g: list(g.with_config(recursion_limit=5).stream({"x": [0]})))
    piped = both(lambda g: (g | RunnableLambda(lambda s: s["x"])).invoke({"x": [0]}))
    assert piped == [0, "a", "b"]
    both(lambda g: (RunnableLambda(lambda v: {"x": [v]}) | g).invoke(7))
    both(lambda g: g.with_retry(stop_after_attempt=2).invoke({"x": [0]}))

    def named_tree(g: Any) -> Any:
        rec = Recorder()
        (g.with_config(run_name="mine", tags=["t"]) | RunnableLambda(lambda s: s)).invoke(
            {"x": []}, {"callbacks": [rec]}
        )
        return rec.events

    tree = both(named_tree)
    assert tree[1][:3] == ("chain_start", "mine", "RunnableSequence")


def test_with_listeners_sees_the_graph_run() -> None:
    def listen(g: Any) -> Any:
        seen: list[Any] = []
        g.with_listeners(
            on_start=lambda run: seen.append(("start", run.name, run.inputs)),
            on_end=lambda run: seen.append(("end", run.name, run.outputs, [c.name for c in run.child_runs])),
        ).invoke({"x": [0]})
        return seen

    assert both(listen)[-1] == ("end", "LangGraph", {"x": [0, "a", "b"]}, ["a", "b"])


class Ctx(TypedDict):
    user: str


class In(TypedDict):
    x: list[Any]


class Out(TypedDict):
    y: str


class Full(TypedDict):
    x: Annotated[list[Any], operator.add]
    y: str


class Model(BaseModel):
    x: list[Any] = []
    y: str = ""


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"input_schema": In, "output_schema": Out}, {"context_schema": Ctx}],
    ids=["plain", "io", "ctx"],
)
@pytest.mark.parametrize("state", [Full, Model], ids=["typeddict", "pydantic"])
def test_schemas_and_names_match_langgraph(state: Any, kwargs: dict[str, Any]) -> None:
    def describe(lib: str) -> Any:
        g, _, _ = LIBS[lib]
        builder = g.StateGraph(state, **kwargs)
        builder.add_node("a", lambda s: {"y": "1"})
        builder.add_edge(g.START, "a")
        graph = builder.compile()
        return (
            graph.get_name(),
            graph.get_name("Input"),
            graph.InputType,
            graph.OutputType,
            graph.get_input_jsonschema(),
            graph.get_output_jsonschema(),
            graph.get_input_schema().model_json_schema(),
            graph.get_output_schema().model_json_schema(),
            graph.get_context_jsonschema(),
            graph.config_specs,
        )

    assert describe("nbstream") == describe("langgraph")


# -- callbacks beside the messages mode, and when they are looked for ------------------------------
def messages_graph(lib: str) -> Any:
    g, _, _ = LIBS[lib]
    chat = model("a b")

    def talk(state: S) -> dict[str, Any]:
        return {"x": [chat.invoke("hi").content]}

    builder = g.StateGraph(S)
    builder.add_node("talk", talk)
    builder.add_edge(g.START, "talk")
    return builder.compile()


def test_messages_mode_is_unchanged_by_callbacks_and_both_see_the_model() -> None:
    def run(lib: str, with_callbacks: bool) -> Any:
        rec = Recorder()
        config = {"callbacks": [rec]} if with_callbacks else None
        chunks = [
            (m.content, meta["langgraph_node"])
            for m, meta in messages_graph(lib).stream({"x": []}, config, stream_mode="messages")
        ]
        return chunks, [e[:3] for e in rec.events]

    plain = run("nbstream", False)
    traced = run("nbstream", True)
    assert plain[0] == traced[0] == [("a", "talk"), (" ", "talk"), ("b", "talk")]
    assert traced == run("langgraph", True)
    assert ("chat_start", "chat", "talk") in traced[1]


def test_collect_runs_hook_is_honoured_without_config_callbacks() -> None:
    for lib in LIBS:
        with collect_runs() as cb:
            chain_graph(lib).invoke({"x": []})
        # as LangGraph: the collector's hook handler is not inherited, so it sees the graph run alone
        assert [(r.name, r.outputs, r.child_runs) for r in cb.traced_runs] == [
            ("LangGraph", {"x": ["a", "b"]}, [])
        ]


def test_langsmith_env_var_turns_tracing_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_core.tracers.langchain import LangChainTracer
    from langsmith import utils
    from langsmith.client import Client
    from langsmith.schemas import LangSmithInfo

    # nothing leaves the process: the tracer's client neither asks for server info nor sends runs
    monkeypatch.setattr(Client, "info", property(lambda self: LangSmithInfo()))

    names: list[str] = []
    monkeypatch.setattr(LangChainTracer, "_persist_run_single", lambda self, run: names.append(run.name))
    monkeypatch.setattr(LangChainTracer, "_update_run_single", lambda self, run: None)
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("LANGSMITH_API_KEY", "test")
    monkeypatch.setenv("LANGSMITH_ENDPOINT", "http://127.0.0.1:9")
    utils.get_env_var.cache_clear()
    try:
        assert _tracing.tracing_wanted(None)
        chain_graph("nbstream").invoke({"x": []})
    finally:
        monkeypatch.delenv("LANGSMITH_TRACING")
        utils.get_env_var.cache_clear()
    assert names == ["LangGraph", "a", "b"]
    assert not _tracing.tracing_wanted(None) or os.environ.get("LANGCHAIN_TRACING_V2") == "true"


def test_tracing_is_looked_for_once_per_call_not_per_step(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = _tracing.tracing_wanted

    def counting(callbacks: Any) -> bool:
        calls.append(callbacks)
        return real(callbacks)

    monkeypatch.setattr(_tracing, "tracing_wanted", counting)
    g, _, _ = LIBS["nbstream"]
    builder = g.StateGraph(S)
    for i in range(10):
        builder.add_node(f"n{i}", lambda s: {"x": [1]})
    builder.add_edge(g.START, "n0")
    for i in range(9):
        builder.add_edge(f"n{i}", f"n{i + 1}")
    graph = builder.compile()
    assert graph.invoke({"x": []}) == {"x": [1] * 10}
    list(graph.stream({"x": []}))
    assert len(calls) == 2


def test_langsmith_tracing_context_without_env_vars_turns_tracing_on() -> None:
    from langsmith import tracing_context

    from nbstream.runtime._tracing import tracing_wanted

    assert not tracing_wanted(None)
    with tracing_context(enabled=True):
        assert tracing_wanted(None)
    with tracing_context(enabled=False):
        assert not tracing_wanted(None)
