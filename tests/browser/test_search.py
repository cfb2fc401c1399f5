"""Search as readers use it: Material's search in Chromium finds the section that answers a real query."""
import json
import re

import pytest

from builder import pipeline
from tests.browser.conftest import REPO

# query → the section a reader expects among the first three section results
QUERIES = {
    "restraining order": "spo-on-conviction-acquittal",
    "breach": "spo-variation-appeals",
    "designated safeguarding lead": "schools-dsl-route",
    "data protection": "rtk-data-protection",
    "S-DASH": "sdash-risk-assessment",
    "notification requirements": "spo-notification",
    "Right to Ask": "rtk-dvds-routes",
    "interim order": "spo-interim-orders",
    "MARAC": "marac-stalking",
    "safety plan": "rtk-safety-planning",
    "evidence diary": "keeping-evidence",
    "information sharing": "info-sharing-lawful-basis",
    "online stalking": "online-stalking",
    "school gate": "school-gate-online",
    "GP": "health-gps-emergency",
    "proportionality": "rtk-necessity-proportionality",
    "stalking by proxy": "stalking-by-proxy",
    "helpline": "helplines-and-support",
}


def search(page, base_url, query) -> list[str]:
    """Type a query into the search box; return the anchors of the section results in the order shown."""
    page.goto(base_url + "/")
    page.wait_for_function("!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)")
    page.click(".md-search__input")
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item")
    hrefs, previous = None, []
    while hrefs != previous:  # results update as each key arrives: read them once they stop changing
        previous = hrefs
        page.wait_for_timeout(250)
        hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link",
                                          "els => els.map(e => e.getAttribute('href'))")
    return [h.split("#", 1)[1] for h in hrefs if "#" in h]


@pytest.mark.parametrize("query, expected", QUERIES.items(), ids=list(QUERIES))
def test_query_finds_its_section_in_the_top_three(page, base_url, query, expected):
    assert expected in search(page, base_url, query)[:3]


def test_results_say_who_a_section_is_for(page, base_url):
    search(page, base_url, "notification requirements")
    titles = page.locator(".md-search-result__item").first.locator("h1, h2").all_inner_texts()
    assert "5.4 Notification requirements (for police officers and staff)" in titles


def test_index_holds_each_passage_once_and_no_audience_copies(built_site):
    index = json.loads((built_site / "search/search_index.json").read_text())
    locations = [d["location"] for d in index["docs"]]
    assert not [loc for loc in locations if re.match(r"for/[^/]+/[^/]+/", loc) or "print/" in loc]
    published = {s.id for d in pipeline.check(REPO).content.documents for s in d.sections() if s.status == "published"}
    anchors = [loc.split("#")[1] for loc in locations if "#" in loc]
    assert sorted(a for a in anchors if a in published) == sorted(published), "every published section, once"
