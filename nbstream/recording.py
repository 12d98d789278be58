"""Keep a run as a JSON Lines file and play it back into any observer.

::

    graph.invoke(inputs, observers=[nbstream.record("run.jsonl")])   # every event, subgraphs too
    nbstream.replay("run.jsonl", observers=[RunView()])               # as it happened
    nbstream.replay("run.jsonl", observers=[RunView()], speed=None)   # at once

The file (format in :mod:`nbstream._recording_format`, values in :mod:`nbstream._recorded_values`)
is one JSON object per line: a header, then one line per event with the seconds since the first
event. ``jq -c 'select(.event == "TaskFinished") | {node, update}' run.jsonl`` reads it.

Semantics:

* **Cost during the run.** Each event's line is made when the event comes (its values as they are
  then) and goes into a 1 MiB buffer: one JSON call (orjson) on a dict of the event's fields,
  those at their defaults left out (the reader puts them back), made by a function written for the
  event type; a token of an LLM call is spliced into a byte template of its call's token line.
  When every value is a scalar (str, int, bool, None, a finite float) or a flat dict or tuple of
  them, the dict holds the values as they are and the line is kept unless JSON refused a dict key
  (not a str) or the line holds a ``$`` (maybe a key that needs the tagged form); any other line
  is made again by the writer that gives every other value its tagged form. The buffer reaches the
  file when full, at the run's end, and at a root step's end at most every half second (within a
  long step, every second). Nothing is validated during the run.
* **A run that fails** is kept with its failure: ``RunFailed`` is written (with the error's type,
  message and args) and the file is flushed and closed before the error reaches you. A process
  killed mid-run leaves the file up to its last write, and maybe a truncated line: replay reads up
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
import stat
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
from nbstream._recording_format import (
    EVENT_TYPES,
    FORMAT,
    FORMAT_VERSION,
    SAME_AS_CALL,
    FieldKind,
    field_kinds,
)
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

#: the buffer reaches the OS at the end of a root step this long (nanoseconds) after it last did,
#: and within a step twice as long after: a killed process loses at most this much, and a fast
#: run does not pay a system call per step
_FLUSH_EVERY = 500_000_000
_clock = time.perf_counter_ns
#: root events after which the file is flushed (a step's end) or closed (a run's end)
_ENDS = frozenset({StepFinished, RunFinished, RunFailed, RunInterrupted})


# writing -----------------------------------------------------------------------------------------

#: an event (and its time) -> its line's bytes
LineWriter = Callable[[Any, float], bytes]
#: types JSON writes as they are: a value made of them needs no tagged form
_SCALARS = frozenset({str, int, bool, type(None)})


def _json_bytes() -> tuple[Callable[..., bytes], int, bool]:
    """The fastest JSON encoder at hand, the option that makes it end with a newline, and whether
    it refuses a dict key that is not a str (the fast writers count on it): orjson (installed with
    langchain-core's langsmith), else json (which writes such keys as strings)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - langsmith brings orjson on CPython
        encode_text = json.JSONEncoder(separators=(",", ":"), check_circular=False, allow_nan=False).encode

        def dumps(value: Any, option: int = 0) -> bytes:
            return (encode_text(value) + "\n" * option).encode()

        return dumps, 1, False
    return orjson.dumps, orjson.OPT_APPEND_NEWLINE, True


_dumps, _NEWLINE, _KEYS_CHECKED = _json_bytes()
_encode_ascii = json.JSONEncoder(separators=(",", ":"), check_circular=False, allow_nan=False).encode


def _safe_dumps(value: Any, option: int = 0) -> bytes:
    """JSON for the rare line orjson refuses (an int past 64 bits, a lone surrogate in a string)."""
    return (_encode_ascii(value) + ("\n" if option else "")).encode()


def _dumps_line(value: Any) -> bytes:
    return _dumps(value, option=_NEWLINE)


#: lines go into a buffer this big as they are made, not kept: a line's bytes kept until later
#: cost several times as much to make (fresh memory for each), and the buffer reaches the OS when
#: full, at a run's end and at most every half second
_BUFFER = 1 << 20

#: how the checked writer makes a field of each kind JSON-ready, as statements on its local
#: ``v``, which JSON then writes as :func:`encode` would: scalars, flat dicts of them and tuples
#: of them are left as they are (most values: the check costs a fraction of encode's walk)
_CHECKED_CODE: dict[str, list[str]] = {
    "value": [
        "if type(v) not in SCALARS:",
        "    if type(v) is dict:",
        "        for k, x in v.items():",
        "            if type(k) is not str or k[:1] == '$' or type(x) not in SCALARS:",
        "                v = encode(v)",
        "                break",
        "    else:",
        "        v = encode(v)",
    ],
    "items": [  # an empty tuple is written as []
        "for x in v:",
        "    if type(x) not in SCALARS:",
        "        v = [encode(x) for x in v]",
        "        break",
    ],
    "pairs": [
        "for _, x in v:",
        "    if type(x) not in SCALARS:",
        "        v = [(k, encode(x)) for k, x in v]",
        "        break",
    ],
    "set": ["v = sorted(v)"],
}

#: what the fast writer checks of a field of each kind before it leaves it to JSON as it is: the
#: values only, by exact type (a Python loop: cheaper than a C call on a few items), finite floats
#: too (``x - x`` is 0.0 for them, nan for nan and the infinities); a dict's keys are left to
#: JSON, which refuses a key that is not a str, and to the line's check for a ``$`` (see
#: _line_writer). Anything else is the checked writer's.
_NOT_PLAIN = "type({x}) not in SCALARS and (type({x}) is not float or {x} - {x})"
_FAST_CODE: dict[str, list[str]] = {
    "value": [
        "if type({v}) is dict:",
        "    for x in {v}.values():",
        f"        if {_NOT_PLAIN.format(x='x')}:",
        "            return checked(event, t)",
        f"elif {_NOT_PLAIN.format(x='{v}')}:",
        "    return checked(event, t)",
    ],
    "items": [
        "for x in {v}:",
        f"    if {_NOT_PLAIN.format(x='x')}:",
        "        return checked(event, t)",
    ],
    "pairs": [
        "for _, x in {v}:",
        f"    if {_NOT_PLAIN.format(x='x')}:",
        "        return checked(event, t)",
    ],
    "set": ["{v} = sorted({v})"],
}


def _line_writer(
    cls: type[Any], dumps: Callable[..., bytes], checked: LineWriter | None = None
) -> LineWriter:
    """The function that writes an event of type ``cls`` as its line (see the format).

    It is written out for the type's fields and compiled once, as ``namedtuple`` makes its
    classes: the generic loop over the fields it replaces cost a run more than all the rest of
    recording an event. Fields at their defaults (all of a ``TaskFinished``'s error, cancelled,
    cached, handoff, interrupts and answered, most of the time) are left out: a few identity
    checks pick the short line, and the reader takes the defaults back.

    Without ``checked``, it is the checked writer: every value JSON would not write as the
    tagged form does goes through :func:`encode`. With it, the fast writer: it leaves the line to
    JSON when every value is a scalar or a flat dict or tuple of them, and hands the event
    to ``checked`` when one is not, or when its line has a ``$`` (a dict key that needs the
    tagged form; a ``$`` in a string costs that line the checked writer's time, nothing else).
    """
    kinds = field_kinds(cls)
    names = [f"f{i}" for i in range(len(kinds))]  # locals that cannot shadow the helpers below
    scope: dict[str, Any] = {
        "SCALARS": _SCALARS,
        "encode": encode,
        "dumps": dumps,
        "NEWLINE": _NEWLINE,
        "checked": checked,
    }
    code = _CHECKED_CODE if checked is None else _FAST_CODE
    written: list[tuple[str, str, FieldKind]] = [
        (name, field, kind) for name, (field, kind, _) in zip(names, kinds, strict=True) if kind != "thread"
    ]
    defaults: dict[str, Any] = cls._field_defaults

    def prepared(fields: list[tuple[str, str, FieldKind]]) -> list[str]:
        statements = []
        for name, _, kind in fields:
            if kind in code and checked is None:
                statements += [f"v = {name}", *code[kind], f"{name} = v"]
            elif kind in code:
                statements += [line.format(v=name) for line in code[kind]]
        return statements

    def entries(fields: list[tuple[str, str, FieldKind]]) -> str:
        return ", ".join([f'"event": {cls.__name__!r}', '"t": t', *(f"{f!r}: {n}" for n, f, _ in fields)])

    head = [f for f in written if f[1] not in defaults]
    tail = [f for f in written if f[1] in defaults]
    is_default = {}
    for name, field, _ in tail:
        default = defaults[field]
        if default is None or type(default) is bool:
            is_default[name] = f"{name} is {default!r}"
        else:
            scope[f"DEFAULT_{name}"] = default
            is_default[name] = f"{name} == DEFAULT_{name}"
    body = [f"    {', '.join(names)}, = event"]
    if tail:  # the short line, or one with the fields not at their defaults, in their order
        body.append(f"    if {' and '.join(is_default.values())}:")
        body += ["        " + s for s in prepared(head)]
        body.append(f"        line = dumps({{{entries(head)}}}, option=NEWLINE)")
        body.append("    else:")
        body += ["        " + s for s in prepared(written)]
        body.append(f"        fields = {{{entries(head)}}}")
        for name, field, _ in tail:
            body += [f"        if not ({is_default[name]}):", f"            fields[{field!r}] = {name}"]
        body.append("        line = dumps(fields, option=NEWLINE)")
    else:
        body += ["    " + s for s in prepared(written)]
        body.append(f"    line = dumps({{{entries(written)}}}, option=NEWLINE)")
    if checked is not None and any(kind == "value" for _, _, kind in written):  # only they hold dicts
        body += [
            "    if 36 in line:  # a $ somewhere: maybe a key that needs the tagged form",
            "        return checked(event, t)",
        ]
    source = "def write(event, t):\n{}\n    return line\n".format("\n".join(body))
    exec(compile(source, f"<recording line of {cls.__name__}>", "exec"), scope)
    made: LineWriter = scope["write"]
    return made


#: per event type, the writer that checks every value, with orjson and with json (for what
#: orjson refuses); and the one a run uses: the fast writer, when orjson is at hand
_CHECKED_WRITERS: dict[type[Any], LineWriter] = {
    cls: _line_writer(cls, _dumps) for cls in EVENT_TYPES.values()
}
_SAFE_WRITERS: dict[type[Any], LineWriter] = {
    cls: _line_writer(cls, _safe_dumps) for cls in EVENT_TYPES.values()
}
_WRITERS: dict[type[Any], LineWriter] = (
    {cls: _line_writer(cls, _dumps, checked) for cls, checked in _CHECKED_WRITERS.items()}
    if _KEYS_CHECKED
    else dict(_CHECKED_WRITERS)
)
_VERSIONS = (version("nbstream"), version("langchain-core"))


class Recorder:
    """The observer :func:`record` returns: writes every event it gets to its file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # replace the file now, so a bad path fails before the run, not at its first event; a new
        # file and not a truncated one: ext4 writes a truncated file back to disk when it is
        # closed (its auto_da_alloc safety), which costs milliseconds a run
        try:
            if stat.S_ISREG(os.lstat(self.path).st_mode):  # one system call: a symlink is written through
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        self._file: Any = open(self.path, "wb", buffering=_BUFFER)  # noqa: SIM115  (closed at run end)
        #: the file's write, None until the first event of a run (see _open)
        self._write: Callable[[bytes], Any] | None = None
        #: the time of the first event (times in the file count from it, in nanoseconds), once it came
        self._t0 = 0
        self._started = False
        #: when the buffer is written at the next root step's end, and within a step
        self._flush_at = self._flush_late = 0
        self._writers = dict(_WRITERS)
        self._writers[MessageChunk] = self._message_line
        self._checked_writers = dict(_CHECKED_WRITERS)
        self._checked_writers[MessageChunk] = self._message_line
        self._safe_writers = dict(_SAFE_WRITERS)
        self._safe_writers[MessageChunk] = functools.partial(self._message_line, dumps=_safe_dumps)
        #: per LLM call id, the metadata dict its first chunk wrote
        self._call_metadata: dict[str, Any] = {}
        #: per (call id, kind, message class, message id): a token line's bytes around its time
        #: and text, and how to tell a message is a plain token (see _token_template)
        self._token_lines: dict[tuple[Any, ...], tuple[bytes, bytes, Any, Any]] = {}

    def on_event(self, event: Event) -> None:
        """Write ``event``'s line (its values as they are now) into the file's buffer."""
        now = _clock()
        write = self._write
        if write is None:
            write = self._open(event, now)
        kind = type(event)
        # nanoseconds as seconds: the double nearest them, which JSON writes in at most 9 decimals
        # (rounding a float to 6 costs the run more than writing its line's other fields)
        try:
            line = self._writers[kind](event, (now - self._t0) / 1e9)
        except (KeyError, TypeError):
            line = self._line_again(event, now)
        write(line)
        if kind in _ENDS and not event.ns:
            if kind is not StepFinished:  # the run's end
                self.flush(close=True)
            elif now > self._flush_at:
                self.flush()
        elif now > self._flush_late:  # a long step (a long LLM answer)
            self.flush()

    def _line_again(self, event: Event, now: int) -> bytes:
        """The line of an event its writer refused: JSON refused a dict key that is not a str,
        an int past 64 bits or a lone surrogate (json takes the last two), or it is no event."""
        kind = type(event)
        if kind not in self._writers:
            raise TypeError(f"record: {kind.__name__} is not an nbstream event; cannot record it") from None
        t = (now - self._t0) / 1e9
        try:
            return self._checked_writers[kind](event, t)
        except TypeError:
            return self._safe_writers[kind](event, t)

    __call__ = on_event

    def _open(self, first: Event, now: int) -> Callable[[bytes], Any]:
        """Open the file again for a later run given the same recorder; on the first event, write
        the header it describes."""
        if self._file is None:
            self._file = open(self.path, "ab", buffering=_BUFFER)  # noqa: SIM115
        write: Callable[[bytes], Any] = self._file.write
        self._write = write
        if not self._started:
            self._started = True
            self._t0 = now
            self._flushed(now)
            write(self._header(first))
        return write

    def _message_line(self, event: MessageChunk, t: float, dumps: Callable[..., bytes] = _dumps) -> bytes:
        call_id = event.call_id
        metadata: Any = event.metadata
        if call_id is not None and self._call_metadata.get(call_id) is metadata:
            message = event.message
            key = (call_id, event.kind, type(message), message.id)
            template = self._token_lines.get(key)
            if template is not None:
                # a later token of the call (the bulk of a recording): its line is the previous
                # token's but for the time and the text, kept as bytes around them, if it is
                # still a plain token (its other fields all at their defaults: one C compare)
                fields = message.__dict__
                text = fields["content"]
                plain = template[2](fields) == template[3] and not message.__pydantic_extra__
                if plain and type(text) is str:
                    return b"".join((template[0], b"%.6f" % t, template[1], dumps(text), b"}}}}\n"))
            elif (text := token_text(message)) is not None:
                # the call's first plain token: make the template of its tokens
                template = self._token_template(event, token_template(message), dumps)
                line = b"".join((template[0], b"%.6f" % t, template[1], dumps(text), b"}}}}\n"))
                self._token_lines[key] = template
                return line
        first = call_id is not None and self._call_metadata.get(call_id) is not metadata
        line = dumps(
            {
                "event": "MessageChunk",
                "t": t,
                "run_id": event.run_id,
                "ns": event.ns,
                "step": event.step,
                "call_id": call_id,
                "node": event.node,
                "message": encode(event.message),
                "metadata": encode(metadata) if call_id is None or first else {SAME_AS_CALL: call_id},
                "kind": event.kind,
            },
            option=_NEWLINE,
        )
        if first:  # once its line is made: a line JSON could not write is made again
            self._call_metadata[call_id] = metadata  # type: ignore[index]
        return line

    @staticmethod
    def _token_template(
        event: MessageChunk, rest: dict[str, Any], dumps: Callable[..., bytes]
    ) -> tuple[bytes, bytes, Any, Any]:
        """A token line's bytes before its time and between its time and text; the getter of the
        message's other fields and their defaults (a token has them all at their defaults)."""
        form = dict(rest["$lc"])
        form["kwargs"] = {**form["kwargs"], "content": ""}  # content last: the text ends the line
        line = dumps(
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
        """Write the buffered lines to the file; with ``close``, also close it (a later event reopens it)."""
        if self._file is not None:
            self._file.flush()
            self._flushed(_clock())
        if close and self._file is not None:
            self._file.close()
            self._file = self._write = None
            self._call_metadata.clear()
            self._token_lines.clear()

    def _flushed(self, now: int) -> None:
        self._flush_at = now + _FLUSH_EVERY
        self._flush_late = now + 2 * _FLUSH_EVERY

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
