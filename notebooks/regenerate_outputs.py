"""Re-execute the tutorial notebooks and write their outputs back, ready to commit.

    python notebooks/regenerate_outputs.py                 # every notebook
    python notebooks/regenerate_outputs.py notebooks/03_subgraphs.ipynb

Run it after changing a notebook, or anything its outputs show, and commit the result: CI runs
``pytest --nbval`` on the committed outputs. For each notebook it

* runs every cell in a fresh kernel of *this* interpreter (so it sees this venv's nbstream), in
  the notebook's folder, and fails if a cell raises or the whole run takes 30 s or more;
* runs it a second time and fails if any output differs once the rules in ``nbval_sanitize.cfg``
  are applied: an output that nbval could not compare reliably must not be committed;
* writes it back with no widget state and with every widget view's ``model_id`` emptied. No
  state is committed (it churns on every run, and JupyterLab does not save it either), so no id
  could be found again: an empty id is what JupyterLab itself writes for a closed widget, and it
  hides the output instead of showing "Error displaying widget: model not found". The views leave
  a static snapshot output behind, which is what a reader of the saved notebook sees.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SANITIZE = HERE.parent / "nbval_sanitize.cfg"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
BUDGET_S = 30.0


def sanitize_rules() -> list[tuple[str, str]]:
    """The (regex, replacement) pairs of nbval_sanitize.cfg, parsed as nbval parses them."""
    text = SANITIZE.read_text(encoding="utf-8")
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)


def execute(path: Path) -> tuple[Any, float]:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=int(BUDGET_S),
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
        coalesce_streams=True,  # as nbval compares them: one stdout text however it was flushed
    )
    started = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - started


def tidy(nb: Any) -> None:
    """No widget state, no dangling widget ids, no per-cell execution metadata."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = ""


def comparable(nb: Any, rules: list[tuple[str, str]]) -> list[str]:
    """Each code cell's outputs as text, sanitized as nbval would compare them."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = json.dumps(cell.outputs, sort_keys=True, ensure_ascii=False)
        for regex, replacement in rules:
            text = re.sub(regex, replacement, text)
        cells.append(text)
    return cells


def regenerate(path: Path, *, check_twice: bool) -> None:
    nb, took = execute(path)
    tidy(nb)
    if took >= BUDGET_S:
        raise SystemExit(f"{path}: took {took:.1f} s; a tutorial must run in under {BUDGET_S:.0f} s")
    if check_twice:
        again, _ = execute(path)
        tidy(again)
        rules = sanitize_rules()
        for number, (first, second) in enumerate(
            zip(comparable(nb, rules), comparable(again, rules), strict=True), 1
        ):
            if first != second:
                raise SystemExit(
                    f"{path}: code cell {number} gave different outputs in two runs:\n"
                    f"  {first[:400]}\n  {second[:400]}"
                )
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"{path.relative_to(HERE.parent)}: {took:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook under notebooks/")
    parser.add_argument("--once", action="store_true", help="skip the second run (determinism check)")
    args = parser.parse_args()
    # the python3 kernelspec runs `python`: make that this interpreter
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    paths = args.notebooks or sorted(p for p in HERE.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    for path in paths:
        regenerate(path.resolve(), check_twice=not args.once)


if __name__ == "__main__":
    main()
