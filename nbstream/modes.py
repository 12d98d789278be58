"""Stream modes: pure projections from events to LangGraph-shaped chunks.

What each mode yields, and when (LangGraph 1.2.22 shapes; see the reference for details):

* ``values``  — the full state (a dict) after every step that wrote at least one key, the input
  step first. Chunks share the state's objects: nothing is copied.
* ``updates`` — ``{node: update}`` as each task finishes, in completion order; ``update`` is what the
  node returned (pre-reducer), ``None`` if it wrote nothing. A failed or cancelled task yields none.
* ``custom``  — exactly what a node passed to its stream writer, while the node runs.
* ``messages``— ``(message_chunk, metadata)`` for each LLM token or whole message.
* ``tasks``   — ``{id, name, input, triggers[, metadata]}`` when a task starts, and
  ``{id, name, error, result, interrupts}`` when it ends (``error`` is the exception object).
* ``debug``   — the ``tasks`` payloads wrapped as ``{step, timestamp, type, payload}`` with type
  ``task`` / ``task_result`` and an ISO-8601 UTC timestamp.

Shapes: a single mode given as a string yields bare chunks; a list (or any non-string sequence —
LangGraph yields untagged chunks for a tuple, nbstream does not) yields ``(mode, chunk)``;
``subgraphs=True`` prefixes the namespace: ``(ns, chunk)`` / ``(ns, mode, chunk)``. Without
``subgraphs``, only the root graph's chunks are yielded. Unknown mode names raise ``ValueError``
(LangGraph silently yields nothing for them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from nbstream.events import (
    CustomData,
    Event,
    MessageChunk,
    Namespace,
    StepFinished,
    TaskFinished,
    TaskStarted,
)
from nbstream.types import STREAM_MODES

__all__ = ["StreamProjector", "parse_modes"]


def parse_modes(stream_mode: Any) -> tuple[frozenset[str], bool]:
    """Return (the modes requested, whether chunks are tagged with their mode)."""
    if isinstance(stream_mode, str):
        modes: Sequence[Any] = (stream_mode,)
        tagged = False
    elif isinstance(stream_mode, Sequence | set | frozenset):
        modes = list(stream_mode)
        tagged = True
    else:
        raise TypeError(f"stream_mode must be a mode name or a list of them; got {stream_mode!r}")
    for mode in modes:
        if mode not in STREAM_MODES:
            raise ValueError(f"unknown stream mode {mode!r}; valid modes are {', '.join(STREAM_MODES)}")
    return frozenset(modes), tagged


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _result(writes: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in writes:
        if key in result:
            previous = result[key]
            if isinstance(previous, dict) and "$writes" in previous and len(previous) == 1:
                previous["$writes"].append(value)
            else:
                result[key] = {"$writes": [previous, value]}
        else:
            result[key] = value
    return result


class StreamProjector:
    """A bus handler that turns events into the chunks one ``stream()`` call yields.

    Chunks are appended to ``out``; ``notify`` (if set) is called after each append so an async
    consumer can wake up.
    """

    _nbstream_projector = True

    def __init__(self, modes: frozenset[str], tagged: bool, subgraphs: bool, base_ns: Namespace = ()) -> None:
        self.out: deque[Any] = deque()
        self.notify: Callable[[], None] | None = None
        self._modes = modes
        self._tagged = tagged
        self._subgraphs = subgraphs
        self._base = base_ns
        self._cut = len(base_ns)
        self._values = "values" in modes
        self._updates = "updates" in modes
        self._custom = "custom" in modes
        self._messages = "messages" in modes
        self._tasks = "tasks" in modes
        self._debug = "debug" in modes
        self._bare = not tagged and not subgraphs
        #: read by the bus: step and task starts matter to this projector only for tasks/debug
        self.wants_starts = self._tasks or self._debug
        self.wants_steps = self._values

    def rebase(self, base_ns: Namespace) -> None:
        """Treat ``base_ns`` as the root (for a graph invoked inside a node of another graph)."""
        self._base = base_ns
        self._cut = len(base_ns)

    def _emit(self, ns: Namespace, mode: str, chunk: Any) -> None:
        if self._subgraphs:
            rel = ns[self._cut :]
            self.out.append((rel, mode, chunk) if self._tagged else (rel, chunk))
        else:
            self.out.append((mode, chunk) if self._tagged else chunk)
        if self.notify is not None:
            self.notify()

    def __call__(self, event: Event) -> None:
        ns = event.ns
        if ns != self._base and (not self._subgraphs or ns[: self._cut] != self._base):
            return
        kind = type(event)
        if kind is CustomData:
            if self._custom:
                if self._bare and self.notify is None:  # the hot case: stream(stream_mode="custom")
                    self.out.append(event.data)  # type: ignore[union-attr]
                else:
                    self._emit(ns, "custom", event.data)  # type: ignore[union-attr]
        elif kind is TaskFinished:
            self._task_finished(event)  # type: ignore[arg-type]
        elif kind is StepFinished:
            if self._values and event.updated:  # type: ignore[union-attr]
                self._emit(ns, "values", event.values)  # type: ignore[union-attr]
        elif kind is TaskStarted and (self._tasks or self._debug):
            self._task_started(event)  # type: ignore[arg-type]
        elif kind is MessageChunk and self._messages:
            self._emit(ns, "messages", (event.message, event.metadata))  # type: ignore[union-attr]

    def _emit_task(self, ns: Namespace, step: int, kind: str, payload: dict[str, Any]) -> None:
        """A task payload as ``tasks`` shows it, and wrapped with step, timestamp and type for ``debug``."""
        if self._tasks:
            self._emit(ns, "tasks", payload)
        if self._debug:
            self._emit(ns, "debug", {"step": step, "timestamp": _now(), "type": kind, "payload": payload})

    def _task_started(self, event: TaskStarted) -> None:
        payload: dict[str, Any] = {
            "id": event.task_id,
            "name": event.node,
            "input": event.input,
            "triggers": event.triggers,
        }
        if event.metadata:
            payload["metadata"] = event.metadata
        self._emit_task(event.ns, event.step, "task", payload)

    def _task_finished(self, event: TaskFinished) -> None:
        if event.cancelled:
            return
        if event.cached:  # as LangGraph: a marked update, and no task result (the node did not run)
            if self._updates:
                self._emit(event.ns, "updates", {event.node: event.update, "__metadata__": {"cached": True}})
            return
        if self._updates and event.error is None:
            self._emit(event.ns, "updates", {event.node: event.update})
        if self._tasks or self._debug:
            payload: dict[str, Any] = {
                "id": event.task_id,
                "name": event.node,
                "error": event.error,
                "result": _result(event.writes) if event.error is None else {},
                "interrupts": [],
            }
            self._emit_task(event.ns, event.step, "task_result", payload)
