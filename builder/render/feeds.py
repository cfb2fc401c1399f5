"""Render stage, feeds: an Atom feed (RFC 4287) of each document's major editions and one of the whole site, each
entry with its change note and the sections it changed (the redlines worked out before render)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

from builder.content.model import Content, Document, Edition
from builder.render.archive import edition_path, long_date
from builder.render.markdown import Links
from builder.render.opendata import json_path, url

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
AUTHOR = "Home Office"  # who publishes the guidance, as mkdocs.yml's site_author says
SITE_FEED = "changes.atom"
SITE_TITLE = "Statutory guidance on stalking"  # the home page's title


def feed_path(doc_id: str | None = None) -> str:
    return f"{doc_id}/changes.atom" if doc_id else SITE_FEED


def files(shown: Content, redlines: dict, archived: dict[str, set[str]], base: str, site_name: str) -> dict[str, str]:
    """path in the site → Atom text: /<doc>/changes.atom for each document and /changes.atom for all of them.
    redlines: (document, version) → its DocumentChange since the edition before it (builder.review.diff); archived:
    document → the versions the site keeps as archived editions."""
    out, every = {}, []
    for doc in shown.documents:
        links = _Absolute(shown, f"{doc.id}/changes.md", base)
        entries = [_entry(doc, e, redlines.get((doc.id, e.version)), e.version in archived.get(doc.id, ()), i == 0,
                          base, links) for i, e in enumerate(doc.editions) if e.major]
        every += entries
        out[feed_path(doc.id)] = _feed(f"{doc.title}: changes", base + feed_path(doc.id),
                                       url(base, f"{doc.id}/changes.md"), entries, base)
    out[feed_path()] = _feed(f"{site_name}: changes", base + feed_path(), base, every, base)
    return out


class _Absolute(Links):
    def __init__(self, content: Content, page: str, base: str):
        index = {(d.id, s.id): (f"{d.id}/{c.id}.md", s) for d in content.documents for c in d.chapters
                 for s in c.sections}
        super().__init__(content, index, page)
        self.base = base

    def href(self, target: str, anchor: str = "") -> str:
        return url(self.base, target, anchor)


def tag_uri(base: str, day: str, specific: str) -> str:
    """An id that stays the same from build to build (RFC 4151): tag:host,date:path/specific, from the site's
    address, the edition's date and what it names."""
    parts = urlsplit(base)
    prefix = parts.path.strip("/")
    return f"tag:{parts.hostname},{day}:{prefix + '/' if prefix else ''}{specific}"


class _Elements(HTMLParser):
    """An HTML fragment of inline text (builder/render/markdown.py's Links.html) as XHTML elements under parent."""

    def __init__(self, parent: ET.Element):
        super().__init__(convert_charrefs=True)
        self.stack = [parent]

    def handle_starttag(self, tag, attrs):
        self.stack.append(ET.SubElement(self.stack[-1], f"{{{XHTML}}}{tag}", {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        parent = self.stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + data
        else:
            parent.text = (parent.text or "") + data


def xhtml(fragment: str, parent: ET.Element) -> ET.Element:
    parser = _Elements(parent)
    parser.feed(fragment)
    parser.close()
    return parent


def _stamp(day) -> str:
    return f"{str(day)[:10]}T00:00:00Z"


def _entry(doc: Document, e: Edition, change, archived: bool, first: bool, base: str, links: Links) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    ET.SubElement(entry, f"{{{ATOM}}}id").text = tag_uri(base, str(e.date)[:10], f"{doc.id}/editions/{e.version}")
    ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{doc.short_title}: version {e.version}, {long_date(e.date)}"
    ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(e.date)
    ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(e.date)
    current = e.version == doc.version
    page = url(base, f"{doc.id}/index.md" if current else edition_path(doc.id, e.version))
    if current or archived:
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
        data = base + json_path(doc.id, None if current else e.version)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="application/json", href=data)
    else:
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=url(base, f"{doc.id}/changes.md"))
    ET.SubElement(entry, f"{{{ATOM}}}category", term=doc.id, label=doc.short_title)
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = " ".join(str(e.note).split())
    content = ET.SubElement(entry, f"{{{ATOM}}}content", type="xhtml")
    div = ET.SubElement(content, f"{{{XHTML}}}div")
    xhtml(links.html(e.note), ET.SubElement(div, f"{{{XHTML}}}p"))
    _changes(div, change, first)
    return entry


def _changes(div: ET.Element, change, first: bool) -> None:
    """The sections the edition changed, as a list under the change note."""
    para = ET.SubElement(div, f"{{{XHTML}}}p")
    sections = [s for s in change.sections if s.public] if change is not None else []
    if first:
        para.text = "The first edition."
        return
    if change is None:
        para.text = "The sections this edition changed are listed on its page when the site keeps its text."
        return
    if not sections:
        para.text = "The text of the guidance did not change."
        return
    para.text = "Sections changed:"
    items = ET.SubElement(div, f"{{{XHTML}}}ul")
    for s in sections:
        what = "new section" if "added" in s.kinds else "removed" if "removed" in s.kinds else "changed"
        ET.SubElement(items, f"{{{XHTML}}}li").text = f"{s.label} {s.title} ({what})"


def _feed(title: str, self_url: str, page: str, entries: list[ET.Element], base: str) -> str:
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    entries = sorted(entries, key=lambda e: (e.find(f"{{{ATOM}}}updated").text, e.find(f"{{{ATOM}}}id").text),
                     reverse=True)
    updated = entries[0].find(f"{{{ATOM}}}updated").text if entries else "1970-01-01T00:00:00Z"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = AUTHOR
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = "Crown copyright. Available under the Open Government Licence v3.0."
    feed.extend(entries)
    ET.register_namespace("", ATOM)
    tree = ET.ElementTree(feed)
    ET.indent(tree)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"
