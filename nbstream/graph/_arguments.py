"""The builder's keyword arguments: LangGraph's deprecated names, and loud refusals of the rest."""

from __future__ import annotations

import warnings
from typing import Any

from nbstream.errors import NotSupportedError

__all__ = ["refuse", "deprecated", "no_other_kwargs", "retry_policies"]


_WHY = {
    "transformers": "nbstream has no stream_events(version='v3') transformers",
}


def refuse(where: str, **options: Any) -> None:
    """Raise NotSupportedError naming the first option given a value nbstream cannot honour."""
    for option, value in options.items():
        if value is not None and value is not False and value != () and value != []:
            raise NotSupportedError(
                f"{where}({option}=...) is not supported by nbstream: {_WHY[option]}. "
                f"Remove the argument, or run the graph with LangGraph."
            )


def deprecated(kwargs: dict[str, Any], old: str, new: str, since: str, value: Any) -> Any:
    """Take LangGraph's deprecated keyword ``old`` for ``new``, with LangGraph's warning."""
    if old not in kwargs:
        return value
    from nbstream import warnings as nb_warnings

    category = getattr(nb_warnings, f"LangGraphDeprecatedSince{since}")
    warnings.warn(
        f"`{old}` is deprecated and will be removed. Please use `{new}` instead.", category, stacklevel=3
    )
    given = kwargs.pop(old)
    return value if value is not None else given


def retry_policies(retry_policy: Any) -> tuple[Any, ...]:
    """One RetryPolicy (a NamedTuple, so test for its fields, not for Sequence) or several."""
    if hasattr(retry_policy, "retry_on"):
        return (retry_policy,)
    return tuple(retry_policy)


def no_other_kwargs(where: str, kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise TypeError(f"{where} got an unexpected keyword argument {next(iter(kwargs))!r}")
