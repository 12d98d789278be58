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

Options a call may add (:class:`~nbstream.runtime._options.CallOptions`, chosen once per call; a
plain v1 stream never reaches their code):

* ``version="v2"`` — every chunk is a dict ``{"type": mode, "ns": ns, "data": chunk}`` whatever the
  mode list and ``subgraphs`` (``ns`` is ``()`` at the root); ``values`` parts also carry
  ``"interrupts": ()`` and, for a dataclass or pydantic output schema, their data is an instance.
* ``print_mode``/``debug`` — chunks of those modes are printed (see :mod:`nbstream._printing`),
  yielded too only if they are in ``stream_mode``.
* ``output_keys`` — the root graph's ``values`` chunks hold only those keys and come only after
  steps that wrote one; its ``updates`` show only writes to them (``None`` when a task wrote none).
  A string key gives bare values instead of dicts. ``tasks``/``debug`` results are not cut, as in
  LangGraph.

A subgraph's ``values`` and ``updates`` are cut the same way to its output schema's keys, whatever
the call's options, when those are not all its channels (``RunStarted.output_keys``): LangGraph runs
a subgraph through ``invoke``, which streams its output keys only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nbstream._printing import PrintedChunk
from nbstream.errors import GraphInterrupt
from nbstream.events import (
    CheckpointSaved,
    CustomData,
    Event,
    MessageChunk,
    Namespace,
    RunInterrupted,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskFinished,
    TaskStarted,
)
from nbstream.types import STREAM_MODES

if TYPE_CHECKING:
    from nbstream.runtime._options import CallOptions

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

    def __init__(
        self,
        modes: frozenset[str],
        tagged: bool,
        subgraphs: bool,
        base_ns: Namespace = (),
        options: CallOptions | None = None,
    ) -> None:
        self.out: deque[Any] = deque()
        self.notify: Callable[[], None] | None = None
        self._modes = modes
        self._tagged = tagged
        self._subgraphs = subgraphs
        self._base = base_ns
        self._cut = len(base_ns)
        #: modes printed to stdout as they stream (print_mode / debug=True), yielded or not
        self._print_modes: frozenset[str] = frozenset()
        self._keys: str | tuple[str, ...] | None = None
        #: subgraph namespace -> the output keys its values/updates are cut to (see the docstring)
        self._cuts: dict[Namespace, tuple[str, ...]] = {}
        self._v2 = False
        self._mapper: Callable[[dict[str, Any]], Any] | None = None
        if options is not None:  # chosen once per call: a plain v1 stream never takes these paths
            self._print_modes = options.print_modes
            self._keys = options.output_keys
            self._v2 = options.v2
            self._mapper = options.output_mapper
            if self._v2 or self._print_modes:
                self._emit = self._emit_with_options  # type: ignore[method-assign]
        shown = modes | self._print_modes
        self._values = "values" in shown
        self._updates = "updates" in shown
        self._custom = "custom" in shown
        self._messages = "messages" in shown
        self._tasks = "tasks" in shown
        self._debug = "debug" in shown
        self._checkpoints = "checkpoints" in shown
        #: the last values chunk per namespace (a paused run's interrupt chunk repeats it)
        self._last: dict[Namespace, Any] = {}
        self._bare = not tagged and not subgraphs and options is None
        #: read by the bus: step and task starts matter to this projector only for tasks/debug
        self.wants_starts = self._tasks or self._debug
        #: per namespace, the task ids its current step's StepStarted announced
        self._announced: dict[Namespace, tuple[str, ...]] = {}
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

    def _emit_with_options(self, ns: Namespace, mode: str, chunk: Any) -> None:
        """``_emit`` for a call with ``version="v2"`` or ``print_mode``: print, then yield, as LangGraph."""
        rel = ns[self._cut :]
        out = self.out
        if mode in self._print_modes:
            # printed when the consumer reaches it, so prints interleave with the chunks it gets
            out.append(PrintedChunk(rel if self._subgraphs else (), mode, chunk))
        if mode in self._modes:
            if not self._v2:
                if self._subgraphs:
                    out.append((rel, mode, chunk) if self._tagged else (rel, chunk))
                else:
                    out.append((mode, chunk) if self._tagged else chunk)
            elif mode == "values":
                if self._mapper is not None and isinstance(chunk, dict):
                    chunk = self._mapper(chunk)
                out.append({"type": mode, "ns": rel, "data": chunk, "interrupts": ()})
            else:
                out.append({"type": mode, "ns": rel, "data": chunk})
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
            if self._values:
                self._last[ns] = event.values  # type: ignore[union-attr]
            if self._values and event.updated:  # type: ignore[union-attr]
                keys = self._keys if ns == self._base else (self._cuts.get(ns) if self._cuts else None)
                if keys is None:
                    self._emit(ns, "values", event.values)  # type: ignore[union-attr]
                else:
                    self._keyed_values(event, keys)  # type: ignore[arg-type]
        elif kind is TaskStarted and (self._tasks or self._debug):
            self._task_started(event)  # type: ignore[arg-type]
        elif kind is MessageChunk and self._messages:
            self._emit(ns, "messages", (event.message, event.metadata))  # type: ignore[union-attr]
        elif kind is RunStarted and event.output_keys is not None and ns != self._base:  # type: ignore[union-attr]
            self._cuts[ns] = event.output_keys  # type: ignore[union-attr]
        elif kind is RunInterrupted:
            self._run_interrupted(event)  # type: ignore[arg-type]
        elif kind is CheckpointSaved and (self._checkpoints or self._debug):
            self._checkpoint(event)  # type: ignore[arg-type]
        elif kind is StepStarted and self.wants_starts:
            self._announced[ns] = event.task_ids  # type: ignore[union-attr]

    def _run_interrupted(self, event: RunInterrupted) -> None:
        """A paused run: the state with the finished tasks' writes, then LangGraph's ``__interrupt__``
        chunk for interrupt_before/after (interrupt() calls had theirs when their task ended)."""
        ns = event.ns
        if (
            self._values
            and not ns  # as LangGraph: a graph run inside a node (a subgraph) shows no such chunk
            and event.values is not None
            and event.values is not self._last.get(ns, event.values)
        ):
            self._emit(ns, "values", event.values)
        if not event.interrupts and self._updates and ns == self._base:
            self._emit(ns, "updates", {"__interrupt__": ()})

    def _checkpoint(self, event: CheckpointSaved) -> None:
        payload = {
            "config": event.config,
            "parent_config": event.parent_config,
            "values": event.values,
            "metadata": event.metadata,
            "next": list(event.next),
            "tasks": [_checkpoint_task(t) for t in event.tasks],
        }
        if self._checkpoints:
            self._emit(event.ns, "checkpoints", payload)
        if self._debug:
            self._emit(
                event.ns,
                "debug",
                {"step": event.step, "timestamp": event.created_at, "type": "checkpoint", "payload": payload},
            )

    def _emit_task(self, ns: Namespace, step: int, kind: str, payload: dict[str, Any]) -> None:
        """A task payload as ``tasks`` shows it, and wrapped with step, timestamp and type for ``debug``."""
        if self._tasks:
            self._emit(ns, "tasks", payload)
        if self._debug:
            self._emit(ns, "debug", {"step": step, "timestamp": _now(), "type": kind, "payload": payload})

    def _task_started(self, event: TaskStarted) -> None:
        if event.task_id not in self._announced.get(event.ns, (event.task_id,)):
            return  # an error handler started when its node failed: LangGraph streams no start
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
        if event.interrupts:
            self._task_paused(event)
            return
        if event.cancelled or event.handoff is not None or type(event.error) is GraphInterrupt:
            # a subgraph task that stopped at the subgraph's interrupt_before/after: no output
            # as LangGraph: a task that left with Command.PARENT has no update or result of its own
            # (the parent's task applies the command and reports it)
            return
        if event.cached:  # as LangGraph: a marked update, and no task result (the node did not run)
            if self._updates:
                ns = event.ns
                keys = self._keys if ns == self._base else (self._cuts.get(ns) if self._cuts else None)
                update = event.update if keys is None else _keyed_update(event.writes, keys)
                self._emit(ns, "updates", {event.node: update, "__metadata__": {"cached": True}})
            return
        # a task whose router failed after the node returned keeps its writes: LangGraph shows them
        if self._updates and (event.error is None or event.writes or event.answered):
            ns = event.ns
            keys = self._keys if ns == self._base else (self._cuts.get(ns) if self._cuts else None)
            if keys is None:
                self._emit(ns, "updates", {event.node: event.update})
            else:
                self._emit(ns, "updates", {event.node: _keyed_update(event.writes, keys)})
        if self._tasks or self._debug:
            payload: dict[str, Any] = {
                "id": event.task_id,
                "name": event.node,
                "error": event.error,
                "result": _result(event.writes),
                "interrupts": [],
            }
            self._emit_task(event.ns, event.step, "task_result", payload)

    def _task_paused(self, event: TaskFinished) -> None:
        """A task that called ``interrupt()``: LangGraph's ``__interrupt__`` chunks, at once."""
        ns = event.ns
        if self._updates:
            self._emit(ns, "updates", {"__interrupt__": event.interrupts})
        if self._values and ns in self._last:
            last = self._last[ns]
            keys = self._keys if ns == self._base else (self._cuts.get(ns) if self._cuts else None)
            if isinstance(keys, tuple):  # as the graph's values chunks: its output keys only
                last = {k: last[k] for k in keys if k in last}
            self._emit(ns, "values", {**last, "__interrupt__": event.interrupts})
        if self._tasks or self._debug:
            payload: dict[str, Any] = {
                "id": event.task_id,
                "name": event.node,
                "error": None,
                "result": {},
                "interrupts": list(_interrupt_dicts(event.interrupts)),
            }
            self._emit_task(ns, event.step, "task_result", payload)

    def _keyed_values(self, event: StepFinished, keys: str | tuple[str, ...]) -> None:
        """A ``values`` chunk cut to ``keys``: only after steps that wrote one of them."""
        values = event.values
        if isinstance(keys, str):
            if keys in event.updated:
                self._emit(event.ns, "values", values[keys])
        elif keys is not None and not event.updated.isdisjoint(keys):
            self._emit(event.ns, "values", {k: values[k] for k in keys if k in values})


def _checkpoint_task(task: Any) -> dict[str, Any]:
    """A task as LangGraph's checkpoints chunks list it: with its error, its result (when it has
    one), or just its interrupts."""
    if task.error:
        return {"id": task.id, "name": task.name, "error": task.error, "state": task.state}
    if task.result:
        interrupts = _interrupt_dicts(task.interrupts)
        return {
            "id": task.id,
            "name": task.name,
            "result": task.result,
            "interrupts": interrupts,
            "state": task.state,
        }
    return {
        "id": task.id,
        "name": task.name,
        "interrupts": _interrupt_dicts(task.interrupts),
        "state": task.state,
    }


def _interrupt_dicts(interrupts: tuple[Any, ...]) -> tuple[dict[str, Any], ...]:
    """Interrupts as the ``checkpoints`` mode shows them: plain dicts (LangGraph serializes them)."""
    return tuple({"value": i.value, "id": i.id, "response_schema": i.response_schema} for i in interrupts)


def _keyed_update(writes: tuple[tuple[str, Any], ...], keys: str | tuple[str, ...]) -> Any:
    """What ``updates`` shows of a task under ``output_keys`` (LangGraph builds it from the writes).

    A string key gives the value written to it (a list if written several times, ``None`` if not
    written); a sequence gives the writes to those keys as a dict, or one single-key dict per write
    when a key was written more than once, and ``None`` when none of them was written.
    """
    if isinstance(keys, str):
        shown = [value for key, value in writes if key == keys]
    else:
        kept = [(key, value) for key, value in writes if key in keys]
        if not kept:
            return None
        names = [key for key, _ in kept]
        if len(set(names)) == len(names):
            return dict(kept)
        shown = [{key: value} for key, value in kept]
    if not shown:
        return None
    return shown[0] if len(shown) == 1 else shown
