"""Escaped HTML of a run on a thread: the pause panel (what it asks) and its checkpoints.

Interrupt values and state values are untrusted: they go through :func:`html.escape` (via
:func:`value_html`) and never become markup. The live panel and the static snapshot share these
functions; the snapshot leaves out what differs between two runs of the same graph (interrupt
and checkpoint ids, times) unless ``timings`` is asked for. Stable hooks: ``.nbstream-pause``
(``data-status``: ``waiting``, ``resuming``, ``resumed``), ``.nbstream-interrupt``
(``data-answered``, ``data-current``), ``.nbstream-checkpoint`` (``data-step``,
``data-selected``).
"""

from __future__ import annotations

from html import escape
from typing import Any

from nbstream.widgets._format import full_text, preview
from nbstream.widgets._html import value_html
from nbstream.widgets.models import CheckpointRow, HistoryModel, PauseModel

__all__ = ["pause_html", "history_html", "checkpoint_html", "interrupt_value_html"]

#: how much of an interrupt value the panel shows (the question must be readable whole)
_VALUE_LIMIT = 4000


def interrupt_value_html(value: Any) -> str:
    """An interrupt's value in full (bounded), escaped, in a ``<pre>``."""
    return f'<pre class="nbstream-interrupt-value">{escape(full_text(value, _VALUE_LIMIT))}</pre>'


def pause_status(model: PauseModel) -> str:
    """``waiting`` (for an answer), ``resuming`` (an answer was sent) or ``resumed``."""
    if model.resuming:
        return "resuming"
    return "waiting" if model.waiting else "resumed"


def pause_html(model: PauseModel, *, ids: bool = False) -> str:
    """The pause panel: each interrupt's value, the answers given so far, the last error.

    ``ids`` adds each interrupt's id as ``data-interrupt`` (live only: ids differ per run).
    """
    status = pause_status(model)
    parts = [f'<div class="nbstream-pause" data-status="{status}">']
    count = len(model.interrupts)
    if status == "resumed":
        if model.resumed_with is None:  # a breakpoint continued, or a fork: no answer was given
            parts.append('<div class="nbstream-title"><b>continued</b></div>')
        else:
            given = escape(preview(model.resumed_with, 200))
            parts.append(f'<div class="nbstream-title"><b>resumed</b> with <code>{given}</code></div>')
        return "".join(parts) + "</div>"
    if not count:
        parts.append('<div class="nbstream-title"><b>paused at a breakpoint</b>: continue to run on</div>')
    else:
        noun = "interrupt" if count == 1 else "interrupts"
        parts.append(f'<div class="nbstream-title"><b>waiting for an answer</b> ({count} {noun})</div>')
        current = model.current()
        items = []
        for i, item in enumerate(model.interrupts):
            answered = i < len(model.answers)
            attrs = f' data-answered="{"true" if answered else "false"}"'
            attrs += f' data-current="{"true" if i == current else "false"}"'
            if ids:
                attrs += f' data-interrupt="{escape(str(getattr(item, "id", "")))}"'
            answer = ""
            if answered:
                answer = f'<div class="nbstream-answer">answer: {value_html(model.answers[i], 200)}</div>'
            items.append(
                f'<li class="nbstream-interrupt"{attrs}>{interrupt_value_html(getattr(item, "value", item))}'
                f"{answer}</li>"
            )
        parts.append(f'<ol class="nbstream-interrupts">{"".join(items)}</ol>')
    if status == "resuming":
        parts.append('<div class="nbstream-dim">answer sent: running on…</div>')
    if model.error is not None:
        parts.append(f'<div class="nbstream-error">{escape(model.error)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _writers(model: HistoryModel, row: CheckpointRow) -> str:
    nodes = model.writers(row)
    return ", ".join(nodes) if nodes else "-"


def history_html(model: HistoryModel, *, timings: bool) -> str:
    """The checkpoints, newest first: step, source, the nodes that wrote it, what runs next."""
    rows = model.ordered()
    error = f'<div class="nbstream-error">{escape(model.error)}</div>' if model.error is not None else ""
    if not rows:
        return f'<div class="nbstream-history nbstream-dim">no checkpoints</div>{error}'
    head = "<th>step</th><th>source</th><th>written by</th><th>next</th>"
    if timings:
        head += "<th>saved at</th>"
    body = []
    for row in rows:
        selected = "true" if row.checkpoint_id == model.selected else "false"
        cells = [
            f'<tr class="nbstream-checkpoint" data-step="{row.step}" data-selected="{selected}">',
            f"<td>{row.step}</td>",
            f"<td>{escape(row.source)}</td>",
            f"<td>{escape(_writers(model, row))}</td>",
            f"<td>{escape(', '.join(row.next)) or '-'}</td>",
        ]
        if timings:
            cells.append(f'<td class="nbstream-dim">{escape(row.time)}</td>')
        body.append("".join(cells) + "</tr>")
    return (
        f'<table class="nbstream-history"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{error}"
    )


def checkpoint_label(model: HistoryModel, row: CheckpointRow) -> str:
    """One line naming a checkpoint in the chooser (plain text: the widget escapes it)."""
    writers = _writers(model, row)
    wrote = f" by {writers}" if writers != "-" else ""
    return f"step {row.step} · {row.source}{wrote} · {row.time}"


def checkpoint_html(model: HistoryModel, row: CheckpointRow | None) -> str:
    """The state saved at ``row``, what would run next from it and what it was waiting on."""
    if row is None:
        return '<div class="nbstream-dim">choose a checkpoint to see its state</div>'
    lines = [
        f'<tr class="nbstream-state-row" data-key="{escape(key)}"><td class="nbstream-key">{escape(key)}</td>'
        f"<td>{value_html(value)}</td></tr>"
        for key, value in row.values.items()
    ]
    table = (
        f'<table class="nbstream-state" data-step="{row.step}">'
        f"<thead><tr><th>key</th><th>value at step {row.step}</th></tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table>"
    )
    nxt = escape(", ".join(row.next)) if row.next else "nothing (the run ended here)"
    extra = f'<div class="nbstream-dim">next: {nxt}</div>'
    if row.interrupts:
        asked = "".join(interrupt_value_html(getattr(i, "value", i)) for i in row.interrupts)
        extra += f'<div class="nbstream-dim">waiting on:</div>{asked}'
    return f'<div class="nbstream-checkpoint-state">{table}{extra}</div>'
