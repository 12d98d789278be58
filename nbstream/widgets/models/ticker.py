"""The token ticker's model: one lane per LLM call, its text growing token by token.

A model that calls tools streams chunks with no text and ``tool_call_chunks`` instead (a tool's
name first, then its arguments, a JSON string, piece by piece); a lane keeps those as
:class:`LaneToolCall` s, so a view shows the name and the arguments as they stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from nbstream.events import (
    Event,
    LLMCallFinished,
    LLMCallStarted,
    MessageChunk,
    Namespace,
    RunFailed,
    RunFinished,
    RunInterrupted,
    TaskFinished,
)
from nbstream.widgets._format import error_text, message_text
from nbstream.widgets.models._fold import EventFold
from nbstream.widgets.models._namespaces import NamespaceIndex, Path

__all__ = ["Lane", "LaneToolCall", "TokenTickerModel", "LaneStatus"]

LaneStatus = Literal["running", "done", "error", "cancelled"]


@dataclass(slots=True, eq=False)
class LaneToolCall:
    """A tool call the model is making: its name and its arguments so far (the raw JSON text)."""

    name: str
    #: langchain-core's ``index`` of the call within the message (chunks of one call share it)
    index: Any = None
    parts: list[str] = field(default_factory=list)

    @property
    def args(self) -> str:
        parts = self.parts
        if len(parts) > 1:
            parts[:] = ["".join(parts)]
        return parts[0] if parts else ""


@dataclass(slots=True, eq=False)
class Lane:
    """One LLM call: where it ran, its tags, the text so far, how many tokens, how it ended."""

    call_id: str
    ns: Namespace
    node: str
    path: Path
    tags: tuple[str, ...]
    started: float
    ended: float | None = None
    status: LaneStatus = "running"
    error: str | None = None
    tokens: int = 0
    version: int = 0
    parts: list[str] = field(default_factory=list)
    #: the tool calls the model made (streamed or whole), in the order they began
    tool_calls: list[LaneToolCall] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text so far (joined once, then kept joined)."""
        parts = self.parts
        if len(parts) > 1:
            parts[:] = ["".join(parts)]
        return parts[0] if parts else ""

    def rate(self, now: float) -> float:
        """Tokens per second over the call so far (or over the whole call once it ended)."""
        end = self.ended if self.ended is not None else now
        elapsed = end - self.started
        return self.tokens / elapsed if elapsed > 0 else 0.0


class TokenTickerModel(EventFold):
    """Folds LLM-call events into :class:`Lane` s; pure Python, no widgets.

    ``nodes`` and ``tags`` filter the calls shown: a call is kept when its node is one of
    ``nodes`` (if given) and it has at least one of ``tags`` (if given). Messages a node returned
    (no LLM call behind them) are not lanes. A token costs one dict lookup and one list append.
    """

    def __init__(
        self,
        *,
        nodes: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        index: NamespaceIndex | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.nodes = frozenset(nodes) if nodes is not None else None
        self.tags = frozenset(tags) if tags is not None else None
        self.lanes: dict[str, Lane] = {}
        #: grows on every change of any lane
        self.version = 0
        self._skipped: set[str] = set()
        self._index = index if index is not None else NamespaceIndex()
        self._clock = clock
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            LLMCallStarted: self._call_started,
            MessageChunk: self._chunk,
            LLMCallFinished: self._call_finished,
            TaskFinished: self._task_finished,
            RunFinished: self._run_ended,
            RunFailed: self._run_ended,
            RunInterrupted: self._run_ended,
        }

    def ordered_lanes(self) -> list[Lane]:
        """Lanes in a run-independent order (parallel calls start in any order)."""
        return sorted(self.lanes.values(), key=lambda lane: (lane.path, lane.tags, lane.text))

    def _wanted(self, node: str, tags: tuple[str, ...]) -> bool:
        if self.nodes is not None and node not in self.nodes:
            return False
        return self.tags is None or not self.tags.isdisjoint(tags)

    def _open(self, call_id: str, ns: Namespace, node: str, tags: tuple[str, ...]) -> Lane | None:
        if call_id in self._skipped:
            return None
        if not self._wanted(node, tags):
            self._skipped.add(call_id)
            return None
        path = (*self._index.path(ns), node)
        lane = self.lanes[call_id] = Lane(call_id, ns, node, path, tags, self._clock())
        self.version += 1
        return lane

    def _call_started(self, event: LLMCallStarted) -> None:
        if event.call_id not in self.lanes:
            self._open(event.call_id, event.ns, event.node, tuple(event.tags))

    def _chunk(self, event: MessageChunk) -> None:
        call_id = event.call_id
        if call_id is None:
            return  # a message a node returned: not an LLM call
        lane = self.lanes.get(call_id)
        if lane is None:
            tags = event.metadata.get("tags", ())
            lane = self._open(call_id, event.ns, event.node, tuple(tags) if tags else ())
            if lane is None:
                return
        content = getattr(event.message, "content", event.message)
        text = content if type(content) is str else message_text(content)
        if event.kind == "token":
            lane.parts.append(text)
            lane.tokens += 1
            if not text:  # tool-call chunks come without text: only then look for them
                chunks = getattr(event.message, "tool_call_chunks", None)
                if chunks:
                    _add_tool_chunks(lane, chunks)
        elif not lane.tokens:
            lane.parts[:] = [text]  # a whole message from a model that did not stream
            calls = getattr(event.message, "tool_calls", None)
            if calls:
                lane.tool_calls = [_whole_tool_call(call) for call in calls if isinstance(call, dict)]
        lane.version += 1
        self.version += 1

    def _call_finished(self, event: LLMCallFinished) -> None:
        lane = self.lanes.get(event.call_id)
        if lane is None:
            return
        self._end(lane, "done" if event.error is None else "error", event.error)

    def _end(self, lane: Lane, status: LaneStatus, error: BaseException | None) -> None:
        lane.status = status
        lane.error = error_text(error) if error is not None else None
        lane.ended = self._clock()
        lane.version += 1
        self.version += 1

    def _task_finished(self, event: TaskFinished) -> None:
        # a node that raised or was stopped mid-call: its open lanes end with it
        if event.error is None and not event.cancelled:
            return
        status: LaneStatus = "cancelled" if event.cancelled else "error"
        for lane in self.lanes.values():
            if lane.status == "running" and lane.node == event.node and lane.ns == event.ns:
                self._end(lane, status, None if event.cancelled else event.error)

    def _run_ended(self, event: RunFinished | RunFailed | RunInterrupted) -> None:
        depth = len(event.ns)
        for lane in self.lanes.values():
            if lane.status == "running" and lane.ns[:depth] == event.ns:
                self._end(lane, "cancelled", None)


def _add_tool_chunks(lane: Lane, chunks: list[Any]) -> None:
    """Fold ``tool_call_chunks`` into the lane's tool calls, as langchain-core merges them: by index."""
    calls = lane.tool_calls
    for chunk in chunks:
        if not isinstance(chunk, dict):
            continue
        index, name, args = chunk.get("index"), chunk.get("name"), chunk.get("args")
        call = None
        if index is not None:
            call = next((c for c in reversed(calls) if c.index == index), None)
        elif calls and not name and not chunk.get("id"):
            call = calls[-1]  # no index, no name: more arguments for the call being streamed
        if call is None:
            call = LaneToolCall(name or "", index)
            calls.append(call)
        elif name and not call.name:
            call.name = name
        if args:
            call.parts.append(str(args))


def _whole_tool_call(call: dict[str, Any]) -> LaneToolCall:
    """A parsed tool call (a whole message's ``tool_calls`` item), its arguments as JSON text."""
    args = call.get("args")
    try:
        text = json.dumps(args, ensure_ascii=False, sort_keys=False, default=repr)
    except (TypeError, ValueError):
        text = repr(args)
    return LaneToolCall(str(call.get("name") or ""), None, [text])
