"""The shapes of a human-in-the-loop request and its answer (``langgraph.prebuilt.interrupt``).

Plain TypedDicts, deprecated as in LangGraph (they moved to ``langchain.agents.interrupt``).
``interrupt()`` itself lives in :mod:`nbstream.types`.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict, deprecated

from nbstream.warnings import LangGraphDeprecatedSinceV10

__all__ = ["HumanInterruptConfig", "ActionRequest", "HumanInterrupt", "HumanResponse"]


@deprecated(
    "HumanInterruptConfig has been moved to `langchain.agents.interrupt`. "
    "Please update your import to `from langchain.agents.interrupt import HumanInterruptConfig`.",
    category=LangGraphDeprecatedSinceV10,
)
class HumanInterruptConfig(TypedDict):
    """Which answers the human may give to a paused run."""

    allow_ignore: bool
    allow_respond: bool
    allow_edit: bool
    allow_accept: bool


@deprecated(
    "ActionRequest has been moved to `langchain.agents.interrupt`. "
    "Please update your import to `from langchain.agents.interrupt import ActionRequest`.",
    category=LangGraphDeprecatedSinceV10,
)
class ActionRequest(TypedDict):
    """The action a paused run asks the human about, and its arguments."""

    action: str
    args: dict  # type: ignore[type-arg]


@deprecated(
    "HumanInterrupt has been moved to `langchain.agents.interrupt`. "
    "Please update your import to `from langchain.agents.interrupt import HumanInterrupt`.",
    category=LangGraphDeprecatedSinceV10,
)
class HumanInterrupt(TypedDict):
    """What a run passes to ``interrupt()`` to ask a human about an action."""

    action_request: ActionRequest
    config: HumanInterruptConfig
    description: str | None


class HumanResponse(TypedDict):
    """The human's answer: accept, ignore, a text response, or an edited action."""

    type: Literal["accept", "ignore", "response", "edit"]
    args: str | ActionRequest | None
