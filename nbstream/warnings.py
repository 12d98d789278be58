"""LangGraph's deprecation warnings, under the same names (``langgraph.warnings``).

nbstream accepts the keyword arguments LangGraph has deprecated (``StateGraph(input=...)``,
``add_node(retry=...)``, ...) and warns with the same category and words, so code that filters
or tests those warnings keeps working.
"""

from __future__ import annotations

__all__ = [
    "LangGraphDeprecationWarning",
    "LangGraphDeprecatedSinceV05",
    "LangGraphDeprecatedSinceV10",
    "LangGraphDeprecatedSinceV11",
]


class LangGraphDeprecationWarning(DeprecationWarning):
    """A LangGraph API that is deprecated; the message says what replaces it."""

    since: tuple[int, int] = (0, 0)
    expected_removal: tuple[int, int] = (0, 0)

    def __init__(self, message: str, *args: object) -> None:
        super().__init__(message, *args)
        self.message = message.rstrip(".")

    def __str__(self) -> str:
        return (
            f"{self.message}. Deprecated in LangGraph V{self.since[0]}.{self.since[1]}"
            f" to be removed in V{self.expected_removal[0]}.{self.expected_removal[1]}."
        )


class LangGraphDeprecatedSinceV05(LangGraphDeprecationWarning):
    """Deprecated since LangGraph 0.5."""

    since = (0, 5)
    expected_removal = (2, 0)


class LangGraphDeprecatedSinceV10(LangGraphDeprecationWarning):
    """Deprecated since LangGraph 1.0."""

    since = (1, 0)
    expected_removal = (2, 0)


class LangGraphDeprecatedSinceV11(LangGraphDeprecationWarning):
    """Deprecated since LangGraph 1.1."""

    since = (1, 1)
    expected_removal = (3, 0)
