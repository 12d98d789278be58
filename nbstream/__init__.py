"""nbstream: build LLM graphs and watch them run.

The LangGraph-compatible faces are ``nbstream.graph``, ``nbstream.config``, ``nbstream.types``,
``nbstream.errors``, ``nbstream.constants``, ``nbstream.managed``, ``nbstream.func`` and the
``Runtime`` names of ``nbstream.runtime``; the event vocabulary is ``nbstream.events``; live views
are ``nbstream.widgets``.
``nbstream.show(graph, inputs)`` runs a graph with a live view and returns its result;
``nbstream.record(path)`` keeps a run's events in a file, ``nbstream.replay(path, observers=[...])``
plays them back (:mod:`nbstream.recording`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["show", "ashow", "record", "replay", "__version__"]


def __getattr__(name: str) -> Any:
    # the views import ipywidgets: load them only when asked for, so the runtime stays light
    if name in ("show", "ashow"):
        from nbstream import widgets

        return getattr(widgets, name)
    if name in ("record", "replay"):  # pydantic models of the file format: load them when used
        from nbstream import recording

        return getattr(recording, name)
    raise AttributeError(f"module 'nbstream' has no attribute {name!r}")
