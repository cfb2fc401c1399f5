"""History stage: what git knows about the content (last-updated dates, editions, the content at a revision), read
with one pass over the log and from blobs, never by checking anything out."""
from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import yaml as pyyaml
from git import Repo
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from builder.content.load import MAX_BYTES, SUFFIXES, Refused, file_kind, load_entries, load_tree
from builder.content.model import Content, Pos, Problem
from builder.content.validate import model

_FAST_LOADER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
_HERE = Pos("content")


class HistoryError(Exception):
    """Git cannot answer the question asked (no repository, an unknown revision): a message and what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True, order=True)
class Stamp:
    """When something last changed. Only a 'git' stamp is exact: 'shallow' means on or before that date (the clone
    lacks older history), 'uncommitted' and 'build' carry the build date because git has no date for it."""

    date: str
    source: str = "git"


@dataclass
class Edition:
    """Where one edition listed in document.yaml sits in git."""

    doc: str
    version: str
    commit: str | None = None
    found_by: str = ""  # "commit": the commit named in its document.yaml entry; "tag": its tag <doc>/v<version>;
    # "history": the commit that set the version on HEAD's first-parent line;
    # "working tree": the current version, not yet committed (or beyond a shallow clone's reach)
    tag: str | None = None  # the tag's name, when the tag is present
    sections: dict[str, tuple[str, str]] | None = None  # section id → (status, fingerprint) at that commit
    content: Content | None = None  # the whole content at that commit, validated, for the archive
    problems: list[Problem] = field(default_factory=list)


@dataclass
class History:
    build_date: str
    repository: bool = False
    head: str | None = None
    detached: bool = False
    sections: dict[tuple[str, str], Stamp] = field(default_factory=dict)
    chapters: dict[tuple[str, str], Stamp] = field(default_factory=dict)
    files: dict[str, Stamp] = field(default_factory=dict)
    editions: dict[tuple[str, str], Edition] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)

    def _get(self, table: dict, key) -> Stamp:
        return table.get(key) or Stamp(self.build_date, "build" if not self.repository else "uncommitted")

    def section(self, doc: str, sid: str) -> Stamp:
        return self._get(self.sections, (doc, sid))

    def chapter(self, doc: str, chapter_id: str) -> Stamp:
        return self._get(self.chapters, (doc, chapter_id))

    def file(self, rel: str) -> Stamp:
        return self._get(self.files, rel)


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


def fingerprint(value) -> str:
    """What readers would notice of a section or chapter: everything but its review date and paragraph ids."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "review_by"}
        if isinstance(value.get("blocks"), list):
            value["blocks"] = [{k: v for k, v in b.items() if k != "id"} if isinstance(b, dict) else b
                               for b in value["blocks"]]
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def chapter_parts(data) -> tuple[tuple[str, str] | None, dict[str, tuple[str, str]]]:
    """A chapter file's (chapter id, fingerprint) and {section id: (status, fingerprint)}, tolerating bad data."""
    if not isinstance(data, dict):
        return None, {}
    listed = [s for s in data.get("sections") or [] if isinstance(s, dict) and isinstance(s.get("id"), str)]
    # A chapter page changes when its header does or a public section comes, goes or moves; not for drafts.
    header = {k: v for k, v in data.items() if k != "sections"}
    header["public"] = [s["id"] for s in listed if s.get("status") in ("published", "withdrawn")]
    chapter = (str(data.get("id")), fingerprint(header)) if data.get("id") is not None else None
    return chapter, {s["id"]: (str(s.get("status")), fingerprint(s)) for s in listed}


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    date: str
    changes: list[tuple[str, str, str]]  # (status letter, new blob sha, path relative to the project root)


def _log(repo: Repo, prefix: str) -> list[_Commit]:
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


def _doc_of(rel: str) -> tuple[str | None, str | None]:
    """(document folder, kind) of a project-relative path under content/."""
    path = PurePosixPath(rel)
    if path.suffix not in (".yaml", ".yml") or path.parts[:1] != ("content",):
        return None, None
    kind = file_kind(PurePosixPath(*path.parts[1:]))
    return (path.parts[1] if kind in ("chapter", "document") else None), kind


class _State:
    """The content files' parsed state as the log is replayed, oldest first."""

    def __init__(self):
        self.chapters: dict[str, dict[str, tuple]] = {}  # doc → {path: (chapter part, sections)}
        self.versions: dict[str, str] = {}

    def doc_sections(self, doc: str) -> dict[str, tuple[str, str]]:
        out = {}
        for _, sections in self.chapters.get(doc, {}).values():
            out.update(sections)
        return out

    def doc_chapters(self, doc: str) -> dict[str, str]:
        return dict(part for part, _ in self.chapters.get(doc, {}).values() if part)

    def apply(self, rel: str, data) -> None:
        doc, kind = _doc_of(rel)
        if kind == "chapter":
            if data is None:
                self.chapters.get(doc, {}).pop(rel, None)
            else:
                self.chapters.setdefault(doc, {})[rel] = chapter_parts(data)
        elif kind == "document":
            version = data.get("version") if isinstance(data, dict) else None
            self.versions[doc] = str(version) if version is not None else ""


def _stamp_changes(before_s, after_s, before_c, after_c, doc, stamp, history: History) -> None:
    for sid, value in after_s.items():
        if before_s.get(sid) != value:
            history.sections[(doc, sid)] = stamp
    for cid, value in after_c.items():
        if before_c.get(cid) != value:
            history.chapters[(doc, cid)] = stamp


def _blob(repo: Repo, sha: str) -> bytes:
    return repo.odb.stream(bytes.fromhex(sha)).read()


def _shallow_commits(repo: Repo) -> set[str]:
    path = Path(repo.common_dir) / "shallow"
    return set(path.read_text().split()) if path.is_file() else set()


def _replay(repo: Repo, prefix: str, history: History, found: dict[tuple[str, str], str],
            snapshots: dict[tuple[str, str], dict]) -> _State:
    state = _State()
    shallow = _shallow_commits(repo)
    parsed: dict[str, object] = {}
    boundary = None
    for commit in reversed(_log(repo, prefix)):
        stamp = Stamp(commit.date, "shallow" if commit.sha in shallow else "git")
        if commit.sha in shallow:
            boundary = commit.date
        docs = {d for d, _ in map(_doc_of, (rel for _, _, rel in commit.changes)) if d}
        before = {d: (state.doc_sections(d), state.doc_chapters(d), state.versions.get(d)) for d in docs}
        for status, sha, rel in commit.changes:
            if _doc_of(rel)[1] is None:
                continue
            history.files[rel] = stamp
            if status == "D":
                state.apply(rel, None)
                continue
            if sha not in parsed:
                parsed[sha] = fast_load(_blob(repo, sha))
            state.apply(rel, parsed[sha] if parsed[sha] is not None else {})
        for d in docs:
            _stamp_changes(before[d][0], state.doc_sections(d), before[d][1], state.doc_chapters(d), d, stamp, history)
            version = state.versions.get(d)
            # At a shallow clone's boundary a version may have been set earlier than it appears: not an edition.
            if version and version != before[d][2] and (d, version) not in found and commit.sha not in shallow:
                found[(d, version)] = commit.sha
                snapshots[(d, version)] = state.doc_sections(d)
    if boundary:
        history.notes.append(Problem(
            _HERE, "info", "history.shallow",
            f"this is a shallow clone: history before {boundary} is missing, so what last changed then is dated "
            f"'on or before {boundary}'",
            "Fetch the whole history for exact dates: git fetch --unshallow (in GitHub Actions, fetch-depth: 0)."))
    return state


def dirty_paths(repo: Repo, prefix: str) -> list[str]:
    out = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", f"{prefix}content")
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


def _worktree(root: Path, repo: Repo, prefix: str, state: _State, history: History) -> None:
    """Date what the working tree changes with the build date, marked as not yet committed."""
    dirty = [rel for rel in dirty_paths(repo, prefix) if _doc_of(rel)[1]]
    if not dirty:
        return
    stamp = Stamp(history.build_date, "uncommitted")
    docs = {d for d, _ in map(_doc_of, dirty) if d}
    before = {d: (state.doc_sections(d), state.doc_chapters(d)) for d in docs}
    for rel in dirty:
        history.files[rel] = stamp
        path = root / rel
        data = fast_load(path.read_bytes()) if path.is_file() else None
        state.apply(rel, data if data is not None or not path.is_file() else {})
    for d in docs:
        _stamp_changes(before[d][0], state.doc_sections(d), before[d][1], state.doc_chapters(d), d, stamp, history)
    history.notes.append(Problem(
        _HERE, "info", "history.uncommitted",
        f"{len(dirty)} content file{'s have' if len(dirty) != 1 else ' has'} uncommitted changes: what they change "
        f"is dated with the build date ({history.build_date}) and marked as not yet committed",
        "Commit the changes for exact dates."))


def _tags(repo: Repo) -> dict[str, str]:
    """Tag name → the commit it points at (annotated tags peeled)."""
    out = repo.git.for_each_ref("--format=%(refname:short)%00%(objectname)%00%(*objectname)", "refs/tags")
    tags = {}
    for line in out.splitlines():
        name, obj, peeled = (line.split("\x00") + ["", ""])[:3]
        tags[name] = peeled or obj
    return tags


def read_tree(repo: Repo, prefix: str, rev: str) -> list[tuple[str, bytes]]:
    """Every YAML file under content/ at a revision, as (project-relative path, bytes), read from blobs."""
    commit = resolve(repo, rev)
    try:
        tree = commit.tree / f"{prefix}content"
    except KeyError:
        return []
    entries = []
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
                entries.append((rel, item.data_stream.read()))
    return sorted(entries, key=lambda e: PurePosixPath(e[0]).parts)


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


def content_at(repo: Repo, prefix: str, rev: str, cache: dict | None = None) -> tuple[Content, list[Problem]]:
    """The content as it was at a revision: blobs through the same load and validate stages as the working tree."""
    entries = read_tree(repo, prefix, rev)
    if not entries:
        return Content([], [], [], [], []), [Problem(_HERE, "error", "load.no-content",
                                                     f"there is no content/ folder at {rev}")]
    files, problems = load_entries(entries, cache)
    content, found = model(files)
    return content, problems + found


def dropped(problems: list[Problem]) -> list[Problem]:
    """The problems that keep a file out of the model (unreadable, or failing its schema): its sections go missing."""
    return [p for p in problems if p.severity == "error" and p.code.startswith(("load.", "schema."))]


def worktree_content(root: Path) -> tuple[Content, list[Problem]]:
    files, problems = load_tree(root)
    content, found = model(files)
    return content, problems + found


def collect(root: Path, content: Content, build_date: str | None = None, archives: bool = True) -> History:
    """Everything the build needs from git. Never fails: what git cannot tell is dated with the build date and
    explained in history.notes."""
    history = History(build_date=build_date or date.today().isoformat())
    with repository(root) as (repo, prefix):
        if repo is None:
            history.notes.append(Problem(
                _HERE, "info", "history.no-repository",
                f"this folder is not in a git repository: every 'last updated' date is the build date "
                f"({history.build_date}) and earlier editions cannot be archived",
                "Build from a clone of the repository to show real dates and earlier editions."))
            return history
        try:
            _read(root, repo, prefix, content, history, archives)
        except (GitCommandError, ValueError, OSError) as err:
            history = History(build_date=history.build_date)
            history.notes.append(Problem(
                _HERE, "warning", "history.unreadable",
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
        state = _replay(repo, prefix, history, found, snapshots)
    else:
        state = _State()
        history.notes.append(Problem(_HERE, "info", "history.no-commits",
                                     "the repository has no commits yet: every date is the build date",
                                     "Commit the content for real dates."))
    _worktree(root, repo, prefix, state, history)
    _editions(repo, prefix, content, history, found, snapshots, state, archives)


def _editions(repo, prefix, content, history, found, snapshots, state, archives) -> None:
    tags = _tags(repo) if history.head else {}
    cache: dict = {}
    loaded: dict[str, tuple[Content, list[Problem]]] = {}
    for doc in content.documents:
        for e in doc.editions:
            tag = f"{doc.id}/v{e.version}"
            record = history.editions[(doc.id, e.version)] = Edition(doc.id, e.version, tag=tag if tag in tags else None)
            # A tag is a deliberate record of the edition, honoured whenever the clone has its commit; the commit
            # named in document.yaml travels with the content (tags are often not pushed or fetched); the history
            # finds editions with neither.
            pinned = commit_of(repo, e.commit) if e.commit and history.head else None
            tagged = commit_of(repo, tags[tag]) if tag in tags else None
            if e.commit and history.head and pinned is None:
                history.notes.append(Problem(
                    doc.pos, "warning" if not _shallow_commits(repo) else "info", "history.edition-commit-missing",
                    f"edition {e.version} of {doc.id} names commit {e.commit[:12]}, which this clone does not have",
                    "Fetch the whole history (git fetch --unshallow), or correct the commit in document.yaml."))
            if tagged and pinned and tagged != pinned:
                history.notes.append(Problem(
                    doc.pos, "warning", "history.edition-disagrees",
                    f"edition {e.version} of {doc.id}: the tag {tag} is commit {tagged[:7]} but document.yaml names "
                    f"{pinned[:7]}; the tag is used",
                    f"Make them agree: move the tag (git tag -f -a {tag} {pinned[:7]}) or correct the commit."))
            if tagged:
                record.commit, record.found_by = tagged, "tag"
            elif pinned:
                record.commit, record.found_by = pinned, "commit"
            elif (doc.id, e.version) in found:
                record.commit, record.found_by = found[(doc.id, e.version)], "history"
                record.sections = snapshots[(doc.id, e.version)]
            elif e.version == doc.version:
                # Not yet committed (or beyond a shallow clone's reach): the current content is this edition.
                record.found_by, record.sections, record.content = "working tree", state.doc_sections(doc.id), content
                continue
            if record.commit is None:
                history.notes.append(Problem(
                    doc.pos, "info", "history.edition-not-found",
                    f"edition {e.version} of {doc.id}: no commit in this clone set that version and there is no "
                    f"tag {tag}, so it is listed but not archived",
                    "Fetch the whole history and the tags (git fetch --unshallow --tags)."))
                continue
            if record.sections is None:
                record.sections = _raw_sections(repo, prefix, record.commit, doc.id)
            if not archives or e.version == doc.version:
                continue  # the current edition is the site itself; only earlier ones are archived
            if record.commit not in loaded:
                loaded[record.commit] = content_at(repo, prefix, record.commit, cache)
            record.content, problems = loaded[record.commit]
            record.problems = dropped(problems)
            if record.problems:
                history.notes.append(Problem(
                    doc.pos, "warning", "history.edition-unreadable",
                    f"edition {e.version} of {doc.id} (commit {record.commit[:7]}) does not pass today's checks "
                    f"({record.problems[0].pos.file}: {record.problems[0].message}), so it is not archived",
                    "Archived editions are rebuilt from git with today's schemas; keep schema changes compatible."))
        _honesty(doc, history)


def _public_ids(sections: dict[str, tuple[str, str]] | None) -> set[str]:
    return {sid for sid, (status, _) in (sections or {}).items() if status == "published"}


def _honesty(doc, history: History) -> None:
    """Warn where the archive or the marks would tell readers something untrue: an earlier edition that published
    nothing (its commit is probably the one that first wrote the version, before any text), or marks that call
    every section of the current edition new."""
    records = [(e, history.editions.get((doc.id, e.version))) for e in doc.editions]
    hint = (f"Say which commit each edition is: add commit: <full commit id> to its entry under editions: in "
            f"{doc.pos.file} (git log --first-parent -- content/{doc.id} lists the candidates).")
    for e, record in records:
        if e.version == doc.version or record is None or record.sections is None:
            continue
        if not _public_ids(record.sections):
            how = {"history": "the commit that first set that version", "tag": f"its tag {record.tag}",
                   "commit": "the commit named in document.yaml"}.get(record.found_by, record.found_by)
            history.notes.append(Problem(
                doc.pos, "warning", "history.edition-empty",
                f"edition {e.version} of {doc.id} publishes no text at {how} ({(record.commit or '')[:7]}), so its "
                f"archive would be a heading and nothing else",
                (f"The tag {record.tag} points at the wrong commit: move it (git tag -f -a {record.tag} <commit>) or "
                 f"delete it. " if record.found_by == "tag" else "") + hint))
    known = [(e, r) for e, r in records if r is not None and r.sections is not None]
    if len(known) > 1 and all(r.sections is not None for _, r in records if r is not None):
        first, now = _public_ids(known[0][1].sections), _public_ids(known[-1][1].sections)
        if now and not (first & now) and first != now:
            history.notes.append(Problem(
                doc.pos, "warning", "history.all-new",
                f"every published section of {doc.id} would be marked [new] because edition {known[0][0].version} "
                f"published none of them", hint))


def _raw_sections(repo: Repo, prefix: str, sha: str, doc_id: str) -> dict[str, tuple[str, str]]:
    """Section fingerprints of one document at a commit, computed exactly as the replay computes them."""
    state = _State()
    for rel, raw in read_tree(repo, prefix, sha):
        if _doc_of(rel) == (doc_id, "chapter"):
            state.apply(rel, fast_load(raw) or {})
    return state.doc_sections(doc_id)


def public_state(repo: Repo, prefix: str, rev: str, doc_id: str) -> tuple:
    """What readers of one document see at a revision, as fingerprints: its published sections, its withdrawn
    sections' notices (never their old text), its chapters' headers, and its document.yaml fields other than the
    version and editions. Equal states publish the same text."""
    state, header, sections = _State(), None, {}
    for rel, raw in read_tree(repo, prefix, rev):
        where = _doc_of(rel)
        if where == (doc_id, "chapter"):
            data = fast_load(raw) or {}
            state.apply(rel, data)
            for s in (data.get("sections") or []) if isinstance(data, dict) else []:
                if isinstance(s, dict) and s.get("status") == "published":
                    sections[str(s.get("id"))] = fingerprint(s)
                elif isinstance(s, dict) and s.get("status") == "withdrawn":
                    sections[str(s.get("id"))] = fingerprint({"title": s.get("title"), "withdrawn": s.get("withdrawn")})
        elif where == (doc_id, "document"):
            data = fast_load(raw)
            if isinstance(data, dict):
                header = fingerprint({k: v for k, v in data.items() if k not in ("version", "editions")})
    return sections, state.doc_chapters(doc_id), header
