"""The step timeline in a real JupyterLab, in Debian's Chromium: arrow keys on the slider.

A notebook runs a three-node chain into ``RunView(timeline=True)``. Once the run has ended the
live view stays, with its timeline: the test focuses the step slider's handle, presses ArrowLeft,
and checks in the DOM that the SVG drawing's node colours and the state table went back one step
(the last node pending and grey again, the state the one after the step before), then ArrowRight
brings the end back. It also checks the slider moved by exactly one step per key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import nbformat
import pytest
from playwright.sync_api import Page, expect

from nbstream.widgets._svg import STATUS_COLOURS

if TYPE_CHECKING:
    from conftest import LabServer

pytestmark = pytest.mark.browser

NOTEBOOK = "timeline_keys.ipynb"
TIMEOUT_MS = 60_000
SOURCE = """\
from typing import TypedDict
from nbstream.graph import StateGraph, START, END
from nbstream.widgets import RunView

class State(TypedDict):
    text: str

def step(suffix):
    return lambda state: {"text": state["text"] + suffix}

builder = StateGraph(State)
for name in ("first", "second", "third"):
    builder.add_node(name, step("-" + name))
builder.add_edge(START, "first")
builder.add_edge("first", "second")
builder.add_edge("second", "third")
builder.add_edge("third", END)
graph = builder.compile(name="chain")
graph.invoke({"text": "start"}, observers=[RunView(timeline=True)])
"""

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""


def _fill(page: Page, node: str) -> str | None:
    shape = page.locator(f'.nbstream-view.jupyter-widgets .nbstream-svg-node[data-node="{node}"] rect').first
    return shape.get_attribute("fill")


def test_arrow_keys_step_the_timeline(page: Page, lab_server: LabServer) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOURCE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab_server.root / NOTEBOOK)
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto(f"{lab_server.url}/lab/tree/{NOTEBOOK}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    assert page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')") is True
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)

    view = page.locator(".nbstream-view.nbstream-run.jupyter-widgets")
    expect(view.locator('.nbstream-header[data-status="done"]')).to_be_visible(timeout=TIMEOUT_MS)
    position = view.locator(".nbstream-timeline-position")
    expect(position).to_have_attribute("data-step", "3", timeout=TIMEOUT_MS)
    state = view.locator(".nbstream-table table.nbstream-state")
    expect(state).to_have_attribute("data-step", "3")
    expect(state.locator('.nbstream-state-row[data-key="text"]')).to_contain_text("start-first-second-third")
    done_fill, pending_fill = STATUS_COLOURS["done"][0], STATUS_COLOURS["pending"][0]
    assert _fill(page, "third") == done_fill
    # the saved output of the run is still the static snapshot of its end
    expect(page.locator('.nbstream-snapshot.nbstream-run[data-status="done"]')).to_have_count(1)

    # focus the step slider's handle (a click would move it to where it lands) and press ArrowLeft
    handle = view.locator(".nbstream-timeline-step .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
    expect(view.locator('.nbstream-svg-node[data-node="third"]')).to_have_attribute("data-status", "pending")
    expect(view.locator('.nbstream-svg-node[data-node="second"]')).to_have_attribute("data-status", "done")
    assert _fill(page, "third") == pending_fill
    assert _fill(page, "second") == done_fill
    expect(state).to_have_attribute("data-step", "2")
    expect(state.locator('.nbstream-state-row[data-key="text"]')).to_contain_text("start-first-second")
    expect(state.locator('.nbstream-state-row[data-key="text"]')).not_to_contain_text("third")
    expect(view.locator('.nbstream-row[data-node="third"]')).to_have_attribute("data-status", "pending")

    page.keyboard.press("ArrowLeft")  # one step per key, not a jump
    expect(position).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
    expect(view.locator('.nbstream-svg-node[data-node="second"]')).to_have_attribute("data-status", "pending")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(position).to_have_attribute("data-step", "3", timeout=TIMEOUT_MS)
    expect(view.locator('.nbstream-svg-node[data-node="third"]')).to_have_attribute("data-status", "done")
    assert _fill(page, "third") == done_fill

    # the event slider steps through the events of a step, one per key
    events = view.locator(".nbstream-timeline-event .noUi-handle")
    events.focus()
    page.keyboard.press("ArrowLeft")  # from "run finished" back to the state after step 3
    expect(position).to_contain_text("state after step 3", timeout=TIMEOUT_MS)
    page.keyboard.press("ArrowLeft")
    expect(position).to_contain_text("third finished")
    page.keyboard.press("ArrowLeft")
    expect(position).to_contain_text("third started")
    expect(view.locator('.nbstream-svg-node[data-node="third"]')).to_have_attribute("data-status", "running")
    assert _fill(page, "third") == STATUS_COLOURS["running"][0]
    assert console_errors == []
