"""Render stage, open data: each document's current and archived editions as JSON, made from the public view the
pages show (the same words, public numbers and ids), for the systems that reuse the guidance."""
from __future__ import annotations

import html
import json
from html.parser import HTMLParser

from builder.content.model import Content, Document, Edition, Section
from builder.history.dates import History
from builder.history.editions import archived_editions
from builder.render.archive import edition_path
from builder.render.markdown import CALLOUT, Links, page_url

SCHEMA_PATH = "schemas/guidance.schema.json"  # where the site publishes the schema (builder/site/opendata.py)
SCHEMA_VERSION = "1.0"  # the schema's own version: a change that breaks readers of the JSON makes it 2.0
LICENCE = {"name": "Open Government Licence v3.0",
           "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}


def json_path(doc_id: str, version: str | None = None) -> str:
    """Where a document's JSON sits in the site: the current edition's, or an archived edition's."""
    return f"{doc_id}/guidance.json" if version is None else f"{doc_id}/editions/{version}/guidance.json"


def files(shown: Content, history: History | None, base: str) -> dict[str, str]:
    """path in the site → JSON text: every document's current edition (from shown, the public view the pages are
    made from) and each archived edition (from its own public view, so that nothing later changes it). base: the
    site's public address, ending in "/"."""
    out = {}
    for doc in shown.documents:
        current = next((e for e in doc.editions if e.version == doc.version), None)
        out[json_path(doc.id)] = dump(edition_data(shown, doc, current, base, history, archived=False))
        for version, (content, this) in archived_editions(doc, history).items():
            edition = next(e for e in doc.editions if e.version == version)
            out[json_path(doc.id, version)] = dump(edition_data(content, this, edition, base, history, archived=True))
    return out


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class _Absolute(Links):
    """Inline text as HTML whose links are full addresses under the site's address, as the JSON is read anywhere."""

    def __init__(self, content: Content, index: dict, page: str, base: str):
        super().__init__(content, index, page)
        self.base = base

    def href(self, target: str, anchor: str = "") -> str:
        return url(self.base, target, anchor)


def url(base: str, page: str, anchor: str = "") -> str:
    """The full address of the page at Markdown path page (and an anchor in it)."""
    address = page_url(page)
    return base + ("" if address == "./" else address) + ("#" + anchor if anchor else "")


class _Text(HTMLParser):
    """The words of an HTML fragment, a line for each paragraph, list item, caption and table row, cells apart by
    a tab: what a reader sees, without the markup."""

    BREAKS = {"p", "li", "tr", "figcaption", "aside", "ul", "ol", "table", "thead", "tbody"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append("\n")
        elif tag in ("td", "th") and self.parts and self.parts[-1] != "\n":
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    lines = ("\t".join(" ".join(cell.split()) for cell in line.split("\t")) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line.strip())


def _text(links: Links, value) -> dict | None:
    """An inline text as {"text", "html"}: the HTML as the page shows it, its words as plain text."""
    if value is None:
        return None
    fragment = links.html(value)
    return {"text": plain(fragment), "html": fragment}


def block_html(links: Links, content: Content, kind: str, v) -> str:
    """A block's body as HTML, as the chapter page shows it (builder/render/templates/macros.md.j2's block), without
    its number, notes and citation."""
    h = links.html
    if kind == "para":
        return f"<p>{h(v)}</p>"
    if kind in ("list", "steps"):
        tag = "ol" if kind == "steps" else "ul"
        intro = f"<p>{h(v['intro'])}</p>" if v.get("intro") else ""
        return f"{intro}<{tag}>" + "".join(f"<li>{h(item)}</li>" for item in v["items"]) + f"</{tag}>"
    if kind == "callout":
        title = html.escape(" ".join((v.get("title") or CALLOUT[v["kind"]][1]).split()), quote=False)
        return f'<aside class="callout callout-{v["kind"]}"><p class="callout-title">{title}</p><p>{h(v["text"])}</p></aside>'
    rows = [list(row) for row in v["rows"]]
    if v.get("registry") == "offences":  # the rows the legislation register fills (README: Annex A)
        rows += [[p["offence"], f"[[law:{a['id']}/{p['id']}]]", p.get("max_penalty") or "To be confirmed.",
                  p.get("time_limit") or "To be confirmed."] for a in content.acts for p in a["provisions"]
                 if p.get("offence")]
    caption = html.escape(" ".join(str(v.get("caption") or "").split()), quote=False)
    head = "".join(f'<th scope="col">{h(cell)}</th>' for cell in v["header"])
    body = "".join("<tr>" + "".join(f"<td>{h(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _provision(content: Content, ref: str) -> dict:
    act, prov = content.provisions()[ref]
    return {"id": ref, "label": prov["label"], "title": prov["title"], "act": act["title"], "url": prov["url"],
            "act_url": act["url"], "in_force": prov.get("in_force") is not False}


def _edition(links: Links, e: Edition) -> dict:
    return {"version": str(e.version), "date": str(e.date)[:10], "major": bool(e.major),
            "change_note": _text(links, e.note)}


def edition_data(content: Content, doc: Document, edition: Edition | None, base: str, history: History | None,
                 archived: bool) -> dict:
    """One edition of doc as the data the JSON holds (schemas/guidance.schema.json). content: the public view it
    comes from; archived: an earlier edition, whose addresses are its archive page's."""
    version = str(edition.version) if edition else str(doc.version)
    page_of = (lambda chapter: edition_path(doc.id, version)) if archived else (lambda chapter: f"{doc.id}/{chapter.id}.md")
    index = {(d.id, s.id): (edition_path(doc.id, version) if archived and d.id == doc.id else f"{d.id}/{c.id}.md", s)
             for d in content.documents for c in d.chapters for s in c.sections}
    home = _Absolute(content, index, f"{doc.id}/index.md", base)
    upto = doc.editions[:doc.editions.index(edition) + 1] if edition in doc.editions else doc.editions
    dated = _edition_dates(doc, history, upto) if archived else {}
    chapters = []
    for chapter in doc.chapters:
        links = _Absolute(content, index, page_of(chapter), base)
        where = url(base, page_of(chapter), f"chapter--{chapter.id}" if archived else "")
        chapters.append({"id": chapter.id, "number": chapter.number, "title": chapter.title, "url": where,
                         "summary": _text(links, chapter.summary),
                         "sections": [_section(content, doc, links, s, url(base, page_of(chapter)), history,
                                               dated if archived else None) for s in chapter.sections]})
    return {
        "$schema": base + SCHEMA_PATH, "schema_version": SCHEMA_VERSION, "licence": LICENCE,
        "url": base + json_path(doc.id, version if archived else None),
        "document": {
            "id": doc.id, "title": doc.title, "short_title": doc.short_title, "summary": _text(home, doc.summary),
            "status_note": _text(home, doc.status_note), "issued_under": _provision(content, doc.issued_under),
            "must_have_regard": [{"body": body, "audiences": doc.body_audiences.get(body)}
                                 for body in doc.must_have_regard],
            "extent": doc.extent, "url": url(base, f"{doc.id}/index.md"),
            "changes_url": url(base, f"{doc.id}/changes.md"), "feed_url": f"{base}{doc.id}/changes.atom",
            "current_json_url": base + json_path(doc.id)},
        "edition": {**(_edition(home, edition) if edition else {"version": version, "date": None, "major": None,
                                                              "change_note": None}),
                    "current": not archived,
                    "url": url(base, edition_path(doc.id, version) if archived else f"{doc.id}/index.md")},
        "editions": [_edition(home, e) for e in upto],
        "audiences": [{"id": a["id"], "name": a["name"]} for a in content.audiences],
        "chapters": chapters,
    }


def _section(content: Content, doc: Document, links: Links, s: Section, page: str, history: History | None,
             dated: dict | None) -> dict:
    links.new_section()  # abbreviations are spelled out on their first use in each section, as on the page
    out = {"id": s.id, "number": s.number, "title": s.title, "status": s.status, "audiences": list(s.audiences),
           "url": f"{page}#{s.id}", "legal_basis": [_provision(content, ref) for ref in s.legal_basis],
           "sources": [{"title": src["title"], "url": src["url"]} for src in s.sources],
           "last_updated": _updated(doc, s, history, dated), "withdrawn": None, "blocks": []}
    if s.status == "withdrawn":
        out["withdrawn"] = {"date": str(s.withdrawn["date"])[:10], "reason": _text(links, s.withdrawn["reason"])}
        return out
    names = {a["id"]: a["name"] for a in content.audiences}
    for b in s.blocks:
        body = block_html(links, content, b.kind, b.value)
        notes = [{"audience": a["id"], "audience_name": names[a["id"]], **_text(links, b.notes[a["id"]])}
                 for a in content.audiences if a["id"] in b.notes]
        out["blocks"].append({"id": b.id, "number": b.number, "kind": b.kind, "text": plain(body), "html": body,
                              "notes": notes, "citation_url": f"{page}#p-{b.id}"})
    return out


def _updated(doc: Document, s: Section, history: History | None, dated: dict | None) -> dict | None:
    """When the section last changed for readers: on the current edition, what its page says (from git); on an
    archived edition, the date of the edition that last changed it, which no later edition can move."""
    if dated is not None:
        return {"date": dated[s.id], "basis": "edition"} if s.id in dated else None
    if history is None:
        return None
    stamp = history.section(doc.id, s.id)
    return {"date": str(stamp.date)[:10], "basis": stamp.source}


def _edition_dates(doc: Document, history: History | None, upto: list[Edition]) -> dict[str, str]:
    """section id → the date of the last of the editions upto that published or changed what readers see of it,
    from each edition's record of its public sections (builder/history/dates.py's fingerprints)."""
    out: dict[str, str] = {}
    last: dict[str, tuple[str, str]] = {}
    for e in upto:
        record = history.editions.get((doc.id, e.version)) if history else None
        if record is None or record.sections is None:
            continue
        for sid, seen in record.sections.items():
            if seen[0] in ("published", "withdrawn") and last.get(sid) != seen:
                out[sid] = str(e.date)[:10]
            last[sid] = seen
    return out
