"""Publishing as an editor does it, on real repositories and real clones: the plan, a dry run, some sections only,
refusals that change nothing, the publishing flow through squash, rebase and merge commits, and five editions in
turn whose archives show only what was public."""
import re

import pytest
from click.testing import CliRunner
from git import Repo
from gitrepo import clone, env

from builder import pipeline
from builder.cli import main
from builder.history.collect import collect

BASICS = "content/alpha/01-basics.yaml"
SCHOOLS = "content/alpha/02-schools.yaml"
DOCUMENT = "content/alpha/document.yaml"
NEVER_PUBLIC = ["Withdrawn text about obsolete procedures", "Mango."]  # bodies no edition ever published


def run(*args, day="2027-02-01"):
    return CliRunner(env=env(day)).invoke(main, [str(a) for a in args], catch_exceptions=False)


def publish(repo, version, day, *extra, note="A change note.", code=0):
    result = run("publish", "alpha", "--version", version, "--note", note, "--date", day, "--root", repo.root,
                 *extra, day=day)
    assert result.exit_code == code, result.output
    return result


def state(repo):
    """Everything publish could change: the branch's commit, the tags, the files and the index."""
    return (repo.repo.head.commit.hexsha, sorted(t.name for t in repo.repo.tags),
            repo.git("status", "--porcelain"), repo.path(BASICS).read_text(), repo.path(DOCUMENT).read_text())


def add_section(repo, rel, sid, status, text, extra=""):
    with repo.path(rel).open("a", encoding="utf-8") as f:
        f.write(f"  - id: {sid}\n    title: {sid.title()} section\n    audiences: [police]\n    status: {status}\n"
                f"{extra}    blocks:\n      - id: {sid[:2]}x1\n        para: {text}\n")


def test_a_dry_run_prints_the_plan_and_changes_nothing(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    add_section(repo, SCHOOLS, "later", "ready", "Ready for a later edition.")
    repo.commit("Two ready sections", "2027-01-10")
    before = state(repo)
    result = publish(repo, "1.1", "2027-02-01", "--dry-run", "--section", "secret-draft")
    assert result.output.splitlines() == [
        "Plan: publish alpha version 1.1 (major edition), after version 1.0",
        "  version: 1.0 → 1.1",
        "  date: 2027-02-01",
        "  change note: A change note.",
        "  major: true (listed in the change history)",
        "  cleared by: nobody",
        "  sections that change status (1):",
        "    1.3 Unpublished plans [secret-draft]: ready → published",
        "  what readers will see change since edition 1.0 (1 section; change note above):",
        "    new: 1.3 Unpublished plans [secret-draft]",
        "  ready sections left ready (1; not named with --section):",
        "    Later section [later]",
        "  files: content/alpha/01-basics.yaml, content/alpha/document.yaml",
        "  git: one commit on branch main (its commit-msg hook runs; a pre-commit hook does not, since publish "
        "commits apart from your index and has checked the edited content itself), tagged alpha/v1.1",
        "Dry run: nothing was changed.",
    ]
    assert state(repo) == before


def test_only_the_named_sections_are_published(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    add_section(repo, SCHOOLS, "later", "ready", "Ready for a later edition.")
    repo.commit("Two ready sections", "2027-01-10")
    publish(repo, "1.1", "2027-02-01", "--section", "later")
    assert "status: ready" in repo.path(BASICS).read_text(), "another editor's ready section is left alone"
    assert "status: ready" not in repo.path(SCHOOLS).read_text()
    assert "\nSections published: later\n" in repo.repo.head.commit.message
    assert repo.repo.head.commit.message.endswith("\nGuidance-Edition: alpha 1.1 major\n")

    unknown = publish(repo, "1.2", "2027-02-02", "--section", "later,nope", code=2)
    assert "error [publish.section] later, nope are not ready sections of alpha" in unknown.output
    assert "Ready sections: secret-draft." in unknown.output


@pytest.mark.slow
def test_an_edition_that_publishes_nothing_is_refused_unless_asked(repo):
    before = state(repo)
    empty = publish(repo, "1.1", "2027-02-01", code=1)
    assert "error [publish.empty] version 1.1 would publish nothing" in empty.output
    assert "--allow-empty" in empty.output and state(repo) == before
    allowed = publish(repo, "1.1", "2027-02-01", "--allow-empty", "--minor")
    assert "readers would see no change: this edition publishes nothing new" in allowed.output
    assert repo.repo.tags["alpha/v1.1"].commit == repo.repo.head.commit


def test_published_text_changed_since_the_edition_is_not_empty(repo):
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Reword", "2027-01-10")
    result = publish(repo, "1.1", "2027-02-01")
    assert "alpha/v1.1" in result.output, "an edition whose only change is published text is not 'empty'"
    assert repo.repo.tags["alpha/v1.1"].commit == repo.repo.head.commit


@pytest.mark.parametrize("args, message", [
    (["--version", "00.4"], "version '00.4' is not MAJOR.MINOR written canonically"),
    (["--version", "1.01"], "version '1.01' is not MAJOR.MINOR written canonically"),
    (["--version", "99999999999999999999999.0"], "is not MAJOR.MINOR written canonically"),
    (["--version", "1.1", "--date", "1900-01-01"], "the date 1900-01-01 is before the previous edition's (2026-11-01)"),
    (["--version", "1.1", "--date", "2999-12-31"], "the date 2999-12-31 is more than 14 days in the future"),
])
@pytest.mark.slow
def test_implausible_versions_and_dates_are_refused(repo, args, message):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready", "2027-01-10")
    before = state(repo)
    result = run("publish", "alpha", "--note", "N.", *args, "--root", repo.root, day="2027-02-01")
    assert result.exit_code == 2 and message in result.output, result.output
    assert state(repo) == before


@pytest.mark.slow
def test_when_git_cannot_tag_nothing_is_committed(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready", "2027-01-10")
    repo.git("tag", "alpha")  # a tag named like the folder: git cannot then create alpha/v1.1
    before = state(repo)
    result = publish(repo, "1.1", "2027-02-01", code=1)
    assert "error [publish.git] git could not record the edition" in result.output
    assert "Nothing was published." in result.output
    assert state(repo) == before, "no commit, no tag, files and index as they were"


def test_a_failing_commit_leaves_whatever_the_editor_staged(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready", "2027-01-10")
    repo.path("notes.txt").write_text("staged, not content\n")
    repo.git("add", "notes.txt")
    publish(repo, "1.1", "2027-02-01")
    assert "notes.txt" not in repo.repo.head.commit.stats.files, "the edition's commit holds content only"
    assert repo.git("status", "--porcelain") == "A  notes.txt"


# The publishing flow: publish on the pull request's branch; merge by any method; main finds the edition.

def _merge(repo, method: str) -> None:
    day = "2027-02-03"
    if method == "squash":
        repo.git("merge", "-q", "--squash", "publish", day=day)
        repo.git("commit", "-q", "-m", "Publish alpha 1.1 (#7)", day=day)
    elif method == "rebase":
        repo.git("checkout", "-q", "publish")
        repo.git("rebase", "-q", "main", day=day)
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--ff-only", "publish", day=day)
    else:
        repo.git("merge", "-q", "--no-ff", "publish", "-m", "Merge pull request #7", day=day)
    repo.git("branch", "-q", "-D", "publish")


@pytest.mark.slow
@pytest.mark.parametrize("method", ["squash", "rebase", "merge"])
def test_an_edition_published_on_a_branch_survives_any_merge(repo, tmp_path, method):
    repo.git("checkout", "-q", "-b", "publish")
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Ready the plans; reword", "2027-01-10")
    result = publish(repo, "1.1", "2027-02-01")
    assert "committed" in result.output and "on publish." in result.output and not repo.repo.tags
    assert "  git: one commit on branch publish (" in result.output and "no tag (not on main)" in result.output
    repo.git("checkout", "-q", "main")
    repo.replace(SCHOOLS, "Old advice", "Older advice")  # main moves on meanwhile
    repo.commit("Meanwhile on main", "2027-02-02")
    _merge(repo, method)
    repo.git("gc", "-q")

    target = clone(repo.root, tmp_path / "clone", "no-local")
    checked = pipeline.check(target)
    history = collect(target, checked.content, "2027-03-01")
    record = history.editions[("alpha", "1.1")]
    cloned = Repo(target)
    try:
        assert record.found_by == "history"
        assert '"1.1"' in cloned.git.show(f"{record.commit}:{DOCUMENT}")
        assert cloned.git.merge_base("--is-ancestor", record.commit, "HEAD") == "", "on main's line"
    finally:
        cloned.close()
    checked, built = pipeline.build(target)
    assert built.ok and built.problems == [], built.problems
    archived = (target / "site/alpha/editions/1.0/index.html").read_text()
    assert "Courts can make a stalking" in archived and "Zebra quartz" not in archived
    basics = (target / "site/alpha/basics/index.html").read_text()
    marks = re.findall(r"\[(?:new|amended) 2027[^\]]*\]", basics)
    assert marks == ["[amended 2027]", "[new 2027]"], "marks on what changed only"


# Five editions in turn, with sections drafted, readied, withdrawn and published again.

def _archives(root):
    return {p.parent.name: p.read_text() for p in (root / "site/alpha/editions").glob("*/index.html")}


@pytest.mark.slow
def test_five_editions_keep_the_build_green_and_archives_public(repo):
    def build_ok():
        checked, result = pipeline.build(repo.root)
        assert result is not None and result.ok, (checked.problems, result and result.problems)
        assert not [p for p in result.problems if p.severity != "info"], result.problems
        for version, page in _archives(repo.root).items():
            for text in NEVER_PUBLIC:
                assert text not in page, f"{text!r} in the archive of {version}"
        return _archives(repo.root)

    # 1.1: the draft is published; a short draft is added and stays a draft.
    repo.replace(BASICS, "status: draft", "status: ready")
    add_section(repo, SCHOOLS, "kiwi-plan", "draft", "Kiwi.")
    repo.commit("Ready the plans; a new draft", "2027-01-10")
    publish(repo, "1.1", "2027-01-11")
    build_ok()

    # 1.2: a published section is withdrawn; a never-published one arrives already withdrawn, with a short body.
    repo.replace(BASICS, "  - id: for-police\n    title: Police response\n    audiences: [police]\n    status: published\n",
                 "  - id: for-police\n    title: Police response\n    audiences: [police]\n    status: withdrawn\n"
                 "    withdrawn:\n      date: 2027-02-01\n      reason: Under review.\n")
    add_section(repo, SCHOOLS, "mango-rule", "withdrawn", "Mango.",
                "    withdrawn:\n      date: 2027-02-01\n      reason: Never needed.\n")
    repo.commit("Withdraw the police response", "2027-02-01")
    publish(repo, "1.2", "2027-02-02")
    archives = build_ok()
    assert "Check the caller is safe." in archives["1.1"], "1.1 published it"

    # 1.3: the police response is published again, amended; the short draft is published.
    repo.replace(BASICS, "    status: withdrawn\n    withdrawn:\n      date: 2027-02-01\n      reason: Under review.\n",
                 "    status: ready\n")
    repo.replace(BASICS, "Check the caller is safe.", "Check that the caller is safe.")
    repo.replace(SCHOOLS, "status: draft", "status: ready")
    repo.commit("Police response back", "2027-03-01")
    publish(repo, "1.3", "2027-03-02")
    archives = build_ok()
    assert "Police response" in archives["1.2"] and "Under review." in archives["1.2"]
    assert "Check the caller is safe." not in archives["1.2"].split("The text of version 1.2")[1], \
        "a withdrawn section is its notice in the text of its edition"

    # 1.4: the plans go back to draft for rework; a published paragraph is reworded.
    repo.replace(BASICS, "    status: published\n    blocks:\n      - id: aaa7", "    status: draft\n    blocks:\n      - id: aaa7")
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Plans back to draft", "2027-04-01")
    publish(repo, "1.4", "2027-04-02")
    archives = build_ok()
    assert "Kiwi." in archives["1.3"] and not any("Kiwi." in archives[v] for v in ("1.0", "1.1", "1.2"))

    # 1.5: a minor correction.
    repo.replace(BASICS, "Breach of an order", "Breaching an order")
    repo.commit("Typo", "2027-05-01")
    publish(repo, "1.5", "2027-05-02", "--minor")
    archives = build_ok()
    assert sorted(archives) == ["1.0", "1.1", "1.2", "1.3", "1.4"]
    assert "Zebra quartz" in archives["1.1"] and "Zebra quartz" not in (repo.root / "site/alpha/basics/index.html").read_text()


@pytest.mark.slow
def test_an_archive_without_text_and_marks_on_everything_are_warnings(repo):
    """An edition that points at a commit with no text yet (as the real 0.1 did, found by the commit that first
    wrote its version): the build says so and what to do."""
    for rel in (BASICS, SCHOOLS):
        repo.git("rm", "-q", rel)
    header_only = repo.commit("Only the header", "2026-11-02")
    repo.git("tag", "alpha/v1.0", header_only)
    repo.git("checkout", "-q", "HEAD~1", "--", BASICS, SCHOOLS)
    repo.commit("The text", "2026-11-03")
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready", "2027-01-10")
    publish(repo, "1.1", "2027-02-01")
    checked, result = pipeline.build(repo.root)
    assert result.ok
    codes = [(p.severity, p.code) for p in result.problems]
    assert codes == [("warning", "history.edition-empty"), ("warning", "history.all-new")], result.problems
    assert "commit: <full commit id>" in result.problems[0].hint

    assert "The tag alpha/v1.0 points at the wrong commit" in result.problems[0].hint
    repo.git("tag", "-d", "alpha/v1.0")
    pin = repo.repo.git.rev_parse("HEAD~2")
    repo.replace(DOCUMENT, '  - version: "1.0"\n', f'  - version: "1.0"\n    commit: "{pin}"\n')
    repo.commit("Say which commit 1.0 is", "2027-02-02")
    checked, result = pipeline.build(repo.root)
    assert result.ok and result.problems == [], result.problems
    assert "Courts can make a stalking" in (repo.root / "site/alpha/editions/1.0/index.html").read_text()
