"""History stage: everything the build needs from git (last-updated dates, editions), read with one pass over the
log and from blobs, never by checking anything out. Never fails: what git cannot tell is explained in notes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from git import Repo
from git.exc import GitCommandError

from builder.content.model import Content, Problem
from builder.history.dates import History, State, date_worktree, replay
from builder.history.editions import find_editions
from builder.history.git import HERE, HistoryError, repository


@dataclass
class Dates:
    """What the log gives before the content is known: the dates (in history), and what find_editions reads on.
    done: nothing more to read (no repository, or git failed; history.notes says which)."""

    history: History
    done: bool = False
    found: dict[tuple[str, str], str] = field(default_factory=dict)  # (doc, version) → the commit that set it
    snapshots: dict[tuple[str, str], dict] = field(default_factory=dict)  # (doc, version) → its sections then
    state: State = field(default_factory=State)


def collect(root: Path, content: Content, build_date: str | None = None, archives: bool = True,
            dates: Dates | None = None) -> History:
    """Everything the build needs from git. Never fails: what git cannot tell is dated with the build date and
    explained in history.notes. dates: read_dates(root, build_date) already worked out (the build reads them
    while it checks the content)."""
    dates = dates or read_dates(root, build_date)
    if dates.done:
        return dates.history
    with repository(root) as (repo, prefix):
        try:
            find_editions(repo, prefix, content, dates.history, dates.found, dates.snapshots, dates.state, archives)
        except (GitCommandError, HistoryError, ValueError, OSError) as err:
            return _unreadable(dates.history.build_date, err)
    return dates.history


def read_dates(root: Path, build_date: str | None = None) -> Dates:
    """The part of collect that needs no content: one replay of the log, and the working tree's changes."""
    history = History(build_date=build_date or date.today().isoformat())
    with repository(root) as (repo, prefix):
        if repo is None:
            history.notes.append(Problem(
                HERE, "info", "history.no-repository",
                f"this folder is not in a git repository: every 'last updated' date is the build date "
                f"({history.build_date}) and earlier editions cannot be archived",
                "Build from a clone of the repository to show real dates and earlier editions."))
            return Dates(history, done=True)
        try:
            return _read(root, repo, prefix, history)
        except (GitCommandError, HistoryError, ValueError, OSError) as err:
            return Dates(_unreadable(history.build_date, err), done=True)


def _unreadable(build_date: str, err: Exception) -> History:
    history = History(build_date=build_date)
    history.notes.append(Problem(
        HERE, "warning", "history.unreadable",
        f"git could not read the history ({' '.join(str(err).split())[:200]}): every 'last updated' date is "
        f"the build date ({build_date}) and earlier editions are not archived",
        "Check the repository with git fsck, or build from a fresh clone."))
    return history


def _read(root: Path, repo: Repo, prefix: str, history: History) -> Dates:
    history.repository = True
    dates = Dates(history)
    if repo.head.is_valid():
        history.head = repo.head.commit.hexsha
        history.detached = repo.head.is_detached
        dates.state = replay(repo, prefix, history, dates.found, dates.snapshots)
    else:
        history.notes.append(Problem(HERE, "info", "history.no-commits",
                                     "the repository has no commits yet: every date is the build date",
                                     "Commit the content for real dates."))
    date_worktree(root, repo, prefix, dates.state, history)
    return dates
