"""What watching a LangGraph run costs: ``nbstream.langgraph.stream`` with a RunView vs ``lg_graph.stream``.

Run it alone: ``python bench/bench_watch_langgraph.py``. Two runs, each streamed with the
caller's own mode; the baseline is LangGraph's own ``stream`` with that mode, the watched run
asks LangGraph for everything the view needs and folds it into a ``RunView``. The issue's
budget is 1.3x.

* A 20-node chain of LangGraph nodes that do nothing (caller's mode ``updates``): the fixed cost
  of a run and the per-node cost. Timed with the view in text mode (no kernel here, so the view
  folds and logs to a discarded stream) and in widgets mode (what a notebook uses: the widgets
  talk to :class:`nbstream.testing.CommCounter`'s recording comms, displays go nowhere). The
  watcher asks LangGraph only for the modes a graph can use (``nbstream/langgraph/_probe.py``):
  this chain of plain nodes gets ``values``, ``updates`` and ``tasks``; ``watch="all"`` (every
  mode) is timed too, for scale.
* LangGraph alone, asked for what the view needs (``asked``): the same call the watcher makes
  (its modes, its callback handler), with the parts going nowhere. Its ratio is the floor: what
  LangGraph itself costs to tell a view what happened, before any nbstream code runs.
* One node that streams ~20k tokens from langchain-core's ``GenericFakeChatModel`` (caller's mode
  ``messages``): the per-token cost, text and widgets views.

The figure is the ratio of the best times over interleaved rounds (``_timing.best_of``).
"""

from __future__ import annotations

import io
import itertools
import operator
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of
from langgraph.graph import START, StateGraph

import nbstream.langgraph as nblg
from nbstream.testing import CommCounter
from nbstream.widgets import RunView

WORDS = 9_999  # the fake model streams the words and the spaces between them: ~20k tokens


class State(TypedDict, total=False):
    log: Annotated[list[int], operator.add]


class Chat(TypedDict, total=False):
    question: str
    answer: str


def chain(n: int) -> Any:
    builder = StateGraph(State)
    previous = START
    for i in range(n):
        builder.add_node(f"n{i}", lambda state, i=i: {"log": [i]})
        builder.add_edge(previous, f"n{i}")
        previous = f"n{i}"
    return builder.compile()


def token_graph() -> Any:
    """One node whose chat model streams ~20k tokens."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    text = " ".join(f"w{i}" for i in range(WORDS))
    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage(content=text)]))

    def answer(state: Chat) -> dict[str, str]:
        return {"answer": model.invoke(state["question"]).content}

    builder = StateGraph(Chat)
    builder.add_node("answer", answer)
    builder.add_edge(START, "answer")
    return builder.compile()


def _contenders(graph: Any, inputs: Any, mode: str, every_mode: bool) -> dict[str, Callable[[], None]]:
    def plain() -> None:
        for _ in graph.stream(inputs, stream_mode=mode):
            pass

    def text() -> None:
        view = RunView(mode="text", log_file=io.StringIO())
        for _ in nblg.stream(graph, inputs, stream_mode=mode, observers=[view]):
            pass

    def widgets() -> None:
        view = RunView(mode="widgets")
        for _ in nblg.stream(graph, inputs, stream_mode=mode, observers=[view]):
            pass

    def text_all() -> None:
        view = RunView(mode="text", log_file=io.StringIO())
        for _ in nblg.stream(graph, inputs, stream_mode=mode, observers=[view], watch="all"):
            pass

    def asked() -> None:
        # LangGraph alone, asked what a view needs (the modes and callback handler the watcher
        # passes), its parts going nowhere: the floor no watcher code can go under
        run = nblg._Run(graph, inputs, None, [_ignore], {"stream_mode": mode})
        for _ in graph.stream(run.input, run.config, **run.call_args):
            pass

    found = {"langgraph": plain, "asked": asked, "text": text, "widgets": widgets}
    if every_mode:
        found["all"] = text_all
    return found


def _ignore(event: Any) -> None:
    pass


def run() -> dict[str, float]:
    import IPython.display

    saved = IPython.display.display
    IPython.display.display = lambda *args, **kwargs: None  # the snapshots: built, shown nowhere
    comms = CommCounter()
    try:
        with comms:
            chain_best = best_of(_contenders(chain(20), {"log": []}, "updates", True), rounds=15, inner=5)
            comms.comms.clear()  # the recording comms keep every message: drop them between runs
            token_best = best_of(
                _contenders(token_graph(), {"question": "hi"}, "messages", False), rounds=5, inner=1
            )
    finally:
        IPython.display.display = saved
    base, tokens = chain_best["langgraph"], token_best["langgraph"]
    return {
        "chain_20_ratio": chain_best["text"] / base,
        "chain_20_ratio_langgraph_asked": chain_best["asked"] / base,
        "chain_20_ratio_widgets": chain_best["widgets"] / base,
        "chain_20_ratio_every_mode": chain_best["all"] / base,
        "langgraph_ms": base * 1e3,
        "watched_ms": chain_best["text"] * 1e3,
        "tokens_20k_ratio": token_best["text"] / tokens,
        "tokens_20k_ratio_langgraph_asked": token_best["asked"] / tokens,
        "tokens_20k_ratio_widgets": token_best["widgets"] / tokens,
        "tokens_langgraph_ms": tokens * 1e3,
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
