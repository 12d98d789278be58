"""``GraphOutput``: what ``invoke``/``ainvoke`` return with ``version="v2"``.

Kept private until ``nbstream.types`` exports it next to the v2 ``StreamPart`` types.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["GraphOutput"]

OutputT = TypeVar("OutputT")

_INTERRUPT = "__interrupt__"


@dataclass(frozen=True)
class GraphOutput(Generic[OutputT]):
    """A run's final output (``value``: the last ``values`` chunk) and the interrupts it hit.

    nbstream has no interrupts yet, so ``interrupts`` is always ``()``.
    """

    value: OutputT
    interrupts: tuple[Any, ...] = ()

    def __getitem__(self, key: str) -> Any:
        """Old-style ``result[key]`` access (deprecated in LangGraph too: use ``.value``)."""
        _warn_item_access()
        if key == _INTERRUPT:
            return self.interrupts
        if isinstance(self.value, dict):
            return self.value[key]
        try:
            return getattr(self.value, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        _warn_item_access()
        if key == _INTERRUPT:
            return bool(self.interrupts)
        if isinstance(self.value, dict):
            return key in self.value
        return isinstance(key, str) and hasattr(self.value, key)


def _warn_item_access() -> None:
    warnings.warn(
        "Accessing GraphOutput like a dict is deprecated; use result.value for the output and "
        "result.interrupts for the interrupts",
        DeprecationWarning,
        stacklevel=3,
    )


def invoke_result(last: Any, v2: bool, subgraphs: bool) -> Any:
    """What ``invoke`` returns from the last chunk of its ``values`` stream (``None``: no chunk)."""
    if v2:
        return GraphOutput(last["data"] if last is not None else None)
    if subgraphs and last is not None:
        return last[1]  # (ns, values)
    return last
