"""``PostgresSaver`` from ``langgraph-checkpoint-postgres`` (pip install langgraph-checkpoint-postgres)."""

from typing import Any

from nbstream.checkpoint._optional import saver_module

PostgresSaver: Any = saver_module(
    "langgraph.checkpoint.postgres", "langgraph-checkpoint-postgres 'psycopg[binary]'"
).PostgresSaver

__all__ = ["PostgresSaver"]
