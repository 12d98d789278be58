"""LangGraph's functional API names (``task``, ``entrypoint``): not implemented by nbstream.

Both raise ``NotSupportedError`` when used, so a program written for the functional API fails
at the decorator instead of running something else.
"""

from __future__ import annotations

from typing import Any, NoReturn

from nbstream.errors import NotSupportedError

__all__ = ["task", "entrypoint"]

_ADVICE = (
    "nbstream implements the graph API only. Build the workflow as a StateGraph (each @task "
    "becomes a node, the @entrypoint function's steps become edges), or run it with LangGraph."
)


def task(*args: Any, **kwargs: Any) -> NoReturn:
    """LangGraph's ``@task`` decorator: not supported (the functional API is not implemented)."""
    raise NotSupportedError(f"@task (langgraph.func.task) is not supported: {_ADVICE}")


class entrypoint:
    """LangGraph's ``@entrypoint(...)`` decorator: not supported (the functional API is not implemented)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotSupportedError(f"@entrypoint (langgraph.func.entrypoint) is not supported: {_ADVICE}")
