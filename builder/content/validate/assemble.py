"""Model assembly: the content tree (builder/content/model.py) built from every part of the files that passed the
schema, with stand-ins where a document's own field failed, so that its chapters are still checked."""
from __future__ import annotations

from builder.content import translations
from builder.content.load import SourceFile
from builder.content.model import Block, Chapter, Content, Document, Edition, Section
from builder.content.validate.schema import BLOCK_KINDS, REGISTRY_LISTS


SECTION_REQUIRED = ("id", "title", "audiences", "status", "blocks")


SECTION_LISTS = ("legal_basis", "sources", "exceptions")


def build_content(files: list[SourceFile], cuts: dict[str, set[tuple]] | None = None, reuse: bool = False
                  ) -> tuple[Content, dict[str, SourceFile], set[str]]:
    """Assemble the content tree from files (with `cuts`, the paths of each file's values that failed the schema,
    which are left out). Returns it, the files keyed by path, and the documents whose document.yaml had problems
    (their own fields may be stand-ins, so checks of them are skipped). reuse: a file's chapter is the one built
    from the same file object before: two revisions that share a file share its chapter (the diff numbers a
    chapter that sits at another place on the other side in a copy: review.diff._numbered)."""
    cuts = cuts or {}
    by_path = {f.path: f for f in files}
    registry = {f.kind: _registry(f, cuts.get(f.path, set())) for f in files if f.kind in REGISTRY_LISTS}
    documents, partial = [], set()
    chapter_files: dict[str, list[SourceFile]] = {}  # folder → its chapter files, in the order given
    for f in files:
        if f.kind == "chapter":
            chapter_files.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
    for doc_file in (f for f in files if f.kind == "document"):
        folder = doc_file.path.rsplit("/", 1)[0]
        chapters = [c for f in chapter_files.get(folder, [])
                    if (c := (_built_chapter if reuse else _chapter)(f, cuts.get(f.path, set()))) is not None]
        doc = _document(doc_file, chapters, cuts.get(doc_file.path, set()))
        if cuts.get(doc_file.path):
            partial.add(doc.id)
        documents.append(doc)
    documents.sort(key=lambda d: (d.order, d.id))
    content = Content(documents=documents, audiences=registry.get("audiences", []), acts=registry.get("legislation", []),
                      terms=registry.get("glossary", []), services=registry.get("services", []),
                      search_words=[w for f in files if f.kind == "glossary" for w in _search_words(f, cuts.get(f.path, set()))])
    translations.build([f for f in files if f.kind in translations.KINDS and not cuts.get(f.path)], content)
    return content, by_path, partial


def _search_words(f: SourceFile, cuts: set[tuple]) -> list[dict]:
    """glossary.yaml's search_words entries that passed the schema."""
    words = f.data.get("search_words") if isinstance(f.data, dict) else None
    if not isinstance(words, list) or ("search_words",) in cuts:
        return []
    bad = {c[1] for c in cuts if c[:1] == ("search_words",) and len(c) > 1}
    return [w for i, w in enumerate(words) if i not in bad]


def _registry(f: SourceFile, cuts: set[tuple]) -> list[dict]:
    """A registry's entries that passed the schema (for legislation, an act keeps its sound provisions)."""
    name = REGISTRY_LISTS[f.kind]
    bad = {c[1] for c in cuts if c[:1] == (name,) and len(c) > 1 and not _provision_cut(f.kind, c)}
    out = []
    for i, entry in enumerate(f.data[name]):
        if i in bad:
            continue
        if f.kind == "legislation":
            dropped = {c[3] for c in cuts if c[:2] == (name, i) and _provision_cut(f.kind, c)}
            entry = dict(entry, provisions=[p for j, p in enumerate(entry["provisions"]) if j not in dropped])
        out.append(entry)
    return out


def _provision_cut(kind: str, cut: tuple) -> bool:
    return kind == "legislation" and len(cut) > 3 and cut[2] == "provisions"


_DOCUMENT_STAND_INS = {"title": "", "short_title": "", "summary": "", "status_note": "", "issued_under": "",
                       "must_have_regard": [], "extent": "", "version": "", "editions": [], "order": 100}


def _document(f: SourceFile, chapters: list[Chapter], cuts: set[tuple]) -> Document:
    """The document, with stand-ins for fields that failed the schema so that its chapters are still checked."""
    d = f.data if isinstance(f.data, dict) else {}
    bad = {c[0] for c in cuts if c}

    def get(name):
        return _DOCUMENT_STAND_INS[name] if name in bad or () in cuts or name not in d else d[name]

    editions = []
    if "editions" not in bad and () not in cuts:
        for i, e in enumerate(d.get("editions", [])):
            if not any(c[:2] == ("editions", i) for c in cuts):
                editions.append(Edition(version=e["version"], date=e["date"], note=e["note"], major=e["major"],
                                        commit=e.get("commit"), cleared_by=list(e.get("cleared_by") or []),
                                        pos=f.pos(("editions", i))))
    doc_id = d.get("id") if isinstance(d.get("id"), str) and "id" not in bad else f.path.split("/")[1]
    # A body written as {body, audiences} concerns those audiences only: their role pages list it (issue 15).
    regard = [w for w in get("must_have_regard") if isinstance(w, str) or isinstance((w or {}).get("body"), str)]
    return Document(
        id=doc_id, title=get("title"), short_title=get("short_title"), summary=get("summary"),
        status_note=get("status_note"), issued_under=get("issued_under"),
        must_have_regard=[w if isinstance(w, str) else w["body"] for w in regard],
        body_audiences={w["body"]: list(w.get("audiences") or []) for w in regard if isinstance(w, dict)},
        extent=get("extent"), version=get("version"), editions=editions, chapters=chapters, pos=f.pos(()),
        order=get("order"), regard_audiences=None if "regard_audiences" in bad else d.get("regard_audiences"),
        owners=[] if "owners" in bad else list(d.get("owners") or []),
        languages=["en"] if "languages" in bad else list(d.get("languages") or ["en"]),
    )


def _built_chapter(f: SourceFile, cuts: set[tuple]) -> Chapter | None:
    """_chapter(f, cuts), built once per file object: the model is only read after it is built (render numbers
    a copy), so a file checked again (validate.Memo) gives the same chapter."""
    if f.chapter is None or f.chapter[0] != cuts:
        f.chapter = (set(cuts), _chapter(f, cuts))
    return f.chapter[1]


def _chapter(f: SourceFile, cuts: set[tuple] = frozenset()) -> Chapter | None:
    """The chapter with every section and block that passed the schema, at their places in the file (paths and
    numbers count the ones left out)."""
    sections = []
    summary = f.data.get("summary") if ("summary",) not in cuts else None
    for si, s in enumerate(f.data["sections"]):
        mine = [c[2:] for c in cuts if c[:2] == ("sections", si)]
        section = _section(f, si, s, mine) if mine else _sound_section(f, si, s)
        if section is not None:
            sections.append(section)
    return Chapter(id=f.data["id"], title=f.data["title"], summary=summary, sections=sections, pos=f.pos(()))


def _sound_section(f: SourceFile, si: int, s: dict) -> Section:
    blocks = [_block(f, si, bi, b, b.get("notes", {})) for bi, b in enumerate(s["blocks"])]
    return Section(
        id=s["id"], title=s["title"], audiences=s["audiences"], status=s["status"], blocks=blocks,
        pos=f.pos(("sections", si)), legal_basis=s.get("legal_basis", []), sources=s.get("sources", []),
        review_by=s.get("review_by"), withdrawn=s.get("withdrawn"), path=("sections", si),
    )


def _block(f: SourceFile, si: int, bi: int, b: dict, notes: dict) -> Block:
    for kind in BLOCK_KINDS:  # the schema let through exactly one
        if kind in b:
            break
    path = ("sections", si, "blocks", bi)
    return Block(id=b.get("id"), kind=kind, value=b[kind], notes=notes, pos=f.pos(path), path=path)


def _still_a_section(s: dict, cuts: list[tuple]) -> bool:
    """Whether what failed leaves a section: not its audiences, status or blocks list, nor an id or title that
    is not text."""
    for c in cuts:
        if not c or (c[0] in SECTION_REQUIRED and c[0] not in ("id", "title") and not (c[0] == "blocks" and len(c) > 1)):
            return False
        if c[0] in ("id", "title") and not isinstance(s.get(c[0]), str):
            return False
    return True


def _cut_block(f: SourceFile, si: int, bi: int, b, mine: list[tuple]) -> Block | None:
    """A block some of whose values failed the schema (mine: their paths in it): None when its kind or id is
    what failed; otherwise the block without the faulty notes."""
    notes = b.get("notes", {}) if isinstance(b, dict) else {}
    if any(not m or m[0] in BLOCK_KINDS or (m[0] == "id" and not isinstance(b.get("id"), str)) for m in mine):
        return None
    if any(m[:1] == ("notes",) for m in mine):
        dropped = {m[1] for m in mine if m[:1] == ("notes",) and len(m) > 1}
        notes = {} if any(m == ("notes",) for m in mine) or not isinstance(notes, dict) else \
            {a: t for a, t in notes.items() if a not in dropped}
    return _block(f, si, bi, b, notes)


def _section(f: SourceFile, si: int, s, cuts: list[tuple]) -> Section | None:
    """A section some of whose values failed the schema: None when what is wrong is what makes it a section
    (its audiences, status or blocks list, or an id or title that is not text); otherwise the section without
    the faulty optional fields, list items and blocks."""
    if not isinstance(s, dict) or not _still_a_section(s, cuts):
        return None
    cut_fields = {c[0] for c in cuts}
    items = {name: {c[1] for c in cuts if c[0] == name and len(c) > 1} for name in SECTION_LISTS}
    blocks = []
    for bi, b in enumerate(s["blocks"]):
        block = _cut_block(f, si, bi, b, [c[2:] for c in cuts if c[:2] == ("blocks", bi)])
        if block is not None:
            blocks.append(block)

    def optional(name, default):
        if name not in s or (name in cut_fields and name not in SECTION_LISTS):
            return default
        if name in SECTION_LISTS and (name,) in cuts:
            return default
        return [v for i, v in enumerate(s[name]) if i not in items.get(name, ())] if name in SECTION_LISTS else s[name]

    return Section(
        id=s["id"], title=s["title"], audiences=s["audiences"], status=s["status"], blocks=blocks,
        pos=f.pos(("sections", si)), legal_basis=optional("legal_basis", []), sources=optional("sources", []),
        review_by=optional("review_by", None), withdrawn=optional("withdrawn", None), path=("sections", si),
    )
