"""A run to be killed mid-step, for the crash test in ``test_persistence_savers.py``.

``python tests/_crash_child.py LIBRARY DB MARKER GATE`` runs :func:`crash_graph` (built with
``LIBRARY``: langgraph or nbstream) on thread ``crash`` of a ``SqliteSaver`` on the file ``DB``.
Its first step has two parallel nodes: ``quick`` appends a line to ``MARKER`` and returns at once,
``slow`` waits for the file ``GATE``, which the test never makes before it kills this process. The
test imports :func:`crash_graph` too, to resume the thread with the same graph.
"""

from __future__ import annotations

import importlib
import operator
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

THREAD: dict[str, Any] = {"configurable": {"thread_id": "crash"}}
START_INPUT: dict[str, Any] = {"log": ["start"]}


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


def crash_graph(library: str, saver: Any, marker: Path, gate: Path) -> Any:
    """START -> quick + slow (parallel) -> after -> END, compiled with ``saver``."""
    graph = importlib.import_module(f"{library}.graph")

    def quick(state: Log) -> dict[str, Any]:
        with marker.open("a") as out:
            out.write("quick ran\n")
        return {"log": ["quick"]}

    def slow(state: Log) -> dict[str, Any]:
        while not gate.exists():
            time.sleep(0.01)
        return {"log": ["slow"]}

    def after(state: Log) -> dict[str, Any]:
        return {"log": ["after"]}

    builder = graph.StateGraph(Log)
    builder.add_node("quick", quick)
    builder.add_node("slow", slow)
    builder.add_node("after", after)
    builder.add_edge(graph.START, "quick")
    builder.add_edge(graph.START, "slow")
    builder.add_edge(["quick", "slow"], "after")
    builder.add_edge("after", graph.END)
    return builder.compile(checkpointer=saver)


def main(library: str, db: str, marker: str, gate: str) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(db) as saver:
        crash_graph(library, saver, Path(marker), Path(gate)).invoke(START_INPUT, THREAD)
    # the test kills this process before slow can finish: getting here means it did not
    print("the run finished: the test did not kill it in time", file=sys.stderr)
    sys.exit(3)


if __name__ == "__main__":
    main(*sys.argv[1:5])
