"""Inline text to Markdown, from builder/inline.py's tree: the one place that knows how a reference, a link or a
spelled-out abbreviation is written for MkDocs. Render and archive both use it; it uses neither."""
from __future__ import annotations

import html
import posixpath
import re

from builder import inline
from builder.model import Content

NOT_IN_FORCE = ' <span class="gd-not-in-force">(not yet in force)</span>'
_LEADING_MARKER = re.compile(r"^(\s*)([#>+*-]|\d+[.)])(\s)")  # what would start a heading, quote or list


def _unmark(m: re.Match) -> str:
    """Escape a leading list, heading or quote marker: "\\- ", and "1\\. " (a backslash before a digit is shown)."""
    marker = m.group(2)
    return m.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker) + m.group(3)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|!])")


def md_escape(text: str) -> str:
    """Plain text (a title) made safe to place in Markdown: no markup, no HTML."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split())), quote=False)


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


def term_anchor(term_id: str) -> str:
    return "term-" + term_id.lower()
