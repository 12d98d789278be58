"""``AsyncSqliteSaver`` from ``langgraph-checkpoint-sqlite``."""

from typing import Any

from nbstream.checkpoint._optional import saver_module

AsyncSqliteSaver: Any = saver_module(
    "langgraph.checkpoint.sqlite.aio", "langgraph-checkpoint-sqlite aiosqlite"
).AsyncSqliteSaver

__all__ = ["AsyncSqliteSaver"]
