"""guidance serve in Chromium (issue 14): a save with problems reloads the open page, which then lists them with
file:line:col in a panel that is on screen and passes axe; the fix reloads the page again without it."""
from __future__ import annotations

import threading
from pathlib import Path

from tests.conftest import require
from tests.test_serve import CHAPTER, OLD, _edit, _wait_for

axe_package = require("axe_playwright_python", "axe-core comes with the test extra: make test")
AXE = Path(axe_package.__file__).parent / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def test_the_open_page_shows_the_problems_of_a_save_and_drops_them_when_fixed(served, page):
    project, base, lines = served
    page.goto(base + "alpha/basics/")
    assert page.locator("#guidance-problems").count() == 0

    _edit(project, CHAPTER, OLD, "para: Stalking is a crime under [[term:NO<i>SUCH]] and")
    panel = page.locator("#guidance-problems")
    panel.wait_for(state="visible", timeout=60_000)  # the page reloaded by itself
    line = next(n + 1 for n, text in enumerate((project / CHAPTER).read_text().splitlines()) if "NO<i>" in text)
    text = panel.inner_text()
    assert f"content/alpha/01-basics.yaml:{line}:" in text
    assert "error [ref.term] glossary term 'NO<i>SUCH' is not defined" in text, "shown as text, not markup"
    assert panel.locator("i").count() == 0
    box, viewport = panel.bounding_box(), page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], "on screen without scrolling"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run('#guidance-problems', {runOnly: {type: 'tag', values: tags}})"
                          ".then(r => r.violations.map(v => v.id))", TAGS)
    assert found == []

    _edit(project, CHAPTER, "[[term:NO<i>SUCH]] and", "the Porthcawl rules and")
    panel.wait_for(state="detached", timeout=60_000)
    # The panel goes as the page reloads: wait for the reloaded page's text, not the half-loaded document.
    page.wait_for_function("() => document.body !== null && document.body.innerText.includes('Porthcawl')",
                           timeout=60_000)
    assert page.locator("#guidance-problems").count() == 0
    # the terminal's line follows once every page that shows the fix is built, after the reload
    _wait_for(lambda: any(text.startswith("Problems fixed") for text in lines), threading.Event(),
              "the terminal says the problems are fixed")
