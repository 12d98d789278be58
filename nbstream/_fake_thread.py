"""A stand-in for a paused run's thread, for testing views without a graph (see nbstream.testing)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from nbstream.events import Event

__all__ = ["FakeThread"]

Continuation = Iterable[Event] | BaseException


class FakeThread:
    """A :class:`~nbstream.events.ThreadControl` that records calls and plays scripted runs.

    Queue what each ``resume``/``fork`` does with :meth:`then`: the events of the run it starts
    (an :class:`~nbstream.testing.EventScript`, or any iterable of events), played into
    ``observers`` before the call returns, as a real thread runs on in the caller's thread; or an
    exception, which the call raises without playing anything (the thread refused). A call with
    nothing queued raises ``LookupError``. ``history()`` returns ``snapshots``::

        thread = FakeThread(observers=[view])
        thread.then(continuation_script)
        script.interrupted(asked, thread=thread)
        script.replay(view)
        view_button.click()
        assert thread.calls == [("resume", True)]
    """

    def __init__(
        self,
        thread_id: str = "thread-1",
        *,
        observers: Iterable[Any] = (),
        snapshots: Iterable[Any] = (),
    ) -> None:
        self.thread_id = thread_id
        self.observers: list[Any] = list(observers)
        #: ``StateSnapshot``-like values ``history()`` returns (newest first)
        self.snapshots: list[Any] = list(snapshots)
        #: every call, in order: ``("resume", value)``, ``("fork", config)``, ``("history", None)``
        self.calls: list[tuple[str, Any]] = []
        self._queued: list[Continuation] = []

    def then(self, continuation: Continuation) -> FakeThread:
        """Queue what the next ``resume`` or ``fork`` does; returns the thread, to chain."""
        self._queued.append(continuation)
        return self

    def resume(self, value: Any) -> None:
        self.calls.append(("resume", value))
        self._run_on(f"resume({value!r})")

    def fork(self, config: dict[str, Any]) -> None:
        self.calls.append(("fork", config))
        self._run_on(f"fork({config!r})")

    def history(self) -> list[Any]:
        self.calls.append(("history", None))
        return list(self.snapshots)

    def _run_on(self, call: str) -> None:
        if not self._queued:
            raise LookupError(f"FakeThread {self.thread_id!r}: nothing queued with then() for {call}")
        step = self._queued.pop(0)
        if isinstance(step, BaseException):
            raise step
        handlers: list[Callable[[Event], None]] = [getattr(o, "on_event", o) for o in self.observers]
        for event in step:
            for handler in handlers:
                handler(event)
