"""Publish stage, record: the new text of each file an edition changes (the chosen ready sections published, the
version and the edition's entry in document.yaml), made with the round-trip dumper so comments and layout stay."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from builder.content.edit import dump_round_trip, round_trip


@dataclass
class SectionStep:
    id: str
    title: str
    before: str
    after: str
    file: str  # project-relative path of its chapter
    number: str = ""  # its public number once published (the plan fills it in)


@dataclass
class Entry:
    """The edition's entry under editions: in document.yaml."""

    version: str
    date: datetime.date
    note: str
    major: bool
    cleared_by: list[dict]


def edit(texts: dict[str, str], folder: str, entry: Entry, chosen: set[str]) -> tuple[dict[str, str], list[SectionStep]]:
    """The new text of every file that changes, and every ready section of the document (chosen or not)."""
    changed, ready = {}, []
    doc_rel = f"{folder}/document.yaml"
    for rel in sorted(texts):
        if not rel.startswith(folder + "/") or rel == doc_rel:
            continue
        data = round_trip().load(texts[rel])
        if not isinstance(data, dict):
            continue
        hit = False
        for section in data.get("sections") or []:
            if isinstance(section, dict) and section.get("status") == "ready":
                sid = str(section.get("id"))
                ready.append(SectionStep(sid, " ".join(str(section.get("title")).split()), "ready", "published", rel))
                if not chosen or sid in chosen:
                    section["status"] = "published"
                    hit = True
        if hit:
            changed[rel] = dump_round_trip(data)
    changed[doc_rel] = _document(texts[doc_rel], entry)
    return changed, ready


def _document(text: str, entry: Entry) -> str:
    document = round_trip().load(text)
    old = document.get("version")
    quoted = type(old) if isinstance(old, str) and type(old) is not str else DoubleQuotedScalarString
    document["version"] = quoted(entry.version)
    record = CommentedMap()
    record["version"] = quoted(entry.version)
    record["date"] = entry.date
    record["note"] = entry.note
    record["major"] = entry.major
    if entry.cleared_by:
        record["cleared_by"] = [CommentedMap(role=c["role"], name=c["name"]) for c in entry.cleared_by]
    document["editions"].append(record)
    return dump_round_trip(document)


def message(doc: str, entry: Entry, published: list[str]) -> str:
    """The edition's commit message: what it is, its change note, what it publishes and who cleared it (as git
    trailers, which `git log --format=%(trailers)` reads)."""
    out = f"Publish {doc} version {entry.version}\n\n{entry.note}\n"
    if published:
        out += f"\nSections published: {', '.join(published)}\n"
    trailers = [f"Cleared-by: {c['name']} ({c['role']})" for c in entry.cleared_by]
    trailers.append(f"Guidance-Edition: {doc} {entry.version} {'major' if entry.major else 'minor'}")
    return out + "\n" + "\n".join(trailers) + "\n"
