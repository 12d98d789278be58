"""The step timeline of a ``RunView(timeline=True)``: sliders over a run that has ended.

While a run goes on, the view keeps its events (with the time each arrived); a view without a
timeline keeps nothing and pays nothing. When the root run ends (finished, failed, or paused for
an answer) the view keeps its live widget instead of closing it, and a timeline panel appears
under its header: a **step** slider over the run's root super-steps and an **event** slider over
the events of the chosen step. Moving either re-renders the header, the graph drawing, the node
table with the state, the LLM lanes and the subgraph tree as of that event, from
:class:`~nbstream.widgets.models.timeline.RunTimeline`. A slider with focus moves one step (or one
event) per arrow key. The thread panels (pause, history) keep showing the thread as it is now:
their buttons act on the thread, not on the past.

A new run in the view removes the timeline: a live run is not timeline-able. The static
snapshot the view displays at the run's end is unchanged (it shows the end of the run): the
timeline is a control of the live kernel, and a saved notebook does not keep it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets  # type: ignore[import-untyped]

from nbstream.events import Event, RunFailed, RunFinished, RunInterrupted, RunStarted
from nbstream.widgets._live import LiveView
from nbstream.widgets._parts import GraphPart, HeaderPart, Part, TablePart, TickerPart, TreePart, WidgetKit
from nbstream.widgets.models import RunModel
from nbstream.widgets.models.timeline import RunTimeline, describe_event

__all__ = ["StepTimeline", "TimelinePart", "TimelineTickerPart", "TimelineTreePart"]

_RUN_ENDS = (RunFinished, RunFailed, RunInterrupted)
#: the parts a timeline moves (the thread panels show the thread as it is now)
_DRIVEN = (HeaderPart, GraphPart, TablePart, TickerPart, TreePart)
ModelFactory = Callable[[Callable[[], float]], RunModel]


class TimelineTickerPart(TickerPart):
    """The ticker of a view with a timeline: moving back hides the lanes not started yet.

    Hidden lanes keep their widgets (*parked*), and moving forward shows them again: a widget
    costs a comm to open and to close, which would make a long jump slow.
    """

    def __init__(self, kit: WidgetKit, tail: int = 4000) -> None:
        super().__init__(kit, tail)
        self._parked: dict[str, list[Any]] = {}

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        ticker = model.ticker
        if ticker is not None and ticker.version != self._version:
            lanes = ticker.lanes
            if len(self._lanes) > len(lanes):
                self._park(lanes)
            elif self._parked and len(self._lanes) < len(lanes):
                self._unpark(lanes)
        super().sync(model, now, final)

    def _park(self, lanes: dict[str, Any]) -> None:
        # the lanes left are the first to have arrived (a position is a prefix of the run)
        for call_id in [c for c in self._lanes if c not in lanes]:
            self._parked[call_id] = self._lanes.pop(call_id)
        shown = tuple(entry[0] for entry in self._lanes.values())
        with self.box.hold_sync():
            self.box.children = shown
        self._renumber(lanes)

    def _unpark(self, lanes: dict[str, Any]) -> None:
        back = [call_id for call_id in lanes if call_id not in self._lanes and call_id in self._parked]
        if not back:
            return
        for call_id in back:
            self._lanes[call_id] = self._parked.pop(call_id)
        with self.box.hold_sync():
            self.box.children = (*self.box.children, *(self._lanes[c][0] for c in back))
        self._renumber(lanes)

    def _renumber(self, lanes: dict[str, Any]) -> None:
        """Lanes are numbered per node in arrival order: count again for lanes not yet shown."""
        self._numbers = {}
        for lane in lanes.values():
            if lane.call_id in self._lanes:
                self._numbers[lane.path] = self._numbers.get(lane.path, 0) + 1

    def forget(self) -> None:
        """The model shown is another object now (a restored snapshot): nothing to forget here."""


class TimelineTreePart(TreePart):
    """The subgraph tree of a view with a timeline: its render cache is keyed by node identity,
    so it is dropped whenever the timeline shows another model object."""

    def forget(self) -> None:
        self._cache.clear()
        self._version = -1


class TimelinePart(Part):
    """The two sliders (step, event within the step) and a line saying what the position shows."""

    order = 0  # right under the header (the sort is stable, and the header came first)

    def __init__(self, kit: WidgetKit, timeline: RunTimeline, driven: Callable[[], list[Part]]) -> None:
        self._driven = driven
        self.steps = ipywidgets.IntSlider(
            description="step", min=0, max=0, step=1, readout=False, continuous_update=True
        )
        self.steps.add_class("nbstream-timeline-step")
        self.events = ipywidgets.IntSlider(
            description="event", min=0, max=0, step=1, readout=False, continuous_update=True
        )
        self.events.add_class("nbstream-timeline-event")
        self.label = kit.html("nbstream-timeline-label")
        self._rows = (self.steps, self.events, self.label)
        self.box = kit.vbox("nbstream-timeline", self._rows)
        self.widgets = [self.box, *self._rows]
        self.closed = False
        self.timeline: RunTimeline | None = None
        self._moving = False
        self._shown: RunModel | None = None
        self.steps.observe(self._step_moved, names="value")
        self.events.observe(self._event_moved, names="value")
        self.attach(timeline)

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        """The view's flushes show the live model: the sliders move only when you move them."""

    def attach(self, timeline: RunTimeline) -> None:
        """Show ``timeline``, at its end (what the view shows when the run ended)."""
        self.timeline = timeline
        last = len(timeline.segments) - 1
        self._moving = True
        try:
            _set_range(self.steps, last)
            self._set_event_range(last)
        finally:
            self._moving = False
        with self.box.hold_sync():
            self.box.children = self._rows
        self.show(len(timeline))

    def detach(self) -> None:
        """Hide the sliders while a run goes on in the view (a live run is not timeline-able)."""
        self.timeline = None
        self._shown = None
        with self.box.hold_sync():
            self.box.children = ()

    def close(self) -> None:
        self.closed = True
        super().close()

    @property
    def position(self) -> int:
        """How many of the run's events the view shows now."""
        if self.timeline is None:
            return 0
        return self.timeline.position_of(self.steps.value, self.events.value)

    def show(self, position: int) -> None:
        """Render the view's parts as of ``position`` (``1..len(timeline)``)."""
        timeline = self.timeline
        if timeline is None:
            return
        model = timeline.model_at(position)
        parts = self._driven()
        if model is not self._shown:
            for part in parts:
                forget = getattr(part, "forget", None)
                if forget is not None:
                    forget()
            self._shown = model
        now = timeline.time_at(position)
        for part in parts:
            part.sync(model, now, True)
        self._label(timeline, position)

    def where(self) -> str:
        """What the sliders point at, in words: ``step 1 (2 of 3) · event 4 of 8: token from a``."""
        if self.timeline is None:
            return "no timeline (a run goes on)"
        return _where(self.timeline, self.position)

    def _label(self, timeline: RunTimeline, position: int) -> None:
        index = timeline.segment_of(position)
        segment = timeline.segments[index]
        value = (
            f'<div class="nbstream-timeline-position" data-position="{position}" '
            f'data-step="{"" if segment.step is None else segment.step}" data-segment="{index}" '
            f'data-event="{position - segment.start}">{html.escape(_where(timeline, position))}</div>'
        )
        if self.label.value != value:
            with self.label.hold_sync():
                self.label.value = value

    def _set_event_range(self, segment: int) -> None:
        assert self.timeline is not None
        _set_range(self.events, len(self.timeline.segments[segment]) - 1)

    def _step_moved(self, change: dict[str, Any]) -> None:
        if self._moving or self.timeline is None:
            return
        self._moving = True
        try:
            self._set_event_range(change["new"])
        finally:
            self._moving = False
        self.show(self.timeline.position_of(change["new"]))

    def _event_moved(self, change: dict[str, Any]) -> None:
        if self._moving or self.timeline is None:
            return
        self.show(self.timeline.position_of(self.steps.value, change["new"]))


def _set_range(slider: Any, last: int) -> None:
    """Put ``slider`` at the end of ``0..last``: max and value in two messages, in the order that
    keeps the value in range. Sent together, JupyterLab applied the value first and clamped it to
    the old max, so the slider on screen sat one short of the kernel's (an arrow key then
    skipped an event)."""
    if slider.max < last:
        slider.max = last
        slider.value = last
    else:
        slider.value = last
        slider.max = last
    slider.disabled = last == 0


def _where(timeline: RunTimeline, position: int) -> str:
    index = timeline.segment_of(position)
    segment = timeline.segments[index]
    step = "start" if segment.step is None else f"step {segment.step}"
    return (
        f"{step} ({index + 1} of {len(timeline.segments)}) · event {position - segment.start} of "
        f"{len(segment)}: {describe_event(timeline.event(position))}"
    )


class StepTimeline:
    """What a ``RunView(timeline=True)`` adds: it keeps the run's events and, at the run's end,
    the timeline panel. Its :meth:`on_event` replaces the view's own (the view folds as usual)."""

    def __init__(self, view: LiveView, new_model: ModelFactory) -> None:
        self._view = view
        self._new_model = new_model
        self._clock = view._clock
        #: (arrival time, event) of every event folded into the view's current model
        self._events: list[tuple[float, Event]] = []
        self._model: RunModel | None = None
        self._part: TimelinePart | None = None
        #: a new root run is starting: events the view sends itself meanwhile end the old run
        self._superseding = False
        #: the timeline of the run that ended last (``None`` while a run goes on)
        self.timeline: RunTimeline | None = None

    @property
    def part(self) -> TimelinePart | None:
        """The timeline panel on screen, if any."""
        part = self._part
        return part if part is not None and not part.closed and self.timeline is not None else None

    def on_event(self, event: Event) -> None:
        """Fold ``event`` into the view; keep it; at the root run's end, show the timeline."""
        view = self._view
        if self._superseding:
            # the view ends the run a new one cut short (cancelled): no timeline for it, and its
            # widget closes as a view without a timeline would, so the new run gets its own
            LiveView.on_event(view, event)
            if not event.ns and isinstance(event, _RUN_ENDS) and not view.answering:
                view.close()
            return
        if type(event) is RunStarted and not event.ns and event.run_id != view.run_id:
            self._leave()
            self._superseding = True
            try:
                LiveView.on_event(view, event)
            finally:
                self._superseding = False
        else:
            LiveView.on_event(view, event)
        if event.run_id != view.run_id:
            return  # not the view's run: the view ignored it
        if view.model is not self._model:  # a fresh model: a new run, not a continued one
            self._model = view.model
            self._events = []
        self._events.append((self._clock(), event))
        if not event.ns and isinstance(event, _RUN_ENDS):
            self._mount()

    def move_to(self, step: int, event: int | None = None) -> str:
        """Move the sliders as a user would, and say where they are (see :meth:`TimelinePart.where`).

        ``step`` is the step slider's value: the index of the step in the run, which is the step
        number for a single run (``0``: the input step); negative values count from the end.
        ``event`` is the event slider's value within that step (``None``: its last event).
        """
        part = self.part
        if part is None or self.timeline is None:
            raise RuntimeError(
                "the view has no timeline now: it appears when a run has ended (finished, failed or "
                "paused), in a view made with RunView(timeline=True) under a Jupyter kernel"
            )
        steps = len(self.timeline.segments)
        index = step + steps if step < 0 else step
        if not 0 <= index < steps:
            raise IndexError(f"the run has steps 0..{steps - 1} on the timeline, not {step}")
        last = len(self.timeline.segments[index]) - 1
        if event is not None and not 0 <= event <= last:
            raise IndexError(f"step {index} of the timeline has events 0..{last}, not {event}")
        part.steps.value = index
        part.events.value = last if event is None else event
        return part.where()

    def new_part(self, kit: WidgetKit) -> TimelinePart | None:
        """The timeline panel for the view to slot in (``None`` while a run goes on)."""
        if self.timeline is None:
            return None
        self._part = TimelinePart(kit, self.timeline, self._driven)
        return self._part

    def _driven(self) -> list[Part]:
        return [part for part in self._view._parts if isinstance(part, _DRIVEN)]

    def _mount(self) -> None:
        view = self._view
        if view.widget is None or not self._events:
            return
        self.timeline = RunTimeline(self._events, self._new_model)
        part = self._part
        if part is not None and not part.closed:
            part.attach(self.timeline)
        else:
            view._add_panels()

    def _leave(self) -> None:
        """A new run starts: the timeline goes; the view starts a new widget unless a button of
        its own (a resume, a fork) started the run, which continues in this widget."""
        if self.timeline is None:
            return
        self.timeline = None
        part = self._part
        if part is not None and not part.closed:
            part.detach()
        if not self._view.answering:
            self._view.close()
        else:
            for driven in self._driven():  # the live model is shown again: drop what the past left
                forget = getattr(driven, "forget", None)
                if forget is not None:
                    forget()
