"""``Runtime``: what a running node can reach besides its state (LangGraph's ``langgraph.runtime``).

A node gets it from ``get_runtime()``: the run's context, the graph's store (the outermost graph's,
inside a subgraph), the task's stream writer, and the task's execution info. The previous return
value, server info and drain control are LangGraph features nbstream does not have yet: they stay
``None``.
The runtime is built the first time a task asks for it and kept on the task's context, so a run
that never asks pays nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, runtime_checkable

from typing_extensions import TypeVar

from nbstream.runtime._context import CURRENT_TASK, START_RUNTIME, TaskContext
from nbstream.runtime._task import task_segment
from nbstream.types import StreamWriter

if TYPE_CHECKING:
    from langgraph.store.base import BaseStore

__all__ = ["BaseUser", "ExecutionInfo", "RunControl", "Runtime", "ServerInfo", "get_runtime"]

ContextT = TypeVar("ContextT", default=None)


@runtime_checkable  # as langgraph-sdk's: pydantic checks it when a tool's schema holds a ToolRuntime
class BaseUser(Protocol):
    """An authenticated user as LangGraph Server describes one (attribute and dict-like access)."""

    @property
    def is_authenticated(self) -> bool: ...
    @property
    def display_name(self) -> str: ...
    @property
    def identity(self) -> str: ...
    @property
    def permissions(self) -> Sequence[str]: ...
    def __getitem__(self, key: str) -> Any: ...
    def __contains__(self, key: str) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Read-only facts about the running task: its ids, namespace and attempt."""

    checkpoint_id: str
    """The id of the checkpoint the task's step started from."""
    checkpoint_ns: str
    """The task's namespace, ``"node:task_id"`` (prefixed by its parents' inside a subgraph)."""
    task_id: str
    thread_id: str | None = None
    """``config["configurable"]["thread_id"]``, if given."""
    run_id: str | None = None
    """``config["run_id"]``, if given."""
    node_attempt: int = 1
    """Which attempt this is, counting from 1 (retries add attempts)."""
    node_first_attempt_time: float | None = None
    """Unix time at which the first attempt started."""

    def patch(self, **overrides: Any) -> ExecutionInfo:
        """A copy with the given fields replaced."""
        return replace(self, **overrides)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What LangGraph Server tells a run about itself; ``None`` outside a deployment."""

    assistant_id: str
    graph_id: str
    user: BaseUser | None = None


class RunControl:
    """A run's drain switch: ``request_drain()`` asks the run to stop at the next step boundary.

    One per run; safe to call from any thread (the request is a single attribute write).
    """

    __slots__ = ("_drain_reason",)

    def __init__(self) -> None:
        self._drain_reason: str | None = None

    def request_drain(self, reason: str = "shutdown") -> None:
        self._drain_reason = reason

    @property
    def drain_requested(self) -> bool:
        return self._drain_reason is not None

    @property
    def drain_reason(self) -> str | None:
        return self._drain_reason


def _no_op_stream_writer(_chunk: Any) -> None:
    """The writer of a runtime that has no stream."""


def _no_op_heartbeat() -> None:
    """The heartbeat of a runtime without an idle timeout."""


@dataclass(kw_only=True, slots=True, frozen=True)
class Runtime(Generic[ContextT]):
    """The run-scoped things a node can use: context, store, stream writer, execution info."""

    context: ContextT = field(default=None)  # type: ignore[assignment]
    """The run's static context (``invoke(..., context=...)``): user id, connections..."""
    store: BaseStore | None = field(default=None)
    """The graph's store, if it was compiled with one."""
    stream_writer: StreamWriter = field(default=_no_op_stream_writer)
    """Emits a value on the ``custom`` stream."""
    heartbeat: Callable[[], None] = field(default=_no_op_heartbeat)
    """Tells an idle timeout the node is still making progress."""
    previous: Any = field(default=None)
    """The thread's previous return value (functional API with a checkpointer)."""
    execution_info: ExecutionInfo | None = field(default=None)
    """Facts about the running task."""
    server_info: ServerInfo | None = field(default=None)
    """LangGraph Server's facts about the run, when deployed there."""
    control: RunControl | None = field(default=None)
    """The run's drain switch."""

    def merge(self, other: Runtime[ContextT]) -> Runtime[ContextT]:
        """``other``'s values where it has them, this runtime's elsewhere."""
        return Runtime(
            context=other.context or self.context,
            store=other.store or self.store,
            stream_writer=(
                self.stream_writer if other.stream_writer is _no_op_stream_writer else other.stream_writer
            ),
            heartbeat=self.heartbeat if other.heartbeat is _no_op_heartbeat else other.heartbeat,
            previous=self.previous if other.previous is None else other.previous,
            execution_info=other.execution_info or self.execution_info,
            server_info=other.server_info or self.server_info,
            control=other.control or self.control,
        )

    def override(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy with the given fields replaced."""
        return replace(self, **overrides)

    def patch_execution_info(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy whose execution info has the given fields replaced."""
        if self.execution_info is None:
            raise RuntimeError("Cannot patch execution_info before it has been set")
        return replace(self, execution_info=self.execution_info.patch(**overrides))

    @property
    def drain_requested(self) -> bool:
        return self.control is not None and self.control.drain_requested

    @property
    def drain_reason(self) -> str | None:
        return self.control.drain_reason if self.control is not None else None


def _execution_info(ctx: TaskContext) -> ExecutionInfo:
    run, task = ctx.run, ctx.task
    segment = task_segment(task)
    base = run.parent_config if run.parent_config is not None else run.root.user_config
    configurable = base.get("configurable") or {}
    thread_id = configurable.get("thread_id")
    run_id = base.get("run_id")
    return ExecutionInfo(
        # nbstream saves no checkpoints: an id per (run, namespace, step), shared by the step's tasks
        checkpoint_id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{run.root.run_id}|{run.ns_str}|{run.step}")),
        checkpoint_ns=f"{run.ns_str}|{segment}" if run.ns_str else segment,
        task_id=task.id,
        thread_id=None if thread_id is None else str(thread_id),
        run_id=None if run_id is None else str(run_id),
        node_first_attempt_time=time.time() - (time.perf_counter() - task.started),
    )


def runtime_of(ctx: TaskContext) -> Runtime[Any]:
    """The task's :class:`Runtime`, built on first use and kept on its context."""
    runtime: Runtime[Any] | None = ctx.runtime
    if runtime is None:
        root = ctx.run.root
        runtime = ctx.runtime = Runtime(
            context=root.context,
            store=root.store,
            stream_writer=ctx.writer,
            execution_info=_execution_info(ctx),
        )
    return runtime


def get_runtime(context_schema: type[ContextT] | None = None) -> Runtime[ContextT]:
    """The running node's :class:`Runtime` (``context_schema`` only narrows the static type).

    Outside a running graph node it raises ``RuntimeError``, as LangGraph does.
    """
    ctx = CURRENT_TASK.get()
    if ctx is None:
        start: Runtime[ContextT] | None = START_RUNTIME.get()
        if start is not None:  # a router from START: LangGraph runs it in its __start__ task
            return start
        from nbstream.config import langgraph_accessor

        if (langgraph_own := langgraph_accessor("get_runtime")) is not None:  # to_langgraph()'s nodes
            return langgraph_own(context_schema)  # type: ignore[no-any-return]
        raise RuntimeError("get_runtime() was called outside a running graph node")
    return runtime_of(ctx)
