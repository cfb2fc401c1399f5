"""guidance diff on real repositories: changes matched by stable ids, for whom, in all four formats."""
import json
import re

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.review.revisions import review
from builder.review.diff_report import COMMENT_LIMIT, as_text
from gitrepo import GitProject, clone, env

BASICS = "content/alpha/01-basics.yaml"
SCHOOLS = "content/alpha/02-schools.yaml"
EDIT = ("Courts can make an [[term:SPO]].", "Courts may make an [[term:SPO]] on application.")


def run(*args, day="2027-01-10"):
    return CliRunner(env=env(day)).invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def repo(tmp_path):
    project = GitProject(tmp_path / "repo", "2026-11-01")
    project.git("checkout", "-q", "-b", "edit")
    yield project
    project.close()


def sections(repo, *revisions):
    result = run("diff", *revisions, "--format", "json", "--root", repo.root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return data, {s["id"]: s for d in data["documents"] for s in d["sections"]}


@pytest.mark.slow
def test_a_reviewer_sees_an_edited_paragraph_in_every_format(repo):
    repo.replace(BASICS, *EDIT)
    start = repo.repo.git.rev_parse("--short", "main")

    text = run("diff", "--root", repo.root)
    assert text.exit_code == 0
    assert text.output == "\n".join([
        f"guidance diff: merge base with main ({start}) → working tree",
        "Published views affected: Alpha guidance (/alpha/), police officers and staff (/for/police/), "
        "teachers and school staff (/for/teachers/), healthcare staff (/for/healthcare/)",
        "",
        "Alpha guidance on stalking (alpha), version 1.0",
        "  ! published text changes without a new edition and change note; record one with: "
        "guidance publish alpha --version 1.1 --note \"…\"",
        "  view for police officers and staff (/for/police/alpha/): changes 1: 1.1 What stalking is (paragraph 1.1.1)",
        "  view for teachers and school staff (/for/teachers/alpha/): changes 1: 1.1 What stalking is (paragraph 1.1.1)",
        "  view for healthcare staff (/for/healthcare/alpha/): changes 1: 1.1 What stalking is (paragraph 1.1.1)",
        "  ~ 1.1 What stalking is [what-it-is] (published; for all; published text changes): 1 paragraph changed",
        "      1.1.1 [aaa1] changed: Stalking is a crime under section 2A of the Protection from Harassment Act 1997. "
        "Courts [-can-] {+may+} make an SPO {+on application+}.",
    ]) + "\n"
    assert "\x1b[" not in text.output, "no colour when the output is not a terminal"

    markdown = run("diff", "--format", "markdown", "--root", repo.root).output
    assert "| Alpha guidance | 1.1 What stalking is (`what-it-is`) | published | all | 1 paragraph changed | yes |" \
        in markdown
    assert "> [!WARNING]\n> **Alpha guidance on stalking**: published text changes without a new edition" in markdown
    assert ("<details>\n<summary><strong>1.1 What stalking is</strong> (<code>what-it-is</code>): 1 paragraph changed"
            "</summary>\n\n- 1.1.1 (aaa1) changed: Stalking is a crime under section 2A of the Protection from "
            "Harassment Act 1997. Courts <del>can</del> <ins>may</ins> make an SPO <ins>on application</ins>.\n\n"
            "</details>") in markdown
    assert markdown.startswith("<!-- guidance-diff -->\n"), "the hidden marker the workflow finds its comment by"
    assert "[[" not in markdown, "references are the words readers see"

    page = run("diff", "--format", "html", "--root", repo.root).output
    assert page.startswith("<!doctype html>\n<html lang=\"en\">") and page.rstrip().endswith("</html>")
    assert "Courts <del>can</del> <ins>may</ins> make an SPO <ins>on application</ins>." in page
    assert "<script" not in page and "http" not in page, "standalone: no scripts, no outside requests"

    data, found = sections(repo)
    assert data["views"] == ["police", "teachers", "healthcare"]
    assert data["documents"][0]["unannounced"] is True
    assert found["what-it-is"]["blocks"][0]["words"] == [
        {"op": "=", "text": "Stalking is a crime under section 2A of the Protection from Harassment Act 1997. Courts"},
        {"op": "-", "text": " can"}, {"op": "+", "text": " may"}, {"op": "=", "text": " make an SPO"},
        {"op": "+", "text": " on application"}, {"op": "=", "text": "."},
    ]


def test_colour_marks_removed_and_added_words_on_a_terminal(repo):
    repo.replace(BASICS, *EDIT)
    diff, _ = review(repo.root)
    assert "Courts \x1b[31m[-can-]\x1b[0m \x1b[32m{+may+}\x1b[0m make" in as_text(diff, colour=True)


def test_sections_are_matched_by_id_when_added_removed_moved_and_retitled(repo):
    basics = repo.path(BASICS).read_text()
    police = basics[basics.index("  - id: for-police"):basics.index("  - id: secret-draft")]
    basics = basics.replace(police, "").replace("title: What stalking is", "title: What stalking looks like")
    repo.path(BASICS).write_text(basics)
    schools = repo.path(SCHOOLS).read_text()
    schools = schools[:schools.index("  - id: old-advice")] + police + (
        "  - id: colleges\n    title: In colleges\n    audiences: [teachers]\n    status: draft\n    blocks:\n"
        "      - id: ccc1\n        para: Colleges follow the same steps.\n")
    repo.path(SCHOOLS).write_text(schools.replace("[[section:for-schools]]", "the schools section"))
    repo.commit("Restructure", "2027-01-10")

    data, found = sections(repo, "main", "edit")
    assert {sid: s["changes"] for sid, s in found.items()} == {
        "what-it-is": ["retitled"],
        "for-police": ["moved", "text"],
        "colleges": ["added"],
        "old-advice": ["removed"],
        "beta-one": ["text"],  # it links to what-it-is, and readers see the link as the section's new title
    }
    assert found["for-police"]["chapter"] == {"base": "basics", "head": "schools"}
    assert found["what-it-is"]["title_words"] == [{"op": "=", "text": "What stalking"},
                                                  {"op": "-", "text": " is"}, {"op": "+", "text": " looks like"}]
    assert (found["colleges"]["public"], found["colleges"]["views"]) == (False, []), "a new draft is not public yet"
    assert (found["old-advice"]["public"], found["old-advice"]["views"]) == (True, ["teachers"])
    assert found["for-police"]["summary"] == "moved from chapter basics to schools; 1 paragraph changed"


def test_paragraphs_moved_between_sections_and_within_one(repo):
    repo.replace(BASICS, "      - id: aaa6\n        para: See [[section:for-schools]] and call [[service:helpline]].\n", "")
    repo.replace(SCHOOLS, "      - id: bbb1\n", "      - id: aaa6\n        para: See [[section:for-schools]] and "
                 "call [[service:helpline]].\n      - id: bbb1\n")
    basics = repo.path(BASICS).read_text()
    first = basics[basics.index("      - id: aaa1"):basics.index("      - id: aaa2")]
    repo.path(BASICS).write_text(basics.replace(first, "").replace("  - id: for-police", first + "  - id: for-police"))
    data, found = sections(repo)
    moves = {(sid, b["id"]): (b["change"], b["where"]) for sid, s in found.items() for b in s["blocks"]}
    assert moves == {("what-it-is", "aaa1"): ("moved", ""), ("for-police", "aaa6"): ("moved-out", "for-schools"),
                     ("for-schools", "aaa6"): ("moved-in", "for-police")}
    assert found["for-schools"]["views"] == ["teachers"]


def test_status_audience_and_note_changes_say_which_views_change(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.replace(SCHOOLS, "audiences: [teachers]", "audiences: [teachers, healthcare]")
    repo.replace(BASICS, "police: Record it as stalking, not harassment.", "police: Record it as stalking.")
    data, found = sections(repo)
    assert found["secret-draft"]["changes"] == ["status"] and found["secret-draft"]["public"] is False
    assert found["for-schools"]["changes"] == ["audiences"]
    assert found["for-schools"]["views"] == ["teachers", "healthcare"]
    assert found["what-it-is"]["views"] == ["police"], "only the police note changed"
    assert found["what-it-is"]["blocks"][0]["notes"] == {"police": [
        {"op": "=", "text": "Record it as stalking"}, {"op": "-", "text": ", not harassment"}, {"op": "=", "text": "."}]}
    assert data["views"] == ["police", "teachers", "healthcare"]
    roles = data["documents"][0]["roles"]
    assert roles["police"]["changes"] == ["1.1 What stalking is (paragraph 1.1.2)"], "its note changed"
    assert roles["teachers"] == {"gains": [], "losses": [], "changes": ["2.1 In schools"]}, "its audiences changed"
    assert roles["healthcare"] == {"gains": ["2.1 In schools"], "losses": [], "changes": []}


def test_a_draft_only_change_touches_no_published_view(repo):
    repo.replace(BASICS, "Zebra quartz", "Zebra onyx")
    result = run("diff", "--root", repo.root)
    assert "Published views affected: none: no published text changes" in result.output
    assert "!" not in result.output.split("version 1.0")[1], "nothing to flag"


@pytest.mark.slow
def test_publishing_an_edition_clears_the_flag(repo):
    repo.replace(BASICS, *EDIT)
    repo.commit("Reword", "2027-01-10")
    data, _ = sections(repo, "main", "HEAD")
    assert data["documents"][0]["unannounced"] is True
    published = run("publish", "alpha", "--version", "1.1", "--note", "Orders on application.", "--date",
                    "2027-01-11", "--root", repo.root, day="2027-01-11")
    assert published.exit_code == 0, published.output
    data, _ = sections(repo, "main", "HEAD")
    assert data["documents"][0]["unannounced"] is False
    assert data["documents"][0]["new_editions"] == [
        {"version": "1.1", "date": "2027-01-11", "note": "Orders on application.", "major": True, "commit": None,
         "cleared_by": []}]
    text = run("diff", "main", "HEAD", "--root", repo.root).output
    assert "  new edition 1.1 (major, 2027-01-11): Orders on application." in text and "  !" not in text


def test_a_clean_working_tree_has_no_changes(repo):
    result = run("diff", "--root", repo.root)
    assert result.exit_code == 0 and result.output.endswith("No content changes.\n")
    assert run("diff", "--format", "markdown", "--root", repo.root).output.endswith("No content changes.\n")


def test_text_that_looks_like_markup_is_escaped_in_every_format(repo):
    repo.replace(BASICS, "Breach of an order", "<script>alert(1)</script> | *Breach* of an order")
    page = run("diff", "--format", "html", "--root", repo.root).output
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = run("diff", "--format", "markdown", "--root", repo.root).output
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "</ins> Breach of an order" in markdown and "\\*" not in markdown, "emphasis as readers see it: words"


def test_wrong_revisions_and_missing_history_are_explained(repo, project):
    unknown = run("diff", "nope", "--root", repo.root)
    assert unknown.exit_code == 2
    assert unknown.output == ("error: 'nope' is not a revision in this repository\n    hint: Use a branch, tag or "
                              "commit: for example main, origin/main, stalking/v1.0 or HEAD~2 (a shallow clone may "
                              "lack older commits: git fetch --unshallow).\n")
    for nonsense in ["0" * 40, "HEAD~99", "main..HEAD", "HEAD:content", "a\x01b", ""]:
        refused = run("diff", nonsense, "HEAD", "--root", repo.root)
        assert refused.exit_code == 2, (nonsense, refused.output)
        assert refused.output.startswith("error: ") and "    hint: " in refused.output, nonsense
    outside = run("diff", "--root", project)
    assert outside.exit_code == 2 and "not in a git repository" in outside.output
    repo.git("branch", "-m", "main", "trunk")
    no_main = run("diff", "--root", repo.root)
    assert no_main.exit_code == 2 and "guidance diff origin/main" in no_main.output
    assert run("diff", "trunk", "--root", repo.root).exit_code == 0


def test_a_revision_that_cannot_be_read_whole_is_not_compared(repo):
    repo.path(SCHOOLS).write_text("id: [unclosed\n")
    repo.commit("Broken", "2027-01-10")
    result = run("diff", "main", "HEAD", "--root", repo.root)
    assert result.exit_code == 1
    assert result.output.startswith("The content at HEAD (")
    assert "content/alpha/02-schools.yaml:2:1: error [load.syntax]" in result.output
    assert "Traceback" not in result.output


def test_a_paragraph_moved_out_of_a_deleted_section_is_reported_once_with_its_text(repo):
    basics = repo.path(BASICS).read_text()
    police = basics[basics.index("  - id: for-police"):basics.index("  - id: secret-draft")]
    moved = "      - id: aaa6\n        para: See [[section:for-schools]] and call [[service:helpline]].\n"
    repo.path(BASICS).write_text(basics.replace(police, ""))
    repo.replace(SCHOOLS, "      - id: bbb1\n", moved + "      - id: bbb1\n")
    data, found = sections(repo)
    removed = found["for-police"]
    assert removed["changes"] == ["removed"] and removed["old_number"] == "1.2"
    assert [(b["id"], b["change"], b["words"] != []) for b in removed["blocks"]] == [
        ("aaa4", "removed", True), ("aaa5", "removed", True), ("aaa6", "moved-out", False)]
    arrived = next(b for b in found["for-schools"]["blocks"] if b["id"] == "aaa6")
    assert (arrived["change"], arrived["where"], arrived["where_number"], arrived["number"]) == (
        "moved-in", "for-police", "1.2.3", "2.1.1")
    assert arrived["words"] == [{"op": "=", "text": "See In schools and call National Stalking Helpline."}]
    text = run("diff", "--root", repo.root).output
    assert "  - was 1.2 Police response [for-police]" in text, "a removed section under its old number"
    assert "  ~ 1.2 (was 1.3) Unpublished plans [secret-draft]" not in text, "drafts shift but are not changed"
    assert text.count("See In schools and call National Stalking Helpline.") == 1, "its text once, where it went"
    assert ("      2.1.1 [aaa6] moved from 1.2.3 in section for-police: See In schools and call National Stalking Helpline."
            in text)
    assert "      was 1.2.3 [aaa6] moved to 2.1.1 in section for-schools (its text is shown there)" in text


def test_a_paragraph_moved_within_its_section_says_from_where_with_its_text(repo):
    basics = repo.path(BASICS).read_text()
    first = basics[basics.index("      - id: aaa1"):basics.index("      - id: aaa2")]
    repo.path(BASICS).write_text(basics.replace(first, "").replace("  - id: for-police", first + "  - id: for-police"))
    text = run("diff", "--root", repo.root).output
    assert ("      1.1.3 [aaa1] moved from 1.1.1: Stalking is a crime under section 2A of the Protection from "
            "Harassment Act 1997. Courts can make an SPO." in text)
    assert "      1.1.1 (was 1.1.2) [aaa2]" not in text, "shifted by the move, not changed"


def test_each_roles_view_says_what_it_gains_and_loses(repo):
    repo.replace(SCHOOLS, "audiences: [teachers]", "audiences: [healthcare]")
    repo.replace(BASICS, "status: draft", "status: published")
    data, _ = sections(repo)
    roles = data["documents"][0]["roles"]
    assert roles["teachers"] == {"gains": [], "losses": ["was 2.1 In schools"], "changes": []}
    assert roles["healthcare"] == {"gains": ["2.1 In schools"], "losses": [], "changes": []}
    assert roles["police"] == {"gains": ["1.3 Unpublished plans"], "losses": [], "changes": []}
    markdown = run("diff", "--format", "markdown", "--root", repo.root).output
    assert "| Teachers and school staff: Alpha guidance (`/for/teachers/alpha/`) | 0 | 1: was 2.1 In schools | 0 |" \
        in markdown


def test_every_field_readers_see_is_diffed_by_words(repo):
    repo.replace("content/alpha/01-basics.yaml", "summary: What stalking is.", "summary: What stalking is and is not.")
    repo.replace("content/alpha/document.yaml", "date: 2026-11-01", "date: 2026-11-02")
    repo.replace("content/alpha/document.yaml", "order: 1", "order: 3")
    repo.replace("content/alpha/document.yaml", "Chief officers of police", "Chief officers of police forces")
    glossary = repo.path("content/glossary.yaml").read_text()
    definition = glossary[glossary.index("expansion:", glossary.index("id: SPO")):].split("\n")[0]
    repo.replace("content/glossary.yaml", definition, definition + " (civil)")
    data, _ = sections(repo)
    fields = {(f["where"], f["name"]): f["words"] for d in data["documents"] for f in d["fields"]}
    assert fields[("chapter 1 Basics", "summary")] == [{"op": "=", "text": "What stalking is"},
                                                       {"op": "+", "text": " and is not"}, {"op": "=", "text": "."}]
    assert ("edition 1.0", "date") in fields and ("document", "must have regard") in fields
    assert any(o.startswith("documents reordered: alpha, beta → beta, alpha") for d in data["documents"]
               for o in d["other"])
    assert [(f["where"], f["name"]) for f in data["registry_fields"]] == [("glossary term SPO", "expansion")]
    text = run("diff", "--root", repo.root).output
    assert "No content changes" not in text
    assert "  * chapter 1 Basics: summary: What stalking is {+and is not+}." in text
    public = run("diff", "--format", "json", "--root", repo.root).output
    assert json.loads(public)["documents"][0]["public"] is True, "a chapter summary is public"


def test_an_at_mention_in_content_does_not_notify_anyone(repo):
    repo.replace(BASICS, "Breach of an order", "Ask @alice or @home-office/team about a breach of an order")
    markdown = run("diff", "--format", "markdown", "--root", repo.root).output
    assert "@alice" not in markdown and "@home-office" not in markdown
    assert "<ins>Ask @<!-- -->alice or @<!-- -->home-office/team about a breach</ins>" in markdown
    assert "\u200d" not in markdown and "\u200b" not in markdown, "no invisible characters"


@pytest.mark.slow
def test_the_pull_request_comment_stays_under_githubs_limit_whatever_the_change(repo):
    para = ("Officers should record every report of stalking behaviour, take a full account from the victim, and "
            "check for earlier reports on local and national systems before deciding what to do next. ") * 3
    with repo.path(SCHOOLS).open("a", encoding="utf-8") as f:
        for i in range(400):
            f.write(f"  - id: bulk-{i}\n    title: Bulk section {i}\n    audiences: [police]\n    status: published\n"
                    f"    blocks:\n      - id: bk{i:03d}\n        para: {para.strip()}\n")
    markdown = run("diff", "--format", "markdown", "--root", repo.root).output
    assert len(markdown) <= COMMENT_LIMIT < 65_000, len(markdown)  # the workflow's line fits in the rest
    assert markdown.startswith("<!-- guidance-diff -->\n")
    assert "| Alpha guidance | 2.3 Bulk section 0 (`bulk-0`) | published | police | added | yes |" in markdown
    tail = markdown.rstrip().rsplit("\n", 1)[-1]
    assert tail.startswith("**Not shown here, to keep this comment under GitHub's size limit:**")
    assert re.search(r"\d+ sections' redlines", tail) and "`redline` artifact" in tail
    shown = markdown.count("<details>")
    assert 0 < shown < 400
    html = run("diff", "--format", "html", "--root", repo.root).output
    assert html.count("<section ") == 400, "the HTML redline is whole"


def test_diff_in_real_clones_packed_shallow_and_without_a_local_main(repo, tmp_path):
    repo.replace(BASICS, *EDIT)
    repo.commit("Reword", "2027-01-10")
    repo.git("gc", "-q")
    full = clone(repo.root, tmp_path / "full", "no-local")  # on branch edit; main only as origin/main
    result = run("diff", "--format", "json", "--root", full)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["base"].startswith("merge base with origin/main (") and data["documents"][0]["sections"]
    shallow = clone(repo.root, tmp_path / "shallow", "depth-1")
    refused = run("diff", "HEAD^1", "HEAD", "--root", shallow)
    assert refused.exit_code == 2
    assert "error: 'HEAD^1' is not a revision in this repository" in refused.output
    assert "git fetch --unshallow" in refused.output


FIRST = """id: first
title: First things
sections:
  - id: first-things
    title: First things
    audiences: [all]
    status: published
    blocks:
      - id: fff1
        para: Read this chapter first.
"""


def test_a_file_both_revisions_share_gives_one_chapter_and_each_side_keeps_its_numbers(repo):
    """A chapter file unchanged between two revisions is read and built once for both (the diff's cost grows with
    the change, not the tree); when a chapter inserted before it moves it, each side still reads its own numbers."""
    from builder.history.git import content_at, repository
    from builder.review.diff import compare

    base = repo.repo.head.commit.hexsha
    repo.path("content/alpha/00-first.yaml").write_text(FIRST)
    head = repo.commit("A first chapter", "2026-11-02")
    with repository(repo.root) as (git, prefix):
        cache, blobs = {}, {}
        before, _ = content_at(git, prefix, base, cache, blobs)
        after, _ = content_at(git, prefix, head, cache, blobs)
    basics = before.document("alpha").chapters[0]
    assert basics.id == "basics" and any(c is basics for c in after.document("alpha").chapters)
    diff = compare(before, after)
    assert [(c.id, c.number) for c in before.document("alpha").chapters] == [("basics", "1"), ("schools", "2")]
    assert [(c.id, c.number) for c in after.document("alpha").chapters] == [("first", "1"), ("basics", "2"),
                                                                            ("schools", "3")]
    assert before.document("alpha").chapters[0].sections[0].number == "1.1"
    assert after.document("alpha").chapters[1].sections[0].number == "2.1"
    assert [s.id for d in diff.documents for s in d.sections] == ["first-things"], "only the new chapter changed"
    text = run("diff", base, head, "--root", repo.root).output
    assert "+ 1.1 First things [first-things]" in text, text


def test_a_file_missing_from_the_clone_is_a_clear_refusal_not_a_traceback(repo):
    """A blob the clone does not have (a damaged or partial clone): guidance diff says which and what to do."""
    repo.replace(BASICS, *EDIT)
    repo.commit("Edit", "2026-11-02")
    blob = repo.repo.git.rev_parse(f"HEAD:{BASICS}")
    (repo.root / ".git/objects" / blob[:2] / blob[2:]).unlink()  # a fresh repository's objects are loose
    result = CliRunner(env=env("2027-01-10")).invoke(main, ["diff", "HEAD~1", "HEAD", "--root", str(repo.root)])
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"git could not read the file {blob[:7]}" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_the_comment_stays_under_the_limit_whatever_its_parts():
    """No part of the comment's summary can push it over GitHub's limit: a title of 50,000 characters, a hundred new
    editions with notes of 80,007 characters each (the schema refuses them; a diff must not rely on it)."""
    from builder import pipeline
    from builder.content.model import Edition
    from builder.review.diff import compare
    from builder.review.diff_report import as_markdown
    from gitrepo import FIXTURE

    base, head = pipeline.check(FIXTURE).content, pipeline.check(FIXTURE).content
    doc = head.documents[0]
    doc.title = "T" * 50_000
    doc.editions += [Edition(f"1.{i}", "2027-01-01", "N" * 80_007, True) for i in range(1, 101)]
    markdown = as_markdown(compare(base, head))
    assert len(markdown) <= COMMENT_LIMIT, len(markdown)
    assert "more lines of this summary are in the HTML redline" in markdown
