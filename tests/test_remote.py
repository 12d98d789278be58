"""nbstream.remote against a real LangGraph Server (``langgraph dev``, tests/_langgraph_server.py).

What a user relies on: the parts ``nbstream.remote.stream`` yields are the SDK's own for the same
arguments; a ``RunView`` watching a server run ends done, waiting or in error as the run did; its
answer resumes the server thread; a joined or reconnected run continues the view without showing
anything twice; a dead server, a wrong assistant id and a broken stream are typed errors, and the
view says so and keeps what it had.
"""

# ruff: noqa: F811  (the fixtures imported from tests/_langgraph_server.py are test arguments)
from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

import pytest
from langgraph_sdk import get_client, get_sync_client

import nbstream.remote as remote
from nbstream.events import Event, RunFailed, TaskFinished, TaskStarted
from nbstream.widgets import RunView
from tests._langgraph_server import (  # noqa: F401  (fixtures)
    fast_reconnect,
    lg_python,
    lg_server,
    lg_server_to_kill,
    tcp_proxy,
)

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b|\d{13}-\d+")
_VARYING_KEYS = {
    "__request_start_time_ms__",
    "created_at",
    "timestamp",
    "langgraph_request_id",
    "run_attempt",
}


def canonical(parts: list[Any]) -> list[Any]:
    """Parts with run-specific ids (uuids, interrupt ids, event ids) numbered by first appearance."""
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names)}>")

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _ID.sub(rename, value)
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items() if k not in _VARYING_KEYS}
        if isinstance(value, (list, tuple)):
            return [walk(item) for item in value]
        return value

    out = []
    for part in parts:
        if isinstance(part, dict):  # version="v2"
            out.append(walk(part))
        else:
            out.append((walk(part.event), walk(part.data), part.id is None))
    return out


class Events:
    """An observer that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def _thread(client: Any) -> str:
    return str(client.threads.create()["thread_id"])


AGENT_INPUT = {"topic": "rivers"}


@pytest.mark.parametrize(
    "args",
    [
        {"stream_mode": "updates"},
        {"stream_mode": ["values", "custom"], "stream_subgraphs": True},
        {"stream_mode": "messages-tuple"},
        {"stream_mode": ["messages", "debug", "tasks"], "stream_subgraphs": True},
        {"stream_mode": ["updates", "values"], "version": "v2", "stream_subgraphs": True},
        {"stream_mode": "values", "stream_resumable": True},
    ],
    ids=["updates", "values+custom+subgraphs", "messages-tuple", "messages+debug+tasks", "v2", "resumable"],
)
def test_parts_are_the_sdks_own(lg_server: remote.DevServer, args: dict[str, Any]) -> None:
    client = get_sync_client(url=lg_server.url)
    theirs = list(client.runs.stream(_thread(client), "agent", input=AGENT_INPUT, **args))
    watched = Events()
    ours = list(
        remote.stream(client, _thread(client), "agent", input=AGENT_INPUT, observers=[watched], **args)
    )
    assert canonical(ours) == canonical(theirs)
    assert watched.of(TaskFinished)  # the view was fed more than the caller asked for


def test_async_parts_are_the_sdks_own(lg_server: remote.DevServer) -> None:
    async def both() -> tuple[list[Any], list[Any]]:
        client = get_client(url=lg_server.url)
        args: dict[str, Any] = {"input": AGENT_INPUT, "stream_mode": ["updates", "custom"]}
        first = await client.threads.create()
        theirs = [part async for part in client.runs.stream(first["thread_id"], "agent", **args)]
        second = await client.threads.create()
        ours = [
            part
            async for part in remote.astream(
                client, second["thread_id"], "agent", observers=[Events()], **args
            )
        ]
        return theirs, ours

    theirs, ours = asyncio.run(both())
    assert canonical(ours) == canonical(theirs)


def test_view_waits_on_the_interrupt_and_its_answer_resumes_the_thread(lg_server: remote.DevServer) -> None:
    client = get_sync_client(url=lg_server.url)
    thread_id = _thread(client)
    view = RunView(mode="widgets")
    list(
        remote.stream(client, thread_id, "agent", input=AGENT_INPUT, stream_mode="updates", observers=[view])
    )
    model = view.model
    assert model.header.status == "waiting"
    assert model.pause is not None
    assert model.pause.interrupts[0].value["question"] == "approve the summary?"
    assert model.ticker is not None and "rivers carry water to the sea" in repr(vars(model.ticker))
    view._thread_controls().answer("yes")  # what the waiting panel's button does
    assert model.header.status == "done"
    assert client.threads.get_state(thread_id)["values"]["approved"] == "yes"
    assert model.table is not None and model.table.values["approved"] == "yes"


def test_view_ends_in_error_when_a_node_fails(lg_server: remote.DevServer) -> None:
    client = get_sync_client(url=lg_server.url)
    view = RunView(mode="widgets")
    parts = list(
        remote.stream(client, _thread(client), "agent", input={"topic": "x", "fail": True}, observers=[view])
    )
    assert parts[-1].event == "error"  # as the SDK: the run's error is a part, not an exception
    assert view.model.header.status == "error"
    assert "search failed on purpose" in (view.model.header.error or "")


def test_wrong_assistant_id_is_a_typed_error(lg_server: remote.DevServer) -> None:
    client = get_sync_client(url=lg_server.url)
    thread_id = _thread(client)
    for observers in ([], [Events()]):
        with pytest.raises(remote.AssistantNotFoundError, match="'nope'"):
            list(remote.stream(client, thread_id, "nope", input={}, observers=observers))


def test_server_down_is_a_typed_error() -> None:
    client = get_sync_client(url=f"http://127.0.0.1:{remote.free_port()}")
    for observers in ([], [Events()]):
        with pytest.raises(remote.ServerUnreachableError, match="no LangGraph Server answers"):
            list(remote.stream(client, "t", "agent", input={}, observers=observers))


def test_join_a_run_in_progress_from_its_first_event(lg_server: remote.DevServer) -> None:
    client = get_sync_client(url=lg_server.url)
    thread_id = _thread(client)
    run = client.runs.create(
        thread_id,
        "slow",
        input={"delay": 0.2},
        stream_resumable=True,
        stream_mode=["values", "updates", "tasks", "custom", "checkpoints"],
    )
    view = RunView(mode="widgets")
    watched = Events()
    parts = list(
        remote.join_stream(client, thread_id, run["run_id"], last_event_id="0", observers=[view, watched])
    )
    assert [p.data for p in parts if p.event == "custom"] == [{"tick": f"tick{i}"} for i in range(6)]
    finished = Counter(e.node for e in watched.of(TaskFinished))
    assert finished == Counter(f"tick{i}" for i in range(6))
    assert view.model.header.status == "done"


def test_reconnect_continues_the_view_without_duplicates(
    lg_server: remote.DevServer, tcp_proxy: Any, fast_reconnect: None
) -> None:
    client = get_sync_client(url=tcp_proxy.url)
    thread_id = _thread(client)
    view = RunView(mode="widgets")
    watched = Events()
    got: list[Any] = []
    with pytest.raises(remote.StreamBrokenError) as broke:
        for part in remote.stream(
            client, thread_id, "slow", input={"delay": 0.3}, stream_mode="custom",
            stream_resumable=True, observers=[view, watched],
        ):  # fmt: skip
            got.append(part)
            if part.event == "custom" and part.data == {"tick": "tick1"}:
                tcp_proxy.cut()
    assert view.model.header.status == "error"
    assert "broke" in (view.model.header.error or "")
    error = broke.value
    assert error.run_id and error.last_event_id
    tcp_proxy.restore()
    got += remote.join_stream(
        client, thread_id, error.run_id, last_event_id=error.last_event_id, observers=[view, watched]
    )
    ticks = [p.data["tick"] for p in got if p.event == "custom"]
    assert ticks == [f"tick{i}" for i in range(6)]
    started = Counter(e.task_id for e in watched.of(TaskStarted))
    assert started and max(started.values()) == 1  # no task shown twice
    assert Counter(e.node for e in watched.of(TaskFinished)) == Counter(f"tick{i}" for i in range(6))
    assert view.model.header.status == "done"


@pytest.mark.filterwarnings("ignore:Reconnecting without a Last-Event-ID")  # the SDK's, on the dead server
def test_killed_server_the_view_says_so_and_keeps_what_it_had(
    lg_server_to_kill: remote.DevServer, fast_reconnect: None
) -> None:
    client = get_sync_client(url=lg_server_to_kill.url)
    thread_id = _thread(client)
    view = RunView(mode="widgets")
    watched = Events()
    with pytest.raises(remote.StreamBrokenError, match="broke"):
        for part in remote.stream(
            client, thread_id, "slow", input={"delay": 0.3}, stream_mode="custom", observers=[view, watched]
        ):
            if part.event == "custom" and part.data == {"tick": "tick1"}:
                lg_server_to_kill.stop(kill=True)
    failed = watched.of(RunFailed)
    assert failed and not failed[-1].ns and not failed[-1].cancelled
    assert view.model.header.status == "error"
    assert "broke" in (view.model.header.error or "")
    table = view.model.table
    assert table is not None
    done = {path[-1] for path, row in table.rows.items() if row.status == "done"}
    assert "tick0" in done  # what it had before the server died
    assert all(row.status != "running" for row in table.rows.values())


@pytest.mark.parametrize("subgraphs", [True, False], ids=["subgraphs", "root-only"])
def test_a_callers_messages_mode_still_gives_the_view_its_tokens(
    lg_server: remote.DevServer, subgraphs: bool
) -> None:
    """The server sends one messages format per run: with the caller's ``messages`` the view reads
    the tokens from ``messages/partial`` (each message's text so far)."""
    client = get_sync_client(url=lg_server.url)
    args: dict[str, Any] = {"stream_mode": ["messages", "updates"], "stream_subgraphs": subgraphs}
    theirs = list(client.runs.stream(_thread(client), "agent", input=AGENT_INPUT, **args))
    view = RunView(mode="widgets")
    ours = list(remote.stream(client, _thread(client), "agent", input=AGENT_INPUT, observers=[view], **args))
    assert canonical(ours) == canonical(theirs)
    # with subgraphs the server streams the text so far; at the root only, the whole message
    assert any(part.event == ("messages/partial" if subgraphs else "messages/complete") for part in ours)
    ticker = view.model.ticker
    assert ticker is not None
    lanes = list(ticker.lanes.values())
    assert [lane.text for lane in lanes] == ["rivers carry water to the sea"]
    assert lanes[0].node == ("summarize" if subgraphs else "research")
    assert lanes[0].status == "done"
    if subgraphs:
        assert lanes[0].tokens > 1  # token by token, not the whole message at once
