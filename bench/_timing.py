"""Timing that survives a noisy machine: interleaved rounds, best-of.

Each round times every contender once (a batch of ``inner`` calls after one warm call, garbage
collector paused as ``timeit`` does), in an order that alternates from round to round, so a slow
spell of the machine hits both libraries alike. The best round is kept: noise only ever adds time.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Mapping

__all__ = ["best_of", "best_time"]


def best_time(fn: Callable[[], object], *, inner: int = 1) -> float:
    """Seconds per call of ``fn`` for one batch of ``inner`` calls.

    A full collection first (so garbage from the other contender is not collected on this one's
    time), then one untimed call: ``gc.collect()`` walks every object and leaves the CPU caches
    cold, which would otherwise add a fixed ~70 us to whatever runs next.
    """
    gc.collect()
    fn()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        return (time.perf_counter() - start) / inner
    finally:
        if was_enabled:
            gc.enable()


def best_of(
    contenders: Mapping[str, Callable[[], object]], *, rounds: int, inner: int = 1
) -> dict[str, float]:
    """Best seconds-per-call of each contender over ``rounds`` interleaved rounds (after one warm-up)."""
    names = list(contenders)
    for name in names:  # warm-up: imports, caches, first-call costs
        contenders[name]()
    best = dict.fromkeys(names, float("inf"))
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            best[name] = min(best[name], best_time(contenders[name], inner=inner))
    return best
