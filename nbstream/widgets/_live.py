"""The observer machinery every live view shares: runs, folding, throttled flushes, display.

Life of a view, per run (events arrive in the caller's thread, see :mod:`nbstream.bus`):

1. The root ``RunStarted`` starts a fresh :class:`~nbstream.widgets.models.RunModel`. Under a
   kernel, the view builds its widgets and displays itself, unless it is already on screen
   (``display(view)``, or ``view`` as a cell's last expression).
2. Every event is folded into the model at event speed. Widgets are updated only by a *flush*,
   decided by :class:`~nbstream.widgets._throttle.FlushGate`: time-gated at ``flush_rate``,
   forced (within a token budget) when a node ends and when a step's tasks have all started.
   A tool call's start and end force a flush too (a tool may then run long without events).
3. The root ``RunFinished``/``RunFailed`` folds (nothing is left "running"), flushes one last
   time, displays the deterministic snapshot as a new output (``text/html`` + ``text/plain``),
   and closes the live widgets (unless ``keep_live=True``), so JupyterLab shows the run once;
   the live output is blanked through its display id first (see :meth:`LiveView.close`). All of
   it happens before the run returns, hence before the cell ends.

Without a kernel the view prints a :class:`~nbstream.widgets.text_log.TextProgressLog` instead.
Events of another run than the current one are ignored; a new root run while one is still
going closes the old one as cancelled.

A run on a thread may end *paused* (the root ``RunInterrupted``). The view then folds it (the
run is ``waiting``), flushes, and displays the snapshot of the waiting run as at any run end,
but keeps the live widget when it can answer (a :class:`RunView` given the thread): its pause
panel's buttons resume the thread. The next run of the same graph the view sees *continues*
the paused one: same model (rows, state, lanes stay), same widget. When a button started that
run (:class:`~nbstream.widgets._answers.ThreadControls` is ``busy``), it all happens inside the
click's callback, where a new output would not reach the cell: the view keeps its widget open
at the end and updates its last snapshot in place (by its display id) instead.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import IO, Any, ClassVar, TypedDict

import ipywidgets  # type: ignore[import-untyped]

from nbstream.events import (
    CheckpointSaved,
    Event,
    Namespace,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    StepStarted,
    TaskFinished,
    TaskStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from nbstream.widgets._answers import ThreadControls
from nbstream.widgets._html import CSS, LIVE_CSS
from nbstream.widgets._kernel import WIDGET_VIEW, Mode, display_bundle, wants_widgets
from nbstream.widgets._parts import Part, WidgetKit
from nbstream.widgets._snapshot import snapshot_html, snapshot_text
from nbstream.widgets._throttle import FlushGate
from nbstream.widgets.models import RunModel
from nbstream.widgets.text_log import TextProgressLog

__all__ = ["LiveView", "ViewOptions"]


class ViewOptions(TypedDict, total=False):
    """Options every view takes (all keyword-only, all optional)."""

    #: ``"auto"`` (widgets under a Jupyter kernel, a text log elsewhere), ``"widgets"``, ``"text"``
    mode: Mode
    #: most widget flushes per second (forced ones included, beyond a small burst)
    flush_rate: float
    #: how many forced flushes may come in a row before ``flush_rate`` applies to them too
    burst: int
    #: put durations, elapsed time and token rates in the snapshot (it is then not deterministic)
    show_timings: bool
    #: display the static snapshot when a run ends
    snapshot: bool
    #: keep the live widget on screen after the run (else it is closed: the snapshot replaces it)
    keep_live: bool
    #: the clock for throttling and timings (tests pass a fake one)
    clock: Callable[[], float]
    #: where the text log goes without a kernel (default: stderr)
    log_file: IO[str] | None


_GATED, _NODE_END, _STEP, _TASK, _RUN_END, _PAUSE, _CHECKPOINT = range(7)
_ROLE: dict[type[Event], int] = {
    TaskFinished: _NODE_END,
    # a tool may then run for long with no event at all: show that it runs, and how it ended
    ToolCallStarted: _NODE_END,
    ToolCallFinished: _NODE_END,
    StepStarted: _STEP,
    TaskStarted: _TASK,
    RunFinished: _RUN_END,
    RunFailed: _RUN_END,
    RunInterrupted: _PAUSE,
    CheckpointSaved: _CHECKPOINT,
}


class _ViewBox(ipywidgets.VBox):  # type: ignore[misc]
    """The container on screen; its ``text/plain`` is the view's short, deterministic repr."""

    def __init__(self, label: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._nbstream_label = label

    def __repr__(self) -> str:
        return self._nbstream_label()


class LiveView:
    """Base of :class:`RunView`, :class:`StateTable`, :class:`TokenTicker`, :class:`SubgraphTree`.

    Pass it as an observer: ``graph.stream(..., observers=[view])``.
    """

    _kind: ClassVar[str] = "LiveView"
    _css_class: ClassVar[str] = "nbstream-view"
    _with_header: ClassVar[bool] = False
    _with_drawing: bool = False
    _log_nodes: ClassVar[bool] = True
    _log_llm_calls: ClassVar[bool] = True
    _log_tool_calls: ClassVar[bool] = True
    #: read by the runner: a view that shows no tool calls spares the run from reporting them
    wants_tool_calls: ClassVar[bool] = True
    #: keep the live widget when a run ends, as ``keep_live`` does (a view with a step timeline)
    _keep_after_run: bool = False

    def __init__(
        self,
        *,
        mode: Mode = "auto",
        flush_rate: float = 15.0,
        burst: int = 10,
        show_timings: bool = False,
        snapshot: bool = True,
        keep_live: bool = False,
        clock: Callable[[], float] = time.monotonic,
        log_file: IO[str] | None = None,
    ) -> None:
        self._widgets = wants_widgets(mode)
        self._clock = clock
        self._gate = FlushGate(flush_rate, burst, clock)
        self.show_timings = show_timings
        self.snapshot = snapshot
        self.keep_live = keep_live
        #: the fold model of the current (or last) run
        self.model = self._new_model()
        self._handlers = self.model.handlers
        #: the model has folded a run: the next run that does not continue it needs a new one
        self._model_used = False
        self._run_id: str | None = None
        self._active = False
        self._box: Any = None
        self._parts: list[Part] = []
        self._kit: WidgetKit | None = None
        self._css: Any = None
        self._displayed = False
        self._display: tuple[str, str] | None = None  # (display id, text/plain) of our own display
        self._dirty = False
        self._starts_left: dict[Namespace, int] = {}
        #: the last root run paused: the next run of the same graph continues it in this model
        self._waiting = False
        #: the display id of the last snapshot (a run a button started updates it in place)
        self._snapshot_id: str | None = None
        #: what the thread panels' buttons do; made with the first panel
        self._controls: ThreadControls | None = None
        #: widget flushes done so far (all runs); each sends at most one message per widget
        self.flushes = 0
        self._log = (
            None
            if self._widgets
            else TextProgressLog(
                log_file,
                nodes=self._log_nodes,
                llm_calls=self._log_llm_calls,
                tool_calls=self._log_tool_calls,
                show_timings=True,
                clock=clock,
            )
        )

    # -- what subclasses define ------------------------------------------------------------

    def _new_model(self) -> RunModel:
        raise NotImplementedError

    def _new_parts(self, kit: WidgetKit) -> list[Part]:
        raise NotImplementedError

    def _new_panels(self, kit: WidgetKit, have: set[type[Part]]) -> list[Part]:
        """Parts the model now needs that the view does not have yet (the thread panels)."""
        return []

    # -- the observer ----------------------------------------------------------------------

    def __call__(self, event: Event) -> None:
        self.on_event(event)

    def on_event(self, event: Event) -> None:
        """Fold one event; flush the widgets if the throttle allows (caller's thread only)."""
        if event.run_id != self._run_id:
            if type(event) is RunStarted and not event.ns:
                self._begin(event)
            return
        if self._log is not None:
            self._log.on_event(event)
        kind = type(event)
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(event)
            self._dirty = True
        role = _ROLE.get(kind, _GATED)
        if role == _RUN_END and not event.ns:
            self._end()
        elif role == _PAUSE and not event.ns:
            self._pause()
        elif self._box is None:
            return
        elif role == _GATED:
            if self._dirty and self._gate.gated():
                self._flush(False)
        elif role == _CHECKPOINT:
            self._add_panels()  # the first checkpoint brings the history panel
            if self._gate.gated():
                self._flush(False)
        elif role == _TASK:
            left = self._starts_left.get(event.ns, 0) - 1
            self._starts_left[event.ns] = left
            # every task of the step has started: the caller is about to wait for them
            if (left == 0 and self._gate.forced()) or (left != 0 and self._gate.gated()):
                self._flush(False)
        elif role == _STEP:
            assert isinstance(event, StepStarted)
            self._starts_left[event.ns] = len(event.task_ids)
            if self._gate.gated():
                self._flush(False)
        elif self._gate.forced():  # a node ended, or a subgraph run did
            self._flush(False)

    def flush(self) -> None:
        """Push the model to the widgets now, whatever the throttle says."""
        if self._box is not None:
            self._gate.final()
            self._flush(True)

    # -- runs ------------------------------------------------------------------------------

    @property
    def run_id(self) -> str | None:
        """The id of the current (or last) root run the view follows."""
        return self._run_id

    @property
    def answering(self) -> bool:
        """True while one of the view's buttons runs the thread on (a resume or a fork)."""
        return self._controls is not None and self._controls.busy

    def _begin(self, event: RunStarted) -> None:
        if self._active:
            self._supersede()
        head = self.model.header
        same_graph = head.graph_name == event.graph_name and head.node_names == event.node_names
        continuing = (self._waiting or self.answering) and same_graph
        self._waiting = False
        self._run_id = event.run_id
        self._active = True
        if not continuing and self._model_used:  # the first run folds into the model made above
            self.model = self._new_model()
            self._handlers = self.model.handlers
        self._model_used = True
        self._starts_left.clear()
        self._gate.reset()
        if self._log is not None:
            self._log.on_event(event)
        self.model.fold(event)
        if not self._widgets:
            return
        if continuing and self._box is not None:
            self._gate.final()  # the same widget goes on: show that the run runs again
            self._flush(False)
            return
        self._show()
        if not self._displayed:
            self._ipython_display_()

    def _show(self) -> None:
        """Build the container if needed and give it fresh parts bound to the current model."""
        if self._box is None:
            self._kit = WidgetKit()
            self._css = self._kit.html("nbstream-css", CSS + LIVE_CSS)  # sent once, never updated
            self._box = _ViewBox(
                self.__repr__, layout=self._kit.layout, _dom_classes=("nbstream-view", self._css_class)
            )
        assert self._kit is not None
        old = self._parts
        parts = self._new_parts(self._kit)
        parts += self._new_panels(self._kit, set())
        self._parts = sorted(parts, key=lambda part: part.order)
        self._gate.final()
        self._flush(False)
        with self._box.hold_sync():
            self._box.children = (self._css, *(part.box for part in self._parts))
        for part in old:
            part.close()

    def _add_panels(self) -> None:
        """Slot in the parts the model grew since the view was built (once each)."""
        if self._kit is None or self._box is None:
            return
        added = self._new_panels(self._kit, {type(part) for part in self._parts})
        if not added:
            return
        self._parts = sorted([*self._parts, *added], key=lambda part: part.order)
        now = self._clock()
        for part in added:
            part.sync(self.model, now, True)
        with self._box.hold_sync():
            self._box.children = (self._css, *(part.box for part in self._parts))

    def _thread_controls(self) -> ThreadControls:
        if self._controls is None:
            self._controls = ThreadControls(self)
        return self._controls

    def _end(self) -> None:
        self._active = False
        self._waiting = False
        if self._box is None:
            return
        self._gate.final()
        self._flush(True)
        if self.snapshot:
            self._show_snapshot()
        if not self.keep_live and not self._keep_after_run and not self.answering:
            self.close()

    def _pause(self) -> None:
        """The root run paused on interrupts: it waits, and the next run of its graph continues it."""
        self._active = False
        self._waiting = True
        if self._box is None:
            return
        self._add_panels()
        self._gate.final()
        self._flush(True)
        if self.snapshot:
            self._show_snapshot()
        pause = self.model.pause
        can_answer = pause is not None and pause.thread is not None and self._controls is not None
        if not self.keep_live and not self._keep_after_run and not can_answer and not self.answering:
            self.close()

    def _show_snapshot(self) -> None:
        bundle = {"text/html": self.snapshot_html(), "text/plain": self.snapshot_text()}
        if self.answering and self._snapshot_id is not None:
            # inside a click's callback a new output would not reach the cell: update the last one
            display_bundle(bundle, display_id=self._snapshot_id, update=True)
            return
        self._snapshot_id = uuid.uuid4().hex
        display_bundle(bundle, display_id=self._snapshot_id)

    def _supersede(self) -> None:
        """A new run started before the current one ended: end the current one as cancelled."""
        stop = RuntimeError("a new run started on the same view")
        self.on_event(RunFailed(self._run_id or "", (), self.model.header.step, stop, True))

    def _flush(self, final: bool) -> None:
        self._dirty = False
        self.flushes += 1
        now = self._clock()
        for part in self._parts:
            part.sync(self.model, now, final)

    def close(self) -> None:
        """Close the live widgets (the snapshot, if shown, stays). The next run shows new ones.

        The live output is first updated to an empty model id with the same ``text/plain``:
        JupyterLab hides it, and the saved notebook does not ask for a model that is gone
        ("Error displaying widget: model not found" on reopening) while nbval sees the same text.
        """
        if self._display is not None:
            display_id, text = self._display
            blank = {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": ""}}
            display_bundle({"text/plain": text, **blank}, display_id=display_id, update=True)
            self._display = None
        for part in self._parts:
            part.close()
        self._parts = []
        if self._box is not None:
            self._box.close()
            self._css.close()
        if self._kit is not None:
            self._kit.close()
        self._box = None
        self._kit = None
        self._displayed = False

    # -- what the notebook shows -------------------------------------------------------------

    @property
    def widget(self) -> Any:
        """The ipywidgets container on screen (``None`` before a run, after close, or in text mode)."""
        return self._box

    def snapshot_html(self) -> str:
        """The static, escaped HTML of the current model (deterministic unless ``show_timings``)."""
        return snapshot_html(
            self.model,
            css_class=self._css_class,
            header=self._with_header,
            drawing=self._with_drawing,
            timings=self.show_timings,
        )

    def snapshot_text(self) -> str:
        """The snapshot as plain text (deterministic unless ``show_timings``)."""
        text = snapshot_text(self.model, header=self._with_header, timings=self.show_timings)
        return f"{self!r}\n{text}"

    def _ipython_display_(self) -> None:
        """``display(view)``, or ``view`` as a cell's last expression: show the live widget.

        Displayed with a display id, so that :meth:`close` can blank it.
        """
        bundle = self._repr_mimebundle_()
        if bundle is None:
            return
        if not self._widgets:
            display_bundle(bundle)
            return
        display_id = uuid.uuid4().hex
        display_bundle(bundle, display_id=display_id)
        self._display = (display_id, str(bundle.get("text/plain", "")))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any] | None:
        if not self._widgets:
            return {"text/plain": repr(self)}
        if self._box is None:
            self._show()
        self._displayed = True
        bundle: dict[str, Any] | None = self._box._repr_mimebundle_(include=include, exclude=exclude)
        return bundle

    def __repr__(self) -> str:
        name = self.model.header.graph_name
        return f"{self._kind}(graph={name!r})" if name else f"{self._kind}()"
