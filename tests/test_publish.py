"""guidance publish on real repositories, and what readers then see: change history, archived editions with their
redline, provenance marks; built by MkDocs in strict mode."""
import json
import re

import pytest
from click.testing import CliRunner
from git import Repo

from builder import pipeline
from builder.cli import main
from gitrepo import env

BASICS = "content/alpha/01-basics.yaml"
SCHOOLS = "content/alpha/02-schools.yaml"
DOCUMENT = "content/alpha/document.yaml"


def run(*args, day="2027-02-01"):
    return CliRunner(env=env(day)).invoke(main, [str(a) for a in args], catch_exceptions=False)


def publish(repo, version, note, day, *extra):
    result = run("publish", "alpha", "--version", version, "--note", note, "--date", day, "--root", repo.root,
                 *extra, day=day)
    assert result.exit_code == 0, result.output
    return result


def two_editions(repo):
    """1.0 (the start), then 1.1: the draft section published and a published paragraph reworded."""
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.replace(BASICS, "Courts can make an [[term:SPO]].", "Courts may make an [[term:SPO]] on application.")
    repo.commit("Ready the plans; reword orders", "2027-01-10")
    publish(repo, "1.1", "Added unpublished plans. Courts may make orders on application.", "2027-02-01")


def test_publish_moves_ready_sections_records_the_edition_commits_and_tags(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Plans are ready", "2027-01-10")
    result = publish(repo, "1.1", "Added   the police plans.", "2027-02-01")
    head = repo.repo.head.commit
    assert result.output == "\n".join([
        "Plan: publish alpha version 1.1 (major edition), after version 1.0",
        "  version: 1.0 → 1.1",
        "  date: 2027-02-01",
        "  change note: Added the police plans.",
        "  major: true (listed in the change history)",
        "  cleared by: nobody",
        "  sections that change status (1):",
        "    1.3 Unpublished plans [secret-draft]: ready → published",
        "  what readers will see change since edition 1.0 (1 section; change note above):",
        "    new: 1.3 Unpublished plans [secret-draft]",
        "  files: content/alpha/01-basics.yaml, content/alpha/document.yaml",
        "  git: one commit on branch main (its commit-msg hook runs; a pre-commit hook does not, since publish "
        "commits apart from your index and has checked the edited content itself), tagged alpha/v1.1",
        f"Published alpha version 1.1 (1 section published: secret-draft); committed {head.hexsha[:7]} and tagged "
        "alpha/v1.1.",
        "Share it with: git push --follow-tags\n"])
    assert head.message == ("Publish alpha version 1.1\n\nAdded the police plans.\n\nSections published: secret-draft\n"
                            "\nGuidance-Edition: alpha 1.1 major\n")
    assert head.committed_datetime.isoformat() == "2027-02-01T10:00:00+00:00"
    tag = repo.repo.tags["alpha/v1.1"]
    assert tag.commit == head and tag.tag is not None, "an annotated tag on the edition's commit"
    assert repo.git("diff", "HEAD~1", "--", DOCUMENT).splitlines()[-11:] == [
        '-version: "1.0"',
        '+version: "1.1"',
        " editions:",
        '   - version: "1.0"',
        "     date: 2026-11-01",
        "     note: First edition.",
        "     major: true",
        '+  - version: "1.1"',
        "+    date: 2027-02-01",
        "+    note: Added the police plans.",
        "+    major: true",
    ]
    basics = repo.path(BASICS).read_text()
    assert basics.startswith("# A comment that fmt must keep.\n") and "status: ready" not in basics
    assert repo.repo.is_dirty(untracked_files=True) is False
    assert pipeline.check(repo.root).problems == []


@pytest.mark.parametrize("args, code, message", [
    (["--version", "1.0"], 2, "alpha already has an edition 1.0"),
    (["--version", "0.9"], 2, "version 0.9 is not later than alpha's latest, 1.0"),
    (["--version", "v2"], 2, "version 'v2' is not MAJOR.MINOR"),
    (["--version", "1.1", "--note", "  "], 2, "the change note is empty"),
])
def test_publish_refuses_a_wrong_version_or_note(repo, args, code, message):
    result = run("publish", "alpha", "--note", "A note.", *args, "--root", repo.root)
    assert result.exit_code == code and message in result.output and "Nothing was published." in result.output
    assert repo.repo.head.commit.message == "Start\n" and not repo.repo.tags


def test_publish_refuses_uncommitted_or_invalid_content_and_changes_nothing(repo, project):
    repo.replace(BASICS, "status: draft", "status: ready")
    before = repo.path(BASICS).read_text()
    dirty = run("publish", "alpha", "--version", "1.1", "--note", "N.", "--root", repo.root)
    assert dirty.exit_code == 1
    assert "error [publish.uncommitted] 1 content file has uncommitted changes (content/alpha/01-basics.yaml)" \
        in dirty.output
    assert repo.path(BASICS).read_text() == before and repo.repo.head.commit.message == "Start\n"

    repo.replace(BASICS, "status: ready", "status: redy")
    repo.commit("A typo", "2027-01-10")
    invalid = run("publish", "alpha", "--version", "1.1", "--note", "N.", "--root", repo.root)
    assert invalid.exit_code == 1 and "[schema.enum]" in invalid.output and not repo.repo.tags

    outside = run("publish", "alpha", "--version", "1.1", "--note", "N.", "--root", project)
    assert outside.exit_code == 1
    assert "publishing records the edition in git, and this folder is not in a git repository" in outside.output
    unknown = run("publish", "gamma", "--version", "1.1", "--note", "N.", "--root", repo.root)
    assert unknown.exit_code == 2 and "Choose one of: alpha, beta." in unknown.output


@pytest.mark.slow
def test_published_editions_appear_in_the_built_site(repo):
    two_editions(repo)
    checked, result = pipeline.build(repo.root)
    assert result.ok, result.problems
    assert result.problems == [], "nothing git could not tell"
    site = repo.root / "site"

    changes = (site / "alpha/changes/index.html").read_text()
    assert re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", changes) == [
        ("1 February 2027 (version 1.1, the current edition)",
         "Added unpublished plans. Courts may make orders on application."),
        ('1 November 2026 (version 1.0, <a href="../editions/1.0/">read this edition</a>)', "First edition."),
    ]

    archived = (site / "alpha/editions/1.0/index.html").read_text()
    assert "Archived edition: this is not the current guidance" in archived
    assert 'href="../../">Read the current edition</a>' in archived
    assert "Courts can make a stalking" in archived and "Zebra quartz" not in archived, "the public text of 1.0 only"
    search = (site / "search/search_index.json").read_text()
    assert "Courts can make a stalking" not in search, "archived editions are left out of search"
    assert "Courts may make a stalking" in search

    basics = (site / "alpha/basics/index.html").read_text()
    assert "Last updated 1 February 2027" in basics
    meta = re.findall(r'<p class="gd-meta">(.*?)</p>', basics)
    assert "Last updated 10 January 2027 · [amended 2027]" in meta[0]
    assert "Last updated 1 November 2026" in meta[1] and "[" not in meta[1].split("Last updated")[1]
    assert "Last updated 1 February 2027 · [new 2027]" in meta[2]
    landing = (site / "alpha/index.html").read_text()
    assert 'href="changes/">change history</a>' in landing
    for page in ["index.html", "for/police/index.html", "for/police/alpha/index.html", "alpha/print/index.html",
                 "for/police/print/index.html"]:
        assert "Last updated 1 February 2027" in (site / page).read_text(), f"{page} says when the guidance changed"


@pytest.mark.slow
def test_a_later_edition_has_a_redline_against_the_one_before(repo):
    two_editions(repo)
    repo.replace(BASICS, "Check the caller is safe.", "Check that the caller is safe now.")
    repo.commit("Police steps", "2027-03-01")
    publish(repo, "1.2", "Clarified the police steps.", "2027-03-05")
    checked, result = pipeline.build(repo.root)
    assert result.ok, result.problems

    page = (repo.root / "build/docs/alpha/editions/1.1.md").read_text()
    assert page.startswith('---\ntitle: "Version 1.1 (archived) – Alpha guidance"\nin_document: true\nsearch:\n  exclude: true\n---\n')
    assert "It was replaced by version 1.2 on 5 March 2027." in page
    assert "Compared with version 1.0 (1 November 2026)" in page
    assert ('<p class="gd-redline"><strong>1.1.1</strong> Stalking is a crime under section 2A of the Protection '
            'from Harassment Act 1997. Courts <del>can</del> <ins>may</ins> make an SPO <ins>on application</ins>.</p>'
            in page)
    assert '<h3 id="changes--secret-draft">1.3 Unpublished plans (new section)</h3>' in page
    assert "1.2 Police response" not in page.split("## The text")[0], "unchanged sections are not in the redline"
    html = (repo.root / "site/alpha/editions/1.1/index.html").read_text()
    assert "<del>can</del> <ins>may</ins>" in html


@pytest.mark.slow
def test_a_minor_edition_is_archived_but_not_in_the_change_history(repo):
    two_editions(repo)
    repo.replace(BASICS, "Breach of an order", "Breaching an order")
    repo.commit("Typo", "2027-02-10")
    publish(repo, "1.2", "Wording.", "2027-02-11", "--minor")
    assert "    major: false" in repo.path(DOCUMENT).read_text()
    checked, result = pipeline.build(repo.root)
    assert result.ok, result.problems
    changes = (repo.root / "build/docs/alpha/changes.md").read_text()
    updates = changes.split("## Earlier editions")[0]
    assert "Wording." not in updates and "version 1.2" not in updates
    assert "- [Version 1.1, 1 February 2027](editions/1.1.md)\n" in changes
    assert "amended 2027" in (repo.root / "build/docs/alpha/basics.md").read_text()


@pytest.mark.slow
def test_editions_are_found_without_their_tags(repo, tmp_path):
    two_editions(repo)
    clone = tmp_path / "clone"
    Repo.clone_from(f"file://{repo.root}", clone, no_tags=True).close()
    assert not Repo(clone).tags
    checked, result = pipeline.build(clone)
    assert result.ok and result.problems == []
    assert (clone / "site/alpha/editions/1.0/index.html").is_file()


@pytest.mark.slow
def test_a_shallow_clone_archives_no_edition_it_cannot_place_on_main(repo, tmp_path):
    """A tag fetched into a shallow clone names a commit the clone cannot place on main's first-parent line, so it
    could be a commit nobody reviewed: the edition is listed, not archived, until the whole history is fetched."""
    two_editions(repo)
    repo.git("tag", "-a", "alpha/v1.0", "HEAD~2", "-m", "alpha version 1.0")
    clone = tmp_path / "clone"
    Repo.clone_from(f"file://{repo.root}", clone, depth=1, no_tags=True).close()
    checked, result = pipeline.build(clone)
    assert [p.code for p in result.problems] == ["history.shallow", "history.edition-not-found"]
    assert not (clone / "site/alpha/editions").exists()

    Repo(clone).git.fetch("--depth=1", "origin", "tag", "alpha/v1.0")
    checked, result = pipeline.build(clone)
    assert [p.code for p in result.problems] == ["history.shallow", "history.edition-not-found"]
    assert not (clone / "site/alpha/editions").exists()

    Repo(clone).git.fetch("--unshallow", "--tags", "origin")
    checked, result = pipeline.build(clone)
    assert result.problems == []
    assert (clone / "site/alpha/editions/1.0/index.html").is_file()


@pytest.mark.slow
def test_text_an_earlier_edition_published_is_not_a_leak_when_back_in_draft(repo):
    two_editions(repo)
    repo.replace(BASICS, "    status: published\n    blocks:\n      - id: aaa7", "    status: draft\n    blocks:\n      - id: aaa7")
    repo.commit("Plans back to draft for rework", "2027-02-20")
    publish(repo, "1.2", "Took the plans out for rework.", "2027-02-21")
    checked, result = pipeline.build(repo.root)
    assert result.ok, result.problems
    assert "Zebra quartz" in (repo.root / "site/alpha/editions/1.1/index.html").read_text()
    assert "Zebra quartz" not in (repo.root / "site/alpha/basics/index.html").read_text()
    index = json.loads((repo.root / "site/search/search_index.json").read_text())
    assert not any("Zebra quartz" in d["text"] for d in index["docs"])


@pytest.mark.slow
def test_an_archived_edition_still_builds_when_what_it_linked_to_is_gone(repo):
    glossary = repo.path("content/glossary.yaml").read_text()
    repo.path("content/glossary.yaml").write_text(glossary[:glossary.index("  - id: DSL")])
    repo.replace(BASICS, "Tell the [[term:DSL]] the same day.", "Tell the safeguarding lead the same day.")
    repo.replace(BASICS, "See [[section:for-schools]] and call", "Call")
    schools = repo.path(SCHOOLS).read_text()
    repo.path(SCHOOLS).write_text(schools[:schools.index("  - id: for-schools")] + schools[schools.index("  - id: old-advice"):]
                                  .replace("Replaced by [[section:for-schools]].", "No longer needed."))
    repo.commit("Drop the DSL term and the schools section", "2027-01-10")
    publish(repo, "1.1", "Removed the schools section.", "2027-02-01")
    checked, result = pipeline.build(repo.root)
    assert result.ok, result.problems
    page = (repo.root / "build/docs/alpha/editions/1.0.md").read_text()
    assert "**For teachers and school staff:** Tell the DSL the same day." in page, "no link to a term that is gone"
    assert "See [2.1 In schools](1.0.md#for-schools)" in page, "its own sections link within the edition"
    glossary_page = (repo.root / "build/docs/glossary.md").read_text()
    assert '<p class="gd-updated" data-search-exclude markdown="span">Last updated 10 January 2027</p>' in glossary_page


@pytest.mark.slow
def test_a_tag_placed_by_hand_says_which_commit_an_edition_is(repo):
    """The seed content set version 1.0 before any chapter existed; a tag records the real 1.0."""
    repo.replace(BASICS, "Breach of an order", "Breaching an order")
    real = repo.commit("The text of 1.0 as issued", "2026-11-05")
    repo.git("tag", "-a", "alpha/v1.0", real, "-m", "alpha version 1.0")
    two_editions(repo)
    checked, result = pipeline.build(repo.root)
    assert result.ok and result.problems == []
    assert "Breaching an order" in (repo.root / "build/docs/alpha/editions/1.0.md").read_text()
