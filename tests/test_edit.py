"""Editing tools: fmt assigns ids and keeps comments; new section scaffolds a valid draft."""
from datetime import date

from click.testing import CliRunner

from builder import pipeline
from builder.cli import main
from builder.edit import new_section


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


def test_new_section_is_a_valid_draft_that_the_public_site_leaves_out(project):
    sid, rel, problem = new_section(project, "alpha", "schools", "Working with colleges", today=date(2026, 11, 28))
    assert problem is None and (sid, rel) == ("working-with-colleges", "content/alpha/02-schools.yaml")
    checked = pipeline.check(project)
    assert checked.problems == []
    section = next(s for s in checked.content.document("alpha").sections() if s.id == sid)
    assert (section.status, section.audiences, section.review_by) == ("draft", ["all"], "2027-11-28")
    again = run("new", "section", "alpha", "02-schools", "--title", "Working with colleges", "--root", project)
    assert again.exit_code == 0 and "working-with-colleges-2" in again.output


def test_new_section_explains_unknown_document_or_chapter(project):
    result = run("new", "section", "gamma", "x", "--title", "T", "--root", project)
    assert result.exit_code == 1 and "there is no document 'gamma'" in result.output and "alpha, beta" in result.output
    result = run("new", "section", "alpha", "nope", "--title", "T", "--root", project)
    assert result.exit_code == 1 and "basics, schools" in result.output
