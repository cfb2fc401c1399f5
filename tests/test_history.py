"""History stage on real repositories with fixed dates: last-updated per section, editions, and what happens when
git cannot tell (no repository, shallow clone, detached HEAD, uncommitted edits)."""
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from git import Repo
from gitrepo import GitProject, clone, env

from builder import pipeline
from builder.cli import main
from builder.history.collect import collect
from builder.history.dates import Stamp

BASICS = "content/alpha/01-basics.yaml"
SCHOOLS = "content/alpha/02-schools.yaml"


def run(*args, day="2027-03-01"):
    return CliRunner(env=env(day)).invoke(main, [str(a) for a in args], catch_exceptions=False)


def history_of(root: Path, build_date="2027-03-01"):
    checked = pipeline.check(root)
    assert not checked.failed(), checked.problems
    return collect(root, checked.content, build_date)


def dates(history, *sids, doc="alpha"):
    return {sid: history.section(doc, sid) for sid in sids}


def test_each_section_is_dated_by_the_last_commit_that_changed_it(repo):
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Reword what stalking is", "2026-12-05")
    repo.replace(SCHOOLS, "at once.", "the same day.")
    repo.commit("Schools: same day", "2027-01-10")
    repo.replace(BASICS, "review_by: 2099-11-30", "review_by: 2100-11-30")
    repo.commit("Review date only", "2027-02-01")

    history = history_of(repo.root)
    assert dates(history, "what-it-is", "for-police", "for-schools", "old-advice") == {
        "what-it-is": Stamp("2026-12-05"),  # a new review date is not an update readers see
        "for-police": Stamp("2026-11-01"),
        "for-schools": Stamp("2027-01-10"),
        "old-advice": Stamp("2026-11-01"),
    }
    assert history.chapter("alpha", "schools") == Stamp("2026-11-01"), "its header and public sections are unchanged"
    assert history.notes == []


def test_moving_a_section_between_chapters_keeps_its_date_but_dates_both_pages(repo):
    basics = repo.path(BASICS).read_text()
    start = basics.index("  - id: for-police")
    end = basics.index("  - id: secret-draft")
    repo.path(BASICS).write_text(basics[:start] + basics[end:])
    with repo.path(SCHOOLS).open("a") as schools:
        schools.write(basics[start:end])
    repo.commit("Move the police response into Schools", "2026-12-24")

    history = history_of(repo.root)
    assert history.section("alpha", "for-police") == Stamp("2026-11-01")
    assert history.chapter("alpha", "basics") == Stamp("2026-12-24")
    assert history.chapter("alpha", "schools") == Stamp("2026-12-24")


def test_renaming_a_chapter_file_is_not_an_update_and_deleting_a_section_dates_its_page(repo):
    repo.git("mv", SCHOOLS, "content/alpha/03-schools.yaml")
    repo.commit("Renumber the schools chapter", "2026-12-01")
    text = repo.path("content/alpha/03-schools.yaml").read_text()
    repo.path("content/alpha/03-schools.yaml").write_text(text[:text.index("  - id: old-advice")])
    repo.commit("Delete the withdrawn section", "2027-01-15")

    history = history_of(repo.root)
    assert history.section("alpha", "for-schools") == Stamp("2026-11-01")
    assert history.chapter("alpha", "schools") == Stamp("2027-01-15")


def test_a_merged_branch_counts_on_the_day_it_reached_main(repo):
    repo.git("checkout", "-q", "-b", "edit")
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Edit on a branch", "2026-12-01")
    repo.git("checkout", "-q", "main")
    repo.replace(SCHOOLS, "at once.", "the same day.")
    repo.commit("Meanwhile on main", "2026-12-10")
    repo.git("merge", "-q", "--no-ff", "edit", "-m", "Merge edit", day="2026-12-20")

    history = history_of(repo.root)
    assert history.section("alpha", "what-it-is") == Stamp("2026-12-20")
    assert history.section("alpha", "for-schools") == Stamp("2026-12-10")


def test_uncommitted_edits_carry_the_build_date_marked_as_such(repo):
    repo.replace(BASICS, "Courts can make", "Courts may make")
    history = history_of(repo.root, build_date="2027-03-01")
    assert history.section("alpha", "what-it-is") == Stamp("2027-03-01", "uncommitted")
    assert history.section("alpha", "for-police") == Stamp("2026-11-01")
    assert [n.code for n in history.notes] == ["history.uncommitted"]
    assert "1 content file has uncommitted changes" in history.notes[0].message


@pytest.mark.slow
def test_without_a_repository_dates_fall_back_to_the_build_date(project):
    history = history_of(project, build_date="2027-03-01")
    assert history.section("alpha", "what-it-is") == Stamp("2027-03-01", "build")
    assert [n.code for n in history.notes] == ["history.no-repository"]
    result = run("build", "--root", project)
    assert result.exit_code == 0
    assert "info [history.no-repository] this folder is not in a git repository" in result.output
    page = (project / "build/docs/alpha/basics.md").read_text()
    assert re.search(r"Last updated \d{1,2} [A-Z][a-z]+ 20\d\d \(the build date: no version history was available\)",
                     page)


@pytest.mark.slow
def test_a_shallow_clone_builds_and_says_what_it_could_not_know(repo, tmp_path):
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Reword", "2026-12-05")
    repo.replace(SCHOOLS, "at once.", "the same day.")
    repo.commit("Schools", "2027-01-10")
    clone = tmp_path / "clone"
    Repo.clone_from(f"file://{repo.root}", clone, depth=1).close()

    history = history_of(clone)
    assert history.section("alpha", "for-schools") == Stamp("2027-01-10", "shallow")
    assert history.section("alpha", "what-it-is") == Stamp("2027-01-10", "shallow"), "on or before the boundary"
    assert [n.code for n in history.notes] == ["history.shallow"]
    checked, result = pipeline.build(clone)
    assert result.ok, result.problems
    page = (clone / "build/docs/alpha/basics.md").read_text()
    assert "Last updated on or before 10 January 2027 (earlier history was not available to this build)" in page


@pytest.mark.slow
def test_a_detached_head_is_dated_from_its_own_history(repo):
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Reword", "2026-12-05")
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    history = history_of(repo.root)
    assert history.detached and history.notes == []
    assert history.section("alpha", "what-it-is") == Stamp("2026-11-01")
    assert pipeline.build(repo.root)[1].ok


def test_history_command_lists_editions_notes_and_dates(repo):
    repo.replace(BASICS, "status: draft", "status: ready")
    repo.commit("Ready for publication", "2027-01-10")
    published = run("publish", "alpha", "--version", "1.1", "--note", "Added plans.", "--date", "2027-02-01",
                    "--root", repo.root, day="2027-02-01")
    assert published.exit_code == 0, published.output
    result = run("history", "alpha", "--root", repo.root)
    assert result.exit_code == 0
    head = repo.repo.head.commit.hexsha[:7]
    first = repo.repo.git.rev_list("--max-parents=0", "HEAD")[:7]
    assert result.output.splitlines()[:12] == [
        "Alpha guidance on stalking (alpha): version 1.1",
        "  Editions, newest first:",
        f"    1.1  2027-02-01  major  commit {head} (its tag), tag alpha/v1.1",
        "      Added plans.",
        f"    1.0  2026-11-01  major  commit {first} (the commit that set the version), no tag",
        "      First edition.",
        "  Last updated (public numbers; a draft has none):",
        "    1. Basics: 2027-02-01",
        "      1.1 what-it-is (published): 2026-11-01",
        "      1.2 for-police (published): 2026-11-01",
        "      1.3 secret-draft (published): 2027-02-01 [new 2027]",
        "    2. Schools: 2026-11-01",
    ]
    assert run("history", "gamma", "--root", repo.root).exit_code == 2


@pytest.mark.slow
def test_a_damaged_repository_still_builds_and_says_so(repo):
    first = repo.repo.git.rev_parse(f"HEAD:{BASICS}")
    repo.replace(BASICS, "Courts can make", "Courts may make")
    repo.commit("Reword", "2026-12-05")
    (repo.root / ".git/objects" / first[:2] / first[2:]).unlink()
    history = history_of(repo.root, build_date="2027-03-01")
    assert [n.code for n in history.notes] == ["history.unreadable"]
    assert history.section("alpha", "what-it-is") == Stamp("2027-03-01", "build")
    checked, result = pipeline.build(repo.root)
    assert result.ok and [p.code for p in result.problems] == ["history.unreadable"]


EXPECTED_BY_CLONE = {  # how edition 1.0 is found in each kind of clone when a tag alpha/v1.0 was placed by hand
    "full": "tag", "no-local": "tag", "gc-aggressive": "tag", "detached": "tag", "no-tags": "history",
    "depth-1": None, "depth-1-tags-fetched": None,  # a shallow clone cannot place the tag on main
}


@pytest.fixture(scope="module")
def tagged_source(tmp_path_factory):
    """A repository whose edition 1.0 is a later commit than the one that set the version, marked by a tag placed
    by hand; then 1.1 published; every object packed, as on a server."""
    project = GitProject(tmp_path_factory.mktemp("source") / "repo", "2026-11-01")
    project.replace(BASICS, "Breach of an order", "Breaching an order")
    real = project.commit("The text of 1.0 as issued", "2026-11-05")
    project.git("tag", "-a", "alpha/v1.0", real, "-m", "alpha version 1.0")
    project.replace(BASICS, "status: draft", "status: ready")
    project.commit("Plans are ready", "2027-01-10")
    assert run("publish", "alpha", "--version", "1.1", "--note", "Plans.", "--date", "2027-02-01", "--yes",
               "--root", project.root, day="2027-02-01").exit_code == 0
    project.git("gc", "-q")
    yield project, real
    project.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(EXPECTED_BY_CLONE))
def test_editions_are_found_in_every_kind_of_clone(tagged_source, tmp_path, kind):
    source, real = tagged_source
    target = clone(source.root, tmp_path / kind, kind)
    cloned = Repo(target)
    try:
        assert not cloned.odb.has_object(bytes.fromhex(cloned.head.commit.hexsha)), "objects are packed"
        assert cloned.head.is_detached == (kind == "detached")
    finally:
        cloned.close()
    history = history_of(target)
    record = history.editions[("alpha", "1.0")]
    assert record.found_by == (EXPECTED_BY_CLONE[kind] or "")
    if record.found_by == "tag":
        assert record.commit == real, "a tag is honoured whenever its commit is in the clone"
    codes = [n.code for n in history.notes]
    if kind.startswith("depth-1"):
        assert "history.shallow" in codes
    if EXPECTED_BY_CLONE[kind] is None:
        assert "history.edition-not-found" in codes
    checked, result = pipeline.build(target)
    assert result.ok, result.problems
    archived = target / "site/alpha/editions/1.0/index.html"
    if record.found_by == "tag":
        assert "Breaching an order" in archived.read_text()
    elif record.found_by == "history":
        assert "Breach of an order" in archived.read_text(), "without the tag: the commit that set 1.0"
    else:
        assert not archived.exists()


def pin(project: GitProject, version: str, sha: str) -> None:
    """Name an edition's commit in document.yaml, as an editor would."""
    project.replace("content/alpha/document.yaml", f'  - version: "{version}"\n',
                    f'  - version: "{version}"\n    commit: "{sha}"\n')


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["full", "gc-aggressive", "detached", "no-tags", "depth-1"])
def test_an_edition_pinned_in_document_yaml_is_found_in_every_clone_that_has_its_commit(tmp_path, kind):
    project = GitProject(tmp_path / "repo", "2026-11-01")
    try:
        project.replace(BASICS, "Breach of an order", "Breaching an order")
        real = project.commit("The text of 1.0 as issued", "2026-11-05")
        pin(project, "1.0", real)
        project.replace(BASICS, "status: draft", "status: ready")
        project.commit("Pin 1.0; plans ready", "2027-01-10")
        assert run("publish", "alpha", "--version", "1.1", "--note", "Plans.", "--date", "2027-02-01", "--yes",
                   "--root", project.root, day="2027-02-01").exit_code == 0
        project.git("gc", "-q")
        target = clone(project.root, tmp_path / kind, kind)
    finally:
        project.close()
    history = history_of(target)
    record = history.editions[("alpha", "1.0")]
    if kind == "depth-1":
        assert record.commit is None
        assert [n.code for n in history.notes if n.code.startswith("history.edition")] == [
            "history.edition-commit-missing", "history.edition-not-found"]
        assert all(n.severity == "info" for n in history.notes), "a shallow clone is expected to lack it"
        return
    assert (record.found_by, record.commit) == ("commit", real)
    checked, result = pipeline.build(target)
    assert result.ok and result.problems == [], result.problems
    assert "Breaching an order" in (target / "site/alpha/editions/1.0/index.html").read_text()


def test_a_commit_named_for_an_edition_that_does_not_exist_is_a_warning(repo):
    pin(repo, "1.0", "0" * 40)
    repo.commit("Pin to nothing", "2026-11-02")
    history = history_of(repo.root)
    assert [(n.severity, n.code) for n in history.notes] == [("warning", "history.edition-commit-missing")]
    assert "names commit 000000000000, which this clone does not have" in history.notes[0].message


def test_a_tag_placed_by_hand_wins_over_the_commit_named_in_document_yaml(repo):
    pinned = repo.repo.head.commit.hexsha
    pin(repo, "1.0", pinned)
    repo.replace(BASICS, "Breach of an order", "Breaching an order")
    later = repo.commit("Pin 1.0, then a correction", "2026-11-05")
    repo.git("tag", "-a", "alpha/v1.0", later, "-m", "alpha version 1.0")
    history = history_of(repo.root)
    assert (history.editions[("alpha", "1.0")].found_by, history.editions[("alpha", "1.0")].commit) == ("tag", later)
    assert [(n.severity, n.code) for n in history.notes] == [("warning", "history.edition-disagrees")]
