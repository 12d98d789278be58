"""What watching a LangGraph run costs: ``nbstream.langgraph.stream`` with a RunView vs ``lg_graph.stream``.

Run it alone: ``python bench/bench_watch_langgraph.py``. A 20-node chain of LangGraph nodes that do
nothing, streamed with the caller's modes (``updates``): the baseline is LangGraph's own
``stream``; the watched run asks LangGraph for everything the view needs and folds it into a
``RunView`` (text mode: no kernel here, so the view folds and logs to a discarded stream). The
figure is the ratio of the best times over interleaved rounds (``_timing.best_of``); the issue's
budget is 1.3x. The watcher asks LangGraph only for the modes a graph can use
(``nbstream/langgraph/_probe.py``): this chain of plain nodes gets ``values``, ``updates`` and
``tasks``; ``watch="all"`` (every mode, as before) is timed too, for scale.
"""

from __future__ import annotations

import io
import operator
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of
from langgraph.graph import START, StateGraph

import nbstream.langgraph as nblg
from nbstream.widgets import RunView


class State(TypedDict, total=False):
    log: Annotated[list[int], operator.add]


def chain(n: int) -> Any:
    builder = StateGraph(State)
    previous = START
    for i in range(n):
        builder.add_node(f"n{i}", lambda state, i=i: {"log": [i]})
        builder.add_edge(previous, f"n{i}")
        previous = f"n{i}"
    return builder.compile()


def run() -> dict[str, float]:
    graph = chain(20)

    def plain() -> None:
        for _ in graph.stream({"log": []}, stream_mode="updates"):
            pass

    def watched() -> None:
        view = RunView(mode="text", log_file=io.StringIO())
        for _ in nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[view]):
            pass

    def watched_all() -> None:
        view = RunView(mode="text", log_file=io.StringIO())
        for _ in nblg.stream(graph, {"log": []}, stream_mode="updates", observers=[view], watch="all"):
            pass

    best = best_of({"langgraph": plain, "watched": watched, "all": watched_all}, rounds=15, inner=5)
    base, seen = best["langgraph"], best["watched"]
    return {
        "chain_20_ratio": seen / base,
        "chain_20_ratio_every_mode": best["all"] / base,
        "langgraph_ms": base * 1e3,
        "watched_ms": seen * 1e3,
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
