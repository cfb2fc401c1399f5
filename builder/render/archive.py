"""Render stage, history part: 'last updated' lines, provenance marks, the change history page and archived editions
with their redline. Pure: everything comes from the History that builder.history.git gathered."""
from __future__ import annotations

import copy
import html
import json
from datetime import date

from builder.content import inline
from builder.content.model import Content, Document, Section, number_public
from builder.history.dates import History, Stamp
from builder.render.markdown import Links, md_escape
from builder.history.editions import archived_editions

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(iso) -> str:
    """GOV.UK style: 3 March 2026."""
    d = date.fromisoformat(str(iso)[:10])
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def stamp_text(stamp: Stamp) -> str:
    when = long_date(stamp.date)
    return {"git": when, "shallow": f"on or before {when} (earlier history was not available to this build)",
            "uncommitted": f"{when} (the build date: these changes are not yet committed)",
            "build": f"{when} (the build date: no version history was available)"}[stamp.source]


def latest(stamps) -> Stamp | None:
    return max(stamps, key=lambda s: (s.date, s.source != "git"), default=None)


def edition_path(doc_id: str, version: str) -> str:
    return f"{doc_id}/editions/{version}.md"


def provenance(doc: Document, history: History | None) -> dict[str, tuple[str | None, str | None]]:
    """NICE-style marks from the editions: section id → (year it was new, year it was last amended by a major
    edition). Sections of the first edition are the baseline. Empty when any edition's text is unknown."""
    records = [history.editions.get((doc.id, e.version)) for e in doc.editions] if history else []
    if not records or any(r is None or r.sections is None for r in records):
        return {}
    marks: dict[str, list] = {}
    last: dict[str, str] = {}
    for i, (edition, record) in enumerate(zip(doc.editions, records)):
        year = str(edition.date)[:4]
        published = {sid: fp for sid, (status, fp) in record.sections.items() if status == "published"}
        for sid, fp in published.items():
            if i and sid not in last:
                marks[sid] = [year, None]
            elif i and last[sid] != fp and edition.major:
                marks.setdefault(sid, [None, None])[1] = year
        last.update(published)
    return {sid: (new, amended) for sid, (new, amended) in marks.items()}


def mark_text(mark: tuple[str | None, str | None] | None) -> str:
    if not mark:
        return ""
    new, amended = mark
    return "[" + ", ".join(w for w in ((f"new {new}" if new else ""), (f"amended {amended}" if amended else "")) if w) + "]"


class Chronicle:
    """Template helpers for one render. Without a history they return nothing, so pages carry no dates."""

    def __init__(self, shown: Content, history: History | None):
        self.history = history
        self.marks = {doc.id: provenance(doc, history) for doc in shown.documents}

    def helpers(self) -> dict:
        return {"updated": self.updated, "section_history": self.section_history, "file_updated": self.file_updated,
                "long_date": long_date}

    def file_updated(self, rel: str) -> str:
        """'3 March 2026' for a page made from one file, such as the glossary."""
        return md_escape(stamp_text(self.history.file(rel))) if self.history else ""

    def updated(self, doc: Document, chapter=None) -> str:
        """'3 March 2026' for a chapter page (its shown sections and header) or a whole document."""
        if self.history is None:
            return ""
        chapters = [chapter] if chapter else doc.chapters
        stamps = [self.history.section(doc.id, s.id) for c in chapters for s in c.sections]
        stamps += [self.history.chapter(doc.id, c.id) for c in chapters]
        if chapter is None:
            stamps.append(self.history.file(doc.pos.file))
        return md_escape(stamp_text(latest(stamps))) if stamps else ""

    def section_history(self, doc: Document, section: Section) -> str:
        """' · Last updated 3 March 2026 · [new 2026]' for a section's line of details (left out of search)."""
        if self.history is None:
            return ""
        mark = mark_text(self.marks.get(doc.id, {}).get(section.id))
        out = f"Last updated {stamp_text(self.history.section(doc.id, section.id))}" + (f" · {mark}" if mark else "")
        # Shown to readers, left out of the search index: a date is never an answer, and at 5,000 sections the
        # stamps were about a tenth of the words the browser indexes (docs/performance.md, Search at scale).
        return " · <span data-search-exclude>" + md_escape(out) + "</span>"


class _ArchiveLinks(Links):
    """Links for an archived edition: its own sections link within its page; a glossary term links to today's
    glossary only if it is still there; anything the edition's registries cannot resolve is left as plain words."""

    def __init__(self, archived: Content, index, page: str, current_terms: set[str]):
        super().__init__(archived, index, page)
        self.current_terms = current_terms

    def _ref(self, ref: inline.Ref, as_html: bool = False) -> tuple[str, str | None]:
        known = {"law": self.provisions, "term": self.terms, "service": self.services}.get(ref.kind)
        if known is not None and ref.target not in known:
            return self._words(ref.label or ref.target, as_html), None
        if ref.kind == "term" and ref.target not in self.current_terms:
            return self._words(ref.label or self.terms[ref.target]["term"], as_html), None
        return super()._ref(ref, as_html)


def _front(**kw) -> str:
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in kw.items())


def pages(site, env, shown: Content, doc: Document, history: History | None, redlines: dict, only=None,
          index: dict | None = None, feeds: list[dict] | None = None) -> list:
    """Add the document's change history and archived editions to the site; return its navigation entries.
    redlines: (document, version) → its DocumentChange since the archived edition before it, worked out before
    render (builder.review.diff.edition_redlines). only: as render's Options.only (pages it refuses are listed in
    site.left_out, not rendered). index: (document, section) → (page, section) for shown, when render has it.
    feeds: the Atom feeds the change history page names in its head, [] when the build makes none (feeds.py)."""
    if index is None and (only is None or only(f"{doc.id}/changes.md")
                          or any(only(edition_path(doc.id, e.version)) for e in doc.editions)):
        index = {(d.id, s.id): (f"{d.id}/{c.id}.md", s) for d in shown.documents for c in d.chapters
                 for s in c.sections}
    index = index or {}
    archived = archived_editions(doc, history)
    path = f"{doc.id}/changes.md"
    majors = [e for e in doc.editions if e.major]
    if only is None or only(path):
        links = Links(shown, index, path)
        site.pages[path] = env.get_template("changes.md.j2").render(
            doc=doc, majors=list(reversed(majors)), editions=list(reversed(doc.editions)), archived=archived,
            edition_path=edition_path, long_date=long_date, md=links.inline, link=links.to, front=_front,
            updated=Chronicle(shown, history).updated, first=doc.editions[0] if doc.editions else None,
            last_major=majors[-1] if majors else None, feeds=feeds or [])
    else:
        site.left_out.append(path)
    current_terms = {t["id"] for t in shown.terms}
    public_texts = []
    for i, edition in enumerate(doc.editions):
        if edition.version not in archived:
            continue
        content, this = archived[edition.version]
        previous = next(((e, archived[e.version]) for e in reversed(doc.editions[:i]) if e.version in archived), None)
        redline = redlines.get((doc.id, edition.version)) if previous else None
        page = edition_path(doc.id, edition.version)
        if only is not None and not only(page):
            site.left_out.append(page)
        else:
            own = {(this.id, s.id): (page, s) for s in this.sections()}
            links = _ArchiveLinks(content, {**index, **own}, page, current_terms)
            site.pages[page] = env.get_template("edition.md.j2").render(
                doc=this, current=doc, edition=edition, previous=previous[0] if previous else None,
                redline=redline, content=content, md=links.inline, link=links.to, front=_front,
                long_date=long_date, new_section=links.new_section, edition_path=edition_path,
                redline_words=redline_words, later=[e for e in doc.editions[i + 1:]])
        public_texts += [t for s in this.sections() for t in _shown(s)]
    site.public_text += public_texts  # an earlier edition's words are public for good; nothing else is
    return [{"Change history": path}]


def _shown(section) -> list[str]:
    """The texts of a section that an archive page shows: a published section whole, a withdrawn one's notice."""
    if section.status == "withdrawn":
        return [section.title, section.withdrawn["reason"]] if section.withdrawn else [section.title]
    return [section.title, *(x for b in section.blocks for x in b.texts())] if section.status == "published" else []


def redline_words(ops) -> str:
    """Word changes as escaped HTML with <ins> and <del>, for a raw HTML block that Markdown leaves alone."""
    parts = []
    for op, text in ops:
        lead, body = text[:len(text) - len(text.lstrip())], html.escape(text.strip(), quote=False)
        parts.append(lead + (body if op == "=" else f"<{'del' if op == '-' else 'ins'}>{body}</{'del' if op == '-' else 'ins'}>"))
    return "".join(parts)


def describe(content: Content, history: History, doc_ids: list[str]) -> str:
    """`guidance history`: editions with their change notes and commits, then last-updated dates per section."""
    lines = []
    for doc in (d for d in content.documents if d.id in doc_ids):
        marks = provenance(doc, history)
        lines += [f"{doc.title} ({doc.id}): version {doc.version}", "  Editions, newest first:"]
        for e in reversed(doc.editions):
            record = history.editions.get((doc.id, e.version))
            where = "not found in this clone's history"
            if record and record.commit:
                how = {"tag": "its tag", "commit": "named in document.yaml", "history": "the commit that set the version"}
                where = f"commit {record.commit[:7]} ({how.get(record.found_by, record.found_by)})"
            elif record and record.found_by == "working tree":
                where = "not yet committed"
            tag = f"tag {record.tag}" if record and record.tag else "no tag"
            lines += [f"    {e.version}  {e.date}  {'major' if e.major else 'minor'}  {where}, {tag}",
                      f"      {' '.join(str(e.note).split())}"]
            if e.cleared_by:
                lines.append("      cleared by " + "; ".join(f"{c['role']}: {c['name']}" for c in e.cleared_by))
        lines.append("  Last updated (public numbers; a draft has none):")
        numbered = copy.deepcopy(doc)
        number_public(numbered)
        for chapter in numbered.chapters:
            lines.append(f"    {chapter.number or '–'}. {chapter.title}: {_short(history.chapter(doc.id, chapter.id))}")
            for s in chapter.sections:
                mark = mark_text(marks.get(s.id))
                lines.append(f"      {s.number or '–'} {s.id} ({s.status}): {_short(history.section(doc.id, s.id))}"
                             + (f" {mark}" if mark else ""))
        lines.append("")
    for note in history.notes:
        lines.append(f"note: {note.message}" + (f"\n    hint: {note.hint}" if note.hint else ""))
    return "\n".join(lines).rstrip("\n")


def _short(stamp: Stamp) -> str:
    return {"git": stamp.date, "shallow": f"on or before {stamp.date}", "uncommitted": f"{stamp.date} (uncommitted)",
            "build": f"{stamp.date} (build date, no history)"}[stamp.source]
