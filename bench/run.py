"""Benchmarks, nbstream side by side with LangGraph, in one process: prints one table of ratios.

    python bench/run.py            # full run (a few minutes)
    python bench/run.py --quick    # short run, coarser figures

Absolute times depend on the machine; the ratios (nbstream / LangGraph, both measured in the same
rounds, interleaved) are what to read. Benchmarks are not tests: nothing here asserts.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_core
import bench_messages
import bench_persistence
import bench_recording
from _table import Row, print_table


def _widgets(quick: bool) -> list[Row]:
    """The widgets engineer's ``bench_widgets.run()``, if it exists; its rows join the table."""
    if importlib.util.find_spec("bench_widgets") is None:
        print("(bench_widgets.py not present: widget ratios skipped)")
        return []
    module = importlib.import_module("bench_widgets")
    takes_quick = "quick" in inspect.signature(module.run).parameters
    result: Any = module.run(quick=quick) if takes_quick else module.run()
    rows: list[Row] = []
    if isinstance(result, dict):  # {"<name>_ms": absolute time, anything else: a ratio}
        for key, value in result.items():
            if not key.endswith("_ms"):
                name = key.removesuffix("_ratio")
                rows.append(Row(f"widgets: {name}", "-", f"{value:.2f}x", "-", "-", None))
        times = ", ".join(f"{k.removesuffix('_ms')}={v:.1f}" for k, v in result.items() if k.endswith("_ms"))
        print(f"bench_widgets absolute times (ms): {times}")
        return rows
    for item in result or ():
        if isinstance(item, Row):
            rows.append(item)
        elif isinstance(item, dict):
            rows.append(
                Row(
                    str(item.get("metric", "?")),
                    str(item.get("langgraph", "-")),
                    str(item.get("nbstream", "-")),
                    str(item.get("ratio", "-")),
                    str(item.get("target", "-")),
                    item.get("met"),
                )
            )
        else:
            print(f"bench_widgets: {item}")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller workloads")
    args = parser.parse_args(argv)

    from importlib.metadata import version

    import langgraph  # noqa: F401  (fail early if the reference is missing)

    print(
        f"Python {platform.python_version()}, langgraph {version('langgraph')}, "
        f"nbstream {version('nbstream')}, langchain-core {version('langchain-core')}"
        f"{' (quick)' if args.quick else ''}"
    )
    rows = bench_core.run(quick=args.quick)
    if bench_messages.available():
        rows += bench_messages.run(quick=args.quick)
    else:
        print("(nbstream/llm.py not present: messages section skipped)")
    rows += bench_persistence.run(quick=args.quick)
    rows += bench_recording.run(quick=args.quick)
    rows += _widgets(args.quick)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
