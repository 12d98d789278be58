"""When a live view may push its model to the widgets: a synchronous, time-gated token bucket.

Why: Jupyter Server drops IOPub messages above 1000/s (averaged over 3 s) and the front end then
silently shows a stale view; a token-by-token update of a few widgets passes that easily. And
while a synchronous cell runs, no asyncio or timer callback can flush for us (the kernel loop is
blocked, and other threads must not touch widgets), so, like tqdm, the check happens on each
event, in the caller's thread.

The rules:

* **Gated** flushes (any event) happen when ``1/rate`` seconds passed since the last flush.
* **Forced** flushes (a node ended or raised, a step's tasks all started) happen at once, as long
  as the bucket holds a token. The bucket holds ``burst`` tokens and refills at ``rate`` per
  second; every flush takes one. So a handful of nodes each get a fresh view at their end, and a
  run of hundreds of fast nodes degrades to ``rate`` flushes per second instead of flooding.
* **Final** flushes (the run ended) always happen.

Over ``T`` seconds a view therefore flushes at most ``burst + rate * T`` times, plus its final
flush, and each flush sends at most one message per widget (``hold_sync``).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["FlushGate"]


class FlushGate:
    """Decides, from a clock alone, whether a flush may happen now."""

    __slots__ = ("_clock", "_last", "_next", "_tokens", "burst", "interval", "rate")

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        if rate <= 0:
            raise ValueError(f"flush_rate must be > 0 flushes per second, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1 flush, got {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self.interval = 1.0 / self.rate
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._next = self._last  # the first gated flush may happen at once

    def gated(self) -> bool:
        """True if the time gate is open (checked on every event: keep it cheap)."""
        now = self._clock()
        return now >= self._next and self._take(now)

    def forced(self) -> bool:
        """True if a forced flush may happen now (a token is available)."""
        return self._take(self._clock())

    def final(self) -> None:
        """Record a flush that happens regardless of the budget (the end of a run)."""
        now = self._clock()
        self._refill(now)
        self._tokens = max(0.0, self._tokens - 1.0)
        self._next = now + self.interval

    def reset(self) -> None:
        """A new run starts with a full bucket."""
        self._tokens = float(self.burst)
        self._last = self._clock()
        self._next = self._last

    def _refill(self, now: float) -> None:
        self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
        self._last = now

    def _take(self, now: float) -> bool:
        self._refill(now)
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        self._next = now + self.interval
        return True
