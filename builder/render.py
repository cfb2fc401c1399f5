"""Render stage: the content tree becomes Markdown pages and a navigation tree (Jinja2; no I/O)."""
from __future__ import annotations

import copy
import dataclasses
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined

from builder import inline
from builder.model import Content, Document, Section, number_document
from builder.safety import public_texts

PUBLIC_STATUSES = ("published", "withdrawn")
CALLOUT = {"legal": ("note", "Legal requirement"), "example": ("example", "Example"),
           "warning": ("warning", "Warning"), "info": ("info", "Information")}
NOT_IN_FORCE = ' <span class="gd-not-in-force">(not yet in force)</span>'
_LEADING_MARKER = re.compile(r"^(\s*)([#>+*-]|\d+[.)])(\s)")  # what would start a heading, quote or list


def _unmark(m: re.Match) -> str:
    """Escape a leading list, heading or quote marker: "\\- ", and "1\\. " (a backslash before a digit is shown)."""
    marker = m.group(2)
    return m.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker) + m.group(3)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|!])")


@dataclass
class Site:
    """What the render stage returns: Markdown pages by path, and the navigation in mkdocs.yml's form."""

    pages: dict[str, str] = field(default_factory=dict)
    nav: list = field(default_factory=list)
    hidden_text: list[str] = field(default_factory=list)
    public_text: list[str] = field(default_factory=list)  # all the public build may show; see builder/safety.py
    search_labels: dict[str, str] = field(default_factory=dict)  # "doc/chapter/#section" → "for police officers…"
    # "doc/chapter/#section" → fields for its search entry: "roles" (audience ids, or ["all"]), "aka" (the words
    # readers use for the glossary terms its title names), "exclude" (a withdrawal notice: out of the results)
    search_extra: dict[str, dict] = field(default_factory=dict)
    site_url: str | None = None  # the public address, ending in "/"; None in a preview without one
    roles: list[dict] = field(default_factory=list)  # [{"id": "police", "name": "Police officers and staff"}, …]


@dataclass(frozen=True)
class Options:
    preview: bool = False
    build_date: str = ""
    history: object = None  # builder.history.History: dates, marks and archived editions (builder/archive.py)
    only: object = None  # a test of page paths: render only the pages it passes (the live preview's two steps)
    site_url: str | None = None  # the public address: citations are full URLs when it is known


def visible(content: Content, preview: bool) -> Content:
    """A copy of the content holding only what this build may show, numbered by position."""
    shown = copy.deepcopy(content)
    for doc in shown.documents:
        for chapter in doc.chapters:
            if not preview:
                chapter.sections = [s for s in chapter.sections if s.status in PUBLIC_STATUSES]
        doc.chapters = [c for c in doc.chapters if c.sections]
        number_document(doc)
    if not preview:  # a term that only unpublished text uses would tell readers what is coming: leave it out
        shown.terms = used_terms(shown)
    return shown


def used_terms(content: Content) -> list[dict]:
    """The glossary terms that the content's public text uses, directly or through a used term's definition."""
    by_id = {t["id"]: t for t in content.terms}
    used: set[str] = set()
    queue = public_texts(dataclasses.replace(content, terms=[]))
    while queue:
        for ref in inline.parse(queue.pop()).refs():
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


def render(content: Content, options: Options = Options()) -> Site:
    shown = visible(content, options.preview)
    env = _environment()
    site = Site(hidden_text=[] if options.preview else hidden_texts(content),
                public_text=[] if options.preview else public_texts(shown), site_url=options.site_url,
                roles=[{"id": a["id"], "name": a["name"]} for a in shown.audiences])
    index = _anchor_index(shown)
    page_ctx = dict(content=shown, preview=options.preview, build_date=options.build_date or date.today().isoformat(),
                    site_url=options.site_url or "/")
    from builder import archive  # imported here because archive builds on this module

    page_ctx.update(archive.Chronicle(shown, options.history).helpers())

    def emit(path: str, template: str, audience: dict | None = None, **extra):
        if options.only is not None and not options.only(path):
            return
        links = Links(shown, _audience_index(shown, audience["id"]) if audience else index, path)
        site.pages[path] = env.get_template(template).render(
            **page_ctx, **extra, audience=audience, md=links.inline, link=links.to, page=path,
            new_section=links.new_section,
            front=lambda **kw: "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in kw.items()))

    emit("index.md", "home.md.j2")
    emit("glossary.md", "glossary.md.j2", terms=sorted(shown.terms, key=lambda t: t["term"].lower()))
    site.search_extra["glossary/"] = {"aka": " ".join(w for t in shown.terms for w in t.get("also_searched_as", ()))}
    emit("accessibility.md", "accessibility.md.j2")
    site.nav.append({"Home": "index.md"})
    for doc in shown.documents:
        emit(f"{doc.id}/index.md", "document.md.j2", doc=doc)
        emit(f"{doc.id}/print.md", "print.md.j2", docs=[doc])
        children = [f"{doc.id}/index.md"]
        for chapter in doc.chapters:
            path = f"{doc.id}/{chapter.id}.md"
            emit(path, "chapter.md.j2", doc=doc, chapter=chapter)
            for section in chapter.sections:
                site.search_labels[f"{doc.id}/{chapter.id}/#{section.id}"] = \
                    f"for {audience_names(shown, section).lower()}"
                site.search_extra[f"{doc.id}/{chapter.id}/#{section.id}"] = _search_fields(shown, doc, section, chapter)
            children.append({f"{chapter.number}. {chapter.title}": path})
        children += archive.pages(site, env, shown, doc, options.history)
        site.nav.append({doc.short_title: children})
    for audience in shown.audiences:
        views = [audience_view(doc, audience["id"]) for doc in shown.documents]
        base = f"for/{audience['id']}"
        emit(f"{base}/index.md", "audience.md.j2", audience=audience, views=views)
        emit(f"{base}/print.md", "print-choice.md.j2", audience=audience, views=views)
        children = [f"{base}/index.md"]
        for view in views:
            emit(f"{base}/{view.doc.id}.md", "audience-document.md.j2", audience=audience, view=view, doc=view.doc)
            emit(f"{base}/{view.doc.id}/print.md", "print.md.j2", audience=audience, docs=[view.doc])
            children.append({view.doc.short_title: f"{base}/{view.doc.id}.md"})
        site.nav.append({f"For {audience['name'].lower()}": children})
    site.nav.append({"Glossary": "glossary.md"})
    site.nav.append({"Accessibility": "accessibility.md"})
    return site


@dataclass
class AudienceView:
    """A document filtered to one audience: its sections (tagged for it or for all), and what was left out."""

    doc: Document
    shown: int
    left_out: int


def audience_view(doc: Document, audience: str) -> AudienceView:
    view = copy.copy(doc)
    view.chapters = []
    total = kept = 0
    for chapter in doc.chapters:
        sections = [s for s in chapter.sections if s.is_for(audience)]
        total += len(chapter.sections)
        kept += len(sections)
        if sections:
            part = copy.copy(chapter)
            part.sections = sections
            view.chapters.append(part)
    return AudienceView(view, kept, total - kept)


def _audience_index(content: Content, audience: str) -> dict:
    """Like _anchor_index, but a section this audience sees links to its place in the audience's own view."""
    out = {}
    for key, (path, section) in _anchor_index(content).items():
        out[key] = (f"for/{audience}/{key[0]}.md", section) if section.is_for(audience) else (path, section)
    return out


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("builder", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["text"] = md_escape
    env.filters["attr"] = lambda s: html.escape(str(s), quote=True)
    env.tests["for_audience"] = lambda section, audience: section.is_for(audience)
    env.globals.update(CALLOUT=CALLOUT, audience_names=audience_names, current_edition=current_edition,
                       term_anchor=term_anchor)
    return env


def md_escape(text: str) -> str:
    """Plain text (a title) made safe to place in Markdown: no markup, no HTML."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split())), quote=False)


def _anchor_index(content: Content) -> dict[tuple[str, str], tuple[str, Section]]:
    """(doc id, section id) → (page path, section), for the sections this build shows."""
    return {(doc.id, s.id): (f"{doc.id}/{c.id}.md", s) for doc in content.documents for c in doc.chapters
            for s in c.sections}


class Links:
    """Inline text to Markdown for one page: references become relative links that MkDocs checks."""

    def __init__(self, content: Content, index, page: str):
        self.content, self.index, self.page = content, index, page
        self.doc_id = page.split("/", 1)[0]
        self.terms = {t["id"]: t for t in content.terms}
        self.seen_terms: set[str] = set()
        self.services = {s["id"]: s for s in content.services}
        self.provisions = content.provisions()

    def to(self, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(self.page) or ".")

    def new_section(self) -> str:
        """Called by templates where a section starts: abbreviations are spelled out again on first use."""
        self.seen_terms.clear()
        return ""

    def inline(self, text: str) -> str:
        """Inline text (builder/inline.py's tree) as Markdown: the text's own characters escaped, so that
        Markdown reads only the markup the tree found."""
        return self._nodes(inline.parse(" ".join(str(text).split())).nodes, first=True)

    def _nodes(self, nodes, first: bool = False) -> str:
        parts: list[str] = []
        for n, node in enumerate(nodes):
            if isinstance(node, inline.Text):
                shown = md_text(node.text)
                parts.append(_LEADING_MARKER.sub(_unmark, shown) if first and n == 0 else shown)
            elif isinstance(node, inline.Emphasis):
                mark = "**" if node.strong else "*"
                parts.append(mark + self._nodes(node.children) + mark)
            elif isinstance(node, inline.Link):
                parts.append(f"[{self._nodes(node.children)}]({node.url})")
            else:
                shown, expansion = self._ref(node)
                if expansion and parts:  # "an [[term:SPO]]" reads "a stalking protection order (SPO)"
                    parts[-1] = agree_article(parts[-1], expansion)
                parts.append(shown)
        return "".join(parts)

    def _ref(self, ref: inline.Ref) -> tuple[str, str | None]:
        """A reference as Markdown, and the words it starts with when they replace an abbreviation (its expansion,
        on first use), for the article before it to agree with."""
        kind, target, label = ref.kind, ref.target, ref.label
        if kind == "law":
            act, prov = self.provisions[target]
            shown = label or f"{prov['label']} of the {act['title']}"
            title = prov.get("note") or prov["title"]
            link = f'[{md_escape(shown)}]({prov["url"]} "{html.escape(title)}")'
            # As legislation.gov.uk marks prospective provisions: the registry's in_force is the single source.
            return (link + NOT_IN_FORCE if prov.get("in_force") is False else link), None
        if kind == "term":
            term = self.terms[target]
            shown = md_escape(label or term["term"])
            first = target not in self.seen_terms
            self.seen_terms.add(target)
            if not term.get("expansion") or label:
                return f"[{shown}]({self.to('glossary.md')}#{term_anchor(target)})", None
            link = f'[<abbr title="{html.escape(term["expansion"])}">{shown}</abbr>]({self.to("glossary.md")}#{term_anchor(target)})'
            # GOV.UK style: spell an abbreviation out the first time a section uses it.
            return (f"{md_escape(term['expansion'])} ({link})", term["expansion"]) if first else (link, None)
        if kind == "service":
            service = self.services[target]
            return (f"[{md_escape(label or service['name'])}]({service['url']}) "
                    f"(phone {md_escape(service['phone'])})"), None
        doc, _, sid = target.rpartition("/")
        found = self.index.get((doc or self.doc_id, sid))
        if not found:
            return md_escape(label or sid.replace("-", " ")), None
        path, section = found
        shown = label or f"{section.number} {section.title}"
        return f"[{md_escape(shown)}]({self.to(path)}#{sid})", None


def md_text(text: str) -> str:
    """Text between markup, escaped for Markdown and HTML; its spaces kept as they are."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)


_ARTICLE = re.compile(r"(?<![\w'’])(an?|An?|AN?)(\s+)$")
# Words whose first letter misleads: a vowel read as "you" or "wun", and a silent h.
_CONSONANT_SOUND = re.compile(r"(?i)^(?:uni(?!n)|use|usu|uti|ure|eu|ewe|one\b|once)")
_VOWEL_SOUND = re.compile(r"(?i)^(?:hour|honest|honou?r|heir)")


def article(words: str) -> str:
    """'a' or 'an' before words, by their first sound as far as spelling tells: an order, a user, an hour."""
    first = words.lstrip()
    if _VOWEL_SOUND.match(first):
        return "an"
    return "an" if first[:1].lower() in "aeiou" and not _CONSONANT_SOUND.match(first) else "a"


def agree_article(before: str, words: str) -> str:
    """before, ending in 'a ' or 'an ', with the article that words need (its capital kept)."""
    m = _ARTICLE.search(before)
    if not m:
        return before
    wanted = article(words)
    if m.group(1).isupper() and len(m.group(1)) > 1:
        wanted = wanted.upper()
    elif m.group(1)[0].isupper():
        wanted = wanted.capitalize()
    return before[:m.start(1)] + wanted + m.group(2)


def _search_fields(content: Content, doc: Document, section: Section, chapter) -> dict:
    """A section's extra search fields (Site.search_extra): its document and who it is for, as tags under its result.
    A glossary term named in the section's title or its chapter's title (by the term or its expansion) lends the
    section its name and the other words readers use for it (also_searched_as), so "injunction" finds the chapter
    on stalking protection orders."""
    if section.status == "withdrawn":
        return {"exclude": True}
    titles = f"{section.title} {chapter.title}".lower()
    aka = [word for t in content.terms
           if any(re.search(rf"\b{re.escape(name.lower())}", titles) for name in (t["term"], t.get("expansion") or t["term"]))
           for word in (t["term"], *t.get("also_searched_as", ()))]
    return {"roles": list(section.audiences), "tags": [doc.short_title, f"For {audience_names(content, section).lower()}"],
            **({"aka": " ".join(dict.fromkeys(aka))} if aka else {})}


def term_anchor(term_id: str) -> str:
    return "term-" + term_id.lower()


def audience_names(content: Content, section: Section) -> str:
    if "all" in section.audiences:
        return "Everyone"
    names = {a["id"]: a["name"] for a in content.audiences}
    return ", ".join(names.get(a, a) for a in section.audiences)


def current_edition(doc: Document):
    return next(e for e in doc.editions if e.version == doc.version)
