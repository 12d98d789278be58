"""LangGraph-compatible public types: what ``langgraph.types`` exports, under the same names.

``Send``, ``Command`` and ``Overwrite`` steer a run; the policies and records (``RetryPolicy``,
``Interrupt``, ``StateSnapshot``, ...) live in private modules and are re-exported here.
``interrupt()`` pauses a run on a thread (a graph compiled with a checkpointer) for an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeAlias, TypeVar, Union

from langchain_core.messages.tool import ToolOutputMixin

from nbstream._policies import (
    CachePolicy,
    RetryPolicy,
    TimeoutPolicy,
    TracePolicy,
    default_cache_key,
    default_retry_on,
    omit_payload,
)
from nbstream._state_types import (
    GraphOutput,
    Interrupt,
    PregelExecutableTask,
    PregelTask,
    StateSnapshot,
    StateUpdate,
)
from nbstream._stream_parts import (
    CheckpointPayload,
    CheckpointStreamPart,
    CheckpointTask,
    CustomStreamPart,
    DebugPayload,
    DebugStreamPart,
    MessagesStreamPart,
    StreamPart,
    TaskPayload,
    TaskResultPayload,
    TasksStreamPart,
    UpdatesStreamPart,
    ValuesStreamPart,
)

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

__all__ = [
    "All",
    "Checkpointer",
    "StreamMode",
    "StreamWriter",
    "StreamPart",
    "ValuesStreamPart",
    "UpdatesStreamPart",
    "MessagesStreamPart",
    "CustomStreamPart",
    "CheckpointStreamPart",
    "TasksStreamPart",
    "DebugStreamPart",
    "TaskPayload",
    "TaskResultPayload",
    "CheckpointTask",
    "CheckpointPayload",
    "DebugPayload",
    "RetryPolicy",
    "TimeoutPolicy",
    "CachePolicy",
    "TracePolicy",
    "omit_payload",
    "default_retry_on",
    "default_cache_key",
    "Interrupt",
    "StateUpdate",
    "PregelTask",
    "PregelExecutableTask",
    "StateSnapshot",
    "Send",
    "Command",
    "Durability",
    "interrupt",
    "Overwrite",
    "GraphOutput",
    "ensure_valid_checkpointer",
    "STREAM_MODES",
]

StreamMode: TypeAlias = Literal["values", "updates", "custom", "messages", "debug", "tasks", "checkpoints"]
#: every mode nbstream streams; anything else is rejected with a ValueError naming these
STREAM_MODES: tuple[str, ...] = ("values", "updates", "custom", "messages", "debug", "tasks", "checkpoints")

StreamWriter: TypeAlias = Callable[[Any], None]
"""The writer a node gets (``writer`` parameter or ``get_stream_writer()``): call it with any value
to emit it on the ``custom`` stream."""

Durability: TypeAlias = Literal["sync", "async", "exit"]
"""When a run's checkpoints are saved: before the next step, during it, or only at the end."""

All: TypeAlias = Literal["*"]
"""``interrupt_before=All`` / ``interrupt_after=All``: every node."""

# Union[...] and not `|`: the saver is a forward reference (langgraph-checkpoint is optional)
Checkpointer: TypeAlias = Union[bool, "BaseCheckpointSaver[Any]", None]
"""A subgraph's checkpointer: ``True`` its own, ``False`` none, ``None`` the parent's, or a saver."""


def ensure_valid_checkpointer(checkpointer: Checkpointer) -> Checkpointer:
    """Return ``checkpointer`` if it is ``None``, ``True``, ``False`` or a saver; else raise ``TypeError``."""
    if checkpointer is None or checkpointer is True or checkpointer is False:
        return checkpointer
    try:
        from langgraph.checkpoint.base import BaseCheckpointSaver
    except ImportError:  # without langgraph-checkpoint installed, nothing else can be a saver
        BaseCheckpointSaver = ()  # type: ignore[assignment,misc]
    if not isinstance(checkpointer, BaseCheckpointSaver):
        raise TypeError(
            f"invalid checkpointer: expected a BaseCheckpointSaver (from langgraph-checkpoint), True, "
            f"False or None; got {type(checkpointer).__name__}"
        )
    return checkpointer


@dataclass(frozen=True, slots=True)
class Send:
    """Run ``node`` in the next step with ``arg`` as its whole input (map-reduce fan-out).

    ``timeout`` (seconds, a ``timedelta`` or a ``TimeoutPolicy``) limits this task's attempts in
    place of the node's own timeout, as LangGraph's.
    """

    node: str
    arg: Any
    timeout: TimeoutPolicy | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if self.timeout is not None:
            object.__setattr__(self, "timeout", TimeoutPolicy.coerce(self.timeout))

    def __repr__(self) -> str:
        if self.timeout is None:
            return f"Send(node={self.node!r}, arg={self.arg!r})"
        return f"Send(node={self.node!r}, arg={self.arg!r}, timeout={self.timeout!r})"


N = TypeVar("N")


@dataclass(frozen=True, slots=True, kw_only=True)
class Command(Generic[N], ToolOutputMixin):
    """A node's return that updates state and/or chooses where to go next.

    ``update`` is a dict (or a list of ``(key, value)`` pairs) applied like a node's return;
    ``goto`` names a node, a ``Send``, or a sequence of them, taken in addition to static edges;
    ``graph=Command.PARENT`` sends the command to the graph that runs this subgraph.
    ``resume`` answers an ``interrupt()``, which needs persistence nbstream does not have yet.
    Fields, their order and the repr are LangGraph's. A tool may return one: it is a langchain-core
    ``ToolOutputMixin``, so the tool hands it back as it is and the ToolNode applies it.
    """

    graph: str | None = None
    update: Any = None
    resume: Any = None
    goto: str | Send | Sequence[str | Send] = ()

    PARENT: ClassVar[str] = "__parent__"

    def __repr__(self) -> str:
        # as LangGraph shows it: only the fields that are set (truthy)
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if getattr(self, f.name)
        )
        return f"Command({shown})"


#: the ``type`` of an Overwrite, and the key of its dict form ``{"__overwrite__": value}``
OVERWRITE = "__overwrite__"


@dataclass(slots=True)
class Overwrite:
    """Write ``value`` to a reducer key as is: it replaces the key's value instead of being reduced.

    Writes to the same key earlier in the step are replaced, later ones in the step are dropped,
    and two Overwrites of one key in one step raise ``InvalidUpdateError``. The ``updates`` stream
    shows the Overwrite itself. The JSON forms ``{"__overwrite__": value}`` and
    ``{"value": value, "type": "__overwrite__"}`` mean the same. A key without a reducer stores
    the Overwrite object unchanged (as LangGraph does).
    """

    value: Any
    type: Literal["__overwrite__"] = "__overwrite__"


def interrupt(value: Any, *, response_schema: dict[str, Any] | type | None = None) -> Any:
    """Pause the run until a person answers ``value``; return the answer when the run is resumed.

    The first call in a node raises ``GraphInterrupt``: the run stops (its step is saved, the
    node's siblings finish) and ``stream``/``invoke`` show ``__interrupt__`` with the
    :class:`Interrupt`. ``graph.invoke(Command(resume=answer), config)`` runs the node again from
    its start, and this call then returns ``answer``. Several calls in one node are answered in
    order. With a ``response_schema`` class the answer is validated (pydantic) before it is returned.
    """
    from nbstream.config import langgraph_accessor
    from nbstream.runtime._context import CURRENT_TASK
    from nbstream.runtime._persist import ask

    if CURRENT_TASK.get() is None and (langgraph_own := langgraph_accessor("interrupt")) is not None:
        return langgraph_own(value, response_schema=response_schema)  # an exported graph's node
    return ask(value, response_schema)
