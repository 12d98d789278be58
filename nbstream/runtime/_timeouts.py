"""Node timeouts (``add_node(..., timeout=...)``): one attempt of an async node, run under its limits.

LangGraph 1.2.22's semantics, pinned side by side in ``tests/test_node_timeouts.py``:

* **Limits.** ``run_timeout`` caps an attempt's wall-clock time; ``idle_timeout`` caps the time
  since its last sign of progress. A number or a ``timedelta`` is a ``run_timeout``. Each attempt
  (retries included) gets fresh limits.
* **Progress.** Under ``refresh_on="auto"``: a custom write (``writer``, ``get_stream_writer()``,
  ``runtime.stream_writer``), any langchain-core callback event under the node (an LLM's start,
  tokens and end, a tool's, a runnable's), a step of a graph the node runs as its subgraph, and
  ``runtime.heartbeat()``. Under ``refresh_on="heartbeat"`` only ``runtime.heartbeat()`` counts.
* **Past a limit.** The node's asyncio task is cancelled (not awaited: a node that swallows the
  cancellation keeps running, as in LangGraph, but what it writes is dropped) and the attempt fails
  with ``NodeTimeoutError``, which the node's ``RetryPolicy`` may retry (the default one does) and
  its error handler may take, like any failure.
* **Sync nodes.** ``compile()`` refuses a timeout on a node that has no native async form (a sync
  function, a runnable without ``ainvoke``), with LangGraph's ``ValueError``: a thread cannot be
  cancelled. A sync run (``invoke``/``stream``) fails each timed task with that same error, before
  any attempt, as LangGraph's does.

Only the tasks of timed nodes come here (through ``runtime/_policies.py``); a graph without
timeouts pays nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal, cast

from nbstream._callbacks import plus_handler
from nbstream._policies import TimeoutPolicy
from nbstream.errors import NodeTimeoutError

if TYPE_CHECKING:
    from nbstream.runtime.loop import Run, Task

__all__ = ["ATTEMPT", "TimedAttempt", "native_async", "sync_timeout_unsupported", "timed_attempt"]

_monotonic = time.monotonic

#: the timed attempt whose node is running in this context (a subgraph it runs reports its steps)
ATTEMPT: ContextVar[TimedAttempt | None] = ContextVar("nbstream_timed_attempt", default=None)


def sync_timeout_unsupported(name: str) -> ValueError:
    """LangGraph's error for a timeout on a node that cannot be cancelled (its words)."""
    return ValueError(
        "Node timeouts are only supported for async nodes because sync Python execution cannot be "
        f"safely cancelled in-process. Node {name!r} is sync."
    )


def native_async(runnable: Any) -> bool:
    """Whether a langchain-core runnable has an async form of its own (LangGraph's test): a
    ``RunnableLambda`` with ``afunc``, a sequence or parallel of such, or a class that overrides
    ``ainvoke``."""
    from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel, RunnableSequence
    from langchain_core.runnables.base import RunnableBindingBase

    while isinstance(runnable, RunnableBindingBase):
        runnable = runnable.bound
    if isinstance(runnable, RunnableSequence):
        return all(native_async(step) for step in runnable.steps)
    if isinstance(runnable, RunnableParallel):
        return all(native_async(step) for step in runnable.steps__.values())
    if isinstance(runnable, RunnableLambda):
        return bool(getattr(runnable, "afunc", None))
    method = getattr(type(runnable), "ainvoke", None)
    return method is not None and method is not Runnable.ainvoke


class TimedAttempt:
    """One attempt's progress clock, and the switch that drops its output once it is over."""

    __slots__ = ("__weakref__", "active", "auto", "last")

    def __init__(self, auto: bool) -> None:
        self.active = True
        #: whether any graph activity counts as progress (``refresh_on="auto"`` with an idle limit)
        self.auto = auto
        self.last = _monotonic()

    def touch(self) -> None:
        """Record progress now (``runtime.heartbeat()``)."""
        self.last = _monotonic()

    def progress(self) -> None:
        """Record progress now if activity counts (a subgraph's step)."""
        if self.auto:
            self.last = _monotonic()

    def guard(self, writer: Callable[[Any], None]) -> Callable[[Any], None]:
        """``writer`` that counts as progress while the attempt runs, and writes nothing after."""

        def timed_writer(data: Any) -> None:
            if not self.active:
                return
            if self.auto:
                self.last = _monotonic()
            writer(data)

        return timed_writer


_handler_class: type | None = None


def _progress_handler(attempt: TimedAttempt) -> Any:
    """A langchain-core callback handler that records progress on every event under the node."""
    global _handler_class
    if _handler_class is None:
        import weakref

        from langchain_core.callbacks import BaseCallbackHandler

        class ProgressHandler(BaseCallbackHandler):
            """Any callback event (LLM, tool, chain...) refreshes an idle timeout."""

            run_inline = True  # recorded as it happens, not later from a thread pool

            def __init__(self, attempt: TimedAttempt) -> None:
                # weak: a callback manager that outlives the attempt does not keep it alive
                self._attempt = weakref.ref(attempt)

            # every callback's arguments are left unread on purpose: any event is progress
            def _touch(self, *_args: Any, **_kwargs: Any) -> None:
                attempt = self._attempt()
                if attempt is not None and attempt.active:
                    attempt.last = _monotonic()

            on_llm_start = on_chat_model_start = on_llm_new_token = on_llm_end = on_llm_error = _touch
            on_chain_start = on_chain_end = on_chain_error = _touch
            on_tool_start = on_tool_end = on_tool_error = _touch
            on_retriever_start = on_retriever_end = on_retriever_error = _touch
            on_agent_action = on_agent_finish = on_text = on_retry = on_custom_event = _touch

        _handler_class = ProgressHandler
    return _handler_class(attempt)


def _prepare(
    run: Run, task: Task, attempt: TimedAttempt, idle: bool, own: tuple[Callable[[Any], None], dict[str, Any]]
) -> dict[str, Any] | None:
    """Point the task's writer, runtime and config at this attempt; the config to run the node with
    (None: the task's own will do)."""
    from nbstream.runtime._runtime import _no_op_heartbeat, runtime_of

    ctx = task.ctx
    assert ctx is not None
    writer, own_config = own
    ctx.writer = attempt.guard(writer)
    ctx.runtime = runtime_of(ctx).override(
        stream_writer=ctx.writer, heartbeat=attempt.touch if idle else _no_op_heartbeat
    )
    if not attempt.auto:
        return None
    config = own_config or run.task_config(task)
    config = {**config, "callbacks": plus_handler(config.get("callbacks"), _progress_handler(attempt))}
    ctx.config = config
    return config


def _drain(fut: asyncio.Future[Any]) -> None:
    # the abandoned node's outcome is not wanted: mark it retrieved so asyncio does not log it
    with contextlib.suppress(asyncio.CancelledError, Exception):
        fut.exception()


async def timed_attempt(
    run: Run,
    task: Task,
    call: Callable[[], Awaitable[Any]],
    policy: TimeoutPolicy,
    own: tuple[Callable[[Any], None], dict[str, Any]],
) -> Any:
    """Run one attempt of ``task`` (``call()``) within ``policy``; raise NodeTimeoutError past it.

    ``own`` is the task's writer and config as they were before its first attempt: each attempt
    wraps them afresh.
    """
    # coerced at add_node(): float seconds or None
    run_s = cast("float | None", policy.run_timeout)
    idle_s = cast("float | None", policy.idle_timeout)
    attempt = TimedAttempt(idle_s is not None and policy.refresh_on == "auto")
    config = _prepare(run, task, attempt, idle_s is not None, own)
    token = ATTEMPT.set(attempt)
    lc_token = None
    if config is not None:
        from langchain_core.runnables.config import var_child_runnable_config

        lc_token = var_child_runnable_config.set(config)  # type: ignore[arg-type]
    target, ctx = task.node, task.ctx
    assert ctx is not None
    try:
        # its own asyncio task (copying this context), so that it can be cancelled alone; a sync
        # node (a Send's timeout) on a thread, which a timeout leaves to finish on its own
        node: asyncio.Future[Any] = asyncio.ensure_future(
            call()
            if target.is_async or target.is_runnable or target.subgraph is not None
            else asyncio.to_thread(target.call_sync, task.input, ctx)
        )
    finally:
        if lc_token is not None:
            var_child_runnable_config.reset(lc_token)
        ATTEMPT.reset(token)
    start = _monotonic()
    kind: Literal["idle", "run"] | None = None
    try:
        while kind is None:
            now = _monotonic()
            run_left = start + run_s - now if run_s is not None else None
            idle_left = attempt.last + idle_s - now if idle_s is not None else None
            if run_left is not None and run_left <= 0 and (idle_left is None or run_left <= idle_left):
                kind = "run"
            elif idle_left is not None and idle_left <= 0:
                kind = "idle"
            else:
                wait = min(left for left in (run_left, idle_left) if left is not None)
                done, _ = await asyncio.wait((node,), timeout=wait)
                if done:
                    break
    except BaseException:  # cancelled from outside (a sibling failed, the run stopped)
        _abandon(node)
        raise
    finally:
        attempt.active = False
    if kind is None:
        return node.result()
    elapsed = _monotonic() - start
    _abandon(node)
    raise NodeTimeoutError(task.node.name, elapsed, kind=kind, idle_timeout=idle_s, run_timeout=run_s)


def _abandon(node: asyncio.Future[Any]) -> None:
    """Cancel the node's task without waiting for it (LangGraph does not wait either)."""
    node.cancel()
    node.add_done_callback(_drain)
