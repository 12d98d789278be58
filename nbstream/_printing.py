"""``print_mode`` and ``debug=True``: chunks printed to stdout while a graph streams.

LangGraph 1.2 prints each chunk of a printed mode as one line, ``[mode] repr(chunk)``, with the
``[mode]`` tag in bold; with ``subgraphs=True`` a subgraph's chunk also names its namespace in a
yellow ``[graph=ns]`` tag. The escape codes are fixed (not chosen by terminal), so nbstream prints
the same bytes. A chunk is printed when the consumer reaches it in the stream, right before the
chunk that follows it, so prints and the chunks a loop body handles interleave as in LangGraph.

The projector puts a :class:`PrintedChunk` in the stream where a printed chunk belongs; the
wrappers below print and drop them. Only a call with ``print_mode``/``debug`` is wrapped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

__all__ = ["PrintedChunk", "print_through", "aprint_through"]

_BOLD = "\033[1m{}\033[0m"
_YELLOW = "\033[1;30;33m{}\033[0m"


class PrintedChunk(NamedTuple):
    """A chunk to print, in its place in the stream; ``ns`` is ``()`` unless ``subgraphs=True``."""

    ns: tuple[str, ...]
    mode: str
    chunk: Any

    def text(self) -> str:
        """The line LangGraph prints for this chunk."""
        if self.ns:
            return f"{_BOLD.format(f'[{self.mode}]')} {_YELLOW.format(f'[graph={self.ns}]')} {self.chunk!r}"
        return f"{_BOLD.format(f'[{self.mode}]')} {self.chunk!r}"


def print_through(chunks: Iterator[Any]) -> Iterator[Any]:
    """Yield ``chunks``, printing the :class:`PrintedChunk` markers among them instead."""
    try:
        for item in chunks:
            if type(item) is PrintedChunk:
                print(item.text())
            else:
                yield item
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


async def aprint_through(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """Async :func:`print_through`."""
    try:
        async for item in chunks:
            if type(item) is PrintedChunk:
                print(item.text())
            else:
                yield item
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
