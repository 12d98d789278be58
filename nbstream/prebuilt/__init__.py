"""LangGraph's ``langgraph.prebuilt`` names (agents and tool nodes): not implemented by nbstream yet.

The module exists so that a ported ``from nbstream.prebuilt import create_react_agent`` imports,
and the program fails where the name is used, with a ``NotSupportedError`` that names it, instead
of an ``ImportError`` that says nothing about why. (A module ``__getattr__`` cannot do this:
``from m import name`` turns any ``AttributeError``, ``NotSupportedError`` included, into a bare
``ImportError``.)
"""

from __future__ import annotations

from typing import Any, NoReturn

from nbstream.errors import NotSupportedError

__all__ = [
    "create_react_agent",
    "ToolNode",
    "ToolCallTransformer",
    "tools_condition",
    "ValidationNode",
    "InjectedState",
    "InjectedStore",
    "ToolRuntime",
]

_ADVICE = (
    "nbstream does not implement langgraph.prebuilt yet. Write the agent loop as a StateGraph "
    "(a model node, a node that runs the tool calls of the last AIMessage, and a conditional edge "
    "between them), or run it with LangGraph."
)


def _refuse(name: str) -> NoReturn:
    raise NotSupportedError(f"{name} (langgraph.prebuilt.{name}) is not supported: {_ADVICE}")


def create_react_agent(*args: Any, **kwargs: Any) -> NoReturn:
    """LangGraph's prebuilt ReAct agent: not supported."""
    _refuse("create_react_agent")


def tools_condition(*args: Any, **kwargs: Any) -> NoReturn:
    """LangGraph's router to the tool node: not supported."""
    _refuse("tools_condition")


class _Refused:
    """A prebuilt class: making one raises ``NotSupportedError`` naming it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse(type(self).__name__)


class ToolNode(_Refused):
    """LangGraph's node that runs tool calls: not supported."""


class ToolCallTransformer(_Refused):
    """LangGraph's tool-call stream transformer: not supported."""


class ValidationNode(_Refused):
    """LangGraph's node that validates tool calls: not supported."""


class InjectedState(_Refused):
    """LangGraph's marker for a tool argument filled from the graph state: not supported."""


class InjectedStore(_Refused):
    """LangGraph's marker for a tool argument filled with the store: not supported."""


class ToolRuntime(_Refused):
    """LangGraph's runtime argument of a tool: not supported."""
