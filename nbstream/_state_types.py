"""Records a run reports about itself, shaped as LangGraph's: interrupts, tasks, state snapshots,
state updates and the ``version="v2"`` invoke result.

Field names, defaults, order and reprs are LangGraph 1.2.22's, so code that builds, unpacks or
prints them behaves the same on both.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, final

from typing_extensions import TypeVar

__all__ = [
    "Interrupt",
    "StateUpdate",
    "PregelTask",
    "CacheKey",
    "PregelExecutableTask",
    "StateSnapshot",
    "GraphOutput",
]

ResponseT = TypeVar("ResponseT", default=Any)
OutputT = TypeVar("OutputT")

#: the id of an Interrupt built without one
_PLACEHOLDER_ID = "placeholder-id"


def _namespace_digest(ns: str) -> str:
    """A 128-bit hex digest of a task namespace: xxh3-128 as LangGraph uses, when xxhash is there."""
    try:
        from xxhash import xxh3_128_hexdigest
    except ImportError:  # same shape and uniqueness, different value from LangGraph's ids
        return hashlib.blake2b(ns.encode(), digest_size=16).hexdigest()
    digest: str = xxh3_128_hexdigest(ns.encode())
    return digest


@final
@dataclass(init=False, slots=True)
class Interrupt(Generic[ResponseT]):
    """A value a node surfaced with ``interrupt()``, and the id that answers it."""

    value: Any
    """What the node asked: shown to whoever resumes the run."""
    id: str
    """Names this interrupt in ``Command(resume={id: answer})``."""
    response_schema: type[ResponseT] | dict[str, Any] | None = None
    """The expected answer's schema, when the node gave one."""

    def __init__(
        self,
        value: Any,
        id: str = _PLACEHOLDER_ID,
        *,
        response_schema: type[ResponseT] | dict[str, Any] | None = None,
    ) -> None:
        self.value = value
        self.id = id
        self.response_schema = response_schema

    @classmethod
    def from_ns(
        cls,
        value: Any,
        ns: str,
        *,
        response_schema: type[ResponseT] | dict[str, Any] | None = None,
    ) -> Interrupt[ResponseT]:
        """An interrupt whose id is derived from the task namespace ``ns`` that raised it."""
        return cls(value, _namespace_digest(ns), response_schema=response_schema)


class StateUpdate(NamedTuple):
    """One update in ``bulk_update_state``: the values, as which node, for which task."""

    values: dict[str, Any] | None
    as_node: str | None = None
    task_id: str | None = None


class PregelTask(NamedTuple):
    """A task of a state snapshot: which node, where it came from, and how it ended if it ran."""

    id: str
    name: str
    path: tuple[str | int | tuple[Any, ...], ...]
    error: Exception | None = None
    interrupts: tuple[Interrupt, ...] = ()
    state: dict[str, Any] | StateSnapshot | None = None
    result: Any | None = None


class CacheKey(NamedTuple):
    """Where a task's cached result lives: namespace, key, and time to live in seconds."""

    ns: tuple[str, ...]
    key: str
    ttl: int | None


@dataclass(weakref_slot=True, slots=True, frozen=True)
class PregelExecutableTask:
    """A task ready to run: its node, input, config, and policies."""

    name: str
    input: Any
    proc: Any
    writes: deque[tuple[str, Any]]
    config: dict[str, Any]
    triggers: Sequence[str]
    retry_policy: Sequence[Any]
    cache_key: CacheKey | None
    id: str
    path: tuple[str | int | tuple[Any, ...], ...]
    writers: Sequence[Any] = ()
    subgraphs: Sequence[Any] = ()
    timeout: Any = None


class StateSnapshot(NamedTuple):
    """A graph's state at the start of a step, with what runs next."""

    values: dict[str, Any] | Any
    """The state's values."""
    next: tuple[str, ...]
    """The nodes this step runs."""
    config: dict[str, Any]
    """The config that reads this snapshot back."""
    metadata: dict[str, Any] | None
    """The checkpoint's metadata (source, step, parents)."""
    created_at: str | None
    """When the checkpoint was saved (ISO 8601)."""
    parent_config: dict[str, Any] | None
    """The config of the previous snapshot, if any."""
    tasks: tuple[PregelTask, ...]
    """This step's tasks; a task that already ran carries its error or result."""
    interrupts: tuple[Interrupt, ...]
    """The interrupts raised in this step."""


@dataclass(frozen=True)
class GraphOutput(Generic[OutputT]):
    """What ``invoke(..., version="v2")`` returns: the output value and any pending interrupts."""

    value: OutputT
    interrupts: tuple[Interrupt, ...] = ()

    def __getitem__(self, key: str) -> Any:
        """Old-style access: ``result["__interrupt__"]`` or ``result[state_key]`` (deprecated)."""
        _warn_item_access("`result[key]`")
        if key == "__interrupt__":
            return self.interrupts
        if isinstance(self.value, dict):
            return self.value[key]
        try:
            return getattr(self.value, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        _warn_item_access("`key in result`")
        if key == "__interrupt__":
            return bool(self.interrupts)
        if isinstance(self.value, dict):
            return key in self.value
        return isinstance(key, str) and hasattr(self.value, key)


def _warn_item_access(how: str) -> None:
    # LangGraph's category and words, so filters written for LangGraph's warning keep working
    from nbstream.warnings import LangGraphDeprecatedSinceV11

    warnings.warn(
        f"Accessing GraphOutput via {how} is deprecated. Use `result.value` to access the output "
        "value directly, or `result.interrupts` for interrupts.",
        LangGraphDeprecatedSinceV11,
        stacklevel=3,
    )
