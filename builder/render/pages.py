"""Render stage: the content tree becomes Markdown pages and a navigation tree (Jinja2; no I/O)."""
from __future__ import annotations

import copy
import functools
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined

from builder.content import inline
from builder.content.model import Content, Document, Section, public_texts
from builder.render import archive, feeds, opendata
from builder.render.markdown import CALLOUT, Links, md_escape, page_url, term_anchor
from builder.content.views import hidden_texts, visible
from builder.history.editions import archived_editions

@dataclass
class Site:
    """What the render stage returns: Markdown pages by path, and the navigation in mkdocs.yml's form."""

    pages: dict[str, str] = field(default_factory=dict)
    nav: list = field(default_factory=list)
    hidden_text: list[str] = field(default_factory=list)
    public_text: list[str] = field(default_factory=list)  # all the public build may show; see builder/site/leaks.py
    # Keyed by the section's address in the search index: "doc/chapter/#section" ("doc/chapter.html#section" in an
    # offline build, Options.directory_urls False).
    search_labels: dict[str, str] = field(default_factory=dict)  # "doc/chapter/#section" → "for police officers…"
    # "doc/chapter/#section" → fields for its search entry: "roles" (audience ids, or ["all"]), "aka" (the words
    # readers use for the glossary terms its title names), "exclude" (a withdrawal notice: out of the results)
    search_extra: dict[str, dict] = field(default_factory=dict)
    site_url: str | None = None  # the public address, ending in "/"; None in a preview without one
    roles: list[dict] = field(default_factory=list)  # [{"id": "police", "name": "Police officers and staff"}, …]
    left_out: list[str] = field(default_factory=list)  # pages Options.only kept out of pages (not rendered)
    # Files the site serves as they are, by path: the open data (JSON and Atom feeds, builder/render/opendata.py
    # and feeds.py), made by a public build that knows its address.
    files: dict[str, str] = field(default_factory=dict)
    # The content's inline trees (Content.trees), which the leak check reads hidden_text and public_text by.
    trees: inline.Trees = field(default_factory=inline.Trees, repr=False)
    languages: dict = field(default_factory=dict)  # language → its Site (builder/render/welsh.py), built under /<lang>/


@dataclass(frozen=True)
class Options:
    preview: bool = False
    build_date: str = ""
    history: object = None  # builder.history.dates.History: dates, marks and archived editions (builder/render/archive.py)
    only: object = None  # a test of page paths: render only the pages it passes (the live preview's two steps)
    site_url: str | None = None  # the public address: citations are full URLs when it is known
    # (document, version) → what changed since the archived edition before it (builder.review.diff.edition_redlines)
    redlines: dict = field(default_factory=dict)
    # MkDocs' use_directory_urls: False for an offline build (pages as a/b.html, browsed from disk), whose links in
    # HTML blocks and search keys must be files' addresses too.
    directory_urls: bool = True
    # Another language's site (builder/render/welsh.py): its code, the blocks shown in English with `notice`, and
    # those shown in a draft translation (a preview only) with `draft_notice`; it makes no open data.
    language: str = "en"
    untranslated: frozenset = frozenset()
    english: Content | None = None  # the English content: a block shown in English reads its references' words there
    drafts: frozenset = frozenset()
    notice: str = ""
    draft_notice: str = ""
    open_data: bool = True


def aggregated(rel: str) -> bool:
    """Pages that repeat every section of a document: print pages and the audience views (not their landings)."""
    return rel.endswith("/print.md") or (rel.startswith("for/") and not rel.endswith("/index.md"))


def render(content: Content, options: Options = Options()) -> Site:
    """The site's pages and navigation: the site-wide pages, each document's, and each audience's view."""
    shown = visible(content, options.preview)
    env = _environment()
    site = Site(trees=content.trees, hidden_text=[] if options.preview else hidden_texts(content),
                public_text=[] if options.preview else public_texts(shown), site_url=options.site_url,
                roles=[{"id": a["id"], "name": a["name"]} for a in shown.audiences])
    index = _anchor_index(shown)
    names = _term_names(shown)
    emit = _page_writer(site, env, shown, index, options)
    open_data = makes_open_data(options)
    _site_pages(site, emit, shown, options, open_data)
    site.nav.append({"Home": "index.md"})
    for doc in shown.documents:
        children = _document_pages(site, emit, shown, doc, options, names)
        children += archive.pages(site, env, shown, doc, options.history, options.redlines, options.only, index,
                                  feeds=_feeds(doc) if open_data else [])
        site.nav.append({doc.short_title: children})
    for audience in shown.audiences:
        site.nav.append({f"For {audience['name'].lower()}": _audience_pages(emit, shown, audience, options)})
    site.nav.append({"Glossary": "glossary.md"})
    site.nav.append({"Accessibility": "accessibility.md"})
    site.nav.append({"Open data": "open-data.md"})
    if open_data:
        site.files.update(open_data_files(shown, options))
    return site


def _page_writer(site: Site, env: Environment, shown: Content, index: dict, options: Options):
    """emit(path, template, audience=None, **extra): renders one page into site.pages, or lists it in
    site.left_out when options.only does not want it. Links in an audience's pages lead into its own view."""
    # Another language's site shows the blocks it has no translation of in English, and their references in the
    # English words: a glossary term's expansion, an Act's title, a section's title, an audience's name.
    english = visible(options.english, options.preview) if options.english is not None else shown
    english_index = _anchor_index(english) if english is not shown else index
    page_ctx = dict(content=shown, preview=options.preview, build_date=options.build_date or date.today().isoformat(),
                    site_url=options.site_url or "/", language=options.language, untranslated=options.untranslated,
                    drafts=options.drafts, notice=options.notice, draft_notice=options.draft_notice,
                    english_names={a["id"]: a["name"] for a in english.audiences})
    page_ctx.update(archive.Chronicle(shown, options.history).helpers())

    @functools.cache  # each audience's index worked out once a render, in the site's language and in English
    def index_for(in_english: bool, audience_id: str | None) -> dict:
        whole = english_index if in_english else index
        return _audience_index(whole, audience_id) if audience_id else whole

    def emit(path: str, template: str, audience: dict | None = None, **extra):
        if options.only is not None and not options.only(path):
            site.left_out.append(path)
            return
        audience_id = audience["id"] if audience else None
        links = Links(shown, index_for(False, audience_id), path, directory_urls=options.directory_urls)
        in_english = links if english is shown else Links(english, index_for(True, audience_id), path,
                                                          directory_urls=options.directory_urls)
        site.pages[path] = env.get_template(template).render(
            **page_ctx, **extra, audience=audience, md=links.inline, html=links.html, link=links.to, page=path,
            html_in_english=in_english.html, new_section=lambda: links.new_section() + in_english.new_section(),
            front=lambda **kw: "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in kw.items()))

    return emit


def _site_pages(site: Site, emit, shown: Content, options: Options, open_data: bool) -> None:
    """The pages of the whole site: home, glossary, accessibility statement and open data."""
    emit("index.md", "home.md.j2")
    emit("glossary.md", "glossary.md.j2", terms=sorted(shown.terms, key=lambda t: t["term"].lower()))
    site.search_extra[page_url("glossary.md", options.directory_urls)] = {"aka": " ".join(w for t in shown.terms for w in t.get("also_searched_as", ()))}
    emit("accessibility.md", "accessibility.md.j2")
    emit("open-data.md", "open-data.md.j2", open_data=open_data, schema=opendata.SCHEMA_PATH,
         json_path=opendata.json_path, feed_path=feeds.feed_path, licence=opendata.LICENCE)


def _document_pages(site: Site, emit, shown: Content, doc: Document, options: Options, names: tuple) -> list:
    """A document's current pages (contents, print page, chapters) and its sections' search fields; returns its
    part of the navigation, to which the archive's pages are added."""
    emit(f"{doc.id}/index.md", "document.md.j2", doc=doc)
    emit(f"{doc.id}/print.md", "print.md.j2", docs=[doc])
    children = [f"{doc.id}/index.md"]
    for chapter in doc.chapters:
        path = f"{doc.id}/{chapter.id}.md"
        emit(path, "chapter.md.j2", doc=doc, chapter=chapter)
        address = page_url(path, options.directory_urls)
        for section in chapter.sections:
            site.search_labels[f"{address}#{section.id}"] = f"for {audience_names(shown, section).lower()}"
            site.search_extra[f"{address}#{section.id}"] = _search_fields(shown, doc, section, chapter, names)
        children.append({f"{chapter.number}. {chapter.title}": path})
    return children


def _audience_pages(emit, shown: Content, audience: dict, options: Options) -> list:
    """One audience's view (/for/<id>/): its landing page, print choice and each document filtered to it; returns
    its part of the navigation."""
    base = f"for/{audience['id']}"
    paths = [f"{base}/{p}" for doc in shown.documents for p in (f"{doc.id}.md", f"{doc.id}/print.md")]
    wanted = options.only is None or any(map(options.only, [f"{base}/index.md", f"{base}/print.md", *paths]))
    # A view copies every chapter: made only when one of its pages is rendered (one save's first step is not).
    views = [audience_view(doc, audience["id"]) if wanted else AudienceView(doc, 0, 0) for doc in shown.documents]
    emit(f"{base}/index.md", "audience.md.j2", audience=audience, views=views)
    emit(f"{base}/print.md", "print-choice.md.j2", audience=audience, views=views)
    children = [f"{base}/index.md"]
    for view in views:
        emit(f"{base}/{view.doc.id}.md", "audience-document.md.j2", audience=audience, view=view, doc=view.doc)
        emit(f"{base}/{view.doc.id}/print.md", "print.md.j2", audience=audience, docs=[view.doc])
        children.append({view.doc.short_title: f"{base}/{view.doc.id}.md"})
    return children


def makes_open_data(options: Options) -> bool:
    """The open data needs full addresses and is public only: a preview, or a render without the site's address
    (tests of the Markdown alone), makes none, and its pages do not link to it."""
    return not options.preview and bool(options.site_url) and options.only is None and options.open_data


def open_data_files(shown: Content, options: Options) -> dict[str, str]:
    """Every edition's JSON (builder/render/opendata.py) and the Atom feeds (feeds.py), by path in the site."""
    archived = {d.id: set(archived_editions(d, options.history)) for d in shown.documents}
    return {**opendata.files(shown, options.history, options.site_url),
            **feeds.files(shown, options.redlines, archived, options.site_url, feeds.SITE_TITLE)}


def _feeds(doc: Document) -> list[dict]:
    """The feeds a document's change history page names in its head (<link rel="alternate">, the theme's main.html),
    by path in the site: the theme writes them relative to the page, since Material's script fetches sitemap.xml
    beside every alternate link's address, and a full address would send it to the public host from a copy
    served anywhere else (a test server, a download opened from disk)."""
    return [{"title": f"{doc.short_title}: changes", "path": feeds.feed_path(doc.id)},
            {"title": "All guidance on this site: changes", "path": feeds.feed_path()}]


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


def _audience_index(index: dict, audience: str) -> dict:
    """Like index (_anchor_index), but a section this audience sees links to its place in the audience's own view."""
    out = {}
    for key, (path, section) in index.items():
        out[key] = (f"for/{audience}/{key[0]}.md", section) if section.is_for(audience) else (path, section)
    return out


@functools.cache  # one environment, its templates compiled once, for every render in a process (the live preview)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("builder.render", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["text"] = md_escape
    env.filters["attr"] = lambda s: html.escape(str(s), quote=True)
    env.filters["css_text"] = css_text
    env.filters["esc"] = lambda s: html.escape(" ".join(str(s).split()), quote=False)  # text inside HTML blocks
    env.tests["for_audience"] = lambda section, audience: section.is_for(audience)
    env.globals.update(CALLOUT=CALLOUT, audience_names=audience_names, current_edition=current_edition,
                       term_anchor=term_anchor)
    return env


def _anchor_index(content: Content) -> dict[tuple[str, str], tuple[str, Section]]:
    """(doc id, section id) → (page path, section), for the sections this build shows."""
    return {(doc.id, s.id): (f"{doc.id}/{c.id}.md", s) for doc in content.documents for c in doc.chapters
            for s in c.sections}


def _term_names(content: Content) -> tuple:
    """What _aka needs of the glossary: each term's names and the words readers use for it; and glossary.yaml's
    search_words, the guidance's words and the readers' words for them."""
    return tuple(((t["term"], t.get("expansion") or t["term"]), (t["term"], *t.get("also_searched_as", ())))
                 for t in content.terms), tuple((tuple(w["means"]), tuple(w["words"])) for w in content.search_words)


@functools.lru_cache(maxsize=1 << 16)  # the live preview renders on every save: each title is searched once
def _aka(titles: str, names: tuple) -> str:
    aka = [word for pair, words in names
           if any(re.search(rf"\b{re.escape(name.lower())}", titles) for name in pair) for word in words]
    return " ".join(dict.fromkeys(aka))


def _search_fields(content: Content, doc: Document, section: Section, chapter, names: tuple) -> dict:
    """A section's extra search fields (Site.search_extra): its document and who it is for, as tags under its result.
    A glossary term named in the section's title or its chapter's title (by the term or its expansion) lends the
    section its name and the other words readers use for it (also_searched_as), so "injunction" finds the chapter
    on stalking protection orders."""
    if section.status == "withdrawn":
        return {"exclude": True}
    terms, words = names
    # a glossary term named by the chapter's title lends its words to every section of it; a search word only to
    # the sections whose own title holds its meaning ("how long" to "Timescales", not to the rest of its chapter)
    aka = " ".join(filter(None, (_aka(f"{section.title} {chapter.title}".lower(), terms), _aka(section.title.lower(), words))))
    return {"roles": list(section.audiences), "tags": [doc.short_title, f"For {audience_names(content, section).lower()}"],
            **({"aka": aka} if aka else {})}


def audience_names(content: Content, section: Section) -> str:
    if "all" in section.audiences:
        return "Everyone"
    return _names(tuple((a["id"], a["name"]) for a in content.audiences), tuple(section.audiences))


@functools.lru_cache(maxsize=1024)
def _names(audiences: tuple, ids: tuple) -> str:
    names = dict(audiences)
    return ", ".join(names.get(a, a) for a in ids)


def css_text(text: str) -> str:
    """Text for the inside of a double-quoted CSS string (a print page's running header): every character but ASCII
    letters, digits and spaces as a CSS escape, so that no quote, backslash or "</style>" can end the string or the
    style sheet, and no HTML escaping can change it."""
    return "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in " ".join(str(text).split()))


def current_edition(doc: Document):
    return next(e for e in doc.editions if e.version == doc.version)
