"""Persistence overhead, nbstream vs LangGraph: what a checkpointer adds to each step of a run.

Three figures, on the 100-node chain of ``bench_core`` (each node adds 1), every call on a new
thread so no run reads a long history:

* ``InMemorySaver``: microseconds per step with the saver, and what the saver adds to a step
  (with minus without), side by side. The in-memory saver's own work is small, so this is mostly
  the runtime's bookkeeping: building checkpoints, versions, task ids, pending writes.
* ``SqliteSaver`` on a file in a temporary folder: the run's time over the time spent inside the
  saver's ``put``/``put_writes`` (each library's own saver, its methods wrapped by a timer). At 1.0
  the run costs only what the saver costs. LangGraph's default ``durability="async"`` saves from a
  background thread, overlapping one step's ``put`` with the next step's ``put_writes`` (the timed
  calls then include waiting for the saver's lock, hence a ratio below 1). nbstream's ``"async"``
  also saves in the background, but on one job, in order, one call at a time. Its calls never
  wait for each other, so its ratio is the saver's cost plus the share of the runtime's own work
  that does not overlap a save. That share is mostly the GIL, which the saver's serializer holds.
* no checkpointer: the plain invoke again, so a change that makes runs without persistence pay
  for it shows here (compare with ``bench_core``'s first row, and with older commits).
"""

from __future__ import annotations

import gc
import itertools
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _libs import LIBRARIES, Lib, load
from _table import Row
from _timing import best_of
from bench_core import CONFIG, chain

__all__ = ["run"]

REF, NEW = LIBRARIES
STEPS = 100


class SaverClock:
    """Wraps a saver's write methods (on the instance) and adds up the seconds spent inside them."""

    METHODS = ("put", "put_writes")

    def __init__(self, saver: Any) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()  # LangGraph puts from its background executor
        for name in self.METHODS:
            setattr(saver, name, self._timed(getattr(saver, name)))

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                with self._lock:
                    self.seconds += elapsed
                    self.calls += 1

        return timed

    def reset(self) -> None:
        with self._lock:
            self.seconds, self.calls = 0.0, 0


def _on_new_threads(graph: Any) -> Callable[[], object]:
    """A call of ``graph.invoke`` on a thread of its own each time."""
    counter = itertools.count()

    def call() -> object:
        config = {**CONFIG, "configurable": {"thread_id": f"t{next(counter)}"}}
        return graph.invoke({"x": 0}, config)

    return call


def _best_with_clock(
    calls: dict[str, Callable[[], object]], clocks: dict[str, SaverClock], rounds: int
) -> dict[str, tuple[float, float, int]]:
    """Per contender, the best round's (seconds, seconds inside the saver, saver calls)."""
    for call in calls.values():
        call()
    best = {name: (float("inf"), 0.0, 0) for name in calls}
    names = list(calls)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            gc.collect()
            calls[name]()
            clocks[name].reset()
            gc.disable()
            try:
                start = time.perf_counter()
                calls[name]()
                elapsed = time.perf_counter() - start
            finally:
                gc.enable()
            if elapsed < best[name][0]:
                best[name] = (elapsed, clocks[name].seconds, clocks[name].calls)
    return best


@contextmanager
def _sqlite_savers(folder: Path) -> Iterator[dict[str, Any]]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    with (
        SqliteSaver.from_conn_string(str(folder / f"{REF}.sqlite")) as ref,
        SqliteSaver.from_conn_string(str(folder / f"{NEW}.sqlite")) as new,
    ):
        yield {REF: ref, NEW: new}


def _us(seconds: float) -> float:
    return seconds / STEPS * 1e6


def run(quick: bool = False) -> list[Row]:
    from langgraph.checkpoint.memory import InMemorySaver

    libs: dict[str, Lib] = {name: load(name) for name in LIBRARIES}
    rounds = 3 if quick else 15
    rows: list[Row] = []

    # 1. InMemorySaver: per-step time with a checkpointer, and what checkpointing adds to a step
    plain = {name: chain(lib, STEPS) for name, lib in libs.items()}
    saved = {name: chain(lib, STEPS, checkpointer=InMemorySaver()) for name, lib in libs.items()}
    calls: dict[str, Callable[[], object]] = {}
    for name in LIBRARIES:
        calls[f"{name} plain"] = lambda g=plain[name]: g.invoke({"x": 0}, CONFIG)
        calls[f"{name} saved"] = _on_new_threads(saved[name])
    best = best_of(calls, rounds=rounds)
    ref, new = _us(best[f"{REF} saved"]), _us(best[f"{NEW} saved"])
    rows.append(
        Row(
            "100-node chain on a thread, InMemorySaver, invoke (us/step)",
            f"{ref:.1f}",
            f"{new:.1f}",
            f"{new / ref:.2f}",
            "<= 0.2 (5x lower)",
            new / ref <= 0.2,
        )
    )
    ref_added = ref - _us(best[f"{REF} plain"])
    new_added = new - _us(best[f"{NEW} plain"])
    rows.append(
        Row(
            "  of which checkpointing (us/step, with - without)",
            f"{ref_added:.1f}",
            f"{new_added:.1f}",
            f"{new_added / ref_added:.2f}",
            "-",
            None,
        )
    )

    # 2. SqliteSaver on a file: the run's time over the time spent in the saver's put/put_writes
    with (
        tempfile.TemporaryDirectory(prefix="nbstream-bench-") as folder,
        _sqlite_savers(Path(folder)) as savers,
    ):
        clocks = {name: SaverClock(saver) for name, saver in savers.items()}
        graphs = {name: chain(libs[name], STEPS, checkpointer=savers[name]) for name in LIBRARIES}
        timed = _best_with_clock(
            {name: _on_new_threads(graph) for name, graph in graphs.items()},
            clocks,
            rounds=max(3, rounds // 3),
        )
    over = {name: total / inside for name, (total, inside, _) in timed.items()}
    (ref_total, ref_inside, ref_calls), (new_total, new_inside, new_calls) = timed[REF], timed[NEW]
    print(
        "bench_persistence, SqliteSaver, one 100-step run: "
        f"{REF} {ref_total * 1e3:.1f} ms ({ref_inside * 1e3:.1f} ms in {ref_calls} put/put_writes), "
        f"{NEW} {new_total * 1e3:.1f} ms ({new_inside * 1e3:.1f} ms in {new_calls} put/put_writes)"
    )
    rows.append(
        Row(
            "100-node chain, SqliteSaver: run time / time in put+put_writes",
            f"{over[REF]:.2f}x",
            f"{over[NEW]:.2f}x",
            f"{new_total / ref_total:.2f} (run time)",
            "nbstream <= 1.2x",
            over[NEW] <= 1.2,
        )
    )

    # 3. no checkpointer: the plain run, measured in the same rounds as 1
    ref, new = _us(best[f"{REF} plain"]), _us(best[f"{NEW} plain"])
    rows.append(
        Row(
            "100-node chain, no checkpointer, invoke (us/step)",
            f"{ref:.1f}",
            f"{new:.2f}",
            f"{new / ref:.3f}",
            "as bench_core's invoke row",
            None,
        )
    )
    return rows
