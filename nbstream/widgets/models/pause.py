"""The pause panel's model: the interrupts a paused run waits on, and the answers given to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbstream.events import Event, RunInterrupted, RunResumed, RunStarted, ThreadControl
from nbstream.widgets.models._fold import EventFold

__all__ = ["PauseModel"]


class PauseModel(EventFold):
    """What a paused run asks, and how it is being answered; pure Python, no widgets.

    Only the root graph's ``RunInterrupted`` counts: it lists every interrupt of the run,
    subgraphs' included. The interrupts are answered in order, one at a time (the panel asks the
    first one not yet answered). Once all have an answer, :meth:`answer` returns what to resume
    the thread with: the answer itself when the run waits on one interrupt, else a mapping
    ``{interrupt id: answer}``, because LangGraph refuses a bare value while several interrupts
    are pending, and resuming them one by one would re-run the tasks still waiting. A run paused
    at a breakpoint (``interrupt_before``/``interrupt_after``) waits on no interrupt: it goes on
    with ``None``.
    """

    def __init__(self) -> None:
        #: the ``Interrupt`` records (``value``, ``id``) the run waits on
        self.interrupts: tuple[Any, ...] = ()
        #: the checkpoint to resume from, and the thread that resumes (``None``: answer in code)
        self.config: dict[str, Any] | None = None
        self.thread: ThreadControl | None = None
        #: the run is paused and nobody has answered yet
        self.waiting = False
        #: an answer was sent and the thread is running on (no second answer meanwhile)
        self.resuming = False
        #: answers given so far to this pause, in the order of ``interrupts``
        self.answers: list[Any] = []
        #: what the thread was last resumed with (``RunResumed.resume``), and how many times
        self.resumed_with: Any = None
        self.resumes = 0
        #: how many times the run paused (the panel numbers its questions per pause)
        self.pauses = 0
        #: a bad answer, or why the thread refused it; cleared by the next good answer
        self.error: str | None = None
        self.version = 0
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            RunInterrupted: self._interrupted,
            RunResumed: self._resumed,
            RunStarted: self._started,
        }

    def current(self) -> int | None:
        """The index of the interrupt to answer next (``None`` when not waiting or all answered)."""
        if not self.waiting or self.resuming or len(self.answers) >= len(self.interrupts):
            return None
        return len(self.answers)

    def answer(self, value: Any) -> tuple[bool, Any]:
        """Take the answer to the current interrupt; ``(True, resume value)`` once all are answered.

        Refused (``ValueError``) when the run is not waiting for an answer: a second click while
        the first answer runs, or a click after the run went on.
        """
        if not self.waiting or self.resuming:
            raise ValueError("the run is not waiting for an answer")
        if self.interrupts:
            self.answers.append(value)
        self.error = None
        self.version += 1
        if len(self.answers) < len(self.interrupts):
            return False, None
        self.resuming = True
        if not self.interrupts:
            return True, None
        if len(self.interrupts) == 1:
            return True, self.answers[0]
        return True, {item.id: given for item, given in zip(self.interrupts, self.answers, strict=True)}

    def refused(self, message: str) -> None:
        """The answer could not be used (bad JSON, or the thread refused it): ask again."""
        self.error = message
        if self.resuming:  # the thread refused the whole answer: start this pause over
            self.resuming = False
            self.answers.clear()
        self.version += 1

    def _interrupted(self, event: RunInterrupted) -> None:
        if event.ns:
            return
        self.interrupts = tuple(event.interrupts)
        self.config = event.config
        if event.thread is not None:
            self.thread = event.thread
        self.waiting = True
        self.resuming = False
        self.answers = []
        self.error = None
        self.pauses += 1
        self.version += 1

    def _resumed(self, event: RunResumed) -> None:
        if event.ns:
            return
        self.resumed_with = event.resume
        self.resumes += 1
        self._went_on()

    def _started(self, event: RunStarted) -> None:
        if not event.ns and self.waiting:
            self.resumed_with = None  # a RunResumed right after says with what, if anything
            self._went_on()  # a run is going: whatever it continues, nothing waits any more

    def _went_on(self) -> None:
        self.waiting = False
        self.resuming = False
        self.error = None
        self.version += 1
