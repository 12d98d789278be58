"""A grow-on-demand pool of worker threads for sync nodes.

Why not ``ThreadPoolExecutor``: a subgraph node waits for its own parallel tasks on the same pool,
so a bounded pool can deadlock at depth. Here a submit always finds an idle thread or starts one;
idle threads wait on their own queue and are reused, which keeps a hand-off to a single
``SimpleQueue.put``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import SimpleQueue

__all__ = ["submit"]

_idle: list[SimpleQueue[Callable[[], None] | None]] = []
_lock = threading.Lock()
_count = 0


def _worker(inbox: SimpleQueue[Callable[[], None] | None]) -> None:
    while True:
        job = inbox.get()
        if job is None:
            return
        try:
            job()
        finally:
            del job
        with _lock:
            _idle.append(inbox)


def submit(job: Callable[[], None]) -> None:
    """Run ``job`` on an idle worker thread, starting a new one when none is idle.

    ``job`` must not raise: wrap the work and report errors through its own channel.
    """
    global _count
    with _lock:
        inbox = _idle.pop() if _idle else None
        if inbox is None:
            _count += 1
            number = _count
    if inbox is None:
        inbox = SimpleQueue()
        threading.Thread(target=_worker, args=(inbox,), name=f"nbstream-worker-{number}", daemon=True).start()
    inbox.put(job)
