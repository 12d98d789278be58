"""Plain-text renderings of the fold models: the snapshot's ``text/plain`` and the terminal log.

Deterministic unless ``timings`` is asked for: no clock readings, no ids, no addresses.
"""

from __future__ import annotations

from nbstream.widgets._format import preview
from nbstream.widgets._html import duration_text
from nbstream.widgets.models import (
    GraphRun,
    HistoryModel,
    Lane,
    PauseModel,
    RunHeaderModel,
    StateTableModel,
    ToolCallRow,
    ToolCallsModel,
    path_label,
)

__all__ = ["header_text", "table_text", "tool_text", "lanes_text", "tree_text", "pause_text", "history_text"]


def header_text(header: RunHeaderModel, *, timings: bool) -> str:
    line = f"{header.graph_name or 'graph'}: {header.status}"
    if header.step >= 0:
        line += f", step {header.step}"
    if timings and header.started is not None:
        line += f", {duration_text(header.elapsed())}"
    if header.error is not None:
        line += f"\n  error: {header.error}"
        if header.failed_node:
            line += f" (node {header.failed_node})"
    return line


def table_text(model: StateTableModel, *, timings: bool, tools: ToolCallsModel | None = None) -> str:
    rows = model.ordered_rows()
    lines = ["nodes:"]
    width = max((len(r.name) + 2 * (len(r.path) - 1) for r in rows), default=4)
    for row in rows:
        name = "  " * (len(row.path) - 1) + row.name
        if row.error is not None:
            last = row.error
        elif row.status == "waiting":
            last = "waiting for an answer"
        elif row.runs and row.update is not None:
            last = preview(row.update, 60)
        else:
            last = "-"
        took = f"  {duration_text(row.duration)}" if timings and row.duration is not None else ""
        lines.append(f"  {name:<{width}}  {row.status:<9}  runs={row.runs}  {last}{took}")
        if tools is not None:
            pad = "  " * len(row.path)
            lines.extend(f"  {pad}{tool_text(call, timings=timings)}" for call in tools.ordered(row.path))
    if model.values is not None:
        lines.append(f"state after step {model.state_step} (* = changed):")
        for key, value in model.values.items():
            mark = "*" if key in model.changed else " "
            lines.append(f"  {mark} {key}: {preview(value, 70)}")
    return "\n".join(lines)


def tool_text(call: ToolCallRow, *, timings: bool) -> str:
    """``-> add({'a': 1}) done, step 1: 3`` and the custom data it wrote, on following lines."""
    args = preview(call.args, 60)
    if call.error is not None:
        outcome = f": {call.error}"
    elif call.status == "done":
        outcome = f": {preview(call.result, 60)}"
    else:
        outcome = ""
    took = f", {duration_text(call.duration)}" if timings and call.duration is not None else ""
    line = f"-> {call.tool}({args}) {call.status}, step {call.step}{took}{outcome}"
    for data in call.custom:
        line += f"\n     custom: {preview(data, 60)}"
    return line


def lanes_text(lanes: list[Lane], *, timings: bool, now: float) -> str:
    if not lanes:
        return "LLM calls: none"
    lines = ["LLM calls:"]
    counts: dict[tuple[str, ...], int] = {}
    for lane in lanes:
        counts[lane.path] = counts.get(lane.path, 0) + 1
        tags = f" [{', '.join(lane.tags)}]" if lane.tags else ""
        rate = f", {lane.rate(now):.0f} tok/s" if timings else ""
        lines.append(
            f"  {path_label(lane.path)} #{counts[lane.path]}{tags}: {lane.status}, {lane.tokens} tokens{rate}"
        )
        if lane.error is not None:
            lines.append(f"    error: {lane.error}")
        if lane.text or not lane.tool_calls:
            lines.append(f"    {preview(lane.text, 100)}")
        for call in lane.tool_calls:
            args = call.args if len(call.args) <= 100 else call.args[:99] + "…"
            lines.append(f"    tool call {call.name} {args}")
    return "\n".join(lines)


def tree_text(root: GraphRun | None) -> str:
    if root is None:
        return "tree: not started"
    lines = ["tree:"]
    _graph_lines(root, "", 1, lines)
    return "\n".join(lines)


def _graph_lines(graph: GraphRun, label: str, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    error = f" {graph.error}" if graph.error else ""
    lines.append(f"{pad}{graph.name}{label} [{graph.status}]{error}")
    for node in graph.ordered_nodes():
        runs = f" x{node.runs}" if node.runs > 1 else ""
        error = f" {node.error}" if node.error else ""
        lines.append(f"{pad}  {node.name} [{node.status}]{runs}{error}")
        for i, sub in enumerate(node.subgraphs, 1):
            _graph_lines(sub, f" (run {i})", depth + 2, lines)


def pause_text(model: PauseModel) -> str:
    """What a paused run asks (each interrupt's value, the answers so far), or what resumed it."""
    if not model.waiting:
        if model.resumed_with is None:  # continued from a breakpoint, or forked: no answer was given
            return "continued"
        return f"resumed with {preview(model.resumed_with, 100)}"
    if not model.interrupts:
        return "paused at a breakpoint: continue to run on"
    lines = [f"waiting for an answer ({len(model.interrupts)}):"]
    for i, item in enumerate(model.interrupts):
        lines.append(f"  {i + 1}. {preview(getattr(item, 'value', item), 200)}")
        if i < len(model.answers):
            lines.append(f"     answer: {preview(model.answers[i], 100)}")
    if model.error is not None:
        lines.append(f"  error: {model.error}")
    return "\n".join(lines)


def history_text(model: HistoryModel, *, timings: bool) -> str:
    """The checkpoints, newest first, one line each."""
    rows = model.ordered()
    lines = [f"checkpoints ({len(rows)}):"]
    for row in rows:
        writers = model.writers(row)
        wrote = f" by {', '.join(writers)}" if writers else ""
        nxt = ", ".join(row.next) or "-"
        when = f"  {row.time}" if timings else ""
        lines.append(f"  step {row.step} {row.source}{wrote} -> next: {nxt}{when}")
    return "\n".join(lines)
