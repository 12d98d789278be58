"""What a live RunView costs: a 20,000-token run and a 200-node chain, with and without a view.

Run it alone: ``python bench/bench_widgets.py``. ``run()`` returns, per scenario, the ratio of the
run with a ``RunView`` to the same run without observers (``*_ratio``), the ratio to the same run
with a do-nothing observer (``*_vs_noop``: what the view itself adds, beyond what the runtime
pays for having any observer), and the absolute times in milliseconds (best of interleaved
repeats).

The view runs in widget mode against a recording comm (:class:`nbstream.testing.CommCounter`), so
every widget message is built as it would be under a kernel; only the socket write is missing.
The token run streams in every variant (its node iterates ``model.stream()``), so the baseline
makes the same 20,000 chunks. Scenarios:

* ``tokens_20000``: one node, one fake chat model streaming 20,000 chunks;
* ``chain_200``: 200 nodes that do nothing at all (about 8 us each): the worst case, where the
  view's fixed cost per run (build ~6 widgets, draw 200 rows a few times, the snapshot) shows;
* ``chain_200_1ms``: the same chain, each node waiting 1 ms (an I/O-bound node, as LLM graphs have).
"""

from __future__ import annotations

import gc
import itertools
import operator
import time
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from nbstream.graph import END, START, StateGraph
from nbstream.testing import CommCounter, DisplayCapture
from nbstream.widgets import RunView

TOKENS = 20_000
NODES = 200


class Chat(TypedDict):
    out: Annotated[list[str], operator.add]


class Count(TypedDict):
    n: int


def token_graph() -> Any:
    words = "".join(f"w{i} " for i in range(TOKENS // 2))  # a word and a space: two chunks each

    def agent(state: Chat) -> dict[str, Any]:
        model = GenericFakeChatModel(messages=iter([AIMessage(words)]))
        return {"out": ["".join(str(chunk.content) for chunk in model.stream("go"))]}

    return StateGraph(Chat).add_node("agent", agent).add_edge(START, "agent").compile(name="tokens")


def chain_graph(wait: float) -> Any:
    """A chain of NODES nodes, each sleeping ``wait`` seconds (0: the node does nothing)."""

    def step(state: Count) -> dict[str, Any]:
        if wait:
            time.sleep(wait)
        return {"n": state["n"] + 1}

    graph = StateGraph(Count)
    names = [f"n{i}" for i in range(NODES)]
    for name in names:
        graph.add_node(name, step)
    graph.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        graph.add_edge(a, b)
    graph.add_edge(names[-1], END)
    return graph.compile(name="chain")


def _best(fn: Callable[[], Any], repeats: int) -> float:
    """Best of ``repeats`` timed calls, the garbage collector paused as ``timeit`` does."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def _noop(event: Any) -> None:
    pass


def _compare(name: str, graph: Any, inputs: Any, repeats: int, rounds: int) -> dict[str, float]:
    """Best times without observers, with a no-op observer and with a fresh RunView, interleaved."""
    variants: dict[str, Callable[[], Any]] = {
        "bare": lambda: graph.invoke(inputs),
        "noop": lambda: graph.invoke(inputs, observers=[_noop]),
        "view": lambda: graph.invoke(inputs, observers=[RunView(mode="widgets")]),
    }
    best = dict.fromkeys(variants, float("inf"))
    with CommCounter(), DisplayCapture():
        for fn in variants.values():
            fn()  # warm up
        for _ in range(rounds):
            for key, fn in variants.items():
                best[key] = min(best[key], _best(fn, repeats))
    return {
        f"{name}_ratio": best["view"] / best["bare"],
        f"{name}_vs_noop": best["view"] / best["noop"],
        f"{name}_bare_ms": best["bare"] * 1000,
        f"{name}_noop_ms": best["noop"] * 1000,
        f"{name}_view_ms": best["view"] * 1000,
    }


def run(quick: bool = False) -> dict[str, float]:
    """Ratios (RunView / no observers, RunView / no-op observer) and absolute times in ms.

    ``quick`` times fewer repeats (a smoke run; the ratios are then noisier).
    """
    few = 1 if quick else 2
    results = _compare("tokens_20000", token_graph(), {"out": []}, repeats=few, rounds=few + 1)
    results |= _compare("chain_200", chain_graph(0.0), {"n": 0}, repeats=5 * few, rounds=2 + 3 * few // 2)
    results |= _compare("chain_200_1ms", chain_graph(0.001), {"n": 0}, repeats=few, rounds=few + 1)
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:24} {value:10.2f}")
