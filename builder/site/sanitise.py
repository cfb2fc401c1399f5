"""Sanitising (site stage): the second layer behind validation. Every built page's article is cleaned with nh3,
the parts of the page around it are searched for anything that could run code, and so is the search index."""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import nh3

from builder.content.model import Pos, Problem
from builder.site.search import SEARCH_INDEXES

ARTICLE = '<article class="md-content__inner md-typeset">'
# What the generated pages legitimately hold inside Material's article: the renderer's Markdown and HTML blocks.
TAGS = {"a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
        "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "i", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre", "q", "s", "samp", "section",
        "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
        "tr", "u", "ul", "var", "wbr"}
ATTRIBUTES = {"*": {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-labelledby",
                    "aria-describedby", "aria-hidden", "aria-current"},
              "a": {"href", "hreflang", "tabindex"}, "div": {"tabindex"}, "ol": {"start", "reversed", "type"}, "time": {"datetime"},
              "th": {"scope", "colspan", "rowspan", "headers"}, "td": {"colspan", "rowspan", "headers"},
              "details": {"open"}, "col": {"span"}, "colgroup": {"span"}}
SCHEMES = {"https", "mailto", "tel"}
SEARCH_TAGS = {"p", "code", "pre", "li", "ol", "ul", "sub", "sup"}  # what Material's search index keeps
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
FORBIDDEN = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    # data-* attributes carry audience tags for the theme, but data-md-* steers Material's own JavaScript.
    # tabindex only as Zensical's skip-link target has it (focusable by script, never in the tab order), and on a
    # <div> as a wide table's scroll box has it, in the tab order so that a keyboard can scroll it.
    if name == "tabindex":
        return value if value.strip() == "-1" or (tag == "div" and value.strip() == "0") else None
    return None if name.startswith("data-md-") else value


def clean_fragment(fragment: str, tags=TAGS, attributes=ATTRIBUTES) -> str:
    return nh3.clean(fragment, tags=tags, attributes=attributes, url_schemes=SCHEMES, link_rel=None,
                     strip_comments=False, generic_attribute_prefixes={"data-"}, attribute_filter=_attribute_filter)


# A tag ends at the next < or >, so neither pattern can backtrack and a page of any content is read in linear time.
# _TOKEN splits a fragment into text (even places) and tags (odd places: start, end, comment or declaration).
_TOKEN = re.compile(r"(<[A-Za-z][^<>]*>|</[A-Za-z][^<>]*>|<[!?][^<>]*>)")
_START = re.compile(r"<([A-Za-z][^\s/<>]*)([^<>]*)>")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def shape(fragment: str) -> list[tuple]:
    """What a reader's browser builds from HTML, reduced to the elements that open, with their attributes, and the
    text, in order: enough to tell whether the sanitiser removed anything. Comments, declarations and end tags
    are left out."""
    return [item for i, token in enumerate(_TOKEN.split(_uncommented(fragment))) if (item := _item(token, i % 2))]


def _item(token: str, is_tag: int) -> tuple | None:
    """One token's part of shape: ("#text", its words), (tag, sorted attributes) for a start tag, or None."""
    if not is_tag:
        words = " ".join(html.unescape(token).split())
        return ("#text", words) if words else None
    if (m := _START.fullmatch(token)) is None:
        return None
    return m[1].lower(), tuple(sorted((a.lower(), html.unescape(v or w or x or ""))
                                      for a, v, w, x in _ATTR.findall(m[2])))


def same_shape(before: str, after: str) -> bool:
    """shape(before) == shape(after), found quickly when the sanitiser wrote the fragment back almost as it was
    (nh3 writes a valueless attribute as ="" and an entity as its character): token by token, shaping only the
    tokens that differ; the whole shapes are compared only when the tokens do not pair up."""
    a, b = _TOKEN.split(_uncommented(before)), _TOKEN.split(_uncommented(after))
    if len(a) == len(b) and all(x == y or _item(x, i % 2) == _item(y, i % 2)
                                for i, (x, y) in enumerate(zip(a, b))):
        return True
    return shape(before) == shape(after)


def _uncommented(fragment: str) -> str:
    """fragment without <!-- comments --> (found with str.find, not a lazy pattern: linear however many)."""
    if "<!--" not in fragment:
        return fragment
    out, at = [], 0
    while (start := fragment.find("<!--", at)) >= 0:
        out.append(fragment[at:start])
        end = fragment.find("-->", start + 4)
        at = len(fragment) if end < 0 else end + 3
    out.append(fragment[at:])
    return "".join(out)


def _removed(before: list[tuple], after: list[tuple]) -> list[str]:
    tags = Counter(t for t, _ in before if t != "#text") - Counter(t for t, _ in after if t != "#text")
    attrs = Counter(f"{k}= on <{t}>" for t, a in before if t != "#text" for k, _ in a) - \
        Counter(f"{k}= on <{t}>" for t, a in after if t != "#text" for k, _ in a)
    out = [f"<{t}>" for t in sorted(tags)] + sorted(attrs)
    return out or ["text or an attribute value"]


def clean_page(page: str) -> tuple[str, list[str]]:
    """Sanitise the article (the generated content) of one built page. Returns the page, unchanged byte for byte
    when the sanitiser removes nothing a browser would see, and what was removed."""
    start, end = page.find(ARTICLE), page.rfind("</article>")
    if start < 0 or end < start:
        return page, []
    start += len(ARTICLE)
    inner = page[start:end]
    cleaned = clean_fragment(inner)
    if same_shape(inner, cleaned):
        return page, []
    return page[:start] + cleaned + page[end:], _removed(shape(inner), shape(cleaned))


class _Chrome(HTMLParser):
    """Finds anything that could run code in the parts of a page MkDocs and the theme write around the article."""

    def __init__(self, allowed_scripts: set[str]):
        super().__init__(convert_charrefs=True)
        self.allowed, self.found = allowed_scripts, []
        self.script: list | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.found += _unsafe_attributes(tag, attrs)
        if tag in FORBIDDEN:
            self.found.append(f"a <{tag}> element")
        elif tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.found.append("a <meta http-equiv=refresh> redirect")
        elif tag == "script":
            self._start_script(values)

    def _start_script(self, values: dict) -> None:
        """A script from another address than the theme's is found here; an inline one is read to its end tag."""
        src = values.get("src")
        if src is not None:
            # The theme's own scripts, by a relative path or, on a 404 page under a site_url with a path (a
            # GitHub Pages project site), by an absolute one on this host; never another host's (//host/…).
            if not re.match(r"^(?!//)(?:\.\./|\./|/)*(?:[\w.-]+/)*assets/javascripts/[\w./-]+$", src):
                self.found.append(f"a script from {src}")
        elif (values.get("type") or "").lower() != "application/json":
            self.script = []

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            body = _script_key("".join(self.script))
            if body not in self.allowed:
                self.found.append(f"an inline script that is not the theme's own ({body[:40]}…)")
            self.script = None


def _unsafe_attributes(tag: str, attrs: list[tuple[str, str | None]]) -> list[str]:
    """The event handlers of a tag, and the addresses in it that would run code (javascript:, vbscript:, data:)."""
    found = []
    for name, value in attrs:
        if name.startswith("on"):
            found.append(f"an event handler {name}= on <{tag}>")
        elif name in URL_ATTRIBUTES and re.match(r"\s*(javascript|vbscript|data):", value or "", re.IGNORECASE):
            found.append(f"a {(value or '').split(':')[0].strip()}: address in {name}= on <{tag}>")
    return found


def _script_key(body: str) -> str:
    """An inline script with its base path ("../..", "/", or "/project/" under a site_url with a path) blanked, so
    that one theme script matches on every page."""
    return re.sub(r'"(?:(?:/[\w.-]+)*/|\.\.?(?:/\.\.)*/?)"', '"."', body.strip())


def _chrome(page: str) -> str:
    start, end = page.find(ARTICLE), page.rfind("</article>")
    return page if start < 0 or end < start else page[:start] + page[end:]


def _inline_scripts(page: Path) -> set[str]:
    """The theme's own inline scripts, read from the 404 page outside its navigation: the navigation's titles are
    the only content text on that page, so no script that content could carry is counted."""
    if not page.is_file():
        return set()
    parser = _ThemeScripts()
    parser.feed(_chrome(page.read_text(encoding="utf-8")))
    parser.close()
    return parser.found


class _ThemeScripts(HTMLParser):
    """Inline scripts (without attributes) outside every <nav> and <title> but the header's own <nav>: on the 404
    page the header holds only the site name, and Zensical writes its colour-palette script there."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # each open <nav> or <title>: may it hold content text?
        self.script: list | None = None
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in ("nav", "title"):
            self.open.append(not (tag == "nav" and "md-header__inner" in (dict(attrs).get("class") or "").split()))
        elif tag == "script" and not attrs and not any(self.open):
            self.script = []

    def handle_endtag(self, tag):
        if tag in ("nav", "title") and self.open:
            self.open.pop()
        elif tag == "script" and self.script is not None:
            self.found.add(_script_key("".join(self.script)))
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)


def sanitise_site(site_dir: Path, checked: dict[str, list[Problem]] | None = None) -> list[Problem]:
    """Sanitise every built page's article and the search index; refuse a page whose surroundings could run code.
    Removals are warnings (the site is safe, but validation missed something); unsafe surroundings are errors.
    checked: the pages sanitise_page has done already (checker.py, during the build), with their problems."""
    problems: list[Problem] = []
    checked = checked or {}
    allowed = theme_scripts(site_dir)
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel in checked:
            problems += checked[rel]
            continue
        page = path.read_text(encoding="utf-8")
        cleaned, found = sanitise_page(rel, page, allowed)
        if cleaned is not page:
            path.write_text(cleaned, encoding="utf-8")
        problems += found
    problems.extend(_sanitise_search(site_dir))
    return problems


def theme_scripts(site_dir: Path) -> set[str]:
    """The theme's own inline scripts in a built site (see _inline_scripts): what sanitise_page allows."""
    return _inline_scripts(site_dir / "404.html")


def sanitise_page(rel: str, page: str, allowed: set[str]) -> tuple[str, list[Problem]]:
    """One built page (rel: its path in the site): the page with its article sanitised (the same object when
    nothing was removed), and the problems found. The live preview calls this for the pages it rebuilds."""
    problems: list[Problem] = []
    if ARTICLE not in page:
        problems.append(Problem(Pos(f"site/{rel}"), "error", "build.unsafe-html",
                                "the page has no content area the sanitiser recognises",
                                "The theme's page layout changed: update ARTICLE in builder/site/sanitise.py."))
    cleaned, removed = clean_page(page)
    if removed:
        problems.append(Problem(Pos(f"site/{rel}"), "warning", "build.sanitised",
                                f"the sanitiser removed {', '.join(removed)}",
                                "The page is safe, but markup got past validation: report it with the content "
                                "that caused it."))
    else:
        cleaned = page
    chrome = _Chrome(allowed)
    chrome.feed(_chrome(cleaned))
    chrome.close()
    for found in dict.fromkeys(chrome.found):
        problems.append(Problem(Pos(f"site/{rel}"), "error", "build.unsafe-html",
                                f"the page around the content holds {found}",
                                "The build was stopped and the old site kept. Report this: titles reach these "
                                "parts of the page unescaped."))
    return cleaned, problems


def _sanitise_search(site_dir: Path) -> list[Problem]:
    """Each engine's search index that the site holds (SEARCH_INDEXES)."""
    problems: list[Problem] = []
    for rel, key in SEARCH_INDEXES.items():
        path = site_dir / rel
        if not path.is_file():
            continue
        index = json.loads(path.read_text(encoding="utf-8"))
        found = sanitise_search_entries(index.get(key, []), rel)
        if found:
            path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        problems += found
    return problems


def sanitise_search_entries(entries: list[dict], rel: str = "search/search_index.json") -> list[Problem]:
    """Sanitise search entries in place (the whole index, or one page's in the live preview); rel: the index."""
    changed = []
    for entry in entries:
        for key in ("title", "text"):
            value = entry.get(key)
            if isinstance(value, str):
                cleaned = clean_fragment(value, tags=SEARCH_TAGS, attributes={})
                if not same_shape(value, cleaned):
                    entry[key] = cleaned
                    changed.append(entry.get("location", "?"))
    if not changed:
        return []
    return [Problem(Pos(f"site/{rel}"), "warning", "build.sanitised",
                    f"the sanitiser removed markup from the search entries of {', '.join(sorted(set(changed)))}",
                    "The index is safe, but markup got past validation: report it with the content that caused it.")]


def only_pages(pages: Iterable[str]) -> str:
    """exclude_docs for the public build: everything but the pages this render made, so that a stray file in the
    generated tree (a preview page, a left-over draft) can never be built into the public site. Only Markdown is
    excluded: MkDocs applies exclude_docs to the theme's files too, and "*" would drop the stylesheets."""
    return "\n".join(["*.md"] + [f"!/{p}" for p in sorted(pages)]) + "\n"
