"""One way to give a run's callbacks one more handler, whatever form ``config["callbacks"]`` takes."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import BaseCallbackManager

__all__ = ["plus_handler"]


def plus_handler(callbacks: Any, handler: Any, replacing: type | None = None) -> Any:
    """``callbacks`` (None, a list or tuple of handlers, or a callback manager) with ``handler``
    added, inherited by every child run; handlers of class ``replacing`` already there are left out
    (an enclosing call's, when ``handler`` is to hear the run alone). The given value is not changed."""
    if callbacks is None:
        return [handler]
    if isinstance(callbacks, BaseCallbackManager):
        manager = callbacks.copy()
        if replacing is not None:
            for other in list(manager.handlers):
                if isinstance(other, replacing):
                    manager.remove_handler(other)
        manager.add_handler(handler, inherit=True)
        return manager
    if isinstance(callbacks, list | tuple):
        if replacing is None:
            return [*callbacks, handler]
        return [h for h in callbacks if not isinstance(h, replacing)] + [handler]
    raise TypeError(
        f"config['callbacks'] must be a list of callback handlers or a callback manager; "
        f"got {type(callbacks).__name__}"
    )
