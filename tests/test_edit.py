"""Editing tools: fmt lays files out canonically, assigns ids and keeps comments; new section scaffolds a valid draft
in the file's own layout; status moves a section between states; none of them writes through a link, and all of them
work from any folder inside the project."""
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.cli import main
from builder.content.edit import new_section


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_fmt_assigns_missing_ids_and_keeps_comments(project):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("      - id: aaa2\n        list:", "      - list:"))
    assert [p.code for p in pipeline.check(project).problems] == ["ids.missing"]
    check = run("fmt", "--check", "--root", project)
    assert check.exit_code == 1 and "content/alpha/01-basics.yaml: would be reformatted" in check.output
    assert run("fmt", "--root", project).exit_code == 0
    text = chapter.read_text()
    assert text.startswith("# A comment that fmt must keep.\n")
    assert pipeline.check(project).problems == []
    assert run("fmt", "--check", "--root", project).exit_code == 0


def test_fmt_leaves_unreadable_files_alone(project):
    bad = project / "content/alpha/03-bad.yaml"
    bad.write_text("id: [unclosed\n")
    result = run("fmt", "--root", project)
    assert result.exit_code == 1 and "load.syntax" in result.output
    assert bad.read_text() == "id: [unclosed\n"


def _only_the_placeholder(problems) -> bool:
    """A new section is valid: its one problem is the placeholder text it holds for the editor to replace."""
    return [(p.severity, p.code) for p in problems] == [("warning", "content.placeholder")]


def test_new_section_is_a_valid_draft_that_the_public_site_leaves_out(project):
    sid, rel, problem = new_section(project, "alpha", "schools", "Working with colleges", today=date(2026, 11, 28))
    assert problem is None and (sid, rel) == ("working-with-colleges", "content/alpha/02-schools.yaml")
    checked = pipeline.check(project)
    assert _only_the_placeholder(checked.problems)
    section = next(s for s in checked.content.document("alpha").sections() if s.id == sid)
    assert (section.status, section.audiences, section.review_by) == ("draft", ["all"], "2027-11-28")
    again = run("new", "section", "alpha", "02-schools", "--title", "Working with colleges", "--root", project)
    assert again.exit_code == 0 and "working-with-colleges-2" in again.output


def test_new_section_explains_unknown_document_or_chapter(project):
    result = run("new", "section", "gamma", "x", "--title", "T", "--root", project)
    assert result.exit_code == 1 and "there is no document 'gamma'" in result.output and "alpha, beta" in result.output
    result = run("new", "section", "alpha", "nope", "--title", "T", "--root", project)
    assert result.exit_code == 1 and "basics, schools" in result.output


# --- chapters given the way editors give them, from any folder ----------------------------------------------------

@pytest.mark.parametrize("args", [
    ("alpha", "schools"), ("alpha", "02-schools"), ("alpha", "02-schools.yaml"),
    ("alpha", "content/alpha/02-schools.yaml"), ("content/alpha/02-schools.yaml",),
])
def test_new_section_takes_the_chapter_by_id_file_name_or_path(project, args):
    result = run("new", "section", *args, "--title", "Working with colleges", "--root", project)
    assert result.exit_code == 0, result.output
    assert "Added draft section 'working-with-colleges' to content/alpha/02-schools.yaml" in result.output
    assert _only_the_placeholder(pipeline.check(project).problems)


def test_commands_work_from_any_folder_inside_the_project(project, monkeypatch):
    (project / "content/alpha/notes").mkdir()
    monkeypatch.chdir(project / "content/alpha/notes")
    added = run("new", "section", "../02-schools.yaml", "--title", "From a subfolder")
    assert added.exit_code == 0, added.output
    assert "content/alpha/02-schools.yaml" in added.output
    validated = run("validate")
    assert validated.exit_code == 0 and "warning [content.placeholder]" in validated.output
    assert run("status", "from-a-subfolder", "ready").exit_code == 0
    assert run("fmt", "--check").exit_code == 0


def test_outside_a_project_the_commands_say_where_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "content: error [load.no-content] there is no content/ folder here"


# --- the scaffold: any title stored faithfully, in the file's own layout, whatever the other chapters hold ----------

@pytest.mark.parametrize("title", ["Risk: what to ask", "'Quoted' # not a comment", "- a dash", "50% of victims",
                                   "“Curly” quotes and an é"])
def test_any_plain_title_reads_back_exactly(project, title):
    sid, rel, problem = new_section(project, "alpha", "schools", title)
    assert problem is None
    checked = pipeline.check(project)
    assert _only_the_placeholder(checked.problems)
    assert next(s for s in checked.content.document("alpha").sections() if s.id == sid).title == title


@pytest.mark.parametrize("title", ["Hello {world}", "A <b>bold</b> title", "two\nlines", "   ", "x" * 201])
def test_a_title_the_schema_rejects_is_refused_and_nothing_is_written(project, title):
    before = (project / "content/alpha/02-schools.yaml").read_bytes()
    result = run("new", "section", "alpha", "schools", "--title", title, "--root", project)
    assert result.exit_code == 1 and "error [new.title]" in result.output and "Traceback" not in result.output
    assert (project / "content/alpha/02-schools.yaml").read_bytes() == before


@pytest.mark.parametrize("other", ["", "- just\n- a list\n", "id: [unclosed\n", "sections: 3\n"])
def test_new_section_ignores_what_the_other_chapters_hold(project, other):
    (project / "content/alpha/03-other.yaml").write_text(other)
    result = run("new", "section", "alpha", "schools", "--title", "Still works", "--root", project)
    assert result.exit_code == 0 and "Added draft section 'still-works'" in result.output


def test_new_section_refuses_an_unreadable_chapter_and_writes_nothing(project):
    chapter = project / "content/alpha/02-schools.yaml"
    chapter.write_text("id: schools\ntitle: [unclosed\n")
    result = run("new", "section", "alpha", "02-schools", "--title", "T", "--root", project)
    assert result.exit_code == 1 and "error [new.unreadable-chapter]" in result.output
    assert chapter.read_text() == "id: schools\ntitle: [unclosed\n"


def test_the_scaffold_follows_the_files_layout(project):
    chapter = project / "content/alpha/02-schools.yaml"
    chapter.write_text(chapter.read_text().replace("audiences: [teachers]", "audiences:\n      - teachers"))
    new_section(project, "alpha", "schools", "Block layout", today=date(2026, 11, 28))
    assert "  - id: block-layout\n    title: Block layout\n    audiences:\n      - all\n    status: draft\n" \
           "    review_by: 2027-11-28\n" in chapter.read_text()
    canonical = project / "content/alpha/01-basics.yaml"
    new_section(project, "alpha", "basics", "Flow layout", today=date(2026, 11, 28))
    assert "    audiences: [all]\n    status: draft\n    review_by: 2027-11-28\n" in canonical.read_text()


def test_no_write_goes_through_a_link(project, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((project / "content/alpha/02-schools.yaml").read_text())
    (project / "content/alpha/03-linked.yaml").symlink_to(outside)
    before = outside.read_bytes()
    added = run("new", "section", "alpha", "03-linked", "--title", "Through a link", "--root", project)
    assert added.exit_code == 1 and "there is no chapter '03-linked'" in added.output
    fmt = run("fmt", "--root", project)
    assert fmt.exit_code == 1 and "content/alpha/03-linked.yaml: error [load.not-a-file]" in fmt.output
    assert outside.read_bytes() == before


def test_no_write_goes_through_a_linked_document_folder(project, tmp_path):
    outside = tmp_path / "gamma"
    shutil.copytree(project / "content/beta", outside)
    (project / "content/gamma").symlink_to(outside)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    result = run("new", "section", "content/gamma/01-only.yaml", "--title", "Through a folder link", "--root", project)
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


# --- fmt makes the layout one across files ------------------------------------------------------------------------

def test_fmt_makes_lists_and_dates_canonical_and_keeps_comments(project):
    chapter = project / "content/alpha/02-schools.yaml"
    text = chapter.read_text()
    chapter.write_text(text.replace("audiences: [teachers]\n    status: published",
                                    "audiences:\n      - teachers\n    status: published  # checked", 1)
                       .replace("date: 2026-10-01", "date: '2026-10-01'"))
    assert run("fmt", "--check", "--root", project).exit_code == 1
    assert run("fmt", "--root", project).exit_code == 0
    assert chapter.read_text() == text.replace("status: published", "status: published  # checked", 1)
    assert run("fmt", "--check", "--root", project).exit_code == 0


def test_fmt_leaves_an_impossible_date_quoted_for_validate_to_report(project):
    chapter = project / "content/alpha/02-schools.yaml"
    chapter.write_text(chapter.read_text().replace("date: 2026-10-01", "date: '2026-02-30'"))
    run("fmt", "--root", project)
    assert "date: '2026-02-30'" in chapter.read_text()


# --- guidance status ------------------------------------------------------------------------------------------------

def test_status_moves_a_section_and_keeps_comments(project):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("    status: draft\n", "    status: draft  # waiting for legal\n"))
    before = chapter.read_text()
    result = run("status", "secret-draft", "ready", "--root", project)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Section 'secret-draft' in content/alpha/01-basics.yaml: draft → ready."
    assert "review.missing" in result.output, "it says what ready still needs"
    assert chapter.read_text() == before.replace("status: draft  #", "status: ready  #")
    assert [p.code for p in pipeline.check(project).problems] == ["review.missing"]
    assert run("status", "alpha/secret-draft", "draft", "--root", project).exit_code == 0
    assert chapter.read_text() == before


def test_withdrawing_needs_a_reason_and_leaving_withdrawn_removes_it(project):
    chapter = project / "content/alpha/02-schools.yaml"
    missing = run("status", "old-advice", "withdrawn", "--root", project)
    assert missing.exit_code == 1 and "error [status.withdrawn-reason]" in missing.output
    assert run("status", "old-advice", "draft", "--root", project).exit_code == 0
    assert "withdrawn:" not in chapter.read_text() and pipeline.check(project).problems == []
    reason = "Replaced by [[section:for-schools]]: read that instead."
    assert run("status", "old-advice", "withdrawn", "--reason", reason, "--root", project).exit_code == 0
    checked = pipeline.check(project)
    assert checked.problems == []
    section = next(s for s in checked.content.document("alpha").sections() if s.id == "old-advice")
    assert section.withdrawn == {"date": date.today().isoformat(), "reason": reason}


def test_status_refuses_what_it_must_not_do(project):
    before = {p: p.read_bytes() for p in (project / "content").rglob("*.yaml")}
    published = run("status", "what-it-is", "draft", "--root", project)
    assert published.exit_code == 1 and "error [status.published]" in published.output
    assert published.output.startswith("content/alpha/01-basics.yaml:9:13: error")
    unknown = run("status", "nowhere", "ready", "--root", project)
    assert unknown.exit_code == 1 and "there is no section 'nowhere'" in unknown.output
    assert run("status", "what-it-is", "published", "--root", project).exit_code == 2
    assert {p: p.read_bytes() for p in (project / "content").rglob("*.yaml")} == before


def test_status_and_new_section_keep_windows_line_endings(project):
    chapter = project / "content/alpha/02-schools.yaml"
    chapter.write_bytes(chapter.read_bytes().replace(b"\n", b"\r\n"))
    assert run("new", "section", "alpha", "schools", "--title", "Kept", "--root", project).exit_code == 0
    assert run("status", "kept", "ready", "--root", project).exit_code == 0
    data = chapter.read_bytes()
    assert b"status: ready\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
