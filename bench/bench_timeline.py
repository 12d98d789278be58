"""How fast the step timeline moves: a 1,000-step run, stepped through as arrow keys would.

Run it alone: ``python bench/bench_timeline.py`` (``--steps 300`` for a quicker look).

The run: a graph looping over one node 1,000 times; each step the node asks a fake chat model
(langchain-core's ``GenericFakeChatModel``, streaming 20 chunks) and appends a note to a list in
the state, so the run ends with 1,000 LLM lanes, a 1,000-item state value and about 26,000
events. It runs into ``RunView(mode="widgets", timeline=True)`` against a recording comm
(:class:`nbstream.testing.CommCounter`), so every widget message is built as under a kernel.

Then the timeline is moved as a user would, through the widget (``slider.value = ...``, what an
arrow key does), and each move is timed: the model rebuilt for that position plus every part
re-rendered and its messages built. Reported per kind of move: the median, the 95th percentile and
the worst, in milliseconds; the aim is under 50 ms per step. Also: what building the timeline
costs when the run ends (once).
"""

from __future__ import annotations

import argparse
import gc
import operator
import random
import statistics
import time
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from nbstream.graph import END, START, StateGraph
from nbstream.testing import CommCounter, DisplayCapture
from nbstream.widgets import RunView
from nbstream.widgets.models import RunModel
from nbstream.widgets.models.timeline import RunTimeline

AIM_MS = 50.0


class Loop(TypedDict):
    n: int
    notes: Annotated[list[str], operator.add]


def loop_graph(steps: int) -> Any:
    answer = AIMessage(" ".join(f"word{i}" for i in range(10)))  # 20 chunks: words and spaces

    def think(state: Loop) -> dict[str, Any]:
        model = GenericFakeChatModel(messages=iter([answer]))
        text = "".join(str(chunk.content) for chunk in model.stream("go"))
        return {"n": state["n"] + 1, "notes": [f"{state['n']}: {text[:12]}"]}

    def again(state: Loop) -> str:
        return "think" if state["n"] < steps else END

    builder = StateGraph(Loop)
    builder.add_node("think", think)
    builder.add_edge(START, "think")
    builder.add_conditional_edges("think", again, ["think", END])
    return builder.compile(name="loop")


def timed(moves: list[Callable[[], None]]) -> list[float]:
    """Milliseconds each move took (collector paused, as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        out = []
        for move in moves:
            start = time.perf_counter()
            move()
            out.append((time.perf_counter() - start) * 1000)
        return out
    finally:
        gc.enable()


def summary(name: str, ms: list[float]) -> dict[str, Any]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "moves": name,
        "n": len(ms),
        "median_ms": statistics.median(ms),
        "p95_ms": p95,
        "max_ms": ordered[-1],
    }


def run(steps: int = 1000) -> list[dict[str, Any]]:
    graph = loop_graph(steps)
    rows: list[dict[str, Any]] = []
    with CommCounter() as comms, DisplayCapture():
        view = RunView(mode="widgets", timeline=True)
        graph.invoke({"n": 0, "notes": []}, {"recursion_limit": steps + 10}, observers=[view])
        assert view.step_timeline is not None and view.step_timeline.part is not None
        part = view.step_timeline.part
        timeline = view.step_timeline.timeline
        assert timeline is not None
        last = part.steps.max

        def step_to(value: int) -> Callable[[], None]:
            def move() -> None:
                part.steps.value = value

            return move

        def event_to(value: int) -> Callable[[], None]:
            def move() -> None:
                part.events.value = value

            return move

        sent = comms.sent
        rows.append(
            summary(
                "ArrowLeft: each step, end to start", timed([step_to(v) for v in range(last - 1, -1, -1)])
            )
        )
        rows.append(
            summary("ArrowRight: each step, start to end", timed([step_to(v) for v in range(1, last + 1)]))
        )
        rng = random.Random(1)
        rows.append(
            summary("jump to a random step", timed([step_to(rng.randrange(last + 1)) for _ in range(200)]))
        )
        part.steps.value = last // 2
        within = part.events.max
        rows.append(
            summary(
                "ArrowLeft/Right: each event of a middle step, back and forth",
                timed([event_to(v) for v in [*range(within - 1, -1, -1), *range(1, within + 1)]]),
            )
        )
        messages = comms.sent - sent
        moves = sum(row["n"] for row in rows)

        # what the run's end pays once, to build the timeline (fold all events, take snapshots)
        events = list(zip(timeline._times, timeline._events, strict=True))
        start = time.perf_counter()
        built = RunTimeline(events, lambda clock: RunModel(threads=True, clock=clock))
        build_ms = (time.perf_counter() - start) * 1000
    print(
        f"{steps}-step run: {len(events)} events, {len(timeline.segments)} steps on the slider, "
        f"{len(built._snapshots)} snapshots (every {built.every} events); "
        f"building the timeline at the run's end: {build_ms:.0f} ms; "
        f"{messages / moves:.1f} widget messages per move"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    rows = run(args.steps)
    width = max(len(row["moves"]) for row in rows)
    print(f"{'moves':<{width}}  {'n':>5}  {'median':>8}  {'p95':>8}  {'worst':>8}  (ms; aim < {AIM_MS:.0f})")
    for row in rows:
        print(
            f"{row['moves']:<{width}}  {row['n']:>5}  {row['median_ms']:>8.2f}  {row['p95_ms']:>8.2f}"
            f"  {row['max_ms']:>8.2f}"
        )
    worst = max(row["max_ms"] for row in rows)
    print(f"worst move: {worst:.1f} ms ({'within' if worst < AIM_MS else 'OVER'} the {AIM_MS:.0f} ms aim)")


if __name__ == "__main__":
    main()
