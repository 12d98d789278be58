"""Where views show themselves: widgets only under a real IPython kernel, text elsewhere.

A kernel is detected the way tqdm and Burr do it: an IPython shell whose config names
``IPKernelApp``. Terminal IPython, plain Python and scripts get the text log. Displays go through
``IPython.display.display`` looked up at call time, so tests can record them
(:class:`nbstream.testing.DisplayCapture`).
"""

from __future__ import annotations

import sys
from typing import Any, Literal

__all__ = ["Mode", "WIDGET_VIEW", "in_kernel", "wants_widgets", "display_bundle"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

Mode = Literal["auto", "widgets", "text"]


def in_kernel() -> bool:
    """True when running under a Jupyter (IPython) kernel with a front end to draw widgets."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def wants_widgets(mode: Mode) -> bool:
    """Resolve a view's ``mode``: ``"auto"`` means widgets under a kernel, text otherwise."""
    if mode == "auto":
        return in_kernel()
    if mode in ("widgets", "text"):
        return mode == "widgets"
    raise ValueError(f"mode must be 'auto', 'widgets' or 'text', got {mode!r}")


def display_bundle(bundle: dict[str, Any], *, display_id: str | None = None, update: bool = False) -> None:
    """Display a raw MIME bundle as a new output of the running cell, or update one by its id."""
    from IPython import display

    options: dict[str, Any] = {"raw": True}
    if display_id is not None:
        options["display_id"] = display_id
    if update:
        options["update"] = True
    display.display(bundle, **options)  # type: ignore[no-untyped-call]
