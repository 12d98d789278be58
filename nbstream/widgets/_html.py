"""Escaped HTML for the fold models: the live widgets' values and the static snapshot share it.

Every untrusted string (node and graph names, tags, state values, LLM text, error messages) goes
through :func:`html.escape` here and nowhere becomes markup. Stable hooks for browser tests and
user CSS: classes ``nbstream-*`` and attributes ``data-status``, ``data-node``, ``data-key``.
Nothing here reads a clock: times are passed in, and left out entirely unless ``timings``.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from nbstream.widgets._format import full_text, preview
from nbstream.widgets._svg import draw_svg
from nbstream.widgets.models import (
    GraphRun,
    Lane,
    NodeRow,
    RunHeaderModel,
    RunModel,
    StateTableModel,
    ToolCallRow,
    TreeNode,
    path_label,
)

_TreeCache = dict[int, tuple[int, str]]

__all__ = [
    "CSS",
    "LIVE_CSS",
    "duration_text",
    "header_html",
    "row_html",
    "rows_html",
    "tool_row_html",
    "tool_rows_html",
    "state_html",
    "table_html",
    "lane_html",
    "lanes_html",
    "text_html",
    "tree_html",
    "value_html",
    "section_html",
    "graph_html",
    "subgraph_nodes",
]

#: the views' rules; cells name the view's class twice to outweigh JupyterLab's right-aligned cells
#: (``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td``) in saved outputs and nbconvert pages
CSS = """<style>
.nbstream-view{font-family:var(--jp-ui-font-family,sans-serif);font-size:var(--jp-ui-font-size1,13px);
color:var(--jp-ui-font-color1,inherit)}
.nbstream-view table{border-collapse:collapse;margin:2px 0 6px 0}
.nbstream-view.nbstream-view th,.nbstream-view.nbstream-view td{padding:1px 8px;text-align:left;
vertical-align:top;border-bottom:1px solid var(--jp-border-color2,#e0e0e0)}
.nbstream-view pre{margin:0;white-space:pre-wrap;word-break:break-word;
font-family:var(--jp-code-font-family,monospace)}
.nbstream-section>summary{font-weight:600;cursor:pointer}
.nbstream-badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:90%;background:#eaeef2}
.nbstream-badge[data-status="running"]{background:#fff8c5}
.nbstream-badge[data-status="done"]{background:#dafbe1}
.nbstream-badge[data-status="error"]{background:#ffebe9;color:#a40e26}
.nbstream-badge[data-status="cancelled"]{background:#eaeef2;text-decoration:line-through}
.nbstream-badge[data-status="waiting"]{background:#ddf4ff;color:#0550ae}
.nbstream-pause{margin:4px 0;padding:2px 8px;border-left:3px solid #0969da;background:#f6f8fa}
.nbstream-interrupt[data-current="true"]{font-weight:600}
.nbstream-checkpoint[data-selected="true"]{background:#ddf4ff}
.nbstream-error{color:var(--jp-error-color1,#cf222e)}
.nbstream-changed .nbstream-key{font-weight:600}
.nbstream-lane{margin:2px 0 6px 0;padding-left:6px;border-left:3px solid #8c959f}
.nbstream-lane[data-status="running"]{border-left-color:#bf8700}
.nbstream-lane[data-status="done"]{border-left-color:#1a7f37}
.nbstream-lane[data-status="error"]{border-left-color:#cf222e}
.nbstream-tag{font-size:85%;padding:0 4px;border:1px solid var(--jp-border-color2,#ccc);border-radius:4px}
.nbstream-tree ul{margin:0;padding-left:18px;list-style:none}
.nbstream-dim{color:var(--jp-ui-font-color2,#57606a)}
.nbstream-tool-row td{border-bottom-style:dotted}
.nbstream-tool-custom{margin:0;padding-left:14px}
.nbstream-lane-tool code{white-space:pre-wrap;word-break:break-word}
.nbstream-drawing{overflow-x:auto}
.nbstream-drawing svg{max-width:100%;height:auto}
</style>"""


#: extra rules for the live view only (the snapshot's bytes stay as they are)
LIVE_CSS = (
    "<style>.nbstream-duration,.nbstream-badge{white-space:nowrap}"
    ".nbstream-view .nbstream-hidden{display:none!important}</style>"
)


def duration_text(seconds: float) -> str:
    """``850 ms`` / ``2.35 s`` / ``3 min 05 s``; ``?`` when the source did not say (NaN)."""
    if math.isnan(seconds):  # a watched LangGraph or server run that gave no time for it
        return "?"
    if seconds < 1.0:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60.0:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _badge(status: str) -> str:
    return f'<span class="nbstream-badge" data-status="{status}">{status}</span>'


def value_html(value: Any, limit: int = 80) -> str:
    """A short escaped preview; the full value (bounded) behind a ``<details>`` if it was cut."""
    short = preview(value, limit)
    if not short.endswith("…"):
        return f'<code class="nbstream-value">{escape(short)}</code>'
    full = full_text(value)
    return (
        f'<details class="nbstream-value"><summary><code>{escape(short)}</code></summary>'
        f"<pre>{escape(full)}</pre></details>"
    )


def subgraph_nodes(model: RunModel) -> frozenset[str]:
    """Root nodes that ran a subgraph (the run reveals them; the drawing marks them)."""
    if model.tree is not None and model.tree.root is not None:
        return frozenset(node.name for node in model.tree.root.nodes.values() if node.subgraphs)
    if model.table is not None:
        return frozenset(path[0] for path in model.table.rows if len(path) > 1)
    return frozenset()


def graph_html(model: RunModel) -> str:
    """The graph's SVG drawing, nodes coloured by status, in a scrollable ``<div>``.

    The live view and the snapshot both show this, so every front end (and GitHub, which keeps
    inline SVG's presentation attributes but no styles) shows one picture.
    """
    head = model.header
    svg = draw_svg(
        head.node_names,
        head.edges,
        statuses=model.node_statuses(),
        subgraphs=subgraph_nodes(model),
        title=head.graph_name or "graph",
    )
    return f'<div class="nbstream-drawing">{svg}</div>'


def section_html(title: str, css_class: str, body: str, *, open_: bool = True) -> str:
    """A collapsible section of a view (CSS only: clicks need no kernel)."""
    flag = " open" if open_ else ""
    return (
        f'<details class="nbstream-section {css_class}"{flag}><summary>{escape(title)}</summary>'
        f"{body}</details>"
    )


def header_html(header: RunHeaderModel, *, timings: bool, now: float | None = None) -> str:
    """Graph name, run status, step, elapsed time (with ``timings``) and the error, if any."""
    parts = [
        f'<div class="nbstream-header" data-status="{header.status}">',
        f'<b class="nbstream-graph-name">{escape(header.graph_name or "graph")}</b> ',
        _badge(header.status),
    ]
    if header.step >= 0:
        parts.append(f' <span class="nbstream-step">step {header.step}</span>')
    if timings and header.started is not None:
        took = duration_text(header.elapsed(now))
        parts.append(f' <span class="nbstream-elapsed nbstream-dim">{took}</span>')
    if header.error is not None:
        where = f" (node {escape(header.failed_node)})" if header.failed_node else ""
        parts.append(f'<div class="nbstream-error">{escape(header.error)}{where}</div>')
    parts.append("</div>")
    return "".join(parts)


def _retries(count: int) -> str:
    if not count:
        return ""
    word = "retry" if count == 1 else "retries"
    return f' <span class="nbstream-retries nbstream-dim">({count} {word})</span>'


def row_html(row: NodeRow, *, timings: bool) -> str:
    """One ``<tr>`` of the node table."""
    label = path_label(row.path)
    indent = "&nbsp;&nbsp;" * (len(row.path) - 1)
    if row.error is not None:
        last = f'<span class="nbstream-error">{escape(row.error)}</span>'
    elif row.retry_error is not None:
        last = f'<span class="nbstream-error">retrying after {escape(row.retry_error)}</span>'
    elif row.status == "waiting":
        last = '<span class="nbstream-waiting">waiting for an answer</span>'
    elif row.runs and row.update is not None:
        last = value_html(row.update)
    else:
        last = '<span class="nbstream-dim">-</span>'
    cells = [
        f'<tr class="nbstream-row" data-node="{escape(label)}" data-status="{row.status}">',
        f'<td class="nbstream-node">{indent}{escape(row.name)}</td>',
        f"<td>{_badge(row.status)}</td>",
        f'<td class="nbstream-runs">{row.runs}{_retries(row.retries)}</td>',
        f'<td class="nbstream-update">{last}</td>',
    ]
    if timings:
        took = duration_text(row.duration) if row.duration is not None else ""
        cells.append(f'<td class="nbstream-duration nbstream-dim">{took}</td>')
    cells.append("</tr>")
    return "".join(cells)


def tool_row_html(call: ToolCallRow, *, timings: bool) -> str:
    """One tool call as a ``<tr>`` under its node: tool, arguments, status, step, result or error.

    Custom data the tool wrote is listed under its result.
    """
    indent = "&nbsp;&nbsp;" * len(call.path)
    if call.error is not None:
        last = f'<span class="nbstream-error">{escape(call.error)}</span>'
    elif call.status == "done":
        last = value_html(call.result)
    else:
        last = '<span class="nbstream-dim">-</span>'
    if call.custom:
        items = [f"<li>{value_html(data)}</li>" for data in call.custom]
        earlier = call.custom_count - len(call.custom)
        if earlier:
            items.insert(0, f'<li class="nbstream-dim">… {earlier} earlier</li>')
        last += f'<ul class="nbstream-tool-custom">{"".join(items)}</ul>'
    cells = [
        f'<tr class="nbstream-tool-row" data-node="{escape(path_label(call.path))}" '
        f'data-tool="{escape(call.tool)}" data-status="{call.status}">',
        f'<td class="nbstream-tool">{indent}&#8627; <b class="nbstream-tool-name">{escape(call.tool)}</b> '
        f"{value_html(call.args, 60)}</td>",
        f"<td>{_badge(call.status)}</td>",
        f'<td class="nbstream-tool-step nbstream-dim">step {call.step}</td>',
        f'<td class="nbstream-tool-result">{last}</td>',
    ]
    if timings:
        took = duration_text(call.duration) if call.duration is not None else ""
        cells.append(f'<td class="nbstream-duration nbstream-dim">{took}</td>')
    cells.append("</tr>")
    return "".join(cells)


def tool_rows_html(rows: list[str], earlier: int, *, timings: bool) -> str:
    """A node's tool-call rows, after a note of how many earlier calls are not shown (live only)."""
    if not earlier:
        return "".join(rows)
    span = 5 if timings else 4
    word = "call" if earlier == 1 else "calls"
    note = (
        f'<tr class="nbstream-tool-more"><td colspan="{span}" class="nbstream-dim">'
        f"… {earlier} earlier tool {word}</td></tr>"
    )
    return note + "".join(rows)


def rows_html(rows: list[str], *, timings: bool) -> str:
    """The node table around pre-rendered rows (the live view caches rows by version)."""
    head = "<th>node</th><th>status</th><th>runs</th><th>last update</th>"
    if timings:
        head += "<th>took</th>"
    body = "".join(rows)
    return f'<table class="nbstream-nodes"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def table_html(rows: list[str], state: str, *, timings: bool) -> str:
    """The live table widget's value: titled node table and state."""
    return (
        f'<div class="nbstream-title"><b>nodes</b></div>{rows_html(rows, timings=timings)}'
        f'<div class="nbstream-title"><b>state</b></div>{state}'
    )


def state_html(model: StateTableModel) -> str:
    """The root graph's current state; keys written in the last step are marked."""
    if model.values is None:
        return '<div class="nbstream-state nbstream-dim">no state yet</div>'
    changed = model.changed
    rows = []
    for key, value in model.values.items():
        mark = key in changed
        css = "nbstream-state-row nbstream-changed" if mark else "nbstream-state-row"
        rows.append(
            f'<tr class="{css}" data-key="{escape(key)}" data-changed="{"true" if mark else "false"}">'
            f'<td class="nbstream-key">{"&#9679; " if mark else ""}{escape(key)}</td>'
            f"<td>{value_html(value)}</td></tr>"
        )
    return (
        f'<table class="nbstream-state" data-step="{model.state_step}">'
        f"<thead><tr><th>key</th><th>value after step {model.state_step}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


#: a saved lane's text longer than this (lines or characters) shows its start and folds the rest
FOLD_LINES = 20
FOLD_CHARS = 2000
#: how much of a folded text stays visible
_SHOWN_LINES = 10
_SHOWN_CHARS = 1000


def text_html(text: str, *, fold: bool = False) -> str:
    """An LLM text as ``<pre>``; with ``fold``, a long one shows its first lines and folds the rest
    into a ``<details>`` (the saved view: GitHub keeps ``<details>``, and the page stays short)."""
    lines = text.count("\n") + 1
    if not fold or (lines <= FOLD_LINES and len(text) <= FOLD_CHARS):
        return f'<pre class="nbstream-text">{escape(text)}</pre>'
    cut = 0
    for _ in range(_SHOWN_LINES):  # after the first lines, or the first characters of long ones
        found = text.find("\n", cut, _SHOWN_CHARS)
        if found < 0:
            break
        cut = found + 1
    if cut == 0:
        cut = _SHOWN_CHARS
    rest = text[cut:]
    more = rest.count("\n") + 1
    what = f"{more} more lines" if more > 1 else f"{len(rest)} more characters"
    return (
        f'<pre class="nbstream-text">{escape(text[:cut])}</pre>'
        f'<details class="nbstream-fold"><summary>… {what}</summary>'
        f'<pre class="nbstream-text">{escape(rest)}</pre></details>'
    )


def lane_html(
    lane: Lane, *, timings: bool, now: float, tail: int | None = None, number: int = 0, fold: bool = False
) -> str:
    """One LLM call: where, tags, status, token count (and rate), and its escaped text.

    ``tail`` keeps only the last characters of a running call's text (the live view's bound on
    message size); a finished call always shows all of it. ``fold`` folds a long text (see
    :func:`text_html`).
    """
    text = lane.text
    if tail is not None and lane.status == "running" and len(text) > tail:
        text = "…" + text[-tail:]
    label = path_label(lane.path)
    tags = "".join(f' <span class="nbstream-tag">{escape(t)}</span>' for t in lane.tags)
    head = [
        f'<div class="nbstream-lane" data-node="{escape(label)}" data-status="{lane.status}">',
        f'<div class="nbstream-lane-head"><b class="nbstream-node">{escape(label)}</b>',
        f' <span class="nbstream-dim">#{number}</span>' if number else "",
        tags,
        " ",
        _badge(lane.status),
        f' <span class="nbstream-tokens">{lane.tokens} tokens</span>',
    ]
    if timings:
        head.append(f' <span class="nbstream-rate nbstream-dim">{lane.rate(now):.0f} tok/s</span>')
    head.append("</div>")
    if lane.error is not None:
        head.append(f'<div class="nbstream-error">{escape(lane.error)}</div>')
    if text or not lane.tool_calls:
        head.append(text_html(text, fold=fold))
    for call in lane.tool_calls:
        args = call.args
        if tail is not None and lane.status == "running" and len(args) > tail:
            args = "…" + args[-tail:]
        head.append(
            f'<div class="nbstream-lane-tool" data-tool="{escape(call.name)}">'
            f'<span class="nbstream-dim">tool call</span> <b>{escape(call.name)}</b> '
            f"<code>{escape(args)}</code></div>"
        )
    head.append("</div>")
    return "".join(head)


def lanes_html(lanes: list[Lane], *, timings: bool, now: float, fold: bool = False) -> str:
    """All lanes, numbered per node path in the order given (``fold``: see :func:`text_html`)."""
    if not lanes:
        return '<div class="nbstream-dim">no LLM calls</div>'
    counts: dict[tuple[str, ...], int] = {}
    out = []
    for lane in lanes:
        counts[lane.path] = counts.get(lane.path, 0) + 1
        out.append(lane_html(lane, timings=timings, now=now, number=counts[lane.path], fold=fold))
    return "".join(out)


def _tree_node_html(node: TreeNode, *, ids: bool, cache: _TreeCache | None) -> str:
    if cache is not None and not node.subgraphs:
        hit = cache.get(id(node))
        if hit is not None and hit[0] == node.version:
            return hit[1]
    runs = f' <span class="nbstream-dim">&times;{node.runs}</span>' if node.runs > 1 else ""
    runs += _retries(node.retries)
    error = f' <span class="nbstream-error">{escape(node.error)}</span>' if node.error else ""
    parts = [
        f'<li class="nbstream-tree-node" data-node="{escape(node.name)}" data-status="{node.status}">',
        f"{escape(node.name)} {_badge(node.status)}{runs}{error}",
    ]
    for i, graph in enumerate(node.subgraphs, 1):
        parts.append(_graph_html(graph, label=f"run {i}", ids=ids, cache=cache))
    parts.append("</li>")
    html = "".join(parts)
    if cache is not None and not node.subgraphs:
        cache[id(node)] = (node.version, html)
    return html


def _graph_html(graph: GraphRun, *, label: str, ids: bool, cache: _TreeCache | None) -> str:
    title = f' title="{escape(graph.ns[-1])}"' if ids and graph.ns else ""
    error = f' <span class="nbstream-error">{escape(graph.error)}</span>' if graph.error else ""
    extra = f' <span class="nbstream-dim">{label}</span>' if label else ""
    nodes = "".join(_tree_node_html(node, ids=ids, cache=cache) for node in graph.ordered_nodes())
    return (
        f'<details class="nbstream-graph-run" data-status="{graph.status}" open{title}>'
        f"<summary><b>{escape(graph.name)}</b>{extra} {_badge(graph.status)}{error}</summary>"
        f"<ul>{nodes}</ul></details>"
    )


def tree_html(root: GraphRun | None, *, ids: bool = False, cache: _TreeCache | None = None) -> str:
    """The namespace tree as nested ``<details>`` (collapsible in the browser, no kernel needed).

    ``ids`` adds each subgraph run's namespace (with its random task id) as a tooltip: live only.
    ``cache`` (kept by the caller for one model) saves re-rendering nodes that did not change.
    """
    if root is None:
        return '<div class="nbstream-tree nbstream-dim">not started</div>'
    return f'<div class="nbstream-tree">{_graph_html(root, label="", ids=ids, cache=cache)}</div>'
