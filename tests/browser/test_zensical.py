"""The real guidance built with Zensical (guidance build --engine zensical) in Chromium: its own search works over
our index, with role labels, and sample pages have no axe violations. Skipped locally without Zensical; under CI,
which installs it (make test), a missing Zensical fails."""
import importlib.util
import os
import shutil

import pytest

from builder import pipeline
from tests.browser.conftest import REPO, new_guarded_context, served
from tests.browser.test_accessibility import violations

SAMPLE = ["/", "/stalking/stalking-protection-orders/", "/for/police/stalking/", "/for/teachers/print/", "/glossary/"]


@pytest.fixture(scope="session")
def zensical_url(tmp_path_factory):
    if importlib.util.find_spec("zensical") is None:
        if os.environ.get("CI"):
            pytest.fail("Zensical is missing under CI: make test installs the 'zensical' extra; these tests must run")
        pytest.skip("Zensical is not installed (.venv/bin/pip install -e '.[zensical]'); skipped locally")
    root = tmp_path_factory.mktemp("real-zensical")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    checked, result = pipeline.build(root, engine="zensical")
    assert result is not None and result.ok, [str(p) for p in checked.problems + (result.problems if result else [])]
    with served(root / "site") as url:
        yield url


def zensical_search(page, base_url, query) -> list[tuple[str, str]]:
    """Open Zensical's search dialog (in a shadow root), type a query; return (anchor, title) of each result."""
    page.goto(base_url + "/")
    page.wait_for_load_state("networkidle")
    page.click(".md-search__button")
    # The whole query in one input event (typing it would search once per key, and an early answer could be the
    # one on screen): on a freshly opened page the first results listed are the query's own.
    page.keyboard.insert_text(query)
    results = """() => {
        const host = [...document.querySelectorAll('*')].find(e => e.shadowRoot && e.shadowRoot.querySelector('dialog'));
        return host ? [...host.shadowRoot.querySelectorAll('ol[role=listbox] a')].map(
            a => [a.getAttribute('href').split('#')[1] || '', a.querySelector('h2, h1')?.textContent || '']) : [];
    }"""
    page.wait_for_function(f"({results})().length > 0")
    return [tuple(r) for r in page.evaluate(results)]


def test_zensical_search_finds_the_section_and_says_who_it_is_for(browser, zensical_url):
    context = new_guarded_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    results = zensical_search(page, zensical_url, "notification requirements")
    context.close()
    assert results[0] == ("spo-notification", "5.4 Notification requirements (for police officers and staff)")
    assert context.foreign_requests == []


@pytest.mark.parametrize("width", [1280, 320])
def test_zensical_sample_pages_have_no_axe_violations(browser, zensical_url, width):
    context = new_guarded_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()
    assert all(page.goto(zensical_url + path).ok for path in SAMPLE)
    report = {path: found for path in SAMPLE if (found := violations(page, zensical_url + path))}
    context.close()
    assert report == {}
    assert context.foreign_requests == []
