"""What ``invoke``/``ainvoke`` return from the last chunk of their ``values`` stream."""

from __future__ import annotations

from typing import Any

from nbstream._state_types import GraphOutput

__all__ = ["GraphOutput", "invoke_result"]


def invoke_result(last: Any, v2: bool, subgraphs: bool) -> Any:
    """``GraphOutput`` for ``version="v2"``, else the last chunk's state (``None``: no chunk)."""
    if v2:
        return GraphOutput(last["data"] if last is not None else None)
    if subgraphs and last is not None:
        return last[1]  # (ns, values)
    return last
