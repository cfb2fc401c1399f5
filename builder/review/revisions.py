"""The two sides of a review read from git: by default the merge base with main and the working tree."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

from builder.content.model import Content
from builder.history.git import HistoryError, content_at, dropped, repository, resolve, worktree_content
from builder.review.changes import Diff
from builder.review.diff import compare

@dataclass
class Revisions:
    """The two sides of a review, read whole: the repository, the base commit and both sides' content."""

    repo: object
    prefix: str
    base_commit: str
    base_label: str
    head_label: str
    before: Content | None
    after: Content | None
    unreadable: list  # (label, problem): what stops a side from being read whole


@contextlib.contextmanager
def revisions(root, base: str | None = None, head: str | None = None):
    """The two revisions to compare, by default the merge base with main and the working tree, with the
    repository still open (the gate reads edition commits from it)."""
    with repository(root) as (repo, prefix):
        if repo is None:
            raise HistoryError("this folder is not in a git repository, so there are no revisions to compare",
                               "Run guidance diff inside a clone of the guidance repository.")
        if not repo.head.is_valid():
            raise HistoryError("the repository has no commits yet", "Commit the content first.")
        if base is None:
            base_commit, base_label = _merge_base(repo, resolve(repo, head or "HEAD"))
        else:
            base_commit = resolve(repo, base)
            base_label = f"{base} ({base_commit.hexsha[:7]})"
        cache: dict = {}
        blobs: dict = {}
        before, problems = content_at(repo, prefix, base_commit.hexsha, cache, blobs)
        bad = [(base_label, p) for p in dropped(problems)]
        if head is None:
            after, problems = worktree_content(root)
            head_label = "working tree"
        else:
            head_commit = resolve(repo, head)
            after, problems = content_at(repo, prefix, head_commit.hexsha, cache, blobs)
            head_label = f"{head} ({head_commit.hexsha[:7]})"
        bad += [(head_label, p) for p in dropped(problems)]
        after.trees = before.trees  # a text both sides hold is parsed once
        yield Revisions(repo, prefix, base_commit.hexsha, base_label, head_label, before, after, bad)


def review(root, base: str | None = None, head: str | None = None) -> tuple[Diff | None, list]:
    """Compare two revisions of the project at root: by default the merge base with main and the working tree.
    Returns the diff, or None and the problems that stop one revision from being read whole."""
    with revisions(root, base, head) as r:
        if r.unreadable:
            return None, r.unreadable
        return compare(r.before, r.after, r.base_label, r.head_label), []


def _merge_base(repo, head_commit):
    for name in ("main", "origin/main"):
        try:
            main = resolve(repo, name)
        except HistoryError:
            continue
        bases = repo.merge_base(main, head_commit)
        if bases:
            return bases[0], f"merge base with {name} ({bases[0].hexsha[:7]})"
    raise HistoryError("there is no branch main (nor origin/main) to compare with",
                       "Name the base revision: guidance diff BASE [HEAD], for example guidance diff origin/main.")
