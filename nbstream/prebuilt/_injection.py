"""Which arguments of a tool the ToolNode fills in (state, store, runtime), read once per tool.

The markers are langchain-core ``InjectedToolArg`` subclasses, so langchain-core already hides
them from the schema a model sees; this module only finds them and fills them in.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from langchain_core.tools import BaseTool
from langchain_core.tools.base import _is_injected_arg_type, get_all_basemodel_annotations

__all__ = ["Injections", "injections_of"]


@dataclass(frozen=True, slots=True)
class Injections:
    """A tool's injected parameters: state (parameter -> state key, None for all of it), store, runtime."""

    state: dict[str, str | None] = field(default_factory=dict)
    store: str | None = None
    runtime: str | None = None
    #: every parameter the model must not set (a forged value in a tool call is dropped)
    hidden: frozenset[str] = frozenset()
    #: state parameters with a default: a missing state key leaves them to it
    optional_state: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.state) or self.store is not None or self.runtime is not None or bool(self.hidden)


def _marker(hint: Any, kind: type | tuple[type, ...]) -> Any:
    """The ``kind`` marker in ``hint`` (an instance, or the class itself), or None; ``kind`` may
    be several classes that mark the same thing (nbstream's and LangGraph's)."""
    if isinstance(hint, kind) or (isinstance(hint, type) and issubclass(hint, kind)):
        return hint
    origin = get_origin(hint)
    if origin is Annotated or origin is Union:
        found = [m for m in (_marker(a, kind) for a in get_args(hint)) if m is not None]
        if len(found) > 1:
            raise ValueError(
                f"A tool argument should not be annotated with {_name(kind)} more than once. Found: {found}"
            )
        return found[0] if found else None
    if isinstance(origin, type) and issubclass(origin, kind):  # ToolRuntime[Context, State]
        return origin
    return None


def _name(kind: type | tuple[type, ...]) -> str:
    return (kind[0] if isinstance(kind, tuple) else kind).__name__


def injections_of(
    tool: BaseTool, state_marker: type, store_marker: type | tuple[type, ...], runtime_marker: type
) -> Injections:
    """Read ``tool``'s parameters (its input schema, then its function's hints) for injected ones."""
    schema = tool.get_input_schema()
    hints: dict[str, Any] = {}
    func = getattr(tool, "func", None) or getattr(tool, "coroutine", None)
    if func is not None:
        # a hint that does not resolve leaves the schema's fields to go by
        with contextlib.suppress(NameError, TypeError):
            hints.update(get_type_hints(func, include_extras=True))
    hints.update(get_all_basemodel_annotations(schema))
    state: dict[str, str | None] = {}
    optional: set[str] = set()
    store = runtime = None
    hidden: set[str] = set()
    fields = getattr(schema, "model_fields", {})
    for name, hint in hints.items():
        if _is_injected_arg_type(hint):
            hidden.add(name)
        if name == "runtime":  # LangGraph fills a parameter named ``runtime`` whatever its hint
            runtime = name
        marker = _marker(hint, state_marker)
        if marker is not None:
            key = getattr(marker, "field", None) if isinstance(marker, state_marker) else None
            state[name] = key
            info = fields.get(name)
            if key and info is not None and not info.is_required():
                optional.add(name)
        if _marker(hint, store_marker) is not None:
            store = name
        if _marker(hint, runtime_marker) is not None:
            runtime = name
    return Injections(state, store, runtime, frozenset(hidden), frozenset(optional))
