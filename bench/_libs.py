"""The two libraries under comparison, loaded by module name so every benchmark builds its graphs
with one code path (the names a benchmark uses are exactly the ones a ported program imports)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

__all__ = ["LIBRARIES", "Lib", "load"]

#: reference first, candidate second; every ratio printed is candidate / reference
LIBRARIES = ("langgraph", "nbstream")


@dataclass(frozen=True)
class Lib:
    name: str
    StateGraph: Any
    START: Any
    END: Any
    Send: Any
    get_stream_writer: Any


def load(name: str) -> Lib:
    graph = importlib.import_module(f"{name}.graph")
    types = importlib.import_module(f"{name}.types")
    config = importlib.import_module(f"{name}.config")
    return Lib(name, graph.StateGraph, graph.START, graph.END, types.Send, config.get_stream_writer)
