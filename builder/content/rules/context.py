"""What a rule sees (Context): the content, the files it came from, the settings and today's date, with each
document's reader texts listed once and joined once for the rules that search them all."""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, NamedTuple

from builder.content import inline
from builder.content.config import Config
from builder.content.load import SourceFile, locator
from builder.content.model import Block, Content, Document, Pos, Section, sections_by_id

# Characters that re.IGNORECASE matches to an ASCII letter but str.lower() does not lower to it: folded first, so
# that a word found by a pattern with re.I is found in Scan.folded by its lower-case letters.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


class Piece(NamedTuple):
    """One piece of reader text, and where it sits: in a block of a section, or a chapter's summary (no block),
    at path in source."""
    text: str
    section: Section | None
    block: Block | None
    source: SourceFile | None
    path: tuple

    def at(self, offset: int) -> Pos:
        """The position of one of its characters (worked out only for a problem: it reads the source lines)."""
        return locator(self.source, self.path, self.text)(offset)


@dataclass
class Scan:
    """A document's reader texts, masked (references and link addresses blanked), joined by line breaks: one search
    through it costs a fraction of a search through each text. A pattern that cannot match a line break, and whose
    look-arounds treat one as they treat either end of a text, finds there what it finds in each text; owner()
    says which text a match is in."""
    masked: list[str]
    text: str = ""
    starts: list[int] = field(default_factory=list)
    _folded: str | None = None

    def __post_init__(self):
        self.text = "\n".join(self.masked)
        # Each text starts after the ones before it and their line breaks.
        self.starts = [at + i for i, at in enumerate(itertools.accumulate(map(len, self.masked), initial=0))][:-1]

    @property
    def folded(self) -> str:
        """The joined text in lower case, as re.IGNORECASE compares letters: `word in folded` is False only when
        no case-insensitive pattern that needs the word can match."""
        if self._folded is None:
            self._folded = self.text.translate(_FOLD).lower()
        return self._folded

    def owner(self, offset: int) -> int:
        """The index of the text that the character at offset belongs to."""
        return bisect.bisect_right(self.starts, offset) - 1

    def holding(self, words: list[str]) -> list[int]:
        """The indices, in order, of the texts that hold any of words (lower case) in folded: where a
        case-insensitive pattern that needs one of them can match, found by str.find at C speed."""
        found = set()
        for word in words:
            at = self.folded.find(word)
            while at != -1:
                found.add(self.owner(at))
                at = self.folded.find(word, at + 1)
        return sorted(found)

    def finditer(self, pattern) -> Iterator[tuple[int, int, int, object]]:
        """(text index, start, end within that text, match) for each match of pattern."""
        for m in pattern.finditer(self.text):
            i = self.owner(m.start())
            yield i, m.start() - self.starts[i], m.end() - self.starts[i], m


class Context:
    """What a rule sees: the content, the files it came from, the settings and today's date."""

    def __init__(self, content: Content, sources: dict[str, SourceFile], config: Config, today: date,
                 known=None, folders: set[str] | None = None, usage: dict | None = None):
        self.content, self.sources, self.config, self.today = content, sources, config, today
        self.trees = content.trees  # each text's tree, masked text and term references, worked out once
        # The documents the rules about one document read (those in folders, or all): see check().
        self.documents = [d for d in content.documents if folders is None or folder(d) in folders]
        self.usage = usage or {}  # document folder → its term_usage(), worked out by an earlier check
        self.provisions = content.provisions()
        self.terms = {t["id"]: t for t in content.terms}
        # Glossary ids written but not in the model (their entry has a schema problem), or every id when the
        # glossary cannot be read: abbreviations they cover are not reported as undefined (validate.Known).
        self.written_terms = set(getattr(known, "ids", {}).get("term", ()))
        self.glossary_unknowable = "term" in getattr(known, "unknowable", ())
        # Documents with a chapter, section or block left out of the model: what comes first in them is not known.
        self.incomplete = set(getattr(known, "incomplete", ()))
        self.services = {s["id"]: s for s in content.services}
        self.sections = sections_by_id(content)
        self.whole = not folders  # this check covers what belongs to no document (the registries) too
        self._texts: dict[int, list[Piece]] = {}
        self._scans: dict[int, Scan] = {}
        self.abbreviations: list | None = None  # worked out once for the two rules that read them

    def texts(self, doc: Document) -> list[Piece]:
        """Every piece of reader text in the document in reading order. Withdrawn sections are skipped: readers
        see only their notice; so are texts over the length limit, which validate reports once (text.too-long).
        Listed once for every rule that reads them."""
        found = self._texts.get(id(doc))
        if found is None:
            found = self._texts[id(doc)] = list(self._list_texts(doc))
        return found

    def _list_texts(self, doc: Document) -> Iterator[Piece]:
        for chapter in doc.chapters:
            src = self.sources.get(chapter.pos.file)
            if chapter.summary and len(chapter.summary) <= inline.MAX_TEXT:
                yield Piece(chapter.summary, None, None, src, ("summary",))
            for section in chapter.sections:
                if section.status == "withdrawn":
                    continue
                for block in section.blocks:
                    for text, sub in block.texts_at():
                        if len(text) <= inline.MAX_TEXT:
                            yield Piece(text, section, block, src, block.path + sub)

    def scan(self, doc: Document) -> Scan:
        """The document's texts (as texts() lists them), masked and joined: see Scan."""
        found = self._scans.get(id(doc))
        if found is None:
            found = self._scans[id(doc)] = Scan([self.trees.masked(t.text) for t in self.texts(doc)])
        return found

    def display(self, ref: inline.Ref, doc_id: str) -> str:
        """The words a reader sees in place of a [[reference]]."""
        kind, target, label = ref.kind, ref.target, ref.label
        if label:
            return label
        if kind == "law" and target in self.provisions:
            act, prov = self.provisions[target]
            return f"{prov['label']} of the {act['title']}"
        if kind == "term" and target in self.terms:
            return self.terms[target]["term"]
        if kind == "service" and target in self.services:
            return self.services[target]["name"]
        if kind == "section":
            doc, _, sid = target.rpartition("/")
            found = self.sections.get((doc or doc_id, sid))
            return f"1.1 {found.title}" if found else sid  # numbers come at render; 1.1 stands in for one
        return target


def text_as_shown(text: str, ctx: Context, doc_id: str) -> tuple[str, list[int]]:
    """Text as the reader sees it (references as their words, links as their labels, no emphasis marks), with the
    offset in the source text of every character, so that a problem can point at the right place."""
    out: list[str] = []
    where: list[int] = []

    def add(nodes) -> None:
        for node in nodes:
            if isinstance(node, inline.Text):
                out.append(node.text)
                where.extend(range(node.start, node.start + len(node.text)))
            elif isinstance(node, inline.Ref):
                words = ctx.display(node, doc_id)
                out.append(words)
                where.extend([node.start] * len(words))
            else:
                add(node.children)

    add(ctx.trees[text].nodes)
    return "".join(out), where


def shown_words(text: str, ctx: Context, doc_id: str) -> str:
    """text_as_shown's text alone, without the offsets (worked out only for a sentence that is reported)."""
    if "[" not in text and "*" not in text:
        return text  # no reference, link or emphasis (only [ and * start one): shown as written
    nodes = ctx.trees[text].nodes
    if len(nodes) == 1 and isinstance(nodes[0], inline.Text):
        return nodes[0].text  # its brackets or stars start nothing: shown as written
    out: list[str] = []

    def add(nodes) -> None:
        for node in nodes:
            if isinstance(node, inline.Text):
                out.append(node.text)
            elif isinstance(node, inline.Ref):
                out.append(ctx.display(node, doc_id))
            else:
                add(node.children)

    add(nodes)
    return "".join(out)


def folder(doc: Document) -> str:
    """The folder a document's files sit in (its id may differ, which is a problem of its own)."""
    return doc.pos.file.split("/")[1]
