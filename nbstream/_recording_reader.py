"""Reading a recording back: each line validated against the format's models, then rebuilt as an event.

Reading stops at the first line it cannot use, with a :class:`RecordingError` naming the file, the
line and what is wrong; every event before it has been yielded by then.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

from pydantic import ValidationError

from nbstream._recorded_values import decode
from nbstream._recording_format import (
    EVENT_TYPES,
    FORMAT,
    FORMAT_VERSION,
    SAME_AS_CALL,
    field_kinds,
    header_adapter,
    line_adapter,
)
from nbstream.events import Event, MessageChunk

__all__ = ["RecordingError", "read_events"]


class RecordingError(ValueError):
    """A recording cannot be read on from ``line``: the message says why."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        super().__init__(f"{path}, line {line}: {problem}")



class _EventReader:
    """Builds events from validated line models (one per file: it remembers call metadata)."""

    def __init__(self) -> None:
        self.call_metadata: dict[str, Any] = {}
        self.plans = {
            name: (cls, [(f, kind) for f, kind, _ in field_kinds(cls)]) for name, cls in EVENT_TYPES.items()
        }

    def build(self, line: Any) -> Any:
        fields = line.__dict__
        name = line.event
        if name == "MessageChunk":
            return self._message(fields)
        cls, plan = self.plans[name]
        values = []
        for field, kind in plan:
            if kind == "value":
                values.append(decode(fields[field]))
            elif kind == "items":
                values.append(tuple(decode(v) for v in fields[field]))
            elif kind == "pairs":
                values.append(tuple((k, decode(v)) for k, v in fields[field]))
            elif kind == "thread":
                values.append(None)
            else:
                values.append(fields[field])
        return cls(*values)

    def _message(self, fields: dict[str, Any]) -> MessageChunk:
        call_id = fields["call_id"]
        metadata = fields["metadata"]
        if type(metadata) is dict and SAME_AS_CALL in metadata:
            metadata = self.call_metadata[metadata[SAME_AS_CALL]]
        else:
            metadata = decode(metadata)
            if call_id is not None:
                self.call_metadata[call_id] = metadata
        return MessageChunk(
            fields["run_id"],
            fields["ns"],
            fields["step"],
            call_id,
            fields["node"],
            decode(fields["message"]),
            metadata,
            fields["kind"],
        )


def _problem(error: ValidationError, raw: bytes, last: bool) -> str:
    first = error.errors()[0]
    kind = first["type"]
    if kind == "json_invalid":
        if last and not raw.endswith(b"\n"):
            return "the line is cut short (the run was probably stopped while writing it)"
        return f"not JSON ({first['msg']})"
    if kind == "union_tag_invalid":
        tag = first.get("ctx", {}).get("tag", "?")
        return (
            f"unknown event type {tag!r}: this nbstream knows {', '.join(EVENT_TYPES)} "
            f"(was the file written by a newer nbstream?)"
        )
    if kind == "union_tag_not_found":
        return "not an event: the line has no 'event' key"
    where = ".".join(str(p) for p in first["loc"][1:]) or "the line"
    return f"{where}: {first['msg']}"


def _check_header(raw: bytes, path: str) -> None:
    try:
        data = json.loads(raw)
    except ValueError:
        raise RecordingError(path, 1, "the header is not JSON: this is not an nbstream recording") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(path, 1, f"no nbstream header (a line with \"format\": {FORMAT!r}) on line 1")
    found = data.get("version")
    if isinstance(found, int) and found > FORMAT_VERSION:
        raise RecordingError(
            path,
            1,
            f"format version {found} is newer than this nbstream reads ({FORMAT_VERSION}, nbstream "
            f"{version('nbstream')}; written by nbstream {data.get('nbstream', '?')}): upgrade nbstream",
        )
    try:
        header_adapter.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RecordingError(path, 1, f"bad header: {where}: {first['msg']}") from None


def read_events(path: str | os.PathLike[str]) -> Iterator[tuple[float, Event]]:
    """Each event of a recording with its time (seconds since the first event), in order.

    Raises :class:`RecordingError` at the first line it cannot read, after yielding the ones before.
    """
    name = os.fspath(path)
    reader = _EventReader()
    validate = line_adapter.validate_json
    build = reader.build
    with open(path, "rb") as file:
        first = file.readline()
        if not first:
            raise RecordingError(name, 1, "the file is empty (no header line)")
        _check_header(first, name)
        number = 1
        pending = file.readline()
        while pending:
            raw, pending = pending, file.readline()
            number += 1
            if raw.isspace():
                continue
            try:
                try:
                    line = validate(raw)
                except ValidationError as error:
                    if b"\\ud" not in raw or error.errors()[0]["type"] != "json_invalid":
                        raise
                    # a lone surrogate in a string (the writer escapes it): pydantic's JSON
                    # parser refuses it, Python's takes it
                    line = line_adapter.validate_python(json.loads(raw))
                event = build(line)
            except ValidationError as error:
                raise RecordingError(name, number, _problem(error, raw, not pending)) from None
            except (ValueError, TypeError, KeyError) as error:
                raise RecordingError(name, number, f"cannot rebuild the event: {error!r}") from None
            yield line.t, event
