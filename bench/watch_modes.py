"""The 20-node chain watched four ways, for profiling: plain LangGraph, a no-op observer, text, widgets.

``python bench/watch_modes.py`` prints each one's ratio to LangGraph's own ``stream("updates")``.
Profile one with ``python -m cProfile -s tottime bench/watch_modes.py`` (or by editing the loop).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import IPython.display
from _timing import best_of
from bench_watch_langgraph import chain

import nbstream.langgraph as nblg
from nbstream.testing import CommCounter
from nbstream.widgets import RunView

graph = chain(20)


def plain() -> None:
    for _ in graph.stream({"log": []}, stream_mode="updates"):
        pass


def noop() -> None:
    for _ in nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[lambda e: None]):
        pass


def text() -> None:
    view = RunView(mode="text", log_file=io.StringIO())
    for _ in nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[view]):
        pass


comms = CommCounter()


def widgets() -> None:
    comms.comms.clear()
    view = RunView(mode="widgets")
    for _ in nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[view]):
        pass


if __name__ == "__main__":
    IPython.display.display = lambda *args, **kwargs: None  # snapshots are built, shown nowhere
    with comms:
        best = best_of({"plain": plain, "noop": noop, "text": text, "widgets": widgets}, rounds=10, inner=5)
    for name, seconds in best.items():
        print(f"{name}: {seconds / best['plain']:.3f}x  {seconds * 1e3:.2f} ms")
