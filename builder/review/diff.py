"""Diff stage: what changed between two revisions of the content, matched by stable ids (sections, paragraphs), not
by lines, and for whom."""
from __future__ import annotations

import copy
import json
from difflib import SequenceMatcher

from builder.content.model import PUBLIC_STATUSES as PUBLIC
from builder.content.model import Block, Content, Document, Section, number_public, public_chapter_numbers
from builder.content.views import public_view
from builder.history.editions import archived_editions
from builder.review.changes import BlockChange, Diff, DocumentChange, FieldChange, SectionChange
from builder.review.translations import stale_by_change
from builder.review.words import Ops, block_text, changed, reader_text, source_text, word_diff

def _numbered(content: Content, other: Content | None = None) -> Content:
    """The content with the numbers the public site shows (model.number_public: drafts have none), set in place:
    numbering changes nothing else, and copying a large tree took a third of a diff's time. other: the side
    numbered already. Two revisions built from the same file share its chapter (validate.build_content); one whose
    public number differs here is replaced by a copy first, so that numbering this side leaves the other's as
    they were."""
    if other is not None:
        theirs = {id(c): c.number for d in other.documents for c in d.chapters}
        for doc in content.documents:
            doc.chapters = [copy.deepcopy(c) if theirs.get(id(c), number) != number else c
                            for c, number in zip(doc.chapters, public_chapter_numbers(doc))]
    for doc in content.documents:
        number_public(doc)
    return content


def _locate(doc: Document | None) -> tuple[dict[str, tuple[str, Section]], dict[str, tuple[str, Block]]]:
    """Section id → (chapter id, section) and block id → (section id, block) in one document."""
    sections, blocks = {}, {}
    for chapter in (doc.chapters if doc else []):
        for s in chapter.sections:
            sections[s.id] = (chapter.id, s)
            for i, b in enumerate(s.blocks):
                blocks[b.id or f"{s.id}#{i + 1}"] = (s.id, b)
    return sections, blocks


def _public_face(s: Section | None, chapter: str | None, text) -> object:
    if s is None or s.status not in PUBLIC:
        return None
    if s.status == "withdrawn":
        return ("withdrawn", s.title, chapter, json.dumps(s.withdrawn, sort_keys=True, default=str))
    return ("published", s.title, chapter, tuple(s.audiences), tuple(s.legal_basis),
            json.dumps(s.sources, sort_keys=True), tuple((b.id, block_text(b, text), tuple(sorted(b.notes.items())))
                                                         for b in s.blocks))


def _role_face(s: Section, role: str, text) -> object:
    """What one role's view shows of a public section: its title, who it is for, its text and that role's notes
    only."""
    if s.status == "withdrawn":
        return ("withdrawn", s.title, text(str((s.withdrawn or {}).get("reason", ""))))
    return (s.title, tuple(s.audiences),  # the section says who it is for
            tuple((block_text(b, text), text(b.notes[role]) if role in b.notes else "") for b in s.blocks))


def _expand(audiences: list[str], everyone: list[str]) -> set[str]:
    return set(everyone) if "all" in audiences else set(audiences)


def _texts(base: Content, head: Content, text):
    """The two sides' text functions: by default each side's references become the words its readers saw."""
    if text is not None:
        return text, text
    return reader_text(base), reader_text(head)


def compare(base: Content, head: Content, base_label: str = "base", head_label: str = "head",
            text=None) -> Diff:
    """Everything that changed from base to head, document by document, section by section. Text is compared as
    readers see it (references as their words) unless `text` says otherwise."""
    base = _numbered(base)
    head = _numbered(head, base)
    texts = _texts(base, head, text)
    # When references read the same words on both sides, a section equal on both (same fields, blocks and numbers:
    # an unchanged file gives it) shows readers the same thing and is not compared text by text: the cost of a
    # diff grows with what changed, not with the size of the guidance.
    same = text is not None or _same_words(base, head)
    everyone = [a["id"] for a in head.audiences] or [a["id"] for a in base.audiences]
    diff = Diff(base_label, head_label, audiences={a["id"]: a["name"] for a in head.audiences or base.audiences})
    ids = [d.id for d in head.documents] + [d.id for d in base.documents if not head.document(d.id)]
    for doc_id in ids:
        change = compare_document(base.document(doc_id), head.document(doc_id), everyone, texts, same)
        if change.sections or change.other or change.new_editions or change.fields:
            diff.documents.append(change)
    order_b = [d.id for d in base.documents if head.document(d.id)]
    order_h = [d.id for d in head.documents if base.document(d.id)]
    if order_b != order_h:  # readers see the documents in this order on the home page and in the navigation
        first = next(iter(diff.documents), None)
        note = f"documents reordered: {', '.join(order_b)} → {', '.join(order_h)}"
        if first is None:
            doc = head.document(order_h[0])
            first = DocumentChange(doc.id, doc.title, doc.short_title, (doc.version, doc.version))
            diff.documents.append(first)
        first.other.append(note)
        first.header_changed = True
    diff.registries = _registry_changes(base, head)
    diff.registry_fields = _registry_fields(base, head, texts)
    diff.stale_translations = stale_by_change(base, head)
    return diff


def edition_redlines(content: Content, history) -> dict[tuple[str, str], DocumentChange | None]:
    """(document, version) → what changed in the document since the archived edition before it, each side in the
    words its readers saw: worked out before render, which shows it on the archived edition's page, and lists the
    sections each major edition changed in the feeds. The current edition is compared too, as the public view of
    the content (the feeds' newest entry)."""
    out: dict[tuple[str, str], DocumentChange | None] = {}
    current = None
    for doc in content.documents:
        kept = archived_editions(doc, history)
        previous = None
        for edition in doc.editions:
            if edition.version == doc.version and previous is not None:
                current = current or public_view(content)
                kept[edition.version] = (current, None)
            if edition.version not in kept:
                continue
            if previous is not None:
                docs = compare(previous, kept[edition.version][0]).documents
                out[(doc.id, edition.version)] = next((d for d in docs if d.id == doc.id), None)
            previous = kept[edition.version][0]
    return out


def _words_field(where: str, name: str, before, after, public: bool = True) -> FieldChange | None:
    ops = word_diff(str(before or ""), str(after or ""))
    return FieldChange(where, name, ops, public) if changed(ops) else None


def _same_words(base: Content, head: Content) -> bool:
    """Whether every reference reads the same on both sides (reader_text's inputs are equal)."""
    return (base.acts == head.acts and base.terms == head.terms and base.services == head.services
            and [(d.id, s.id, s.title) for d in base.documents for s in d.sections()]
            == [(d.id, s.id, s.title) for d in head.documents for s in d.sections()])


DOCUMENT_FIELDS = ("title", "short_title", "summary", "status_note", "issued_under", "must_have_regard", "extent")


def compare_document(b: Document | None, h: Document | None, everyone: list[str], texts=None,
                     same_words: bool = False) -> DocumentChange:
    tb, th = texts if isinstance(texts, tuple) else ((texts, texts) if texts else (source_text, source_text))
    out = DocumentChange((h or b).id, (h or b).title, (h or b).short_title, (b.version if b else None, h.version if h else None))
    if b is None or h is None:
        out.other.append("document added" if b is None else "document removed")
    base_editions = {e.version: e for e in b.editions} if b else {}
    out.new_editions = [{"version": e.version, "date": str(e.date), "note": e.note, "major": e.major,
                         "commit": e.commit, "cleared_by": e.cleared_by}
                        for e in (h.editions if h else []) if e.version not in base_editions]
    if b and h:
        _compare_header(out, b, h)
    out.other += _chapter_changes(b, h, out.fields, tb, th)
    _compare_sections(out, b, h, everyone, same_words, tb, th)
    return out


def _compare_header(out: DocumentChange, b: Document, h: Document) -> None:
    """The document's own fields, its edition records and its owners, on both sides."""
    for name in DOCUMENT_FIELDS:
        before, after = getattr(b, name), getattr(h, name)
        if isinstance(before, list):
            before, after = "; ".join(before), "; ".join(after)
        found = _words_field("document", name.replace("_", " "), before, after)
        if found:
            out.fields.append(found)
            out.header_changed = True
    out.fields += _edition_records(b, h)
    if b.owners != h.owners:
        out.other.append(f"owners: {', '.join(b.owners) or 'none'} → {', '.join(h.owners) or 'none'}")


def _compare_sections(out: DocumentChange, b: Document | None, h: Document | None, everyone: list[str],
                      same_words: bool, tb, th) -> None:
    """Every section of either side, in the head's order then those removed; with same_words, a section whose
    words are equal on both sides and which did not move is not compared again."""
    bs, bb = _locate(b)
    hs, hb = _locate(h)
    moved = _reordered(b, h)
    order = list(hs) + [sid for sid in bs if sid not in hs]
    unchanged = {sid for sid in order if same_words and sid not in moved and sid in bs and sid in hs
                 and bs[sid] == hs[sid]} if same_words else set()
    for sid in order:
        if sid in unchanged:
            continue
        c = _compare_section(out.id, sid, bs.get(sid), hs.get(sid), bb, hb, sid in moved, everyone, tb, th)
        if c:
            out.sections.append(c)
    out.roles = _roles(bs, hs, everyone, tb, th, unchanged)
    out.renumbered = _renumbered(bs, hs)


def _edition_records(b: Document, h: Document) -> list[FieldChange]:
    """Every change to an edition's record that both sides have (date, note, major, commit, clearances) and every
    record the head no longer has: a record is history, so each change is shown (review.gate refuses most)."""
    out = []
    after = {e.version: e for e in h.editions}
    for old in b.editions:
        e = after.get(old.version)
        if e is None:
            out.append(FieldChange(f"edition {old.version}", "record", [("-", f"edition {old.version} of "
                                   f"{old.date}: {old.note}")]))
            continue
        for name in ("date", "note", "major", "commit", "cleared_by"):
            before, now = getattr(old, name), getattr(e, name)
            if name == "cleared_by":
                before, now = (", ".join(f"{c['role']}: {c['name']}" for c in x) for x in (before, now))
            found = _words_field(f"edition {e.version}", name.replace("_", " "), before, now)
            if found:
                out.append(found)
    return out


def _renumbered(bs, hs) -> list[dict]:
    """Public sections and paragraphs whose public number changes (a citation of the old number now points at
    other text): each section once, and a paragraph only where its section's change does not explain its own."""
    out = []
    for sid, (_, s1) in hs.items():
        s0 = bs.get(sid, (None, None))[1]
        if s0 is None or not s0.number or not s1.number:
            continue
        if s0.number != s1.number:
            out.append({"kind": "section", "id": sid, "title": s1.title, "before": s0.number, "after": s1.number,
                        "paragraphs": sum(1 for b in s1.blocks if b.number)})
        old = {b.id: b.number for b in s0.blocks if b.id}
        for blk in s1.blocks:
            was = old.get(blk.id)
            if was and blk.number and was != blk.number and was.rpartition(".")[2] != blk.number.rpartition(".")[2]:
                out.append({"kind": "paragraph", "id": blk.id, "title": s1.title, "before": was, "after": blk.number})
    return out


def _roles(bs, hs, everyone, tb, th, unchanged=frozenset()) -> dict[str, dict[str, list]]:
    """Per role, what its view (/for/<role>/) gains and loses, and the sections whose text changes in it (a
    section in `unchanged` reads the same on both sides, and its face is not worked out)."""
    out = {}
    for role in everyone:
        def view(sections, text):
            return {sid: (s, None if sid in unchanged else _role_face(s, role, text))
                    for sid, (_, s) in sections.items()
                    if s.status in PUBLIC and _expand(s.audiences, everyone) & {role}}
        before, after = view(bs, tb), view(hs, th)
        gains = [f"{s.number} {s.title}" for sid, (s, _) in after.items() if sid not in before]
        losses = [f"was {s.number} {s.title}" for sid, (s, _) in before.items() if sid not in after]
        changes = []
        for sid, (s, face) in after.items():
            if sid in before and before[sid][1] != face:
                paras = _role_paragraphs(before[sid][0], s, role, tb, th)
                changes.append(f"{s.number} {s.title}" + (f" (paragraph{'s' if len(paras) != 1 else ''} "
                                                         f"{', '.join(paras)})" if paras else ""))
        out[role] = {"gains": gains, "losses": losses, "changes": changes}
    return out


def _role_paragraphs(old: Section, new: Section, role: str, tb, th) -> list[str]:
    """The paragraphs of a section that change for one role: their numbers (a removed one as 'was 3.2.1')."""
    def seen(s, text):
        return {b.id or f"#{i}": (b.number, block_text(b, text), text(b.notes[role]) if role in b.notes else "")
                for i, b in enumerate(s.blocks)}
    a, b = seen(old, tb), seen(new, th)
    out = [number for key, (number, *rest) in b.items() if key not in a or a[key][1:] != tuple(rest)]
    return out + [f"was {number}" for key, (number, *_) in a.items() if key not in b]


def _chapter_changes(b: Document | None, h: Document | None, fields: list, tb=source_text, th=source_text) -> list[str]:
    before = {c.id: c for c in (b.chapters if b else [])}
    after = {c.id: c for c in (h.chapters if h else [])}
    out = []
    for cid, c in after.items():
        if cid not in before:
            out.append(f"chapter {c.number} {c.title} added")
        else:
            old = before[cid]
            public = any(s.status in PUBLIC for s in c.sections + old.sections)
            for name in ("title", "summary"):
                found = _words_field(f"chapter {c.number}" + (f" (was {old.number})" if old.number != c.number else "")
                                     + f" {c.title}", name, tb(getattr(old, name) or ""), th(getattr(c, name) or ""),
                                     public)
                if found:
                    fields.append(found)
    out += [f"chapter was {c.number} {c.title} removed" for cid, c in before.items() if cid not in after]
    common = [cid for cid in after if cid in before]
    if [cid for cid in before if cid in after] != common:
        out.append("chapters reordered")
    return out


def _reordered(b: Document | None, h: Document | None) -> set[str]:
    """Sections that changed place within a chapter they stayed in (not merely shifted by an insertion)."""
    out = set()
    for chapter in (h.chapters if h else []):
        old = next((c for c in (b.chapters if b else []) if c.id == chapter.id), None)
        if not old:
            continue
        new_ids = [s.id for s in chapter.sections]
        old_ids = [s.id for s in old.sections if s.id in new_ids]
        new_ids = [sid for sid in new_ids if sid in old_ids]
        out |= _out_of_order(old_ids, new_ids)
    return out


def _out_of_order(old: list[str], new: list[str]) -> set[str]:
    kept = set()
    for block in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        kept.update(old[block.a:block.a + block.size])
    return set(new) - kept


def _whole(op: str, b: Block, text) -> Ops:
    t = block_text(b, text)
    return [(op, t)] if t else []


def _compare_section(doc_id, sid, before, after, bb, hb, reordered, everyone, tb, th) -> SectionChange | None:
    c0, s0 = before or (None, None)
    c1, s1 = after or (None, None)
    s = s1 or s0
    change = SectionChange(doc_id, sid, s.title, s.number, [], (s0.status if s0 else None, s1.status if s1 else None),
                           (list(s0.audiences) if s0 else [], list(s1.audiences) if s1 else []), (c0, c1))
    if s0 is not None and (s1 is None or s0.number != s1.number):
        change.old_number = s0.number
    if s0 is None:
        change.kinds.append("added")
        change.blocks = [_arrived(bl.id or "", bl, bb, tb, th) for bl in s1.blocks]
    elif s1 is None:
        change.kinds.append("removed")
        change.blocks = [_left(bl.id or "", bl, hb, tb) for bl in s0.blocks]
    else:
        _both_sides(change, s0, s1, c0 != c1 or reordered, bb, hb, tb, th)
    if not change.kinds:
        return None
    change.public = _readers_see_it(before, after, reordered, tb, th)
    if change.public:
        found = _views(change, s0, s1, everyone)
        change.views = [a for a in everyone if a in found]
    return change


def _readers_see_it(before, after, reordered: bool, tb, th) -> bool:
    """Whether readers see a section's change: its public face differs, or a public section moved."""
    c0, s0 = before or (None, None)
    c1, s1 = after or (None, None)
    if _public_face(s0, c0, tb) != _public_face(s1, c1, th):
        return True
    return reordered and any(x is not None and x.status in PUBLIC for x in (s0, s1))


def _both_sides(change: SectionChange, s0: Section, s1: Section, moved: bool, bb, hb, tb, th) -> None:
    """What changed in a section both sides have: its kinds of change, blocks and fields."""
    if moved:
        change.kinds.append("moved")
    if s0.title != s1.title:
        change.kinds.append("retitled")
        change.title_words = word_diff(s0.title, s1.title)
    if s0.status != s1.status:
        change.kinds.append("status")
    if s0.audiences != s1.audiences:
        change.kinds.append("audiences")
    change.blocks = (_whole_section(s0, s1, tb, th) if (s0.status in PUBLIC) != (s1.status in PUBLIC)
                     else _block_changes(s0, s1, bb, hb, tb, th))
    if change.blocks:
        change.kinds.append("text")
    for name, kind in (("legal_basis", "legal-basis"), ("sources", "sources"), ("withdrawn", "withdrawal")):
        if getattr(s0, name) != getattr(s1, name):
            change.kinds.append(kind)
    change.fields = _section_fields(s0, s1, tb, th)


def _whole_section(s0: Section, s1: Section, tb, th) -> list[BlockChange]:
    """A section that becomes public (ready → published) or stops being public: every paragraph, whole, as
    readers will see it or saw it, so that whoever approves the change reads the words, not only a status. A
    withdrawn section shows readers its notice, never its body (its fields say what the notice reads)."""
    if s1.status == "published":
        return [BlockChange(bl.id or "", "published", bl.kind, bl.number, _whole("+", bl, th),
                            {a: [("+", th(n))] for a, n in bl.notes.items()}) for bl in s1.blocks]
    if s0.status == "published":
        return [BlockChange(bl.id or "", "unpublished", bl.kind, "", _whole("-", bl, tb),
                            {a: [("-", tb(n))] for a, n in bl.notes.items()}, old_number=bl.number)
                for bl in s0.blocks]
    return []


def _section_fields(s0: Section, s1: Section, tb, th) -> list[FieldChange]:
    out = []
    w0, w1 = s0.withdrawn or {}, s1.withdrawn or {}
    public = s0.status in PUBLIC or s1.status in PUBLIC
    for name in ("date", "reason"):
        found = _words_field("withdrawal notice", name, tb(str(w0.get(name) or "")), th(str(w1.get(name) or "")),
                             public)
        if found:
            out.append(found)
    found = _words_field("sources", "titles", "; ".join(str(x.get("title", "")) for x in s0.sources),
                         "; ".join(str(x.get("title", "")) for x in s1.sources), public)
    if found:
        out.append(found)
    found = _words_field("legal basis", "provisions", tb("; ".join(f"[[law:{x}]]" for x in s0.legal_basis)),
                         th("; ".join(f"[[law:{x}]]" for x in s1.legal_basis)), public)
    if found:
        out.append(found)
    return out


def _arrived(key: str, bl: Block, bb, tb, th) -> BlockChange:
    """A block new to its section (key: its id): added, or moved in from another section of the base (with its
    text)."""
    if key in bb:
        where, a = bb[key]
        return BlockChange(key, "moved-in", bl.kind, bl.number, word_diff(block_text(a, tb), block_text(bl, th)),
                           _note_changes(a, bl, tb, th), where, old_number=a.number, where_number=a.number)
    return BlockChange(key, "added", bl.kind, bl.number, _whole("+", bl, th), {a: [("+", th(n))] for a, n in bl.notes.items()})


def _left(key: str, bl: Block, hb, tb) -> BlockChange:
    """A block gone from its section (key: its id): removed, or moved out to another section of the head (its text
    is shown there)."""
    if key in hb:
        where, b = hb[key]
        return BlockChange(key, "moved-out", bl.kind, bl.number, where=where, old_number=bl.number,
                           where_number=b.number)
    return BlockChange(key, "removed", bl.kind, bl.number, _whole("-", bl, tb), {n: [("-", tb(t))] for n, t in bl.notes.items()},
                       old_number=bl.number)


def _views(change: SectionChange, s0, s1, everyone) -> set[str]:
    """Audience views whose text changes: the section's audiences, or only those whose notes changed."""
    audiences = set()
    for s in (s0, s1):
        if s is not None and s.status in PUBLIC:
            audiences |= _expand(s.audiences, everyone)
    only_notes = change.kinds == ["text"] and all(not changed(b.words) and b.change == "changed" for b in change.blocks)
    if only_notes:
        noted = {a for b in change.blocks for a in b.notes}
        return audiences & noted
    return audiences


def _block_changes(s0: Section, s1: Section, bb, hb, tb, th) -> list[BlockChange]:
    """What changed in the blocks of a section both sides have: each of the head's blocks in order (changed, moved
    within the section, moved in or added), then those the head no longer has (moved out or removed). A block
    without an id is known by its place."""
    old = {b.id or f"{s0.id}#{i + 1}": b for i, b in enumerate(s0.blocks)}
    new = {b.id or f"{s1.id}#{i + 1}": b for i, b in enumerate(s1.blocks)}
    out = []
    common = [bid for bid in new if bid in old]
    reordered = _out_of_order([bid for bid in old if bid in new], common)
    for bid, b in new.items():
        if bid not in old:
            out.append(_arrived(bid, b, bb, tb, th))
        elif change := _kept_block(bid, old[bid], b, bid in reordered, tb, th):
            out.append(change)
    return out + [_left(bid, a, hb, tb) for bid, a in old.items() if bid not in new]


def _kept_block(bid: str, a: Block, b: Block, moved: bool, tb, th) -> BlockChange | None:
    """A block the section has on both sides: changed, moved within the section, or None when it is the same."""
    words = word_diff(block_text(a, tb), block_text(b, th))
    notes = _note_changes(a, b, tb, th)
    if not (changed(words) or notes or a.kind != b.kind or moved):
        return None
    if moved:  # a move within the section: where from, where to, and its text
        return BlockChange(bid, "moved", b.kind, b.number, words, notes, old_number=a.number, where_number=a.number)
    return BlockChange(bid, "changed", b.kind, b.number, words if changed(words) else [], notes,
                       old_number=a.number if a.number != b.number else "")


def _note_changes(a: Block, b: Block, tb, th=None) -> dict[str, Ops]:
    th = th or tb
    out = {}
    for aud in list(b.notes) + [n for n in a.notes if n not in b.notes]:
        ops = word_diff(tb(a.notes.get(aud, "")) if aud in a.notes else "", th(b.notes.get(aud, "")) if aud in b.notes else "")
        if changed(ops):
            out[aud] = ops
    return out


# The content's registries: its attribute on Content, and what one entry is called.
REGISTRY_NAMES = (("audiences", "audience"), ("acts", "legislation"), ("terms", "glossary term"), ("services", "service"))


def _registry_changes(base: Content, head: Content) -> list[str]:
    out = []
    for attr, name in REGISTRY_NAMES:
        before = {e["id"]: e for e in getattr(base, attr)}
        after = {e["id"]: e for e in getattr(head, attr)}
        for key, entry in after.items():
            if key not in before:
                out.append(f"{name} '{key}' added")
            elif json.dumps(before[key], sort_keys=True, default=str) != json.dumps(entry, sort_keys=True, default=str):
                out.append(f"{name} '{key}' changed")
        out += [f"{name} '{key}' removed" for key in before if key not in after]
    return out


def _flat(value) -> str | None:
    """A registry field as words: text, or a list of texts joined; None for nested data (provisions)."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float, bool)) or hasattr(value, "isoformat"):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return None


def _registry_fields(base: Content, head: Content, texts) -> list[FieldChange]:
    tb, th = texts
    out = []
    for attr, name in REGISTRY_NAMES:
        before = {e["id"]: e for e in getattr(base, attr)}
        for entry in getattr(head, attr):
            old = before.get(entry["id"])
            if old is None:
                continue
            for f in [k for k in entry if k != "id"] + [k for k in old if k not in entry and k != "id"]:
                a, b = _flat(old.get(f)), _flat(entry.get(f))
                if a is None or b is None:
                    continue
                found = _words_field(f"{name} {entry['id']}", f.replace("_", " "), tb(a), th(b))
                if found:
                    out.append(found)
            if attr == "acts":
                out += _provision_fields(old, entry)
    return out


def _provision_fields(old: dict, act: dict) -> list[FieldChange]:
    """The label and title of each provision an act has on both sides."""
    out = []
    provisions = {p["id"]: p for p in old.get("provisions", [])}
    for p in act.get("provisions", []):
        if p["id"] in provisions:
            for f in ("label", "title"):
                found = _words_field(f"legislation {act['id']}/{p['id']}", f,
                                     str(provisions[p["id"]].get(f) or ""), str(p.get(f) or ""))
                if found:
                    out.append(found)
    return out
