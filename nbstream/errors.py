"""Errors nbstream raises, LangGraph's error names, and the one warning nbstream issues.

Hierarchy::

    Exception
    ├── GraphError                      every error about a graph or a run
    │   ├── GraphBuildError (also a ValueError)
    │   │                               ``StateGraph``/``compile()`` rejected the graph (names the node/edge)
    │   ├── InvalidUpdateError          a node wrote something state cannot take (names node, key, step)
    │   ├── EmptyInputError             ``None`` input: nothing to start from
    │   ├── NodeInputError              a ``Send`` targets an unknown node, a router returned one
    │   ├── EmptyChannelError           a state key was read before anything wrote it
    │   ├── NodeTimeoutError            a node attempt ran past its ``TimeoutPolicy``
    │   ├── NodeCancelledError          a node raised ``asyncio.CancelledError`` itself
    │   ├── TaskNotFound                a task id that the run does not know (distributed runs)
    │   └── UnknownInterruptError       a resume that matches no pending interrupt
    ├── GraphRecursionError (a GraphError, also a RecursionError)   the recursion limit was hit
    ├── GraphBubbleUp                   control flow, not an error: stops a task and travels up
    │   ├── GraphInterrupt              a node (or subgraph) paused the run for input
    │   │   └── NodeInterrupt           deprecated way to raise one from a node
    │   ├── GraphDrained                the run stopped early at a step boundary on request
    │   └── ParentCommand               a ``Command(graph=Command.PARENT)`` on its way to the parent
    ├── NotSupportedError (a NotImplementedError, also an AttributeError)
    │                                   a LangGraph parameter, method or name nbstream does not implement;
    │                                   the message names it and says what to do instead
    └── TypeError / ValueError          wrong input type, unknown stream mode (plain built-ins)

    Warning
    └── ObserverWarning                 an observer raised and was detached (see ``nbstream.bus``)

Every class LangGraph's ``langgraph.errors`` has keeps LangGraph's bases (``GraphRecursionError`` is
a ``RecursionError``, ``NodeTimeoutError`` is not a ``TimeoutError``...), so ``except`` clauses
written for LangGraph catch the same errors; ``GraphError`` is an extra base of nbstream's own.
``NodeError`` is not an exception: it is the record a node's error handler receives.

A node's own exception is never wrapped: it propagates unchanged, with a note (PEP 678) naming the
node and the step, so ``except ValueError`` in user code keeps working as with LangGraph.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nbstream.types import Command, Interrupt

__all__ = [
    "GraphError",
    "GraphBuildError",
    "InvalidUpdateError",
    "EmptyInputError",
    "NodeInputError",
    "GraphRecursionError",
    "NotSupportedError",
    "GraphBubbleUp",
    "ParentCommand",
    "ObserverWarning",
    "EmptyChannelError",
    "ErrorCode",
    "create_error_message",
    "GraphDrained",
    "GraphInterrupt",
    "NodeCancelledError",
    "NodeError",
    "NodeInterrupt",
    "NodeTimeoutError",
    "TaskNotFound",
    "UnknownInterruptError",
    "is_invalid_resume",
]


class ErrorCode(Enum):
    """Codes of LangGraph's troubleshooting pages; :func:`create_error_message` links to them."""

    GRAPH_RECURSION_LIMIT = "GRAPH_RECURSION_LIMIT"
    INVALID_CONCURRENT_GRAPH_UPDATE = "INVALID_CONCURRENT_GRAPH_UPDATE"
    INVALID_GRAPH_NODE_RETURN_VALUE = "INVALID_GRAPH_NODE_RETURN_VALUE"
    MULTIPLE_SUBGRAPHS = "MULTIPLE_SUBGRAPHS"
    INVALID_CHAT_HISTORY = "INVALID_CHAT_HISTORY"


def create_error_message(*, message: str, error_code: ErrorCode) -> str:
    """``message`` followed by a line with the link to the troubleshooting page for ``error_code``."""
    url = f"https://docs.langchain.com/oss/python/langgraph/errors/{error_code.value}"
    return f"{message}\nFor troubleshooting, visit: {url}"


class GraphError(Exception):
    """Base of the errors about a graph or a run."""


class GraphBuildError(GraphError, ValueError):
    """The graph cannot be built or compiled as described."""


class InvalidUpdateError(GraphError):
    """A node's write does not fit the state: unknown key, wrong type, or a write conflict."""


class EmptyInputError(GraphError):
    """The graph was given no input."""


class NodeInputError(GraphError):
    """A route or a ``Send`` names a node the graph does not have."""


class EmptyChannelError(GraphError):
    """A state key was read before anything wrote it."""


class GraphRecursionError(GraphError, RecursionError):
    """The run needed more super-steps than the recursion limit allows."""


class TaskNotFound(GraphError):
    """A task id the run does not know (LangGraph's distributed mode)."""


class NodeCancelledError(GraphError):
    """A node raised ``asyncio.CancelledError`` from its own body: reported as the node's failure."""

    node: str

    def __init__(self, node: str, message: str | None = None) -> None:
        super().__init__(message or f"Node {node!r} raised asyncio.CancelledError")
        self.node = node


class NodeTimeoutError(GraphError):
    """A node attempt exceeded its run timeout or its idle timeout.

    Not a ``TimeoutError`` (an ``OSError``), so the default ``RetryPolicy`` retries it.
    ``kind`` says which limit fired and ``timeout`` is that limit, in seconds.
    """

    node: str
    timeout: float
    run_timeout: float | None
    idle_timeout: float | None
    elapsed: float
    kind: Literal["idle", "run"]

    def __init__(
        self,
        node: str,
        elapsed: float,
        *,
        kind: Literal["idle", "run"],
        idle_timeout: float | None = None,
        run_timeout: float | None = None,
    ) -> None:
        if kind == "idle":
            if idle_timeout is None:
                raise ValueError("NodeTimeoutError(kind='idle') needs idle_timeout")
            self.timeout = idle_timeout
            message = (
                f"Node '{node}' exceeded its idle timeout of {idle_timeout:.3f}s without making "
                f"progress (elapsed: {elapsed:.3f}s)."
            )
        elif kind == "run":
            if run_timeout is None:
                raise ValueError("NodeTimeoutError(kind='run') needs run_timeout")
            self.timeout = run_timeout
            message = (
                f"Node '{node}' exceeded its run timeout of {run_timeout:.3f}s (elapsed: {elapsed:.3f}s)."
            )
        else:
            raise ValueError(f"NodeTimeoutError kind must be 'idle' or 'run'; got {kind!r}")
        super().__init__(message)
        self.node = node
        self.elapsed = elapsed
        self.kind = kind
        self.idle_timeout = idle_timeout
        self.run_timeout = run_timeout


class UnknownInterruptError(GraphError):
    """A resume that does not match the pending interrupts; nothing was written.

    ``reason``: ``"not_pending"`` (``interrupt_ids`` are not pending), ``"empty_map"`` (an empty
    resume map) or ``"ambiguous"`` (one value while several interrupts wait). ``pending_ids`` are
    the interrupts still waiting.
    """

    reason: Literal["not_pending", "empty_map", "ambiguous"]
    interrupt_ids: tuple[str, ...]
    pending_ids: tuple[str, ...]

    def __init__(
        self,
        message: str,
        *,
        reason: Literal["not_pending", "empty_map", "ambiguous"],
        interrupt_ids: Sequence[str] = (),
        pending_ids: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.interrupt_ids = tuple(interrupt_ids)
        self.pending_ids = tuple(pending_ids)


class GraphBubbleUp(Exception):
    """Control flow that stops a task and travels up to the run (not an error to report)."""


class GraphInterrupt(GraphBubbleUp):
    """The run paused for input; ``args[0]`` holds the interrupts."""

    def __init__(self, interrupts: Sequence[Interrupt] = ()) -> None:
        super().__init__(interrupts)


class NodeInterrupt(GraphInterrupt):
    """Deprecated (use ``interrupt()``): raised by a node to pause the run with ``value``."""

    def __init__(self, value: Any, id: str | None = None) -> None:
        from nbstream.types import Interrupt

        warnings.warn(
            "NodeInterrupt is deprecated; use nbstream.types.interrupt() instead",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__([Interrupt(value) if id is None else Interrupt(value, id)])


class GraphDrained(GraphBubbleUp):
    """The run stopped at a step boundary because a drain was requested (``reason`` says why)."""

    def __init__(self, reason: str = "shutdown") -> None:
        self.reason = reason
        super().__init__(f"Graph drained: {reason}")


class ParentCommand(GraphBubbleUp):
    """A subgraph node returned ``Command(graph=Command.PARENT, ...)``: the command goes to the
    graph that runs the subgraph. It escapes ``invoke`` only when there is no parent graph."""

    args: tuple[Command[Any]]

    def __init__(self, command: Command[Any]) -> None:
        super().__init__(command)

    @property
    def command(self) -> Command[Any]:
        return self.args[0]


@dataclass(frozen=True, slots=True)
class NodeError:
    """What a node's error handler receives: the failed node's name and its exception."""

    node: str
    error: BaseException


#: the attribute that marks a validation error as a bad resume value
_INVALID_RESUME = "_langgraph_invalid_resume"


def is_invalid_resume(error: BaseException) -> bool:
    """Whether ``error`` came from a resume value that did not match the interrupt's schema."""
    return getattr(error, _INVALID_RESUME, False) is True


class NotSupportedError(NotImplementedError, AttributeError):
    """A LangGraph feature nbstream does not implement was asked for; the message names it.

    nbstream refuses such options loudly instead of ignoring them. It is an ``AttributeError`` too,
    so code probing with ``getattr(obj, name, default)`` or ``hasattr`` reads it as "absent".
    """


class ObserverWarning(RuntimeWarning):
    """An observer raised while handling an event and was detached for the rest of the run."""
