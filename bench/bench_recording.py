"""What recording a run costs, and how fast a recording replays (``nbstream.record`` / ``replay``).

* a 20k-token run (one node streaming a ``GenericFakeChatModel`` reply) and a 200-node chain, each
  invoked with a no-op observer and with a recorder instead: the ratio is what recording adds
  (target: at most 1.2x);
* a 1M-event recording (tokens of three interleaved LLM calls, the bulk of any real recording)
  replayed at once into a no-op observer (target: under 10 s).

LangGraph has no recorder: its column shows, for scale, the same graph streamed with
``stream_mode=["debug", "messages"]`` (its most complete event stream), not a ratio.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from _libs import LIBRARIES, load
from _table import Row
from _timing import best_of
from bench_core import CONFIG, chain
from bench_messages import _model, one_call_graph

__all__ = ["run"]


def _noop(event: Any) -> None:
    pass


class _ArrayLines:
    """The least a file of one line per event costs, for scale (not nbstream's format): the file
    replaced and buffered as the recorder does, each event one ``orjson.dumps`` of its fields as
    a JSON array, no names, no tagged forms."""

    def __init__(self, path: Path) -> None:
        import orjson

        path.unlink(missing_ok=True)
        self._file = open(path, "wb", buffering=1 << 20)  # noqa: SIM115  (closed at the run's end)
        self._write = self._file.write
        self._dumps = orjson.dumps
        self._newline = orjson.OPT_APPEND_NEWLINE

    def __call__(self, event: Any) -> None:
        self._write(self._dumps(tuple(event), option=self._newline, default=sorted))
        if type(event).__name__ == "RunFinished" and not event.ns:
            self._file.close()


def _record_ratio(
    graphs: dict[str, Any], inputs: Any, folder: Path, rounds: int, floor: bool = False
) -> tuple[float, float, float, float]:
    """nbstream with a no-op observer, with a recorder, and LangGraph streaming ``debug`` (all it
    has); with ``floor``, also nbstream with an ``_ArrayLines`` observer (else its time is 0)."""
    from nbstream import record

    path = folder / "run.jsonl"
    graph, reference = graphs["nbstream"], graphs["langgraph"]
    contenders = {
        "no-op observer": lambda: graph.invoke(inputs, CONFIG, observers=[_noop]),
        "recorder": lambda: graph.invoke(inputs, CONFIG, observers=[record(path)]),
        "langgraph": lambda: list(reference.stream(inputs, CONFIG, stream_mode=["debug", "messages"])),
    }
    if floor:
        contenders["array lines"] = lambda: graph.invoke(inputs, CONFIG, observers=[_ArrayLines(path)])
    best = best_of(contenders, rounds=rounds)
    return best["no-op observer"], best["recorder"], best["langgraph"], best.get("array lines", 0.0)


def _replay_million(folder: Path, events: int) -> tuple[float, int]:
    from langchain_core.messages import AIMessageChunk

    from nbstream import record, replay
    from nbstream.events import MessageChunk
    from nbstream.testing import token_run

    path = folder / "million.jsonl"
    with record(path) as recorder:
        for event in token_run(events - 10, calls=3):
            if isinstance(event, MessageChunk):  # the chunks a chat model streams, not bare strings
                chunk = AIMessageChunk(content=event.message, id=f"lc_run--{event.call_id}")
                event = event._replace(message=chunk)
            recorder.on_event(event)
    start = time.perf_counter()
    count = replay(path, [_noop], speed=None)
    return time.perf_counter() - start, count


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = _model()
        graphs = {name: one_call_graph(load(name), model) for name in LIBRARIES}
        plain, recorded, ref, _ = _record_ratio(graphs, {"question": "q"}, folder, 2 if quick else 6)
        rows.append(
            Row(
                "record: 20k-token run, recorder / no-op observer",
                f"{ref * 1e3:.0f} ms",
                f"{plain * 1e3:.0f} -> {recorded * 1e3:.0f} ms",
                f"{recorded / plain:.2f}x",
                "<= 1.2x",
                recorded / plain <= 1.2,
            )
        )
        graphs = {name: chain(load(name), 200) for name in LIBRARIES}
        plain, recorded, ref, floor = _record_ratio(graphs, {"x": 0}, folder, 3 if quick else 15, floor=True)
        rows.append(
            Row(
                "record: 200-node chain, recorder / no-op observer",
                f"{ref * 1e3:.1f} ms",
                f"{plain * 1e3:.1f} -> {recorded * 1e3:.1f} ms",
                f"{recorded / plain:.2f}x",
                "<= 1.2x",
                recorded / plain <= 1.2,
            )
        )
        rows.append(
            Row(
                "record floor: 200-node chain, JSON-array lines / no-op observer",
                "-",
                f"{plain * 1e3:.1f} -> {floor * 1e3:.1f} ms",
                f"{floor / plain:.2f}x",
                "-",
                None,
            )
        )
        size = 100_000 if quick else 1_000_000
        took, count = _replay_million(folder, size)
        rows.append(
            Row(
                f"replay: {count:,} events at once into a no-op observer (s)",
                "-",
                f"{took:.2f} s",
                f"{took / count * 1e6:.2f} us/event",
                "< 10 s for 1M",
                took / count * 1e6 < 10.0,
            )
        )
    return rows


if __name__ == "__main__":
    import sys

    from _table import print_table

    print_table(run(quick="--quick" in sys.argv))
