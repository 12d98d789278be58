"""Deterministic, bounded plain-text previews of untrusted values (state, node updates).

The text made here is *not* escaped: the HTML renderers escape it. It is deterministic so that the
snapshot of a run is byte-identical across runs: memory addresses are dropped, sets are sorted,
and chat messages are shown as ``role: content`` without their random ids. Formatting stops as
soon as ``limit`` characters are reached, so a 10,000-item list costs no more than a short one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["preview", "full_text", "message_text", "error_text"]

_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+")
_MAX_DEPTH = 6
_ELLIPSIS = "…"


class _Full(Exception):
    """Raised internally once the output reached its limit."""


class _Writer:
    __slots__ = ("limit", "parts", "size")

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def write(self, text: str) -> None:
        room = self.limit - self.size
        if len(text) > room:
            self.parts.append(text[:room])
            self.size = self.limit
            raise _Full
        self.parts.append(text)
        self.size += len(text)


def message_text(content: Any) -> str:
    """The text of a chat message's ``content``: a string, or the text parts of a block list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts: list[str] = []
        for block in content:
            if isinstance(block, str):
                texts.append(block)
            elif isinstance(block, Mapping) and isinstance(block.get("text"), str):
                texts.append(block["text"])
        return "".join(texts)
    return "" if content is None else str(content)


def _is_message(value: Any) -> bool:
    # langchain-core messages, duck-typed so that this module needs no import of them
    return (
        hasattr(value, "content")
        and isinstance(getattr(value, "type", None), str)
        and "Message" in type(value).__name__
    )


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
    return _ADDRESS.sub("", text)


def _format(value: Any, out: _Writer, depth: int) -> None:
    kind = type(value)
    # the values state is made of, by exact type, before the costlier checks of the whole chain
    # (``_format_any``): each gives what the chain gives it (no plain dict, list or tuple looks
    # like a message), and the rest goes down the chain
    if kind is int or kind is float or value is None or kind is bool:
        out.write(repr(value))
    elif kind is str:
        out.write(repr(value[: out.limit - out.size + 1]))
    elif depth >= _MAX_DEPTH:
        _format_any(value, out, depth)
    elif kind is dict:
        _items(value.items(), "{", "}", out, depth)
    elif kind is list:
        _sequence(value, "[", "]", out, depth)
    elif kind is tuple:
        _sequence(value, "(", ")", out, depth)
    else:
        _format_any(value, out, depth)


def _format_any(value: Any, out: _Writer, depth: int) -> None:
    if value is None or isinstance(value, bool | int | float):
        out.write(repr(value))
    elif isinstance(value, str):
        # truncate before repr so a huge string costs nothing
        out.write(repr(value[: out.limit - out.size + 1]))
    elif depth >= _MAX_DEPTH:
        out.write(_ELLIPSIS)
    elif _is_message(value):
        out.write(f"{value.type}: ")
        _format(message_text(value.content), out, depth + 1)
        calls = getattr(value, "tool_calls", None)
        if calls:
            names = ", ".join(str(c.get("name", "?")) for c in calls if isinstance(c, Mapping))
            out.write(f" [tool calls: {names}]")
    elif isinstance(value, Mapping):
        _items(value.items(), "{", "}", out, depth)
    elif isinstance(value, list | tuple):
        opener, closer = ("[", "]") if isinstance(value, list) else ("(", ")")
        _sequence(value, opener, closer, out, depth)
    elif isinstance(value, set | frozenset):
        # set order depends on the hash seed: sort for determinism
        _sequence(sorted(value, key=_safe_repr), "{", "}", out, depth)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
        _attributes(type(value).__name__, fields, out, depth)
    elif hasattr(type(value), "model_fields") and hasattr(value, "__iter__"):
        _attributes(type(value).__name__, iter(value), out, depth)  # a pydantic model
    else:
        out.write(_safe_repr(value))


def _sequence(items: Any, opener: str, closer: str, out: _Writer, depth: int) -> None:
    out.write(opener)
    for i, item in enumerate(items):
        if i:
            out.write(", ")
        _format(item, out, depth + 1)
    out.write(closer)


def _items(pairs: Any, opener: str, closer: str, out: _Writer, depth: int) -> None:
    out.write(opener)
    for i, (key, item) in enumerate(pairs):
        if i:
            out.write(", ")
        _format(key, out, depth + 1)
        out.write(": ")
        _format(item, out, depth + 1)
    out.write(closer)


def _attributes(name: str, pairs: Any, out: _Writer, depth: int) -> None:
    out.write(f"{name}(")
    for i, (key, item) in enumerate(pairs):
        if i:
            out.write(", ")
        out.write(f"{key}=")
        _format(item, out, depth + 1)
    out.write(")")


def preview(value: Any, limit: int = 80) -> str:
    """A one-line preview of ``value``, at most ``limit`` characters (``…`` marks a cut)."""
    out = _Writer(limit)
    try:
        _format(value, out, 0)
    except _Full:
        text = "".join(out.parts)[: limit - 1] + _ELLIPSIS
    else:
        text = "".join(out.parts)
    return text.replace("\n", " ") if "\n" in text else text


def full_text(value: Any, limit: int = 20_000) -> str:
    """The whole of ``value`` for an expanded view: one line per key of a top-level mapping."""
    if isinstance(value, Mapping) and value:
        lines = [f"{preview(k, 200)}: {preview(v, limit)}" for k, v in value.items()]
        text = "\n".join(lines)
    elif isinstance(value, list | tuple) and value and all(_is_message(v) for v in value):
        text = "\n".join(preview(v, limit) for v in value)
    else:
        text = preview(value, limit)
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def error_text(error: BaseException) -> str:
    """``TypeName: message`` for an exception (its notes left out: they repeat node and step)."""
    message = str(error)
    name = type(error).__name__
    return f"{name}: {message}" if message else name
