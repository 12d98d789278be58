"""What a ToolNode answers when a tool call fails: the texts the model reads, and which errors it catches.

The texts are LangGraph's, word for word: a model prompted for one runtime reads the same
feedback under the other. The policy (``handle_tool_errors``):

* the default catches only :class:`ToolInvocationError` (the model sent arguments the tool's
  schema rejects) and lets every other error of a tool fail the run;
* ``True`` catches every error; a string answers every error with that string;
* an exception class or a tuple of them catches those; a callable catches what its first
  parameter's annotation names (every ``Exception`` when it has none) and answers its return;
* ``False`` catches nothing.

Interrupts and the other control-flow signals (``GraphBubbleUp``), ``NotSupportedError`` (a
feature nbstream refuses) and a stopped run are never caught, whatever the policy.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from langchain_core.tools.base import TOOL_MESSAGE_BLOCK_TYPES, ToolException
from pydantic import ValidationError

__all__ = [
    "INVALID_TOOL_NAME_ERROR_TEMPLATE",
    "TOOL_CALL_ERROR_TEMPLATE",
    "TOOL_EXECUTION_ERROR_TEMPLATE",
    "TOOL_INVOCATION_ERROR_TEMPLATE",
    "ErrorPolicy",
    "ToolInvocationError",
    "caught_types",
    "error_content",
    "msg_content_output",
]

INVALID_TOOL_NAME_ERROR_TEMPLATE = (
    "Error: {requested_tool} is not a valid tool, try one of [{available_tools}]."
)
TOOL_CALL_ERROR_TEMPLATE = "Error: {error}\n Please fix your mistakes."
TOOL_EXECUTION_ERROR_TEMPLATE = (
    "Error executing tool '{tool_name}' with kwargs {tool_kwargs} with error:\n"
    " {error}\n"
    " Please fix the error and try again."
)
TOOL_INVOCATION_ERROR_TEMPLATE = (
    "Error invoking tool '{tool_name}' with kwargs {tool_kwargs} with error:\n"
    " {error}\n"
    " Please fix the error and try again."
)

ErrorPolicy = bool | str | Callable[..., str] | type[Exception] | tuple[type[Exception], ...]


def msg_content_output(output: Any) -> str | list[dict[str, Any]]:
    """A tool's return value as ``ToolMessage`` content: text and content blocks as they are, else JSON
    (``str()`` when it is not JSON-serialisable)."""
    if isinstance(output, str):
        return output
    if isinstance(output, list) and all(
        isinstance(x, dict) and x.get("type") in TOOL_MESSAGE_BLOCK_TYPES for x in output
    ):
        return output
    try:
        return json.dumps(output, ensure_ascii=False)
    except Exception:
        return str(output)


class ToolInvocationError(ToolException):
    """A tool call whose arguments the tool's schema rejected (the model can fix these)."""

    def __init__(
        self,
        tool_name: str,
        source: ValidationError,
        tool_kwargs: dict[str, Any],
        filtered_errors: list[Any] | None = None,
    ) -> None:
        if filtered_errors is None:
            shown = str(source)
        else:  # one "field: message" line per error, without pydantic's links
            shown = "\n".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'Unknown error')}"
                for e in filtered_errors
            )
        self.message = TOOL_INVOCATION_ERROR_TEMPLATE.format(
            tool_name=tool_name, tool_kwargs=tool_kwargs, error=shown
        )
        self.tool_name = tool_name
        self.tool_kwargs = tool_kwargs
        self.source = source
        self.filtered_errors = filtered_errors
        super().__init__(self.message)


def default_handle_tool_errors(e: Exception) -> str:
    """The default policy: answer invalid arguments (:class:`ToolInvocationError`), re-raise the rest."""
    if isinstance(e, ToolInvocationError):
        return e.message
    raise e


def model_errors(error: ValidationError, hidden: frozenset[str]) -> list[Any]:
    """The validation errors about arguments the model sets (injected ones are not its mistakes),
    with injected values taken out of the inputs they show."""
    kept: list[Any] = []
    for detail in error.errors():
        loc = detail["loc"]
        if not loc or loc[0] in hidden:
            continue
        shown: dict[str, Any] = {**detail}
        if isinstance(shown.get("input"), dict):
            shown["input"] = {k: v for k, v in shown["input"].items() if k not in hidden}
        kept.append(shown)
    return kept


def _handler_types(handler: Callable[..., str]) -> tuple[type[Exception], ...]:
    """The exception types a handler callable declares with its first parameter's annotation."""
    params = list(inspect.signature(handler).parameters.values())
    if not params:
        return (Exception,)
    first = params[1] if params[0].name in ("self", "cls") and len(params) == 2 else params[0]
    hints = get_type_hints(handler)
    if first.name not in hints:
        return (Exception,)
    if get_origin(first.annotation) in (Union, UnionType):
        members = get_args(first.annotation)
        if all(issubclass(m, Exception) for m in members):
            return tuple(members)
        raise ValueError(
            "All types in the error handler error annotation must be Exception types. For example, "
            "`def custom_handler(e: Union[ValueError, TypeError])`. "
            f"Got '{first.annotation}' instead."
        )
    hint = hints[first.name]
    if Exception in getattr(hint, "__mro__", ()):
        return (hint,)
    raise ValueError(
        "Arbitrary types are not supported in the error handler signature. Please annotate the error "
        "with either a specific Exception type or a union of Exception types. For example, "
        "`def custom_handler(e: ValueError)` or `def custom_handler(e: Union[ValueError, TypeError])`. "
        f"Got '{hint}' instead."
    )


def caught_types(policy: ErrorPolicy) -> tuple[type[Exception], ...]:
    """The exception types ``policy`` answers with an error message (empty: it catches nothing)."""
    if policy is False or policy == "":
        return ()
    if isinstance(policy, type) and issubclass(policy, Exception):
        return (policy,)
    if isinstance(policy, tuple):
        return policy
    if callable(policy) and not isinstance(policy, type):
        return _handler_types(policy)
    return (Exception,)


def error_content(error: Exception, policy: ErrorPolicy) -> Any:
    """The ``ToolMessage`` text that answers ``error`` under ``policy``."""
    if isinstance(policy, bool | tuple) or (isinstance(policy, type) and issubclass(policy, Exception)):
        return TOOL_CALL_ERROR_TEMPLATE.format(error=repr(error))
    if isinstance(policy, str):
        return policy
    if callable(policy):
        handler: Callable[[Exception], Any] = policy
        return handler(error)
    raise ValueError(
        f"Got unexpected type of `handle_tool_error`. Expected bool, str or callable. Received: {policy}"
    )
