"""The live views: a run view holding a state table, a token ticker and a subgraph tree.

Each is an observer (``graph.stream(..., observers=[view])``) usable alone; see
:mod:`nbstream.widgets._live` for the life of a view during a run and the options they share.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from nbstream.widgets._live import LiveView, ViewOptions
from nbstream.widgets._parts import GraphPart, HeaderPart, Part, TablePart, TickerPart, TreePart, WidgetKit
from nbstream.widgets._thread_parts import HistoryPart, PausePart
from nbstream.widgets._timeline import StepTimeline, TimelinePart, TimelineTickerPart, TimelineTreePart
from nbstream.widgets.models import RunModel

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RunView", "StateTable", "TokenTicker", "SubgraphTree"]


class StateTable(LiveView):
    """One row per node (status, runs, last update, duration) and the state after the last step.

    ``subgraphs=False`` keeps only the root graph's nodes; otherwise subgraph nodes appear under
    the node that runs them. Each tool call a node makes is a row under it (tool, arguments,
    status, result, custom data it wrote); the live table shows a node's last ``tool_rows`` calls.
    """

    _kind = "StateTable"
    _css_class = "nbstream-state-table"
    _log_llm_calls = False

    def __init__(
        self, *, subgraphs: bool = True, tool_rows: int = 20, **options: Unpack[ViewOptions]
    ) -> None:
        self.subgraphs = subgraphs
        self.tool_rows = tool_rows
        super().__init__(**options)

    def _new_model(self) -> RunModel:
        return RunModel(table=True, ticker=False, tree=False, subgraphs=self.subgraphs, clock=self._clock)

    def _new_parts(self, kit: WidgetKit) -> list[Part]:
        return [TablePart(kit, self.tool_rows)]


class TokenTicker(LiveView):
    """One lane per LLM call: node, tags, text so far, token count and rate, how it ended.

    ``nodes`` / ``tags`` show only calls made in those nodes / carrying one of those tags.
    ``tail`` bounds how much of a running call's text the live widget re-sends per flush.
    """

    _kind = "TokenTicker"
    _css_class = "nbstream-token-ticker"
    _log_nodes = False
    _log_tool_calls = False
    wants_tool_calls = False

    def __init__(
        self,
        *,
        nodes: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        tail: int = 4000,
        **options: Unpack[ViewOptions],
    ) -> None:
        self.nodes = tuple(nodes) if nodes is not None else None
        self.tags = tuple(tags) if tags is not None else None
        self.tail = tail
        super().__init__(**options)

    def _new_model(self) -> RunModel:
        return RunModel(
            table=False, ticker=True, tree=False, nodes=self.nodes, tags=self.tags, clock=self._clock
        )

    def _new_parts(self, kit: WidgetKit) -> list[Part]:
        return [TickerPart(kit, self.tail)]


class SubgraphTree(LiveView):
    """The namespace tree: root graph, its nodes, the subgraph runs they start, their nodes...

    Collapsible with ``<details>``, which needs no kernel round-trip (the kernel is busy running
    the cell, so clicks could not reach it). While the run goes on, each update re-opens it.
    """

    _kind = "SubgraphTree"
    _css_class = "nbstream-subgraph-tree"
    _log_llm_calls = False
    _log_tool_calls = False
    wants_tool_calls = False

    def _new_model(self) -> RunModel:
        return RunModel(table=False, ticker=False, tree=True, clock=self._clock)

    def _new_parts(self, kit: WidgetKit) -> list[Part]:
        return [TreePart(kit)]


class RunView(LiveView):
    """The whole picture of a run, live: header, graph drawing, state table, ticker, tree.

    ::

        view = RunView()
        for chunk in graph.stream(inputs, stream_mode="updates", observers=[view]):
            ...

    Works with ``invoke``/``ainvoke``/``stream``/``astream``, any stream mode, and several runs
    in a row (each gets its own live view and snapshot). ``nodes``/``tags`` filter the ticker,
    ``subgraphs`` the table, ``show_graph=False`` drops the drawing. Tool calls are rows under
    the node that made them (the live table shows a node's last ``tool_rows``); the ticker shows a
    model's tool calls as they stream (the tool's name, then its arguments).

    On a thread (a graph compiled with a checkpointer) it also shows, once the run needs them,
    a pause panel and a history panel. A paused run is ``waiting``: the panel lists what it
    asks and answers with **Approve** (resumes with ``approve``, default ``True``), **Reject**
    (``reject``, default ``False``) or any JSON typed in its box; the resumed run continues in
    this view. The history panel lists the thread's checkpoints, shows the state saved at one
    and forks from it.

    ``timeline=True`` keeps the run's events and, once the run has ended (finished, failed or
    paused), keeps the live widget with a step timeline under its header: a slider over the
    run's steps and one over the events of a step, which show the drawing, the node table and
    state, the LLM lanes and the tree as of that event (arrow keys move one step or event). It
    works for replays (``nbstream.replay(path, observers=[RunView(timeline=True)], speed=None)``).
    The saved snapshot still shows the end of the run: the timeline lives in the kernel only.
    """

    _kind = "RunView"
    _css_class = "nbstream-run"
    _with_header = True

    def __init__(
        self,
        *,
        nodes: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        subgraphs: bool = True,
        show_graph: bool = True,
        tail: int = 4000,
        approve: Any = True,
        reject: Any = False,
        tool_rows: int = 20,
        timeline: bool = False,
        **options: Unpack[ViewOptions],
    ) -> None:
        self.nodes = tuple(nodes) if nodes is not None else None
        self.tags = tuple(tags) if tags is not None else None
        self.subgraphs = subgraphs
        self.timeline = timeline
        self.show_graph = show_graph
        self.tool_rows = tool_rows
        self._with_drawing = show_graph
        self.tail = tail
        #: what the Approve and Reject buttons resume a paused run with
        self.approve = approve
        self.reject = reject
        super().__init__(**options)
        #: the step timeline's keeper (``timeline=True`` under a kernel), else ``None``
        self.step_timeline: StepTimeline | None = None
        if timeline and not self._widgets:
            # a text log has no slider: say so rather than drop the option silently
            warnings.warn(
                "RunView(timeline=True) has no timeline in text mode (no Jupyter kernel to draw "
                "sliders in): the run is logged as text; use it in a notebook, or replay a "
                "recording there (nbstream.replay(path, observers=[RunView(timeline=True)]))",
                UserWarning,
                stacklevel=2,
            )
        if timeline and self._widgets:
            self.step_timeline = StepTimeline(self, self._new_model)
            self._keep_after_run = True
            # an instance attribute: a view without a timeline keeps the plain observer, and
            # pays nothing per event
            self.on_event = self.step_timeline.on_event  # type: ignore[method-assign]

    def _new_model(self, clock: Callable[[], float] | None = None) -> RunModel:
        return RunModel(
            subgraphs=self.subgraphs,
            nodes=self.nodes,
            tags=self.tags,
            threads=True,
            clock=self._clock if clock is None else clock,
        )

    def _new_panels(self, kit: WidgetKit, have: set[type[Part]]) -> list[Part]:
        model = self.model
        added: list[Part] = []
        if model.pause is not None and PausePart not in have:
            controls = self._thread_controls()
            added.append(PausePart(kit, controls, approve=self.approve, reject=self.reject))
        if model.history is not None and HistoryPart not in have:
            added.append(HistoryPart(kit, self._thread_controls()))
        if self.step_timeline is not None and TimelinePart not in have:
            part = self.step_timeline.new_part(kit)
            if part is not None:
                added.append(part)
        return added

    def _new_parts(self, kit: WidgetKit) -> list[Part]:
        parts: list[Part] = [HeaderPart(kit)]
        if self.show_graph:
            parts.append(GraphPart(kit))
        parts.append(TablePart(kit, self.tool_rows))
        if self.step_timeline is not None:  # parts that can also go back in time
            parts += [TimelineTickerPart(kit, self.tail), TimelineTreePart(kit)]
        else:
            parts += [TickerPart(kit, self.tail), TreePart(kit)]
        return parts
