"""``messages`` mode cost per token, nbstream vs LangGraph, against langchain-core's own floor.

One node calls ``model.invoke()`` on a ``GenericFakeChatModel`` whose reply is 9,999 space-separated
words (the model streams words and the spaces between them as separate chunks: ~20k tokens). The
added cost per token is (graph streaming ``messages`` - consuming ``model.stream()`` directly) /
tokens. The floor is what langchain-core itself charges for one inline no-op callback handler on
``model.stream()``: no runtime can put tokens on a stream for less through callbacks.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from typing import Any, TypedDict

from _libs import LIBRARIES, Lib, load
from _table import Row
from _timing import best_of

__all__ = ["available", "run"]

REF, NEW = LIBRARIES
WORDS = 9_999


def available() -> bool:
    """nbstream's messages mode lives in ``nbstream/llm.py``; without it this section is skipped."""
    return importlib.util.find_spec("nbstream.llm") is not None


class Chat(TypedDict, total=False):
    question: str
    answer: str


def _model() -> Any:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    text = " ".join(f"w{i}" for i in range(WORDS))
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(content=text)]))


def _noop_handler() -> Any:
    from langchain_core.callbacks import BaseCallbackHandler

    class NoOp(BaseCallbackHandler):
        run_inline = True

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            pass

    return NoOp()


def one_call_graph(lib: Lib, model: Any) -> Any:
    def answer(state: Chat) -> dict[str, str]:
        return {"answer": model.invoke(state["question"]).content}

    builder = lib.StateGraph(Chat)
    builder.add_node("answer", answer)
    builder.add_edge(lib.START, "answer")
    builder.add_edge("answer", lib.END)
    return builder.compile()


def _drain(iterator: Any) -> int:
    count = 0
    for _ in iterator:
        count += 1
    return count


def run(quick: bool = False) -> list[Row]:
    model = _model()
    tokens = _drain(model.stream("q"))
    handler = _noop_handler()
    graphs = {name: one_call_graph(load(name), model) for name in LIBRARIES}
    calls: dict[str, Callable[[], object]] = {
        "direct": lambda: _drain(model.stream("q")),
        "floor": lambda: _drain(model.stream("q", config={"callbacks": [handler]})),
    }
    for name, graph in graphs.items():
        calls[name] = lambda g=graph: _drain(g.stream({"question": "q"}, stream_mode="messages"))
        calls[f"{name}+updates"] = lambda g=graph: _drain(
            g.stream({"question": "q"}, stream_mode=["updates", "messages"])
        )
    best = best_of(calls, rounds=2 if quick else 12)

    def per_token(key: str) -> float:
        return (best[key] - best["direct"]) / tokens * 1e6

    floor = per_token("floor")
    ref, new = per_token(REF), per_token(NEW)
    both_ref = best[f"{REF}+updates"] / best[REF]
    both_new = best[f"{NEW}+updates"] / best[NEW]
    return [
        Row(
            f"messages: added cost per token over model.stream() ({tokens} tokens, us)",
            f"{ref:.2f}",
            f"{new:.2f}",
            f"{new / ref:.2f}",
            f"floor {floor:.2f} us",
            None,
        ),
        Row(
            "messages floor: inline no-op callback handler (us/token)",
            f"{floor:.2f}",
            f"{floor:.2f}",
            "-",
            "-",
            None,
        ),
        Row(
            "stream(['updates','messages']) / stream('messages')",
            f"{both_ref:.2f}x",
            f"{both_new:.2f}x",
            f"{both_new / both_ref:.2f}",
            "-",
            None,
        ),
        Row(
            "model.stream() alone (us/token)",
            f"{best['direct'] / tokens * 1e6:.2f}",
            f"{best['direct'] / tokens * 1e6:.2f}",
            "-",
            "-",
            None,
        ),
    ]
