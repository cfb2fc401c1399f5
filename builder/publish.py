"""Publish: a document's ready sections become published, the edition and its change note are recorded in
document.yaml (comments kept), and the result is committed and tagged <doc>/v<version>."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from git.exc import GitCommandError
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from builder.edit import _dump, _yaml
from builder.history import dirty_paths, repository
from builder.load import content_files, load_entries
from builder.model import Pos, Problem
from builder.validate import validate

VERSION = re.compile(r"^[0-9]+\.[0-9]+$")


class PublishError(Exception):
    """Why nothing was published. exit_code 2 when the command was used wrongly, 1 otherwise."""

    def __init__(self, problems: list[Problem], exit_code: int = 1):
        super().__init__(problems[0].message if problems else "")
        self.problems, self.exit_code = problems, exit_code


@dataclass
class Published:
    doc: str
    version: str
    tag: str
    commit: str
    sections: list[str] = field(default_factory=list)  # ids moved from ready to published
    files: list[str] = field(default_factory=list)


def _refuse(where: str, code: str, message: str, hint: str = "", exit_code: int = 1):
    raise PublishError([Problem(Pos(where), "error", f"publish.{code}", message, hint)], exit_code)


def _key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def publish(root: Path, doc_id: str, version: str, note: str, minor: bool = False, on: date | None = None,
            check=None) -> Published:
    """Publish an edition, or raise PublishError having changed nothing. `check` is the project's full check
    (pipeline.check), so that house rules apply; the edited tree is checked again before anything is written."""
    root = Path(root).resolve()
    folder = f"content/{doc_id}"
    with repository(root) as (repo, prefix):
        if repo is None:
            _refuse(folder, "no-repository", "publishing records the edition in git, and this folder is not in a "
                    "git repository", "Run guidance publish in a clone of the guidance repository.")
        if not repo.head.is_valid():
            _refuse(folder, "no-commits", "the repository has no commits yet", "Commit the content first.")
        if repo.head.is_detached:
            _refuse(folder, "detached", "HEAD is detached, so the edition's commit would be on no branch",
                    "Switch to the branch to publish on, for example: git switch main.")
        if not (root / folder / "document.yaml").is_file():
            docs = sorted(p.parent.name for p in (root / "content").glob("*/document.yaml"))
            _refuse(folder, "no-document", f"there is no document '{doc_id}'", f"Choose one of: {', '.join(docs)}.", 2)
        if not VERSION.match(version):
            _refuse(folder, "version", f"version '{version}' is not MAJOR.MINOR", "For example --version 1.1.", 2)
        note = " ".join(note.split())
        if not note:
            _refuse(folder, "note", "the change note is empty", "Say what changed, for readers: --note \"…\".", 2)
        dirty = dirty_paths(repo, prefix)
        if dirty:
            _refuse(dirty[0], "uncommitted", f"{len(dirty)} content file{'s have' if len(dirty) > 1 else ' has'} "
                    f"uncommitted changes ({', '.join(dirty[:3])}{', …' if len(dirty) > 3 else ''})",
                    "Commit them first, so that the edition records exactly what was reviewed.")
        if check is not None:
            checked = check(root)
            if checked.failed():
                raise PublishError(checked.problems)
        texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in content_files(root / "content")}
        doc_rel = f"{folder}/document.yaml"
        document = _yaml().load(texts[doc_rel])
        current = str(document.get("version"))
        if version in {str(e.get("version")) for e in document.get("editions") or []}:
            _refuse(doc_rel, "exists", f"{doc_id} already has an edition {version}", "Choose the next version.", 2)
        if VERSION.match(current) and _key(version) <= _key(current):
            _refuse(doc_rel, "version", f"version {version} is not later than the current version {current}",
                    "Choose a later version, for example " + f"{_key(current)[0]}.{_key(current)[1] + 1}.", 2)
        tag = f"{doc_id}/v{version}"
        if tag in {t.name for t in repo.tags}:
            _refuse(doc_rel, "tag", f"the tag {tag} already exists", "Choose the next version.", 2)

        changed, published = _edit(texts, doc_rel, folder, document, version, note, not minor, on or date.today())
        files, problems = load_entries([(rel, changed.get(rel, text).encode("utf-8")) for rel, text in texts.items()])
        _, found = validate(files)
        errors = [p for p in problems + found if p.severity == "error"]
        if errors:
            raise PublishError(errors)
        return _commit(root, repo, prefix, changed, texts, doc_id, version, note, tag, published)


def _edit(texts, doc_rel, folder, document, version, note, major, on) -> tuple[dict[str, str], list[str]]:
    """The new text of every file that changes: ready sections published, the version and edition recorded."""
    changed, published = {}, []
    for rel in sorted(texts):
        if rel.startswith(folder + "/") and rel != doc_rel:
            data = _yaml().load(texts[rel])
            hits = [s for s in (data.get("sections") or []) if isinstance(s, dict) and s.get("status") == "ready"]
            for section in hits:
                section["status"] = "published"
                published.append(str(section.get("id")))
            if hits:
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
    return changed, published


def _commit(root, repo, prefix, changed, texts, doc_id, version, note, tag, published) -> Published:
    """Write, commit and tag; if git refuses, put every file back as it was."""
    paths = [f"{prefix}{rel}" for rel in changed]
    for rel, text in changed.items():
        (root / rel).write_text(text, encoding="utf-8")
    message = f"Publish {doc_id} version {version}\n\n{note}\n"
    if published:
        message += f"\nSections published: {', '.join(published)}\n"
    try:
        repo.git.add("--", *paths)
        repo.git.commit("-q", "-m", message, "--", *paths)
    except GitCommandError as err:
        for rel in changed:
            (root / rel).write_text(texts[rel], encoding="utf-8")
        repo.git.reset("-q", "--", *paths)
        _refuse(f"content/{doc_id}", "git", f"git could not commit the edition: {_stderr(err)}",
                "Nothing was published; fix what git reports (for example set user.name and user.email) and retry.")
    sha = repo.head.commit.hexsha
    try:
        repo.create_tag(tag, ref=sha, message=f"{doc_id} version {version}\n\n{note}")
    except GitCommandError as err:
        _refuse(f"content/{doc_id}", "tag", f"the edition was committed ({sha[:7]}) but git could not tag it: "
                f"{_stderr(err)}", f"Tag it by hand: git tag -a {tag} {sha[:7]} -m \"{doc_id} version {version}\".")
    return Published(doc_id, version, tag, sha, published, sorted(changed))


def _stderr(err: GitCommandError) -> str:
    text = str(err.stderr or err).strip()
    text = re.sub(r"^stderr: '?|'$", "", text).strip()
    return " ".join(text.split()) or "unknown error"
