"""One result line of a benchmark, and the table ``run.py`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Row", "print_table"]


@dataclass(frozen=True)
class Row:
    """``langgraph``/``nbstream`` are display strings; ``ratio`` is nbstream / LangGraph (or as the metric
    says); ``met`` is ``None`` when the metric has no target."""

    metric: str
    langgraph: str
    nbstream: str
    ratio: str
    target: str
    met: bool | None


def print_table(rows: Sequence[Row]) -> None:
    header = ("metric", "LangGraph", "nbstream", "ratio", "target", "met?")
    cells = [header] + [
        (r.metric, r.langgraph, r.nbstream, r.ratio, r.target, {True: "yes", False: "NO", None: "-"}[r.met])
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
