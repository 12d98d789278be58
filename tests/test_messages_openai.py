"""The ``messages`` mode with a real client: ``langchain-openai``'s ``ChatOpenAI`` against a local server.

The server (``_fake_openai``) speaks the chat-completions protocol on 127.0.0.1, streaming with SSE
like the real API, so this runs the whole path: HTTP, the OpenAI SDK's stream parser, langchain-openai's
chunk conversion, langchain-core's callbacks, nbstream's handler and the stream projector.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from _fake_openai import FakeOpenAI
from _messages_support import LG, NB, Lib, Recorder, summarize, text_of
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from nbstream.events import LLMCallFinished, MessageChunk

INPUT = {"messages": [HumanMessage("tell me a joke", id="human-1")]}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    saved = {k: os.environ.pop(k) for k in PROXY_VARS if k in os.environ}
    no_proxy = os.environ.get("NO_PROXY"), os.environ.get("no_proxy")
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    fake = FakeOpenAI()
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


_CLIENTS: list[httpx.Client] = []


@pytest.fixture(scope="module", autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    for client in _CLIENTS:
        client.close()
    _CLIENTS.clear()


def chat(
    server: FakeOpenAI, script: str = "text", aclient: httpx.AsyncClient | None = None, **kwargs: Any
) -> ChatOpenAI:
    """A client of the fake server with HTTP clients of its own.

    An async test passes ``aclient``, made and closed in its own event loop: langchain-openai would
    otherwise share one pool across event loops, and a pool cannot outlive its loop.
    """
    client = httpx.Client(trust_env=False)
    _CLIENTS.append(client)
    if aclient is not None:
        kwargs["http_async_client"] = aclient
    return ChatOpenAI(  # type: ignore[call-arg]
        model=script,
        base_url=server.base_url,
        api_key="test",  # type: ignore[arg-type]
        max_retries=0,
        http_client=client,
        **kwargs,
    )


def graph_calling(lib: Lib, model: Any, *, use_async: bool = False) -> Any:
    def node(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    async def anode(state: Any) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    builder = lib.StateGraph(lib.MessagesState).add_node("node", anode if use_async else node)
    return builder.add_edge(lib.START, "node").compile()


def test_invoke_in_a_node_streams_tokens_over_sse(server: FakeOpenAI) -> None:
    server.requests.clear()
    graph = graph_calling(NB, chat(server))
    chunks = list(graph.stream(INPUT, stream_mode="messages"))
    assert server.requests[-1]["stream"] is True  # the handler made model.invoke() stream
    assert text_of(chunks) == server.reply
    assert [m.content for m, _ in chunks if m.content] == server.words
    assert all(isinstance(m, AIMessageChunk) for m, _ in chunks)
    meta = chunks[0][1]
    assert meta["ls_provider"] == "openai" and meta["ls_model_name"] == "text"
    assert meta["langgraph_node"] == "node"
    theirs = list(graph_calling(LG, chat(server)).stream(INPUT, stream_mode="messages"))
    assert summarize(chunks) == summarize(theirs)


def test_async_node_with_ainvoke(server: FakeOpenAI) -> None:
    async def both() -> tuple[list[Any], list[Any]]:
        async with httpx.AsyncClient(trust_env=False) as aclient:
            runs = []
            for lib in (NB, LG):
                graph = graph_calling(lib, chat(server, aclient=aclient), use_async=True)
                runs.append([item async for item in graph.astream(INPUT, stream_mode="messages")])
            return runs[0], runs[1]

    ours, theirs = asyncio.run(both())
    assert text_of(ours) == server.reply
    assert summarize(ours) == summarize(theirs)


def test_a_plain_invoke_does_not_stream(server: FakeOpenAI) -> None:
    server.requests.clear()
    out = graph_calling(NB, chat(server)).invoke(INPUT)
    assert out["messages"][-1].content == server.reply
    assert not server.requests[-1].get("stream")


@pytest.mark.parametrize(
    "off", [{"streaming": False}, {"disable_streaming": True}], ids=["streaming", "disable"]
)
def test_streaming_off_gives_one_whole_message(server: FakeOpenAI, off: dict[str, Any]) -> None:
    server.requests.clear()
    chunks = list(graph_calling(NB, chat(server, **off)).stream(INPUT, stream_mode="messages"))
    assert not server.requests[-1].get("stream")
    ((message, meta),) = chunks
    assert type(message) is AIMessage and message.content == server.reply
    assert message.id.endswith("-0") and meta["ls_provider"] == "openai"
    theirs = list(graph_calling(LG, chat(server, **off)).stream(INPUT, stream_mode="messages"))
    assert summarize(chunks) == summarize(theirs)


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def test_tool_call_deltas_arrive_as_tool_call_chunks(server: FakeOpenAI) -> None:
    model = chat(server, "tool").bind_tools([get_weather])
    graph = graph_calling(NB, model)
    chunks = list(graph.stream(INPUT, stream_mode="messages"))
    deltas = [c for m, _ in chunks for c in m.tool_call_chunks]  # type: ignore[attr-defined]
    assert [d["args"] for d in deltas] == ["", *server.tool_arguments]
    assert deltas[0]["name"] == "get_weather" and deltas[0]["id"] == "call_fake_1"
    merged = chunks[0][0]
    for message, _ in chunks[1:]:
        merged = merged + message
    assert merged.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_fake_1", "type": "tool_call"}
    ]
    final = graph.invoke(INPUT)["messages"][-1]
    assert final.tool_calls[0]["args"] == {"city": "Paris"}
    theirs = list(
        graph_calling(LG, chat(server, "tool").bind_tools([get_weather])).stream(
            INPUT, stream_mode="messages"
        )
    )
    assert summarize(chunks) == summarize(theirs)


@pytest.mark.parametrize(
    ("script", "error"),
    [("error", openai.APIError), ("cut", openai.APIConnectionError)],
    ids=["error-event", "dropped-connection"],
)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_stream_failing_midway(server: FakeOpenAI, script: str, error: type, use_async: bool) -> None:
    seen = Recorder()
    got: list[Any] = []

    async def consume() -> None:
        async with httpx.AsyncClient(trust_env=False) as aclient:
            graph = graph_calling(NB, chat(server, script, aclient), use_async=True)
            async for item in graph.astream(INPUT, stream_mode="messages", observers=[seen]):
                got.append(item)

    with pytest.raises(error) as info:
        if use_async:
            asyncio.run(consume())
        else:
            graph = graph_calling(NB, chat(server, script))
            for item in graph.stream(INPUT, stream_mode="messages", observers=[seen]):
                got.append(item)
    assert [m.content for m, _ in got if m.content] == server.words[:2]  # delivered before the failure
    (finished,) = seen.of(LLMCallFinished)
    assert finished.error is info.value
    assert len(seen.of(MessageChunk)) == len(got)
