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


@dataclass(frozen=True)
class Text:
    text: str
    start: int


@dataclass(frozen=True)
class Emphasis:
    children: tuple
    start: int
    strong: bool = False


@dataclass(frozen=True)
class Link:
    url: str
    children: tuple
    start: int
    url_start: int
    end: int  # just after the closing ")"


@dataclass(frozen=True)
class Ref:
    kind: str
    target: str
    label: str | None
    start: int
    end: int


@dataclass(frozen=True)
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

    def walk(self) -> Iterator[Node]:
        """Every node, depth first, in reading order."""
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, (Emphasis, Link)):
                stack.extend(reversed(node.children))

    def refs(self) -> Iterator[Ref]:
        return (n for n in self.walk() if isinstance(n, Ref))

    def plain(self, ref_words: Callable[[Ref], str] | None = None) -> str:
        """The words a reader sees: markup gone, a reference as ref_words(ref) gives it (by default its label,
        or its target)."""
        words = ref_words or (lambda r: r.label or r.target)
        return "".join(_plain(n, words) for n in self.nodes)


def _plain(node: Node, words) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Ref):
        return words(node)
    return "".join(_plain(n, words) for n in node.children)


class _Next:
    """next(i): the offset of the first of stops at or after i, or len(text). For each stop character the last
    answer is kept with the offset it was asked from; any offset between the two has the same answer. The parser
    asks in increasing order (a link's words only between offsets already asked about), so each search covers new
    ground and all of them together read the text about once per stop character: linear."""

    def __init__(self, text: str, stops: str):
        self.text = text
        self.cache = {c: (1, 0) for c in stops}  # character → (asked from, found at); (1, 0) holds nothing

    def __call__(self, i: int) -> int:
        best = len(self.text)
        for c, (asked, found) in self.cache.items():
            if not asked <= i <= found:
                found = self.text.find(c, i)
                found = len(self.text) if found < 0 else found
                self.cache[c] = (i, found)
            best = min(best, found)
        return best


_SPECIAL = re.compile(r"[\[*]")
_STARS = re.compile(r"\*+")
_FLAW_START = re.compile(r"[<&{!8]|(?m:^[ ]*\[)")


def parse(text: str) -> Inline:
    """Parse one text field. Linear in len(text): each character is looked at a bounded number of times."""
    result = Inline(text)
    # Brackets pair across line breaks: the renderer joins a text's lines, so a link split over two is still one.
    finders = (_Next(text, "]"), _Next(text, ")"))
    result.nodes = tuple(_parse(text, 0, len(text), result.flaws, finders, True))
    _check_flaws(text, result.flaws, _Next(text, "{}\n"), _Next(text, "]\n"))
    result.flaws.sort(key=lambda f: f.start)
    return result


def _parse(text, start, end, flaws, finders, links_allowed) -> list[Node]:
    close_bracket, close_paren = finders
    out: list = []  # nodes, and emphasis markers (marker, offset, can open, can close) not yet paired
    buf_start = start
    i = start

    def flush(upto: int) -> None:
        if upto > buf_start:
            out.append(Text(text[buf_start:upto], buf_start))

    while (m := _SPECIAL.search(text, i, end)) is not None:
        i = m.start()
        if text.startswith("[[", i):
            j = close_bracket(i + 2)
            if j + 1 < end and text[j] == "]" and text[j + 1] == "]":
                flush(i)
                out.append(_reference(text, i, j + 2, flaws))
                i = buf_start = j + 2
                continue
        elif text[i] == "[" and links_allowed:
            j = close_bracket(i + 1)
            if j + 1 < end and text[j] == "]" and text[j + 1] == "(":
                k = close_paren(j + 2)
                if k < end and text[k] == ")":
                    flush(i)
                    out.append(_link(text, i, j, k, flaws, finders))
                    i = buf_start = k + 1
                    continue
        elif text[i] == "*":
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
        if isinstance(item, tuple):
            marker, at, opens, closes = item
            mine = by_kind[marker]
            if closes and mine and openers[mine[-1]][2] + 1 < len(out):
                first = mine[-1]
                _, start, index = openers[first]
                for gone in openers[first:]:
                    by_kind[gone[0]].pop()
                del openers[first:]
                children = tuple(_texts(out[index + 1:]))
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
    """Unpaired markers become text again; neighbouring texts are joined (in one join: linear)."""
    parts: list[str] = []
    start = 0
    for item in items:
        if isinstance(item, tuple):
            item = Text(item[0], item[1])
        if isinstance(item, Text):
            start = start if parts else item.start
            parts.append(item.text)
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


def _check_flaws(text: str, flaws: list[Flaw], close_brace: _Next, close_bracket: _Next) -> None:
    """Raw HTML and entities, attribute lists, images, file inclusions and link definitions, anywhere in the text
    (references' labels included: they are shown to readers too). The first of each kind is reported."""
    seen: set[str] = set()
    n = len(text)
    for m in _FLAW_START.finditer(text):
        i, ch = m.start(), m.group()[-1]
        code = None
        if ch == "<":
            j = i + 1
            while j < n and j - i < 8 and text[j] == " ":
                j += 1
            code = "text.html" if j < n and (text[j].isalpha() or text[j] in "/!?") else None
        elif ch == "&":
            j = i + 1
            while j < n and j - i <= MAX_ENTITY and text[j].isascii() and text[j].isalpha():
                j += 1
            code = "text.html" if text.startswith("&#", i) or j > i + 1 and j < n and text[j] == ";" else None
        elif ch == "{":
            j = close_brace(i + 1)
            code = "text.attributes" if j < n and text[j] == "}" else None
        elif ch == "!":
            code = "text.image" if text.startswith("![", i) else None
        elif ch == "8":
            if text.startswith("8<-", i) and i > 0 and text[i - 1] == "-":
                code, i = "text.snippet", i - 1 - (i > 1 and text[i - 2] == "-")
        elif ch == "[":  # at the start of a line: "[id]: url" defines a link for the whole page
            i = m.end() - 1
            j = close_bracket(i + 1)
            if j + 1 < n and text[j] == "]" and text[j + 1] == ":":
                code, i = "link.definition", j + 1
        if code and code not in seen:
            seen.add(code)
            flaws.append(Flaw(code, i))
