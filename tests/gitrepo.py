"""Real git repositories for history tests: a fixed author and fixed dates, so every result is exact."""
from __future__ import annotations

import shutil
from pathlib import Path

from git import Repo

FIXTURE = Path(__file__).parent / "fixtures" / "site"
AUTHOR = ("Ada Editor", "ada@example.gov.uk")


def env(day: str) -> dict[str, str]:
    stamp = f"{day}T10:00:00+00:00"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": AUTHOR[0],
            "GIT_AUTHOR_EMAIL": AUTHOR[1], "GIT_COMMITTER_NAME": AUTHOR[0], "GIT_COMMITTER_EMAIL": AUTHOR[1]}


class GitProject:
    """The fixture project in a fresh repository on branch main, committed on the day given."""

    def __init__(self, root: Path, day: str = "2026-11-01"):
        self.root = root
        shutil.copytree(FIXTURE / "content", root / "content")
        shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
        self.repo = Repo.init(root, initial_branch="main")
        with self.repo.config_writer() as config:
            config.set_value("user", "name", AUTHOR[0])
            config.set_value("user", "email", AUTHOR[1])
            config.set_value("commit", "gpgsign", "false")
            config.set_value("tag", "gpgsign", "false")
        (root / ".gitignore").write_text("/build/\n/site/\n/site-preview/\n")
        self.commit("Start", day)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def replace(self, rel: str, old: str, new: str, count: int = 1) -> None:
        path = self.path(rel)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    def commit(self, message: str, day: str) -> str:
        self.repo.git.add(A=True)
        self.repo.git.commit("-q", "--allow-empty", "-m", message, env=env(day))
        return self.repo.head.commit.hexsha

    def git(self, *args, day: str = "2026-11-01") -> str:
        return self.repo.git.execute(["git", *args], env=env(day))

    def close(self) -> None:
        self.repo.close()


CLONES = {
    # name → (git clone options, then what to do in the clone)
    "full": ([], []),
    "no-local": (["--no-local"], []),
    "gc-aggressive": ([], [["gc", "--aggressive", "--prune=now", "-q"]]),
    "detached": ([], [["checkout", "-q", "--detach", "HEAD"]]),
    "no-tags": (["--no-tags"], []),
    "depth-1": (["--depth", "1"], []),
    "depth-1-tags-fetched": (["--depth", "1", "--no-tags"], [["fetch", "-q", "--tags", "--depth", "1", "origin"]]),
}


def clone(source: Path, dest: Path, kind: str = "full") -> Path:
    """A real `git clone` of source (through file:// for the shallow kinds, as a remote would be), every object
    packed as in any clone, then the follow-up the kind names."""
    options, after = CLONES[kind]
    url = f"file://{source}" if "--depth" in options else str(source)
    Repo.clone_from(url, dest, multi_options=options).close()
    repo = Repo(dest)
    try:
        for args in after:
            repo.git.execute(["git", *args])
    finally:
        repo.close()
    return dest
