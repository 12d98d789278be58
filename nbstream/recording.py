"""Keep a run as a JSON Lines file and play it back into any observer.

::

    graph.invoke(inputs, observers=[nbstream.record("run.jsonl")])   # every event, subgraphs too
    nbstream.replay("run.jsonl", observers=[RunView()])               # as it happened
    nbstream.replay("run.jsonl", observers=[RunView()], speed=None)   # at once

The file (format in :mod:`nbstream._recording_format`, values in :mod:`nbstream._recorded_values`)
is one JSON object per line: a header, then one line per event with the seconds since the first
event. ``jq -c 'select(.event == "TaskFinished") | {node, update}' run.jsonl`` reads it.

Semantics:

* **Cost during the run.** An event costs the run an append of ``(time, event)``. The queue
  becomes lines (orjson) at the end of each root step and every 2,048 events, so values are
  written as they were when their step ended (a node changing a value in place in a later step
  does not change the record). A later token of an LLM call is spliced into a byte template of
  its call's token line. Lines are written to the file at the end of the run, and during it at
  most every half second. Nothing is validated during the run.
* **A run that fails** is kept with its failure: ``RunFailed`` is written (with the error's type,
  message and args) and the file is flushed and closed before the error reaches you. A process
  killed mid-run leaves the file up to the last batch, and maybe a truncated line: replay reads up
  to it and then raises.
* **Several runs** given the same recorder (a view resuming a paused thread, a loop of invokes) go
  to the same file, one after the other; the header describes the first.
* **Not recorded:** ``RunInterrupted.thread`` (a live handle on the thread, meaningless in a file):
  a replayed ``RunInterrupted`` has ``thread=None``, so a view shows the pause without buttons.
* **Reading** validates every line against the format's pydantic models. A bad line (not JSON, cut
  short, an unknown event type, a field of the wrong type) or a header of a newer format raises
  :class:`RecordingError` naming the file, the line and what is wrong; ``replay`` first delivers
  every event before it.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import TracebackType
from typing import Any

from nbstream._recorded_values import (
    RecordedError,
    RecordedValue,
    encode,
    message_codec,
    token_template,
    token_text,
)
from nbstream._recording_format import EVENT_TYPES, FORMAT, FORMAT_VERSION, SAME_AS_CALL, field_kinds
from nbstream._recording_reader import RecordingError, read_events
from nbstream.bus import Bus, EventHandler, Observer, as_handler
from nbstream.events import (
    Event,
    MessageChunk,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    StepFinished,
)

__all__ = [
    "Recorder",
    "RecordingError",
    "RecordedValue",
    "RecordedError",
    "record",
    "replay",
    "read_events",
    "FORMAT_VERSION",
]

_BATCH = 2048
#: a root step's end writes the batch if the last write is older than this (seconds): a killed
#: process loses at most this much, and a fast run does not pay a write per step
_FLUSH_EVERY = 0.5
#: root events after which the batch may be written (a step's end) and the file closed (a run's end)
_FLUSH_AT = frozenset({StepFinished, RunFinished, RunFailed, RunInterrupted})
_RUN_ENDS = frozenset({RunFinished, RunFailed, RunInterrupted})



# writing -----------------------------------------------------------------------------------------

LineWriter = Callable[[Any, float], bytes]


def _json_bytes() -> tuple[Callable[[Any], bytes], Callable[[Any], bytes]]:
    """The fastest JSON encoder at hand, as (value -> bytes, value -> bytes of a line with its
    newline): orjson (installed with langchain-core's langsmith), else json."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - langsmith brings orjson on CPython
        encode_text = json.JSONEncoder(separators=(",", ":"), check_circular=False, allow_nan=False).encode
        return (
            lambda value: encode_text(value).encode(),
            lambda value: (encode_text(value) + "\n").encode(),
        )
    return orjson.dumps, functools.partial(orjson.dumps, option=orjson.OPT_APPEND_NEWLINE)


_dumps, _dumps_line = _json_bytes()
_MISSING = object()
#: lines are written into a buffer this big, not kept: bytes kept until a batch is written cost
#: twice as much to make (fresh memory for each), and the buffer reaches the OS when full
_BUFFER = 1 << 20


def _line_writer(cls: type[Any]) -> LineWriter:
    name = cls.__name__
    kinds = field_kinds(cls)
    names = tuple(f for f, _, _ in kinds)
    values = tuple(f for f, kind, _ in kinds if kind == "value")
    items = tuple(f for f, kind, _ in kinds if kind == "items")
    pairs = tuple(f for f, kind, _ in kinds if kind == "pairs")
    sets = tuple(f for f, kind, _ in kinds if kind == "set")
    threads = tuple(f for f, kind, _ in kinds if kind == "thread")

    def write(event: Any, t: float) -> bytes:
        line: dict[str, Any] = {"event": name, "t": round(t, 6)}
        line.update(zip(names, event, strict=True))  # plain fields as they are: JSON takes them
        for field in values:
            value = line[field]
            if value is not None and type(value) is not str:  # most are None: skip the call
                line[field] = encode(value)
        for field in items:
            if line[field]:  # an empty tuple is written as []
                line[field] = [encode(v) for v in line[field]]
        for field in pairs:
            if line[field]:
                line[field] = [(k, encode(v)) for k, v in line[field]]
        for field in sets:
            line[field] = sorted(line[field])
        for field in threads:
            del line[field]
        return _dumps_line(line)

    return write


_WRITERS: dict[type[Any], LineWriter] = {cls: _line_writer(cls) for cls in EVENT_TYPES.values()}
_VERSIONS = (version("nbstream"), version("langchain-core"))


class Recorder:
    """The observer :func:`record` returns: writes every event it gets to its file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # replace the file now, so a bad path fails before the run, not at its first event; a new
        # file and not a truncated one: ext4 writes a truncated file back to disk when it is
        # closed (its auto_da_alloc safety), which costs milliseconds a run
        if self.path.is_file() and not self.path.is_symlink():
            self.path.unlink()
        self._file: Any = open(self.path, "wb", buffering=_BUFFER)  # noqa: SIM115  (closed at run end)
        #: events not turned into lines yet, with their times: the run only pays for the append
        self._queue: list[tuple[float, Any]] = []
        self._t0: float | None = None
        self._written = 0.0
        self._writers = dict(_WRITERS)
        self._writers[MessageChunk] = self._message_line
        #: per LLM call id, the metadata dict its first chunk wrote
        self._call_metadata: dict[str, Any] = {}
        #: per (call id, kind, message class, message id): a token line's bytes around its time
        #: and text, and how to tell a message is a plain token (see _token_template)
        self._token_lines: dict[tuple[Any, ...], tuple[bytes, bytes, Any, Any]] = {}

    def on_event(self, event: Event) -> None:
        """Keep ``event`` for the next batch of lines (made at the end of the root step)."""
        queue = self._queue
        queue.append((time.perf_counter(), event))
        kind = type(event)
        if kind in _FLUSH_AT and not event.ns:
            if kind in _RUN_ENDS:
                self.flush(close=True)
                return
            self._write_lines()
            if time.perf_counter() - self._written > _FLUSH_EVERY:
                self.flush()
        elif len(queue) >= _BATCH:  # a long step (a long LLM answer): write it as it goes
            self._write_lines()
            if time.perf_counter() - self._written > _FLUSH_EVERY:
                self.flush()

    __call__ = on_event

    def _write_lines(self) -> None:
        """Turn the queued events into lines in the file's buffer (now: nodes may change values
        in place in later steps)."""
        queue = self._queue
        if not queue:
            return
        self._queue = []
        if self._file is None:  # a later run given the same recorder
            self._file = open(self.path, "ab", buffering=_BUFFER)  # noqa: SIM115
        write = self._file.write
        if self._t0 is None:
            self._t0 = self._written = queue[0][0]
            write(self._header(queue[0][1]))
        t0 = self._t0
        writers = self._writers
        templates = self._token_lines
        call_metadata = self._call_metadata
        for now, event in queue:
            kind = type(event)
            if kind is MessageChunk and call_metadata.get(event.call_id, _MISSING) is event.metadata:
                # a later token of a call (the bulk of a recording): its line is the previous
                # token's but for the time and the text, kept as bytes around them
                message = event.message
                template = templates.get((event.call_id, event.kind, type(message), message.id))
                if template is not None:
                    # still a plain token? (its other fields all at their defaults: one C compare)
                    fields = message.__dict__
                    text = fields["content"]
                    plain = template[2](fields) == template[3] and not message.__pydantic_extra__
                    if plain and type(text) is str:
                        stamp = b"%.6f" % (now - t0)
                        write(b"".join((template[0], stamp, template[1], _dumps(text), b"}}}}\n")))
                        continue
            writer = writers.get(kind)
            if writer is None:
                raise TypeError(f"record: {kind.__name__} is not an nbstream event; cannot record it")
            write(writer(event, now - t0))

    def _message_line(self, event: MessageChunk, t: float) -> bytes:
        call_id = event.call_id
        metadata: Any = event.metadata
        if call_id is not None and self._call_metadata.get(call_id) is metadata:
            text = token_text(event.message)
            if text is not None:  # the call's first plain token: make the template of its tokens
                message = event.message
                template = self._token_template(event, token_template(message))
                self._token_lines[(call_id, event.kind, type(message), message.id)] = template
                return b"".join((template[0], b"%.6f" % t, template[1], _dumps(text), b"}}}}\n"))
        if call_id is not None:
            if self._call_metadata.get(call_id) is metadata:
                metadata = {SAME_AS_CALL: call_id}
            else:
                self._call_metadata[call_id] = metadata
                metadata = encode(metadata)
        else:
            metadata = encode(metadata)
        return _dumps_line(
            {
                "event": "MessageChunk",
                "t": round(t, 6),
                "run_id": event.run_id,
                "ns": event.ns,
                "step": event.step,
                "call_id": call_id,
                "node": event.node,
                "message": encode(event.message),
                "metadata": metadata,
                "kind": event.kind,
            }
        )

    @staticmethod
    def _token_template(event: MessageChunk, rest: dict[str, Any]) -> tuple[bytes, bytes, Any, Any]:
        """A token line's bytes before its time and between its time and text; the getter of the
        message's other fields and their defaults (a token has them all at their defaults)."""
        form = dict(rest["$lc"])
        form["kwargs"] = {**form["kwargs"], "content": ""}  # content last: the text ends the line
        line = _dumps(
            {
                "event": "MessageChunk",
                "t": 0,
                "run_id": event.run_id,
                "ns": event.ns,
                "step": event.step,
                "call_id": event.call_id,
                "node": event.node,
                "kind": event.kind,
                "metadata": {SAME_AS_CALL: event.call_id},
                "message": {"$lc": form},
            }
        )
        assert line.endswith(b'"content":""}}}}')
        head, _, rest_of_line = line.partition(b'"t":0,')
        codec = message_codec(event.message)
        return head + b'"t":', b"," + rest_of_line[: -len(b'""}}}}')], codec.rare, codec.rare_defaults

    def _header(self, first: Event) -> bytes:
        graph = first.graph_name if isinstance(first, RunStarted) else "?"
        nodes = list(first.node_names) if isinstance(first, RunStarted) else []
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "nbstream": _VERSIONS[0],
            "langchain_core": _VERSIONS[1],
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "run": {"run_id": first.run_id, "graph": graph, "nodes": nodes},
        }
        return _dumps_line(header)

    def flush(self, close: bool = False) -> None:
        """Write the queued events to the file; with ``close``, also close it (a later event reopens it)."""
        self._write_lines()
        if self._file is not None:
            self._file.flush()
            self._written = time.perf_counter()
        if close and self._file is not None:
            self._file.close()
            self._file = None
            self._call_metadata.clear()
            self._token_lines.clear()

    def close(self) -> None:
        """Write what is pending and close the file."""
        self.flush(close=True)

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Recorder({str(self.path)!r})"


def record(path: str | os.PathLike[str]) -> Recorder:
    """An observer that writes every event of the runs it watches to the JSON Lines file ``path``.

    A file already at ``path`` is replaced now. Pass the recorder as ``observers=[...]`` to
    ``invoke``/``stream`` (or their async forms); read it back with :func:`replay` or
    :func:`read_events`.
    """
    return Recorder(path)


def replay(
    path: str | os.PathLike[str],
    observers: Iterable[Observer | EventHandler] | Observer | EventHandler = (),
    speed: float | None = 1.0,
) -> int:
    """Feed the events recorded in ``path`` to ``observers``, in order; return how many there were.

    ``speed=1.0`` keeps the recorded timing (``2.0`` twice as fast), ``None`` delivers at once.
    Observers are called as a run calls them (in the calling thread, in the order given; one that
    raises is detached with an ``ObserverWarning``). A bad line raises :class:`RecordingError`
    after every event before it was delivered.
    """
    if speed is not None and not speed > 0:
        raise ValueError(f"replay: speed must be a positive number or None (at once), got {speed!r}")
    many: Any = [observers] if callable(observers) or hasattr(observers, "on_event") else observers
    bus = Bus([as_handler(o) for o in many])
    dispatch = bus.dispatch
    count = 0
    start = time.perf_counter()
    try:
        for t, event in read_events(path):
            if speed is not None:
                wait = start + t / speed - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            dispatch(event)
            count += 1
    finally:
        bus.close()
    return count
