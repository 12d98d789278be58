"""The SDK's stream parts: what the views need asked, what the caller gets, what the watcher is fed.

A part is the SDK's ``StreamPart(event, data, id)``. Its ``event`` is a mode name, with the
namespace of a subgraph after ``|`` (``"updates|research:<task id>"``, nested ones joined by more
``|``), exactly LangGraph's ``ns`` tuple. The mode ``messages-tuple`` streams as ``messages``; the
mode ``messages`` as ``messages/partial``, ``messages/complete`` and ``messages/metadata``.
``metadata`` (the run id, first), ``error`` and any event the wrapper did not add pass to the
caller as they are.

The watcher (:class:`nbstream.langgraph._watch.Watch`, shared with local LangGraph runs) wants
what LangGraph's own stream gives, so :func:`watched_payload` turns the JSON back: message dicts
in ``messages`` into langchain-core messages, interrupt dicts into ``Interrupt`` records, task
error dicts into :class:`~nbstream.remote.RemoteRunError`. It copies what it changes: the caller's
part is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbstream.remote._errors import RemoteRunError

__all__ = ["VIEW_MODES", "CallerParts", "split_event", "watched_payload", "as_v2"]

#: the modes the views are built from (a run on a server always has a thread: checkpoints too)
VIEW_MODES = ("values", "updates", "tasks", "custom", "messages-tuple", "checkpoints")

_INTERRUPT = "__interrupt__"


def split_event(event: str) -> tuple[str, tuple[str, ...]]:
    """An SDK event name as ``(mode, ns)``: ``"updates|a:1|b:2"`` -> ``("updates", ("a:1", "b:2"))``."""
    if "|" not in event:
        return event, ()
    mode, *ns = event.split("|")
    return mode, tuple(ns)


def _event_name(mode: str) -> str:
    return "messages" if mode == "messages-tuple" else mode


class CallerParts:
    """Which parts the caller's own ``stream_mode``/``stream_subgraphs`` would have given."""

    __slots__ = ("added", "deep", "modes", "stream_mode", "subgraphs", "v2")

    def __init__(self, stream_mode: str | Sequence[str] | None, subgraphs: bool, version: str) -> None:
        if version not in ("v1", "v2"):
            raise ValueError(f"version must be 'v1' or 'v2', got {version!r}")
        self.stream_mode = stream_mode
        self.modes: tuple[str, ...] = (
            ()
            if stream_mode is None
            else (stream_mode,)
            if isinstance(stream_mode, str)
            else tuple(stream_mode)
        )
        self.subgraphs = bool(subgraphs)
        self.v2 = version == "v2"
        asked = {_event_name(mode) for mode in self.modes}
        #: event names streamed only because the views need them (none when the caller takes all the
        #: run's modes: ``join_stream`` without ``stream_mode``)
        views = frozenset(_event_name(mode) for mode in VIEW_MODES)
        self.added = views - asked if stream_mode is not None else frozenset()
        # LangGraph's messages differ with subgraphs on (a subgraph's message is not repeated by its
        # parent), so a caller streaming messages without subgraphs is watched at the root only
        self.deep = self.subgraphs or not ({"messages", "messages-tuple"} & set(self.modes))

    def request_modes(self) -> list[str]:
        """The modes to ask the server for: the caller's, then the views'.

        The server streams LangGraph's messages in one format per run: asked for ``messages`` and
        ``messages-tuple`` together it sends only the tuples, so a caller's ``messages`` is not
        joined by the views' ``messages-tuple`` (the watch then reads the tokens from ``messages/partial``).
        """
        views = [m for m in VIEW_MODES if not (m == "messages-tuple" and "messages" in self.modes)]
        return list(dict.fromkeys([*self.modes, *views]))

    def wants(self, mode: str, ns: tuple[str, ...]) -> bool:
        """Whether the caller's own stream has a part of ``mode`` at ``ns``."""
        if ns and not self.subgraphs:
            return False
        return mode not in self.added


def as_v2(event: str, data: Any) -> dict[str, Any] | None:
    """The SDK's ``version="v2"`` form of a part (``None`` for ``end``), without changing ``data``."""
    if event == "end":
        return None
    mode, ns = split_event(event)
    interrupts: Any = []
    if mode == "values" and isinstance(data, dict) and _INTERRUPT in data:
        interrupts = data[_INTERRUPT]
        data = {key: value for key, value in data.items() if key != _INTERRUPT}
    return {"type": mode, "ns": list(ns), "data": data, "interrupts": interrupts}


def watched_payload(mode: str, data: Any, where: str) -> Any:
    """``data`` in the shape LangGraph's own stream gives it, for the watcher."""
    if mode == "messages" and isinstance(data, (list, tuple)) and len(data) == 2:
        message, metadata = data
        return (as_message(message), metadata)
    if mode in ("updates", "values") and isinstance(data, dict):
        data = _with_messages(data, 2 if mode == "updates" else 1)
    if mode == "updates" and isinstance(data, dict) and _INTERRUPT in data:
        return {**data, _INTERRUPT: [as_interrupt(item) for item in data[_INTERRUPT] or ()]}
    if mode == "tasks" and isinstance(data, dict) and "input" not in data:
        error = data.get("error")
        if isinstance(error, (dict, str)):
            data = {**data, "error": as_error(error, f"{where}task {data.get('name')!r}")}
        return data
    return data


# the keys the server writes for every message it sends as JSON (a langchain-core message's fields)
_MESSAGE_KEYS = frozenset({"type", "content", "additional_kwargs", "response_metadata"})


def _with_messages(data: dict[str, Any], depth: int) -> dict[str, Any]:
    """``data`` with the messages in its values (``depth`` dicts down) made messages again, so the
    view shows them as it shows a local run's; anything else is left as the server sent it."""
    out = {}
    for key, value in data.items():
        if depth > 1 and isinstance(value, dict):
            value = _with_messages(value, depth - 1)
        elif isinstance(value, list) and value and all(_is_message(item) for item in value):
            value = [as_message(item) for item in value]
        elif _is_message(value):
            value = as_message(value)
        out[key] = value
    return out


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() >= _MESSAGE_KEYS


def as_message(message: Any) -> Any:
    """A message dict of the server's JSON as the langchain-core message it was."""
    if not isinstance(message, dict) or "type" not in message:
        return message
    from langchain_core.messages import messages_from_dict

    try:
        return messages_from_dict([{"type": message["type"], "data": message}])[0]
    except (ValueError, KeyError, TypeError):  # a type langchain-core does not know: keep the dict
        return message


def as_interrupt(item: Any) -> Any:
    """An interrupt dict (``value``, ``id``) as LangGraph's ``Interrupt``."""
    if not isinstance(item, dict):
        return item
    from langgraph.types import Interrupt

    return Interrupt(value=item.get("value"), id=str(item.get("id", "")))


def as_error(error: Any, where: str) -> RemoteRunError:
    """A server's error (``{"error": type name, "message": text}`` or text) as a RemoteRunError."""
    if isinstance(error, dict):
        return RemoteRunError(str(error.get("error", "Error")), str(error.get("message", "")), where)
    return RemoteRunError("Error", str(error), where)


def as_task(task: Any) -> Any:
    """A task dict of a checkpoint or a thread's history as LangGraph's ``PregelTask``."""
    if not isinstance(task, dict):
        return task
    from langgraph.types import PregelTask

    error = task.get("error")
    return PregelTask(
        id=str(task.get("id", "")),
        name=str(task.get("name", "")),
        path=(),
        error=as_error(error, "") if error else None,
        interrupts=tuple(as_interrupt(item) for item in task.get("interrupts") or ()),
        state=task.get("state"),
        result=task.get("result"),
    )
