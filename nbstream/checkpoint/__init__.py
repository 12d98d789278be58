"""The savers nbstream's threads use: the ``langgraph-checkpoint`` packages' own, re-exported.

nbstream has no saver of its own. A graph compiled with ``checkpointer=`` takes any
``langgraph.checkpoint.base.BaseCheckpointSaver``; these modules give the common ones under
nbstream's name, for code that prefers one import root (``from langgraph.checkpoint.memory import
InMemorySaver`` works as well and is what ported code keeps):

* ``nbstream.checkpoint.memory``: ``InMemorySaver`` (``MemorySaver``);
* ``nbstream.checkpoint.sqlite`` / ``.sqlite.aio``: ``SqliteSaver`` / ``AsyncSqliteSaver``
  (needs ``langgraph-checkpoint-sqlite``);
* ``nbstream.checkpoint.postgres`` / ``.postgres.aio``: ``PostgresSaver`` / ``AsyncPostgresSaver``
  (needs ``langgraph-checkpoint-postgres``).
"""

from langgraph.checkpoint.base import BaseCheckpointSaver, Checkpoint, CheckpointMetadata, CheckpointTuple

__all__ = ["BaseCheckpointSaver", "Checkpoint", "CheckpointMetadata", "CheckpointTuple"]
