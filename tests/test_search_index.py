"""What the public build gives Material's search (issue 15): withdrawal notices out of the index, each section
tagged with its document and role and carrying its roles for the filter, and the glossary's also_searched_as words
on the sections whose titles name the term; and a role page's bodies, written as {body, audiences}, checked."""
import json
import re

import pytest

from builder import pipeline
from conftest import write


def built_index(project) -> dict:
    checked, result = pipeline.build(project)
    assert result is not None and result.ok, result.problems if result else checked.problems
    return {e["location"]: e for e in json.loads((project / "site/search/search_index.json").read_text())["docs"]}


@pytest.mark.slow
def test_withdrawal_notices_are_not_search_results_but_stay_on_the_page(project):
    index = built_index(project)
    assert not [loc for loc in index if loc.endswith("#old-advice")]
    assert "Old advice" in (project / "site/alpha/schools/index.html").read_text(), "the notice is still shown"


@pytest.mark.slow
def test_sections_carry_their_document_roles_and_the_words_readers_use(project):
    glossary = project / "content/glossary.yaml"
    glossary.write_text(glossary.read_text().replace(
        "    expansion: stalking protection order\n",
        "    expansion: stalking protection order\n    also_searched_as: [injunction, court order]\n"))
    write(project, "content/alpha/03-orders.yaml", """id: orders
title: Orders
sections:
  - id: what-an-spo-is
    title: What a stalking protection order is
    audiences: [police]
    status: published
    review_by: 2099-01-01
    blocks:
      - id: ord1
        para: Police apply for one.
""")
    index = built_index(project)
    entry = index["alpha/orders/#what-an-spo-is"]
    assert entry["aka"] == "SPO injunction court order"
    assert entry["roles"] == ["police"]
    assert entry["tags"][1] == "For police officers and staff" and entry["title"].endswith("is"), "no label in the title"
    assert "injunction" in index["glossary/"]["aka"]
    assert all("aka" not in e for loc, e in index.items() if loc.startswith("alpha/basics/"))
    config = json.loads((project / "site/search/search_index.json").read_text())["config"]
    assert config["fields"]["aka"]["boost"] >= config["fields"]["title"]["boost"] > config["fields"]["tags"]["boost"]


def test_a_body_for_an_unknown_audience_is_a_positioned_problem(project):
    document = project / "content/alpha/document.yaml"
    document.write_text(document.read_text().replace(
        "  - Chief officers of police\n", "  - {body: Chief officers of police, audiences: [polis]}\n"))
    problems = [p for p in pipeline.check(project).problems if p.severity == "error"]
    assert [(p.code, p.pos.file, p.pos.line) for p in problems] == [("ref.audience", "content/alpha/document.yaml", 9)]
    assert "'polis' is not in audiences.yaml" in problems[0].message


@pytest.mark.slow
def test_dates_are_shown_on_the_page_but_left_out_of_the_search_index(project):
    """"Last updated …" on every chapter and section is for readers, not search: a date is never an answer, and
    the stamps were a tenth of the words the browser indexes at 5,000 sections (docs/performance.md)."""
    index = built_index(project)
    chapters = {loc: e for loc, e in index.items() if re.match(r"(?!for/)[^/#]+/[^/#]+/", loc)}  # doc/chapter/…
    sections = [e for loc, e in chapters.items() if "#" in loc]
    assert sections and len(chapters) > len(sections)
    assert [loc for loc, e in chapters.items() if "Last updated" in e["text"]] == []
    assert all(e["text"].startswith("<p>For:") for e in sections if "For:" in e["text"]), "the rest of the line stays"
    page = (project / "site/alpha/schools/index.html").read_text()
    assert page.count("Last updated") >= 2, "the chapter's and its sections' dates are still shown"
