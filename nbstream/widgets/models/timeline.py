"""A run's step timeline: its events cut into steps, and the run model as of any one of them.

Pure Python, like the other fold models: the widget in :mod:`nbstream.widgets._timeline` only
turns sliders into positions and renders the model this gives back.

**Positions.** A position is how many of the run's events are folded: ``1`` shows the run just
started, ``len(timeline)`` shows it as it ended. The events are cut into *segments*, one per root
super-step: a segment opens at a root ``StepStarted``, at a root ``StepFinished`` of another step
than the segment's (the input step has no ``StepStarted``), and at a root ``RunStarted`` that is
not the first event (a run continuing a paused thread). Everything else (tasks, tokens,
subgraph events, the checkpoint after a step, the run's end) stays in the segment it falls in, so
the end of segment ``i`` shows the state after that step.

**Cost.** Moving forward folds the events in between into the current model. Moving back
restores the nearest snapshot at or before the target and folds on from there. Snapshots are
deep copies taken every ``every`` events while the timeline is built (once, when the run ended);
the copies share the events' values (never copied: they may be large, or not copyable at all) and
the LLM lanes that had ended (they never change again). If a model cannot be copied, the
timeline refolds from the first event instead: slower, never wrong.

**Time.** The models fold with a clock that reads the time each event arrived at the view, so
elapsed times, durations and token rates are those of the moment shown, not of the replay.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nbstream.events import (
    CheckpointSaved,
    CustomData,
    Event,
    LLMCallFinished,
    LLMCallStarted,
    MessageChunk,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskFinished,
    TaskRetrying,
    TaskStarted,
    ToolCallFinished,
    ToolCallStarted,
)
from nbstream.widgets.models.run import RunModel

__all__ = ["RunTimeline", "Segment", "describe_event"]

#: the longest fold a move may need, in events (more events make snapshots further apart)
_MAX_SNAPSHOTS = 64
_ATOMIC = (str, int, float, bool, type(None), bytes)


@dataclass(frozen=True, slots=True)
class Segment:
    """One root super-step's events: ``events[start:end]``; ``step`` is ``None`` before any step."""

    start: int
    end: int
    step: int | None

    def __len__(self) -> int:
        return self.end - self.start


class _EventClock:
    """The clock the timeline's models fold with: the time the event being folded arrived."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class RunTimeline:
    """A finished (or paused, or failed) run's events, and its model as of any position.

    ``events`` are ``(time, event)`` pairs in arrival order; ``new_model(clock)`` makes the empty
    model the run's view folds into (same options), folding with ``clock``.
    """

    def __init__(
        self,
        events: Sequence[tuple[float, Event]],
        new_model: Callable[[Callable[[], float]], RunModel],
        *,
        every: int = 1000,
    ) -> None:
        if not events:
            raise ValueError("a timeline needs at least one event")
        self._times = [t for t, _ in events]
        self._events = [event for _, event in events]
        self._clock = _EventClock()
        self._new_model = new_model
        self.segments = _segments(self._events)
        self._starts = [segment.start for segment in self.segments]
        count = len(self._events)
        self.every = max(every, -(-count // _MAX_SNAPSHOTS))
        #: values shared by every copy of a model: the events' own (and the clock)
        self._shared = _shared_values(self._events, self._clock)
        #: (position, model) pairs, positions ascending; position 0 is a fresh model
        self._snapshots: list[tuple[int, RunModel]] = []
        self._positions: list[int] = []
        self._can_copy = True
        self._model = self._fresh()
        self._at = 0
        self._fold_to(count, snapshots=True)

    def __len__(self) -> int:
        return len(self._events)

    @property
    def position(self) -> int:
        """The position of :attr:`model`."""
        return self._at

    @property
    def model(self) -> RunModel:
        """The model at :attr:`position` (the timeline folds into it: do not fold it yourself)."""
        return self._model

    def event(self, position: int) -> Event:
        """The last event folded at ``position``."""
        return self._events[self._check(position) - 1]

    def time_at(self, position: int) -> float:
        """When the last event folded at ``position`` arrived (the "now" to render it with)."""
        return self._times[self._check(position) - 1]

    def segment_of(self, position: int) -> int:
        """The index of the segment holding the last event folded at ``position``."""
        return bisect.bisect_right(self._starts, self._check(position) - 1) - 1

    def position_of(self, segment: int, offset: int | None = None) -> int:
        """The position after event ``offset`` of segment ``segment`` (default: its last event)."""
        part = self.segments[segment]
        if offset is None:
            return part.end
        if not 0 <= offset < len(part):
            raise IndexError(f"segment {segment} has events 0..{len(part) - 1}, not {offset}")
        return part.start + offset + 1

    def model_at(self, position: int) -> RunModel:
        """The run's model with its first ``position`` events folded (``1 <= position <= len``)."""
        self._check(position)
        if position < self._at or self._snapshot_between(self._at, position):
            self._restore(position)
        self._fold_to(position, snapshots=False)
        return self._model

    # -- folding ---------------------------------------------------------------------------

    def _check(self, position: int) -> int:
        if not 1 <= position <= len(self._events):
            raise IndexError(f"timeline positions are 1..{len(self._events)}, not {position}")
        return position

    def _fresh(self) -> RunModel:
        return self._new_model(self._clock)

    def _fold_to(self, position: int, *, snapshots: bool) -> None:
        model, clock, times, events = self._model, self._clock, self._times, self._events
        every = self.every
        for i in range(self._at, position):
            if snapshots and i and i % every == 0:
                self._keep(i, model)
            clock.now = times[i]
            model.fold(events[i])
        self._at = position

    def _snapshot_between(self, low: int, high: int) -> bool:
        """True if a snapshot lies in ``(low, high]``: copying it beats folding from ``low``."""
        i = bisect.bisect_right(self._positions, high) - 1
        return i >= 0 and self._positions[i] > low

    def _restore(self, position: int) -> None:
        """Start again from the last snapshot at or before ``position`` (or from nothing)."""
        i = bisect.bisect_right(self._positions, position) - 1
        if i < 0 or not self._can_copy:
            self._model, self._at = self._fresh(), 0
            return
        at, kept = self._snapshots[i]
        self._model, self._at = self._copy(kept), at

    def _keep(self, position: int, model: RunModel) -> None:
        if not self._can_copy:
            return
        try:
            kept = self._copy(model)
        except (TypeError, copy.Error, RecursionError):  # a value the model holds cannot be copied
            self._can_copy = False
            self._snapshots.clear()
            self._positions.clear()
            return
        self._snapshots.append((position, kept))
        self._positions.append(position)

    def _copy(self, model: RunModel) -> RunModel:
        memo = dict(self._shared)
        if model.ticker is not None:
            for lane in model.ticker.lanes.values():
                if lane.status != "running":
                    memo[id(lane)] = lane  # an ended lane never changes again: share it
        return copy.deepcopy(model, memo)


def _segments(events: Sequence[Event]) -> list[Segment]:
    segments: list[Segment] = []
    start, step = 0, None
    for i, event in enumerate(events):
        if event.ns:
            continue
        kind = type(event)
        opens = False
        if kind is StepStarted or kind is StepFinished:
            if step is None:
                step = event.step
            elif kind is StepStarted or event.step != step:
                opens = True
        elif kind is RunStarted and i:
            opens = True
        if opens and i > start:
            segments.append(Segment(start, i, step))
            start = i
            step = event.step if kind is not RunStarted else None
    segments.append(Segment(start, len(events), step))
    return segments


def _shared_values(events: Sequence[Event], clock: object) -> dict[int, Any]:
    """The memo that keeps copies from copying what the events hold (and the clock)."""
    shared: dict[int, Any] = {id(clock): clock}
    for event in events:
        if type(event) is MessageChunk:
            continue  # the bulk of a run, and the models keep none of its values
        shared[id(event)] = event
        for value in event:
            if not isinstance(value, _ATOMIC):
                shared[id(value)] = value
    return shared


def describe_event(event: Event) -> str:
    """One short line saying what ``event`` is (for the timeline's label; not escaped)."""
    where = f" in {' / '.join(part.partition(':')[0] for part in event.ns)}" if event.ns else ""
    return _what(event) + where


def _what(event: Event) -> str:
    if isinstance(event, MessageChunk):  # the most frequent first
        return f"{'token' if event.kind == 'token' else 'message'} from {event.node}"
    if isinstance(event, RunStarted):
        return f"run of {event.graph_name or 'graph'} started"
    if isinstance(event, StepStarted):
        return f"step {event.step} started: {len(event.task_ids)} task(s)"
    if isinstance(event, StepFinished):
        return f"state after step {event.step}"
    if isinstance(event, TaskStarted):
        return f"{event.node} started"
    if isinstance(event, TaskFinished):
        if event.error is not None and not event.cancelled:
            return f"{event.node} failed: {type(event.error).__name__}"
        if event.interrupts:
            return f"{event.node} asked for an answer"
        return f"{event.node} {'cancelled' if event.cancelled else 'finished'}"
    if isinstance(event, TaskRetrying):
        return f"{event.node} retried"
    if isinstance(event, LLMCallStarted):
        return f"LLM call in {event.node} started"
    if isinstance(event, LLMCallFinished):
        return f"LLM call in {event.node} {'failed' if event.error is not None else 'ended'}"
    if isinstance(event, ToolCallStarted):
        return f"tool {event.tool} called by {event.node}"
    if isinstance(event, ToolCallFinished):
        return f"tool call by {event.node} {'failed' if event.error is not None else 'returned'}"
    if isinstance(event, CustomData):
        return f"custom data from {event.node}"
    if isinstance(event, CheckpointSaved):
        return "checkpoint saved"
    if isinstance(event, RunResumed):
        return "run resumed"
    if isinstance(event, RunInterrupted):
        return "run paused for an answer"
    if isinstance(event, RunFinished):
        return "run finished"
    if isinstance(event, RunFailed):
        return f"run {'cancelled' if event.cancelled else 'failed'}"
    return type(event).__name__
