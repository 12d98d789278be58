"""Per-node policies, shaped as LangGraph's: ``RetryPolicy``, ``TimeoutPolicy``, ``CachePolicy``,
``TracePolicy``, and their default functions.

These are plain values: field names, defaults, order and reprs are LangGraph 1.2.22's, so a policy
built for LangGraph builds the same here. What the runner does with them lives in the runner.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, Literal, NamedTuple, TypeVar

__all__ = [
    "RetryPolicy",
    "TimeoutPolicy",
    "CachePolicy",
    "TracePolicy",
    "default_retry_on",
    "default_cache_key",
    "omit_payload",
]

#: programming and input errors: retrying the same call would fail the same way
_NOT_RETRIED: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    ArithmeticError,
    ImportError,
    LookupError,
    NameError,
    SyntaxError,
    RuntimeError,
    ReferenceError,
    StopIteration,
    StopAsyncIteration,
    OSError,
)


def _status_code(response: Any) -> int | None:
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def default_retry_on(exc: Exception) -> bool:
    """Whether the default ``RetryPolicy`` retries ``exc`` (LangGraph's rule).

    Connection errors and HTTP 5xx responses (``httpx``/``requests``) are retried; the built-in
    programming and I/O errors (``ValueError``, ``TypeError``, ``LookupError``, ``OSError``, ...)
    are not; any other exception (a library's own error class, say) is.
    """
    if isinstance(exc, ConnectionError):
        return True
    # the HTTP libraries are looked up, not imported: an exception of theirs means they are loaded
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPStatusError):
        code = _status_code(exc.response)
        return code is not None and 500 <= code < 600
    requests = sys.modules.get("requests")
    if requests is not None and isinstance(exc, requests.HTTPError):
        response = exc.response
        if not response:  # no response at all, or (as requests defines truth) an error status
            return True
        code = _status_code(response)
        return code is not None and 500 <= code < 600
    return not isinstance(exc, _NOT_RETRIED)


class RetryPolicy(NamedTuple):
    """How a failed node is retried: back-off timing, attempts, and which errors qualify."""

    initial_interval: float = 0.5
    """Seconds to wait before the first retry."""
    backoff_factor: float = 2.0
    """Each retry waits this many times longer than the previous one."""
    max_interval: float = 128.0
    """The wait between retries never exceeds this many seconds."""
    max_attempts: int = 3
    """Attempts in all, the first one included."""
    jitter: bool = True
    """Whether to add a random amount to each wait."""
    retry_on: type[Exception] | Sequence[type[Exception]] | Callable[[Exception], bool] = default_retry_on
    """Exception classes to retry, or a predicate on the exception."""


def _seconds(value: float | timedelta | None, name: str) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds <= 0:
        raise ValueError(f"{name} must be greater than 0")  # LangGraph's words
    return seconds


@dataclass(kw_only=True, slots=True, frozen=True)
class TimeoutPolicy:
    """Time limits for one node attempt: a hard cap, and/or a limit on time without progress."""

    run_timeout: float | timedelta | None = None
    """Wall-clock seconds one attempt may take; nothing extends it."""
    idle_timeout: float | timedelta | None = None
    """Seconds one attempt may go without a sign of progress."""
    refresh_on: Literal["auto", "heartbeat"] = "auto"
    """What counts as progress: any graph activity (``"auto"``) or only ``runtime.heartbeat()``."""

    @classmethod
    def coerce(cls, value: float | timedelta | TimeoutPolicy | None) -> TimeoutPolicy | None:
        """A policy with both limits in positive float seconds, or ``None`` when there is no limit.

        A number or ``timedelta`` is a ``run_timeout``.
        """
        if value is None:
            return None
        policy = value if isinstance(value, TimeoutPolicy) else cls(run_timeout=value)
        if policy.refresh_on not in ("auto", "heartbeat"):
            raise ValueError("refresh_on must be 'auto' or 'heartbeat'")
        run = _seconds(policy.run_timeout, "run_timeout")
        idle = _seconds(policy.idle_timeout, "idle_timeout")
        if run is None and idle is None:
            return None
        if _is_seconds(policy.run_timeout) and _is_seconds(policy.idle_timeout):
            return policy  # already normalised: frozen, so it can be shared
        return cls(run_timeout=run, idle_timeout=idle, refresh_on=policy.refresh_on)


def _is_seconds(value: Any) -> bool:
    return value is None or type(value) is float


def _canonical(value: Any, depth: int = 10) -> Any:
    """``value`` with mappings and sets sorted and sequences as tuples, so equal inputs hash equal."""
    if depth <= 0 or isinstance(value, str | bytes | int | float | bool | type(None)):
        return value
    if isinstance(value, Mapping):
        items = [(_canonical(k, depth - 1), _canonical(v, depth - 1)) for k, v in value.items()]
        return ("mapping", tuple(_sorted(items)))
    if isinstance(value, Set):
        return ("set", tuple(_sorted([_canonical(v, depth - 1) for v in value])))
    if isinstance(value, Sequence):
        return tuple(_canonical(v, depth - 1) for v in value)
    return value


def _sorted(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:  # keys of mixed types: order by a stable rendering instead
        return sorted(items, key=lambda item: (type(item).__qualname__, repr(item)))


def default_cache_key(*args: Any, **kwargs: Any) -> str:
    """The default ``CachePolicy`` key of a node call: a digest of its arguments.

    Deterministic within a process: dict key order and set order do not change the key, and
    lists and tuples with the same items give the same key. Raises ``TypeError`` for an argument
    that cannot be serialised; give the policy a ``key_func`` for such inputs.
    """
    canonical = (_canonical(args), _canonical(kwargs))
    try:
        data = pickle.dumps(canonical, protocol=5)
    except Exception as exc:
        raise TypeError(
            f"default_cache_key cannot serialise the node input ({exc}); pass "
            f"CachePolicy(key_func=...) that returns a str or bytes key for it"
        ) from exc
    return hashlib.blake2b(data, digest_size=16).hexdigest()


KeyFuncT = TypeVar("KeyFuncT", bound=Callable[..., str | bytes])


@dataclass(kw_only=True, slots=True, frozen=True)
class CachePolicy(Generic[KeyFuncT]):
    """How a node's results are cached: the key of an input, and how long an entry lives."""

    key_func: KeyFuncT = default_cache_key  # type: ignore[assignment]
    """Turns the node's input into a cache key (``str`` or ``bytes``)."""
    ttl: int | None = None
    """Seconds an entry lives; ``None`` keeps it forever."""


@dataclass(kw_only=True, slots=True, frozen=True)
class TracePolicy:
    """What a node's own trace run records: transforms of its input and output (not redaction)."""

    process_inputs: Callable[[Any], Any] | None = None
    """Maps the node's input to what is recorded."""
    process_outputs: Callable[[Any], Any] | None = None
    """Maps the node's output to what is recorded."""


def omit_payload(_value: Any) -> dict[str, Any]:
    """A ``TracePolicy`` processor that records an empty payload (keeps the span, drops the data)."""
    return {}
