"""Runs a porting-corpus program as written (LangGraph) and with its imports ported to nbstream.

A program is a plain script in this folder written against ``langgraph`` imports that prints its
results. Porting rewrites each ``from langgraph.X import ...`` / ``import langgraph.X`` line to
``nbstream.X`` and leaves every other line alone. ``langgraph.cache``, ``langgraph.checkpoint`` and
``langgraph.store`` come from the separate ``langgraph-checkpoint`` package, which nbstream uses as
is, so those lines stay unchanged.

``python tests/_porting.py [NAME...]`` prints, for each program, whether nbstream gives
LangGraph's output, and the first differing lines when it does not.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import runpy
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent / "porting"

_KEPT = ("langgraph.cache", "langgraph.checkpoint", "langgraph.store")
_IMPORT_LINE = re.compile(r"^(\s*)(from|import)(\s+)langgraph\.(\S+)(.*)$")

# random parts of the output: uuids (message ids, task ids in namespaces and debug/tasks chunks)
# and timestamps (debug chunks)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: interrupt ids: xxh3-128 digests of a task's namespace, which holds the random checkpoint id
_DIGEST = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def programs() -> list[str]:
    """The names of the corpus programs that must give LangGraph's output on nbstream."""
    return sorted(p.stem for p in HERE.glob("[0-9]*.py"))


def refused_programs() -> list[str]:
    """The names of the programs that use a feature nbstream refuses (persistence)."""
    return sorted(p.stem for p in HERE.glob("refused_*.py"))


def port(source: str) -> str:
    """``source`` with its LangGraph import lines pointed at nbstream, every other line unchanged."""
    lines = []
    for line in source.splitlines(keepends=True):
        match = _IMPORT_LINE.match(line)
        if match and not any(match.group(4).startswith(k[len("langgraph.") :]) for k in _KEPT):
            indent, keyword, space, rest, tail = match.groups()
            line = f"{indent}{keyword}{space}nbstream.{rest}{tail}" + ("\n" if line.endswith("\n") else "")
        lines.append(line)
    return "".join(lines)


def normalise(text: str) -> str:
    """Printed output with uuids and timestamps replaced by placeholders."""
    return _DIGEST.sub("<digest>", _TIMESTAMP.sub("<time>", _UUID.sub("<uuid>", text)))


def run_source(source: str, name: str) -> str:
    """Run ``source`` as ``__main__`` in this process and return what it printed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(source)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(path), run_name="__main__")
    return out.getvalue()


def run_both(name: str) -> tuple[str, str]:
    """(LangGraph's output, nbstream's output) of one program, normalised."""
    source = (HERE / f"{name}.py").read_text()
    return normalise(run_source(source, name)), normalise(run_source(port(source), name))


def _main(names: list[str]) -> None:
    same = 0
    names = names or programs()
    for name in names:
        try:
            expected, got = run_both(name)
        except BaseException as exc:
            print(f"FAIL {name}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        if expected == got:
            same += 1
            print(f"ok   {name}")
        else:
            print(f"DIFF {name}")
            diff = difflib.unified_diff(
                expected.splitlines(), got.splitlines(), "langgraph", "nbstream", lineterm=""
            )
            print("\n".join(list(diff)[:30]))
    print(f"{same} of {len(names)} programs give LangGraph's output")


if __name__ == "__main__":
    _main(sys.argv[1:])
