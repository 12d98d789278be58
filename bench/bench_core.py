"""Runtime overhead, nbstream vs LangGraph: node steps, fan-out, first chunk, all-mode streaming,
custom-event throughput, and the memory a ``values`` stream costs.

Every graph here is built by the same function for both libraries (``_libs.load``); nodes do next
to nothing, so what is timed is the runtime itself.
"""

from __future__ import annotations

import gc
import itertools
import operator
import time
import tracemalloc
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from _libs import LIBRARIES, Lib, load
from _table import Row
from _timing import best_of

__all__ = ["run"]

REF, NEW = LIBRARIES
ALL_MODES = ["values", "updates", "custom", "debug", "tasks"]
CONFIG = {"recursion_limit": 10_000}


class Counter(TypedDict):
    x: int


class Hits(TypedDict, total=False):
    hits: Annotated[int, operator.add]


class Items(TypedDict, total=False):
    items: Annotated[list[int], operator.add]


# graphs ------------------------------------------------------------------------------------------


def chain(lib: Lib, length: int, *, custom: bool = False, checkpointer: Any = None) -> Any:
    """START -> n0 -> ... -> n<length-1> -> END; each node adds 1 (and, with ``custom``, emits it)."""

    def step(state: Counter) -> dict[str, int]:
        return {"x": state["x"] + 1}

    def step_custom(state: Counter) -> dict[str, int]:
        lib.get_stream_writer()(state["x"])
        return {"x": state["x"] + 1}

    builder = lib.StateGraph(Counter)
    names = [f"n{i}" for i in range(length)]
    for name in names:
        builder.add_node(name, step_custom if custom else step)
    builder.add_edge(lib.START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], lib.END)
    return builder.compile(checkpointer=checkpointer)


def fan_out(lib: Lib, width: int) -> Any:
    """src -> width parallel nodes -> join (one multi-source edge waits for all of them)."""

    def hit(state: Hits) -> dict[str, int]:
        return {"hits": 1}

    builder = lib.StateGraph(Hits)
    builder.add_node("src", hit)
    builder.add_node("join", hit)
    names = [f"f{i}" for i in range(width)]
    for name in names:
        builder.add_node(name, hit)
        builder.add_edge("src", name)
    builder.add_edge(lib.START, "src")
    builder.add_edge(names, "join")
    builder.add_edge("join", lib.END)
    return builder.compile()


def emitter(lib: Lib, count: int) -> Any:
    """One node that writes ``count`` custom events."""

    def emit(state: Counter) -> None:
        write = lib.get_stream_writer()
        for i in range(count):
            write(i)

    builder = lib.StateGraph(Counter)
    builder.add_node("emit", emit)
    builder.add_edge(lib.START, "emit")
    builder.add_edge("emit", lib.END)
    return builder.compile()


def grower(lib: Lib, steps: int, per_step: int) -> Any:
    """A chain whose every node appends ``per_step`` fresh ints to a reducer list."""

    def grow(state: Items) -> dict[str, list[int]]:
        base = len(state["items"]) + 1000  # ints above the small-int cache: real allocations
        return {"items": list(range(base, base + per_step))}

    builder = lib.StateGraph(Items)
    names = [f"g{i}" for i in range(steps)]
    for name in names:
        builder.add_node(name, grow)
    builder.add_edge(lib.START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], lib.END)
    return builder.compile()


# measurements ------------------------------------------------------------------------------------


def _drain(iterator: Any) -> None:
    for _ in iterator:
        pass


def _first_stream(graph: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    stream = graph.stream({"x": 0}, CONFIG, stream_mode="updates")
    next(stream)
    return time.perf_counter() - start, stream


def _first_chunk_time(graph: Any) -> float:
    """Seconds from ``stream()`` to its first chunk (warm: one untimed run after the collection)."""
    gc.collect()
    _first_stream(graph)[1].close()
    gc.disable()
    try:
        elapsed, stream = _first_stream(graph)
    finally:
        gc.enable()
    stream.close()
    return elapsed


def _peak(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _x(ratio: float) -> str:
    return f"{ratio:.3f}" if ratio < 0.1 else f"{ratio:.2f}"


def run(quick: bool = False) -> list[Row]:
    libs = {name: load(name) for name in LIBRARIES}
    rounds = 3 if quick else 15
    rows: list[Row] = []

    # 1. per node-step overhead: a chain of 100 trivial nodes
    chains = {name: chain(lib, 100) for name, lib in libs.items()}
    for how in ("invoke", "stream"):
        calls: dict[str, Callable[[], object]] = {}
        for name, graph in chains.items():
            if how == "invoke":
                calls[name] = lambda g=graph: g.invoke({"x": 0}, CONFIG)
            else:
                calls[name] = lambda g=graph: _drain(g.stream({"x": 0}, CONFIG, stream_mode="updates"))
        best = best_of(calls, rounds=rounds)
        ref, new = best[REF] / 100 * 1e6, best[NEW] / 100 * 1e6
        rows.append(
            Row(
                f"node-step overhead, 100-node chain, {how} (us/step)",
                f"{ref:.1f}",
                f"{new:.2f}",
                _x(new / ref),
                "<= 0.05 (20x lower)",
                new / ref <= 0.05,
            )
        )

    # 2. fan-out: 64 parallel trivial nodes between src and join, per task
    fans = {name: fan_out(lib, 64) for name, lib in libs.items()}
    best = best_of({n: (lambda g=g: g.invoke({})) for n, g in fans.items()}, rounds=rounds)
    ref, new = best[REF] / 66 * 1e6, best[NEW] / 66 * 1e6
    rows.append(
        Row(
            "64-way fan-out + join, invoke (us/task)",
            f"{ref:.1f}",
            f"{new:.2f}",
            _x(new / ref),
            "<= 0.125 (8x lower)",
            new / ref <= 0.125,
        )
    )

    # 3. time to the first updates chunk of a 10-node chain
    short = {name: chain(lib, 10) for name, lib in libs.items()}
    firsts = {name: float("inf") for name in short}
    for graph in short.values():  # warm-up
        _first_chunk_time(graph)
    for r in range(rounds * 5):
        for name in short if r % 2 == 0 else reversed(list(short)):
            firsts[name] = min(firsts[name], _first_chunk_time(short[name]))
    ref, new = firsts[REF] * 1e6, firsts[NEW] * 1e6
    rows.append(
        Row(
            "time to first updates chunk, 10-node chain (us)",
            f"{ref:.0f}",
            f"{new:.1f}",
            _x(new / ref),
            "<= 0.1 (10x sooner)",
            new / ref <= 0.1,
        )
    )

    # 4. stream with every mode vs the same library's invoke (20 nodes, one custom event each, so
    #    every mode has something to carry; LangGraph lands at ~1.8-2x here, the 1.6-2x)
    mixed = {name: chain(lib, 20, custom=True) for name, lib in libs.items()}
    calls = {}
    for name, graph in mixed.items():
        calls[f"{name} invoke"] = lambda g=graph: g.invoke({"x": 0}, CONFIG)
        calls[f"{name} stream"] = lambda g=graph: _drain(g.stream({"x": 0}, CONFIG, stream_mode=ALL_MODES))
    best = best_of(calls, rounds=rounds)
    ref = best[f"{REF} stream"] / best[f"{REF} invoke"]
    new = best[f"{NEW} stream"] / best[f"{NEW} invoke"]
    rows.append(
        Row(
            "stream(all 5 modes) / own invoke, 20-node chain",
            f"{ref:.2f}x",
            f"{new:.2f}x",
            f"{new / ref:.2f}",
            "nbstream <= 1.25x",
            new <= 1.25,
        )
    )

    # 5. custom events per second from one node
    count = 20_000 if quick else 200_000
    emitters = {name: emitter(lib, count) for name, lib in libs.items()}
    best = best_of(
        {n: (lambda g=g: _drain(g.stream({"x": 0}, stream_mode="custom"))) for n, g in emitters.items()},
        rounds=max(3, rounds // 3),
    )
    ref, new = count / best[REF], count / best[NEW]
    rows.append(
        Row(
            "custom events/s, one node, stream(custom)",
            f"{ref / 1e6:.2f}M",
            f"{new / 1e6:.2f}M",
            f"{new / ref:.1f} (higher is better)",
            "nbstream >= 1.5M/s",
            new >= 1.5e6,
        )
    )

    # 6. peak memory: invoke vs a discarded values stream, large list growing over 30 steps
    steps, per_step = (10, 5_000) if quick else (30, 10_000)
    peaks: dict[str, dict[str, int]] = {}
    for name, lib in libs.items():
        graph = grower(lib, steps, per_step)
        invoke = min(_peak(lambda g=graph: g.invoke({}, CONFIG)) for _ in range(2))
        stream = min(
            _peak(lambda g=graph: _drain(g.stream({}, CONFIG, stream_mode="values"))) for _ in range(2)
        )
        peaks[name] = {"invoke": invoke, "stream": stream}
    ref = peaks[REF]["stream"] / peaks[REF]["invoke"]
    new = peaks[NEW]["stream"] / peaks[NEW]["invoke"]
    rows.append(
        Row(
            f"peak memory of invoke, {steps} steps x {per_step} ints (MB)",
            f"{peaks[REF]['invoke'] / 2**20:.1f}",
            f"{peaks[NEW]['invoke'] / 2**20:.1f}",
            f"{peaks[NEW]['invoke'] / peaks[REF]['invoke']:.2f}",
            "-",
            None,
        )
    )
    rows.append(
        Row(
            "peak memory, discarded values stream / invoke",
            f"{ref:.2f}x",
            f"{new:.2f}x",
            f"{new / ref:.2f}",
            "nbstream <= 1.2x",
            new <= 1.2,
        )
    )
    return rows
