"""The ``messages`` stream mode: the seed page's LLM examples and every shape, against LangGraph.

Each graph is built by the same code on nbstream and on LangGraph 1.2.22 (``lib``), with
langchain-core's fake chat models, and the two streams must agree (see ``_messages_support``).
"""

from __future__ import annotations

import asyncio
import operator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import pytest
from _messages_support import LG, LIBS, NB, FlagModel, Lib, fake, plain_ns, summarize, text_of
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool

JOKE = "Why did the ice cream go to school? To get a little sundae education"
POEM = "Cats in sunlight sleep while the world spins on"


def both(build: Any, run: Any) -> tuple[Any, Any]:
    """``run(build(lib))`` on nbstream and on LangGraph."""
    return run(build(NB)), run(build(LG))


def arun(coro: Any) -> Any:
    return asyncio.run(coro)


# -- the seed page's examples -------------------------------------------------------------------
@dataclass
class MyState:
    topic: str
    joke: str = ""


def basic_graph(lib: Lib) -> Any:
    model = fake(JOKE)

    def call_model(state: MyState) -> dict[str, Any]:
        """Call the LLM to generate a joke about a topic"""
        # message events are emitted even though the model is run with .invoke, not .stream
        response = model.invoke([{"role": "user", "content": f"Generate a joke about {state.topic}"}])
        return {"joke": response.content}

    return lib.StateGraph(MyState).add_node(call_model).add_edge(lib.START, "call_model").compile()


def test_seed_basic_tokens_of_model_invoke() -> None:
    graph = basic_graph(NB)
    chunks = list(graph.stream({"topic": "ice cream"}, stream_mode="messages"))
    assert all(isinstance(m, AIMessageChunk) for m, _ in chunks)
    assert text_of(chunks) == JOKE
    assert len(chunks) == len(JOKE.split(" ")) * 2 - 1  # the words and the spaces between them
    assert {meta["langgraph_node"] for _, meta in chunks} == {"call_model"}
    assert chunks[-1][0].chunk_position == "last"
    assert len({m.id for m, _ in chunks}) == 1 and chunks[0][0].id.startswith("lc_run--")
    # the whole message is not repeated after its tokens, and the state has it
    assert graph.invoke({"topic": "ice cream"}) == {"topic": "ice cream", "joke": JOKE}


def test_seed_basic_matches_langgraph() -> None:
    ours, theirs = both(
        basic_graph, lambda g: summarize(list(g.stream({"topic": "x"}, stream_mode="messages")))
    )
    assert ours == theirs


def test_metadata_keys_match_langgraph() -> None:
    def keys(graph: Any) -> list[set[str]]:
        config = {"metadata": {"user_key": 1}, "tags": ["run-tag"]}
        return [set(meta) for _, meta in graph.stream({"topic": "x"}, config, stream_mode="messages")]

    ours, theirs = both(basic_graph, keys)
    assert ours == theirs
    assert {"langgraph_checkpoint_ns", "checkpoint_ns", "ls_provider", "tags", "user_key"} <= ours[0]


def test_metadata_is_one_dict_per_call_shared_by_its_chunks() -> None:
    chunks = list(basic_graph(NB).stream({"topic": "x"}, stream_mode="messages"))
    first = chunks[0][1]
    assert all(meta is first for _, meta in chunks)
    assert first["langgraph_step"] == 1
    assert first["langgraph_triggers"] == ("branch:to:call_model",)
    assert first["langgraph_path"] == ("__pregel_pull", "call_model")
    assert first["checkpoint_ns"] == first["langgraph_checkpoint_ns"]
    assert first["langgraph_checkpoint_ns"].startswith("call_model:")
    assert "tags" not in first  # only when the call has user tags


class TopicState(TypedDict, total=False):
    topic: str
    joke: str
    poem: str


def tagged_graph(lib: Lib, *, with_config: bool = False) -> Any:
    if with_config:
        joke_model = fake(JOKE).with_config(tags=["joke"])
        poem_model = fake(POEM).with_config(tags=["poem"])
    else:
        joke_model = fake(JOKE, tags=["joke"])
        poem_model = fake(POEM, tags=["poem"])

    async def call_model(state: TopicState, config: RunnableConfig) -> dict[str, Any]:
        topic = state["topic"]
        # the seed passes the config explicitly (needed before Python 3.11)
        joke = await joke_model.ainvoke([{"role": "user", "content": f"Write a joke about {topic}"}], config)
        poem = await poem_model.ainvoke(
            [{"role": "user", "content": f"Write a short poem about {topic}"}], config
        )
        return {"joke": joke.content, "poem": poem.content}

    return lib.StateGraph(TopicState).add_node(call_model).add_edge(lib.START, "call_model").compile()


async def _collect(graph: Any, inputs: Any, config: Any = None, **kwargs: Any) -> list[Any]:
    return [item async for item in graph.astream(inputs, config, **kwargs)]


def test_seed_filter_by_tags_async_with_explicit_config() -> None:
    for with_config in (False, True):
        chunks = arun(
            _collect(tagged_graph(NB, with_config=with_config), {"topic": "cats"}, stream_mode="messages")
        )
        joke = [(m, meta) for m, meta in chunks if meta["tags"] == ["joke"]]
        poem = [(m, meta) for m, meta in chunks if meta["tags"] == ["poem"]]
        assert text_of(joke) == JOKE
        assert text_of(poem) == POEM
        assert len(joke) + len(poem) == len(chunks)
        ours = summarize(chunks)
        theirs = summarize(
            arun(
                _collect(tagged_graph(LG, with_config=with_config), {"topic": "cats"}, stream_mode="messages")
            )
        )
        assert ours == theirs


def test_run_config_tags_are_kept_when_the_model_adds_its_own() -> None:
    def run(graph: Any) -> list[Any]:
        return arun(_collect(graph, {"topic": "cats"}, {"tags": ["outer"]}, stream_mode="messages"))

    ours, theirs = both(lambda lib: tagged_graph(lib, with_config=True), lambda g: summarize(run(g)))
    assert ours == theirs
    assert {frozenset(s[6]) for s in ours} == {frozenset({"outer", "joke"}), frozenset({"outer", "poem"})}


def parallel_graph(lib: Lib) -> Any:
    joke_model, poem_model = fake(JOKE), fake(POEM)

    def write_joke(state: TopicState) -> dict[str, Any]:
        return {
            "joke": joke_model.invoke(
                [{"role": "user", "content": f"Write a joke about {state['topic']}"}]
            ).content
        }

    def write_poem(state: TopicState) -> dict[str, Any]:
        return {
            "poem": poem_model.invoke(
                [{"role": "user", "content": f"A short poem about {state['topic']}"}]
            ).content
        }

    return (
        lib.StateGraph(TopicState)
        .add_node(write_joke)
        .add_node(write_poem)
        .add_edge(lib.START, "write_joke")
        .add_edge(lib.START, "write_poem")
        .compile()
    )


@pytest.mark.parametrize("use_async", [False, True], ids=["stream", "astream"])
def test_seed_filter_by_node_in_parallel_nodes(use_async: bool) -> None:
    def run(lib: Lib) -> list[Any]:
        graph = parallel_graph(lib)
        if use_async:
            return arun(_collect(graph, {"topic": "cats"}, stream_mode="messages"))
        return list(graph.stream({"topic": "cats"}, stream_mode="messages"))

    chunks = run(NB)
    by_node: dict[str, list[Any]] = {}
    for message, meta in chunks:
        by_node.setdefault(meta["langgraph_node"], []).append((message, meta))
    # the seed's filter: only write_poem's tokens; each call's tokens in order, however interleaved
    assert text_of(by_node["write_poem"]) == POEM
    assert text_of(by_node["write_joke"]) == JOKE
    assert sorted(summarize(chunks)) == sorted(summarize(run(LG)))


def test_seed_async_call_with_manual_config() -> None:
    model = fake(JOKE)

    async def call_model(state: TopicState, config: RunnableConfig) -> dict[str, Any]:
        response = await model.ainvoke(
            [{"role": "user", "content": f"Write a joke about {state['topic']}"}], config
        )
        return {"joke": response.content}

    graph = NB.StateGraph(TopicState).add_node(call_model).add_edge(NB.START, "call_model").compile()
    chunks = arun(_collect(graph, {"topic": "ice cream"}, stream_mode="messages"))
    assert text_of(chunks) == JOKE


def streaming_flag_graph(lib: Lib, model: Any) -> Any:
    def call_model(state: TopicState) -> dict[str, Any]:
        return {"joke": model.invoke([{"role": "user", "content": "a joke"}]).content}

    return lib.StateGraph(TopicState).add_node(call_model).add_edge(lib.START, "call_model").compile()


def test_seed_disabled_streaming_gives_one_whole_message() -> None:
    models = {
        "disable_streaming=True": lambda: fake(JOKE, disable_streaming=True),
        "streaming=False": lambda: FlagModel(messages=iter([AIMessage(JOKE)] * 2), streaming=False),
        "no _stream": lambda: FakeMessagesListChatModel(responses=[AIMessage(JOKE)]),
    }
    for name, make in models.items():
        chunks = list(streaming_flag_graph(NB, make()).stream({"topic": "x"}, stream_mode="messages"))
        assert len(chunks) == 1, name
        message, meta = chunks[0]
        assert type(message) is AIMessage and message.content == JOKE, name
        assert message.id.startswith("lc_run--") and message.id.endswith("-0"), name
        assert meta["langgraph_node"] == "call_model" and meta["ls_integration"] == "langchain_chat_model"
        theirs = list(streaming_flag_graph(LG, make()).stream({"topic": "x"}, stream_mode="messages"))
        assert summarize(chunks) == summarize(theirs), name


class QueryState(TypedDict, total=False):
    query: str
    answer: str


def tool_graph(lib: Lib) -> Any:
    model = fake("some answer from the database")

    @tool
    def query_database(query: str) -> str:
        """Query the database."""
        writer = lib.get_stream_writer()
        writer({"data": "Retrieved 0/100 records", "type": "progress"})
        summary = model.invoke([{"role": "user", "content": query}])  # an LLM inside the tool
        writer({"data": "Retrieved 100/100 records", "type": "progress"})
        return str(summary.content)

    def node(state: QueryState) -> dict[str, Any]:
        return {"answer": query_database.invoke({"query": state["query"]})}

    return lib.StateGraph(QueryState).add_node(node).add_edge(lib.START, "node").compile()


def test_seed_tool_with_custom_progress_and_an_llm_inside() -> None:
    items = list(tool_graph(NB).stream({"query": "example"}, stream_mode=["custom", "messages"]))
    modes = [mode for mode, _ in items]
    assert modes[0] == "custom" and modes[-1] == "custom"
    assert set(modes[1:-1]) == {"messages"}
    assert [c for m, c in items if m == "custom"][1] == {
        "data": "Retrieved 100/100 records",
        "type": "progress",
    }
    tokens = [c for m, c in items if m == "messages"]
    assert text_of(tokens) == "some answer from the database"
    assert {meta["langgraph_node"] for _, meta in tokens} == {"node"}  # attributed to the calling node
    theirs = list(tool_graph(LG).stream({"query": "example"}, stream_mode=["custom", "messages"]))
    assert summarize(items, tagged=True) == summarize(theirs, tagged=True)
    assert [c for m, c in items if m == "custom"] == [c for m, c in theirs if m == "custom"]


# -- shapes: alone, in a list, with subgraphs, sync and async ----------------------------------
def two_level_graph(lib: Lib) -> Any:
    """``top`` calls a model, then ``sub`` is a subgraph whose node calls another one."""
    top_model, sub_model = fake("top answer"), fake("sub answer")

    def top(state: Any) -> dict[str, Any]:
        return {"messages": [top_model.invoke(state["messages"])]}

    def inner(state: Any) -> dict[str, Any]:
        return {"messages": [sub_model.invoke(state["messages"])]}

    sub = lib.StateGraph(lib.MessagesState).add_node("inner", inner).add_edge(lib.START, "inner").compile()
    return (
        lib.StateGraph(lib.MessagesState)
        .add_node("top", top)
        .add_node("sub", sub)
        .add_edge(lib.START, "top")
        .add_edge("top", "sub")
        .compile()
    )


INPUT = {"messages": [HumanMessage("hi", id="human-1")]}
SHAPES = [
    ("messages", False),
    (["messages"], False),
    (["updates", "messages"], False),
    ("messages", True),
    (["messages", "values"], True),
]


def test_shapes_sync_and_async_match_langgraph() -> None:
    for mode, subgraphs in SHAPES:
        tagged = not isinstance(mode, str)
        ours_sync = list(two_level_graph(NB).stream(INPUT, stream_mode=mode, subgraphs=subgraphs))
        ours_async = arun(_collect(two_level_graph(NB), INPUT, stream_mode=mode, subgraphs=subgraphs))
        theirs = list(two_level_graph(LG).stream(INPUT, stream_mode=mode, subgraphs=subgraphs))
        expected = summarize(theirs, tagged=tagged, subgraphs=subgraphs)
        assert summarize(ours_sync, tagged=tagged, subgraphs=subgraphs) == expected, (mode, subgraphs)
        assert summarize(ours_async, tagged=tagged, subgraphs=subgraphs) == expected, (mode, subgraphs)
        if not subgraphs:
            # the root view: top's tokens, then the subgraph's answer once, as the sub node's output
            assert [s[:3] for s in expected] == [
                ((), "AIMessageChunk", "top"),
                ((), "AIMessageChunk", " "),
                ((), "AIMessageChunk", "answer"),
                ((), "AIMessage", "sub answer"),
            ]
        else:
            assert {s[0] for s in expected} == {(), ("sub",)}


def test_subgraph_tokens_carry_the_inner_node_and_full_checkpoint_ns() -> None:
    items = list(two_level_graph(NB).stream(INPUT, stream_mode="messages", subgraphs=True))
    inner = [(ns, meta) for ns, (_, meta) in items if ns]
    assert inner
    ns, meta = inner[0]
    assert meta["langgraph_node"] == "inner"
    assert meta["langgraph_checkpoint_ns"].startswith(ns[0] + "|inner:")


@LIBS
def test_the_same_chunks_with_and_without_other_modes(lib: Lib) -> None:
    alone = summarize(list(two_level_graph(lib).stream(INPUT, stream_mode="messages")))
    mixed = list(two_level_graph(lib).stream(INPUT, stream_mode=["updates", "messages"]))
    assert summarize(mixed, tagged=True) == alone
    # a node's messages come before its update
    modes = [mode for mode, _ in mixed]
    assert modes.index("updates") > modes.index("messages")


def invoked_inside_graph(lib: Lib, *, inner_stream: bool = False) -> Any:
    """A node that runs another graph itself (``invoke``, or ``stream(messages)`` of its own)."""
    inner_model = fake("nested answer")

    def inner(state: Any) -> dict[str, Any]:
        return {"messages": [inner_model.invoke(state["messages"])]}

    sub = lib.StateGraph(lib.MessagesState).add_node("inner", inner).add_edge(lib.START, "inner").compile()

    def wrap(state: Any) -> dict[str, Any]:
        if inner_stream:
            got = list(sub.stream(state, stream_mode="messages"))
            assert "".join(str(m.content) for m, _ in got) == "nested answer"
            return {"messages": [AIMessage(f"inner streamed {len(got)}", id="wrap-1")]}
        return {"messages": sub.invoke(state)["messages"]}

    return lib.StateGraph(lib.MessagesState).add_node("wrap", wrap).add_edge(lib.START, "wrap").compile()


def test_graph_invoked_inside_a_node_matches_langgraph() -> None:
    for inner_stream in (False, True):
        for subgraphs in (False, True):

            def run(graph: Any, subgraphs: bool = subgraphs) -> Any:
                return summarize(
                    list(graph.stream(INPUT, stream_mode="messages", subgraphs=subgraphs)),
                    subgraphs=subgraphs,
                )

            ours, theirs = both(lambda lib, s=inner_stream: invoked_inside_graph(lib, inner_stream=s), run)
            assert ours == theirs, (inner_stream, subgraphs)
    ours = list(invoked_inside_graph(NB).stream(INPUT, stream_mode="messages", subgraphs=True))
    assert {plain_ns(ns) for ns, _ in ours} == {("wrap",)}  # the calling task's namespace


def test_model_invoke_without_config_in_sync_and_async_nodes() -> None:
    def build(lib: Lib, use_async: bool) -> Any:
        model = fake(JOKE)

        def sync_node(state: Any) -> dict[str, Any]:
            return {"messages": [model.invoke(state["messages"])]}

        async def async_node(state: Any) -> dict[str, Any]:
            return {"messages": [await model.ainvoke(state["messages"])]}

        node = async_node if use_async else sync_node
        return lib.StateGraph(lib.MessagesState).add_node("node", node).add_edge(lib.START, "node").compile()

    for use_async in (False, True):
        ours = arun(_collect(build(NB, use_async), INPUT, stream_mode="messages"))
        assert text_of(ours) == JOKE
        theirs = arun(_collect(build(LG, use_async), INPUT, stream_mode="messages"))
        assert summarize(ours) == summarize(theirs)
    sync = list(build(NB, False).stream(INPUT, stream_mode="messages"))
    assert text_of(sync) == JOKE


class FanState(TypedDict, total=False):
    topics: list[str]
    lines: Annotated[list[str], operator.add]


def test_send_tasks_stream_with_push_metadata() -> None:
    def build(lib: Lib) -> Any:
        model = fake("short line")

        def fan(state: FanState) -> list[Any]:
            return [lib.Send("write", {"topics": [t]}) for t in state["topics"]]

        def write(state: FanState) -> dict[str, Any]:
            return {"lines": [model.invoke(state["topics"][0]).content]}

        builder = lib.StateGraph(FanState).add_node("write", write)
        return builder.add_conditional_edges(lib.START, fan, ["write"]).compile()

    chunks = list(build(NB).stream({"topics": ["a", "b"]}, stream_mode="messages"))
    assert len(chunks) == 6 and {meta["langgraph_triggers"] for _, meta in chunks} == {("__pregel_push",)}
    theirs = list(build(LG).stream({"topics": ["a", "b"]}, stream_mode="messages"))
    assert sorted(summarize(chunks)) == sorted(summarize(theirs))
