"""History stage, dates: one replay of git log over content/ (oldest first, each changed blob parsed once)
gives every section, chapter and file the date it last changed for readers; fingerprints say what readers notice."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from git import Repo

from builder.content.load import file_kind
from builder.content.model import Content, Problem
from builder.history.git import HERE, blob, dirty_paths, fast_load, first_parent_log, read_tree, shallow_commits



@dataclass(frozen=True, order=True)
class Stamp:
    """When something last changed. Only a 'git' stamp is exact: 'shallow' means on or before that date (the clone
    lacks older history), 'uncommitted' and 'build' carry the build date because git has no date for it."""

    date: str
    source: str = "git"


@dataclass
class EditionRecord:
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
    editions: dict[tuple[str, str], EditionRecord] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)

    def _get(self, table: dict, key) -> Stamp:
        return table.get(key) or Stamp(self.build_date, "build" if not self.repository else "uncommitted")

    def section(self, doc: str, sid: str) -> Stamp:
        return self._get(self.sections, (doc, sid))

    def chapter(self, doc: str, chapter_id: str) -> Stamp:
        return self._get(self.chapters, (doc, chapter_id))

    def file(self, rel: str) -> Stamp:
        return self._get(self.files, rel)


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


def _doc_of(rel: str) -> tuple[str | None, str | None]:
    """(document folder, kind) of a project-relative path under content/."""
    path = PurePosixPath(rel)
    if path.suffix not in (".yaml", ".yml") or path.parts[:1] != ("content",):
        return None, None
    kind = file_kind(PurePosixPath(*path.parts[1:]))
    return (path.parts[1] if kind in ("chapter", "document") else None), kind


class State:
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


def replay(repo: Repo, prefix: str, history: History, found: dict[tuple[str, str], str],
            snapshots: dict[tuple[str, str], dict]) -> State:
    state = State()
    shallow = shallow_commits(repo)
    parsed: dict[str, object] = {}
    boundary = None
    for commit in reversed(first_parent_log(repo, prefix)):
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
                parsed[sha] = fast_load(blob(repo, sha))
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
            HERE, "info", "history.shallow",
            f"this is a shallow clone: history before {boundary} is missing, so what last changed then is dated "
            f"'on or before {boundary}'",
            "Fetch the whole history for exact dates: git fetch --unshallow (in GitHub Actions, fetch-depth: 0)."))
    return state


def date_worktree(root: Path, repo: Repo, prefix: str, state: State, history: History) -> None:
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
        HERE, "info", "history.uncommitted",
        f"{len(dirty)} content file{'s have' if len(dirty) != 1 else ' has'} uncommitted changes: what they change "
        f"is dated with the build date ({history.build_date}) and marked as not yet committed",
        "Commit the changes for exact dates."))


def raw_sections(repo: Repo, prefix: str, sha: str, doc_id: str) -> dict[str, tuple[str, str]]:
    """Section fingerprints of one document at a commit, computed exactly as the replay computes them."""
    state = State()
    for rel, raw in read_tree(repo, prefix, sha):
        if _doc_of(rel) == (doc_id, "chapter"):
            state.apply(rel, fast_load(raw) or {})
    return state.doc_sections(doc_id)


def public_state(repo: Repo, prefix: str, rev: str, doc_id: str) -> tuple:
    """What readers of one document see at a revision, as fingerprints: its published sections, its withdrawn
    sections' notices (never their old text), its chapters' headers, and its document.yaml fields other than the
    version and editions. Equal states publish the same text."""
    state, header, sections = State(), None, {}
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
