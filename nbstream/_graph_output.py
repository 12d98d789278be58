"""What ``invoke``/``ainvoke`` return from the last chunk of their ``values`` stream."""

from __future__ import annotations

from typing import Any

from nbstream._state_types import GraphOutput

__all__ = ["GraphOutput", "invoke_result"]


def invoke_result(last: Any, v2: bool, subgraphs: bool, interrupts: tuple[Any, ...] = ()) -> Any:
    """``GraphOutput`` for ``version="v2"``, else the last chunk's state (``None``: no chunk);
    a paused run's ``interrupts`` as LangGraph returns them (``__interrupt__``, a list)."""
    if v2:
        return GraphOutput(last["data"] if last is not None else None, tuple(interrupts))
    if subgraphs and last is not None:
        last = last[1]  # (ns, values)
    if isinstance(last, dict) and "__interrupt__" in last:
        last = {k: v for k, v in last.items() if k != "__interrupt__"}
    if interrupts and isinstance(last, dict):
        return {**last, "__interrupt__": list(interrupts)}
    return last
