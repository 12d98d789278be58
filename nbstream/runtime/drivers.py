"""The two thin drivers over :class:`~nbstream.runtime.loop.Run`: threads (sync) and asyncio (async).

Both are generators that yield after anything may have been published, so the caller (``stream``
or ``astream``) can hand out the chunks made so far; a nested run (a subgraph) just exhausts them.

* **Sync.** A step with one sync task runs it inline in the calling thread, unless ``live`` asks for
  output while nodes run (``custom``/``messages``/``subgraphs=True``): then, and for every step with
  several tasks, tasks run on worker threads in a copy of the caller's context. The caller works
  on tasks too only when nobody listens to the run (``invoke`` without observers); otherwise it
  only pumps the bus, so each task's output is handed out as soon as the task ends, in finishing
  order (a caller busy with a long task of its own would hold back the others'). Threads cannot
  be cancelled: on stop, the driver starts no new step and waits for the running tasks to return
  before it lets the stop propagate.
* **Async.** Async nodes run as asyncio tasks (context copied, so langchain-core callbacks and
  ``get_stream_writer()`` work on Python 3.11+), sync nodes on worker threads. On a node error or a
  stop, sibling asyncio tasks are cancelled at once; worker threads are waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from nbstream.bus import Bus, Mailbox
from nbstream.runtime import _pool
from nbstream.runtime.loop import Run, Stopped, Task

__all__ = ["run_sync", "run_async"]

_copy_context = contextvars.copy_context


def _failed(run: Run, exc: BaseException) -> None:
    """Publish how the run ended; a stop from outside also stops nested runs from starting steps."""
    stop = isinstance(exc, GeneratorExit | KeyboardInterrupt | Stopped | asyncio.CancelledError)
    if stop:
        run.root.stopped = True
    run.fail(exc, stop)


def run_sync(run: Run, input: Any, live: bool) -> Iterator[None]:
    """Drive ``run`` to the end in this thread; publishes RunFailed and re-raises on any error."""
    try:
        run.start(input)
        yield
        while True:
            tasks = run.prepare_step()
            if not tasks:
                break
            if run.root.bus.wants_starts:
                yield  # hand out the task-start chunks before the tasks run
            if len(tasks) == 1 and not live:
                task = tasks[0]
                _execute_inline(run, task)
                run.complete(task)
                if task.error is not None and (handler := run.recover(task)) is not None:
                    # as LangGraph's, the failure is handed out with the handler's output, after it
                    tasks.append(handler)
                    _execute_inline(run, handler)
                    run.complete(handler)
            else:
                yield from _parallel_sync(run, tasks, live)
            run.finish_step(tasks)
            yield
        run.finish()
        yield
    except BaseException as exc:
        _failed(run, exc)
        raise


def _execute_inline(run: Run, task: Task) -> None:
    """Run the step's one task in this thread, delivering what threads it starts publish.

    The node may start threads of its own (tools or models run in a thread pool, ``tool.batch``):
    their events land in the mailbox. While the task runs, the bus drains them before each event
    this thread publishes, so the task's events stay in order; what is left is delivered at its end.
    """
    bus = run.root.bus
    if not bus.observed or bus.collecting or threading.get_ident() != bus.owner:
        # nobody to keep the order for (a plain stream: what threads publish is not in its modes
        # here, and it pays nothing per event), or the mailbox also holds a waiting step's tasks
        run.execute(task)
        if bus.mailbox.items and not bus.collecting and threading.get_ident() == bus.owner:
            bus.pump()
        return
    drain_first = bus.drain_first
    bus.drain_first = True
    try:
        run.execute(task)
    finally:
        bus.drain_first = drain_first
    if bus.mailbox.items:
        bus.pump()


#: helper threads one step may use at once, besides the calling thread (LangGraph's sync executor
#: has a similar cap); ``config={"max_concurrency": N}`` lowers or raises it
_MAX_HELPERS = 31


def _parallel_sync(run: Run, tasks: list[Task], live: bool) -> Iterator[None]:
    """Run a step's tasks on helper threads, the calling thread working too if nobody listens.

    Helpers take tasks from a shared deque until it is empty, so a 64-way fan-out costs a few
    thread wake-ups, not 64. When ``live`` or when anybody listens (a stream, observers), the
    calling thread only pumps events, so it hands out each chunk as soon as it is made.
    """
    bus = run.root.bus
    owner = threading.get_ident() == bus.owner
    inbox = bus.mailbox if owner else Mailbox()
    pump_only = live or not bus.silent
    jobs: deque[tuple[Task, contextvars.Context]] = deque()
    for task in tasks:
        # when the caller only pumps, every task runs on a helper: its writer can post to the
        # owner directly
        run.context(task, off_owner=pump_only and owner)
        jobs.append((task, _copy_context()))
    limit = run.root.user_config.get("max_concurrency") or _MAX_HELPERS + 1
    caller = 0 if pump_only else 1
    helpers = min(len(tasks) - caller, max(1, limit - caller))
    for _ in range(helpers):
        _pool.submit(_helper(run, jobs, inbox))

    def recover(task: Task) -> int:
        """Start the error handler of ``task``, which failed; 1 if one started (one more to wait for)."""
        handler = run.recover(task)
        if handler is None:
            return 0
        tasks.append(handler)  # the step's writes include the handler's
        run.context(handler, off_owner=pump_only and owner)
        jobs.append((handler, _copy_context()))
        _pool.submit(_helper(run, jobs, inbox))  # the helpers may all have left: one more to take it
        return 1

    # while this step waits for finished tasks in the bus's own mailbox, only it may drain that
    # mailbox: an inline task of a subgraph run by the caller must not (see _execute_inline)
    collecting = inbox is bus.mailbox
    drain_first = bus.drain_first
    if collecting:
        bus.collecting += 1
        bus.drain_first = False
    try:
        remaining = len(tasks)
        try:
            while not pump_only:
                try:
                    task, ctx = jobs.popleft()
                except IndexError:
                    break
                ctx.run(run.execute, task)
                run.complete(task)
                remaining -= 1
                if task.error is not None:
                    if task.cancelled and not isinstance(task.error, Exception):
                        raise task.error  # KeyboardInterrupt in the calling thread: stop now
                    remaining += recover(task)
                remaining -= _pump(run, bus, inbox, block=False, recover=recover)
                yield
            while remaining:
                remaining -= _pump(run, bus, inbox, block=True, recover=recover)
                yield
        except BaseException:
            # stopped: start no task that has not started, and wait for the ones running on helpers
            run.root.stopped = True
            while True:
                try:
                    task, _ = jobs.popleft()
                except IndexError:
                    break
                task.cancelled = True
                run.complete(task)
                remaining -= 1
            while remaining:
                remaining -= _pump(run, bus, inbox, block=True)
            raise
    finally:
        if collecting:
            bus.collecting -= 1
            bus.drain_first = drain_first


def _pump(
    run: Run, bus: Bus, inbox: Mailbox, block: bool, recover: Callable[[Task], int] | None = None
) -> int:
    """Handle what helpers queued (events, finished tasks); return how many tasks finished, less
    the error handlers ``recover`` started for the failed ones."""
    if block:
        inbox.wait()
    items = inbox.items
    done = 0
    while items:
        item = items.popleft()
        if type(item) is Task:
            run.complete(item)
            done += 1
            if item.error is not None and recover is not None:
                done -= recover(item)
        else:
            bus.dispatch(item)
    return done


def _helper(run: Run, jobs: deque[tuple[Task, contextvars.Context]], inbox: Mailbox) -> Any:
    def work() -> None:
        while True:
            try:
                task, ctx = jobs.popleft()
            except IndexError:
                return
            ctx.run(run.execute, task)
            inbox.put(task)

    return work


async def run_async(
    run: Run, input: Any, live: bool, wake: asyncio.Event | None = None
) -> AsyncGenerator[None, None]:
    """Drive ``run`` on the running event loop; ``wake`` is set whenever there is news."""
    own_wake = wake if wake is not None else asyncio.Event()
    run.root.bus.drain_first = True  # a task's work may hop between the loop and threads
    saving = run.saving
    try:
        if saving is not None:  # the saver's async methods: read now, writes queued and awaited
            await saving.aprefetch()
        if run.graph.async_start:
            run.start(input, route=False)
            await run.aroute_start()
        else:
            run.start(input)
        yield
        while True:
            tasks = run.prepare_step()
            if saving is not None:
                await saving.aflush()
            if not tasks:
                break
            yield
            if len(tasks) == 1 and not live and tasks[0].node.is_async:
                task = tasks[0]
                await run.aexecute(task)
                run.complete(task)
                yield
                if task.error is not None and (handler := run.recover(task)) is not None:
                    tasks.append(handler)
                    async for _ in _parallel_async(run, [handler], own_wake):
                        yield
            else:
                async for _ in _parallel_async(run, tasks, own_wake):
                    yield
            run.finish_step(tasks)
            if saving is not None:
                await saving.aflush()
            yield
        run.finish()
        if saving is not None:
            await saving.aflush()
        yield
    except BaseException as exc:
        _failed(run, exc)
        if saving is not None:  # what the step saved before it failed or paused is kept
            await saving.aflush()
        raise


async def _parallel_async(run: Run, tasks: list[Task], wake: asyncio.Event) -> AsyncGenerator[None, None]:
    """Run a step's tasks on the event loop (async ones) and helper threads (sync ones); error
    handlers of the tasks that fail join them, in ``tasks`` too."""
    loop = asyncio.get_running_loop()
    bus = run.root.bus
    waiting: dict[asyncio.Future[Any], Task] = {}

    def on_done(_fut: asyncio.Future[Any]) -> None:
        wake.set()

    # sync tasks wait in one queue, taken in task order by a few helper threads (as a thread pool's
    # queue would be), so short nodes start, and print, in LangGraph's order run after run
    jobs: deque[tuple[Task, contextvars.Context, asyncio.Future[Any]]] = deque()

    def launch(task: Task) -> None:
        run.context(task)
        ctx = _copy_context()
        node = task.node
        # a timed node (a runnable, a subgraph) runs on the loop, where its attempts can be cancelled
        on_loop = node.is_async or node.timeout is not None
        if on_loop or (node.subgraph is not None and node.subgraph.has_async):
            fut: asyncio.Future[Any] = asyncio.ensure_future(
                loop.create_task(run.aexecute(task), context=ctx)
            )
        else:
            fut = loop.create_future()
            jobs.append((task, ctx, fut))
        fut.add_done_callback(on_done)
        waiting[fut] = task

    for task in tasks:
        launch(task)
    if jobs:
        if jobs[0][0] is not tasks[0]:
            # an asyncio task comes first in task order: as in LangGraph, which starts tasks in that
            # order, it begins (up to its first await) before the sync ones start on threads
            await asyncio.sleep(0)
        limit = run.root.user_config.get("max_concurrency") or _MAX_HELPERS + 1
        head_start = len(jobs) < len(tasks) and jobs[0][0] is tasks[0]
        for _ in range(min(len(jobs), limit)):
            _pool.submit(_thread_jobs(run, jobs, loop))
        if head_start:
            # asyncio tasks too, after a sync one: let a helper start before the loop runs them.
            # LangGraph starts tasks in task order, a sync one on a thread that begins at once
            time.sleep(0)
    try:
        while waiting:
            await wake.wait()
            wake.clear()
            bus.pump()
            finished = [f for f in waiting if f.done()]
            failed = False
            for fut in finished:
                task = waiting.pop(fut)
                if task.node.async_routers and task.error is None and not isinstance(fut, asyncio.Task):
                    await run.aroute_deferred(task)  # a sync node ran on a thread; its routers are async
                run.complete(task)
                if task.error is not None and (handler := run.recover(task)) is not None:
                    # handled: its siblings go on, and its error handler starts now
                    tasks.append(handler)
                    launch(handler)
                    if jobs:
                        _pool.submit(_thread_jobs(run, jobs, loop))
                    continue
                # a task that paused on interrupt() lets its siblings finish (their writes are kept)
                failed = failed or (task.error is not None and not task.interrupts and not _paused(task))
            yield
            if failed:
                await _cancel(run, waiting)
                return
    except BaseException:
        run.root.stopped = True
        await _cancel(run, waiting)
        raise


def _paused(task: Task) -> bool:
    from nbstream.errors import GraphInterrupt

    return isinstance(task.error, GraphInterrupt)


async def _cancel(run: Run, waiting: dict[asyncio.Future[Any], Task]) -> None:
    """Cancel sibling asyncio tasks, wait for worker threads, and publish what each did."""
    for fut, task in waiting.items():
        if isinstance(fut, asyncio.Task):
            task.cancelled = True
            fut.cancel()
    if waiting:
        await asyncio.shield(asyncio.gather(*waiting, return_exceptions=True))
    run.root.bus.pump()
    for task in waiting.values():
        run.complete(task)
    waiting.clear()


def _thread_jobs(
    run: Run,
    jobs: deque[tuple[Task, contextvars.Context, asyncio.Future[Any]]],
    loop: asyncio.AbstractEventLoop,
) -> Any:
    """A helper thread's work: run queued sync tasks until none is left, resolving each's future."""

    def work() -> None:
        while True:
            try:
                task, ctx, fut = jobs.popleft()
            except IndexError:
                return
            if not run.root.stopped:
                # a node whose routers are async leaves them to the event loop (aroute_deferred)
                ctx.run(run.execute, task, not task.node.async_routers)
            else:  # stopped (a sibling failed, or the consumer left): do not start it
                task.cancelled = True
            # the loop may have closed while the thread ran: then nobody is waiting any more
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, fut)

    return work


def _resolve(fut: asyncio.Future[Any]) -> None:
    if not fut.done():
        fut.set_result(None)
