"""The run view's thread panels as ipywidgets: answer a paused run, browse and fork its checkpoints.

They are built only when a run needs them (its first checkpoint, its first pause), so a run
without a checkpointer makes none of these widgets. Their buttons do not act themselves: they
call a :class:`ThreadActions` (the view's :class:`~nbstream.widgets._answers.ThreadControls`),
which talks to the thread and keeps one action going at a time. The cell is idle while a run
waits, so the kernel does receive the clicks.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import ipywidgets  # type: ignore[import-untyped]

from nbstream.widgets._parts import Part, WidgetKit, set_value
from nbstream.widgets._thread_html import checkpoint_html, checkpoint_label, history_html, pause_html
from nbstream.widgets.models import RunModel

__all__ = ["ThreadActions", "PausePart", "HistoryPart"]

HIDDEN = "nbstream-hidden"


class ThreadActions(Protocol):
    """What the panels' buttons ask for; the view carries them out."""

    def answer(self, value: Any) -> None:
        """Answer the interrupt the pause panel asks about now."""

    def refuse(self, message: str) -> None:
        """Show why an answer could not be taken (it resumes nothing)."""

    def fork(self, checkpoint_id: str) -> None:
        """Run the thread on from this checkpoint."""

    def load_history(self) -> None:
        """Read the thread's checkpoints (``ThreadControl.history()``) into the history model."""

    def select(self, checkpoint_id: str | None) -> None:
        """Show the state saved at this checkpoint."""


def _show(widget: Any, shown: bool) -> None:
    """Hide or show a widget with a CSS class (its layout is shared, so ``display`` is not ours)."""
    if shown == (HIDDEN in widget._dom_classes):
        if shown:
            widget.remove_class(HIDDEN)
        else:
            widget.add_class(HIDDEN)


def _enable(widget: Any, enabled: bool) -> None:
    if widget.disabled == enabled:
        with widget.hold_sync():
            widget.disabled = not enabled


class PausePart(Part):
    """What a paused run asks, with **Approve** / **Reject** and a JSON answer box.

    ``approve`` and ``reject`` are the answers the two buttons give; the box takes any JSON
    (``"text"``, ``42``, ``{"edited": true}``...). Buttons are disabled while an answer runs
    and hidden once the run went on; a run that pauses again shows them again.
    """

    order = 2

    def __init__(self, kit: WidgetKit, actions: ThreadActions, *, approve: Any, reject: Any) -> None:
        self._actions = actions
        self._approve_value = approve
        self._reject_value = reject
        self._html = kit.html("nbstream-pause-box")
        style = ipywidgets.ButtonStyle()
        self._style = style
        self.approve = ipywidgets.Button(
            description="Approve", button_style="success", layout=kit.layout, style=style
        )
        self.reject = ipywidgets.Button(
            description="Reject", button_style="danger", layout=kit.layout, style=style
        )
        self.edit = ipywidgets.Textarea(
            placeholder='any JSON answer: "text", 42, {"key": "value"}', rows=2, layout=kit.layout
        )
        self.send = ipywidgets.Button(description="Send JSON", layout=kit.layout, style=style)
        for widget, css in (
            (self.approve, "approve"),
            (self.reject, "reject"),
            (self.edit, "edit"),
            (self.send, "send"),
        ):
            widget.add_class(f"nbstream-{css}")
        self._controls = ipywidgets.HBox((self.approve, self.reject, self.edit, self.send), layout=kit.layout)
        self._controls.add_class("nbstream-pause-controls")
        self.box = kit.vbox("nbstream-pause-section", (self._html, self._controls))
        self.widgets = [self.box, self._html, self._controls, self.approve, self.reject, self.edit, self.send]
        self._version = -1
        self._breakpoint: bool | None = None
        self.approve.on_click(lambda _: actions.answer(None if self._breakpoint else self._approve_value))
        self.reject.on_click(lambda _: actions.answer(self._reject_value))
        self.send.on_click(lambda _: self._send_json())

    def _send_json(self) -> None:
        text = self.edit.value
        try:
            value = json.loads(text)
        except ValueError as error:
            self._actions.refuse(f"the answer is not valid JSON ({error}); nothing was sent")
            return
        set_value(self.edit, "")
        self._actions.answer(value)

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        pause = model.pause
        if pause is None or pause.version == self._version:
            return
        self._version = pause.version
        set_value(self._html, pause_html(pause, ids=True))
        waiting = pause.waiting and pause.thread is not None
        breakpoint_ = not pause.interrupts
        if breakpoint_ != self._breakpoint:
            self._breakpoint = breakpoint_
            with self.approve.hold_sync():
                self.approve.description = "Continue" if breakpoint_ else "Approve"
            for widget in (self.reject, self.edit, self.send):
                _show(widget, not breakpoint_)
        _show(self._controls, waiting)
        ready = waiting and not pause.resuming
        for widget in (self.approve, self.reject, self.edit, self.send):
            _enable(widget, ready)

    def close(self) -> None:
        super().close()
        self._style.close()


class HistoryPart(Part):
    """The thread's checkpoints in a collapsed section; pick one to see its state, fork from it.

    Opening the section reads the thread's whole history (``ThreadControl.history()``), so
    checkpoints saved before this view watched the thread are listed too.
    """

    order = 6

    def __init__(self, kit: WidgetKit, actions: ThreadActions) -> None:
        self._actions = actions
        self._table = kit.html("nbstream-history-box")
        self.choose = ipywidgets.Dropdown(options=[], value=None, layout=kit.layout)
        self.choose.add_class("nbstream-choose-checkpoint")
        style = ipywidgets.ButtonStyle()
        self._style = style
        self.fork = ipywidgets.Button(
            description="Fork from here", disabled=True, layout=kit.layout, style=style
        )
        self.fork.add_class("nbstream-fork")
        self._state = kit.html("nbstream-checkpoint-box")
        row = ipywidgets.HBox((self.choose, self.fork), layout=kit.layout)
        inner = kit.vbox("nbstream-history-body", (self._table, row, self._state))
        self.box = ipywidgets.Accordion(children=(inner,), titles=("checkpoints",), layout=kit.layout)
        self.box.add_class("nbstream-history-section")
        self.widgets = [self.box, inner, row, self._table, self.choose, self.fork, self._state]
        self._version = -1
        self._labels: tuple[tuple[str, str], ...] = ()
        self._syncing = False
        self.box.observe(self._toggled, "selected_index")
        self.choose.observe(self._chosen, "value")
        self.fork.on_click(lambda _: self._fork())

    @property
    def opened(self) -> bool:
        return bool(self.box.selected_index == 0)

    def open(self) -> None:
        """Open the section (as a click on its title does)."""
        self.box.selected_index = 0

    def _toggled(self, change: dict[str, Any]) -> None:
        if change["new"] == 0:
            self._actions.load_history()

    def _chosen(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self._actions.select(change["new"])

    def _fork(self) -> None:
        chosen = self.choose.value
        if chosen is not None:
            self._actions.fork(chosen)

    def sync(self, model: RunModel, now: float, final: bool) -> None:
        history = model.history
        if history is None or history.version == self._version:
            return
        self._version = history.version
        rows = history.ordered()
        with self.box.hold_sync():
            self.box.titles = (f"checkpoints ({len(rows)})",)
        set_value(self._table, history_html(history, timings=True))
        labels = tuple((checkpoint_label(history, row), row.checkpoint_id) for row in rows)
        self._syncing = True  # our own changes of the chooser are not the user's choice
        try:
            if labels != self._labels:
                self._labels = labels
                with self.choose.hold_sync():
                    self.choose.options = labels
                    self.choose.value = history.selected
            elif self.choose.value != history.selected:
                with self.choose.hold_sync():
                    self.choose.value = history.selected
        finally:
            self._syncing = False
        selected = history.rows.get(history.selected) if history.selected is not None else None
        set_value(self._state, checkpoint_html(history, selected))
        _enable(self.fork, selected is not None and model.thread is not None)

    def close(self) -> None:
        super().close()
        self._style.close()
