"""LangGraph's prebuilt agent pieces (``langgraph.prebuilt``), running on nbstream's runtime.

``ToolNode`` runs a model's tool calls, ``tools_condition`` routes to it, ``create_react_agent``
builds the whole tool-calling loop, ``ValidationNode`` checks tool calls without running them.
Names, defaults, error texts and warnings are those of langgraph-prebuilt 1.1. LangGraph's
``ToolCallTransformer`` (for its ``tools`` stream protocol) is refused: nbstream has no such
stream.
"""

from __future__ import annotations

from typing import Any

from nbstream.errors import NotSupportedError
from nbstream.prebuilt.chat_agent_executor import create_react_agent
from nbstream.prebuilt.tool_node import InjectedState, InjectedStore, ToolNode, ToolRuntime, tools_condition
from nbstream.prebuilt.tool_validator import ValidationNode

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


class ToolCallTransformer:
    """LangGraph's projection of its ``tools`` stream channel: not supported by nbstream."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotSupportedError(
            "ToolCallTransformer (langgraph.prebuilt.ToolCallTransformer) is not supported: nbstream has no "
            "'tools' stream or stream transformers. Watch tool calls with stream_mode='updates' or 'debug', "
            "or in nbstream's views."
        )
