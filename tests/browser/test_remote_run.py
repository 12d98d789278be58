"""A LangGraph Server run watched live in a real JupyterLab, answered with the view's button.

The test starts ``langgraph dev`` (tests/remote_app, from the server's own venv) and a notebook
whose cell streams a run of its ``agent`` graph through ``nbstream.remote.stream`` into a
``RunView``. The run pauses on the server in ``review``; in the DOM the live view shows the
server's graph drawn in SVG (the ``research`` subgraph included), the nodes that ran coloured
done, the question, and the buttons. Clicking **Approve** sends ``command={"resume": True}`` to the
server thread from the idle kernel; the resumed server run streams into the same view, which ends
**done** with ``finish`` coloured done. One more cell asks the server for the thread's state: the
answer reached it.
"""

# ruff: noqa: F811  (the fixture imported from tests/_langgraph_server.py is a test argument)
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from playwright.sync_api import Page, expect

import nbstream.remote as remote
from nbstream.widgets._svg import STATUS_COLOURS
from tests._langgraph_server import lg_python  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from conftest import LabServer

pytestmark = pytest.mark.browser

APP = Path(__file__).resolve().parents[1] / "remote_app" / "langgraph.json"
NOTEBOOK = "remote_run.ipynb"
TIMEOUT_MS = 60_000
KERNEL_IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""


@pytest.fixture
def server(lg_python: str) -> Iterator[remote.DevServer]:
    running = remote.start_dev_server(APP, python=lg_python)
    yield running
    running.stop()


def _source(url: str) -> str:
    return f"""\
from langgraph_sdk import get_sync_client
import nbstream.remote
from nbstream.widgets import RunView

client = get_sync_client(url={url!r})
thread_id = client.threads.create()["thread_id"]
parts = list(nbstream.remote.stream(client, thread_id, "agent", input={{"topic": "rivers"}},
                                    stream_mode="updates", observers=[RunView()]))
"""


def test_a_server_run_waits_in_the_view_and_approve_resumes_it(
    page: Page, lab_server: LabServer, server: remote.DevServer
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(_source(server.url))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab_server.root / NOTEBOOK)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{lab_server.url}/lab/tree/{NOTEBOOK}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    assert page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')") is True
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    page.set_default_timeout(TIMEOUT_MS)

    view = page.locator(".nbstream-view.nbstream-run.jupyter-widgets")
    expect(view.locator(".nbstream-header")).to_have_attribute("data-status", "waiting")
    expect(view.locator(".nbstream-interrupt")).to_contain_text("approve the summary?")
    done_fill = STATUS_COLOURS["done"][0]
    for node in ("plan", "research"):
        shape = view.locator(f'.nbstream-svg-node[data-node="{node}"] rect').first
        expect(shape).to_have_attribute("fill", done_fill)
    expect(view.locator('.nbstream-svg-node[data-node="research"]')).to_have_attribute(
        "data-subgraph", "true"
    )
    expect(view.locator('.nbstream-row[data-node="review"]')).to_have_attribute("data-status", "waiting")

    view.locator(".nbstream-approve").click()

    expect(view.locator(".nbstream-header")).to_have_attribute("data-status", "done")
    expect(view.locator('.nbstream-svg-node[data-node="finish"] rect').first).to_have_attribute(
        "fill", done_fill
    )
    expect(view.locator('.nbstream-row[data-node="review"]')).to_have_attribute("data-status", "done")
    expect(view.locator(".nbstream-pause")).to_contain_text("resumed with True")

    # the answer reached the server: ask it from the same kernel
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    notebook = page.locator(".jp-Notebook")
    notebook.locator(".jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below
    page.keyboard.press("Enter")
    page.keyboard.type('print("approved:", client.threads.get_state(thread_id)["values"]["approved"])')
    page.keyboard.press("Shift+Enter")
    expect(notebook.locator(".jp-OutputArea-output").last).to_contain_text("approved: True")
    assert errors == [], errors
