"""The observer bus: delivers a run's events, in order, in the caller's thread.

Semantics (what every subscriber can rely on):

* **Who receives.** The stream-mode projector (the part that makes ``stream()`` chunks) and every
  observer passed as ``observers=[...]`` to ``invoke``/``ainvoke``/``stream``/``astream``. An
  observer is any callable taking one :class:`~nbstream.events.Event`; objects with an
  ``on_event`` method are accepted too.
* **Which thread.** Always the *owner* thread: the one iterating ``stream()`` or running the event
  loop that awaits ``astream()``/``ainvoke()``. Events published there are dispatched at once;
  events published by worker threads (sync nodes running in parallel) are queued and dispatched by
  the owner when it pumps. Observers therefore never need a lock, and a notebook widget is only
  ever touched from the cell's own thread.
* **Order.** Events from one task arrive in the order they were published, whichever threads
  published them; a task's events all precede its ``TaskFinished``; step-level events are
  published by the owner between tasks. (Under asyncio a task's work can hop between the event
  loop and threads, e.g. a sync tool awaited from an async node: an event published on the loop
  is then delivered only after the events threads queued before it. A graph invoked inside a
  node relays its events, tokens included, through its own bus: one route per task.)
  Observers are called in the order they were given, the projector first.
* **When an observer raises.** The exception does not stop the run and is not lost: the observer
  is detached for the rest of that run (it would otherwise see a gap and show a wrong view), and
  an :class:`~nbstream.errors.ObserverWarning` naming the observer, the event type and the error is
  issued in the owner thread. The other observers and the stream carry on.
* **When it is detached.** At the end of the run (after ``RunFinished`` or ``RunFailed`` of the
  root graph), or when it raised. The bus holds no reference to observers after that.
"""

from __future__ import annotations

import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from queue import SimpleQueue
from typing import Any, Protocol, TypeAlias, runtime_checkable

from nbstream.errors import ObserverWarning
from nbstream.events import Event

__all__ = ["Bus", "Mailbox", "Observer", "EventHandler", "as_handler"]

EventHandler: TypeAlias = Callable[[Event], None]


@runtime_checkable
class Observer(Protocol):
    """An object that wants every event of a run."""

    def on_event(self, event: Event) -> None: ...


def as_handler(observer: Observer | EventHandler) -> EventHandler:
    """Return the callable that receives events for ``observer``."""
    method = getattr(observer, "on_event", None)
    if method is not None and callable(method):
        return method  # type: ignore[no-any-return]
    if callable(observer):
        return observer
    raise TypeError(
        f"observers must be callables taking an event, or objects with an on_event method; "
        f"got {type(observer).__name__}"
    )


class Mailbox:
    """A many-producer, one-consumer hand-off that wakes the consumer once per batch, not per item.

    Producers append to a deque (atomic under the GIL) and post a wake-up token only when the
    deque was empty, so a node writing a million custom events costs a handful of thread wake-ups.
    """

    __slots__ = ("_tokens", "items", "wakeup")

    def __init__(self) -> None:
        self.items: deque[Any] = deque()
        self._tokens: SimpleQueue[None] = SimpleQueue()
        #: also called when a batch starts (the async driver wakes its event loop with it)
        self.wakeup: Callable[[], None] | None = None

    def put(self, item: Any) -> None:
        """Hand ``item`` to the consumer (any thread)."""
        items = self.items
        items.append(item)
        if len(items) == 1:
            self._tokens.put(None)
            if self.wakeup is not None:
                self.wakeup()

    def wait(self) -> None:
        """Block until items may be there (a stale token can wake it with none: just wait again)."""
        if not self.items:
            self._tokens.get()


class Bus:
    """Mailbox plus pump: thread-safe ``publish``, dispatch only in the owner thread."""

    __slots__ = (
        "_handlers",
        "collecting",
        "drain_first",
        "mailbox",
        "observed",
        "owner",
        "silent",
        "wants_starts",
        "wants_steps",
    )

    def __init__(self, handlers: Iterable[EventHandler]) -> None:
        self._handlers: list[EventHandler] = list(handlers)
        #: nobody listens: the runner may skip building events at all
        self.silent = not self._handlers
        #: whether any handler reads StepStarted/TaskStarted (a projector without the tasks/debug
        #: modes does not; observers always do); the runner skips them otherwise
        self.wants_starts = any(getattr(h, "wants_starts", True) for h in self._handlers)
        #: likewise for StepFinished (a projector reads it only for the values mode)
        self.wants_steps = any(getattr(h, "wants_steps", True) for h in self._handlers)
        #: the thread that dispatches: the one that made the bus (iterating stream() / running the loop)
        self.owner = threading.get_ident()
        #: events (and runner-private completion markers) from worker threads, for the owner
        self.mailbox = Mailbox()
        #: deliver what workers queued before an event the owner publishes (the async driver sets
        #: it; the sync driver cannot: its mailbox also carries completed tasks, which only it reads)
        self.drain_first = False
        #: how many sync steps wait for finished tasks in the mailbox (only they may drain it then)
        self.collecting = 0
        #: whether a handler besides the stream projector listens (an observer: a view, a recorder)
        self.observed = any(not getattr(h, "_nbstream_projector", False) for h in self._handlers)

    def set_wakeup(self, wakeup: Callable[[], None] | None) -> None:
        """Call ``wakeup`` (from the worker thread) when worker events start to pile up."""
        self.mailbox.wakeup = wakeup

    def publish(self, event: Event) -> None:
        """Deliver ``event`` now if called in the owner thread, else queue it for the owner."""
        if threading.get_ident() == self.owner:
            if self.drain_first and self.mailbox.items:
                self.pump()
            self.dispatch(event)
        else:
            self.mailbox.put(event)

    def pump(self) -> None:
        """Dispatch every event queued by worker threads so far (owner thread only)."""
        items = self.mailbox.items
        while items:
            self.dispatch(items.popleft())

    def dispatch(self, event: Event) -> None:
        """Call every handler with ``event`` (owner thread only)."""
        handlers = self._handlers
        if len(handlers) == 1:  # the common case (a stream with no observers): no loop
            try:
                handlers[0](event)
            except Exception as exc:
                self._detach(handlers[0], event, exc)
            return
        for handler in handlers:
            try:
                handler(event)
            except Exception as exc:
                self._detach(handler, event, exc)

    def _detach(self, handler: EventHandler, event: Event, exc: Exception) -> None:
        if handler is self._handlers[0] and getattr(handler, "_nbstream_projector", False):
            raise exc  # the projector is ours: its errors are bugs to surface, not to hide
        self._handlers = [h for h in self._handlers if h is not handler]
        name = getattr(handler, "__qualname__", type(handler).__name__)
        warnings.warn(
            ObserverWarning(
                f"observer {name} raised {type(exc).__name__}: {exc} while handling "
                f"{type(event).__name__} (ns={event.ns!r}, step={event.step}); it was detached "
                f"for the rest of this run"
            ),
            stacklevel=2,
        )

    def close(self) -> None:
        """Drop every handler: the run is over."""
        self._handlers = []
