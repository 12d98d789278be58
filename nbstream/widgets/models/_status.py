"""The status of one node, as the state table and the subgraph tree both track it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nbstream.events import TaskFinished, TaskRetrying
from nbstream.widgets._format import error_text

__all__ = ["Status", "NodeState", "STATUSES"]

Status = Literal["pending", "running", "done", "error", "cancelled", "waiting"]
#: ``waiting``: the node (or the run) paused on ``interrupt()`` and waits for an answer
STATUSES: tuple[Status, ...] = ("pending", "running", "done", "error", "cancelled", "waiting")


@dataclass(slots=True, eq=False)
class NodeState:
    """Status, run count, last duration and error of a node (one or more task executions).

    ``version`` grows on every change, so a renderer can tell what it has already drawn.
    """

    name: str
    status: Status = "pending"
    runs: int = 0
    running: int = 0
    duration: float | None = None
    error: str | None = None
    error_step: int = -1
    #: tries its retry policy repeated, in all runs; the error that caused the latest one
    retries: int = 0
    retry_error: str | None = None
    #: the step in which a task of this node paused on ``interrupt()`` (-1: none since it last started)
    asked_step: int = -1
    version: int = 0

    def started(self) -> None:
        self.runs += 1
        self.running += 1
        self.status = "running"
        self.asked_step = -1
        self.version += 1

    def retrying(self, event: TaskRetrying) -> None:
        """A try failed and the node's retry policy runs it again: it is still running."""
        self.retries += 1
        self.retry_error = error_text(event.error)
        self.version += 1

    def finished(self, event: TaskFinished) -> None:
        if self.running:
            self.running -= 1
        self.duration = event.duration
        self.retry_error = None
        if event.interrupts:
            self.asked_step = event.step
        if event.error is not None and not event.cancelled:
            self.status = "error"
            self.error = error_text(event.error)
            self.error_step = event.step
        elif self.status == "error" and self.error_step == event.step:
            pass  # a parallel task of this node failed in this step: the error stands
        elif self.running:
            self.status = "running"
        elif self.asked_step == event.step:
            self.status = "waiting"  # it asked a question: neither done nor failed
            self.error = None
        else:
            self.status = "cancelled" if event.cancelled else "done"
            self.error = None
        self.version += 1

    def stopped(self) -> bool:
        """The run ended while this node ran: it was cancelled. True if that changed anything."""
        if not self.running and self.status != "running":
            return False
        self.running = 0
        self.status = "cancelled"
        self.version += 1
        return True
