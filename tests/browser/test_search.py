"""Search as readers use it: Material's search in Chromium finds the section that answers a real query, says which
document and role each result is for, can be limited to one role, and leaves out withdrawal notices."""
import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML


from builder import pipeline
from tests.browser.conftest import REPO, new_guarded_context

# What a police officer, a teacher or a nurse types → the section they expect among the first three section results
# (in the order Material lists them). Queries marked "not in the text" use words the guidance does not use for the
# thing: search finds them through the glossary's also_searched_as.
QUERIES = {
    # police officers
    "restraining order": "spo-on-conviction-acquittal",
    "breach of an SPO": "spo-variation-appeals",
    "appeal an order": "spo-variation-appeals",
    "injunction": "spo-overview",
    "interim order": "spo-interim-orders",
    "notification requirements": "spo-notification",
    "bail conditions": "police-bail-conditions",
    "victims code": "police-victims-code",
    "S-DASH": "sdash-risk-assessment",
    "DASH form": "sdash-risk-assessment",  # not in the text
    "homicide risk": "stalking-and-domestic-abuse",
    "evidence diary": "keeping-evidence",
    "stalking by proxy": "stalking-by-proxy",
    "fixated obsessive": "four-behaviours",
    "offender management": "mappa-stalking",  # not in the text
    "perpetrator programme": "masip-programmes",
    "Right to Ask": "rtk-dvds-routes",
    "Clare's Law": "rtk-dvds-analogue",
    "proportionality": "rtk-necessity-proportionality",
    "human rights": "rtk-human-rights",
    "data protection": "rtk-data-protection",
    # teachers
    "designated safeguarding lead": "schools-dsl-route",
    "safeguarding officer": "schools-dsl-route",  # not in the text
    "child protection lead": "schools-dsl-route",  # not in the text
    "school gate": "school-gate-online",
    "pupil stalking a teacher": "pupils-victims-perpetrators",
    "university student": "universities-further-education",
    "online stalking": "online-stalking",
    # healthcare staff
    "GP": "health-gps-emergency",
    "family doctor": "health-gps-emergency",  # not in the text
    "health visitor": "health-maternity-visiting",
    "mental health": "health-mental-health",
    "stalked by a colleague": "stalking-by-a-colleague",
    "share without consent": "sharing-without-consent",
    # everyone
    "MARAC": "marac-stalking",
    "risk conference": "marac-stalking",  # not in the text
    "information sharing": "info-sharing-lawful-basis",
    "safety plan": "rtk-safety-planning",
    "helpline": "helplines-and-support",
    "red flags": "escalation-red-flags",
    "probation": "probation-stalking",
    "housing": "housing-providers",
}


# The reader queries written from the readers' side (tests/reader_queries.yaml): (persona, query, answers, needs).
READER_QUERIES = [(persona, q["query"], q["answers"], q.get("needs"), q.get("own_words", False))
                  for persona, queries in YAML(typ="safe").load(REPO / "tests/reader_queries.yaml")["personas"].items()
                  for q in queries]


@pytest.fixture(scope="module")
def search_page(browser, base_url):
    """One page for all the queries: the index loads once, and each query replaces the last."""
    context = new_guarded_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/")
    page.wait_for_function("!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)")
    yield page
    context.close()
    assert context.foreign_requests == []


SHOWN = """() => ({meta: document.querySelector('.md-search-result__meta').textContent,
                   items: document.querySelectorAll('.md-search-result__item').length})"""


def search(page, query) -> list[str]:
    """Enter a query into the search box; return the anchors of the section results in the order shown.

    Material searches on each keyup, so typing sends one query per key and the results of an early one may still
    be on screen. Instead the box is emptied (its placeholder line comes back) and the whole query is entered with
    a single keyup: the first results shown after that are the query's own."""
    box = page.locator(".md-search__input")
    box.click()
    box.fill("")
    box.press("End")  # keyup: Material searches for "" and shows its placeholder line
    page.wait_for_function(f"(({SHOWN})()).items === 0")
    placeholder = page.evaluate(SHOWN)["meta"]
    box.fill(query)
    box.press("End")
    page.wait_for_function(f"(({SHOWN})()).meta !== {json.dumps(placeholder)}")
    return shown_sections(page)


def shown_sections(page) -> list[str]:
    """The anchors of the section results a reader sees, in order: not those folded under "N more on this page"
    (Material shows each page's best section and folds the rest), nor those the role filter hides."""
    hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link",
                                      "els => els.filter(e => e.checkVisibility()).map(e => e.getAttribute('href'))")
    return [h.split("#", 1)[1] for h in hrefs if "#" in h]


def shown_pages(page) -> list[str]:
    """The pages of the section results a reader sees, in order (documents/chapter)."""
    hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link",
                                      "els => els.filter(e => e.checkVisibility()).map(e => e.getAttribute('href'))")
    return [h.split("#", 1)[0] for h in hrefs if "#" in h]


@pytest.mark.parametrize("persona, query, answers", [(p, q, a) for p, q, a, _, _ in READER_QUERIES],
                         ids=[f"{p}: {q}" for p, q, *_ in READER_QUERIES])
def test_reader_query_finds_an_answer_in_the_first_three(search_page, persona, query, answers):
    shown = search(search_page, query)[:3]
    assert {a.split("/", 1)[1] for a in answers} & set(shown), f"{persona} typed {query!r} and saw {shown}"


def test_reader_queries_cover_every_persona_in_their_own_words():
    personas = {p for p, *_ in READER_QUERIES}
    assert personas == {"police", "teachers", "healthcare", "victims"}
    assert all(sum(p == persona for p, *_ in READER_QUERIES) >= 5 for persona in personas)
    assert sum(own for *_, own in READER_QUERIES) >= 15, "queries in words the guidance does not use"


@pytest.mark.parametrize("typed, meant", [("stalkng by proxy", "stalking-by-proxy"), ("harrassment", "stalking-offences"),
                                          ("interim ordre", "spo-interim-orders"), ("notifcation requirements", "spo-notification")])
def test_a_word_one_slip_away_finds_its_section(search_page, typed, meant):
    assert meant in search(search_page, typed)[:3]


@pytest.mark.parametrize("query", ["risk", "stalked by a colleague", "sharing information"])
def test_first_results_come_from_more_than_one_page(search_page, query):
    search(search_page, query)
    assert len(set(shown_pages(search_page)[:3])) >= 2


def test_there_are_enough_reader_queries():
    assert len(QUERIES) >= 25
    source = Path(__file__).read_text(encoding="utf-8")
    assert len(re.findall(r"# not in the text$", source, re.M)) >= 5


@pytest.mark.parametrize("query, expected", QUERIES.items(), ids=list(QUERIES))
def test_query_finds_its_section_in_the_top_three(search_page, query, expected):
    assert expected in search(search_page, query)[:3]


def test_each_result_names_its_document_and_role(search_page):
    search(search_page, "notification requirements")
    first = search_page.locator(".md-search-result__item").first
    assert first.locator("h2").first.inner_text() == "5.4 Notification requirements"
    assert first.locator(".md-tag").all_inner_texts()[:2] == ["Stalking guidance", "For police officers and staff"]
    search(search_page, "annex")  # both documents have annexes: the tags tell them apart
    documents = {tag for tag in search_page.locator(".md-search-result__item .md-tag").all_inner_texts()
                 if tag.endswith("guidance")}
    assert documents == {"Stalking guidance", "Right to Know guidance"}


def test_a_reader_can_limit_results_to_their_role(search_page):
    def shown_roles():
        return [tags[1] for tags in search_page.locator(".md-search-result__link:visible article").evaluate_all(
            "els => els.map(a => [...a.querySelectorAll('.md-tag')].map(t => t.textContent))") if len(tags) > 1]

    search(search_page, "risk")
    everyone = shown_roles()
    assert any("teachers" not in r and r != "For everyone" for r in everyone), "some results are for other roles"
    search_page.get_by_role("group", name="Show results for").get_by_label("Teachers and school staff").check()
    search_page.wait_for_function("/for teachers and school staff/.test(document.querySelector('.md-search-result__meta').textContent)")
    teachers = shown_roles()
    assert teachers and all("teachers" in r or r == "For everyone" for r in teachers)
    assert re.fullmatch(r"\d+ matching sections? for teachers and school staff",
                        search_page.locator(".md-search-result__meta").inner_text())
    search_page.get_by_label("Every role").check()
    search_page.wait_for_function(f"document.querySelectorAll('.md-search-result__link:not([hidden])').length > {len(teachers)}")


def test_index_holds_each_passage_once_and_no_withdrawn_notice_or_copies(built_site):
    index = json.loads((built_site / "search/search_index.json").read_text())
    locations = [d["location"] for d in index["docs"]]
    assert not [loc for loc in locations if re.match(r"for/[^/]+/[^/]+/", loc) or "print/" in loc or "editions/" in loc]
    sections = [s for d in pipeline.check(REPO).content.documents for s in d.sections()]
    published = {s.id for s in sections if s.status == "published"}
    anchors = [loc.split("#")[1] for loc in locations if "#" in loc]
    assert sorted(a for a in anchors if a in published) == sorted(published), "every published section, once"
    assert not {s.id for s in sections if s.status == "withdrawn"} & set(anchors)
