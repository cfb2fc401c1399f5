"""guidance publish is a transaction (issue 28): killed at any git call it makes, with git's index held by another
program, with a file edited while it waits, or raced by a second publish, it leaves either nothing or the whole
edition, and a run after a crash completes what the crashed run left."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from git import Repo

from builder.publish.apply import apply
from builder.publish.plan import PublishError, plan
from gitrepo import GitProject, env

BASICS = "content/alpha/01-basics.yaml"
DOCUMENT = "content/alpha/document.yaml"
WRAPPER = """#!/bin/sh
# Counts each git call; at call KILL_AT kills guidance and every process it started (its process group, which
# the test made a session of its own) before or after running git.
n=$(( $(cat "$COUNT_FILE") + 1 ))
echo "$n" > "$COUNT_FILE"
[ -n "$CALLS_FILE" ] && echo "$*" >> "$CALLS_FILE"
read -r _ _ _ _ group _ < /proc/$$/stat
if [ "$n" = "$KILL_AT" ] && [ "$KILL_WHEN" = before ]; then kill -KILL "-$group"; fi
git "$@"
status=$?
if [ "$n" = "$KILL_AT" ] && [ "$KILL_WHEN" = after ]; then kill -KILL "-$group"; fi
exit $status
"""


@pytest.fixture
def repo(tmp_path):
    project = GitProject(tmp_path / "repo", "2026-11-01")
    project.replace(BASICS, "status: draft", "status: ready")
    project.commit("Plans are ready", "2027-01-10")
    yield project
    project.close()


def publish(repo: GitProject, version: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """guidance publish as its own process, as an editor runs it."""
    return subprocess.run([sys.executable, "-m", "builder", "publish", "alpha", "--version", version, "--note",
                           f"Edition {version}.", "--date", "2027-02-01", "--yes", "--root", str(repo.root)],
                          capture_output=True, text=True, timeout=120, start_new_session=True,
                          env={**os.environ, **env("2027-02-01"), **(extra_env or {})})


def state(repo: GitProject) -> dict:
    git = repo.repo.git
    return {"head": git.rev_parse("HEAD"), "tags": git.tag("--list"), "status": git.status("--porcelain"),
            "document": repo.path(DOCUMENT).read_text(), "basics": repo.path(BASICS).read_text()}


def whole(repo: GitProject, version: str) -> bool:
    """The edition is complete: the branch's commit states it, the tag points there, the files and index agree."""
    git = repo.repo.git
    head = git.rev_parse("HEAD")
    return (f'version: "{version}"' in git.show(f"HEAD:{DOCUMENT}")
            and git.rev_parse(f"alpha/v{version}^{{commit}}") == head
            and git.status("--porcelain") == "" and f'version: "{version}"' in repo.path(DOCUMENT).read_text())


def wrapper(tmp_path: Path) -> dict:
    script = tmp_path / "git-wrapper"
    script.write_text(WRAPPER)
    script.chmod(0o755)
    return {"GIT_PYTHON_GIT_EXECUTABLE": str(script), "KILL_AT": "0", "KILL_WHEN": "none"}


def cloned(source: GitProject, target: Path) -> GitProject:
    """A --no-local clone of the project (packed objects, as a real clone has), ready to commit."""
    subprocess.run(["git", "clone", "-q", "--no-local", str(source.root), str(target)], check=True)
    for key, value in (("user.email", "editor@example.org"), ("user.name", "Editor")):
        subprocess.run(["git", "-C", str(target), "config", key, value], check=True)
    project = GitProject.__new__(GitProject)
    project.root, project.repo = target, Repo(target)
    return project


def counted(calls: dict, path: Path, **kill) -> dict:
    path.write_text("0")
    return {**calls, "COUNT_FILE": str(path), **{k.upper(): str(v) for k, v in kill.items()}}


@pytest.mark.slow
def test_killed_at_every_git_call_publish_leaves_nothing_or_the_whole_edition(repo, tmp_path):
    calls = wrapper(tmp_path)
    before = state(repo)
    trial = cloned(repo, tmp_path / "count-run")
    first = publish(trial, "1.1", {**counted(calls, tmp_path / "count"), "CALLS_FILE": str(tmp_path / "calls")})
    trial.repo.close()
    assert first.returncode == 0, first.stderr
    total = int((tmp_path / "count").read_text())
    assert total >= 8, "publish makes its git calls through the git GitPython runs"

    outcomes = set()
    for n in range(1, total + 1):
        for when in ("before", "after"):
            project = cloned(repo, tmp_path / f"trial-{n}-{when}")
            try:
                killed = publish(project, "1.1", counted(calls, tmp_path / f"count-{n}-{when}", kill_at=n,
                                                         kill_when=when))
                if killed.returncode == 0:  # git's long-lived cat-file ends only as publish exits: too late to kill
                    assert "cat-file" in (tmp_path / "calls").read_text().splitlines()[n - 1] and when == "after"
                    assert whole(project, "1.1")
                    continue
                now = state(project)
                recorded = 'version: "1.1"' in project.repo.git.show(f"HEAD:{DOCUMENT}")
                if recorded:  # the tag moved with the branch, in one transaction
                    assert project.repo.git.rev_parse("alpha/v1.1^{commit}") == now["head"], (n, when)
                else:  # nothing: the branch, the tags, the files and the index as they were
                    assert now == before, (n, when, now)
                outcomes.add("recorded" if recorded else "nothing")
                again = publish(project, "1.1")
                if recorded:
                    assert again.returncode == 2 and "Choose the next free version: --version 1.2." in again.stdout, \
                        (n, when, again.stdout, again.stderr)
                else:
                    assert again.returncode == 0, (n, when, again.stdout, again.stderr)
                assert whole(project, "1.1"), (n, when, state(project))
                assert not (project.root / ".git/guidance-publish.lock").exists()
            finally:
                project.repo.close()
    assert outcomes == {"nothing", "recorded"}, "the kills fell on both sides of the transaction"


@pytest.mark.slow
def test_a_held_index_lock_refuses_before_anything_is_written(repo):
    before = state(repo)
    (repo.root / ".git/index.lock").write_text("")
    result = publish(repo, "1.1")
    assert result.returncode == 1 and "error [publish.busy] another git program is using this repository" in \
        result.stdout, result.stdout + result.stderr
    assert "Nothing was published." in result.stderr
    (repo.root / ".git/index.lock").unlink()
    assert state(repo) == before


def test_an_edit_saved_while_publish_waits_is_never_lost(repo):
    planned = plan(repo.root, "alpha", "1.1", "Plans.", on=None, today=None)
    before = state(repo)
    repo.path(BASICS).write_text(repo.path(BASICS).read_text().replace("Courts can make", "Courts may make"))
    with pytest.raises(PublishError) as refused:
        apply(repo.root, planned)
    assert [p.code for p in refused.value.problems] == ["publish.changed"]
    assert refused.value.problems[0].pos.file == BASICS
    assert "Courts may make" in repo.path(BASICS).read_text(), "the editor's edit is kept"
    assert state(repo)["head"] == before["head"] and state(repo)["tags"] == before["tags"]


@pytest.mark.slow
def test_two_publishes_at_once_record_one_edition_and_refuse_the_other(repo):
    for _ in range(3):
        start = repo.repo.git.rev_parse("HEAD")
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda v: publish(repo, v), ["1.1", "1.2"]))
        ok = [r for r in results if r.returncode == 0]
        assert len(ok) == 1, [r.stdout + r.stderr for r in results]
        loser = next(r for r in results if r.returncode != 0)
        assert "Nothing was published." in loser.stderr
        # refused at whatever point it met the other: its plan (the version taken, or files mid-write), the lock,
        # or the branch that moved while it waited
        assert any(code in loser.stdout for code in ("publish.changed", "publish.busy", "publish.exists",
                                                     "publish.uncommitted")), loser.stdout
        version = "1.1" if results[0].returncode == 0 else "1.2"
        assert whole(repo, version)
        assert repo.repo.git.rev_parse("HEAD~1") == start
        repo.repo.git.reset("-q", "--hard", start)
        repo.repo.git.tag("-d", f"alpha/v{version}")


@pytest.mark.slow
def test_a_full_disk_leaves_nothing_or_the_whole_edition(tmp_path):
    """The repository on a small filesystem (a tmpfs, as root) filled to the last block: publish cannot write
    git's objects, and says so with the repository as it was."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.fail("a small tmpfs is needed (root mounts one; CI runs as root): " + mounted.stderr.decode())
    try:
        project = GitProject(disk / "repo", "2026-11-01")
        project.replace(BASICS, "status: draft", "status: ready")
        project.commit("Plans are ready", "2027-01-10")
        before = state(project)
        filler = disk / "filler"
        with filler.open("wb") as out:  # fill every free block
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        result = publish(project, "1.1")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "error [publish." in result.stdout and "Traceback" not in result.stderr
        assert "internal error" not in result.stderr
        filler.unlink()
        assert state(project) == before, "nothing was published: branch, tags, files and index as they were"
        again = publish(project, "1.1")
        assert again.returncode == 0, again.stdout + again.stderr
        assert whole(project, "1.1")
        project.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
