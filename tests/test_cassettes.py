"""LLM cassettes: record a real client's HTTP traffic once, replay it with the server gone.

Every test records with ``langchain-openai``'s ``ChatOpenAI`` against the local fake OpenAI server
(``_fake_openai``), stops the server, and runs the same program again: what a notebook tested by
nbval does, first on a machine with a key, then in CI without one.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _fake_openai import FakeOpenAI, Turn
from _messages_support import LG, NB, Lib, summarize, text_of
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from vcr.errors import CannotOverwriteExistingCassetteException

from nbstream.testing import CommCounter, DisplayCapture, cassette
from nbstream.widgets import RunView

INPUT = {"messages": [HumanMessage("tell me a joke", id="human-1")]}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
# what a user's client sends; none of it may reach the cassette file
API_KEY = "sk-proj-SECRETKEY0123456789"
ORGANIZATION = "org-SECRETORG42"
HEADER_KEY = "SECRETHEADERKEY77"
COOKIE = "session=SECRETCOOKIE99"
SECRETS = (API_KEY, ORGANIZATION, HEADER_KEY, "SECRETCOOKIE99")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    yield fake
    fake.close()  # a second close (the test stopped it) is harmless


def chat(base_url: str, script: str = "text", **kwargs: Any) -> ChatOpenAI:
    """A client as a user makes it: with a key, an organization, a key header and a cookie."""
    return ChatOpenAI(  # type: ignore[call-arg]
        model=script,
        base_url=base_url,
        api_key=API_KEY,  # type: ignore[arg-type]
        organization=ORGANIZATION,
        default_headers={"x-api-key": HEADER_KEY, "Cookie": COOKIE},
        max_retries=0,
        http_client=httpx.Client(trust_env=False),
        **kwargs,
    )


def graph_calling(lib: Lib, model: Any) -> Any:
    def node(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    builder = lib.StateGraph(lib.MessagesState).add_node("node", node)
    return builder.add_edge(lib.START, "node").compile()


def messages(lib: Lib, server: FakeOpenAI, streaming: bool) -> list[Any]:
    """The ``messages`` stream of a one-node graph that asks the server's ``text`` model."""
    graph = graph_calling(lib, chat(server.base_url, streaming=streaming))
    return list(graph.stream(INPUT, stream_mode="messages"))


def stop(server: FakeOpenAI) -> None:
    """Take the server down, and make sure nothing answers at its address any more."""
    server.close()
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{server.base_url}/chat/completions", json={}, timeout=2)


# -- record, stop the server, replay -------------------------------------------------------------


@pytest.mark.parametrize("streaming", [True, False], ids=["streamed", "whole"])
def test_messages_stream_replays_token_by_token_with_the_server_down(
    server: FakeOpenAI, tmp_path: Path, streaming: bool
) -> None:
    path = tmp_path / "cassettes" / "joke.yaml"  # the folder is made on save
    with cassette(path):
        recorded = messages(NB, server, streaming)
    assert path.exists() and len(server.requests) == 1
    assert server.requests[0].get("stream", False) is streaming
    stop(server)

    with cassette(path) as played:
        replayed = messages(NB, server, streaming)
        assert played.play_count == 1
    assert summarize(replayed) == summarize(recorded)
    assert text_of(replayed) == server.reply
    if streaming:  # one chunk per token, as the server sent them
        assert [m.content for m, _ in replayed if m.content] == server.words
    else:
        ((message, _),) = replayed
        assert type(message) is AIMessage
    # LangGraph running the same program on the same cassette gets the same chunks
    with cassette(path):
        theirs = messages(LG, server, streaming)
    assert summarize(theirs) == summarize(replayed)


def test_a_run_view_shows_the_same_snapshot_when_replayed(server: FakeOpenAI, tmp_path: Path) -> None:
    path = tmp_path / "view.yaml"

    def run() -> str:
        with CommCounter(), DisplayCapture() as shown, cassette(path):
            view = RunView(mode="widgets")
            graph_calling(NB, chat(server.base_url)).invoke(INPUT, observers=[view])
        html: str = shown.snapshots[-1]["text/html"]
        return html

    live = run()
    stop(server)
    replayed = run()
    assert "computer?" in live
    assert replayed == live


def parallel_graph(lib: Lib, base_url: str) -> Any:
    """Two branches asking different models at once, joined by a node that asks a third."""

    def ask(name: str, script: str) -> Any:
        model = chat(base_url, script)

        def node(state: Any) -> dict[str, Any]:
            return {"messages": [model.invoke([HumanMessage(f"{name}: {state['messages'][0].content}")])]}

        return node

    builder = lib.StateGraph(lib.MessagesState)
    builder.add_node("facts", ask("facts", "facts"))
    builder.add_node("style", ask("style", "style"))
    builder.add_node("write", ask("write", "text"))
    builder.add_edge(lib.START, "facts").add_edge(lib.START, "style")
    builder.add_edge(["facts", "style"], "write")
    return builder.compile()


def test_parallel_calls_replay_to_the_node_that_asked(server: FakeOpenAI, tmp_path: Path) -> None:
    server.conversations = {"facts": [Turn("cats like warm keyboards")], "style": [Turn("keep it short")]}
    path = tmp_path / "parallel.yaml"

    def run(lib: Lib) -> list[Any]:
        with cassette(path):
            items = list(
                parallel_graph(lib, server.base_url).stream(INPUT, stream_mode=["messages", "updates"])
            )
        return [(mode, summarize([chunk]) if mode == "messages" else chunk) for mode, chunk in items]

    def by_node(items: list[Any]) -> dict[str, str]:
        return {
            node: "".join(
                s[2] for mode, summary in items if mode == "messages" for s in summary if s[4] == node
            )
            for node in ("facts", "style", "write")
        }

    recorded = run(NB)
    stop(server)
    replayed = run(NB)
    assert (
        by_node(replayed)
        == by_node(recorded)
        == {
            "facts": "cats like warm keyboards",
            "style": "keep it short",
            "write": server.reply,
        }
    )
    updates = [chunk for mode, chunk in replayed if mode == "updates"]
    assert sorted(map(list, updates[:2])) == [["facts"], ["style"]] and list(updates[2]) == ["write"]
    assert by_node(run(LG)) == by_node(replayed)  # LangGraph replays the same cassette alike


def test_a_decorated_async_function_records_then_replays(server: FakeOpenAI, tmp_path: Path) -> None:
    url = server.base_url

    @cassette(tmp_path / "async.yaml")
    async def tokens() -> list[str]:
        async with httpx.AsyncClient(trust_env=False) as client:
            model = chat(url, http_async_client=client)
            return [str(chunk.content) async for chunk in model.astream("tell me a joke") if chunk.content]

    first = asyncio.run(tokens())
    stop(server)
    assert asyncio.run(tokens()) == first == server.words


# -- secrets -------------------------------------------------------------------------------------


def test_keys_and_auth_headers_never_reach_the_file(
    server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.yaml"
    with cassette(path):
        chat(server.base_url).invoke("tell me a joke")
    text = path.read_text()
    assert "/v1/chat/completions" in text and "tell me a joke" in text  # it did record
    for secret in SECRETS:
        assert secret not in text
    lowered = text.lower()
    for header in ("authorization:", "openai-organization:", "x-api-key:", "cookie:", "x-stainless-"):
        assert header not in lowered
    # the recorded request still replays without them, to a client made before the cassette
    stop(server)
    model = chat(server.base_url)
    with cassette(path):
        assert model.invoke("tell me a joke").content == server.reply


def test_query_keys_cookies_and_secret_environment_values_are_scrubbed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-ENVSECRET-31337")
    monkeypatch.setenv("KEYBOARD_LAYOUT", "generate")  # not a secret: its text stays

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Set-Cookie": "sid=SETCOOKIESECRET", "OpenAI-Organization": "org-RESPONSEORG"},
            json={"echo": "tok-ENVSECRET-31337", "ok": True},
        )

    path = tmp_path / "query.yaml"
    url = "http://models.test/v1/generate?key=QUERYSECRET1&api-key=QUERYSECRET2&Token=QUERYSECRET3&alt=sse"
    with cassette(path), httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.post(url, json={"prompt": "hi"}, headers={"api-key": "AZURESECRET"})
    text = path.read_text()
    assert "alt=sse" in text and '"prompt"' in text and "/v1/generate" in text
    for secret in ("QUERYSECRET", "AZURESECRET", "SETCOOKIESECRET", "RESPONSEORG", "ENVSECRET"):
        assert secret not in text
    assert "<MY_SERVICE_TOKEN>" in text


# -- replay is strict ----------------------------------------------------------------------------


def test_a_request_missing_from_the_cassette_fails_naming_it(server: FakeOpenAI, tmp_path: Path) -> None:
    path = tmp_path / "strict.yaml"
    with cassette(path):
        graph_calling(NB, chat(server.base_url)).invoke(INPUT)
    stop(server)
    other = {"messages": [HumanMessage("tell me a poem", id="human-1")]}
    with cassette(path), pytest.raises(CannotOverwriteExistingCassetteException) as info:
        graph_calling(NB, chat(server.base_url)).invoke(other)
    message = str(info.value)
    assert "POST" in message and "/v1/chat/completions" in message and "tell me a poem" in message
    assert str(path) in message


def test_each_recorded_answer_plays_once_in_order(server: FakeOpenAI, tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    with cassette(path):
        model = chat(server.base_url)
        server.reply = "first answer"
        model.invoke("same question")
        server.reply = "second answer"
        model.invoke("same question")
    stop(server)
    with cassette(path):
        model = chat(server.base_url)
        assert [model.invoke("same question").content for _ in range(2)] == ["first answer", "second answer"]
        with pytest.raises(CannotOverwriteExistingCassetteException):
            model.invoke("same question")


def test_record_mode_none_never_touches_the_network(server: FakeOpenAI, tmp_path: Path) -> None:
    with (
        cassette(tmp_path / "absent.yaml", record_mode="none"),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        chat(server.base_url).invoke("hello")
    assert server.requests == []
    assert not (tmp_path / "absent.yaml").exists()


def test_an_unknown_record_mode_is_refused() -> None:
    with pytest.raises(ValueError, match=r"record_mode='sometimes'.*'once', 'none', 'new_episodes', 'all'"):
        cassette("x.yaml", record_mode="sometimes")  # type: ignore[arg-type]


# -- vcrpy is optional ---------------------------------------------------------------------------


def test_without_vcrpy_testing_imports_and_cassette_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = "import sys, nbstream.testing; print('vcr' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={**os.environ}
    )
    assert out.stdout.strip() == "False"  # importing nbstream.testing does not load vcrpy
    monkeypatch.setitem(sys.modules, "vcr", None)  # as if vcrpy were not installed
    with pytest.raises(ImportError, match=r"pip install nbstream\[cassettes\]"):
        cassette("x.yaml")
