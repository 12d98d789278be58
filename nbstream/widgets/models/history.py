"""The history panel's model: the checkpoints of a thread, as the runs saved them or as it lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nbstream.events import CheckpointSaved, Event
from nbstream.widgets.models._fold import EventFold

__all__ = ["CheckpointRow", "HistoryModel"]


@dataclass(slots=True, eq=False)
class CheckpointRow:
    """One checkpoint of the root graph: where it is, what wrote it, the state it holds.

    ``source`` is LangGraph's (``input``, ``loop``, ``update``, ``fork``); ``config`` addresses it
    (pass it to ``invoke(None, config)`` or ``ThreadControl.fork`` to run on from it).
    """

    checkpoint_id: str
    config: dict[str, Any]
    step: int
    source: str
    values: dict[str, Any]
    next: tuple[str, ...]
    created_at: str
    parent_id: str | None
    #: the interrupts its tasks were waiting on when it was saved
    interrupts: tuple[Any, ...] = ()

    @property
    def time(self) -> str:
        """``HH:MM:SS`` of ``created_at`` (an ISO 8601 timestamp), or the whole text if not one."""
        text = self.created_at
        return text[11:19] if len(text) >= 19 and text[10] == "T" else text


def _checkpoint_id(config: dict[str, Any] | None) -> str | None:
    if not config:
        return None
    found = config.get("configurable", {}).get("checkpoint_id")
    return found if isinstance(found, str) else None


def _interrupts_of(tasks: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(item for task in tasks for item in getattr(task, "interrupts", ()) or ())


class HistoryModel(EventFold):
    """Folds ``CheckpointSaved`` events (and ``StateSnapshot`` lists) into :class:`CheckpointRow` s.

    Only the root graph's checkpoints are kept (a subgraph's have their own ``checkpoint_ns``).
    Pure Python, no widgets; ``version`` grows on every change, ``selected`` is the id of the
    checkpoint whose state the panel shows.
    """

    def __init__(self) -> None:
        self.rows: dict[str, CheckpointRow] = {}
        self.selected: str | None = None
        #: why the last fork or history read failed (cleared by the next checkpoint or choice)
        self.error: str | None = None
        self.version = 0
        self._ordered: list[CheckpointRow] | None = None
        self.handlers: dict[type[Event], Callable[[Any], None]] = {CheckpointSaved: self._saved}

    def ordered(self) -> list[CheckpointRow]:
        """Newest first, as ``get_state_history`` lists them (do not modify the list)."""
        if self._ordered is None:
            self._ordered = sorted(self.rows.values(), key=lambda r: (r.created_at, r.step), reverse=True)
        return self._ordered

    def writers(self, row: CheckpointRow) -> tuple[str, ...]:
        """The nodes whose writes made ``row``: the tasks its parent checkpoint had next.

        LangGraph's checkpoint metadata no longer names them (no ``writes`` key in 1.x), so they
        come from the parent; empty when the parent is not known, or for an input or update.
        """
        if row.source != "loop" or row.parent_id is None:
            return ()
        parent = self.rows.get(row.parent_id)
        return parent.next if parent is not None else ()

    def select(self, checkpoint_id: str | None) -> CheckpointRow | None:
        """Choose the checkpoint the panel shows (``None``: none); returns it."""
        row = self.rows.get(checkpoint_id) if checkpoint_id is not None else None
        chosen = row.checkpoint_id if row is not None else None
        if chosen != self.selected:
            self.selected = chosen
            self.error = None
            self.version += 1
        return row

    def refused(self, message: str) -> None:
        """A fork or a history read failed: say why in the panel."""
        self.error = message
        self.version += 1

    def add(
        self,
        config: dict[str, Any],
        metadata: dict[str, Any] | None,
        values: dict[str, Any] | None,
        next_nodes: Iterable[str],
        created_at: str | None,
        parent_config: dict[str, Any] | None,
        tasks: Iterable[Any] = (),
    ) -> CheckpointRow | None:
        """Record one checkpoint (a newer record of the same id replaces the older)."""
        checkpoint_id = _checkpoint_id(config)
        if checkpoint_id is None or config.get("configurable", {}).get("checkpoint_ns", ""):
            return None
        meta = metadata or {}
        step = meta.get("step")
        row = CheckpointRow(
            checkpoint_id=checkpoint_id,
            config=config,
            step=step if isinstance(step, int) else -1,
            source=str(meta.get("source", "")),
            values=dict(values) if values else {},
            next=tuple(next_nodes),
            created_at=created_at or "",
            parent_id=_checkpoint_id(parent_config),
            interrupts=_interrupts_of(tasks),
        )
        self.rows[checkpoint_id] = row
        self._ordered = None
        self.version += 1
        return row

    def merge(self, snapshots: Iterable[Any]) -> int:
        """Add ``StateSnapshot`` values (``ThreadControl.history()``); returns how many were new."""
        before = len(self.rows)
        for snap in snapshots:
            self.add(
                snap.config,
                snap.metadata,
                snap.values,
                snap.next,
                snap.created_at,
                snap.parent_config,
                snap.tasks,
            )
        return len(self.rows) - before

    def _saved(self, event: CheckpointSaved) -> None:
        if event.ns:
            return
        self.add(
            event.config,
            event.metadata,
            event.values,
            event.next,
            event.created_at,
            event.parent_config,
            event.tasks,
        )
