"""History stage: everything the build needs from git (last-updated dates, editions), read with one pass over the
log and from blobs, never by checking anything out. Never fails: what git cannot tell is explained in notes."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from git import Repo
from git.exc import GitCommandError

from builder.content.model import Content, Problem
from builder.history.dates import History, State, date_worktree, replay
from builder.history.editions import find_editions
from builder.history.git import HERE, repository


def collect(root: Path, content: Content, build_date: str | None = None, archives: bool = True) -> History:
    """Everything the build needs from git. Never fails: what git cannot tell is dated with the build date and
    explained in history.notes."""
    history = History(build_date=build_date or date.today().isoformat())
    with repository(root) as (repo, prefix):
        if repo is None:
            history.notes.append(Problem(
                HERE, "info", "history.no-repository",
                f"this folder is not in a git repository: every 'last updated' date is the build date "
                f"({history.build_date}) and earlier editions cannot be archived",
                "Build from a clone of the repository to show real dates and earlier editions."))
            return history
        try:
            _read(root, repo, prefix, content, history, archives)
        except (GitCommandError, ValueError, OSError) as err:
            history = History(build_date=history.build_date)
            history.notes.append(Problem(
                HERE, "warning", "history.unreadable",
                f"git could not read the history ({' '.join(str(err).split())[:200]}): every 'last updated' date is "
                f"the build date ({history.build_date}) and earlier editions are not archived",
                "Check the repository with git fsck, or build from a fresh clone."))
    return history


def _read(root: Path, repo: Repo, prefix: str, content: Content, history: History, archives: bool) -> None:
    history.repository = True
    found: dict[tuple[str, str], str] = {}
    snapshots: dict[tuple[str, str], dict] = {}
    if repo.head.is_valid():
        history.head = repo.head.commit.hexsha
        history.detached = repo.head.is_detached
        state = replay(repo, prefix, history, found, snapshots)
    else:
        state = State()
        history.notes.append(Problem(HERE, "info", "history.no-commits",
                                     "the repository has no commits yet: every date is the build date",
                                     "Commit the content for real dates."))
    date_worktree(root, repo, prefix, state, history)
    find_editions(repo, prefix, content, history, found, snapshots, state, archives)
