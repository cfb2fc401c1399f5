"""Publish: a document's ready sections (all, or those named) become published, the edition and its change note are
recorded in document.yaml (comments kept), and the result is committed, and tagged <doc>/v<version> when published
on main. plan() works out and checks everything and writes nothing; apply() writes, commits and tags, or changes
nothing at all."""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from git.exc import GitCommandError
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from builder.content.edit import _dump, _yaml
from builder.content.load import content_files, load_entries
from builder.content.model import Pos, Problem
from builder.content.validate import validate
from builder.history.collect import collect
from builder.history.dates import public_state
from builder.history.git import dirty_paths, repository

# Canonical MAJOR.MINOR: no leading zeros, no sign, at most four digits each (99999999999999999999999.0 is a typo).
VERSION = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")
FUTURE_MARGIN = timedelta(days=14)  # a publication may be prepared up to two weeks ahead, no more
MAIN = "main"  # the branch the public site is deployed from: publishing there also tags the edition


class PublishError(Exception):
    """Why nothing was published. exit_code 2 when the command was used wrongly, 1 otherwise."""

    def __init__(self, problems: list[Problem], exit_code: int = 1):
        super().__init__(problems[0].message if problems else "")
        self.problems, self.exit_code = problems, exit_code


@dataclass
class SectionStep:
    id: str
    number: str
    title: str
    before: str
    after: str


@dataclass
class Plan:
    """Everything publish will do, worked out and checked; nothing written yet."""

    doc: str
    version: str
    previous: str
    date: str
    note: str
    major: bool
    branch: str
    tag: str | None  # None when not on main: the edition is found on main by the commit that sets its version
    steps: list[SectionStep] = field(default_factory=list)  # sections that change status
    left: list[SectionStep] = field(default_factory=list)  # ready sections not chosen: they stay ready
    empty: bool = False  # the edition changes nothing readers see
    changed: dict[str, str] = field(default_factory=dict)  # project-relative path → new text
    texts: dict[str, str] = field(default_factory=dict)  # project-relative path → text now

    def lines(self) -> list[str]:
        """The plan in words, for the terminal."""
        out = [f"Plan: publish {self.doc} version {self.version} ({'major' if self.major else 'minor'} edition), "
               f"after version {self.previous}"]
        out += [f"  version: {self.previous} → {self.version}", f"  date: {self.date}", f"  note: {self.note}",
                f"  major: {'true (listed in the change history)' if self.major else 'false (archived, not listed)'}"]
        if self.steps:
            out.append(f"  sections that change status ({len(self.steps)}):")
            out += [f"    {s.number} {s.id} ({s.title}): {s.before} → {s.after}" for s in self.steps]
        else:
            out.append("  sections that change status: none")
        if self.left:
            out.append(f"  ready sections left ready ({len(self.left)}; not named with --section):")
            out += [f"    {s.number} {s.id} ({s.title})" for s in self.left]
        if self.empty:
            out.append("  readers would see no change: this edition publishes nothing new")
        out.append(f"  files: {', '.join(sorted(self.changed))}")
        where = f"one commit on branch {self.branch}"
        out.append(f"  git: {where}, tagged {self.tag}" if self.tag else
                   f"  git: {where}, no tag (not on {MAIN}): once merged, by any method, the edition is the commit on "
                   f"{MAIN} that sets version {self.version}")
        return out


@dataclass
class Published:
    doc: str
    version: str
    tag: str | None
    commit: str
    sections: list[str] = field(default_factory=list)  # ids moved from ready to published
    files: list[str] = field(default_factory=list)


def _refuse(where: str, code: str, message: str, hint: str = "", exit_code: int = 1):
    raise PublishError([Problem(Pos(where), "error", f"publish.{code}", message, hint)], exit_code)


def _key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def publish(root: Path, doc_id: str, version: str, note: str, minor: bool = False, on: date | None = None,
            check=None, sections: list[str] | None = None, allow_empty: bool = False,
            today: date | None = None) -> Published:
    """Plan and apply in one step (for callers that need no preview)."""
    return apply(root, plan(root, doc_id, version, note, minor, on, check, sections, allow_empty, today))


def plan(root: Path, doc_id: str, version: str, note: str, minor: bool = False, on: date | None = None,
         check=None, sections: list[str] | None = None, allow_empty: bool = False, today: date | None = None) -> Plan:
    """Work out an edition, or raise PublishError. Writes nothing. `check` is the project's full check
    (pipeline.check), so that house rules apply; the edited tree is checked again before anything is written."""
    root = Path(root).resolve()
    folder = f"content/{doc_id}"
    today = today or _commit_day() or date.today()
    with repository(root) as (repo, prefix):
        if repo is None:
            _refuse(folder, "no-repository", "publishing records the edition in git, and this folder is not in a "
                    "git repository", "Run guidance publish in a clone of the guidance repository.")
        if not repo.head.is_valid():
            _refuse(folder, "no-commits", "the repository has no commits yet", "Commit the content first.")
        if repo.head.is_detached:
            _refuse(folder, "detached", "HEAD is detached, so the edition's commit would be on no branch",
                    "Switch to the branch to publish on, for example: git switch -c publish-1.1.")
        if not (root / folder / "document.yaml").is_file():
            docs = sorted(p.parent.name for p in (root / "content").glob("*/document.yaml"))
            _refuse(folder, "no-document", f"there is no document '{doc_id}'", f"Choose one of: {', '.join(docs)}.", 2)
        if not VERSION.match(version):
            _refuse(folder, "version", f"version '{version}' is not MAJOR.MINOR written canonically",
                    "Two whole numbers of up to four digits with no leading zeros, for example --version 1.1 or 2.0.",
                    2)
        note = " ".join(note.split())
        if not note:
            _refuse(folder, "note", "the change note is empty", "Say what changed, for readers: --note \"…\".", 2)
        dirty = dirty_paths(repo, prefix)
        if dirty:
            _refuse(dirty[0], "uncommitted", f"{len(dirty)} content file{'s have' if len(dirty) > 1 else ' has'} "
                    f"uncommitted changes ({', '.join(dirty[:3])}{', …' if len(dirty) > 3 else ''})",
                    "Commit them first, so that the edition records exactly what was reviewed.")
        checked = check(root) if check is not None else None
        if checked is not None and checked.failed():
            raise PublishError(checked.problems)
        texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in content_files(root / "content")}
        doc_rel = f"{folder}/document.yaml"
        document = _yaml().load(texts[doc_rel])
        current = str(document.get("version"))
        editions = list(document.get("editions") or [])
        if version in {str(e.get("version")) for e in editions}:
            _refuse(doc_rel, "exists", f"{doc_id} already has an edition {version}", "Choose the next version.", 2)
        if VERSION.match(current) and _key(version) <= _key(current):
            _refuse(doc_rel, "version", f"version {version} is not later than the current version {current}",
                    "Choose a later version, for example " + f"{_key(current)[0]}.{_key(current)[1] + 1}.", 2)
        when = on or today
        last = max((date.fromisoformat(str(e.get("date"))[:10]) for e in editions if e.get("date")), default=None)
        if last and when < last:
            _refuse(doc_rel, "date", f"the date {when} is before the previous edition's ({last})",
                    "Editions are dated in order: use --date with a later date, or leave it out for today.", 2)
        if when > today + FUTURE_MARGIN:
            _refuse(doc_rel, "date", f"the date {when} is more than {FUTURE_MARGIN.days} days in the future",
                    f"Publish on or shortly before the day: use a date up to {today + FUTURE_MARGIN}.", 2)
        branch = repo.head.ref.name
        tag = f"{doc_id}/v{version}" if branch == MAIN else None
        if f"{doc_id}/v{version}" in {t.name for t in repo.tags}:
            _refuse(doc_rel, "tag", f"the tag {doc_id}/v{version} already exists", "Choose the next version.", 2)

        result = Plan(doc_id, version, current, when.isoformat(), note, not minor, branch, tag, texts=texts)
        changed, ready = _edit(texts, doc_rel, folder, document, version, note, not minor, when, sections)
        wanted = set(sections or [])
        known = {s.id for s in ready}
        if wanted - known:
            missing = sorted(wanted - known)
            _refuse(folder, "section", f"{', '.join(missing)} {'is not a ready section' if len(missing) == 1 else 'are not ready sections'} of {doc_id}",
                    ("Ready sections: " + ", ".join(s.id for s in ready) + ".") if ready
                    else "No section is ready: set status: ready on the sections to publish, and commit.", 2)
        result.steps = [s for s in ready if not wanted or s.id in wanted]
        result.left = [s for s in ready if wanted and s.id not in wanted]
        result.changed = changed
        result.empty = not result.steps and _same_as_current(root, repo, prefix, checked, doc_id, current)
        if result.empty and not allow_empty:
            _refuse(doc_rel, "empty", f"version {version} would publish nothing: no section is ready and the text "
                    f"readers see is the same as in version {current}",
                    "Set status: ready on the sections to publish (and commit), or pass --allow-empty for an edition "
                    "that only records a note.")
        files, problems = load_entries([(rel, changed.get(rel, text).encode("utf-8")) for rel, text in texts.items()])
        _, found = validate(files)
        errors = [p for p in problems + found if p.severity == "error"]
        if errors:
            raise PublishError(errors)
        return result


def _commit_day() -> date | None:
    """The day git will date the commit with, when GIT_COMMITTER_DATE sets it (as scripted and test commits do):
    the edition's date is judged against the day it is recorded."""
    stamp = os.environ.get("GIT_COMMITTER_DATE", "")
    try:
        return date.fromisoformat(stamp[:10]) if re.match(r"\d{4}-\d\d-\d\d", stamp) else None
    except ValueError:
        return None


def _same_as_current(root, repo, prefix, checked, doc_id, current) -> bool:
    """Whether HEAD shows readers what the current edition's commit showed. False when that commit is unknown."""
    if checked is None or checked.content is None:
        return False
    history = collect(root, checked.content, archives=False)
    record = history.editions.get((doc_id, current))
    if record is None or not record.commit:
        return False
    return public_state(repo, prefix, record.commit, doc_id) == public_state(repo, prefix, "HEAD", doc_id)


def _edit(texts, doc_rel, folder, document, version, note, major, on, chosen) -> tuple[dict[str, str], list[SectionStep]]:
    """The new text of every file that changes (the chosen ready sections published, the version and edition
    recorded), and every ready section of the document, numbered."""
    changed, ready = {}, []
    chapter_no = 0
    for rel in sorted(texts):
        if rel.startswith(folder + "/") and rel != doc_rel:
            data = _yaml().load(texts[rel])
            if not isinstance(data, dict):
                continue
            chapter_no += 1
            hit = False
            for i, section in enumerate(data.get("sections") or [], 1):
                if isinstance(section, dict) and section.get("status") == "ready":
                    sid = str(section.get("id"))
                    ready.append(SectionStep(sid, f"{chapter_no}.{i}", " ".join(str(section.get("title")).split()),
                                             "ready", "published"))
                    if not chosen or sid in chosen:
                        section["status"] = "published"
                        hit = True
            if hit:
                changed[rel] = _dump(data)
    old = document.get("version")
    quoted = type(old) if isinstance(old, str) and type(old) is not str else DoubleQuotedScalarString
    document["version"] = quoted(version)
    edition = CommentedMap()
    edition["version"] = quoted(version)
    edition["date"] = on
    edition["note"] = note
    edition["major"] = major
    document["editions"].append(edition)
    changed[doc_rel] = _dump(document)
    return changed, ready


def apply(root: Path, plan: Plan) -> Published:
    """Write the plan's files and record them in one commit on the branch (and the tag, on main), or change
    nothing: the commit is made apart from the branch, the tag placed on it, and only then does the branch move;
    if any step fails, every file, the index, the tag and the branch are as they were."""
    root = Path(root).resolve()
    with repository(root) as (repo, prefix):
        head = repo.head.commit.hexsha
        branch_ref = repo.head.ref.path
        paths = [f"{prefix}{rel}" for rel in plan.changed]
        published = [s.id for s in plan.steps]
        message = f"Publish {plan.doc} version {plan.version}\n\n{plan.note}\n"
        if published:
            message += f"\nSections published: {', '.join(published)}\n"
        tagged = False
        try:
            for rel, text in plan.changed.items():
                (root / rel).write_text(text, encoding="utf-8")
            sha = _commit_object(repo, head, paths, message)
            if plan.tag:
                repo.git.tag("-a", plan.tag, sha, "-m", f"{plan.doc} version {plan.version}\n\n{plan.note}")
                tagged = True
            repo.git.update_ref("-m", f"guidance publish {plan.doc} {plan.version}", branch_ref, sha, head)
        except (GitCommandError, OSError) as err:
            for rel in plan.changed:
                (root / rel).write_text(plan.texts[rel], encoding="utf-8")
            if tagged:
                repo.git.tag("-d", plan.tag)
            _refuse(f"content/{plan.doc}", "git", f"git could not record the edition: {_stderr(err)}",
                    "Nothing was published; fix what git reports (for example set user.name and user.email) and "
                    "retry.")
        repo.git.add("--", *paths)  # the index now matches the new commit for the files it changed
        return Published(plan.doc, plan.version, plan.tag, sha, published, sorted(plan.changed))


def _commit_object(repo, parent: str, paths: list[str], message: str) -> str:
    """A commit of HEAD's tree with the given files as they are on disk, made in a private index, so that whatever
    the editor has staged is left alone and no branch moves yet."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        repo.git.read_tree(parent, env=env)
        repo.git.add("--", *paths, env=env)
        tree = repo.git.write_tree(env=env)
        return repo.git.commit_tree(tree, "-p", parent, "-m", message).strip()


def _stderr(err: Exception) -> str:
    text = str(getattr(err, "stderr", None) or err).strip()
    text = re.sub(r"^stderr: '?|'$", "", text).strip()
    return " ".join(text.split()) or "unknown error"
