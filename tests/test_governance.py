"""Editions are the only way public text changes (issue 23), proved on real git branches merged into main by
squash, rebase and merge commit, then read from fresh clones: the gate on pull requests (guidance diff --check),
the publish plan's full list of public changes and renumbering, clearances, and edition records that cannot be
pointed at a commit nobody reviewed."""
from __future__ import annotations

import re

import pytest
from git import Repo

from builder import pipeline
from gitrepo import GitProject
from test_publish import run

BASICS = "content/alpha/01-basics.yaml"
DOCUMENT = "content/alpha/document.yaml"
NEW_SECTION = """  - id: early-signs
    title: Early signs
    audiences: [all]
    status: ready
    blocks:
      - id: ees1
        para: Unwanted gifts left at a door are an early sign of stalking.
"""


def merge(repo: GitProject, branch: str, method: str, day: str) -> None:
    """Merge branch into main as GitHub's three buttons do."""
    repo.git("checkout", "-q", "main")
    if method == "squash":
        repo.git("merge", "-q", "--squash", branch, day=day)
        repo.commit(f"{branch} (#1)", day)
    elif method == "rebase":
        repo.git("rebase", "-q", "main", branch, day=day)
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--ff-only", branch, day=day)
    else:
        repo.git("merge", "-q", "--no-ff", branch, "-m", f"Merge {branch}", day=day)


def gate(repo: GitProject, base="main", head="HEAD", day="2027-02-01"):
    result = run("diff", base, head, "--check", "--root", repo.root, day=day)
    return result.exit_code, re.findall(r"error \[([a-z.-]+)\]", result.output), result.output


def add_ready_section_mid_chapter(repo: GitProject) -> None:
    """A ready section before the second published one: publishing it moves 1.2 (and its paragraphs) to 1.3."""
    text = repo.path(BASICS).read_text()
    at = text.index("  - id: for-police\n")
    repo.path(BASICS).write_text(text[:at] + NEW_SECTION + text[at:])


@pytest.mark.slow
@pytest.mark.parametrize("method", ["squash", "rebase", "merge"])
def test_a_pull_request_that_edits_published_text_fails_until_it_carries_an_edition(repo, tmp_path, method):
    repo.git("checkout", "-q", "-b", "reword")
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Reword a published paragraph", "2027-01-10")
    code, codes, output = gate(repo)
    assert (code, codes) == (1, ["edition.unrecorded"]), output
    assert f"{DOCUMENT}:13:5: error [edition.unrecorded] text readers see in alpha changes (1 published section " \
           "(1.1 What stalking is))" in output
    assert "guidance publish alpha --version 1.1" in output

    published = run("publish", "alpha", "--version", "1.1", "--note", "Courts may make orders.", "--date",
                    "2027-01-11", "--yes", "--root", repo.root, day="2027-01-11")
    assert published.exit_code == 0, published.output
    assert gate(repo)[:2] == (0, [])
    merge(repo, "reword", method, "2027-01-12")
    assert gate(repo, "main~1" if method != "rebase" else "main~2", "main")[:2] == (0, [])

    clone = tmp_path / "clone"
    Repo.clone_from(f"file://{repo.root}", clone, no_local=True).close()
    checked, result = pipeline.build(clone)
    assert result.ok and not [p for p in result.problems if p.severity != "info"], result.problems
    archived = (clone / "site/alpha/editions/1.0/index.html").read_text()
    assert "Courts can make" in archived and "Courts may make" not in archived
    assert "Courts may make" in (clone / "site/alpha/basics/index.html").read_text()


@pytest.mark.slow
def test_deleting_a_published_section_fails_and_withdrawing_it_passes(repo):
    repo.git("checkout", "-q", "-b", "remove")
    text = repo.path(BASICS).read_text()
    start, end = text.index("  - id: for-police\n"), text.index("  - id: secret-draft\n")
    repo.path(BASICS).write_text(text[:start] + text[end:])
    repo.commit("Remove the police section", "2027-01-10")
    code, codes, output = gate(repo)
    assert code == 1 and "edition.deleted-published" in codes, output
    assert "guidance status alpha/for-police withdrawn" in output

    repo.git("reset", "-q", "--hard", "main")
    withdrawn = run("status", "alpha/for-police", "withdrawn", "--reason", "Replaced by local guidance.",
                    "--root", repo.root, day="2027-01-10")
    assert withdrawn.exit_code == 0, withdrawn.output
    repo.commit("Withdraw the police section", "2027-01-10")
    assert gate(repo)[1] == ["edition.unrecorded"], "a withdrawal is a public change: it needs an edition"
    assert run("publish", "alpha", "--version", "1.1", "--note", "Police response withdrawn.", "--date",
               "2027-01-11", "--yes", "--root", repo.root, day="2027-01-11").exit_code == 0
    assert gate(repo)[:2] == (0, [])


@pytest.mark.slow
def test_the_plan_lists_every_public_change_and_every_public_number_it_moves(repo):
    repo.git("checkout", "-q", "-b", "publish")
    add_ready_section_mid_chapter(repo)
    repo.replace(BASICS, "Breach of an order", "Breaching an order")
    repo.commit("A ready section before 1.2; a published paragraph reworded", "2027-01-10")
    plan = run("publish", "alpha", "--version", "1.1", "--note", "Early signs added.", "--date", "2027-01-11",
               "--dry-run", "--root", repo.root, day="2027-01-11")
    assert plan.exit_code == 0, plan.output
    lines = plan.output.splitlines()
    assert "    1.2 Early signs [early-signs]: ready → published" in lines
    assert "  what readers will see change since edition 1.0 (2 sections; change note above):" in lines
    assert "    new: 1.2 Early signs [early-signs]" in lines
    assert "    amended: 1.1 What stalking is [what-it-is] (paragraphs 1.1.3)" in lines
    assert "    renumbered: 1.2 → 1.3 Police response [for-police] (and its 3 paragraphs)" in lines
    assert "  change note: Early signs added." in lines

    assert run("publish", "alpha", "--version", "1.1", "--note", "Early signs added.", "--date", "2027-01-11",
               "--yes", "--root", repo.root, day="2027-01-11").exit_code == 0
    diff = run("diff", "main", "HEAD", "--root", repo.root).output
    assert "  renumbered (1; a citation of an old number now points at other text):" in diff
    assert "    1.2 → 1.3 Police response [for-police] (and its 3 paragraphs)" in diff
    publish_commit = run("diff", "HEAD~1", "HEAD", "--root", repo.root).output
    assert "  ~ 1.2 Early signs [early-signs] (ready → published; for all; published text changes): status " \
           "ready → published; 1 paragraph published" in publish_commit
    assert "      1.2.1 [ees1] published: {+Unwanted gifts left at a door are an early sign of stalking.+}" in \
        publish_commit, "whoever approves the publication reads the words, not only the status"
    markdown = run("diff", "main", "HEAD", "--format", "markdown", "--root", repo.root).output
    assert "- 1.2 → 1.3 Police response \\[for-police\\] (and its 3 paragraphs)" in markdown


def test_the_diff_gives_a_draft_no_public_number(repo):
    add_ready_section_mid_chapter(repo)
    output = run("diff", "main", "--root", repo.root).output
    assert "  + not public Early signs [early-signs] (ready; for all): added" in output
    assert "1.2 Police response" not in output and "renumbered" not in output, "drafts move no public number"


@pytest.mark.slow
def test_a_major_edition_needs_every_clearance_and_records_them(repo):
    repo.path("pyproject.toml").write_text('[tool.guidance]\nclearance-roles = ["policy", "legal"]\n')
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready; roles", "2027-01-10")
    args = ["publish", "alpha", "--version", "1.1", "--note", "Plans.", "--date", "2027-01-11", "--yes",
            "--root", repo.root]
    refused = run(*args, "--cleared-by", "policy=Sam Patel", day="2027-01-11")
    assert refused.exit_code == 2 and "error [publish.clearance] a major edition needs clearance by legal, and " \
        "only policy was given" in refused.output and "Nothing was published." in refused.output
    assert run(*args, "--cleared-by", "finance=X", day="2027-01-11").exit_code == 2
    head = repo.repo.head.commit.hexsha
    assert repo.git("status", "--porcelain") == ""

    done = run(*args, "--cleared-by", "legal=Jo Bloggs", "--cleared-by", "policy=Sam Patel", day="2027-01-11")
    assert done.exit_code == 0, done.output
    assert "  cleared by: policy: Sam Patel; legal: Jo Bloggs" in done.output
    commit = repo.repo.head.commit
    assert commit.parents[0].hexsha == head
    assert "\nCleared-by: Sam Patel (policy)\nCleared-by: Jo Bloggs (legal)\n" in commit.message
    assert repo.path(DOCUMENT).read_text().endswith(
        "    cleared_by:\n      - role: policy\n        name: Sam Patel\n      - role: legal\n        name: Jo Bloggs\n")
    assert run("validate", "--strict", "--root", repo.root).exit_code == 0
    minor = run("publish", "alpha", "--version", "1.2", "--note", "Typo.", "--minor", "--allow-empty", "--date",
                "2027-01-12", "--yes", "--root", repo.root, day="2027-01-12")
    assert minor.exit_code == 0, "a minor correction needs no clearance: " + minor.output


@pytest.mark.slow
@pytest.mark.parametrize("tamper", ["unmerged-commit", "removed", "back-dated", "missing-commit"])
def test_an_edition_record_pointed_away_from_reviewed_history_fails_and_never_reaches_the_site(repo, tamper):
    """Point edition 1.0's record at a commit on an unmerged branch where a paragraph was rewritten and a draft
    published; or remove the record; or add a back-dated edition naming that commit; or name a commit that does
    not exist."""
    repo.git("checkout", "-q", "-b", "unreviewed")
    repo.replace(BASICS, "Courts can make", "UNREVIEWED SENTENCE. Courts can make")
    repo.replace(BASICS, "status: draft", "status: published")
    sneaky = repo.commit("Nobody reviewed this", "2027-01-05")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "tamper")
    text = repo.path(DOCUMENT).read_text()
    if tamper == "unmerged-commit":
        text = text.replace("    major: true\n", f'    major: true\n    commit: "{sneaky}"\n', 1)
        expected = {"edition.record-changed", "edition.commit-off-main"}
    elif tamper == "removed":
        text = text.replace('version: "1.0"\n', 'version: "0.9"\n', 1).replace('  - version: "1.0"', '  - version: "0.9"')
        expected = {"edition.record-changed"}
    elif tamper == "back-dated":
        text = text.replace('version: "1.0"\n', 'version: "1.1"\n', 1) + (
            f'  - version: "0.5"\n    date: 2026-10-01\n    note: Back-dated.\n    major: true\n'
            f'    commit: "{sneaky}"\n  - version: "1.1"\n    date: 2027-01-06\n    note: Now.\n    major: true\n')
        expected = {"edition.record-changed", "edition.commit-off-main"}
    else:
        text = text.replace("    major: true\n", f'    major: true\n    commit: "{"0" * 40}"\n', 1)
        expected = {"edition.record-changed", "edition.commit-off-main"}
    repo.path(DOCUMENT).write_text(text)
    repo.commit("Edit the edition records", "2027-01-06")
    code, codes, output = gate(repo, day="2027-01-06")
    assert code == 1 and set(codes) == expected, output

    merge(repo, "tamper", "merge", "2027-01-07")  # merged anyway, by an administrator: the site still refuses
    checked, result = pipeline.build(repo.root)
    assert result is not None and result.ok
    site = repo.root / "site"
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "UNREVIEWED SENTENCE" not in text and "Zebra quartz" not in text, page
    assert "UNREVIEWED" not in (site / "search/search_index.json").read_text()
    if tamper in ("unmerged-commit", "back-dated"):
        assert "history.edition-unreviewed" in [p.code for p in result.problems]


@pytest.mark.slow
def test_two_branches_publishing_the_same_version_meet_one_clear_problem(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready", "2027-01-10")
    for branch, note in (("first", "First."), ("second", "Second.")):
        repo.git("checkout", "-q", "-b", branch, "main")
        assert run("publish", "alpha", "--version", "1.1", "--note", note, "--date", "2027-01-11", "--yes",
                   "--allow-empty", "--root", repo.root, day="2027-01-11").exit_code == 0
    merge(repo, "first", "merge", "2027-01-12")
    repo.git("checkout", "-q", "second")
    try:
        repo.git("merge", "-q", "main", "-m", "Catch up", day="2027-01-12")
    except Exception:  # noqa: BLE001 - git exits 1 on a conflict: that is the case under test
        pass
    result = run("validate", "--root", repo.root)
    assert result.exit_code == 1
    assert re.findall(r"error \[([a-z.-]+)\]", result.output) == ["load.conflict"], result.output
    repo.git("merge", "--abort")
    repo.git("checkout", "-q", "main")
    again = run("publish", "alpha", "--version", "1.1", "--note", "Again.", "--allow-empty", "--date", "2027-01-12",
                "--yes", "--root", repo.root, day="2027-01-12")
    assert again.exit_code == 2 and "Choose the next free version: --version 1.2." in again.output
