"""The quickstart in a real JupyterLab, in Debian's Chromium: the live views as a learner sees them.

One test, in the order a learner goes: open the quickstart, run every cell, watch the live view
finish, save, shut the kernel down, reopen. It asserts in the DOM:

* the live run view reached its ``done`` state with the graph's node names, and its token ticker
  showed the fake model's text (recorded as the widgets changed: a finished view is closed and
  replaced by its static snapshot, as the widgets are designed to do);
* no output anywhere says "Error displaying widget", before the run, after it, or after reopening;
* state holding a ``<script>`` tag and an ``<img onerror>`` shows as text and runs nothing;
* after saving and reopening with the kernel shut down, the static snapshots are still readable.

It also saves ``docs/quickstart-live-view.png``, the picture of a finished live view the README shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pytest
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from conftest import LabServer

pytestmark = pytest.mark.browser

NOTEBOOK = "01_quickstart.ipynb"
NODES = ("refine_topic", "generate_joke")
JOKE = "Why do cats love ice cream? Because it is purr-fectly cool!"
HOSTILE = ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">')
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "quickstart-live-view.png"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT_MS = 60_000

# Records what the live views' HTML widgets show, as it changes: ipywidgets' HTML view renders its
# value inside a `.widget-html-content` element, replacing its children on every update, and a new
# widget arrives as a whole subtree. The snapshot outputs are rendered by JupyterLab itself, not in
# such an element, and are left out.
RECORD_LIVE_VIEWS = """() => {
  window.__nbstreamLive = [];
  new MutationObserver((records) => {
    for (const record of records) {
      for (const added of record.addedNodes) {
        if (added.nodeType !== 1) continue;
        for (const el of [added, ...added.querySelectorAll('[data-status]')]) {
          if (!el.matches('[data-status]') || !el.closest('.widget-html-content')) continue;
          window.__nbstreamLive.push({
            kind: el.className, node: el.dataset.node || null,
            status: el.dataset.status, text: el.textContent,
          });
        }
      }
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

RUN = "(command) => window.jupyterapp.commands.execute(command)"


def _open_notebook(page: Page, lab: LabServer) -> None:
    page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)


def _error_outputs(page: Page) -> list[str]:
    """Outputs saying "Error displaying widget", once every widget output has settled.

    A widget output reads "Loading widget..." until JupyterLab has restored the kernel's widgets;
    then it shows the widget, hides itself (empty model id), or shows the error. textContent, not
    innerText, so that outputs outside the visible part of the notebook count too.
    """
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-OutputArea-output')].every(
             (o) => o.classList.contains('lm-mod-hidden') || !o.textContent.startsWith('Loading widget'))""",
        timeout=TIMEOUT_MS,
    )
    texts: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')].map((o) => o.textContent)"
    )
    return [t for t in texts if "Error displaying widget" in t]


def _live_records(page: Page) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = page.evaluate("() => window.__nbstreamLive")
    return records


def _run_cell_at_end(page: Page, source: str) -> None:
    """Append a code cell with ``source`` to the open notebook and run it (in the same kernel)."""
    page.evaluate(
        """async (source) => {
          const app = window.jupyterapp;
          const notebook = app.shell.currentWidget.content;
          notebook.activeCellIndex = notebook.widgets.length - 1;
          await app.commands.execute('notebook:insert-cell-below');
          await app.commands.execute('notebook:change-cell-to-code');
          notebook.activeCell.model.sharedModel.setSource(source);
          await app.commands.execute('notebook:run-cell');
        }""",
        source,
    )


def test_quickstart_runs_live_in_jupyterlab(page: Page, lab_server: LabServer) -> None:
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    # -- open: the committed outputs show snapshots, never a dangling widget ------------------
    _open_notebook(page, lab_server)
    expect(page.locator(".nbstream-snapshot").first).to_be_visible(timeout=TIMEOUT_MS)
    assert _error_outputs(page) == []

    # -- run every cell in a fresh kernel -------------------------------------------------------
    page.evaluate(RUN, "notebook:clear-all-cell-outputs")
    expect(page.locator(".nbstream-snapshot")).to_have_count(0)
    page.evaluate(RECORD_LIVE_VIEWS)
    assert page.evaluate(RUN, "notebook:run-all-cells") is True
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    counts = page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
              .filter((cell) => cell.model.type === 'code')
              .map((cell) => cell.model.executionCount)"""
    )
    assert counts == list(range(1, len(counts) + 1)), f"not every cell ran: {counts}"

    # the live run view went through its states to `done`, with both nodes done ...
    live = _live_records(page)
    headers = [r["status"] for r in live if "nbstream-header" in r["kind"]]
    assert "running" in headers and headers[-1] == "done", headers
    for node in NODES:
        rows = [r for r in live if "nbstream-row" in r["kind"] and r["node"] == node]
        assert rows and rows[-1]["status"] == "done", (node, rows)
        assert node in rows[-1]["text"]
    # ... and its ticker showed the fake model's answer in full
    lanes = [r for r in live if "nbstream-lane" in r["kind"] and r["node"] == "generate_joke"]
    assert lanes and lanes[-1]["status"] == "done", lanes
    assert JOKE in lanes[-1]["text"]
    # a finished view is closed and JupyterLab hides it: its snapshot stands in its place
    expect(page.locator(".nbstream-view.jupyter-widgets")).to_have_count(0)
    run_snapshots = page.locator('.nbstream-snapshot.nbstream-run[data-status="done"]')
    expect(run_snapshots).to_have_count(2)
    for node in NODES:
        expect(run_snapshots.last.locator(f'.nbstream-row[data-node="{node}"]')).to_have_attribute(
            "data-status", "done"
        )
    expect(run_snapshots.last.locator(".nbstream-lane .nbstream-text")).to_have_text(JOKE)
    assert _error_outputs(page) == []

    # -- hostile state: shown as text, never run -------------------------------------------------
    assert page.evaluate("() => window.__pwned") is None
    tables = page.locator(".nbstream-snapshot.nbstream-state-table")
    expect(tables).to_have_count(2)
    for table, payload in zip((tables.first, tables.last), HOSTILE, strict=True):
        expect(table.locator('.nbstream-state-row[data-key="topic"]')).to_contain_text(payload)
    assert not page.locator(".nbstream-view script, .nbstream-view img").count()
    assert any(HOSTILE[0] in r["text"] for r in live if r["node"] == "refine_topic")

    # -- the picture for the README: a finished view kept live --------------------------------------
    keep = (
        'view = RunView(keep_live=True, snapshot=False)\n_ = show(graph, {"topic": "ice cream"}, view=view)'
    )
    _run_cell_at_end(page, keep)
    kept = page.locator(".nbstream-view.nbstream-run.jupyter-widgets")
    expect(kept.locator('.nbstream-header[data-status="done"]')).to_be_visible(timeout=TIMEOUT_MS)
    expect(kept.locator(".nbstream-lane .nbstream-text")).to_have_text(JOKE)
    # the graph, nbstream's own SVG (no web service, no script), each node coloured as it ended
    expect(kept.locator(".nbstream-graph svg.nbstream-svg")).to_be_visible(timeout=TIMEOUT_MS)
    for node in ("refine_topic", "generate_joke"):
        expect(kept.locator(f'.nbstream-svg-node[data-node="{node}"]')).to_have_attribute(
            "data-status", "done"
        )
    kept.evaluate("(view) => view.scrollIntoView({block: 'center'})")
    box = kept.bounding_box()
    assert box is not None
    margin = 6
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOT),
        clip={
            "x": box["x"] - margin,
            "y": box["y"] - margin,
            "width": box["width"] + 2 * margin,
            "height": box["height"] + 2 * margin,
        },
    )
    picture = SCREENSHOT.read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(picture[16:20], "big") >= 300 and int.from_bytes(picture[20:24], "big") >= 200
    page.evaluate(RUN, "notebook:delete-cell")
    expect(kept).to_have_count(0)

    # -- save, shut the kernel down, reopen: the snapshots are what remains -------------------------
    page.evaluate(RUN, "docmanager:save")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    saved = nbformat.read(lab_server.root / NOTEBOOK, as_version=4)
    nbformat.validate(saved)
    for entry in saved.metadata.get("widgets", {}).values():
        assert "state" in entry, "GitHub refuses widget metadata without 'state'"
    outputs = [o.get("data", {}) for cell in saved.cells for o in cell.get("outputs", [])]
    assert sum("nbstream-snapshot" in data.get("text/html", "") for data in outputs) == 4
    # A closed live view must not come back as "Error displaying widget: model not found" when the
    # notebook is reopened: its output has to be saved with an empty model id (JupyterLab then hides
    # it). JupyterLab hides a closed widget in the session but saves its old id, so the view must
    # blank the id itself when it closes (update_display of the same text/plain, model_id "").
    saved_ids = [data[WIDGET_VIEW]["model_id"] for data in outputs if WIDGET_VIEW in data]
    assert saved_ids == [""] * 4, f"closed live views saved with their model ids: {saved_ids}"
    for session in json.loads(lab_server.api("sessions")):
        lab_server.api(f"sessions/{session['id']}", method="DELETE")
    assert json.loads(lab_server.api("kernels")) == []

    _open_notebook(page, lab_server)
    snapshots = page.locator(".nbstream-snapshot")
    expect(snapshots).to_have_count(4)
    last_run = page.locator('.nbstream-snapshot.nbstream-run[data-status="done"]').last
    expect(last_run).to_be_visible()
    for node in NODES:
        expect(last_run.locator(f'.nbstream-row[data-node="{node}"] .nbstream-node')).to_have_text(node)
    expect(last_run.locator(".nbstream-lane .nbstream-text")).to_have_text(JOKE)
    assert _error_outputs(page) == []
    assert page.evaluate("() => window.__pwned") is None
    assert console_errors == []
