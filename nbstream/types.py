"""LangGraph-compatible public types: ``Send``, ``Command``, ``StreamWriter``, ``StreamMode``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass
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
    _: KW_ONLY
    timeout: Any = None

    def __post_init__(self) -> None:
        if self.timeout is not None:
            from nbstream.errors import NotSupportedError

            raise NotSupportedError(
                f"Send({self.node!r}, ..., timeout={self.timeout!r}): nbstream has no node timeouts yet; "
                "bound the work inside the node (asyncio.wait_for)"
            )

    def __repr__(self) -> str:
        return f"Send(node={self.node!r}, arg={self.arg!r})"


N = TypeVar("N")


@dataclass(frozen=True, slots=True, kw_only=True)
class Command(Generic[N]):
    """A node's return that updates state and/or chooses where to go next.

    ``update`` is a dict (or a list of ``(key, value)`` pairs) applied like a node's return;
    ``goto`` names a node, a ``Send``, or a sequence of them, taken in addition to static edges;
    ``graph=Command.PARENT`` sends the command to the graph that runs this subgraph.
    ``resume`` answers an interrupt, which needs a checkpointer (not implemented yet).
    """

    graph: str | None = None
    update: Any = None
    resume: Any = None
    goto: str | Send | Sequence[str | Send] = ()

    PARENT: ClassVar[str] = "__parent__"

    def __repr__(self) -> str:
        # as LangGraph: only the fields that are set
        shown = (
            ("graph", self.graph),
            ("update", self.update),
            ("resume", self.resume),
            ("goto", self.goto),
        )
        return "Command(" + ", ".join(f"{k}={v!r}" for k, v in shown if v) + ")"
