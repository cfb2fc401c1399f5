"""The Welsh site in Chromium (issue 29): the fixture project with its reviewed Welsh (tests/fixtures/welsh/) built as
the public site; axe finds no violations on any Welsh page, or on the English pages that carry the language switch;
the switch leads both ways; a Welsh query typed in the search box of a Welsh page finds the Welsh section."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder import pipeline
from tests.browser.conftest import new_guarded_context, served, site_pages
from tests.browser.test_accessibility import violations
from tests.conftest import FIXTURE

WELSH = Path(__file__).resolve().parents[1] / "fixtures" / "welsh"


@pytest.fixture(scope="module")
def welsh_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("welsh") / "project"
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copytree(WELSH / "content", root / "content", dirs_exist_ok=True)
    shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
    checked, result = pipeline.build(root)
    assert result is not None and result.ok, [str(p) for p in checked.problems + (result.problems if result else [])]
    return root / "site"


@pytest.fixture(scope="module")
def welsh_url(welsh_site) -> str:
    with served(welsh_site) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 320])
def test_welsh_and_english_pages_have_no_axe_violations(browser, welsh_site, welsh_url, width):
    context = new_guarded_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()
    pages = site_pages(welsh_site)
    welsh = [p for p in pages if p.startswith("/cy/")]
    assert len(welsh) == len(pages) - len(welsh) > 20
    report = {path: found for path in pages if (found := violations(page, welsh_url + path))}
    context.close()
    assert report == {}
    assert context.foreign_requests == []


def test_the_language_switch_leads_to_the_same_page_both_ways(page, welsh_url):
    page.goto(welsh_url + "/alpha/basics/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".gd-language a[hreflang=cy]").click()
    page.wait_for_url("**/cy/alpha/basics/")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator("h1").first.inner_text().startswith("1. Y pethau sylfaenol")
    assert page.locator(".gd-language [aria-current=true]").inner_text() == "Cymraeg"
    page.locator(".gd-language a[hreflang=en]").click()
    page.wait_for_url("**/alpha/basics/")
    assert "/cy/" not in page.url and page.locator("html").get_attribute("lang") == "en"


def test_a_welsh_query_in_the_search_box_finds_the_welsh_section(page, welsh_url):
    page.goto(welsh_url + "/cy/alpha/")
    page.wait_for_function("!/Cychwyn chwilio/i.test(document.querySelector('.md-search-result__meta').textContent)")
    box = page.locator(".md-search__input")
    box.click()
    box.fill("asesiad risg")
    box.press("End")
    page.wait_for_selector(".md-search-result__item a.md-search-result__link")
    hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link",
                                      "els => els.map(e => e.href)")
    assert any("/cy/alpha/basics/?" in h and h.endswith("#for-police") for h in hrefs), hrefs  # ?h=: highlight
    assert "Ymateb yr heddlu" in page.locator(".md-search-result").inner_text()
