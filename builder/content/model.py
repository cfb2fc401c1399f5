"""The data model that flows through every stage: positions, problems and the content tree."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from builder.content import inline

STATUSES = ("draft", "ready", "published", "withdrawn")
PUBLIC_STATUSES = ("published", "withdrawn")  # what the public site shows: a withdrawn section as its notice


@dataclass(frozen=True, order=True)
class Pos:
    """Where a value starts: a path relative to the project root, line and column counted from 1. Line 0 (the
    default) is a problem with the file as a whole, which belongs to no line: it prints as the path alone."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    pos: Pos
    severity: str  # "error" | "warning" | "info"
    code: str
    message: str
    hint: str = ""


@dataclass
class Block:
    id: str | None
    kind: str  # para | list | steps | callout | table
    value: object  # str for para, dict for the other kinds
    notes: dict[str, str]
    pos: Pos
    path: tuple = ()  # where the block sits in its file's data, for positions of its parts
    number: str = ""
    # texts_at(), kept with the value and notes it was read from (validation and the house rules each ask; a
    # translation puts new ones in their place).
    kept_texts: tuple | None = field(default=None, compare=False, repr=False, metadata={"derived": True})

    def texts_at(self) -> list[tuple[str, tuple]]:
        """Every piece of inline text in the block with its path below the block, in reading order (notes last)."""
        kept = self.kept_texts
        if kept is not None and kept[0] is self.value and kept[1] is self.notes:
            return kept[2]
        out = self._texts_at()
        self.kept_texts = (self.value, self.notes, out)
        return out

    def _texts_at(self) -> list[tuple[str, tuple]]:
        v, k = self.value, self.kind
        if k == "para":
            out = [(v, (k,))]
        elif k in ("list", "steps"):
            out = ([(v["intro"], (k, "intro"))] if v.get("intro") else [])
            out += [(t, (k, "items", i)) for i, t in enumerate(v["items"])]
        elif k == "callout":
            out = [(v["text"], (k, "text"))]
        else:
            out = [(t, (k, "header", i)) for i, t in enumerate(v["header"])]
            out += [(c, (k, "rows", r, i)) for r, row in enumerate(v["rows"]) for i, c in enumerate(row)]
        return out + [(t, ("notes", a)) for a, t in self.notes.items()]

    def texts(self) -> list[str]:
        return [t for t, _ in self.texts_at()]


@dataclass
class Section:
    id: str
    title: str
    audiences: list[str]
    status: str
    blocks: list[Block]
    pos: Pos
    legal_basis: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    review_by: str | None = None
    withdrawn: dict | None = None
    path: tuple = ()
    number: str = ""

    def is_for(self, audience: str) -> bool:
        return "all" in self.audiences or audience in self.audiences


@dataclass
class Chapter:
    id: str
    title: str
    summary: str | None
    sections: list[Section]
    pos: Pos
    number: str = ""


@dataclass
class Edition:
    version: str
    date: str
    note: str
    major: bool
    commit: str | None = None  # the edition's commit, when document.yaml names it (builder/history/editions.py)
    cleared_by: list[dict] = field(default_factory=list)  # [{role, name}], who cleared it for publication
    pos: Pos | None = field(default=None, compare=False)  # its entry under editions: in document.yaml


@dataclass
class Document:
    id: str
    title: str
    short_title: str
    summary: str
    status_note: str
    issued_under: str
    must_have_regard: list[str]
    extent: str
    version: str
    editions: list[Edition]
    chapters: list[Chapter]
    pos: Pos
    order: int = 100
    regard_audiences: list[str] | None = None  # audience ids the duty to have regard covers; None: every audience
    # must_have_regard body → the audience ids whose role pages list it; a body not in it is listed for every audience
    body_audiences: dict[str, list[str]] = field(default_factory=dict)
    owners: list[str] = field(default_factory=list)  # GitHub users and teams who approve changes (CODEOWNERS)
    languages: list[str] = field(default_factory=lambda: ["en"])  # those it must be published in (translations.py)

    def sections(self):
        for chapter in self.chapters:
            yield from chapter.sections


@dataclass
class Content:
    documents: list[Document]
    audiences: list[dict]
    acts: list[dict]
    terms: list[dict]
    services: list[dict]
    search_words: list[dict] = field(default_factory=list)  # glossary.yaml's search_words: readers' words for titles'
    # Each text's inline tree, parsed once for everything that reads this content (builder/content/inline.py).
    trees: inline.Trees = field(default_factory=inline.Trees, compare=False, repr=False, metadata={"derived": True})
    translations: dict = field(default_factory=dict)  # language → content.translations.Translations

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def provisions(self) -> dict[str, tuple[dict, dict]]:
        """'act-id/provision-id' → (act, provision)."""
        return {f"{a['id']}/{p['id']}": (a, p) for a in self.acts for p in a["provisions"]}


_SECTIONS: list = [None, {}]  # the content object sections_by_id last indexed, and its index


def sections_by_id(content: Content) -> dict[tuple[str, str], Section]:
    """(document id, section id) → section, over every document: worked out once for a content object. The
    checks of each document in turn (validate.Memo) read it whole, and building it for each
    made them grow with the square of the number of documents (a tenth of a cold check at 5,000 sections)."""
    if _SECTIONS[0] is not content:
        _SECTIONS[:] = [content, {(d.id, s.id): s for d in content.documents for s in d.sections()}]
    return _SECTIONS[1]


def number_document(doc: Document) -> None:
    """Give chapters, sections and blocks their displayed numbers (3, 3.2, 3.2.1) from their position."""
    for ci, chapter in enumerate(doc.chapters, 1):
        chapter.number = str(ci)
        for si, section in enumerate(chapter.sections, 1):
            section.number = f"{ci}.{si}"
            for bi, block in enumerate(section.blocks, 1):
                block.number = f"{ci}.{si}.{bi}"


def public_chapter_numbers(doc: Document) -> list[str]:
    """Each chapter's number on the public site, in order: "" for a chapter with no published or withdrawn
    section, which the public site leaves out."""
    out, ci = [], 0
    for chapter in doc.chapters:
        shown = any(s.status in PUBLIC_STATUSES for s in chapter.sections)
        ci += shown
        out.append(str(ci) if shown else "")
    return out


def number_public(doc: Document) -> None:
    """Give chapters, sections and blocks the numbers the public site shows: only published and withdrawn
    sections count, and a chapter with none of them is not shown. A section readers cannot see gets no number
    (""), nor do its blocks. These are the numbers readers cite, so the diff and the publish plan speak of them."""
    for chapter, number in zip(doc.chapters, public_chapter_numbers(doc)):
        chapter.number = number
        si = 0
        for section in chapter.sections:
            public = section.status in PUBLIC_STATUSES
            si += public
            section.number = f"{number}.{si}" if public else ""
            for bi, block in enumerate(section.blocks, 1):
                block.number = f"{number}.{si}.{bi}" if public else ""


def public_texts(content: Content) -> list[str]:
    """Every text the public build may show: all of the content except unpublished sections (a withdrawn section
    shows only its title and the reason)."""
    out: list[str] = []

    def walk(value):
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif dataclasses.is_dataclass(value):
            if getattr(value, "status", "published") in ("draft", "ready"):
                return
            if getattr(value, "status", "") == "withdrawn":
                walk([value.title, value.withdrawn or {}])
                return
            for f in dataclasses.fields(value):
                if not f.metadata.get("derived"):  # Content.trees: parses of the texts, not texts of its own
                    walk(getattr(value, f.name))

    walk(content)
    return out


def version_key(version: str) -> tuple[int, int]:
    """'1.10' → (1, 10), so that versions sort as numbers (1.10 after 1.9); (-1, -1) for one that is not MAJOR.MINOR."""
    major, _, minor = str(version).partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else (-1, -1)
