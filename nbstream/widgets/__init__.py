"""Live notebook views of a run, and the text log used where no kernel runs.

::

    from nbstream.widgets import RunView
    view = RunView()
    for chunk in graph.stream(inputs, observers=[view]):
        ...

:class:`RunView` holds a :class:`StateTable`, a :class:`TokenTicker` and a
:class:`SubgraphTree`; each is usable alone. Their pure-Python fold models are in
:mod:`nbstream.widgets.models`; the offline graph drawings in :mod:`nbstream.widgets.drawing`.
"""

from __future__ import annotations

from nbstream.widgets._kernel import in_kernel
from nbstream.widgets._live import LiveView, ViewOptions
from nbstream.widgets.drawing import GraphDrawing, draw_ascii, draw_mermaid, draw_svg
from nbstream.widgets.models import RunModel
from nbstream.widgets.show import ashow, show
from nbstream.widgets.text_log import TextProgressLog
from nbstream.widgets.views import RunView, StateTable, SubgraphTree, TokenTicker

__all__ = [
    "RunView",
    "StateTable",
    "TokenTicker",
    "SubgraphTree",
    "TextProgressLog",
    "LiveView",
    "ViewOptions",
    "RunModel",
    "show",
    "ashow",
    "draw_svg",
    "draw_mermaid",
    "draw_ascii",
    "GraphDrawing",
    "in_kernel",
]
