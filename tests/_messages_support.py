"""Shared by the ``messages``-mode tests: both libraries behind one face, fake models, summaries.

The same graph-building code runs on nbstream and on LangGraph 1.2.22 (``LIBS``), and the streams
are compared after :func:`summary` replaces what differs by design between two runs: run ids,
task ids and random message ids.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

import nbstream.config
import nbstream.graph
import nbstream.types
from nbstream.events import Event


@dataclass(frozen=True)
class Lib:
    name: str
    StateGraph: Any
    START: Any
    END: Any
    MessagesState: Any
    add_messages: Any
    Command: Any
    Send: Any
    get_stream_writer: Any


def _langgraph() -> Lib:
    import langgraph.config
    import langgraph.graph
    import langgraph.types

    return Lib(
        "langgraph",
        langgraph.graph.StateGraph,
        langgraph.graph.START,
        langgraph.graph.END,
        langgraph.graph.MessagesState,
        langgraph.graph.add_messages,
        langgraph.types.Command,
        langgraph.types.Send,
        langgraph.config.get_stream_writer,
    )


NB = Lib(
    "nbstream",
    nbstream.graph.StateGraph,
    nbstream.graph.START,
    nbstream.graph.END,
    nbstream.graph.MessagesState,
    nbstream.graph.add_messages,
    nbstream.types.Command,
    nbstream.types.Send,
    nbstream.config.get_stream_writer,
)
LG = _langgraph()
LIBS = pytest.mark.parametrize("lib", [NB, LG], ids=["nbstream", "langgraph"])


def fake(text: str, **kwargs: Any) -> GenericFakeChatModel:
    """A chat model that answers ``text`` on every call, streamed word by word (spaces apart)."""
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(text)]), **kwargs)


class FlagModel(GenericFakeChatModel):
    """A fake with the ``streaming`` field real integrations have (``streaming=False`` turns it off)."""

    streaming: bool = True


class BrokenModel(GenericFakeChatModel):
    """Streams ``good`` chunks of its answer, then raises ``RuntimeError('model broke')``."""

    good: int = 3

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for i, chunk in enumerate(super()._stream(messages, stop, run_manager, **kwargs)):
            if i == self.good:
                raise RuntimeError("model broke")
            yield chunk

    async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._stream(*args, **kwargs):
            yield chunk


def id_kind(message: BaseMessage) -> str:
    """``lc_run`` (streamed), ``lc_run-0`` (whole), ``uuid`` (assigned), else the id itself."""
    mid = message.id or ""
    if mid.startswith("lc_run--"):
        return "lc_run-0" if mid.endswith("-0") else "lc_run"
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", mid):
        return "uuid"
    return mid


def plain_ns(ns: tuple[str, ...]) -> tuple[str, ...]:
    """A namespace without its task ids: ``('sub:<id>', '1')`` -> ``('sub', '1')``."""
    return tuple(segment.split(":")[0] for segment in ns)


def summary(message: BaseMessage, meta: dict[str, Any]) -> tuple[Any, ...]:
    """What two runs of the same graph must agree on for one ``(message, metadata)`` chunk."""
    return (
        type(message).__name__,
        message.content,
        id_kind(message),
        meta.get("langgraph_node"),
        meta.get("langgraph_step"),
        tuple(meta.get("tags") or ()),
        meta.get("ls_integration"),
    )


def split_item(item: Any, *, tagged: bool = False, subgraphs: bool = False) -> tuple[Any, Any, Any]:
    """``(namespace, mode, payload)`` of one streamed item, whatever its shape."""
    ns: Any = ()
    mode: Any = None
    if subgraphs:
        ns, *rest = item
        item = rest[0] if len(rest) == 1 else tuple(rest)
    if tagged:
        mode, item = item
    return ns, mode, item


def summarize(items: list[Any], *, tagged: bool = False, subgraphs: bool = False) -> list[tuple[Any, ...]]:
    """Summaries of the ``messages`` chunks of a stream (other modes dropped), namespaces plain."""
    out = []
    for item in items:
        ns, mode, payload = split_item(item, tagged=tagged, subgraphs=subgraphs)
        if mode not in (None, "messages"):
            continue
        message, meta = payload
        out.append((plain_ns(ns), *summary(message, meta)))
    return out


def text_of(chunks: list[tuple[BaseMessage, dict[str, Any]]]) -> str:
    return "".join(str(m.content) for m, _ in chunks)


class Recorder:
    """An observer that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]
