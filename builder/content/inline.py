"""Inline stage: a reader-visible text parsed once, in time linear in its length, into a small typed tree with the
offset of every part, and the flaws that make it unsafe or unreadable. Validation, the house rules, rendering, the
diff and the leak check read the tree; none of them reads the text again.

The language: *emphasis*, **strong**, [words](https://…) links, and references [[law:act/provision]],
[[term:ID]], [[section:id]], [[section:doc/id]], [[service:id]], each optionally with |words to show. Everything
else is text. Raw HTML, entities, attribute lists, images, file inclusions and link definitions are flaws."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Union

KINDS = ("law", "term", "section", "service")
SAFE_SCHEMES = ("https://", "mailto:")
MAX_ENTITY = 32  # the longest named entity is shorter; scanning stops there, so the scan stays linear
# The most characters one text field may hold (text.too-long): about 1,500 words, several times the longest
# paragraph of the guidance. A longer text is reported once and left out of every other check.
MAX_TEXT = 10_000


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class Emphasis:
    children: tuple
    start: int
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    children: tuple
    start: int
    url_start: int
    end: int  # just after the closing ")"


@dataclass(frozen=True, slots=True)
class Ref:
    kind: str
    target: str
    label: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Flaw:
    """Something the text may not hold. code is a problem code (text.html, text.link, ref.syntax…); detail names
    what was found, for the message."""

    code: str
    start: int
    detail: str = ""


Node = Union[Text, Emphasis, Link, Ref]


@dataclass
class Inline:
    source: str
    nodes: tuple = ()
    flaws: list[Flaw] = field(default_factory=list)
    ref_nodes: tuple | None = field(default=None, compare=False, repr=False)  # refs(), once asked for

    def walk(self) -> Iterator[Node]:
        """Every node, depth first, in reading order."""
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, (Emphasis, Link)):
                stack.extend(reversed(node.children))

    def refs(self) -> tuple[Ref, ...]:
        """Every reference, in reading order (found once: validation, the house rules and render all ask)."""
        if self.ref_nodes is None:
            self.ref_nodes = tuple(n for n in self.walk() if isinstance(n, Ref))
        return self.ref_nodes

    def plain(self, ref_words: Callable[[Ref], str] | None = None) -> str:
        """The words a reader sees: markup gone, a reference as ref_words(ref) gives it (by default its label,
        or its target)."""
        words = ref_words or (lambda r: r.label or r.target)
        return "".join(_plain(n, words) for n in self.nodes)


class Trees(dict):
    """Each text's tree (text → Inline), parsed the first time it is asked for and kept: one per content model
    (Content.trees), so that validation, the house rules, render, the leak check and the diff read one parse of
    each text. Views made from a tree without parsing again are kept beside it: the text masked (references and
    link addresses blanked), its term references, and the tree of the text with its lines joined, as the
    renderer reads it."""

    def __init__(self):
        super().__init__()
        self._masked: dict[str, str] = {}
        self._terms: dict[str, tuple] = {}
        self._joined: dict[str, Inline] = {}

    def __missing__(self, text: str) -> Inline:
        tree = self[text] = parse(text)
        return tree

    def masked(self, text: str) -> str:
        """text with references and link targets blanked, keeping every offset."""
        if "[" not in text:
            return text  # every reference and link starts with "[": nothing to blank
        found = self._masked.get(text)
        if found is None:
            chars = list(text)
            for node in self[text].walk():
                if isinstance(node, Ref):
                    chars[node.start:node.end] = " " * (node.end - node.start)
                elif isinstance(node, Link):
                    close = text.rfind("](", node.start, node.url_start)  # keep the "]", blank "(address)"
                    chars[close + 1:node.end] = " " * (node.end - close - 1)
            found = self._masked[text] = "".join(chars)
        return found

    def term_refs(self, text: str) -> tuple[Ref, ...]:
        if "[[" not in text:
            return ()  # every reference starts with [[: no tree needed
        found = self._terms.get(text)
        if found is None:
            found = self._terms[text] = tuple(r for r in self[text].refs() if r.kind == "term")
        return found

    def joined(self, text: str) -> Inline:
        """The tree of " ".join(text.split()), the text as the renderer reads it (its lines joined), made from
        text's tree: each run of white space one space, none at either end. The parser reads a line break as a
        space (tests/test_inline.py checks the two trees are the same), so this is not a second parse."""
        found = self._joined.get(text)
        if found is None:
            tree = self[text]
            nodes = [_joined(n) for n in tree.nodes]
            if nodes and isinstance(nodes[0], Text):
                first = nodes[0].text.lstrip()
                nodes[0:1] = [Text(first, nodes[0].start)] if first else []
            if nodes and isinstance(nodes[-1], Text):
                last = nodes[-1].text.rstrip()
                nodes[-1:] = [Text(last, nodes[-1].start)] if last else []
            found = self._joined[text] = Inline(" ".join(text.split()), tuple(nodes), tree.flaws)
        return found


_SPACES = re.compile(r"\s+")


def _joined(node: Node) -> Node:
    if isinstance(node, Text):
        return Text(_SPACES.sub(" ", node.text), node.start)
    if isinstance(node, Emphasis):
        return Emphasis(tuple(_joined(c) for c in node.children), node.start, node.strong)
    if isinstance(node, Link):
        return Link(node.url, tuple(_joined(c) for c in node.children), node.start, node.url_start, node.end)
    return node


def _plain(node: Node, words) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Ref):
        return words(node)
    return "".join(_plain(n, words) for n in node.children)


class _Next:
    """next(i): the offset of the first `stop` character at or after i, or len(text). The last answer is kept with
    the offset it was asked from; any offset between the two has the same answer. The parser asks in increasing
    order (a link's words only between offsets already asked about), so each search covers new ground and all of
    them together read the text about once: linear."""

    __slots__ = ("text", "stop", "asked", "found")

    def __init__(self, text: str, stop: str):
        self.text, self.stop = text, stop
        self.asked, self.found = 1, 0  # holds nothing

    def __call__(self, i: int) -> int:
        if not self.asked <= i <= self.found:
            found = self.text.find(self.stop, i)
            self.asked, self.found = i, len(self.text) if found < 0 else found
        return self.found


_SPECIAL = re.compile(r"[\[*]")
_REF_OR_STARS = re.compile(r"\[\[|\*")  # where no link can start: inside one, or with no ")" left to close one
_STARS_ONLY = re.compile(r"\*")  # with no "]" left to close a link or a reference
_BRACKETS = re.compile(r"\[+")
_STARS = re.compile(r"\*+")


# Every node and flaw starts at one of these characters: a text without any is one Text and has no flaws.
_MARKUP = re.compile(r"[\[*<&{]")


def markup_free(text: str) -> bool:
    """Whether text holds none of the characters a node or a flaw starts with: its tree is the text as one Text,
    without references or flaws (what parse() makes of it at once)."""
    return _MARKUP.search(text) is None


def parse(text: str) -> Inline:
    """Parse one text field. Linear in len(text): each character is looked at a bounded number of times, and runs
    of brackets or stars that cannot start anything are passed over by a pattern, not character by character."""
    if markup_free(text):  # plain words, most texts: what the parser would make of them, at once
        return Inline(text, (Text(text, 0),) if text else (), ref_nodes=())
    result = Inline(text)
    spans = _whole_references(text)
    if spans is not None:  # references alone (most texts with markup): what the parser would make of them
        out: list = []  # as _parse keeps them: texts as (text, offset), and nodes
        at = 0
        for start, end in spans:
            if start > at:
                out.append((text[at:start], at))
            out.append(_reference(text, start, end, result.flaws))
            at = end
        if at < len(text):
            out.append((text[at:], at))
        result.nodes = tuple(_texts(out))
    else:
        # Brackets pair across line breaks: the renderer joins a text's lines, so a link split over two is one.
        finders = (_Next(text, "]"), _Next(text, ")"))
        result.nodes = tuple(_parse(text, 0, len(text), result.flaws, finders, True))
    _check_flaws(text, result.flaws)
    result.flaws.sort(key=lambda f: f.start)
    return result


def _whole_references(text: str) -> list[tuple[int, int]] | None:
    """(start, end) of each [[…]] in a text whose only markup is references written whole: no star, and no
    bracket but the two that open and the two that close each reference. None for any other text."""
    if "*" in text:
        return None
    spans: list[tuple[int, int]] = []
    at = 0
    while (start := text.find("[[", at)) != -1:
        end = text.find("]]", start + 2)
        if end == -1:
            return None
        at = end + 2
        spans.append((start, at))
    brackets = 2 * len(spans)  # any bracket besides these, inside a reference or out, makes a count differ
    return spans if text.count("[") == brackets and text.count("]") == brackets else None


def _parse(text, start, end, flaws, finders, links_allowed) -> list[Node]:
    close_bracket, close_paren = finders
    out: list = []  # nodes, texts as (text, offset), and emphasis markers (marker, offset, can open, can close)
    special = _SPECIAL if links_allowed else _REF_OR_STARS
    buf_start = start
    i = start

    def flush(upto: int) -> None:
        if upto > buf_start:
            out.append((text[buf_start:upto], buf_start))

    while (m := special.search(text, i, end)) is not None:
        i = m.start()
        if text[i] == "[":
            j = close_bracket(i + 1)
            if j + 1 >= end:  # no "]" left to close anything: from here on only stars can be markup
                special = _STARS_ONLY
                i += 1
                continue
            if text.startswith("[[", i):
                j = close_bracket(i + 2)
                if j + 1 < end and text[j] == "]" and text[j + 1] == "]":
                    flush(i)
                    out.append(_reference(text, i, j + 2, flaws))
                    i = buf_start = j + 2
                    continue
                # Every "[" of this run but its last finds the same "]" and fails the same way: try the last.
                i = _BRACKETS.match(text, i, end).end() - 1
                continue
            if links_allowed and text[j + 1] == "(":
                k = close_paren(j + 2)
                if k < end and text[k] == ")":
                    flush(i)
                    out.append(_link(text, i, j, k, flaws, finders))
                    i = buf_start = k + 1
                    continue
                if k >= end:  # no ")" left to close a link: from here on only references and stars
                    special = _REF_OR_STARS
        else:
            run = _STARS.match(text, i, end).end() - i
            # As in Markdown: a marker opens before a word and closes after one ("5 * 3 * 2" has no emphasis);
            # three or more stars in a row are not markup here.
            opens = run < 3 and i + run < end and not text[i + run].isspace()
            closes = run < 3 and i > start and not text[i - 1].isspace()
            if opens or closes:
                flush(i)
                out.append(("*" * run, i, opens, closes))
                buf_start = i + run
            i += run
            continue
        i += 1
    flush(end)
    return _emphasis(out)


def _emphasis(items: list) -> list[Node]:
    """Pair emphasis markers left to right: a closing marker closes the nearest open one of the same kind that has
    something between them, and markers opened in between become text. Each kind keeps its own stack of openers,
    so pairing stays linear however the markers are mixed."""
    out: list = []
    openers: list[tuple[str, int, int]] = []  # (marker, offset, index in out), in order
    by_kind: dict[str, list[int]] = {"*": [], "**": []}  # positions in openers
    for item in items:
        if isinstance(item, tuple) and len(item) == 4:
            marker, at, opens, closes = item
            mine = by_kind[marker]
            if closes and mine and openers[mine[-1]][2] + 1 < len(out):
                first = mine[-1]
                _, start, index = openers[first]
                for gone in openers[first:]:
                    by_kind[gone[0]].pop()
                del openers[first:]
                inner = out[index + 1:]
                children = ((Text(*inner[0][:2]),) if len(inner) == 1 and isinstance(inner[0], tuple)
                            else tuple(_texts(inner)))
                del out[index:]
                out.append(Emphasis(children, start, strong=marker == "**"))
                continue
            if opens:
                mine.append(len(openers))
                openers.append((marker, at, len(out)))
            item = (marker, at)
        out.append(item)
    return list(_texts(out))


def _texts(items: list) -> Iterator[Node]:
    """Texts, kept as (text, offset) while parsing, and unpaired markers become Text; neighbouring texts are joined
    (in one join: linear)."""
    parts: list[str] = []
    start = 0
    for item in items:
        if isinstance(item, tuple) or isinstance(item, Text):
            piece, at = item[:2] if isinstance(item, tuple) else (item.text, item.start)
            start = start if parts else at
            parts.append(piece)
            continue
        if parts:
            yield Text("".join(parts), start)
            parts = []
        yield item
    if parts:
        yield Text("".join(parts), start)


def _reference(text: str, start: int, end: int, flaws: list[Flaw]) -> Node:
    inner = text[start + 2:end - 2]
    kind, colon, rest = inner.strip().partition(":")
    target, bar, label = rest.partition("|")
    if not colon or kind not in KINDS or not target.strip() or "|" in label or (bar and not label.strip()):
        flaws.append(Flaw("ref.syntax", start, inner))
        return Text(text[start:end], start)
    return Ref(kind, target.strip(), label.strip() if bar else None, start, end)


def _link(text, start, close, paren, flaws, finders) -> Node:
    inner = text[close + 2:paren]
    url = inner.strip().split(None, 1)[0] if inner.strip() else ""
    url_start = close + 2 + (len(inner) - len(inner.lstrip()))
    if not url.startswith(SAFE_SCHEMES) or any(c in url for c in "<>\"'`\\"):
        flaws.append(Flaw("text.link", url_start, url))
    children = _parse(text, start + 1, close, flaws, finders, False)
    return Link(url, tuple(children), start, url_start, paren + 1)


# The flaws, each found by one search (only the first of each kind is reported), so that a text of nothing but "<"
# or "{" costs one pass of the pattern engine, not a Python step per character.
_HTML_TAG = re.compile(r"<[ ]{0,7}(?:[^\W\d_]|[/!?])")  # a letter (checked with isalpha below), "/", "!" or "?"
_ENTITY = re.compile(r"&(?:#|[A-Za-z]{1,%d};)" % MAX_ENTITY)
_ATTRIBUTES = re.compile(r"\{[^{}\n]*\}")
_IMAGE = re.compile(r"!\[")
_SNIPPET = re.compile(r"-8<-")
_DEFINITION = re.compile(r"(?m)^[ ]*\[[^\]\n]*\]:")


def _may_have_flaws(text: str) -> bool:
    """Whether text holds what any of the patterns above needs to match (five searches at C speed)."""
    return "<" in text or "&" in text or "{" in text or "![" in text or "]:" in text


def _check_flaws(text: str, flaws: list[Flaw]) -> None:
    """Raw HTML and entities, attribute lists, images, file inclusions and link definitions, anywhere in the text
    (references' labels included: they are shown to readers too). The first of each kind is reported."""
    if not _may_have_flaws(text):
        return  # most texts with markup hold references and emphasis alone
    found: dict[str, int] = {}

    def first(code: str, at: int | None) -> None:
        if at is not None and (code not in found or at < found[code]):
            found[code] = at

    first("text.html", next((m.start() for m in _HTML_TAG.finditer(text)
                             if text[m.end() - 1] in "/!?" or text[m.end() - 1].isalpha()), None))
    first("text.html", (m := _ENTITY.search(text)) and m.start())
    first("text.attributes", (m := _ATTRIBUTES.search(text)) and m.start())
    first("text.image", (m := _IMAGE.search(text)) and m.start())
    if (m := _SNIPPET.search(text)) is not None:  # "--8<--" is reported from its first hyphen
        first("text.snippet", m.start() - (m.start() > 0 and text[m.start() - 1] == "-"))
    first("link.definition", (m := _DEFINITION.search(text)) and m.end() - 1)
    flaws.extend(Flaw(code, at) for code, at in found.items())
