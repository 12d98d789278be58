"""The JSON Lines format of a recording, as pydantic models (used when reading, never during a run).

Line 1 is the :class:`Header`. Every other line is one event: ``{"event": "<type>", "t": seconds
since the first event, "run_id": ..., "ns": [...], "step": ..., <the event's other fields>}``.
The line model of each event type is made from the event's own fields (``nbstream.events``), so a
field added to an event is part of the format at once: fields of plain JSON types are written as
they are (tuples as arrays, frozensets as sorted arrays) and checked by type; every other field is
a value in the tagged JSON form of :mod:`nbstream._recorded_values`.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from nbstream import events
from nbstream.events import Namespace, ThreadControl

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "SAME_AS_CALL",
    "Header",
    "EVENT_TYPES",
    "FieldKind",
    "field_kinds",
    "line_adapter",
]

FORMAT = "nbstream.recording"
#: the metadata of a later chunk of an LLM call: ``{SAME_AS_CALL: call_id}``, the dict its first
#: chunk wrote (the chunks of one call share one metadata dict, in the live run and in a replay)
SAME_AS_CALL = "$same_as_call"
#: bump when a file written now could not be read by the reader of an older nbstream
FORMAT_VERSION = 1


class RunInfo(BaseModel):
    """What the run was: its id, its graph's name and nodes."""

    run_id: str
    graph: str
    nodes: list[str]


class Header(BaseModel):
    """The first line of a recording."""

    model_config = ConfigDict(extra="allow")  # a newer writer may add facts; the version guards meaning

    format: Literal["nbstream.recording"]
    version: int
    nbstream: str
    langchain_core: str
    recorded_at: str
    run: RunInfo


#: every event type, by name (walks ``events.Event``: a new event type is recorded at once)
EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(events.Event)}

#: "plain": written as it is (JSON does it), "set": a frozenset written sorted, "value": the tagged
#: JSON form, "items": a tuple of values written as an array of them, "pairs": a tuple of
#: ``(name, value)`` pairs written as ``[name, value]`` arrays, "thread": a ThreadControl, never
#: written (read back as None)
FieldKind = Literal["plain", "set", "value", "items", "pairs", "thread"]

_PLAIN_TYPES: set[Any] = {
    str,
    int,
    float,
    bool,
    str | None,
    Namespace,
    tuple[str, ...] | None,
    tuple[tuple[str, str, bool], ...],
    Literal["token", "message"],
}


def field_kinds(cls: type[Any]) -> list[tuple[str, FieldKind, Any]]:
    """Each field of event type ``cls`` with how it is written and its type in the line model."""
    hints = typing.get_type_hints(cls, vars(events))
    kinds: list[tuple[str, FieldKind, Any]] = []
    for name in cls._fields:
        hint = hints[name]
        if hint in _PLAIN_TYPES:
            kinds.append((name, "plain", hint))
        elif hint == frozenset[str]:
            kinds.append((name, "set", hint))
        elif hint == tuple[Any, ...]:
            kinds.append((name, "items", list[Any]))
        elif hint == tuple[tuple[str, Any], ...]:
            kinds.append((name, "pairs", list[tuple[str, Any]]))
        elif hint == ThreadControl | None:
            kinds.append((name, "thread", None))
        else:
            kinds.append((name, "value", Any))
    return kinds


def _line_model(cls: type[Any]) -> type[BaseModel]:
    defaults: dict[str, Any] = cls._field_defaults
    definitions: dict[str, Any] = {
        "event": (Literal[cls.__name__], ...),
        "t": (float, ...),
    }
    for name, kind, hint in field_kinds(cls):
        if kind == "thread":
            continue
        definitions[name] = (hint, defaults.get(name, ...))
    model: type[BaseModel] = create_model(
        f"{cls.__name__}Line", __config__=ConfigDict(extra="forbid"), **definitions
    )
    return model


_LINE_MODELS = tuple(_line_model(cls) for cls in EVENT_TYPES.values())

#: validates one event line (bytes or str) into its line model, by its ``event`` key
_LINE: Any = Annotated[Union[_LINE_MODELS], Field(discriminator="event")]  # noqa: UP007
line_adapter: TypeAdapter[Any] = TypeAdapter(_LINE)
header_adapter: TypeAdapter[Header] = TypeAdapter(Header)
