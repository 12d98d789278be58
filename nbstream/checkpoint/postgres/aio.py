"""``AsyncPostgresSaver`` from ``langgraph-checkpoint-postgres``."""

from typing import Any

from nbstream.checkpoint._optional import saver_module

AsyncPostgresSaver: Any = saver_module(
    "langgraph.checkpoint.postgres.aio", "langgraph-checkpoint-postgres 'psycopg[binary]'"
).AsyncPostgresSaver

__all__ = ["AsyncPostgresSaver"]
