"""History stage, git: the repository read through GitPython and git's own commands (the log, blobs, trees, tags,
revisions), never by checking anything out; and the content at a revision through the same load and validate stages."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml as pyyaml
from git import Git, Repo
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from builder.content.load import MAX_BYTES, SUFFIXES, Refused, collector_paused, load_entries, load_tree
from builder.content.model import Content, Pos, Problem
from builder.content.validate import model

HERE = Pos("content")  # where problems about the history as a whole are reported
_FAST_LOADER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


class HistoryError(Exception):
    """Git cannot answer the question asked (no repository, an unknown revision): a message and what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@contextlib.contextmanager
def repository(root: Path):
    """The git repository holding root, and root's path inside it ('' or 'sub/dir/'); (None, '') when there is none."""
    try:
        repo = Repo(root, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        yield None, ""
        return
    try:
        if repo.bare:
            yield None, ""
            return
        rel = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve())
        yield repo, "" if rel == Path(".") else rel.as_posix() + "/"
    finally:
        repo.close()


def fast_load(raw: bytes | None):
    """Plain data of a past version of a file, for fingerprints only: PyYAML's C parser is about 35 times faster
    than the round-trip loader. Aliases are refused so that a hostile file cannot expand exponentially."""
    if raw is None or len(raw) > MAX_BYTES:
        return None
    try:
        text = raw.decode("utf-8")
        if any(isinstance(e, pyyaml.AliasEvent) for e in pyyaml.parse(text, Loader=_FAST_LOADER)):
            return None
        return pyyaml.load(text, Loader=_FAST_LOADER)
    except (UnicodeDecodeError, pyyaml.YAMLError, RecursionError, ValueError):
        return None


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    date: str
    changes: list[tuple[str, str, str]]  # (status letter, new blob sha, path relative to the project root)


def first_parent_log(repo: Repo, prefix: str) -> list[_Commit]:
    """Every commit on HEAD's first-parent line that touched content/, newest first, with the blobs it wrote.
    Merges count on the day they reached the line, with their whole change against the first parent."""
    out = repo.git.log("--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw", "--no-abbrev", "-z",
                       "--format=%x01%H%x00%P%x00%cI", "HEAD", "--", f"{prefix}content")
    commits = []
    for record in out.split("\x01")[1:]:
        fields = record.split("\x00")
        commit = _Commit(fields[0], fields[1].split(), fields[2][:10], [])
        rest = fields[3:]
        i = 0
        while i + 1 < len(rest):
            meta = rest[i].strip()
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta[1:].split()
            path = rest[i + 1]
            i += 2
            if path.startswith(prefix):
                commit.changes.append((parts[4][:1], parts[3], path[len(prefix):]))
        commits.append(commit)
    return commits


def blob(repo: Repo, sha: str) -> bytes:
    return repo.odb.stream(bytes.fromhex(sha)).read()


def shallow_commits(repo: Repo) -> set[str]:
    path = Path(repo.common_dir) / "shallow"
    return set(path.read_text().split()) if path.is_file() else set()


def dirty_paths(repo: Repo, prefix: str) -> list[str]:
    # GIT_OPTIONAL_LOCKS=0: only look, never refresh the index (which needs its lock and disk space)
    out = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", f"{prefix}content",
                          env={"GIT_OPTIONAL_LOCKS": "0"})
    tokens = out.split("\x00")
    paths, i = [], 0
    while i < len(tokens):
        entry = tokens[i]
        i += 1
        if len(entry) < 4:
            continue
        if entry[0] in "RC":
            i += 1  # the old name of a rename or copy follows
        if entry[3:].startswith(prefix):
            paths.append(entry[3 + len(prefix):])
    return paths


def tag_commits(repo: Repo) -> dict[str, str]:
    """Tag name → the commit it points at (annotated tags peeled)."""
    out = repo.git.for_each_ref("--format=%(refname:short)%00%(objectname)%00%(*objectname)", "refs/tags")
    tags = {}
    for line in out.splitlines():
        name, obj, peeled = (line.split("\x00") + ["", ""])[:3]
        tags[name] = peeled or obj
    return tags


def read_tree(repo: Repo, prefix: str, rev: str, blobs: dict[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    """Every YAML file under content/ at a revision, as (project-relative path, bytes), read from blobs. blobs: the
    bytes of blobs already read (by id), shared by callers that read several revisions; filled with what is read."""
    commit = resolve(repo, rev)
    try:
        tree = commit.tree / f"{prefix}content"
    except KeyError:
        return []
    entries = []
    wanted: list[tuple[int, str]] = []  # (index in entries, blob id): read together, below
    trees = [tree]
    while trees:  # what load.scan() refuses on disk is refused here in the same words: one view for every command
        for item in trees.pop():
            rel = item.path[len(prefix):]
            if item.type == "commit":
                entries.append((rel, Refused("a submodule")))
            elif item.type == "tree":
                named_like_file = item.path.endswith(SUFFIXES)
                entries += [(rel, Refused("a folder named like a content file"))] if named_like_file else []
                trees += [] if named_like_file else [item]
            elif item.mode == 0o120000:
                entries.append((rel, Refused("a symbolic link")))
            elif item.path.endswith(SUFFIXES):
                wanted.append((len(entries), item.hexsha))
                entries.append((rel, None))
    blobs = {} if blobs is None else blobs
    found = read_blobs(repo, [sha for _, sha in wanted if sha not in blobs])
    blobs.update(found)
    for i, sha in wanted:
        entries[i] = (entries[i][0], blobs[sha])
    return sorted(entries, key=lambda e: PurePosixPath(e[0]).parts)


def read_blobs(repo: Repo, shas: list[str]) -> dict[str, bytes]:
    """The bytes of many blobs from one `git cat-file --batch`, all asked at once: one request at a time waits on
    git for each (a third of the time `guidance diff` took to read two trees of 1,750 files)."""
    if not shas:
        return {}
    # The git GitPython runs (GIT_PYTHON_GIT_EXECUTABLE), not its cat-file process: that one answers one request
    # at a time, and asking all at once through its pipes could fill them both and wait for ever.
    run = subprocess.run([Git.GIT_PYTHON_GIT_EXECUTABLE, "cat-file", "--batch"], capture_output=True,
                         input="".join(f"{sha}\n" for sha in shas).encode(),
                         env={**os.environ, "GIT_DIR": repo.git_dir})
    out, at, found = run.stdout, 0, {}
    for sha in shas:
        end = out.find(b"\n", at)
        header = out[at:end].split() if end >= 0 else []
        if run.returncode != 0 or len(header) != 3 or header[1] != b"blob":
            raise HistoryError(f"git could not read the file {sha[:7]} from this clone's objects",
                               "Fetch the whole history (git fetch --unshallow), or check the repository with "
                               "git fsck.")
        size = int(header[2])
        found[sha] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


def commit_of(repo: Repo, rev: str) -> str | None:
    """The full id of the commit a revision names, or None. Asks git itself, so that packed objects (every object in
    a clone, after git gc, in CI's checkout) count: GitPython's odb.has_object sees loose objects only."""
    if not rev or rev.startswith("-") or any(c in rev for c in "\x00\n"):
        return None
    try:
        out = repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except GitCommandError:
        return None
    out = out.strip()
    return out if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", out) else None


def resolve(repo: Repo, rev: str):
    sha = commit_of(repo, rev)
    if sha is None:
        raise HistoryError(f"'{rev}' is not a revision in this repository",
                           "Use a branch, tag or commit: for example main, origin/main, stalking/v1.0 or HEAD~2 "
                           "(a shallow clone may lack older commits: git fetch --unshallow).")
    try:
        return repo.commit(sha)
    except (BadName, ValueError, GitCommandError) as err:
        raise HistoryError(f"'{rev}' is not a commit this clone can read",
                           "Fetch the whole history: git fetch --unshallow --tags.") from err


def content_at(repo: Repo, prefix: str, rev: str, cache: dict | None = None,
               blobs: dict[str, bytes] | None = None) -> tuple[Content, list[Problem]]:
    """The content as it was at a revision: blobs through the same load and validate stages as the working tree.
    cache: load_entries' parses, and blobs: read_tree's bytes, for callers that read several revisions."""
    entries = read_tree(repo, prefix, rev, blobs)
    if not entries:
        return Content([], [], [], [], []), [Problem(HERE, "error", "load.no-content",
                                                     f"there is no content/ folder at {rev}")]
    with collector_paused():
        files, problems = load_entries(entries, cache)
        content, found = model(files)
    return content, problems + found


def dropped(problems: list[Problem]) -> list[Problem]:
    """The problems that keep a file out of the model (unreadable, or failing its schema): its sections go missing."""
    return [p for p in problems if p.severity == "error" and p.code.startswith(("load.", "schema."))]


def worktree_content(root: Path) -> tuple[Content, list[Problem]]:
    with collector_paused():
        files, problems = load_tree(root)
        content, found = model(files)
    return content, problems + found


BASE_BRANCHES = ("main", "origin/main")  # the line the public site is deployed from, locally or as fetched


def mainline(repo: Repo, base: str | None = None) -> set[str]:
    """The commits on the first-parent line of base (default: main, else origin/main, else HEAD): the reviewed,
    merged history. An edition is a commit on this line; one on a branch nobody merged is not an edition."""
    for rev in ([base] if base else [*BASE_BRANCHES, "HEAD"]):
        sha = commit_of(repo, rev)
        if sha is not None:
            return set(repo.git.rev_list("--first-parent", sha).split())
    return set()


def version_at(repo: Repo, prefix: str, commit: str, doc_id: str) -> str | None:
    """The version a document's document.yaml states at a commit, or None where it has none or cannot be read."""
    try:
        raw = repo.git.cat_file("blob", f"{commit}:{prefix}content/{doc_id}/document.yaml",
                                stdout_as_string=False)
    except GitCommandError:
        return None
    data = fast_load(raw)
    version = data.get("version") if isinstance(data, dict) else None
    return str(version) if version is not None else None


def git_input(repo: Repo, args: list[str], data: bytes, env: dict | None = None) -> str:
    """Run the git GitPython runs with `data` on its standard input, from the work tree; its output, or
    GitCommandError with what git said (GitPython's own calls take no input)."""
    run = subprocess.run([Git.GIT_PYTHON_GIT_EXECUTABLE, *args], input=data, capture_output=True,
                         cwd=repo.working_tree_dir, env={**os.environ, **(env or {})})
    if run.returncode != 0:
        raise GitCommandError([Git.GIT_PYTHON_GIT_EXECUTABLE, *args], run.returncode, run.stderr, run.stdout)
    return run.stdout.decode("utf-8", "replace").strip()
