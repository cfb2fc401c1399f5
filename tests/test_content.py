"""The real guidance in content/: clean, and no smaller than the consultation drafts must be."""
import re
from pathlib import Path

import pytest

from builder import pipeline

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def checked():
    return pipeline.check(ROOT)


def words(doc) -> int:
    texts = [s.title for s in doc.sections()] + [t for s in doc.sections() for b in s.blocks for t in b.texts()]
    return sum(len(re.findall(r"[A-Za-z0-9']+", re.sub(r"\[\[[^\]|]*\|?|\]\]", " ", t))) for t in texts)


def test_real_content_has_no_errors(checked):
    assert [f"{p.pos} {p.code} {p.message}" for p in checked.problems if p.severity == "error"] == []


@pytest.mark.parametrize("doc_id, sections, word_count", [("stalking", 40, 12_000), ("right-to-know", 15, 4_000)])
def test_documents_meet_their_minimum_size(checked, doc_id, sections, word_count):
    doc = checked.content.document(doc_id)
    assert len(list(doc.sections())) >= sections
    assert words(doc) >= word_count


@pytest.mark.parametrize("audience", ["police", "teachers", "healthcare"])
def test_each_audience_has_at_least_ten_sections_of_its_own(checked, audience):
    own = [s.id for d in checked.content.documents for s in d.sections() if audience in s.audiences]
    assert len(own) >= 10


def test_both_documents_are_drafts_for_consultation_and_exercise_the_draft_gate(checked):
    statuses = [s.status for d in checked.content.documents for s in d.sections()]
    assert statuses.count("published") > len(statuses) / 2
    assert "draft" in statuses
    for doc in checked.content.documents:
        assert "draft for consultation" in doc.status_note.lower()


def test_every_citation_points_at_legislation_gov_uk(checked):
    for act in checked.content.acts:
        assert act["url"].startswith("https://www.legislation.gov.uk/")
        assert all(p["url"].startswith("https://www.legislation.gov.uk/") for p in act["provisions"])


def test_every_service_has_name_phone_and_url(checked):
    assert checked.content.services
    for service in checked.content.services:
        assert service["name"] and re.fullmatch(r"[0-9 +]{3,20}", service["phone"]) and service["url"].startswith("https://")
