"""Diff stage, gate: what readers see changes only through a recorded edition, and edition records only grow.
`guidance diff BASE HEAD --check` reports these problems; the pull-request job fails on them."""
from __future__ import annotations

from collections.abc import Callable

from builder.content.model import PUBLIC_STATUSES, Content, Document, Pos, Problem, version_key
from builder.review.changes import Diff, DocumentChange
from builder.review.diff import compare
from builder.review.revisions import revisions
from builder.history.git import mainline, version_at

# (document id, version, commit) → why that commit cannot be the edition, or None when it can
Verify = Callable[[str, str, str], str | None]


def check_revisions(root, base: str | None = None, head: str | None = None) -> tuple[Diff | None, list, list[Problem]]:
    """The diff of two revisions, the problems that stop one from being read whole, and the gate's problems."""
    with revisions(root, base, head) as r:
        if r.unreadable:
            return None, r.unreadable, []
        diff = compare(r.before, r.after, r.base_label, r.head_label)
        line = mainline(r.repo, r.base_commit)

        def verify(doc_id: str, version: str, commit: str) -> str | None:
            if commit not in line:
                return (f"commit {commit[:12]} is not on the first-parent line of the base ({r.base_label}): it "
                        f"was never merged into main, so nobody reviewed it as this edition")
            found = version_at(r.repo, r.prefix, commit, doc_id)
            if found != version:
                return f"commit {commit[:12]} states version {found or 'none'} of {doc_id}, not {version}"
            return None

        return diff, [], problems(r.before, r.after, diff, verify)


def problems(base: Content, head: Content, diff: Diff, verify: Verify) -> list[Problem]:
    """Every way the head changes public text or edition records that a reviewed edition does not account for."""
    out: list[Problem] = []
    changes = {d.id: d for d in diff.documents}
    for doc in head.documents:
        before = base.document(doc.id)
        if before is not None:
            out += _records(before, doc, verify)
            out += _deleted(before, doc)
        else:
            out += _pins(doc, doc.editions, verify)
        change = changes.get(doc.id)
        if change is not None and change.text_changed and not _new_editions(before, doc):
            out.append(_unrecorded(doc, change))
    return out


def _new_editions(before: Document | None, doc: Document) -> list:
    known = {e.version for e in before.editions} if before else set()
    return [e for e in doc.editions if e.version not in known]


def _where(doc: Document) -> Pos:
    """Where an edition is recorded: the last entry under editions: in document.yaml."""
    return next((e.pos for e in reversed(doc.editions) if e.pos), doc.pos)


def _unrecorded(doc: Document, change: DocumentChange) -> Problem:
    public = [s for s in change.sections if s.public]
    named = ", ".join(f"{s.label} {s.title}" for s in public[:3]) + (f" and {len(public) - 3} more" if len(public) > 3 else "")
    what = f"{len(public)} published section{'s' if len(public) != 1 else ''} ({named})" if public else \
        "the document's public fields"
    return Problem(_where(doc), "error", "edition.unrecorded",
                   f"text readers see in {doc.id} changes ({what}) without a new edition",
                   f"Record the change as an edition: guidance publish {doc.id} --version {change.next_version()} "
                   f"--note \"…\" (add --minor for a correction readers need not be told about).")


def _deleted(before: Document, doc: Document) -> list[Problem]:
    """A section readers could see that is gone, or unpublished, instead of withdrawn: links and citations to it
    break without a notice."""
    now = {s.id: (c, s) for c in doc.chapters for s in c.sections}
    chapters = {c.id: c for c in doc.chapters}
    out = []
    for chapter in before.chapters:
        for s in chapter.sections:
            if s.status not in PUBLIC_STATUSES:
                continue
            found = now.get(s.id)
            if found is not None and found[1].status in PUBLIC_STATUSES:
                continue
            pos = found[1].pos if found else (chapters[chapter.id].pos if chapter.id in chapters else doc.pos)
            how = "is gone" if found is None else f"is now {found[1].status}"
            out.append(Problem(pos, "error", "edition.deleted-published",
                               f"section {s.id} ({s.title}) of {doc.id} was {s.status} in the base and {how}: "
                               f"readers' links and citations to it would break with no notice",
                               f"Keep the section and withdraw it instead: guidance status {doc.id}/{s.id} withdrawn "
                               f"--reason \"…\" (readers then see a notice in its place)."))
    return out


def _records(before: Document, doc: Document, verify: Verify) -> list[Problem]:
    """Edition records are append-only: each earlier record is kept as it was (its commit, date, major flag and
    clearances); a new one sits after every earlier edition; every commit a record names is a reviewed edition."""
    out = []
    now = {e.version: e for e in doc.editions}
    for old in before.editions:
        e = now.get(old.version)
        if e is None:
            out.append(Problem(_where(doc), "error", "edition.record-changed",
                               f"edition {old.version} of {doc.id} ({old.date}) was removed from the record",
                               "An edition, once recorded, stays: put its entry back under editions: as it was."))
            continue
        for name in ("commit", "date", "major", "cleared_by"):
            if getattr(old, name) != getattr(e, name):
                out.append(Problem(e.pos or _where(doc), "error", "edition.record-changed",
                                   f"edition {e.version} of {doc.id}: its {name.replace('_', ' ')} changed from "
                                   f"{_show(getattr(old, name))} to {_show(getattr(e, name))}",
                                   f"Put it back as it was. A recorded edition is history; record what changed "
                                   f"since as a new edition (guidance publish {doc.id} …)."))
    last = max((version_key(e.version) for e in before.editions), default=(-1, -1))
    last_date = max((str(e.date) for e in before.editions), default="")
    for e in _new_editions(before, doc):
        if version_key(e.version) <= last or str(e.date) < last_date:
            out.append(Problem(e.pos or _where(doc), "error", "edition.record-changed",
                               f"new edition {e.version} of {doc.id} ({e.date}) does not sit after the editions "
                               f"already recorded (the latest: {_latest(before)})",
                               "A new edition takes a later version and a date on or after the last edition's: "
                               "guidance publish chooses both."))
        last = max(last, version_key(e.version))
    return out + _pins(doc, doc.editions, verify)


def _pins(doc: Document, editions, verify: Verify) -> list[Problem]:
    out = []
    for e in editions:
        why = verify(doc.id, e.version, e.commit) if e.commit else None
        if why:
            out.append(Problem(e.pos or _where(doc), "error", "edition.commit-off-main",
                               f"edition {e.version} of {doc.id} names a commit that cannot be it: {why}",
                               "Name the commit on main that holds the edition as reviewed "
                               f"(git log --first-parent main -- content/{doc.id}/document.yaml), or leave commit: "
                               "out and let the commit that set the version be the edition."))
    return out


def _latest(doc: Document) -> str:
    e = max(doc.editions, key=lambda x: version_key(x.version), default=None)
    return f"{e.version} of {e.date}" if e else "none"


def _show(value) -> str:
    if isinstance(value, list):
        return ", ".join(f"{c.get('role')}: {c.get('name')}" for c in value) or "none"
    return "none" if value is None else str(value)
