"""The static record of a finished run: deterministic escaped HTML plus a ``text/plain`` twin.

A long LLM text is folded (its first lines shown, the rest in a ``<details>``): the saved view is
read on pages (GitHub, nbviewer) where a long answer would otherwise fill the screen.

This is what GitHub, nbviewer, nbconvert and nbval see (the live widget needs a kernel and saved
widget state). Byte-identical for two runs of the same graph unless ``timings`` is asked for:
rows, lanes and subgraph runs are in declared (not arrival) order, and no id or time appears.
"""

from __future__ import annotations

from nbstream.widgets._html import (
    CSS,
    graph_html,
    header_html,
    lanes_html,
    row_html,
    rows_html,
    section_html,
    state_html,
    tool_row_html,
    tree_html,
)
from nbstream.widgets._text import header_text, history_text, lanes_text, pause_text, table_text, tree_text
from nbstream.widgets._thread_html import history_html, pause_html
from nbstream.widgets.models import RunModel

__all__ = ["snapshot_html", "snapshot_text"]


def snapshot_html(model: RunModel, *, css_class: str, header: bool, drawing: bool, timings: bool) -> str:
    """The whole view as one self-contained ``<div>`` (CSS-only collapsing, no script)."""
    head = model.header
    now = head.ended if head.ended is not None else head.started or 0.0
    parts = [f'<div class="nbstream-view {css_class} nbstream-snapshot" data-status="{head.status}">', CSS]
    if header:
        parts.append(header_html(head, timings=timings))
    if drawing and head.node_names:
        parts.append(section_html("graph", "nbstream-graph", graph_html(model)))
    if model.pause is not None:
        parts.append(pause_html(model.pause))
    if model.table is not None:
        rows = []
        for row in model.table.ordered_rows():
            rows.append(row_html(row, timings=timings))
            if model.tools is not None:
                rows.extend(tool_row_html(call, timings=timings) for call in model.tools.ordered(row.path))
        body = rows_html(rows, timings=timings) + state_html(model.table)
        parts.append(section_html("nodes", "nbstream-table", body))
    if model.ticker is not None:
        lanes = model.ticker.ordered_lanes()
        body = lanes_html(lanes, timings=timings, now=now, fold=True)
        parts.append(section_html(f"LLM calls ({len(lanes)})", "nbstream-ticker", body))
    if model.tree is not None:
        parts.append(section_html("subgraph tree", "nbstream-tree-section", tree_html(model.tree.root)))
    if model.history is not None:
        count = len(model.history.rows)
        body = history_html(model.history, timings=timings)
        parts.append(section_html(f"checkpoints ({count})", "nbstream-history-section", body, open_=False))
    parts.append("</div>")
    return "".join(parts)


def snapshot_text(model: RunModel, *, header: bool, timings: bool) -> str:
    """The same content as plain text (what a terminal, GitHub's fallback or nbval compare)."""
    head = model.header
    now = head.ended if head.ended is not None else head.started or 0.0
    parts = [header_text(head, timings=timings)] if header else []
    if model.pause is not None:
        parts.append(pause_text(model.pause))
    if model.table is not None:
        parts.append(table_text(model.table, timings=timings, tools=model.tools))
    if model.ticker is not None:
        parts.append(lanes_text(model.ticker.ordered_lanes(), timings=timings, now=now))
    if model.tree is not None:
        parts.append(tree_text(model.tree.root))
    if model.history is not None:
        parts.append(history_text(model.history, timings=timings))
    return "\n".join(parts)
