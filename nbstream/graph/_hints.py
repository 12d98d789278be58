"""What the builder reads from user callables: names, async-ness, and their type hints.

The hints that matter to a graph, as LangGraph reads them: a node's first parameter hint gives its
input schema, its return hint a schema it writes (nbstream) or the nodes a ``Command`` may go to,
a router's ``Literal`` return hint the nodes it may choose.
"""

from __future__ import annotations

import inspect
import typing
from typing import TYPE_CHECKING, Any

from nbstream.errors import GraphBuildError
from nbstream.graph._state import schema_info

if TYPE_CHECKING:
    from nbstream.graph._builder import Branch

__all__ = ["branch_targets", "command_targets", "name_of", "is_async_callable", "schema_hints"]


def branch_targets(branch: Branch) -> tuple[str, ...] | None:
    """The nodes a branch may lead to, when known statically (path_map or a Literal return hint)."""
    if branch.path_map is not None:
        return tuple(branch.path_map.values())
    try:
        hint = inspect.signature(branch.path).return_annotation
    except (TypeError, ValueError):
        return None
    import typing

    if isinstance(hint, str):
        try:
            hint = typing.get_type_hints(branch.path).get("return", inspect.Signature.empty)
        except Exception:
            return None
    if typing.get_origin(hint) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(hint))
    return None


def command_targets(action: Any) -> tuple[str, ...] | None:
    """Where a node may go by ``Command(goto=...)``, from its return annotation.

    ``()`` when it does not declare a Command return, the Literal's names for
    ``Command[Literal["a", "b"]]``, ``None`` (anywhere) for a bare ``Command``.
    """
    import typing

    try:
        hint = typing.get_type_hints(action).get("return")
    except Exception:  # unresolvable or absent hints: fall back to the raw annotation
        try:
            hint = inspect.signature(action).return_annotation
        except (TypeError, ValueError):
            return ()
    from nbstream.types import Command

    if hint is Command or (isinstance(hint, str) and hint.startswith("Command")):
        return None
    if typing.get_origin(hint) is Command:
        (arg,) = typing.get_args(hint)
        if typing.get_origin(arg) is typing.Literal:
            return tuple(str(a) for a in typing.get_args(arg))
        return None
    return ()


def name_of(action: Any) -> str:
    name = getattr(action, "name", None) or getattr(action, "__name__", None)
    if not isinstance(name, str):
        raise GraphBuildError(f"cannot infer a node name from {action!r}; use add_node(name, action)")
    return name


def is_async_callable(fn: Any) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__dict__.get("__call__"))


def schema_hints(action: Any) -> tuple[Any, Any]:
    """A function node's schemas from its hints: (first parameter's schema class, return schema class).

    As LangGraph: a hint counts only when it is a class with type hints of its own (a TypedDict,
    dataclass or pydantic model); anything else (``dict``, ``Command``, a string) gives ``None``.
    """
    fn = action
    if not (inspect.isfunction(fn) or inspect.ismethod(fn)):
        if not callable(action) or getattr(action, "_nbstream_compiled", False) or hasattr(action, "invoke"):
            return None, None
        fn = action.__call__
    try:
        hints = typing.get_type_hints(fn)
        first = next(iter(inspect.signature(fn).parameters), None)
    except Exception:  # unresolvable forward references: LangGraph ignores the hints too
        return None, None
    return _schema_class(hints.get(first) if first else None), _schema_class(hints.get("return"))


def _schema_class(hint: Any) -> Any:
    from nbstream.types import Command, Send

    if not isinstance(hint, type) or hint in (dict, Command, Send):
        return None
    try:
        if not typing.get_type_hints(hint):
            return None
    except Exception:
        return None
    try:
        schema_info(hint)
    except GraphBuildError:
        return None
    return hint
