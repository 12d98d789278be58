"""``SqliteSaver`` from ``langgraph-checkpoint-sqlite`` (``pip install langgraph-checkpoint-sqlite``)."""

from typing import Any

from nbstream.checkpoint._optional import saver_module

SqliteSaver: Any = saver_module("langgraph.checkpoint.sqlite", "langgraph-checkpoint-sqlite").SqliteSaver

__all__ = ["SqliteSaver"]
