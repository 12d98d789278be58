"""``durability="async"``: a sync run's saves made in the background, in order, while it goes on.

As LangGraph's default durability, a run on a thread does not wait for the saver: each checkpoint
(``put``) and each task's pending writes (``put_writes``) are handed to a :class:`SaveQueue`, and the
next step starts at once, so step N's save overlaps step N+1's work. What is kept:

* **Order.** One queue per run (its subgraphs share it), drained by one job at a time on a pool
  thread: the saver gets exactly the calls an inline run makes, in the same order.
* **Nothing pending at the end.** The run waits for its queue before it returns, raises, pauses or
  hands out its last chunk (``Run.finish``/``Run.fail``), and every read of a saver in this process
  (``get_tuple`` of a subgraph or a resume, ``get_state`` from a node, ``get_state_history``) first
  waits for the queues that are still saving (:func:`settle_all`).
* **Errors.** A save that raises stops the queue: nothing queued after it is saved (an inline run
  would have stopped there). The error is raised by the run at its next checkpoint (a step
  boundary) or when it ends, whichever comes first; what was saved before it stays saved.
* **Cost.** A job starts only when the queue goes from empty to busy; a run without a checkpointer,
  with ``durability="sync"``/``"exit"``, an async run (which awaits the saver's async methods
  instead) or a saver whose writes are a dict update (``InMemorySaver``: handing the call to a
  thread costs more than making it) never builds one.

A saver that can only be used from the thread that made it (``SqliteSaver`` over a
``sqlite3.connect(path)`` without ``check_same_thread=False``) fails its first background call
without saving anything; the queue then makes that call and all later ones in the run's own thread,
as ``durability="sync"`` would (LangGraph raises there, with either durability).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from typing import Any

from nbstream.runtime import _pool

__all__ = ["SaveQueue", "settle_all", "worth_a_queue"]

#: the queues that have saves in flight; readers of a saver wait for them first
_busy: set[SaveQueue] = set()


def settle_all() -> None:
    """Wait until no run of this process has a save in flight (called before a saver is read)."""
    if not _busy:
        return
    for queue in list(_busy):
        queue.wait(here=False)  # another run's calls are made by that run


def worth_a_queue(saver: Any) -> bool:
    """Whether saving in the background pays for ``saver``: not when its writes are a dict update."""
    from langgraph.checkpoint.memory import InMemorySaver

    # the exact class: a subclass may do real I/O in put()
    return type(saver) is not InMemorySaver


class SaveQueue:
    """One run's pending ``put``/``put_writes`` calls, made in order on a pool thread."""

    __slots__ = ("_active", "_idle", "_inline", "_jobs", "_lock", "_puts", "_raised", "error", "saver")

    def __init__(self, saver: Any) -> None:
        self.saver = saver
        self._jobs: deque[tuple[bool, tuple[Any, ...]]] = deque()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        #: whether a drain job is running (or about to)
        self._active = False
        #: the saver cannot be called from another thread: calls are made by the run's thread
        self._inline = False
        #: checkpoints queued and not saved yet
        self._puts = 0
        #: the exception of the save that failed (nothing after it was saved)
        self.error: BaseException | None = None
        self._raised = False

    # -- the run's side --------------------------------------------------------------------------------
    def put(self, *args: Any) -> None:
        """Queue ``saver.put(*args)`` once the previous checkpoint is saved, or raise the error of a
        save that failed.

        The run is at a step boundary: waiting here keeps it at most one step ahead of its saver, so
        a failed save stops it one step later at most (and a slow saver does not pile up steps)."""
        with self._lock:
            while self._puts and self._active:
                self._idle.wait()
        self.check()
        self._submit((True, args))

    def put_writes(self, *args: Any) -> None:
        """Queue ``saver.put_writes(*args)``."""
        self._submit((False, args))

    def _submit(self, job: tuple[bool, tuple[Any, ...]]) -> None:
        with self._lock:
            if self.error is not None:  # the run stops at its next checkpoint; save nothing more
                return
            self._jobs.append(job)
            if self._inline:  # (never while a drain job runs: it set this as it ended)
                jobs = list(self._jobs)
                self._jobs.clear()
                self._puts = 0
            else:
                if job[0]:
                    self._puts += 1
                if self._active:
                    return
                self._active = True
                _busy.add(self)
                jobs = []
        if jobs:
            self._run_here(jobs)
        else:
            _pool.submit(self._drain)

    def check(self) -> None:
        """Raise the error of a failed background save, once (the run's next checkpoint calls this)."""
        if self.error is not None and not self._raised:
            self._raised = True
            raise self.error

    def settle(self) -> BaseException | None:
        """Wait for every queued save; return a failed save's error the run has not raised yet."""
        try:
            self.wait()
        except BaseException as exc:  # a call made here, in the run's thread, failed
            return exc
        if self.error is not None and not self._raised:
            self._raised = True
            return self.error
        return None

    def wait(self, *, here: bool = True) -> None:
        """Block until no save is in flight; ``here``: make the calls the saver refused to take
        from the pool thread now, in this thread (the run's, or one of its task threads)."""
        with self._lock:
            while self._active:
                self._idle.wait()
            if not (here and self._inline and self._jobs):
                return
            jobs = list(self._jobs)
            self._jobs.clear()
            self._puts = 0
        self._run_here(jobs)

    def _run_here(self, jobs: list[tuple[bool, tuple[Any, ...]]]) -> None:
        saver = self.saver
        for is_put, args in jobs:
            if self.error is not None:
                return
            try:
                saver.put(*args) if is_put else saver.put_writes(*args)
            except BaseException as exc:  # raised here, as an inline save's error
                self.error = exc
                self._raised = True
                raise

    # -- the pool thread's side ------------------------------------------------------------------------
    def _drain(self) -> None:
        saver = self.saver
        lock = self._lock
        while True:
            with lock:
                if not self._jobs:
                    self._stop()
                    return
                is_put, args = self._jobs[0]
            try:
                saver.put(*args) if is_put else saver.put_writes(*args)
            except BaseException as exc:
                with lock:
                    if _wrong_thread(exc):  # nothing saved: the run's thread makes the calls from now
                        self._inline = True
                    else:
                        self.error = exc
                        self._jobs.clear()
                        self._puts = 0
                    self._stop()
                return
            with lock:
                self._jobs.popleft()
                if is_put:
                    self._puts -= 1
                    self._idle.notify_all()

    def _stop(self) -> None:
        """(Under the lock.) The drain job ends: wake whoever waits for the queue."""
        self._active = False
        _busy.discard(self)
        self._idle.notify_all()


def _wrong_thread(exc: BaseException) -> bool:
    """Whether ``exc`` is sqlite3's refusal to use a connection from another thread."""
    return isinstance(exc, sqlite3.ProgrammingError) and "same thread" in str(exc)
