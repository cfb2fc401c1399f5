"""Reference checks: ids unique, audiences known, every [[kind:target]] resolves (one checker per kind of
reference), and no markup that could inject HTML in any text readers see. A reference whose target is written but
faulty, or sits in a file that cannot be read, is left to that file's problem (Known)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from builder.content import inline
from builder.content.load import SourceFile, locator
from builder.content.model import Block, Content, Document, Pos, Problem, Section, sections_by_id
from builder.content.validate.hints import (FLAW_WORDS, flaw_words, law_hint, section_hint, snippet, suggest,
                                            term_hint, too_long)
from builder.content.validate.schema import REGISTRY_LISTS, REGISTRY_REFS, REGISTRY_TABLE_WIDTH, REGISTRY_TEXTS, \
    reader_fields, value_at


@dataclass
class Known:
    """The ids written in the files, whether or not their entries passed the schema, and the kinds of reference
    that cannot be checked because a file holding their targets could not be read. A reference to one of these is
    not reported: the problem that hides its target is the one to fix."""

    sections: dict[str, set[str]] = field(default_factory=dict)  # document folder → section ids
    ids: dict[str, set[str]] = field(default_factory=dict)  # "term", "service", "law", "audience" → ids
    unknowable: set[str] = field(default_factory=set)  # "term", …, or "section:<doc>"
    incomplete: set[str] = field(default_factory=set)  # documents some of whose text is not in the model

    def exists(self, kind: str, target: str, doc: str = "") -> bool:
        if kind == "section":
            return f"section:{doc}" in self.unknowable or target in self.sections.get(doc, set())
        return kind in self.unknowable or target in self.ids.get(kind, set())


def known_ids(files: list[SourceFile], unreadable=frozenset()) -> Known:
    """Every id written in the files, valid or not (see Known)."""
    known = Known()
    for rel in unreadable:
        parts = rel.split("/")
        if len(parts) == 2 and parts[1].endswith((".yaml", ".yml")) and parts[1].rsplit(".", 1)[0] in REGISTRY_REFS:
            known.unknowable.add(REGISTRY_REFS[parts[1].rsplit(".", 1)[0]])
        elif len(parts) == 3:
            known.unknowable.add(f"section:{parts[1]}")
    for f in files:
        data = f.data if isinstance(f.data, dict) else {}
        if f.kind == "chapter":
            _known_sections(known, f.path.split("/")[1], data.get("sections"))
        elif f.kind in REGISTRY_LISTS:
            _known_entries(known, REGISTRY_REFS[f.kind], data.get(REGISTRY_LISTS[f.kind]))
    return known


def _all_have_ids(entries) -> bool:
    return isinstance(entries, list) and all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries)


def _known_sections(known: Known, doc: str, entries) -> None:
    ids = known.sections.setdefault(doc, set())
    if not _all_have_ids(entries):
        known.unknowable.add(f"section:{doc}")
    ids.update(w for s in (entries if isinstance(entries, list) else ()) if isinstance(s, dict)
               and isinstance(s.get("id"), str) for w in _written(s["id"]))


def _known_entries(known: Known, kind: str, entries) -> None:
    ids = known.ids.setdefault(kind, set())
    if not _all_have_ids(entries):
        known.unknowable.add(kind)
    elif kind != "law":
        ids.update(w for e in entries for w in _written(e["id"]))
    else:
        for act in entries:
            provisions = act.get("provisions")
            if not _all_have_ids(provisions):
                known.unknowable.add("law")
                continue
            ids.update(f"{act['id']}/{p['id']}" for p in provisions)


def _written(ident: str) -> tuple[str, ...]:
    """An id as written, and as meant when it has spaces or a line break around it (an id written as a | block
    ends in one): a reference to the meant id is left to the id's own schema problem."""
    return (ident, ident.strip()) if ident != ident.strip() else (ident,)


def reference_problems(content: Content, sources: dict[str, SourceFile], known: Known,
                       partial: set[str] = frozenset(), folders: set[str] | None = None,
                       whole: bool = True) -> list[Problem]:
    """Ids unique, audiences known, every reference resolves, no markup that could inject HTML. A reference whose
    target is written but faulty, or sits in a file that cannot be read, is left to that file's problem (known);
    the fields of a document in `partial` may be stand-ins and are not checked. folders: check only the
    documents (and their files) in these folders; whole: also the checks across documents and the registries."""
    check = References(content, known)
    for doc in content.documents:
        folder = doc.pos.file.split("/")[1]
        if folders is not None and folder not in folders:
            continue
        if doc.id not in partial:
            check.document(doc, sources.get(doc.pos.file), folder)
        for chapter in doc.chapters:
            for section in chapter.sections:
                check.section(doc, section, sources.get(section.pos.file))
    if whole:
        check.out.extend(_id_problems(content.documents))
        check.registries(sources)
    for source in sources.values():
        if not (whole if source.kind in (*REGISTRY_LISTS, "registry-translation")
                else folders is None or source.path.split("/")[1] in folders):
            continue
        if source.kind == "document" and source.path.split("/")[1] in partial:
            continue
        check.fields(source)
    return check.out


class References:
    """The reference checks of one content tree: one method per kind of reference ([[law:…]], [[term:…]],
    [[service:…]], [[section:…]]), and one per place that holds them (a document's fields, a section, the
    registries, any file's reader-visible fields). Problems collect in .out, in the order they are found."""

    def __init__(self, content: Content, known: Known):
        self.content, self.known, self.out = content, known, []
        self.audiences = {a["id"] for a in content.audiences}
        self.audience_list = ", ".join(sorted(self.audiences))
        self.provisions = content.provisions()
        self.terms = {t["id"] for t in content.terms}
        self.services = {s["id"] for s in content.services}
        self.sections = sections_by_id(content)

    def err(self, pos, code, message, hint="", severity="error"):
        self.out.append(Problem(pos, severity, code, message, hint))

    # One checker per kind of reference. where: the position, or a callable giving it (working out a position in
    # text reads the source, so it is only done for a problem).

    def law(self, ref: str, where, doc_id: str = "", public: bool = True) -> None:
        if ref not in self.provisions and not self.known.exists("law", ref):
            pos = where() if callable(where) else where
            act, _, provision = ref.partition("/")
            close = suggest(ref, [p for p in self.provisions if p.partition("/")[0] == act], "id")
            self.err(pos, "ref.law", f"'{ref}' is not in legislation.yaml", law_hint(ref, close, self.content))

    def term(self, target: str, where, doc_id: str = "", public: bool = True) -> None:
        if target not in self.terms and not self.known.exists("term", target):
            self.err(where(), "ref.term", f"glossary term '{target}' is not defined",
                     term_hint(target, suggest(target, self.terms, "abbreviation")))

    def service(self, target: str, where, doc_id: str = "", public: bool = True) -> None:
        if target not in self.services and not self.known.exists("service", target):
            close = suggest(target, self.services, "id")
            self.err(where(), "ref.service", f"service '{target}' is not in services.yaml",
                     (f"Did you mean [[service:{close}]]? Or add" if close else "Add") +
                     " it to content/services.yaml under services:\n" + snippet(indent=2, data=[{
                         "id": target, "name": "Name of the service", "description": "What it offers, to whom.",
                         "phone": "0800 000 0000", "hours": "When it is open", "url": "https://…"}]))

    def section_ref(self, target: str, where, doc_id: str = "", public: bool = True) -> None:
        doc, _, sid = target.rpartition("/")
        if not self.known.exists("section", sid, doc or doc_id):
            self.err(where(), "ref.section", f"section '{target}' does not exist",
                     section_hint(sid, doc or doc_id, self.known.sections))
        elif public and (status := getattr(self.sections.get((doc or doc_id, sid)), "status", None)) in (
                "draft", "ready"):
            self.err(where(), "ref.unpublished", f"published text refers to section '{target}', which is {status}",
                     "Publish the two together (set this section to ready too, then guidance publish), or remove "
                     "the reference until the section is published: readers would see its id as plain words.")

    def text(self, text: str, at, doc_id: str, public: bool = True) -> None:
        """Check one piece of inline text, parsed once (builder/content/inline.py); at(offset) gives the position of
        a character in it. A text over the length limit is reported once (text.too-long), not checked."""
        if len(text) > inline.MAX_TEXT:
            return
        tree = self.content.trees[text]
        for flaw in tree.flaws:
            self.err(at(flaw.start), *flaw_words(flaw))
        for ref in tree.refs():
            check = self.KINDS.get(ref.kind)
            if check is not None:
                check(self, ref.target, functools.partial(at, ref.start), doc_id, public)

    KINDS = {"law": law, "term": term, "service": service, "section": section_ref}

    # The places that hold references.

    def audience(self, a: str, pos, message: str, choices: str, close_to: bool = True) -> None:
        if a not in self.audiences and not self.known.exists("audience", a):
            close = suggest(a, self.audiences, "id") if close_to else None
            self.err(pos() if callable(pos) else pos, "ref.audience", message,
                     (f"Did you mean '{close}'? " if close else "") + f"Use one of: {choices}.")

    def document(self, doc: Document, doc_source: SourceFile | None, folder: str) -> None:
        """A document's own fields (not its chapters)."""
        at = (lambda *p: doc_source.pos(p)) if doc_source else (lambda *p: doc.pos)
        if doc.id != folder:
            self.err(at("id"), "document.id", f"document id '{doc.id}' differs from its folder name '{folder}'",
                     "Rename the folder or the id so that they match: the id is the document's URL.")
        self.law(doc.issued_under, at("issued_under"))
        versions = [e.version for e in doc.editions]
        if doc.version not in versions:
            self.err(at("version"), "document.version",
                     f"version {doc.version} is not one of the editions ({', '.join(versions)})",
                     "Add an edition for it, or set version to the newest edition.")
        self.text(doc.summary, locator(doc_source, ("summary",), doc.summary), doc.id)
        for i, a in enumerate(doc.regard_audiences or []):
            self.audience(a, functools.partial(at, "regard_audiences", i), f"audience '{a}' is not in audiences.yaml",
                          self.audience_list, close_to=False)
        for i, body in enumerate(doc.must_have_regard):
            for j, a in enumerate(doc.body_audiences.get(body, [])):
                self.audience(a, functools.partial(at, "must_have_regard", i, "audiences", j), f"audience '{a}' is not in "
                              "audiences.yaml", self.audience_list, close_to=False)

    def section(self, doc: Document, section: Section, src: SourceFile | None) -> None:
        """A section's audiences, legal bases, withdrawal reason and blocks."""
        at = (lambda *p: src.pos(section.path + p)) if src else (lambda *p: section.pos)
        for i, a in enumerate(section.audiences):
            if a != "all":
                self.audience(a, functools.partial(at, "audiences", i), f"audience '{a}' is not in audiences.yaml",
                              f"all, {self.audience_list}")
        if "all" in section.audiences and len(section.audiences) > 1:
            self.err(at("audiences"), "audience.all-and-more", "audiences lists 'all' with other audiences",
                     "Write [all] alone, or list the audiences it is for.", "warning")
        for i, ref in enumerate(section.legal_basis):
            self.law(ref, at("legal_basis", i))
        if section.withdrawn:
            reason = section.withdrawn["reason"]
            self.text(reason, locator(src, section.path + ("withdrawn", "reason"), reason), doc.id)
        for block in section.blocks:
            self.block(doc, section, block, src)

    def block(self, doc: Document, section: Section, block: Block, src: SourceFile | None) -> None:
        at = (lambda *p, key=False: src.pos(block.path + p, key=key)) if src else (lambda *p, key=False: block.pos)
        for a in block.notes:
            self.audience(a, lambda: at("notes", a, key=True), f"note for unknown audience '{a}'", self.audience_list)
        if block.kind == "table":
            self.table(block, at)
        trees, public = self.content.trees, section.status == "published"
        for text, sub in block.texts_at():
            if len(text) <= inline.MAX_TEXT and (inline.markup_free(text) or not (tree := trees[text]).flaws
                                                 and not tree.refs()):
                continue  # plain words (most texts): nothing to check, so neither a parse nor a position
            self.text(text, locator(src, block.path + sub, text), doc.id, public=public)

    def table(self, block: Block, at) -> None:
        width = len(block.value["header"])
        if block.value.get("registry") and width != REGISTRY_TABLE_WIDTH:
            self.err(at("table", "header"), "table.width",
                     f"the header has {width} cells; a table with registry: {block.value['registry']} "
                     f"has {REGISTRY_TABLE_WIDTH} columns",
                     "Name the columns: offence or order, provision, maximum penalty, time limit.")
        for r, row in enumerate(block.value["rows"]):
            if len(row) != width:
                self.err(at("table", "rows", r), "table.width",
                         f"row {r + 1} has {len(row)} cells; the header has {width}", "Give every row one cell per column.")

    def registries(self, sources: dict[str, SourceFile]) -> None:
        """The registries' texts and the glossary's ids."""
        glossary = next((s for s in sources.values() if s.kind == "glossary"), None)
        legislation = next((s for s in sources.values() if s.kind == "legislation"), None)
        for ai, act in enumerate(self.content.acts):
            ai = _index(legislation, ("acts",), act, ai)
            for pi, prov in enumerate(act["provisions"]):
                pi = _index(legislation, ("acts", ai, "provisions"), prov, pi)
                for key in REGISTRY_TEXTS:  # readers see these in the table that registry: offences generates
                    if prov.get(key):
                        path = ("acts", ai, "provisions", pi, key)
                        self.text(prov[key], locator(legislation, path, prov[key]), "")
        anchors: dict[str, str] = {}
        for i, term in enumerate(self.content.terms):
            i = _index(glossary, ("terms",), term, i)
            path = ("terms", i, "definition")
            self.text(term["definition"], locator(glossary, path, term["definition"]), "")
            if (other := anchors.get(term["id"].lower())) is not None:
                same = "the same as" if other == term["id"] else "the same, but for letter case, as"
                self.err(glossary.pos(("terms", i, "id")) if glossary else Pos("content/glossary.yaml"),
                         "ids.duplicate", f"glossary term id '{term['id']}' is {same} an earlier term's '{other}'",
                         "Give each term its own id: the glossary's link anchors ignore case, so both would share one.")
            anchors.setdefault(term["id"].lower(), term["id"])

    def fields(self, source: SourceFile) -> None:
        """Every reader-visible field of a file not checked with its context above."""
        doc_id = source.path.split("/")[1] if source.kind in ("document", "chapter", "translation") else ""
        faulty = {p.pos for p in source.schema_problems or ()}  # one problem per mistake: the schema's
        for path, mode, text in reader_fields(source.kind, source.data):
            if faulty and source.pos(path) in faulty:  # a position is worked out only when there is one
                continue
            long = len(text) > inline.MAX_TEXT
            if mode == "inline" and not long and _checked_with_its_section(source.kind, path):
                continue
            at = locator(source, path, text)
            if long:
                self.err(at(0), *too_long(len(text)))
            elif mode == "inline":
                self.text(text, at, doc_id)
            elif mode == "plain":
                _check_plain(text, at, self.err, self.content.trees)
            elif mode == "url":
                _check_url(text, at, self.err)


def _checked_with_its_section(kind: str, path: tuple) -> bool:
    """Texts the reference checks already read with their context (a section's status, a term's or a provision's
    entry): blocks and notes, withdrawal reasons, the document summary, definitions and the registry's table texts."""
    if kind == "chapter":
        return len(path) > 2 and path[0] == "sections" and (path[2] == "blocks" or path[2:4] == ("withdrawn", "reason"))
    if kind == "document":
        return path == ("summary",)
    if kind == "glossary":
        return path[-1:] == ("definition",)
    if kind == "legislation":
        return path[-1] in REGISTRY_TEXTS
    return False


def _check_plain(text: str, at, err, trees: inline.Trees) -> None:
    """A field shown exactly as written (a title, a name): markup would be shown as typed, and HTML refused."""
    if len(text) > inline.MAX_TEXT or inline.markup_free(text):
        return  # reported as text.too-long; or plain words, as they should be
    tree = trees[text]
    for flaw in tree.flaws:
        if flaw.code in FLAW_WORDS:
            err(at(flaw.start), *FLAW_WORDS[flaw.code])
            return
    markup = next((n for n in tree.walk() if not isinstance(n, inline.Text)), None)
    if markup is not None:
        err(at(markup.start), "text.plain", "markup in a field readers see exactly as written",
            "Write plain words here: references, links and *emphasis* work only in text fields (paragraphs, "
            "summaries, notes), and here they would be shown as typed.")


SAFE_URL = re.compile(r"^(?:https://|mailto:)[^\s<>\"'`()\\]+$")


def _check_url(text: str, at, err) -> None:
    if len(text) > inline.MAX_TEXT:
        return  # reported as text.too-long
    if not SAFE_URL.match(text):
        bad = next((i for i, c in enumerate(text) if c.isspace() or c in "<>\"'`()\\"), 0)
        err(at(bad), "text.link", f"'{text[:60]}' is not a plain https:// address",
            "Write the address as the browser shows it, starting https://, with no spaces, quotes, brackets or "
            "angle brackets: those could break out of the link.")


def _id_problems(documents: list[Document]) -> list[Problem]:
    """Chapter ids unique in their document; section and block ids unique across all documents, because audience
    views and print pages put both documents on one page; every block has an id."""
    out = []
    sections: dict[str, Pos] = {}
    blocks: dict[str, Pos] = {}

    def once(seen, kind, ident, pos, why):
        if ident in seen:
            out.append(Problem(pos, "error", "ids.duplicate", f"{kind} id '{ident}' is also used at {seen[ident]}", why))
        seen.setdefault(ident, pos)

    for doc in documents:
        chapters: dict[str, Pos] = {}
        for chapter in doc.chapters:
            once(chapters, "chapter", chapter.id, chapter.pos, "Chapter ids are URLs and must be unique in the document.")
            for section in chapter.sections:
                once(sections, "section", section.id, section.pos,
                     "Section ids are anchors and must be unique across the guidance; rename the new one.")
                for n, block in enumerate(section.blocks, 1):
                    if block.id is None:
                        out.append(Problem(block.pos, "error", "ids.missing",
                                           f"block {n} of section '{section.id}' has no id",
                                           "Run `guidance fmt` to assign paragraph ids."))
                    else:
                        once(blocks, "block", block.id, block.pos,
                             "Block ids must be unique across the guidance; delete this id and run `guidance fmt`.")
    return out


def _index(source: SourceFile | None, path: tuple, entry: dict, default: int) -> int:
    """Where entry sits in the list at path of source (entries that failed the schema are left out of the model,
    so its index there may be smaller)."""
    try:
        items = value_at(source.data, path)
        return next(i for i, e in enumerate(items) if e is entry or (isinstance(e, dict) and e.get("id") == entry["id"]))
    except (AttributeError, KeyError, IndexError, TypeError, StopIteration):
        return default
