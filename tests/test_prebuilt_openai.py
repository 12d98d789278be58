"""Tool-calling agents on the real ``langchain-openai`` client, against LangGraph on the same server.

``ChatOpenAI`` talks HTTP to the local fake OpenAI server (``_fake_openai``), which plays a scripted
conversation: the model first says a few words and calls two tools at once, then calls one of
them again, then answers. Streamed replies carry the tool calls as OpenAI streams them (per call
an ``index``, ``id`` and name, then fragments of the JSON arguments), so the whole path runs:
HTTP and SSE, the OpenAI SDK, langchain-openai's chunk merging, langchain-core's callbacks,
nbstream's runner and its stream projections. Each agent is built twice from one function, on
``langgraph.*`` and on ``nbstream.*``; the server is stateless (it answers by the conversation's
length), so both agents get the same replies and their streams must be the same.

Only what is random in both runs is normalised. ``version="v1"`` runs the calls in one ``tools``
task, so its stream is ordered: each uuid (message ids, task ids) is numbered by its first
appearance, which keeps which chunks share an id. ``version="v2"`` runs one task per call, which
finish in any order in both libraries: its chunks are compared as a set, uuids blanked.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import warnings
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from _fake_openai import FakeOpenAI, ToolCall, Turn
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, tool
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver

pytestmark = pytest.mark.filterwarnings("ignore:create_react_agent has been moved")

MODES = ["updates", "values", "messages", "custom", "debug"]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
INPUT = {"messages": [HumanMessage("What is the weather and the time in Paris, and in Tokyo?", id="h1")]}

#: the model's side of the conversation: a parallel pair of calls, one call, the answer
WEATHER = [
    Turn(
        "Let me check.",
        (
            ToolCall("call_w1", "get_weather", {"city": "Paris"}),
            ToolCall("call_t1", "get_time", {"city": "Paris"}),
        ),
    ),
    Turn("", (ToolCall("call_w2", "get_weather", {"city": "Tokyo"}),)),
    Turn("Sunny in Paris at noon, and sunny in Tokyo."),
]

#: uuids (message, run and task ids) and 32-digit hex ids (interrupt ids, hashed from task ids)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")
_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


def lib(name: str) -> SimpleNamespace:
    """The modules of one library that an agent program imports."""
    modules = ("prebuilt", "types", "config", "graph")
    return SimpleNamespace(name=name, **{m: importlib.import_module(f"{name}.{m}") for m in modules})


LANGGRAPH, NBSTREAM = lib("langgraph"), lib("nbstream")


# -- the server and its clients -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    saved = {k: os.environ.pop(k) for k in PROXY_VARS if k in os.environ}
    no_proxy = os.environ.get("NO_PROXY"), os.environ.get("no_proxy")
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    fake = FakeOpenAI()
    fake.conversations["weather"] = WEATHER
    try:
        yield fake
    finally:
        fake.close()
        os.environ.update(saved)
        for key, value in zip(("NO_PROXY", "no_proxy"), no_proxy, strict=True):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def clients() -> Iterator[Callable[..., ChatOpenAI]]:
    """Makes ``ChatOpenAI`` clients of the server, each with its own HTTP pool, closed after the test."""
    made: list[httpx.Client] = []

    def make(server: FakeOpenAI, conversation: str = "weather", **kwargs: Any) -> ChatOpenAI:
        client = httpx.Client(trust_env=False)
        made.append(client)
        return ChatOpenAI(  # type: ignore[call-arg]
            model=conversation,
            base_url=server.base_url,
            api_key="test",  # type: ignore[arg-type]
            max_retries=0,
            http_client=client,
            **kwargs,
        )

    yield make
    for client in made:
        client.close()


def tools_for(g: SimpleNamespace) -> list[BaseTool]:
    """The agent's two tools, written against library ``g`` (the weather tool writes custom data)."""

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        g.config.get_stream_writer()({"looking_up": city})
        return f"sunny in {city}"

    @tool
    def get_time(city: str) -> str:
        """The local time in a city."""
        return f"noon in {city}"

    return [get_weather, get_time]


# -- normalising two runs -------------------------------------------------------------------------


def numbered(chunks: list[Any]) -> list[str]:
    """Reprs with each uuid replaced by its order of first appearance, timestamps blanked."""
    seen: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"<uuid{seen.setdefault(match.group(0), len(seen))}>"

    return [_TS.sub("<ts>", _UUID.sub(number, repr(c))) for c in chunks]


def blanked(chunks: list[Any]) -> list[str]:
    """Reprs with uuids and timestamps blanked, sorted: for runs whose tasks finish in any order."""
    return sorted(_TS.sub("<ts>", _UUID.sub("<uuid>", repr(c))) for c in chunks)


def comparable(chunks: list[Any], version: str) -> list[str]:
    return numbered(chunks) if version == "v1" else blanked(chunks)


# -- create_react_agent ---------------------------------------------------------------------------


def react_agent(g: SimpleNamespace, model: ChatOpenAI, **options: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LangGraph's "create_react_agent has been moved" notice
        return g.prebuilt.create_react_agent(model, tools_for(g), **options)


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("mode", MODES)
def test_react_agent_on_chat_openai_streams_as_langgraphs(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI], mode: str, version: str
) -> None:
    runs = {}
    for g in (LANGGRAPH, NBSTREAM):
        agent = react_agent(g, clients(server, stream_usage=True), version=version)
        runs[g.name] = list(agent.stream(INPUT, stream_mode=mode))
    assert comparable(runs["nbstream"], version) == comparable(runs["langgraph"], version)
    assert runs["nbstream"]


def test_all_modes_at_once_with_subgraphs(server: FakeOpenAI, clients: Callable[..., ChatOpenAI]) -> None:
    runs = {}
    for g in (LANGGRAPH, NBSTREAM):
        agent = react_agent(g, clients(server), version="v1")
        runs[g.name] = list(agent.stream(INPUT, stream_mode=MODES, subgraphs=True))
    assert numbered(runs["nbstream"]) == numbered(runs["langgraph"])
    modes = {mode for _, mode, _ in runs["nbstream"]}
    assert modes == set(MODES)


def test_the_streamed_tool_calls_are_openais_deltas_merged(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI]
) -> None:
    agent = react_agent(NBSTREAM, clients(server))
    chunks = [m for m, meta in agent.stream(INPUT, stream_mode="messages") if meta["langgraph_step"] == 1]
    pieces = [c for m in chunks if isinstance(m, AIMessageChunk) for c in m.tool_call_chunks]
    first = WEATHER[0].tool_calls
    # per call: the head (index, id, name, no arguments), then the argument fragments, call by call
    expected = []
    for index, call in enumerate(first):
        expected.append((index, call.id, call.name, ""))
        expected += [(index, None, None, fragment) for fragment in call.fragments()]
    assert [(p["index"], p["id"], p["name"], p["args"]) for p in pieces] == expected
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.content == "Let me check."
    assert [(c["id"], c["name"], c["args"]) for c in merged.tool_calls] == [
        (c.id, c.name, c.arguments) for c in first
    ]
    assert merged.usage_metadata is None  # stream_usage was not asked for


def test_the_server_sees_the_same_conversation_from_both(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI]
) -> None:
    bodies = {}
    for g in (LANGGRAPH, NBSTREAM):
        server.requests.clear()
        react_agent(g, clients(server), prompt="Be brief.").invoke(INPUT)
        bodies[g.name] = list(server.requests)
    assert bodies["nbstream"] == bodies["langgraph"]
    last = bodies["nbstream"][-1]
    assert [m["role"] for m in last["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "tool",
        "assistant",
        "tool",
    ]
    assert [t["function"]["name"] for t in last["tools"]] == ["get_weather", "get_time"]
    assert not any(body.get("stream") for body in bodies["nbstream"])  # invoke() does not stream


def test_invoke_answers_from_whole_responses(server: FakeOpenAI, clients: Callable[..., ChatOpenAI]) -> None:
    results = {g.name: react_agent(g, clients(server)).invoke(INPUT) for g in (LANGGRAPH, NBSTREAM)}
    assert numbered([results["nbstream"]]) == numbered([results["langgraph"]])
    messages = results["nbstream"]["messages"]
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "ToolMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    assert [m.content for m in messages if isinstance(m, ToolMessage)] == [
        "sunny in Paris",
        "noon in Paris",
        "sunny in Tokyo",
    ]
    assert messages[-1].content == WEATHER[-1].content
    assert messages[1].response_metadata["id"] == "chatcmpl-weather-0"  # one response id per reply


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_async_agent_on_chat_openai_streams_as_langgraphs(server: FakeOpenAI, version: str) -> None:
    modes = ["updates", "messages", "custom"]

    async def both() -> dict[str, list[Any]]:
        runs = {}
        async with httpx.AsyncClient(trust_env=False) as aclient:
            for g in (LANGGRAPH, NBSTREAM):
                model = ChatOpenAI(  # type: ignore[call-arg]
                    model="weather",
                    base_url=server.base_url,
                    api_key="test",  # type: ignore[arg-type]
                    max_retries=0,
                    http_async_client=aclient,
                )
                agent = react_agent(g, model, version=version)
                runs[g.name] = [chunk async for chunk in agent.astream(INPUT, stream_mode=modes)]
        return runs

    runs = asyncio.run(both())
    assert comparable(runs["nbstream"], version) == comparable(runs["langgraph"], version)
    assert ("custom", {"looking_up": "Tokyo"}) in runs["nbstream"]


# -- a ToolNode agent built by hand ---------------------------------------------------------------


def hand_built_agent(g: SimpleNamespace, model: ChatOpenAI, **compile_options: Any) -> Any:
    """The "build a ReAct agent from scratch" graph: a model node, a ToolNode, tools_condition."""
    tools = tools_for(g)
    bound = model.bind_tools(tools)

    def chatbot(state: dict[str, Any]) -> dict[str, Any]:
        return {"messages": [bound.invoke(state["messages"])]}

    builder = g.graph.StateGraph(g.graph.MessagesState)
    builder.add_node("chatbot", chatbot)
    builder.add_node("tools", g.prebuilt.ToolNode(tools))
    builder.add_conditional_edges("chatbot", g.prebuilt.tools_condition)
    builder.add_edge("tools", "chatbot")
    builder.add_edge(g.graph.START, "chatbot")
    return builder.compile(**compile_options)


@pytest.mark.parametrize("mode", MODES)
def test_hand_built_tool_node_agent_streams_as_langgraphs(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI], mode: str
) -> None:
    runs = {
        g.name: list(hand_built_agent(g, clients(server)).stream(INPUT, stream_mode=mode))
        for g in (LANGGRAPH, NBSTREAM)
    }
    assert numbered(runs["nbstream"]) == numbered(runs["langgraph"])
    assert runs["nbstream"]


def test_hand_built_agent_on_a_thread_keeps_the_conversation(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI]
) -> None:
    """With a checkpointer, a breakpoint before the tools, resumed: the same states as LangGraph's."""
    histories = {}
    for g in (LANGGRAPH, NBSTREAM):
        saver = InMemorySaver()  # savers come from langgraph-checkpoint, for both libraries
        agent = hand_built_agent(g, clients(server), checkpointer=saver, interrupt_before=["tools"])
        config = {"configurable": {"thread_id": "t1"}}
        first = list(agent.stream(INPUT, config, stream_mode="updates"))
        paused = agent.get_state(config)
        rest = list(agent.stream(None, config, stream_mode="updates"))
        histories[g.name] = (first, paused.next, rest)
    ours, theirs = histories["nbstream"], histories["langgraph"]
    assert ours[1] == theirs[1] == ("tools",)
    assert numbered([ours[0], ours[2]]) == numbered([theirs[0], theirs[2]])


#: a parallel pair whose first call's arguments are cut off: JSON that does not parse
BROKEN = [
    Turn(
        "",
        (
            ToolCall("call_b1", "get_weather", '{"city": "Par'),
            ToolCall("call_b2", "get_weather", {"city": "Oslo"}),
        ),
    ),
    Turn("Sorry."),
]


@pytest.mark.parametrize("mode", ["updates", "messages"])
def test_arguments_that_are_not_json_as_in_langgraph(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI], mode: str
) -> None:
    """A whole response puts the call in ``invalid_tool_calls`` and the agent runs only the valid
    one; a streamed response is parsed leniently by langchain-core (the cut string is closed), so
    the call runs with what arrived. The same in both libraries."""
    server.conversations["broken"] = BROKEN
    runs, bodies = {}, {}
    for g in (LANGGRAPH, NBSTREAM):
        server.requests.clear()
        agent = react_agent(g, clients(server, "broken"))  # version="v2", the default: a task per call
        runs[g.name] = list(agent.stream(INPUT, stream_mode=mode))
        bodies[g.name] = list(server.requests)
    assert blanked(runs["nbstream"]) == blanked(runs["langgraph"])
    assert bodies["nbstream"] == bodies["langgraph"]
    answers = {
        m["tool_call_id"]: m["content"] for m in bodies["nbstream"][-1]["messages"] if m["role"] == "tool"
    }
    if mode == "updates":
        assert answers == {"call_b2": "sunny in Oslo"}  # the broken call is left without an answer
    else:
        assert answers == {"call_b1": "sunny in Par", "call_b2": "sunny in Oslo"}


def test_a_tool_that_asks_a_human_pauses_and_resumes_as_in_langgraph(
    server: FakeOpenAI, clients: Callable[..., ChatOpenAI]
) -> None:
    """interrupt() inside a tool, on a thread: the same pause, the same resumed run, the same requests."""
    server.conversations["booking"] = [
        Turn("", (ToolCall("call_k1", "book_table", {"restaurant": "Chez Léa", "people": 2}),)),
        Turn("Booked."),
    ]
    runs, bodies = {}, {}
    for g in (LANGGRAPH, NBSTREAM):

        @tool
        def book_table(restaurant: str, people: int, ask: Any = g.types.interrupt) -> str:
            """Book a table."""
            answer = ask(f"Book {people} at {restaurant}?")
            return f"booked: {answer}"

        server.requests.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            agent = g.prebuilt.create_react_agent(
                clients(server, "booking"), [book_table], checkpointer=InMemorySaver()
            )
        config = {"configurable": {"thread_id": "dinner"}}
        first = list(agent.stream(INPUT, config, stream_mode=["updates", "messages"]))
        waiting = agent.get_state(config)
        rest = list(agent.stream(g.types.Command(resume="yes"), config, stream_mode=["updates", "messages"]))
        runs[g.name] = (first, waiting.next, [i.value for i in waiting.interrupts], rest)
        bodies[g.name] = list(server.requests)
    ours, theirs = runs["nbstream"], runs["langgraph"]
    assert numbered([ours[0], ours[3]]) == numbered([theirs[0], theirs[3]])
    assert ours[1:3] == theirs[1:3] == (("tools",), ["Book 2 at Chez Léa?"])
    assert bodies["nbstream"] == bodies["langgraph"]
    assert bodies["nbstream"][-1]["messages"][-1] == {
        "role": "tool",
        "content": "booked: yes",
        "tool_call_id": "call_k1",
    }
