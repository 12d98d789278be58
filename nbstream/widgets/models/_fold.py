"""The shape every fold model shares: a table of handlers, one per event type it reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbstream.events import Event

__all__ = ["EventFold", "Handlers"]

Handlers = dict[type[Event], Callable[[Any], None]]


class EventFold:
    """Folds events into a model through ``handlers`` (set by the subclass); others are ignored."""

    handlers: Handlers

    def fold(self, event: Event) -> None:
        """Take one event into the model."""
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(event)
