"""``nbstream.show(graph, inputs)``: run a graph with a live :class:`RunView`, return its result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nbstream.widgets.views import RunView

__all__ = ["show", "ashow"]


def show(
    graph: Any, inputs: Any, *, view: RunView | None = None, observers: Iterable[Any] = (), **kwargs: Any
) -> Any:
    """``graph.invoke(inputs, **kwargs)`` with a live view attached; returns what ``invoke`` returns.

    In a notebook the view updates while the graph runs and leaves a static snapshot behind; in
    a terminal it prints a compact progress log. ``graph`` may be a compiled LangGraph graph too
    (watched through :mod:`nbstream.langgraph`). Pass ``view=RunView(...)`` for options, and
    ``observers`` for more observers (they run after the view).
    """
    shown = view if view is not None else RunView()
    if _is_langgraph(graph):
        from nbstream.langgraph import invoke

        return invoke(graph, inputs, observers=[shown, *observers], **kwargs)
    return graph.invoke(inputs, observers=[shown, *observers], **kwargs)


async def ashow(
    graph: Any, inputs: Any, *, view: RunView | None = None, observers: Iterable[Any] = (), **kwargs: Any
) -> Any:
    """The ``await graph.ainvoke(...)`` twin of :func:`show`, for async cells and async nodes."""
    shown = view if view is not None else RunView()
    if _is_langgraph(graph):
        from nbstream.langgraph import ainvoke

        return await ainvoke(graph, inputs, observers=[shown, *observers], **kwargs)
    return await graph.ainvoke(inputs, observers=[shown, *observers], **kwargs)


def _is_langgraph(graph: Any) -> bool:
    """A LangGraph graph, told without importing LangGraph (a run of nbstream's never loads it)."""
    return any(cls.__module__.startswith("langgraph.") for cls in type(graph).__mro__)
