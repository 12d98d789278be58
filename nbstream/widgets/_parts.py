"""The only code that talks to ipywidgets: pushes a fold model into core widgets.

Each part owns a few ``HTML`` widgets (the graph's SVG drawing is one too) and, on
``sync``, re-renders only what changed since its last sync (models carry ``version`` counters),
setting one trait per widget (one comm message; several traits go inside ``hold_sync()``), so
that a flush costs at most one comm message per widget. Widgets get their CSS classes when they
are made, in the message that opens them, not in an update of their own. A token ticker has one
widget per LLM call, so a long answer is re-sent alone.
"""

from __future__ import annotations

from typing import Any

import ipywidgets  # type: ignore[import-untyped]
from ipywidgets.widgets.widget_string import HTMLStyle  # type: ignore[import-untyped]

from nbstream.widgets._html import (
    graph_html,
    header_html,
    lane_html,
    row_html,
    state_html,
    subgraph_nodes,
    table_html,
    tool_row_html,
    tool_rows_html,
    tree_html,
)
from nbstream.widgets.models import Path, RunModel, ToolCallRow

__all__ = [
    "Part",
    "HeaderPart",
    "GraphPart",
    "TablePart",
    "TickerPart",
    "TreePart",
    "set_value",
    "WidgetKit",
]


def set_value(widget: Any, value: str) -> None:
    """Set ``widget.value`` in one message, and not at all if it is already that."""
    if widget.value != value:
        widget.value = value  # one trait: one message already, no ``hold_sync()`` needed


class WidgetKit:
    """Makes a view's widgets, all sharing one ``Layout`` and one ``HTMLStyle``.

    Every DOM widget would otherwise open two more comms for its own default layout and style;
    sharing them keeps a view at a handful of comms.
    """

    def __init__(self) -> None:
        self.layout = ipywidgets.Layout()
        self.style = HTMLStyle()

    def html(self, css_class: str, value: str = "") -> Any:
        return ipywidgets.HTML(value=value, layout=self.layout, style=self.style, _dom_classes=(css_class,))

    def vbox(self, css_class: str, children: tuple[Any, ...] = ()) -> Any:
        return ipywidgets.VBox(children, layout=self.layout, _dom_classes=(css_class,))

    def output(self, css_class: str) -> Any:
        return ipywidgets.Output(layout=self.layout, _dom_classes=(css_class,))

    def close(self) -> None:
        self.layout.close()
        self.style.close()


class Part:
    """A piece of a view: its widgets, and how to bring them up to date with the model.

    ``order`` places it in the view (parts added later, like the thread panels, slot in).
    """

    order = 0
    box: Any
    widgets: list[Any]

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        raise NotImplementedError

    def close(self) -> None:
        for widget in self.widgets:
            widget.close()


class HeaderPart(Part):
    def __init__(self, kit: WidgetKit) -> None:
        self.box = kit.html("nbstream-header-box")
        self.widgets = [self.box]

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        set_value(self.box, header_html(model.header, timings=True, now=now))


class GraphPart(Part):
    """The graph's SVG drawing, nodes coloured by status, in one ``HTML`` widget.

    Plain inline SVG renders alike in JupyterLab, Notebook 7, VS Code and Colab (Mermaid only
    in JupyterLab). It is re-drawn only when a status (or a node found to be a subgraph)
    changed, at most once every ``min_interval`` seconds while the run goes on, and always when
    it ends.
    """

    order = 1

    def __init__(self, kit: WidgetKit, min_interval: float = 1.0) -> None:
        self.box = kit.html("nbstream-graph")
        self.widgets = [self.box]
        self._min_interval = min_interval
        self._sent_at = float("-inf")
        self._drawn: tuple[Any, ...] | None = None

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        head = model.header
        if not head.node_names:
            return
        if not final and now - self._sent_at < self._min_interval:
            return
        statuses = model.node_statuses()
        key = (head.node_names, head.edges, tuple(sorted(statuses.items())), subgraph_nodes(model))
        if key == self._drawn:
            return
        self._drawn = key
        self._sent_at = now
        set_value(self.box, graph_html(model))


class TablePart(Part):
    """The node table (each node's tool calls under it) and the state, in one ``HTML`` widget.

    Both change at every step. Rows are re-rendered only when their version changed; a node shows
    its last ``tool_rows`` tool calls (the snapshot shows them all), which bounds the message.
    """

    order = 3

    def __init__(self, kit: WidgetKit, tool_rows: int = 20) -> None:
        self.box = kit.html("nbstream-table")
        self.widgets = [self.box]
        self._tool_rows = tool_rows
        self._version = -1
        self._tools_version = -1
        self._state_version = -1
        self._state = ""
        self._cache: dict[Path, tuple[int, str]] = {}
        self._tool_cache: dict[str, tuple[int, str]] = {}

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        table = model.table
        if table is None:
            return
        tools = model.tools
        tools_version = tools.version if tools is not None else -1
        if table.version == self._version and tools_version == self._tools_version:
            return
        self._version = table.version
        self._tools_version = tools_version
        cache = self._cache
        rows = []
        for row in table.ordered_rows():
            hit = cache.get(row.path)
            if hit is None or hit[0] != row.version:
                hit = cache[row.path] = (row.version, row_html(row, timings=True))
            rows.append(hit[1])
            calls = tools.by_path.get(row.path) if tools is not None else None
            if calls:
                rows.append(self._tool_rows_html(calls))
        if table.state_version != self._state_version:
            self._state_version = table.state_version
            self._state = state_html(table)
        set_value(self.box, table_html(rows, self._state, timings=True))

    def _tool_rows_html(self, calls: list[ToolCallRow]) -> str:
        shown = calls[-self._tool_rows :] if self._tool_rows > 0 else []
        cache = self._tool_cache
        rows = []
        for call in shown:
            hit = cache.get(call.call_id)
            if hit is None or hit[0] != call.version:
                hit = cache[call.call_id] = (call.version, tool_row_html(call, timings=True))
            rows.append(hit[1])
        return tool_rows_html(rows, len(calls) - len(shown), timings=True)


class TickerPart(Part):
    """One ``HTML`` widget per LLM call, in arrival order; only changed lanes are re-sent.

    While a call runs its lane shows the last ``tail`` characters (bounding each message); once
    it ended the lane shows the whole text.
    """

    order = 4

    def __init__(self, kit: WidgetKit, tail: int = 4000) -> None:
        self.box = kit.vbox("nbstream-ticker")
        self.widgets = [self.box]
        self._kit = kit
        self._tail = tail
        self._version = -1
        self._lanes: dict[str, list[Any]] = {}  # call id -> [widget, version drawn, number]
        self._numbers: dict[Path, int] = {}

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        ticker = model.ticker
        if ticker is None or ticker.version == self._version:
            return
        self._version = ticker.version
        added = []
        for lane in ticker.lanes.values():
            entry = self._lanes.get(lane.call_id)
            if entry is None:
                number = self._numbers[lane.path] = self._numbers.get(lane.path, 0) + 1
                html = lane_html(lane, timings=True, now=now, tail=self._tail, number=number)
                widget = self._kit.html("nbstream-lane-box", html)
                self._lanes[lane.call_id] = [widget, lane.version, number]
                self.widgets.append(widget)
                added.append(widget)
            elif entry[1] != lane.version:
                entry[1] = lane.version
                html = lane_html(lane, timings=True, now=now, tail=self._tail, number=entry[2])
                set_value(entry[0], html)
        if added:
            with self.box.hold_sync():
                self.box.children = (*self.box.children, *added)


class TreePart(Part):
    order = 5

    def __init__(self, kit: WidgetKit) -> None:
        self.box = kit.html("nbstream-tree-section")
        self.widgets = [self.box]
        self._version = -1
        self._cache: dict[int, tuple[int, str]] = {}

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        tree = model.tree
        if tree is None or tree.version == self._version:
            return
        self._version = tree.version
        body = tree_html(tree.root, ids=True, cache=self._cache)
        set_value(self.box, f'<div class="nbstream-title"><b>subgraph tree</b></div>{body}')
