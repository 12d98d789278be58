"""A graph prototyped on nbstream, served by LangGraph Server through ``to_langgraph()``.

What a user relies on: the module ``examples/langgraph_server`` hands to ``langgraph dev``
(``graph = compiled.to_langgraph()``) is served as is, and a run on the server gives the chunks
the nbstream graph gives locally (the same updates, values and custom data, subgraphs included);
a ``RunView`` watching the server run shows it as it shows the local one, waits on the review's
interrupt, and its answer finishes the server thread.
"""

# ruff: noqa: F811  (the fixtures imported from tests/_langgraph_server.py are test arguments)
from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from langgraph_sdk import get_sync_client

import nbstream.remote as remote
from nbstream.widgets import RunView
from nbstream.widgets._text import pause_text
from tests._langgraph_server import lg_python  # noqa: F401  (fixture)
from tests.test_remote import canonical

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "langgraph_server"
MODES = ["updates", "values", "custom"]


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("graduated_example", EXAMPLE / "graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def served(lg_python: str) -> Iterator[remote.DevServer]:
    server = remote.start_dev_server(EXAMPLE / "langgraph.json", python=lg_python)
    yield server
    server.stop()


def _wire(value: Any) -> Any:
    """``value`` as the server sends it: messages as their fields, tuples as lists."""
    if isinstance(value, BaseMessage):
        return _wire(value.model_dump())
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


@dataclass
class _Part:
    event: str
    data: Any
    id: str | None = None


def _as_sdk_parts(chunks: list[tuple[tuple[str, ...], str, Any]]) -> list[_Part]:
    """Local ``stream(..., subgraphs=True)`` chunks named as the SDK names them (``mode|ns``)."""
    return [_Part("|".join([mode, *ns]), _wire(data)) for ns, mode, data in chunks]


def _messages_without_ids(parts: list[Any]) -> list[Any]:
    # message ids are made where the message is made: uuids locally, uuids or run ids on the server
    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ("<msg>" if k == "id" and "content" in value else walk(v)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return value

    return [walk(part) for part in parts]


def test_the_exported_graph_served_by_langgraph_dev_streams_what_nbstream_streams(
    served: remote.DevServer,
) -> None:
    example = _example()
    local = list(example.compiled.stream(example.EXAMPLE_INPUT, stream_mode=MODES, subgraphs=True))
    client = get_sync_client(url=served.url)
    thread_id = client.threads.create()["thread_id"]
    view = RunView(mode="widgets")
    parts = list(
        remote.stream(
            client,
            thread_id,
            "agent",
            input=example.EXAMPLE_INPUT,
            stream_mode=MODES,
            stream_subgraphs=True,
            observers=[view],
        )
    )
    theirs = canonical([p for p in parts if p.event != "metadata"])  # the run id: the server's own
    assert _messages_without_ids(theirs) == _messages_without_ids(canonical(_as_sdk_parts(local)))
    assert any(p[0].startswith("custom|writer:") for p in theirs)  # the subgraph's custom data came through
    assert view.model.header.status == "done"
    table = view.model.table
    assert table is not None
    # as the local view: root nodes in the order the run reaches them, messages as messages
    assert [path[-1] for path in table.rows if len(path) == 1] == ["writer", "review"]
    assert [type(m).__name__ for m in table.values["messages"]] == ["HumanMessage", "AIMessage"]
    assert {path[-1] for path, row in table.rows.items() if row.status == "done"} >= {
        "writer", "outline", "draft", "review",
    }  # fmt: skip


def test_the_served_review_waits_in_the_view_and_its_answer_finishes_the_thread(
    served: remote.DevServer,
) -> None:
    example = _example()
    client = get_sync_client(url=served.url)
    thread_id = client.threads.create()["thread_id"]
    view = RunView(mode="widgets")
    list(
        remote.stream(
            client,
            thread_id,
            "agent",
            input={**example.EXAMPLE_INPUT, "review": True},
            stream_mode="updates",
            observers=[view],
        )
    )
    assert view.model.header.status == "waiting"
    assert view.model.pause is not None
    assert view.model.pause.interrupts[0].value["question"] == "Publish this draft?"
    view._thread_controls().answer("ship it")  # what the waiting panel's button does
    assert view.model.pause is not None and pause_text(view.model.pause) == "resumed with 'ship it'"
    assert view.model.header.status == "done"
    assert client.threads.get_state(thread_id)["values"]["verdict"] == "ship it"
