"""What the thread panels' buttons do: answer a paused run, fork from a checkpoint, read the history.

A click runs in the kernel's thread while the cell is idle (a paused run has returned), so the
thread runs on right inside the click's callback and publishes its events to the same view,
which continues in place (see :mod:`nbstream.widgets._live`). One action at a time: while one
runs, the buttons are disabled, and clicks that were queued meanwhile find nothing waiting and
do nothing.

An action the thread refuses before any run started (a resume value it does not accept, a
checkpoint it cannot fork) is shown in its panel and changes nothing else. An action whose run
started and then failed needs no more: the run's own events show the error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from nbstream.widgets._format import error_text
from nbstream.widgets.models import RunModel

__all__ = ["ThreadControls"]


class _View(Protocol):
    model: RunModel

    @property
    def run_id(self) -> str | None: ...

    def flush(self) -> None: ...


class ThreadControls:
    """Carries out the panels' requests against the run's :class:`~nbstream.events.ThreadControl`.

    ``busy`` is true while a resume or fork runs: the view then continues the current run in
    place, keeps its widget and updates its snapshot instead of adding new outputs.
    """

    def __init__(self, view: _View) -> None:
        self._view = view
        self.busy = False

    def answer(self, value: Any) -> None:
        model = self._view.model
        pause = model.pause
        if pause is None or self.busy:
            return
        try:
            ready, resume = pause.answer(value)
        except ValueError:
            return  # a click queued while the last answer ran: nothing waits for it now
        if not ready:
            self._view.flush()  # the next interrupt's question
            return
        thread = pause.thread or model.thread
        if thread is None:
            pause.refused("this run has no thread to resume: answer it in code with Command(resume=...)")
            self._view.flush()
            return
        self._run(lambda: thread.resume(resume), pause.refused)

    def refuse(self, message: str) -> None:
        pause = self._view.model.pause
        if pause is not None and not self.busy:
            pause.refused(message)
            self._view.flush()

    def fork(self, checkpoint_id: str) -> None:
        model = self._view.model
        history = model.history
        row = history.rows.get(checkpoint_id) if history is not None else None
        if history is None or row is None or model.thread is None or self.busy:
            return
        thread = model.thread
        self._run(lambda: thread.fork(row.config), history.refused)

    def select(self, checkpoint_id: str | None) -> None:
        history = self._view.model.history
        if history is not None:
            history.select(checkpoint_id)
            self._view.flush()

    def load_history(self) -> None:
        model = self._view.model
        history = model.history
        if history is None or model.thread is None:
            return
        try:
            history.merge(model.thread.history())
        except Exception as error:  # shown in the panel: the view stays usable
            history.refused(f"could not read the thread's history: {error_text(error)}")
        self._view.flush()

    def _run(self, action: Callable[[], None], refused: Callable[[str], None]) -> None:
        """Run ``action`` (which runs the thread on) with the buttons disabled meanwhile."""
        run_before = self._view.run_id
        self.busy = True
        self._view.flush()  # the disabled buttons reach the browser before the run starts
        try:
            action()
        except Exception as error:
            if self._view.run_id == run_before:  # no run started: the thread refused
                refused(f"the thread refused it: {error_text(error)}")
        finally:
            self.busy = False
        self._view.flush()
