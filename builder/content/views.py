"""The content's public views: what a build may show (the content filtered to its public part), what readers of
an edition saw (public_view), and the texts that must stay hidden. Render, review and publish all read them."""
from __future__ import annotations

import dataclasses

from builder.content.model import PUBLIC_STATUSES, Content, number_document, public_texts


def visible(content: Content, preview: bool) -> Content:
    """A copy of the content holding only what this build may show, numbered by position. The tree is copied down
    to its blocks (what this filters and numbers); the values inside them are shared with content, which render
    only reads: a deep copy took a second at 5,000 sections, on every save in the live preview. The copy shares
    content's trees (Content.trees)."""
    shown = _tree_copy(content)
    for doc in shown.documents:
        for chapter in doc.chapters:
            if not preview:
                chapter.sections = [s for s in chapter.sections if s.status in PUBLIC_STATUSES]
        doc.chapters = [c for c in doc.chapters if c.sections]
        number_document(doc)
    if not preview:  # a term that only unpublished text uses would tell readers what is coming: leave it out
        shown.terms = used_terms(shown)
    return shown


def _tree_copy(content: Content) -> Content:
    """content with its documents, chapters, sections and blocks copied (and their lists), the rest shared."""
    shown = _clone(content)
    shown.documents = []
    for doc in content.documents:
        doc = _clone(doc)
        doc.chapters = [_clone(c) for c in doc.chapters]
        for chapter in doc.chapters:
            chapter.sections = [_clone(s) for s in chapter.sections]
            for section in chapter.sections:
                section.blocks = [_clone(b) for b in section.blocks]
        shown.documents.append(doc)
    return shown


def _clone(obj):
    """copy.copy of a model dataclass, without the pickle protocol's detour (ten times faster)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def used_terms(content: Content) -> list[dict]:
    """The glossary terms that the content's public text uses, directly or through a used term's definition."""
    by_id = {t["id"]: t for t in content.terms}
    used: set[str] = set()
    queue = public_texts(dataclasses.replace(content, terms=[]))
    while queue:
        for ref in content.trees[str(queue.pop())].refs():
            if ref.kind == "term" and ref.target in by_id and ref.target not in used:
                used.add(ref.target)
                queue.append(by_id[ref.target]["definition"])
    return [t for t in content.terms if t["id"] in used]


def hidden_texts(content: Content) -> list[str]:
    """The text of every unpublished section, and the old text of withdrawn ones (readers see only the notice),
    which must never reach the public site."""
    out = []
    for doc in content.documents:
        for section in doc.sections():
            if section.status not in PUBLIC_STATUSES:
                out.append(section.title)
            if section.status != "published":
                out.extend(t for b in section.blocks for t in b.texts())
    return out


def public_view(content: Content) -> Content:
    """What readers of an edition saw: published sections whole, a withdrawn section as its notice (title and
    reason) and never its old body, nothing unpublished. Archives and their redlines are made from this alone."""
    shown = visible(content, preview=False)
    for d in shown.documents:
        for s in d.sections():
            if s.status == "withdrawn":
                s.blocks = []
    return shown
