"""LangGraph's wording for the errors both libraries raise.

Programs print ``str(e)``, so where LangGraph 1.2.22 raises, nbstream's message is LangGraph's,
word for word (troubleshooting line included). What nbstream knows beyond that (the node, the
step, the writers, what to do) goes into a PEP 678 note, which a traceback shows and ``str(e)``
does not: :func:`noted` attaches it.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = [
    "concurrent_update",
    "expected_dict",
    "no_input",
    "no_sync_function",
    "noted",
    "recursion_limit",
    "with_troubleshooting",
]

E = TypeVar("E", bound=BaseException)

_DOCS = "https://docs.langchain.com/oss/python/langgraph/errors/"


def with_troubleshooting(message: str, code: str) -> str:
    """``message`` followed by LangGraph's troubleshooting line for its error code ``code``."""
    return f"{message}\nFor troubleshooting, visit: {_DOCS}{code}"


def noted(error: E, *notes: str) -> E:
    """``error`` with nbstream's details added as notes (shown by tracebacks, not by ``str``)."""
    for note in notes:
        error.add_note(note)
    return error


def concurrent_update(key: str) -> str:
    """Two or more writes to a key without a reducer in one step."""
    return with_troubleshooting(
        f"At key '{key}': Can receive only one value per step. Use an Annotated key to handle "
        f"multiple values.",
        "INVALID_CONCURRENT_GRAPH_UPDATE",
    )


def recursion_limit(limit: int) -> str:
    """The run needed more steps than ``recursion_limit``."""
    return with_troubleshooting(
        f"Recursion limit of {limit} reached without hitting a stop condition. You can increase the "
        f"limit by setting the `recursion_limit` config key.",
        "GRAPH_RECURSION_LIMIT",
    )


def expected_dict(value: Any) -> str:
    """A node returned, or the graph was given, something that is not a state update."""
    return with_troubleshooting(f"Expected dict, got {value}", "INVALID_GRAPH_NODE_RETURN_VALUE")


def no_input() -> str:
    """The graph was given ``None``."""
    return "Received no input for __start__"


def no_sync_function(node: str) -> str:
    """An async node reached by ``invoke``/``stream``."""
    return (
        f'No synchronous function provided to "{node}".\nEither initialize with a synchronous function '
        f"or invoke via the async API (ainvoke, astream, etc.)"
    )
