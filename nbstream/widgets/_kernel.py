"""Where views show themselves: widgets only under a real IPython kernel, text elsewhere.

A kernel is detected the way tqdm and Burr do it: an IPython shell whose config names
``IPKernelApp``. Terminal IPython, plain Python and scripts get the text log. Displays go through
``IPython.display.display`` looked up at call time, so tests can record them
(:class:`nbstream.testing.DisplayCapture`).
"""

from __future__ import annotations

import sys
from typing import Any, Literal

__all__ = ["Mode", "in_kernel", "wants_widgets", "display_object", "display_bundle"]

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


def display_object(obj: Any) -> None:
    """Display ``obj`` as a new output of the running cell."""
    from IPython import display

    display.display(obj)  # type: ignore[no-untyped-call]


def display_bundle(bundle: dict[str, str]) -> None:
    """Display a raw MIME bundle as a new output of the running cell."""
    from IPython import display

    display.display(bundle, raw=True)  # type: ignore[no-untyped-call]
