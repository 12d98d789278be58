"""A paused run answered from its view, in a real JupyterLab, in Debian's Chromium.

A notebook cell runs a graph on a thread (``InMemorySaver``) whose node calls ``interrupt()``,
watched by a ``RunView``. The cell ends with the view **waiting** and showing the question; the
learner answers with the view's controls, and the run goes on in the same view. Two answers,
as a learner gives them:

* **Approve**: one click resumes the thread with ``True``;
* **Send JSON**: an answer typed into the box. A bad one first, which must show an error and
  resume nothing, then a good one, which the node writes back to the state.

Each test asserts in the DOM that the live view went from ``waiting`` to ``done`` with the node's
result in its rows and state, that the static snapshot left by the paused run was updated in
place to ``done``, and, by running one more cell in the same kernel, that the thread itself
moved on. The approve test also saves ``docs/human-in-the-loop-waiting.png``, the picture of a
waiting view the docs and notebook 08 show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from conftest import LabServer

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "human-in-the-loop-waiting.png"
TIMEOUT_MS = 60_000
QUESTION = "Publish this draft?"
DRAFT = "Five facts about otters."

GRAPH = f"""\
from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver

import nbstream
from nbstream.graph import END, START, StateGraph
from nbstream.types import interrupt
from nbstream.widgets import RunView


class Post(TypedDict):
    draft: str
    status: str


def write(state: Post):
    return {{"draft": {DRAFT!r}}}


def review(state: Post):
    answer = interrupt({{"question": {QUESTION!r}, "draft": state["draft"]}})
    if answer is True:
        return {{"status": "approved"}}
    if answer is False:
        return {{"status": "rejected"}}
    return {{"draft": answer["draft"], "status": "edited"}}


blog = (
    StateGraph(Post)
    .add_node("write", write)
    .add_node("review", review)
    .add_edge(START, "write")
    .add_edge("write", "review")
    .add_edge("review", END)
    .compile(checkpointer=InMemorySaver(), name="blog")
)
"""


def _run_on(thread_id: str) -> str:
    return (
        f'config_{thread_id} = {{"configurable": {{"thread_id": "{thread_id}"}}}}\n'
        f'_ = nbstream.show(blog, {{"draft": "", "status": ""}}, config=config_{thread_id})'
    )


#: cell index of each thread's run (cell 0 builds the graph)
CELLS = {"approve": 1, "edit": 2}

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""


@pytest.fixture
def notebook(lab_server: LabServer, request: pytest.FixtureRequest) -> str:
    """A notebook of the test's own, so each test gets a kernel of its own."""
    name = f"{request.node.name}.ipynb"
    cells = [nbformat.v4.new_code_cell(GRAPH)]
    cells += [nbformat.v4.new_code_cell(_run_on(thread_id)) for thread_id in CELLS]
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, lab_server.root / name)
    return name


@pytest.fixture
def lab(page: Page, lab_server: LabServer, notebook: str) -> Iterator[Page]:
    """The notebook open in a fresh kernel, every cell run: both runs are waiting."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{lab_server.url}/lab/tree/{notebook}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    assert page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')") is True
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    counts = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets.map((c) => c.model.executionCount)"
    )
    assert counts == [1, 2, 3], f"not every cell ran: {counts}"
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    assert errors == [], errors
    texts: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')].map((o) => o.textContent)"
    )
    assert not [t for t in texts if "Error displaying widget" in t]


def _cell(page: Page, thread_id: str) -> Locator:
    return page.locator(".jp-Notebook .jp-Cell").nth(CELLS[thread_id])


def _live_view(page: Page, thread_id: str) -> Locator:
    return _cell(page, thread_id).locator(".nbstream-view.nbstream-run.jupyter-widgets")


def _assert_waiting(view: Locator) -> None:
    """The cell has ended; the view waits on ``review`` and shows its question and controls."""
    expect(view.locator(".nbstream-header")).to_have_attribute("data-status", "waiting")
    expect(view.locator('.nbstream-row[data-node="write"]')).to_have_attribute("data-status", "done")
    expect(view.locator('.nbstream-row[data-node="review"]')).to_have_attribute("data-status", "waiting")
    expect(view.locator(".nbstream-pause")).to_have_attribute("data-status", "waiting")
    question = view.locator('.nbstream-interrupt[data-current="true"]')
    expect(question).to_contain_text(QUESTION)
    expect(question).to_contain_text(DRAFT)
    for control in (".nbstream-approve", ".nbstream-reject", ".nbstream-send", ".nbstream-edit textarea"):
        expect(view.locator(control)).to_be_enabled()


def _assert_done(page: Page, thread_id: str, answer: str, state: dict[str, str]) -> None:
    """The resumed run streamed into the same view, and the thread moved on."""
    view = _live_view(page, thread_id)
    expect(view.locator(".nbstream-header")).to_have_attribute("data-status", "done")
    expect(view.locator(".nbstream-pause")).to_have_attribute("data-status", "resumed")
    expect(view.locator(".nbstream-pause")).to_contain_text(f"resumed with {answer}")
    expect(view.locator(".nbstream-pause-controls")).to_be_hidden()
    review = view.locator('.nbstream-row[data-node="review"]')
    expect(review).to_have_attribute("data-status", "done")
    expect(review).to_contain_text(state["status"])  # the node's update
    for key, value in state.items():
        expect(view.locator(f'.nbstream-state-row[data-key="{key}"]')).to_contain_text(value)
    # the paused run's static snapshot was updated in place (the click's run cannot add outputs)
    snapshot = _cell(page, thread_id).locator(".nbstream-snapshot.nbstream-run")
    expect(snapshot).to_have_count(1)
    expect(snapshot).to_have_attribute("data-status", "done")
    expect(snapshot.locator('.nbstream-state-row[data-key="status"]')).to_contain_text(state["status"])
    # and the thread itself: ask the kernel, in one more cell
    page.evaluate(
        """async (source) => {
          const app = window.jupyterapp;
          const notebook = app.shell.currentWidget.content;
          notebook.activeCellIndex = notebook.widgets.length - 1;
          await app.commands.execute('notebook:insert-cell-below');
          notebook.activeCell.model.sharedModel.setSource(source);
          await app.commands.execute('notebook:run-cell');
        }""",
        f"import json; print(json.dumps(blog.get_state(config_{thread_id}).values))",
    )
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    printed = page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-OutputArea-output")
    expect(printed).to_have_count(1)
    assert json.loads(printed.inner_text()) == state


def _screenshot(page: Page, view: Locator) -> None:
    view.evaluate("(view) => view.scrollIntoView({block: 'center'})")
    box = view.bounding_box()
    assert box is not None
    margin = 6
    page.screenshot(
        path=str(SCREENSHOT),
        clip={
            "x": box["x"] - margin,
            "y": box["y"] - margin,
            "width": box["width"] + 2 * margin,
            # no margin below: the paused run's snapshot follows right under the view
            "height": box["height"] + margin,
        },
    )
    picture = SCREENSHOT.read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(picture[16:20], "big") >= 300 and int.from_bytes(picture[20:24], "big") >= 200


def test_approve_resumes_the_run_in_the_same_view(lab: Page) -> None:
    view = _live_view(lab, "approve")
    _assert_waiting(view)
    _screenshot(lab, view)

    view.locator(".nbstream-approve").click()

    _assert_done(lab, "approve", "True", {"draft": DRAFT, "status": "approved"})
    # the other run is still waiting: an answer goes to its own view's thread only
    _assert_waiting(_live_view(lab, "edit"))


def test_a_json_answer_typed_in_the_box_is_sent(lab: Page) -> None:
    view = _live_view(lab, "edit")
    _assert_waiting(view)
    box = view.locator(".nbstream-edit textarea")

    # bad JSON: an error in the panel, nothing resumed, the text kept so it can be fixed
    box.fill("{draft: 'Six facts'}")
    view.locator(".nbstream-send").click()
    expect(view.locator(".nbstream-pause .nbstream-error")).to_contain_text("not valid JSON")
    expect(view.locator(".nbstream-pause")).to_have_attribute("data-status", "waiting")
    expect(box).to_have_value("{draft: 'Six facts'}")
    expect(view.locator(".nbstream-header")).to_have_attribute("data-status", "waiting")

    edited = "Six <b>true</b> facts about otters."  # markup in an answer shows as text
    box.fill(json.dumps({"draft": edited}))
    view.locator(".nbstream-send").click()

    _assert_done(lab, "edit", "{'draft':", {"draft": edited, "status": "edited"})
    assert not view.locator(".nbstream-state b").count()
