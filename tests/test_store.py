"""The long-term memory store (``compile(store=...)``) on nbstream and on LangGraph 1.2.22, side by side.

Each program is written once against a library's modules and run on both; the store itself is
langgraph-checkpoint's ``InMemoryStore`` in both (it is the ecosystem's interface, as savers are).
What a program returns is compared after dropping what is random in both: item timestamps,
message and task ids.
"""

import asyncio
import importlib
import itertools
import operator
import re
import warnings
from types import SimpleNamespace
from typing import Annotated, Any, Optional

import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.base import BaseStore, Item
from langgraph.store.memory import InMemoryStore
from typing_extensions import TypedDict

from nbstream.testing import scripted_chat_model

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def lib(name: str) -> SimpleNamespace:
    """The modules of one library a program imports."""
    modules = ("graph", "config", "runtime", "prebuilt", "types")
    return SimpleNamespace(name=name, **{m: importlib.import_module(f"{name}.{m}") for m in modules})


LG, NB = lib("langgraph"), lib("nbstream")


def same_on_both(program: Any) -> Any:
    """Run ``program(lib)`` on LangGraph, then on nbstream; assert equal results and return them."""
    expected = program(LG)
    assert program(NB) == expected
    return expected


def items(found: list[Item] | Item | None) -> Any:
    """Store items without their timestamps (which differ between two runs)."""
    if found is None:
        return None
    if isinstance(found, Item):
        return (tuple(found.namespace), found.key, found.value)
    return [items(i) for i in found]


def outcome(fn: Any) -> Any:
    """What calling ``fn`` gives: its result, or the error's type (messages are each library's own)."""
    try:
        return fn()
    except Exception as error:
        return f"raised {type(error).__name__}"


class Log(TypedDict):
    xs: Annotated[list[Any], operator.add]


class Tagged(InMemoryStore):
    """An InMemoryStore that says which one it is, so a run can show which store a node got."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag


def tag_of(store: Any) -> Any:
    return getattr(store, "tag", None) if store is not None else None


# -- a memory graph: per-user memories across threads --------------------------------------------
def test_memories_put_on_one_thread_are_found_on_another_for_the_same_user() -> None:
    def program(g: SimpleNamespace) -> Any:
        class Chat(TypedDict):
            said: str
            recalled: list[Any]

        def remember(state: Chat, config: RunnableConfig) -> dict[str, Any]:
            store = g.config.get_store()
            user = config["configurable"]["user_id"]
            namespace = ("memories", user)
            count = len(store.search(namespace))
            store.put(namespace, f"m{count}", {"fact": state["said"]})
            return {}

        def recall(state: Chat, config: RunnableConfig, *, store: BaseStore) -> dict[str, Any]:
            user = config["configurable"]["user_id"]
            found = store.search(("memories", user), limit=10)
            return {"recalled": sorted(i.value["fact"] for i in found)}

        store = InMemoryStore()
        graph = (
            g.graph.StateGraph(Chat)
            .add_node("remember", remember)
            .add_node("recall", recall)
            .add_edge(g.graph.START, "remember")
            .add_edge("remember", "recall")
            .compile(checkpointer=InMemorySaver(), store=store)
        )
        runs = []
        for thread, user, said in [("t1", "ada", "likes tea"), ("t2", "ada", "lives in Paris"), ("t3", "bob", "x")]:
            config = {"configurable": {"thread_id": thread, "user_id": user}}
            runs.append(graph.invoke({"said": said, "recalled": []}, config))
        again = {"configurable": {"thread_id": "t1", "user_id": "ada"}}
        runs.append(list(graph.stream({"said": "plays go", "recalled": []}, again, stream_mode="updates")))
        snapshot = graph.get_state(again).values
        return runs, snapshot, items(store.search(("memories",))), graph.store is store

    runs, _, stored, same = same_on_both(program)
    assert runs[1]["recalled"] == ["likes tea", "lives in Paris"] and runs[2]["recalled"] == ["x"]
    assert len(stored) == 4 and same


# -- the ways a node reaches the store ----------------------------------------------------------
def test_a_node_gets_the_store_by_get_store_runtime_and_the_parameters_langgraph_fills() -> None:
    def program(g: SimpleNamespace, store: Any) -> Any:
        def plain(state: Log, store):  # type: ignore[no-untyped-def]  # unannotated: filled
            return {"xs": [("plain", tag_of(store))]}

        def typed(state: Log, store: BaseStore) -> dict[str, Any]:
            return {"xs": [("typed", tag_of(store))]}

        def optional(state: Log, store: Optional[BaseStore]) -> dict[str, Any]:  # noqa: UP045
            return {"xs": [("optional", tag_of(store))]}

        def pep604(state: Log, store: BaseStore | None) -> dict[str, Any]:
            return {"xs": [("pep604", tag_of(store))]}

        def keyword(state: Log, *, store: BaseStore) -> dict[str, Any]:
            return {"xs": [("keyword", tag_of(store))]}

        def other_hint(state: Log, store: InMemoryStore | str = "left alone") -> dict[str, Any]:
            return {"xs": [("other_hint", tag_of(store) if not isinstance(store, str) else store)]}

        def written_hint(state: Log, store: "BaseStore") -> dict[str, Any]:
            return {"xs": [("written_hint", tag_of(store))]}

        def written_pep604(state: Log, store: "BaseStore | None" = None) -> dict[str, Any]:
            return {"xs": [("written_pep604", store)]}  # LangGraph leaves this one to its default

        def by_runtime(state: Log, runtime: g.runtime.Runtime) -> dict[str, Any]:  # type: ignore[name-defined]
            return {"xs": [("runtime", tag_of(runtime.store), runtime.store is g.config.get_store())]}

        def by_accessor(state: Log) -> dict[str, Any]:
            return {"xs": [("get_store", tag_of(g.config.get_store()))]}

        def router(state: Log, store: BaseStore) -> str:
            return "by_accessor" if tag_of(store) == tag_of(g.config.get_store()) else "nowhere"

        def start_router(state: Log, store) -> list[str]:  # type: ignore[no-untyped-def]
            seen = (tag_of(store), tag_of(g.config.get_store()), tag_of(g.runtime.get_runtime().store))
            return ["plain"] if seen == (tag_of(store),) * 3 else []

        builder = g.graph.StateGraph(Log)
        chain = [plain, typed, optional, pep604, keyword, other_hint, written_hint, written_pep604, by_runtime]
        for fn in chain:
            builder.add_node(fn.__name__, fn)
        builder.add_node("by_accessor", by_accessor)
        builder.add_conditional_edges(g.graph.START, start_router, ["plain"])
        for a, b in itertools.pairwise(chain):
            builder.add_edge(a.__name__, b.__name__)
        builder.add_conditional_edges("by_runtime", router, ["by_accessor"])
        graph = builder.compile(store=store)
        return graph.invoke({"xs": []})["xs"], graph.store is store

    with_store = program(LG, Tagged("mine"))
    assert program(NB, Tagged("mine")) == with_store
    assert ("typed", "mine") in with_store[0] and ("other_hint", "left alone") in with_store[0]
    assert ("written_pep604", None) in with_store[0]
    without = program(LG, None)
    assert program(NB, None) == without
    assert ("get_store", None) in without[0]


def test_get_store_outside_a_run_raises_runtime_error_as_langgraph() -> None:
    assert outcome(NB.config.get_store) == outcome(LG.config.get_store) == "raised RuntimeError"


def test_async_nodes_use_aput_and_asearch() -> None:
    def program(g: SimpleNamespace) -> Any:
        async def write(state: Log, runtime: g.runtime.Runtime) -> dict[str, Any]:  # type: ignore[name-defined]
            await runtime.store.aput(("notes",), "a", {"n": 1})
            await g.config.get_store().aput(("notes",), "b", {"n": 2})
            return {"xs": [type(runtime.store).__name__]}

        async def read(state: Log, store: BaseStore) -> dict[str, Any]:
            found = await store.asearch(("notes",), filter={"n": 2})
            got = await store.aget(("notes",), "a")
            return {"xs": [[i.value for i in found], got.value if got else None]}

        store = InMemoryStore()
        graph = (
            g.graph.StateGraph(Log)
            .add_node("write", write)
            .add_node("read", read)
            .add_edge(g.graph.START, "write")
            .add_edge("write", "read")
            .compile(store=store)
        )

        async def main() -> Any:
            streamed = [c async for c in graph.astream({"xs": []}, stream_mode="updates")]
            return streamed, await graph.ainvoke({"xs": []}), items(store.search(("notes",)))

        return asyncio.run(main())

    streamed, _, _ = same_on_both(program)
    assert streamed[0] == {"write": {"xs": ["InMemoryStore"]}}


# -- subgraphs ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("outer", "inner"), [("P", "S"), (None, "S"), ("P", None)], ids=["both", "subgraph-only", "parent-only"]
)
def test_a_subgraph_uses_the_parent_store_even_when_it_has_its_own(outer: Any, inner: Any) -> None:
    def program(g: SimpleNamespace) -> Any:
        def who(state: Log) -> dict[str, Any]:
            return {"xs": [tag_of(g.config.get_store())]}

        sub = (
            g.graph.StateGraph(Log)
            .add_node("who", who)
            .add_edge(g.graph.START, "who")
            .compile(store=inner and Tagged(inner))
        )

        def calls_it(state: Log) -> dict[str, Any]:
            return {"xs": sub.invoke({"xs": []})["xs"]}

        async def acalls_it(state: Log) -> dict[str, Any]:
            return {"xs": (await sub.ainvoke({"xs": []}))["xs"]}

        parent = g.graph.StateGraph(Log).add_node("sub", sub).add_edge(g.graph.START, "sub")
        parent.add_node("calls_it", calls_it).add_edge(g.graph.START, "calls_it")
        graph = parent.compile(store=outer and Tagged(outer))
        alone = sub.invoke({"xs": []})["xs"]
        parent_async = (
            g.graph.StateGraph(Log)
            .add_node("sub", sub)
            .add_node("acalls_it", acalls_it)
            .add_edge(g.graph.START, "sub")
            .add_edge(g.graph.START, "acalls_it")
            .compile(store=outer and Tagged(outer))
        )
        return sorted(graph.invoke({"xs": []})["xs"], key=str), alone, asyncio.run(parent_async.ainvoke({"xs": []}))

    in_parent, alone, _ = same_on_both(program)
    assert in_parent == [outer, outer] and alone == [inner]


# -- prebuilt: ToolNode and create_react_agent ---------------------------------------------------
def _save_tool(marker: Any) -> Any:
    @tool
    def save_memory(fact: str, store: Annotated[Any, marker()]) -> str:
        """Save a fact about the user."""
        store.put(("facts",), fact, {"fact": fact})
        return f"saved {fact}"

    return save_memory


CALL = AIMessage("", tool_calls=[{"name": "save_memory", "args": {"fact": "likes tea"}, "id": "c1"}])


def _tool_graph(g: SimpleNamespace, marker: Any, store: Any) -> Any:
    tools = g.prebuilt.ToolNode([_save_tool(marker)])
    builder = g.graph.StateGraph(g.graph.MessagesState).add_node("tools", tools)
    return builder.add_edge(g.graph.START, "tools").compile(store=store)


def test_a_tool_node_fills_injected_store_with_either_libraries_marker() -> None:
    results = {}
    for name, g, marker in [
        ("langgraph", LG, LG.prebuilt.InjectedStore),
        ("nbstream", NB, NB.prebuilt.InjectedStore),
        ("nbstream, LangGraph's marker", NB, LG.prebuilt.InjectedStore),
    ]:
        store = InMemoryStore()
        out = _tool_graph(g, marker, store).invoke({"messages": [CALL]})
        schema = _save_tool(marker).tool_call_schema.model_json_schema()
        results[name] = (out["messages"][-1].content, items(store.search(("facts",))), list(schema["properties"]))
    assert results["nbstream"] == results["langgraph"] == results["nbstream, LangGraph's marker"]
    assert results["langgraph"] == ("saved likes tea", [(("facts",), "likes tea", {"fact": "likes tea"})], ["fact"])


def test_create_react_agent_passes_its_store_to_the_tools() -> None:
    def program(g: SimpleNamespace) -> Any:
        model = scripted_chat_model([{"name": "save_memory", "args": {"fact": "likes tea"}}], "Noted.")
        store = InMemoryStore()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            agent = g.prebuilt.create_react_agent(
                model, [_save_tool(g.prebuilt.InjectedStore)], store=store, checkpointer=InMemorySaver()
            )
        config = {"configurable": {"thread_id": "1"}}
        chunks = list(agent.stream({"messages": [("user", "I like tea")]}, config, stream_mode="updates"))
        return _UUID.sub("<uuid>", repr(chunks)), items(store.search(("facts",))), agent.store is store

    text, stored, same = same_on_both(program)
    assert "saved likes tea" in text and stored == [(("facts",), "likes tea", {"fact": "likes tea"})] and same


# -- without a store --------------------------------------------------------------------------------
def test_without_a_store_nodes_see_none_and_injected_store_tools_raise_value_error() -> None:
    def program(g: SimpleNamespace) -> Any:
        def node(state: Log, store: BaseStore, runtime: g.runtime.Runtime) -> dict[str, Any]:  # type: ignore[name-defined]
            return {"xs": [store, runtime.store, g.config.get_store()]}

        graph = g.graph.StateGraph(Log).add_node("n", node).add_edge(g.graph.START, "n").compile()
        tools = _tool_graph(g, g.prebuilt.InjectedStore, None)
        return graph.invoke({"xs": []}), graph.store, outcome(lambda: tools.invoke({"messages": [CALL]}))

    assert same_on_both(program) == ({"xs": [None, None, None]}, None, "raised ValueError")


def test_compile_refuses_what_is_not_a_store_where_langgraph_fails_later() -> None:
    """A documented difference (docs/differences.md): LangGraph accepts any object as a store."""

    def build(g: SimpleNamespace) -> Any:
        def n(state: Log) -> dict[str, Any]:
            g.config.get_store().put(("a",), "k", {})
            return {}

        return g.graph.StateGraph(Log).add_node("n", n).add_edge(g.graph.START, "n").compile(store=object())

    assert outcome(lambda: build(LG).invoke({"xs": []})) == "raised AttributeError"
    with pytest.raises(TypeError, match=r"compile\(store=.*BaseStore"):
        build(NB)


# -- graduating to LangGraph ------------------------------------------------------------------------
def test_to_langgraph_keeps_the_store_and_the_nodes_still_reach_it() -> None:
    def remember(state: Log, store: BaseStore) -> dict[str, Any]:
        store.put(("log",), str(len(state["xs"])), {"by": "param"})
        NB.config.get_store().put(("log",), "accessor", {"by": "get_store"})
        return {"xs": [len(store.search(("log",)))]}

    def build(store: Any) -> Any:
        builder = NB.graph.StateGraph(Log).add_node("remember", remember)
        return builder.add_edge(NB.graph.START, "remember").compile(store=store)

    ours, theirs = InMemoryStore(), InMemoryStore()
    exported = build(theirs).to_langgraph()
    assert exported.store is theirs
    assert exported.invoke({"xs": []}) == build(ours).invoke({"xs": []}) == {"xs": [2]}
    assert items(theirs.search(("log",))) == items(ours.search(("log",)))
