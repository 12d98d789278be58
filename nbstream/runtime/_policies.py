"""Running a task under its node's policies: retries (``RetryPolicy``), the write cache
(``CachePolicy``) and time limits (``TimeoutPolicy``, each attempt run by ``runtime/_timeouts.py``).

Only nodes declared with a ``retry_policy``, a ``timeout`` or a ``cache_policy`` (on a graph
compiled with a ``cache``) come here; every other task takes the plain path in ``loop.py`` and pays
nothing.

* **Retries.** When the node raises, the first policy whose ``retry_on`` accepts the error applies
  (an exception class, a tuple of them, or a predicate). After ``max_attempts`` tries in all the
  last error propagates. The wait before try *n+1* is ``initial_interval * backoff_factor**(n-1)``,
  capped at ``max_interval``, plus up to one second of random jitter when ``jitter`` is set. Each
  retry is published as a :class:`~nbstream.events.TaskRetrying` event (the views show it); the
  stream modes show nothing of it, as LangGraph. Custom data the failed try wrote stays streamed.
* **Cache.** The key is the node's identity and name plus ``cache_policy.key_func(input)``; a hit
  replays the node's return value without calling it, and ``updates`` marks the chunk with
  ``"__metadata__": {"cached": True}`` as LangGraph does. Only a plain return (a dict or ``None``)
  is stored; an error is never cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbstream.errors import GraphBubbleUp
from nbstream.events import TaskRetrying

if TYPE_CHECKING:
    from nbstream.runtime._node import NodeRuntime
    from nbstream.runtime.loop import Run, Task

__all__ = ["run_with_policies", "arun_with_policies", "cache_namespace"]

#: the first element of every cache namespace nbstream writes (LangGraph uses the same word)
CACHE_NS_WRITES = "__pregel_ns_writes"


def cache_namespace(node: NodeRuntime) -> tuple[str, ...]:
    """Where a node's cached writes live in the cache: shared by every graph that has this node."""
    fn = node.fn
    ident = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__qualname__)}"
    return (CACHE_NS_WRITES, ident, node.name)


def _cache_key(node: NodeRuntime, input: Any) -> tuple[tuple[str, ...], str]:
    raw = node.cache_policy.key_func(input)
    digest = hashlib.blake2b(raw.encode() if isinstance(raw, str) else raw, digest_size=16).hexdigest()
    return cache_namespace(node), digest


def _policy_for(node: NodeRuntime, exc: BaseException) -> Any:
    """The first retry policy that accepts ``exc``, or None (then the error propagates)."""
    if not isinstance(exc, Exception) or isinstance(exc, GraphBubbleUp):
        return None
    for policy in node.retry:
        retry_on = policy.retry_on
        if isinstance(retry_on, type) and issubclass(retry_on, BaseException):
            matches = isinstance(exc, retry_on)
        elif isinstance(retry_on, tuple | list):
            matches = isinstance(exc, tuple(retry_on))
        elif callable(retry_on):
            matches = bool(retry_on(exc))
        else:
            raise TypeError(f"node {node.name!r}: RetryPolicy.retry_on={retry_on!r} is not an exception "
                            f"class, a sequence of them, or a predicate")
        if matches:
            return policy
    return None


def _delay(policy: Any, failures: int) -> float:
    interval = min(policy.max_interval, policy.initial_interval * policy.backoff_factor ** (failures - 1))
    return float(interval + random.uniform(0, 1) if policy.jitter else interval)


def _next_try(run: Run, task: Task, exc: BaseException, failures: int) -> float | None:
    """After a failed try: the seconds to wait before the next one, or None to give up."""
    policy = _policy_for(task.node, exc)
    if policy is None or failures >= policy.max_attempts:
        return None
    delay = _delay(policy, failures)
    ctx = task.ctx
    if ctx is not None and ctx.runtime is not None:  # the node's Runtime counts attempts, as LangGraph's
        ctx.runtime = ctx.runtime.patch_execution_info(node_attempt=failures + 1)
    if not run.root.bus.silent:
        run.root.bus.publish(
            TaskRetrying(run.root.run_id, run.ns, run.step, task.id, task.node.name, failures + 1, exc, delay)
        )
    return delay


def _cacheable(result: Any) -> bool:
    return result is None or type(result) is dict


def _key(run: Run, task: Task) -> tuple[Any, tuple[tuple[str, ...], str] | None]:
    """The graph's cache and this task's key in it, when its node has a cache policy."""
    node = task.node
    cache = run.graph.cache if node.cache_policy is not None else None
    return cache, (_cache_key(node, task.input) if cache is not None else None)


def run_with_policies(run: Run, task: Task, call: Callable[[], Any]) -> Any:
    """Run ``call`` (the node) for ``task`` in this thread, with its node's retries and cache."""
    if task.node.timeout is not None:  # before any attempt, not retried: LangGraph's sync runs
        from nbstream.runtime._timeouts import sync_timeout_unsupported

        raise sync_timeout_unsupported(task.node.name)
    cache, key = _key(run, task)
    if key is not None:
        hit = cache.get([key])
        if key in hit:
            task.cached = True
            return hit[key]
    failures = 0
    while True:
        if task.scratch is not None:  # each try asks its interrupt() calls from the first again
            task.scratch.counter = 0
        try:
            result = call()
            break
        except GraphBubbleUp:  # a pause or a hand-off is never retried
            raise
        except Exception as exc:
            failures += 1
            delay = _next_try(run, task, exc, failures)
            if delay is None:
                raise
            time.sleep(delay)
    if key is not None and _cacheable(result):
        cache.set({key: (result, task.node.cache_policy.ttl)})
    return result


async def arun_with_policies(run: Run, task: Task, call: Callable[[], Any]) -> Any:
    """Async :func:`run_with_policies`: ``call()`` returns an awaitable."""
    cache, key = _key(run, task)
    if key is not None:
        hit = await cache.aget([key])
        if key in hit:
            task.cached = True
            return hit[key]
    timeout = task.node.timeout
    if timeout is not None:
        from nbstream.runtime._timeouts import timed_attempt

        ctx = task.ctx
        assert ctx is not None
        own = (ctx.writer, ctx.config)
    failures = 0
    while True:
        if task.scratch is not None:
            task.scratch.counter = 0
        try:
            result = await (call() if timeout is None else timed_attempt(run, task, call, timeout, own))
            break
        except GraphBubbleUp:
            raise
        except Exception as exc:
            failures += 1
            delay = _next_try(run, task, exc, failures)
            if delay is None:
                raise
            await asyncio.sleep(delay)
    if key is not None and _cacheable(result):
        await cache.aset({key: (result, task.node.cache_policy.ttl)})
    return result
