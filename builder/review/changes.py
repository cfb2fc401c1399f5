"""Diff stage, result: what changed between two revisions, document by document and section by section."""
from __future__ import annotations

from dataclasses import dataclass, field

from builder.review.words import Ops

@dataclass
class FieldChange:
    """A field readers see (a title, a summary, a note, a glossary definition …) changed, by words."""

    where: str  # "document", "chapter basics", "glossary term DSL", "edition 1.1" …
    name: str
    words: Ops
    public: bool = True


@dataclass
class BlockChange:
    id: str
    change: str  # added | removed | changed | moved | moved-in | moved-out
    kind: str
    number: str
    words: Ops = field(default_factory=list)  # for a move: its text, with any words changed on the way
    notes: dict[str, Ops] = field(default_factory=dict)
    where: str = ""  # the other section of a move
    old_number: str = ""  # its number in the base, when that differs (a move, or paragraphs added before it)
    where_number: str = ""  # the number of the other end of a move


@dataclass
class SectionChange:
    doc: str
    id: str
    title: str
    number: str
    kinds: list[str]  # added removed moved retitled status audiences text legal-basis sources withdrawal
    status: tuple[str | None, str | None]
    audiences: tuple[list[str], list[str]]
    chapter: tuple[str | None, str | None]
    title_words: Ops = field(default_factory=list)
    blocks: list[BlockChange] = field(default_factory=list)
    public: bool = False  # the public site's text changes
    views: list[str] = field(default_factory=list)  # audience views whose text changes
    old_number: str = ""  # its number in the base, when that differs; a removed section has only this
    fields: list[FieldChange] = field(default_factory=list)  # withdrawal notice, sources, legal basis

    @property
    def label(self) -> str:
        """The section's public number, as readers cite it: '6.4', '6.4 (was 6.3)', 'was 6.3' for a removed
        section, and 'not public' for one readers cannot see (a draft has no public number)."""
        if "removed" in self.kinds or not self.number:
            old = self.old_number or self.number
            return f"was {old}" if old and "removed" in self.kinds else (
                f"not public (was {old})" if old else "not public")
        return f"{self.number} (was {self.old_number})" if self.old_number else self.number

    def summary(self) -> str:
        b, h = self.status
        words = []
        for kind in self.kinds:
            if kind == "status":
                words.append(f"status {b} → {h}")
            elif kind == "audiences":
                words.append(f"audiences {', '.join(self.audiences[0])} → {', '.join(self.audiences[1])}")
            elif kind == "moved":
                c0, c1 = self.chapter
                words.append(f"moved from chapter {c0} to {c1}" if c0 != c1 else "moved within its chapter")
            elif kind == "text":
                counts = {}
                for blk in self.blocks:
                    what = blk.change.replace("-in", " in").replace("-out", " out")
                    counts[what] = counts.get(what, 0) + 1
                words.append(", ".join(f"{n} paragraph{'s' if n != 1 else ''} {c}" for c, n in counts.items()))
            elif kind in ("added", "removed") and any(b.change.startswith("moved") for b in self.blocks):
                moved = sum(b.change.startswith("moved") for b in self.blocks)
                words.append(f"{kind} ({moved} paragraph{'s' if moved != 1 else ''} moved "
                             f"{'in' if kind == 'added' else 'out'})")
            else:
                words.append(kind.replace("-", " ") + ("" if kind in ("added", "removed", "retitled") else " changed"))
        return "; ".join(words)


@dataclass
class DocumentChange:
    id: str
    title: str
    short_title: str
    version: tuple[str | None, str | None]
    new_editions: list[dict] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # chapters added, removed or reordered; the document's place
    header_changed: bool = False  # a field every page shows (title, summary, status note …) changed
    fields: list[FieldChange] = field(default_factory=list)  # document, chapter and edition fields, by words
    roles: dict[str, dict[str, list]] = field(default_factory=dict)  # audience → gains, losses, changes
    renumbered: list[dict] = field(default_factory=list)  # public numbers that change: {kind, id, title, before, after}

    @property
    def public(self) -> bool:
        return self.header_changed or any(s.public for s in self.sections) or any(f.public for f in self.fields)

    @property
    def text_changed(self) -> bool:
        """Whether readers' text changes: a section, a field every page shows, a chapter's title or summary, or a
        public number. Changes to the edition records themselves are not counted here (review.gate judges them)."""
        return self.header_changed or bool(self.renumbered) or any(s.public for s in self.sections) or any(
            f.public and not f.where.startswith("edition ") for f in self.fields)

    @property
    def unannounced(self) -> bool:
        """Published text changes but the head adds no edition with a change note."""
        return self.public and not self.new_editions

    def next_version(self) -> str:
        major, _, minor = (self.version[1] or self.version[0] or "0.0").partition(".")
        return f"{major}.{int(minor or 0) + 1}"


@dataclass
class Diff:
    base: str
    head: str
    documents: list[DocumentChange] = field(default_factory=list)
    registries: list[str] = field(default_factory=list)
    audiences: dict[str, str] = field(default_factory=dict)  # id → name
    registry_fields: list[FieldChange] = field(default_factory=list)  # glossary, legislation, services, by words
    # translated units this change makes stale (builder/review/translations.py stale_by_change)
    stale_translations: list[dict] = field(default_factory=list)

    @property
    def views(self) -> list[str]:
        found = {v for d in self.documents for s in d.sections for v in s.views}
        found |= {a for d in self.documents for a, r in d.roles.items() if any(r.values())}
        return [a for a in self.audiences if a in found]

    @property
    def empty(self) -> bool:
        return not self.registries and not self.registry_fields and not any(
            d.sections or d.other or d.new_editions or d.fields for d in self.documents)

    def as_dict(self) -> dict:
        def ops(o):
            return [{"op": op, "text": t} for op, t in o]

        return {
            "base": self.base, "head": self.head, "views": self.views, "registries": self.registries,
            "registry_fields": [f.__dict__ | {"words": ops(f.words)} for f in self.registry_fields],
            "stale_translations": self.stale_translations,
            "documents": [{
                "id": d.id, "title": d.title, "short_title": d.short_title, "version": {"base": d.version[0], "head": d.version[1]},
                "new_editions": d.new_editions, "public": d.public, "unannounced": d.unannounced, "other": d.other,
                "fields": [f.__dict__ | {"words": ops(f.words)} for f in d.fields], "roles": d.roles,
                "renumbered": d.renumbered,
                "sections": [{
                    "id": s.id, "title": s.title, "number": s.number, "old_number": s.old_number,
                    "changes": s.kinds, "summary": s.summary(),
                    "fields": [f.__dict__ | {"words": ops(f.words)} for f in s.fields],
                    "status": {"base": s.status[0], "head": s.status[1]},
                    "audiences": {"base": s.audiences[0], "head": s.audiences[1]},
                    "chapter": {"base": s.chapter[0], "head": s.chapter[1]},
                    "public": s.public, "views": s.views, "title_words": ops(s.title_words),
                    "blocks": [{"id": b.id, "change": b.change, "kind": b.kind, "number": b.number, "where": b.where,
                                "old_number": b.old_number, "where_number": b.where_number,
                                "words": ops(b.words), "notes": {a: ops(o) for a, o in b.notes.items()}}
                               for b in s.blocks],
                } for s in d.sections],
            } for d in self.documents],
        }


