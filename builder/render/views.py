"""What a build may show: the content filtered to its public part, and the texts that must stay hidden."""
from __future__ import annotations

import copy
import dataclasses

from builder.content import inline
from builder.content.model import Content, number_document, public_texts
from builder.render.markdown import nodes

PUBLIC_STATUSES = ("published", "withdrawn")


def visible(content: Content, preview: bool, trees: dict[str, tuple] | None = None) -> Content:
    """A copy of the content holding only what this build may show, numbered by position. trees: each text's
    inline nodes, parsed here and kept for the render (markdown.nodes)."""
    shown = copy.deepcopy(content)
    for doc in shown.documents:
        for chapter in doc.chapters:
            if not preview:
                chapter.sections = [s for s in chapter.sections if s.status in PUBLIC_STATUSES]
        doc.chapters = [c for c in doc.chapters if c.sections]
        number_document(doc)
    if not preview:  # a term that only unpublished text uses would tell readers what is coming: leave it out
        shown.terms = used_terms(shown, {} if trees is None else trees)
    return shown


def used_terms(content: Content, trees: dict[str, tuple]) -> list[dict]:
    """The glossary terms that the content's public text uses, directly or through a used term's definition."""
    by_id = {t["id"]: t for t in content.terms}
    used: set[str] = set()
    queue = public_texts(dataclasses.replace(content, terms=[]))
    while queue:
        for ref in inline.Inline("", nodes(queue.pop(), trees)).refs():
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
