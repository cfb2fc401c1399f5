"""Inline text to Markdown, from builder/content/inline.py's tree: the one place that knows how a reference, a link or a
spelled-out abbreviation is written for MkDocs. Render and archive both use it; it uses neither."""
from __future__ import annotations

import html
import posixpath
import re

from builder.content import inline
from builder.content.model import Content

# A callout's kind → (Material's admonition type, the title it shows when the content gives none).
CALLOUT = {"legal": ("note", "Legal requirement"), "example": ("example", "Example"),
           "warning": ("warning", "Warning"), "info": ("info", "Information")}
NOT_IN_FORCE = ' <span class="gd-not-in-force">(not yet in force)</span>'
_LEADING_MARKER = re.compile(r"^(\s*)([#>+*-]|\d+[.)])(\s)")  # what would start a heading, quote or list


def _unmark(m: re.Match) -> str:
    """Escape a leading list, heading or quote marker: "\\- ", and "1\\. " (a backslash before a digit is shown)."""
    marker = m.group(2)
    return m.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker) + m.group(3)
# Markdown's special characters, each escaped with a backslash, and HTML's (as html.escape with quote=False): one
# str.translate, a single pass in C however many there are (a substitution calls back into Python for each).
_MD_ESCAPES = {**{ord(c): "\\" + c for c in "\\`*_[]#|!"}, ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_HTML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}  # html.escape(text, quote=False)


def md_escape(text: str) -> str:
    """Plain text (a title) made safe to place in Markdown: no markup, no HTML."""
    return " ".join(str(text).split()).translate(_MD_ESCAPES)


def tree(text, trees: inline.Trees) -> inline.Inline:
    """The inline tree of text as the renderer reads it (its lines joined), from the content's trees: parsed once,
    when the content was checked, for every page that shows it."""
    return trees.joined(str(text))


class Links:
    """Inline text to Markdown for one page: references become relative links that MkDocs checks."""

    def __init__(self, content: Content, index, page: str, directory_urls: bool = True):
        self.content, self.index, self.page = content, index, page
        self.directory_urls = directory_urls  # MkDocs' use_directory_urls: False in an offline build (page.html)
        self.trees = content.trees  # each text's tree, shared by every page: print pages repeat every section
        self.doc_id = page.split("/", 1)[0]
        self.relative: dict = {}  # target → its address from this page (to, href)
        self.terms = {t["id"]: t for t in content.terms}
        self.seen_terms: set[str] = set()
        self.services = {s["id"]: s for s in content.services}
        self.provisions = content.provisions()

    def to(self, target: str) -> str:
        found = self.relative.get(target)
        if found is None:  # worked out once a page for each target: relpath reads the current folder each time
            found = self.relative[target] = posixpath.relpath(target, posixpath.dirname(self.page) or ".")
        return found

    def new_section(self) -> str:
        """Called by templates where a section starts: abbreviations are spelled out again on first use."""
        self.seen_terms.clear()
        return ""

    def inline(self, text: str) -> str:
        """Inline text (builder/content/inline.py's tree) as Markdown: the text's own characters escaped, so that
        Markdown reads only the markup the tree found."""
        return self._nodes(tree(text, self.trees).nodes, first=True)

    def html(self, text: str) -> str:
        """The same tree as HTML, for blocks that MkDocs passes through without parsing them again: links to
        other pages are written as MkDocs writes them (relative to this page, with or without directory URLs)."""
        return self._nodes(tree(text, self.trees).nodes, as_html=True)

    def href(self, target: str, anchor: str = "") -> str:
        """The address of the page at Markdown path target (and an anchor in it) from this page, as MkDocs
        writes a link: with use_directory_urls, within the page ./#anchor; without (an offline build), a file's
        address, page.html#anchor."""
        key = ("url", target, self.directory_urls)
        url = self.relative.get(key)
        if url is None:
            url = self.relative[key] = relative_url(page_url(target, self.directory_urls),
                                                    page_url(self.page, self.directory_urls))
        return url + ("#" + anchor if anchor else "")

    def _nodes(self, nodes, first: bool = False, as_html: bool = False) -> str:
        parts: list[str] = []
        for n, node in enumerate(nodes):
            if isinstance(node, inline.Text):
                if as_html:
                    parts.append(node.text.translate(_HTML_ESCAPES))
                    continue
                shown = md_text(node.text)
                parts.append(_LEADING_MARKER.sub(_unmark, shown) if first and n == 0 else shown)
            elif isinstance(node, inline.Emphasis):
                only = node.children[0] if len(node.children) == 1 else None
                if type(only) is inline.Text:  # the usual case, without a call for it: as the loop above writes it
                    inner = only.text.translate(_HTML_ESCAPES if as_html else _MD_ESCAPES)
                else:
                    inner = self._nodes(node.children, as_html=as_html)
                tag, mark = ("strong", "**") if node.strong else ("em", "*")
                parts.append(f"<{tag}>{inner}</{tag}>" if as_html else mark + inner + mark)
            elif isinstance(node, inline.Link):
                inner = self._nodes(node.children, as_html=as_html)
                parts.append(f'<a href="{html.escape(node.url)}">{inner}</a>' if as_html else f"[{inner}]({node.url})")
            else:
                shown, expansion = self._ref(node, as_html)
                if expansion and parts:  # "an [[term:SPO]]" reads "a stalking protection order (SPO)"
                    parts[-1] = agree_article(parts[-1], expansion)
                parts.append(shown)
        return "".join(parts)

    def _link(self, words: str, url: str, as_html: bool, title: str = "", inner_html: bool = False) -> str:
        """A link to url showing words (plain text, or HTML already made when inner_html)."""
        if as_html:
            shown = words if inner_html else html.escape(words, quote=False)
            extra = f' title="{html.escape(title)}"' if title else ""
            return f'<a href="{html.escape(url)}"{extra}>{shown}</a>'
        shown = words if inner_html else md_escape(words)
        return f'[{shown}]({url} "{html.escape(title)}")' if title else f"[{shown}]({url})"

    def _page_link(self, words: str, path: str, anchor: str, as_html: bool, inner_html: bool = False) -> str:
        url = self.href(path, anchor) if as_html else f"{self.to(path)}#{anchor}"
        return self._link(words, url, as_html, inner_html=inner_html)

    def _words(self, text: str, as_html: bool) -> str:
        return html.escape(" ".join(text.split()), quote=False) if as_html else md_escape(text)

    def _ref(self, ref: inline.Ref, as_html: bool = False) -> tuple[str, str | None]:
        """A reference as Markdown (or HTML), and the words it starts with when they replace an abbreviation (its
        expansion, on first use), for the article before it to agree with."""
        kind, target, label = ref.kind, ref.target, ref.label
        if kind == "law":
            act, prov = self.provisions[target]
            shown = label or f"{prov['label']} of the {act['title']}"
            link = self._link(shown, prov["url"], as_html, title=prov.get("note") or prov["title"])
            # As legislation.gov.uk marks prospective provisions: the registry's in_force is the single source.
            return (link + NOT_IN_FORCE if prov.get("in_force") is False else link), None
        if kind == "term":
            term = self.terms[target]
            shown = label or term["term"]
            first = target not in self.seen_terms
            self.seen_terms.add(target)
            if not term.get("expansion") or label:
                return self._page_link(shown, "glossary.md", term_anchor(target), as_html), None
            abbr = f'<abbr title="{html.escape(term["expansion"])}">{self._words(shown, as_html)}</abbr>'
            link = self._page_link(abbr, "glossary.md", term_anchor(target), as_html, inner_html=True)
            # GOV.UK style: spell an abbreviation out the first time a section uses it.
            if first:
                return f"{self._words(term['expansion'], as_html)} ({link})", term["expansion"]
            return link, None
        if kind == "service":
            service = self.services[target]
            return (self._link(label or service["name"], service["url"], as_html) +
                    f" (phone {self._words(service['phone'], as_html)})"), None
        doc, _, sid = target.rpartition("/")
        found = self.index.get((doc or self.doc_id, sid))
        if not found:
            return self._words(label or sid.replace("-", " "), as_html), None
        path, section = found
        return self._page_link(label or f"{section.number} {section.title}", path, sid, as_html), None


def page_url(path: str, directory_urls: bool = True) -> str:
    """The address MkDocs gives the page at Markdown path: with use_directory_urls a/b.md → a/b/, a/index.md → a/;
    without (an offline build, browsed from disk) a/b.md → a/b.html, a/index.md → a/index.html."""
    stem = path[:-3] if path.endswith(".md") else path
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return "./"
    return (stem[:-len("/index")] if stem.endswith("/index") else stem) + "/"


def relative_url(url: str, other: str) -> str:
    """url relative to other, both site addresses of pages (mkdocs.utils.get_relative_url, for pages): both end in
    / (directory URLs), or both are files (a/b.html), and then url is relative to the folder other is in."""
    if not other.endswith("/"):
        return posixpath.relpath(url, posixpath.dirname(other) or ".")

    def parts(path: str) -> list[str]:
        path = posixpath.normpath("/" + path)[1:]
        return path.split("/") if path else []
    here, there = parts(other), parts(url)
    common = 0
    for a, b in zip(here, there):
        if a != b:
            break
        common += 1
    rel = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    return rel + "/" if url.endswith("/") else rel


def md_text(text: str) -> str:
    """Text between markup, escaped for Markdown and HTML; its spaces kept as they are."""
    return text.translate(_MD_ESCAPES)


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


def term_anchor(term_id: str) -> str:
    return "term-" + term_id.lower()
