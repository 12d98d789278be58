"""The event side of one watched server run: SDK parts in, nbstream events out to the observers.

It feeds :class:`nbstream.langgraph._watch.Watch` (the translation local LangGraph runs use) with
each part in the shape LangGraph's own stream has (:func:`~nbstream.remote._parts.watched_payload`),
and adds what a server's stream cannot carry through LangChain callbacks:

* chat-model call boundaries, from the messages themselves: a call starts with the first token of
  a message id and ends with its ``chunk_position="last"`` token, or when its task ends;
* no task times (a ``TaskFinished.duration`` is NaN: the stream does not say).

One watch lives as long as its run, across streams: a run whose stream broke stays in
:data:`LIVE` (by the server's run id) so that ``join_stream`` continues the same view. Parts it
has already seen are not shown twice: part ids (``stream_resumable=True`` runs) grow, several
parts may share one, so a part is dropped when its id is older than the newest seen, or equal to
it with the same event and data as a part already seen under that id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from nbstream.events import Event, LLMCallFinished, LLMCallStarted, RunFailed, RunStarted, ThreadControl
from nbstream.langgraph._calls import RunCallbacks
from nbstream.langgraph._watch import Watch, graph_outline
from nbstream.remote._outline import GraphOutline
from nbstream.remote._parts import split_event, watched_payload

__all__ = ["RemoteWatch", "LIVE"]

#: runs whose stream broke (or runs on), by the server's run id: ``join_stream`` continues them
LIVE: dict[str, RemoteWatch] = {}


def _id_key(part_id: str) -> tuple[int, ...]:
    try:
        return tuple(int(piece) for piece in part_id.split("-"))
    except ValueError:
        return (0,)


class RemoteWatch:
    """Turns one server run's parts into events for ``handlers``; see the module docstring."""

    def __init__(
        self,
        outline: GraphOutline,
        handlers: list[Callable[[Event], None]],
        thread: Callable[[dict[str, Any] | None], ThreadControl | None],
        observers: list[Any],
    ) -> None:
        self.run_id = str(uuid.uuid4())
        self.calls = RunCallbacks(self.run_id)
        self.watch = Watch(outline, self.run_id, handlers, self.calls, thread)
        self.outline = outline
        self.handlers = handlers
        #: the observer objects, so a join with the same observers knows it continues this view
        self.observers = observers
        self.remote_run_id: str | None = None
        self.last_event_id: str | None = None
        self._newest: tuple[int, ...] = ()
        self._at_newest: list[tuple[str, Any]] = []
        self._open_calls: dict[str, tuple[tuple[str, ...], str]] = {}  # call id -> ns, node
        self.broken = False
        #: whether the run is watched in its subgraphs too (see CallerParts.deep)
        self.deep = True
        # the caller's ``messages`` mode: each message's metadata, and its text so far
        self._message_meta: dict[str, dict[str, Any]] = {}
        self._message_text: dict[str, str] = {}

    def start(self, input: Any, command: dict[str, Any] | None = None) -> None:
        resume = command.get("resume") if isinstance(command, dict) else None
        self.watch.start(input, resume=resume)

    def seen(self, part_id: str | None, event: str, data: Any) -> bool:
        """Whether this part was already fed (and remember it if not)."""
        if part_id is None:
            return False
        key = _id_key(part_id)
        if key < self._newest:
            return True
        if key == self._newest:
            if (event, data) in self._at_newest:
                return True
        else:
            self._newest = key
            self._at_newest = []
        self._at_newest.append((event, data))
        self.last_event_id = part_id
        return False

    def feed(self, event: str, data: Any, part_id: str | None) -> None:
        """Publish the events one SDK part says happened."""
        if self.seen(part_id, event, data):
            return
        mode, ns = split_event(event)
        if mode == "metadata":
            if isinstance(data, dict) and data.get("run_id") and self.remote_run_id is None:
                self.remote_run_id = str(data["run_id"])
                LIVE[self.remote_run_id] = self
            return
        if mode == "error":
            from nbstream.remote._parts import as_error

            self.finish(as_error(data, f"run {self.remote_run_id}"))
            return
        if mode == "messages/metadata" and isinstance(data, dict):
            for message_id, entry in data.items():
                if isinstance(entry, dict) and isinstance(entry.get("metadata"), dict):
                    self._message_meta[str(message_id)] = entry["metadata"]
            return
        if mode in ("messages/partial", "messages/complete") and isinstance(data, list):
            self._partial_messages(data, mode == "messages/complete")
            return
        if mode not in ("values", "updates", "tasks", "custom", "messages", "checkpoints"):
            return  # the caller's own modes (debug, events, messages/*...): the views need none
        payload = watched_payload(mode, data, f"{'/'.join(ns)} " if ns else "")
        if mode == "messages":
            self._message_call(ns, payload)
        self.watch.feed(ns, mode, payload)
        if mode == "tasks" and isinstance(payload, dict) and "input" not in payload:
            self._task_calls_end(ns, str(payload.get("name", "")))
        elif mode == "messages" and getattr(payload[0], "chunk_position", None) == "last":
            self._call_ended(_call_id(payload[0]))

    def broke(self, error: BaseException) -> None:
        """The stream broke: the view says so and keeps what it had; a join may continue it."""
        if self.broken:
            return
        self.broken = True
        self.watch._drain()
        self.watch.publish(RunFailed(self.run_id, (), self._root_step(), error, False))

    def rejoined(self) -> None:
        """A join continues this run after its stream broke: the view runs again."""
        if not self.broken:
            return
        self.broken = False
        nodes, edges = graph_outline(self.outline)
        self.watch.publish(
            RunStarted(self.run_id, (), self._root_step(), self.outline.get_name(), None, nodes, edges)
        )

    def finish(self, error: BaseException | None = None, cancelled: bool = False) -> None:
        """The run ended (its stream ended, or said the run failed)."""
        for call_id in list(self._open_calls):
            self._call_ended(call_id)
        if self.remote_run_id is not None:
            LIVE.pop(self.remote_run_id, None)
        self.broken = False
        self.watch.finish(error, cancelled)

    def _root_step(self) -> int:
        scope = self.watch._scopes.get(())
        return scope.step if scope is not None else 0

    # -- chat-model calls, from the messages --------------------------------------------------

    def _message_call(self, ns: tuple[str, ...], payload: Any) -> None:
        message, metadata = payload
        call_id = _call_id(message)
        if call_id is None or call_id in self.calls.calls or not hasattr(message, "chunk_position"):
            return
        node = str(metadata.get("langgraph_node", "")) if isinstance(metadata, dict) else ""
        step = int(metadata.get("langgraph_step", 0)) if isinstance(metadata, dict) else 0
        self.calls.calls[call_id] = (ns, step, node)
        self._open_calls[call_id] = (ns, node)
        tags = tuple(metadata.get("tags", ())) if isinstance(metadata, dict) else ()
        self.calls.pending.append(LLMCallStarted(self.run_id, ns, step, call_id, node, tags, metadata))

    def _partial_messages(self, messages: list[Any], complete: bool) -> None:
        """The caller's ``messages`` mode: the server sends each AI message's text so far
        (``messages/partial``), then the message (``messages/complete``); the view gets the new
        text of each as a token, as from ``messages-tuple``."""
        from langchain_core.messages import AIMessageChunk

        for item in messages:
            if not isinstance(item, dict) or item.get("type") not in ("ai", "AIMessageChunk"):
                continue
            message_id, text = item.get("id"), item.get("content")
            if not isinstance(message_id, str) or not isinstance(text, str):
                continue  # content blocks (not text): the view shows the message in the state
            before = self._message_text.get(message_id, "")  # none: it comes whole (one token)
            self._message_text[message_id] = text
            delta = text[len(before) :] if text.startswith(before) else text
            if not delta and not complete:
                continue
            metadata = self._message_meta.get(message_id, {})
            where = metadata.get("checkpoint_ns") if self.deep else None
            ns = tuple(where.split("|")) if isinstance(where, str) and where else ()
            chunk = AIMessageChunk(content=delta, id=message_id, chunk_position="last" if complete else None)
            payload = (chunk, metadata)
            self._message_call(ns, payload)
            self.watch.feed(ns, "messages", payload)
            if complete:
                self._call_ended(_call_id(chunk))

    def _call_ended(self, call_id: str | None) -> None:
        where = self._open_calls.pop(call_id, None) if call_id is not None else None
        if where is None or call_id is None:
            return
        ns, step, node = self.calls.calls[call_id]
        self.calls.pending.append(LLMCallFinished(self.run_id, ns, step, call_id, node, None))

    def _task_calls_end(self, ns: tuple[str, ...], node: str) -> None:
        for call_id, where in list(self._open_calls.items()):
            inner = where[0]
            mine = inner == ns and where[1] == node
            below = len(inner) > len(ns) and inner[: len(ns)] == ns and inner[len(ns)].startswith(f"{node}:")
            if mine or below:
                self._call_ended(call_id)


def _call_id(message: Any) -> str | None:
    call = getattr(message, "id", None)
    return call.removeprefix("lc_run--").removeprefix("run-") if isinstance(call, str) else None
