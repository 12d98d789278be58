"""Make ``docs/saved-view.png``, the README's picture of the view a notebook keeps after a run.

::

    python docs/make_pictures.py            # needs nbconvert, playwright and /usr/bin/chromium

It converts a course notebook, with the outputs committed in it, to HTML as ``jupyter nbconvert
--to html`` does, opens that page in Debian's Chromium (headless, every request that is not the
page itself refused: nbconvert's page asks a CDN for scripts the saved view does not need) and
takes a picture of one saved view. The picture changes only when the notebook's committed output
or the view's HTML does.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
#: the notebook and which of its saved views (in page order) the picture shows
NOTEBOOK = REPO / "notebooks" / "09_tool_agents.ipynb"  # graph, nodes, tool calls, state, LLM calls
VIEW = 0
OUT = REPO / "docs" / "saved-view.png"


def notebook_html(notebook: Path) -> str:
    """The notebook as nbconvert's HTML page (the ``lab`` template), outputs as committed."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(notebook))
    return str(body)


def picture(html: str, out: Path, view: int, width: int = 900) -> None:
    """Screenshot the ``view``-th saved view (``.nbstream-snapshot``) of the page ``html``."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "page.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            try:
                page = browser.new_page(viewport={"width": width, "height": 800}, device_scale_factor=1)
                page.route("**/*", _only_the_page)
                page.goto(page_file.as_uri(), wait_until="domcontentloaded")
                # a white border inside the picture, so it does not end at the view's edge
                page.add_style_tag(content=".nbstream-snapshot{padding:12px;background:#fff}")
                page.locator(".nbstream-snapshot").nth(view).screenshot(path=str(out))
            finally:
                browser.close()


def _only_the_page(route: Any) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument("--view", type=int, default=VIEW, help="which saved view of the notebook (from 0)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    picture(notebook_html(args.notebook), args.out, args.view)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
