"""Managed state keys: ``RemainingSteps`` and ``IsLastStep``, filled in by the runner, not by nodes.

Declare one in a state schema (``remaining_steps: RemainingSteps``) and the node reads the value
of the current step. Both are ``Annotated`` types whose marker is not callable, so the schema
reader never takes it for a reducer; :func:`managed_kind` recognises them.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal, get_args, get_origin

__all__ = ["IsLastStep", "RemainingSteps", "ManagedValue", "managed_kind"]

ManagedKind = Literal["remaining_steps", "is_last_step"]


class ManagedValue:
    """The marker in a managed key's ``Annotated`` metadata: which value the runner provides."""

    __slots__ = ("kind",)

    def __init__(self, kind: ManagedKind) -> None:
        self.kind: ManagedKind = kind

    def __repr__(self) -> str:
        return f"ManagedValue({self.kind!r})"


RemainingStepsManager = ManagedValue("remaining_steps")
IsLastStepManager = ManagedValue("is_last_step")

RemainingSteps = Annotated[int, RemainingStepsManager]
"""How many steps the run may still take before the recursion limit."""
IsLastStep = Annotated[bool, IsLastStepManager]
"""Whether this step is the last one the recursion limit allows."""

#: LangGraph's own markers, met when a schema still imports ``langgraph.managed``
_LANGGRAPH_MANAGERS: dict[str, ManagedKind] = {
    "RemainingStepsManager": "remaining_steps",
    "IsLastStepManager": "is_last_step",
}


def _kind_of_marker(marker: Any) -> ManagedKind | None:
    if isinstance(marker, ManagedValue):
        return marker.kind
    if isinstance(marker, type) and marker.__module__.startswith("langgraph.managed"):
        return _LANGGRAPH_MANAGERS.get(marker.__name__)
    return None


def managed_kind(hint: Any) -> ManagedKind | None:
    """Which managed value a state key's type hint declares, or ``None`` for an ordinary key.

    Reads the last ``Annotated`` marker (``RemainingSteps``, ``Annotated[int, RemainingStepsManager]``)
    and looks inside wrappers such as ``NotRequired[...]`` or ``Optional[...]``, as LangGraph does.
    """
    if get_origin(hint) is typing.Annotated:
        kind = _kind_of_marker(hint.__metadata__[-1])
        if kind is not None:
            return kind
    args = get_args(hint)
    if get_origin(hint) is not None and args:
        return managed_kind(args[0])
    return None
