"""Audiences are data: a fourth one ("Victims and the public", as content/audiences.yaml is to gain) gets every
feature the first three have: a button on the home page, a landing page with where to start, a view of each
document, a print page, a place in each chapter's "Show guidance for" switch and in search's role filter."""
from __future__ import annotations

import re
import shutil

import pytest

from builder import pipeline
from tests.browser.conftest import new_guarded_context, served
from tests.conftest import FIXTURE

PUBLIC = """  - id: public
    name: Victims and the public
    includes: People who are being stalked, their family and friends, and anyone who wants to know what the guidance says.
    needs: What to do, where to get help and what the police can tell you.
    start:
      - "[[section:alpha/for-police|Ask the police for help]]"
"""


@pytest.fixture(scope="module")
def four(tmp_path_factory):
    """The fixture project with a fourth audience, for which one section is written, built and served."""
    root = tmp_path_factory.mktemp("four")
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
    audiences = root / "content/audiences.yaml"
    audiences.write_text(audiences.read_text(encoding="utf-8").rstrip("\n") + "\n" + PUBLIC, encoding="utf-8")
    chapter = root / "content/alpha/01-basics.yaml"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("  - id: for-police\n    title: Police response\n    audiences: [police]",
                                    "  - id: for-police\n    title: Police response\n    audiences: [police, public]"),
                       encoding="utf-8")
    checked, result = pipeline.build(root)
    assert checked.problems == [] and result.ok, [str(p) for p in checked.problems + result.problems]
    with served(root / "site") as url:
        yield url


@pytest.fixture
def page(browser):
    context = new_guarded_context(browser, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()
    assert context.foreign_requests == []


def test_the_home_page_offers_four_roles(page, four):
    page.goto(four + "/")
    assert page.locator(".gd-role-button").all_inner_texts() == [
        "Police officers and staff", "Teachers and school staff", "Healthcare staff", "Victims and the public"]
    page.get_by_role("link", name="Victims and the public", exact=True).click()
    page.wait_for_url("**/for/public/")


def test_the_fourth_landing_page_starts_with_its_tasks_and_prints(page, four):
    page.goto(four + "/for/public/")
    assert page.locator("h1").first.inner_text().startswith("Guidance for victims and the public")
    headings = page.locator("h2").all_inner_texts()
    assert headings.index("Where to start¶") < min(i for i, h in enumerate(headings) if "regard" in h)
    page.get_by_role("link", name="Ask the police for help").click()
    page.wait_for_url(re.compile(r"/for/public/alpha/#for-police$"))
    assert page.locator("#for-police").is_visible()
    # the view holds the section for the public and those for everyone, and none only for other roles
    assert page.locator("h3[id]").evaluate_all("hs => hs.map(h => h.id)") == ["what-it-is", "for-police"]
    page.get_by_role("link", name="print this view").click()
    page.wait_for_url("**/for/public/alpha/print/")
    assert "for victims and the public" in page.locator("h1").first.inner_text()


def test_each_chapter_switches_to_the_fourth_role(page, four):
    page.goto(four + "/alpha/basics/")
    switch = page.get_by_role("navigation", name="Show this guidance for a role")
    switch.get_by_role("link", name="Victims and the public").click()
    page.wait_for_url(re.compile(r"/for/public/alpha/#alpha--basics$"))
    assert page.url.endswith("/for/public/alpha/#alpha--basics"), "the role view, at the chapter the reader was on"


def test_search_can_be_limited_to_the_fourth_role(page, four):
    page.goto(four + "/")
    page.wait_for_function("!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)")
    page.click(".md-search__input")
    page.keyboard.type("stalking")
    page.wait_for_selector(".md-search-result__item")
    page.get_by_role("group", name="Show results for").get_by_label("Victims and the public").check()
    page.wait_for_function("/for victims and the public/.test(document.querySelector('.md-search-result__meta').textContent)")
    shown = page.locator(".md-search-result__link:not([hidden])").evaluate_all(
        "as => as.map(a => a.getAttribute('href')).filter(h => /(^|\\/)(alpha|beta)\\//.test(h) && h.includes('#'))"
        ".map(h => h.split('#')[1])")  # the guidance's sections, not the role pages' headings
    assert shown and set(shown) <= {"what-it-is", "for-police"}
