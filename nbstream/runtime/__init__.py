"""The runner: super-steps (``loop``), the sync and async drivers, and compiled graphs.

Also LangGraph's ``langgraph.runtime`` names: ``Runtime``, ``get_runtime()`` and their parts.
"""

from nbstream.runtime._runtime import (
    BaseUser,
    ExecutionInfo,
    RunControl,
    Runtime,
    ServerInfo,
    get_runtime,
)

__all__ = ["BaseUser", "ExecutionInfo", "RunControl", "Runtime", "ServerInfo", "get_runtime"]
