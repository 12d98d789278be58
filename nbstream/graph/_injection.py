"""Which parameters of a node or router the runner fills, decided by name and annotation as LangGraph 1.2.

A parameter is filled only when it is positional-or-keyword or keyword-only, has one of these
names, and carries an annotation LangGraph knows for that name (compared by equality, so a string
annotation from ``from __future__ import annotations`` counts only when spelled as listed):

=============  ====================================================================  =====================
name           annotations that are filled                                           value
=============  ====================================================================  =====================
``config``     none, ``RunnableConfig``, ``Optional[RunnableConfig]`` (``| None``),    the task's config
               the strings ``"RunnableConfig"``, ``"Optional[RunnableConfig]"``
``writer``     none, ``StreamWriter`` (``Callable[[Any], None]``), ``"StreamWriter"``  the stream writer
``runtime``    any                                                                   the ``Runtime``
``store``      none, ``BaseStore``, ``Optional[BaseStore]`` (and their strings)       the graph's store
``previous``   any                                                                   ``None`` (it is the
                                                                                     functional API's)
=============  ====================================================================  =====================

Any other annotation leaves the parameter alone: its default applies, and without one the call
fails with Python's own ``TypeError`` (missing argument), as on LangGraph. A ``config`` parameter
with another annotation (``dict``, ``Any``, the string ``"RunnableConfig | None"``) also gets a
``UserWarning`` when the node or router is added, since that is nearly always a mistake.

Decided once per function (at ``add_node``/``add_conditional_edges`` for the warning, at compile
for the runner), never per task.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["Injects", "injectable", "warn_config_annotation", "NO_INJECTS"]

#: whether a function takes ``config``, ``writer``, ``runtime``, ``store``, ``previous``
Injects = tuple[bool, bool, bool, bool, bool]
NO_INJECTS: Injects = (False, False, False, False, False)

_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_EMPTY = inspect.Parameter.empty
_CONFIG_STRINGS = ("RunnableConfig", "Optional[RunnableConfig]")
_STORE_STRINGS = ("BaseStore", "Optional[BaseStore]")


def _takes_config(hint: Any) -> bool:
    if hint is _EMPTY or hint in _CONFIG_STRINGS:
        return True
    if isinstance(hint, str):
        return False
    from langchain_core.runnables import RunnableConfig  # only for an annotated config parameter

    return _equals(hint, RunnableConfig) or _equals(hint, RunnableConfig | None)


def _takes_writer(hint: Any) -> bool:
    if hint is _EMPTY or hint == "StreamWriter":
        return True
    if isinstance(hint, str):
        return False
    from nbstream.types import StreamWriter

    return _equals(hint, StreamWriter)


def _takes_store(hint: Any) -> bool:
    if hint is _EMPTY or hint in _STORE_STRINGS:
        return True
    if isinstance(hint, str):
        return False
    from langgraph.store.base import BaseStore  # only for a store parameter with a real hint

    return hint is BaseStore or _equals(hint, BaseStore | None)


def _takes_any(hint: Any) -> bool:
    return True


def _equals(hint: Any, known: Any) -> bool:
    try:
        return bool(hint == known)
    except Exception:  # an annotation object whose == cannot compare with a type
        return False


_RULES: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("config", _takes_config),
    ("writer", _takes_writer),
    ("runtime", _takes_any),
    ("store", _takes_store),
    ("previous", _takes_any),
)


def _parameters(fn: Any) -> Any:
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None


def injectable(fn: Any) -> Injects:
    """Which of ``config``, ``writer``, ``runtime``, ``store``, ``previous`` the runner passes ``fn``."""
    params = _parameters(fn)
    if not params:
        return NO_INJECTS
    config, writer, runtime, store, previous = (
        (p := params.get(name)) is not None and p.kind in _KINDS and rule(p.annotation)
        for name, rule in _RULES
    )
    return config, writer, runtime, store, previous


def warn_config_annotation(fn: Any, where: str, stacklevel: int) -> None:
    """Warn that ``fn``'s ``config`` parameter is left unfilled because of its annotation.

    ``where`` names the node or router (``node 'a'``, ``the router after 'a'``).
    """
    params = _parameters(fn)
    param = params.get("config") if params else None
    if param is None or param.kind not in _KINDS or param.annotation is _EMPTY:
        return
    if _takes_config(param.annotation):
        return
    hint = param.annotation
    shown = hint if isinstance(hint, str) else inspect.formatannotation(hint)
    warnings.warn(
        f"{where}: its 'config' parameter is annotated {shown!r}, so the config is not passed to it "
        f"(as in LangGraph, only a parameter annotated RunnableConfig, Optional[RunnableConfig] or "
        f"not at all is filled); annotate it 'config: RunnableConfig'",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
