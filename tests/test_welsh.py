"""Welsh (issue 29): translations as content, staleness unit by unit, the diff, export and import, the Welsh site
under /cy/, publishing, and the preview. The fixture project with tests/fixtures/welsh/ laid over it holds a small
reviewed Welsh translation (one block missing, one draft)."""
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder import pipeline
from builder.cli import main
from builder.content.translation_files import XLIFF_NS
from builder.content.translations import fingerprint
from builder.review.diff import compare
from builder.review.diff_report import FORMATS
from builder.render.pages import Options
from builder.render.welsh import render_languages
from builder.review.translations import report
from tests.conftest import write
from tests.gitrepo import GitProject

WELSH = Path(__file__).parent / "fixtures" / "welsh"
ALPHA = "content/alpha/01-basics.yaml"
EDIT = ("Courts can make an [[term:SPO]].", "Courts can make an [[term:SPO]] quickly.")


def overlay(root: Path) -> Path:
    shutil.copytree(WELSH / "content", root / "content", dirs_exist_ok=True)
    return root


@pytest.fixture
def welsh(project) -> Path:
    return overlay(project)


def states(root: Path) -> dict[tuple, str]:
    checked = pipeline.check(root)
    assert not checked.failed(), checked.problems
    return {u.key: u.state for s in report(checked.content, "cy").sections for u in s.units}


def edit_paragraph(root: Path) -> None:
    path = root / ALPHA
    path.write_text(path.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")


def test_the_fixture_translation_is_valid_and_reported_unit_by_unit(welsh):
    found = states(welsh)
    assert found[("block", "alpha", "what-it-is", "aaa1")] == "reviewed"
    assert found[("block", "alpha", "for-police", "aaa6")] == "missing"
    assert found[("block", "alpha", "for-schools", "bbb1")] == "draft"
    assert found[("term", "SPO")] == "reviewed"
    assert "stale" not in found.values()


def test_editing_one_english_paragraph_makes_exactly_its_welsh_unit_stale(welsh):
    before = states(welsh)
    edit_paragraph(welsh)
    after = states(welsh)
    assert {k: (before[k], v) for k, v in after.items() if before[k] != v} == {
        ("block", "alpha", "what-it-is", "aaa1"): ("reviewed", "stale")}
    result = CliRunner().invoke(main, ["translations", "alpha", "--root", str(welsh)])
    assert result.exit_code == 0, result.output  # alpha does not require Welsh
    assert re.search(r"stale +block aaa1\n +English added: quickly\n", result.output)
    assert result.output.count("stale ") == 1
    data = json.loads(CliRunner().invoke(main, ["translations", "--root", str(welsh), "--format", "json"]).output)
    stale = [u for s in data["sections"] for u in s["units"] if u["state"] == "stale"]
    assert [(u["key"], u["added"], u["removed"]) for u in stale] == [(["block", "alpha", "what-it-is", "aaa1"],
                                                                       ["quickly"], [])]


def test_translations_exits_1_when_a_required_document_lacks_reviewed_welsh(welsh):
    doc = welsh / "content/alpha/document.yaml"
    doc.write_text(doc.read_text().replace('version: "1.0"', 'languages: [en, cy]\nversion: "1.0"', 1))
    result = CliRunner().invoke(main, ["translations", "alpha", "--root", str(welsh)])
    assert result.exit_code == 1
    assert "error [translation.required] 2 published unit(s)" in result.output  # aaa6 missing, bbb1 draft


@pytest.mark.parametrize("change, code", [
    (("id: aaa3", "id: zzz9"), "translation.unknown-block"),
    (("Gwiriwch fod y galwr yn ddiogel.", "Gwiriwch.\n            - Ychwanegol."), "translation.shape"),
    (("fingerprint: ", "fingerprint: 000000"), "schema.pattern"),
    (("Mae stelcio yn drosedd o dan [[law:pha-1997/s2A]].", "Mae stelcio yn drosedd."), "translation.references"),
    (("title: Beth yw stelcio", "title: Beth yw <b>stelcio</b>"), "schema.pattern"),
    (("loetran ger cartref", "<script>x</script> ger cartref"), "text.html"),
])
def test_a_faulty_translation_is_a_positioned_problem(welsh, change, code):
    path = welsh / "content/alpha/cy/01-basics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--root", str(welsh)])
    assert result.exit_code == 1
    assert re.search(rf"content/alpha/cy/01-basics\.yaml:\d+:\d+: error \[{re.escape(code)}\]", result.output), \
        result.output


def test_a_translation_of_an_english_id_that_does_not_exist_names_the_id(welsh):
    path = welsh / "content/cy/glossary.yaml"
    path.write_text(path.read_text().replace("id: SPO", "id: SPOO"))
    result = CliRunner().invoke(main, ["validate", "--root", str(welsh)])
    assert "error [translation.unknown-term] term SPOO does not exist in the English" in result.output
    assert "Did you mean SPO?" in result.output


@pytest.mark.slow
def test_the_diff_says_which_welsh_units_a_change_makes_stale(tmp_path):
    project = GitProject(tmp_path / "repo")
    overlay(project.root)
    project.commit("Welsh", "2026-11-02")
    from builder.history.git import content_at, worktree_content

    before, _ = content_at(project.repo, "", "HEAD")
    edit_paragraph(project.root)
    after, _ = worktree_content(project.root)
    diff = compare(before, after)
    assert [(t["language"], t["unit"], t["added"]) for t in diff.stale_translations] == [("cy", "block aaa1", ["quickly"])]
    assert json.loads(FORMATS["json"](diff))["stale_translations"] == diff.stale_translations
    for fmt, report_of in FORMATS.items() - {("json", FORMATS["json"])}:
        assert "cy alpha/what-it-is block aaa1 (reviewed): added: quickly" in report_of(diff), fmt
    result = CliRunner().invoke(main, ["diff", "HEAD", "--root", str(project.root), "--format", "json"])
    assert json.loads(result.output)["stale_translations"][0]["unit"] == "block aaa1"
    project.close()


def test_export_and_import_xliff_round_trip(welsh, tmp_path):
    out = tmp_path / "cy.xlf"
    result = CliRunner().invoke(main, ["translations", "alpha", "--root", str(welsh), "--export", str(out)])
    assert result.exit_code == 0, result.output
    ns = {"x": XLIFF_NS}
    tree = ET.parse(out)
    units = {u.get("id"): u for u in tree.getroot().iterfind(".//x:unit", ns)}
    assert "block/alpha/for-police/aaa6" in units and "block/alpha/what-it-is/aaa1" not in units
    bbb1 = units["block/alpha/for-schools/bbb1"]
    assert bbb1.find("x:segment/x:target", ns).text.startswith("Dylai staff")  # the previous Welsh, to start from
    aaa6 = units["block/alpha/for-police/aaa6"].find("x:segment", ns)
    assert aaa6.find("x:source", ns).text == "See [[section:for-schools]] and call [[service:helpline]]."
    ET.SubElement(aaa6, f"{{{XLIFF_NS}}}target").text = "Gweler [[section:for-schools]] a ffoniwch [[service:helpline]]."
    aaa6.set("state", "reviewed")
    tree.write(out, encoding="utf-8", xml_declaration=True)
    result = CliRunner().invoke(main, ["translations", "alpha", "--root", str(welsh), "--import", str(out)])
    assert result.exit_code == 0, result.output
    assert states(welsh)[("block", "alpha", "for-police", "aaa6")] == "reviewed"
    assert states(welsh)[("block", "alpha", "for-schools", "bbb1")] == "draft"  # its segment was left initial
    text = (welsh / "content/alpha/cy/01-basics.yaml").read_text()
    assert text.index("id: aaa5") < text.index("id: aaa6")  # in the English's order
    assert CliRunner().invoke(main, ["validate", "--root", str(welsh)]).exit_code == 0
    assert CliRunner().invoke(main, ["fmt", "--check", "--root", str(welsh)]).exit_code == 0  # laid out as fmt does


def test_an_import_is_checked_like_any_content_and_writes_nothing_when_it_fails(welsh, tmp_path):
    before = (welsh / "content/alpha/cy/01-basics.yaml").read_text()
    sheet = tmp_path / "cy.csv"
    sheet.write_text("unit,part,translation,status\n"
                     "block/alpha/for-police/aaa6,para,Gweler <b>hwn</b> [[section:for-schools]] [[service:helpline]].,reviewed\n"
                     "block/alpha/nothing/zzz1,para,Dim,reviewed\n")
    result = CliRunner().invoke(main, ["translations", "--root", str(welsh), "--import", str(sheet)])
    assert result.exit_code == 1
    assert "[text.html]" in result.output and "[translation.unknown-unit]" in result.output
    assert "Nothing was imported." in result.output
    assert (welsh / "content/alpha/cy/01-basics.yaml").read_text() == before


def test_csv_export_lists_english_and_previous_welsh(welsh, tmp_path):
    out = tmp_path / "cy.csv"
    assert CliRunner().invoke(main, ["translations", "--root", str(welsh), "--export", str(out)]).exit_code == 0
    rows = out.read_text().splitlines()
    assert rows[0] == "unit,part,state,english,previous,translation,status"
    assert any(r.startswith("block/alpha/for-schools/bbb1,para,draft,Staff should") and "Dylai staff" in r for r in rows)


def _block(page: str, block_id: str) -> str:
    """One block of a rendered page: from its opening tag to the next block's."""
    return page.split(f'id="p-{block_id}"')[1].split('class="gd-block')[0]


def test_a_block_shown_in_english_reads_its_references_in_english(welsh):
    """A Welsh page shows a block with no current translation in English, marked lang="en": the words its
    references bring (a glossary term spelled out, a section's title, an audience's name) are English too, not the
    Welsh registries' inside an English sentence. The Welsh blocks beside it keep the Welsh."""
    english = yaml.safe_load((welsh / "content/audiences.yaml").read_text(encoding="utf-8"))["audiences"][0]
    slots = {f: english[f] for f in ("name", "includes", "needs")}
    write(welsh, "content/cy/audiences.yaml", yaml.safe_dump({"entries": [
        {"id": "police", "status": "reviewed", "fingerprint": fingerprint(slots), "english": slots,
         "name": "Swyddogion a staff yr heddlu", "includes": "Swyddogion a staff heddluoedd Cymru a Lloegr.",
         "needs": "Sut i adnabod stelcio yn gynnar."}]}, allow_unicode=True, sort_keys=False))
    edit_paragraph(welsh)  # aaa1's Welsh is stale now
    path = welsh / ALPHA  # and aaa2's (a list with a note for police)
    path.write_text(path.read_text(encoding="utf-8").replace("loitering near a home or school",
                                                             "loitering near a home, school or workplace"))
    checked = pipeline.check(welsh)
    assert not checked.failed(), checked.problems
    pages = render_languages(checked.content, Options())["cy"].pages
    basics = pages["alpha/basics.md"]

    aaa1 = _block(basics, "aaa1")
    assert ' lang="en"' in aaa1.split(">")[0]
    assert "Courts can make a stalking protection order (" in aaa1
    assert '<abbr title="stalking protection order">SPO</abbr>' in aaa1 and "gorchymyn" not in aaa1
    assert "See" in _block(basics, "aaa6") and "2.1 In schools</a>" in _block(basics, "aaa6")
    assert "<strong>For police officers and staff:</strong> Record it as stalking" in _block(basics, "aaa2")
    assert "#what-it-is\">1.1 What stalking is</a>" in _block(pages["beta/only.md"], "ccc1")

    # Welsh where the Welsh is current: the glossary, the audience's name, a section's Welsh title
    assert "gorchymyn amddiffyn rhag stelcio" in pages["glossary.md"]
    assert "Guidance for swyddogion a staff yr heddlu" in pages["for/police/index.md"]
    assert "## 1.1 Beth yw stelcio" in basics


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


@pytest.mark.slow
def test_the_welsh_site_has_a_page_for_every_english_page_linked_both_ways(welsh):
    edit_paragraph(welsh)  # aaa1's Welsh is now stale
    checked, result = pipeline.build(welsh)
    assert result is not None and result.ok, [str(p) for p in checked.problems + result.problems]
    site = welsh / "site"
    english = {p for p in _pages(site) if not p.startswith("cy/")}
    assert {p.removeprefix("cy/") for p in _pages(site) if p.startswith("cy/")} == english
    for rel in sorted(english - {"404.html"}):
        page, cy = (site / rel).read_text(), (site / "cy" / rel).read_text()
        assert '<html lang="en"' in page and '<html lang="cy"' in cy, rel
        base = "/".join([".."] * rel.count("/")) or "."
        url = rel.removesuffix("index.html")
        assert f'<a href="{base}/cy/{url}" hreflang="cy" lang="cy">' in page, rel
        assert f'<link rel="alternate" hreflang="cy" href="{base}/cy/{url}">' in page, rel
        assert f'<a href="{base}/../{url}" hreflang="en" lang="en">' in cy and 'aria-label="Dewis iaith"' in cy, rel
        assert f'<link rel="alternate" hreflang="en" href="{base}/../{url}">' in cy, rel
    chapter = (site / "cy/alpha/basics/index.html").read_text()
    assert "Beth yw stelcio" in chapter and "Cwblhewch yr asesiad risg." in chapter
    # the stale Welsh of aaa1 is not shown as current: its English is, marked, with the Welsh notice
    assert "Mae stelcio yn drosedd" not in chapter
    aaa1 = chapter.split('id="p-aaa1"')[1].split('class="gd-block')[0]
    assert 'class="gd-untranslated-note" lang="cy"' in aaa1 and "Stalking is a crime under" in aaa1
    assert "Dylai staff" not in (site / "cy/alpha/schools/index.html").read_text()  # a draft: preview only
    index = json.loads((site / "cy/search/search_index.json").read_text())
    assert any(d["title"] == "1.1 Beth yw stelcio" for d in index["docs"])
    sitemap = (site / "sitemap.xml").read_text()
    assert "https://guidance.example/cy/alpha/basics/" in sitemap and "https://guidance.example/alpha/basics/" in sitemap
    assert "Zebra quartz" not in "".join(p.read_text() for p in (site / "cy").rglob("*.html"))


@pytest.mark.slow
def test_a_project_without_translations_has_no_welsh_site_and_no_switch(project):
    checked, result = pipeline.build(project)
    assert result.ok
    site = project / "site"
    assert not (site / "cy").exists()
    assert not any("gd-language" in p.read_text() or "hreflang" in p.read_text() for p in site.rglob("*.html"))


@pytest.mark.slow
def test_a_major_edition_is_refused_while_required_welsh_is_missing(tmp_path):
    project = GitProject(tmp_path / "repo")
    overlay(project.root)
    project.replace("content/alpha/document.yaml", 'version: "1.0"', 'languages: [en, cy]\nversion: "1.0"')
    project.commit("Require Welsh", "2026-11-02")
    args = ["publish", "alpha", "--version", "1.1", "--note", "Welsh", "--allow-empty", "--dry-run",
            "--root", str(project.root)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert re.search(r"01-basics\.yaml:\d+:\d+: error \[publish\.translation\] block aaa6 of for-police "
                     r"\(Police response\) has a missing cy translation", result.output)
    assert "block bbb1 of for-schools (In schools) has a draft cy translation" in result.output
    assert "Nothing was published." in result.output
    assert CliRunner().invoke(main, [*args, "--minor"]).exit_code == 0
    project.close()


@pytest.mark.slow
def test_the_preview_serves_welsh_with_drafts(tmp_path):
    import threading
    import urllib.request

    from builder.preview.server import serve

    root = overlay(tmp_path / "project")
    shutil.copytree(Path(__file__).parent / "fixtures/site/content", root / "content", dirs_exist_ok=True)
    shutil.copy(Path(__file__).parent / "fixtures/site/mkdocs.yml", root / "mkdocs.yml")
    overlay(root)
    ready, stop, url, lines = threading.Event(), threading.Event(), {}, []
    thread = threading.Thread(target=serve, args=(root, 0), daemon=True,
                              kwargs=dict(echo=lines.append, stop=stop,
                                          on_ready=lambda a: (url.setdefault("base", a), ready.set())))
    thread.start()
    try:
        assert ready.wait(120), lines
        page = urllib.request.urlopen(url["base"].rstrip("/") + "/cy/alpha/schools/").read().decode()
        assert '<html lang="cy"' in page and "Dylai staff drosglwyddo" in page and "Cyfieithiad drafft" in page
        english = urllib.request.urlopen(url["base"].rstrip("/") + "/alpha/schools/").read().decode()
        assert 'hreflang="cy" lang="cy"' in english
    finally:
        stop.set()
        thread.join(60)


def test_new_files_are_reported_as_translations_not_unexpected(welsh):
    write(welsh, "content/alpha/cy/03-none.yaml", "id: nothing-here\n")
    result = CliRunner().invoke(main, ["validate", "--root", str(welsh)])
    assert "translation.unknown-chapter" in result.output and "load.unexpected-file" not in result.output


def test_fmt_and_new_section_keep_the_welsh_files_in_step(welsh):
    path = welsh / "content/alpha/cy/01-basics.yaml"
    text = path.read_text()
    first, second = text.index("  - id: what-it-is"), text.index("  - id: for-police")
    path.write_text(text[:first] + text[second:] + text[first:second])  # sections out of the English's order
    assert CliRunner().invoke(main, ["fmt", "--root", str(welsh)]).exit_code == 0
    assert path.read_text() == text
    result = CliRunner().invoke(main, ["new", "section", "alpha", "basics", "--title", "Support at court",
                                       "--root", str(welsh)])
    assert result.exit_code == 0, result.output
    assert path.read_text().endswith("  - id: support-at-court\n")
    assert states(welsh)[("section", "alpha", "support-at-court")] == "missing"
    assert CliRunner().invoke(main, ["fmt", "--check", "--root", str(welsh)]).exit_code == 0


def test_the_real_draft_welsh_shows_in_the_preview_and_not_on_the_public_site():
    from builder.render.pages import Options
    from builder.render.welsh import render_languages
    from tests.conftest import REPO

    checked = pipeline.check(REPO)
    assert not checked.failed()
    assert all(d.languages == ["en"] for d in checked.content.documents)  # neither document requires Welsh
    found = report(checked.content, "cy")
    drafts = {u.key[1] for s in found.sections for u in s.units if u.state == "draft"}
    assert drafts == {"right-to-know", "stalking"} and "reviewed" not in {u.state for s in found.sections
                                                                           for u in s.units}
    assert render_languages(checked.content, Options(site_url="https://guidance.example/")) == {}
    preview = render_languages(checked.content, Options(preview=True))["cy"]
    page = preview.pages["right-to-know/information-for-victims.md"]
    assert "Os nad ydych chi'n gwybod pwy sy'n eich stelcio" in page and "Cyfieithiad drafft" in page


@pytest.mark.slow
def test_a_welsh_archived_edition_keeps_the_welsh_it_published(tmp_path):
    project = GitProject(tmp_path / "repo")
    overlay(project.root)
    project.commit("Welsh", "2026-11-02")
    project.git("tag", "alpha/v1.0")
    edit_paragraph(project.root)
    project.replace("content/alpha/cy/01-basics.yaml", "Gall llysoedd wneud [[term:SPO]].",
                    "Gall llysoedd wneud [[term:SPO]] yn gyflym.")
    project.replace("content/alpha/document.yaml", 'version: "1.0"', 'version: "1.1"')
    project.replace("content/alpha/document.yaml", "    major: true\n",
                    '    major: true\n  - version: "1.1"\n    date: 2026-11-03\n    note: Quicker.\n    major: true\n')
    project.commit("Edition 1.1", "2026-11-03")
    checked, result = pipeline.build(project.root)
    assert result is not None and result.ok, [str(p) for p in checked.problems + (result.problems if result else [])]
    archived = (project.root / "site/cy/alpha/editions/1.0/index.html").read_text()
    assert '<html lang="cy"' in archived and "Gall llysoedd wneud" in archived and "yn gyflym" not in archived
    current = (project.root / "site/cy/alpha/basics/index.html").read_text()
    assert "gd-untranslated" in current.split('id="p-aaa1"')[1].split('class="gd-block')[0]  # stale: English
    project.close()
