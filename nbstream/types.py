"""LangGraph-compatible public types: ``Send``, ``Command``, ``StreamWriter``, ``StreamMode``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeAlias, TypeVar

__all__ = ["Send", "Command", "StreamWriter", "StreamMode", "STREAM_MODES"]

StreamMode: TypeAlias = Literal["values", "updates", "custom", "messages", "debug", "tasks"]
#: every mode nbstream streams; anything else is rejected with a ValueError naming these
STREAM_MODES: tuple[str, ...] = ("values", "updates", "custom", "messages", "debug", "tasks")

StreamWriter: TypeAlias = Callable[[Any], None]
"""The writer a node gets (``writer`` parameter or ``get_stream_writer()``): call it with any value
to emit it on the ``custom`` stream."""


@dataclass(frozen=True, slots=True)
class Send:
    """Run ``node`` in the next step with ``arg`` as its whole input (map-reduce fan-out)."""

    node: str
    arg: Any

    def __repr__(self) -> str:
        return f"Send(node={self.node!r}, arg={self.arg!r})"


N = TypeVar("N")


@dataclass(frozen=True, slots=True)
class Command(Generic[N]):
    """A node's return that updates state and/or chooses where to go next.

    ``update`` is a dict (or a list of ``(key, value)`` pairs) applied like a node's return;
    ``goto`` names a node, a ``Send``, or a sequence of them, taken in addition to static edges.
    """

    update: Any = None
    goto: str | Send | Sequence[str | Send] = ()
    graph: str | None = None

    PARENT: ClassVar[str] = "__parent__"
