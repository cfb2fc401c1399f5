"""The real guidance in content/: clean, no smaller than the consultation drafts must be, and built as readers see
it: the offences annex from the registry, a mark on every provision not in force, each role's own view."""
import html
import re
import shutil
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


@pytest.mark.parametrize("doc_id, sections, word_count", [("stalking", 87, 15_000), ("right-to-know", 37, 5_300)])
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


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The public site built from a copy of the real project, as readers will see it."""
    root = tmp_path_factory.mktemp("real") / "project"
    shutil.copytree(ROOT / "content", root / "content")
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    checked, result = pipeline.build(root)
    assert result is not None and result.ok, [f"{p.pos} {p.message}" for p in checked.problems] + \
        [str(p) for p in (result.problems if result else [])]
    return result.out_dir


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _table(page: str, caption: str) -> list[list[str]]:
    start = page.index(caption)
    body = page[start:page.index("</table>", start)]
    return [[_plain(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.mark.slow
def test_the_offences_annex_is_generated_from_the_registry(checked, site):
    annex = next(s for s in checked.content.document("stalking").sections() if s.id == "annex-offences-orders")
    table = next(b.value for b in annex.blocks if b.kind == "table")
    assert table["rows"] == [] and table["registry"] == "offences", "the annex has no hand-written rows to drift"
    expected = [(_plain(p["offence"]), p["label"], p["max_penalty"]) for a in checked.content.acts
                for p in a["provisions"] if p.get("offence")]
    rows = _table((site / "stalking/annexes/index.html").read_text(), "Stalking offences, orders")
    assert rows[0] == ["Offence or order", "Provision", "Maximum penalty", "Time limit for a prosecution"]
    assert [(r[0], r[1].split(" of the ")[0]) for r in rows[1:]] == [(o, label) for o, label, _ in expected]
    stalking = next(r for r in rows[1:] if r[1].startswith("section 2A "))
    assert stalking[2].startswith("Six months' imprisonment") and "six months" in stalking[3], stalking
    assert any(r[1].startswith("section 363 of the Sentencing Act 2020") for r in rows), "breach is s.363, not s.360"


def test_no_chapter_states_a_maximum_penalty_of_its_own(checked):
    """Penalties live in legislation.yaml only, so the text and the annex cannot disagree (issue 13)."""
    penalty = re.compile(r"\b(\d+|one|two|five|six|ten|twelve|51) (years?|months?|weeks?)'? imprisonment|51 weeks", re.I)
    found = [(s.id, t) for d in checked.content.documents for s in d.sections() for b in s.blocks
             for t in b.texts() if penalty.search(t)]
    assert found == []


def test_every_citation_of_a_provision_not_in_force_is_marked(checked, site):
    pending = {p["url"] for a in checked.content.acts for p in a["provisions"] if p.get("in_force") is False}
    in_force = {p["url"] for a in checked.content.acts for p in a["provisions"] if p.get("in_force", True)}
    assert pending and not pending & in_force
    marked = wrongly_marked = 0
    for page in site.rglob("*.html"):
        text = page.read_text()
        for m in re.finditer(r'<a [^>]*href="([^"]+)"[^>]*>.*?</a>(\s*<span class="gd-not-in-force">)?', text, re.S):
            if m.group(1) in pending:
                assert m.group(2), f"{page.relative_to(site)}: a citation of {m.group(1)} has no not-in-force mark"
                marked += 1
            elif m.group(1) in in_force and m.group(2):
                wrongly_marked += 1
    assert marked >= 10 and wrongly_marked == 0
    for doc in ("stalking", "right-to-know"):
        page = _plain((site / doc / "index.html").read_text())
        assert "To be issued under" in page and "(not yet in force)" in page
        assert "Who is expected to have regard to this guidance" in page


@pytest.mark.parametrize("role, bound", [("police", True), ("teachers", False), ("healthcare", False)])
def test_right_to_know_is_under_what_you_must_have_regard_to_only_for_police(site, role, bound):
    page = _plain((site / "for" / role / "index.html").read_text())
    expected_at = page.index("What you will be expected to have regard to")
    stalking = page.index("Multi-agency statutory guidance on stalking", expected_at)
    rtk = page.index("Right to Know guidance", expected_at)
    others = page.find("Guidance for others that shows what they will do")
    if bound:
        assert others == -1 and expected_at < stalking and expected_at < rtk
    else:
        assert expected_at < stalking < others < rtk


@pytest.mark.parametrize("section_id", ["other-agencies", "childrens-social-care", "housing-providers",
                                        "probation-stalking"])
def test_sections_for_other_agencies_do_not_pad_the_teachers_and_healthcare_views(checked, site, section_id):
    section = next(s for s in checked.content.document("stalking").sections() if s.id == section_id)
    assert not section.is_for("teachers") and not section.is_for("healthcare")
    assert f'id="{section_id}"' in (site / "for/police/stalking/index.html").read_text()
    for role in ("teachers", "healthcare"):
        assert f'id="{section_id}"' not in (site / "for" / role / "stalking/index.html").read_text()


@pytest.mark.parametrize("pattern", [r"SPO\]\] in every|in every stalking case|SPO\]\] in every case",
                                     r"16 to 19", r"close accounts"])
def test_advice_the_issue_found_repeated_is_given_once(checked, pattern):
    where = [s.id for d in checked.content.documents for s in d.sections() if s.status == "published"
             if any(re.search(pattern, t) for b in s.blocks for t in b.texts())]
    assert len(where) <= 1, where


@pytest.mark.parametrize("section_id, audience", [
    ("police-victims-code", "police"), ("police-charging-time-limits", "police"), ("police-bail-conditions", "police"),
    ("operation-encompass", "teachers"), ("under-16s-route", "teachers"), ("health-confidentiality", "healthcare"),
    ("health-interim-recording", "healthcare"), ("right-to-know/rtk-victim-rights", "police"),
    ("right-to-know/rtk-telling-the-person-named", "police"), ("right-to-know/rtk-timescales", "police")])
def test_what_each_profession_needs_is_published_in_its_view(site, section_id, audience):
    doc, _, sid = section_id.rpartition("/")
    assert f'id="{sid}"' in (site / "for" / audience / (doc or "stalking") / "index.html").read_text()
