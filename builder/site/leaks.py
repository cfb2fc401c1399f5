"""Draft leaks (site stage): search every built file for the text of sections that are not published."""
from __future__ import annotations

import gzip
import html
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from builder.content import inline

GRAM = 6  # words in a row that identify a passage
SHORT = 3  # shorter passages (most titles) are checked whole when they have at least this many words
# [^<>] rather than [^>]: a tag ends before the next "<", so a text of "< < <" is read in linear time, not quadratic.
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|em|strong|b|i|span|code|mark|ins|del|sub|sup|small|q)\b[^<>]*>", re.IGNORECASE)


def folded_words(text: str) -> list[str]:
    """Lower-case words of text as a reader would see it: tags dropped, entities decoded, compatibility forms
    folded (so "&#83;talking", "ＳＴＡＬＫＩＮＧ" and "stalking" are the same word)."""
    text = re.sub(r"<!--|-->|<!\[CDATA\[|\]\]>", " ", text)
    text = _INLINE_TAGS.sub("", text)
    text = re.sub(r"<[^<>]*>", " ", text)
    text = unicodedata.normalize("NFKC", html.unescape(text)).casefold()
    return re.findall(r"[^\W_]+", text)


def plains(texts: Iterable[str], trees: inline.Trees) -> list[str]:
    """Each content text's own words (its tree's: link addresses and markup left out), with a NUL where a
    [[reference]] stands, since it renders differently: what probes_of reads."""
    return [trees[text].plain(lambda ref: "\0") for text in texts]


def _segments(plain: str) -> list[list[str]]:
    """The runs of words of a text's plain (see plains), split where a reference stands."""
    return [w for part in plain.split("\0") if (w := folded_words(part))]


def _grams(seq: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)}


def probes(hidden: Iterable[str], public: Iterable[str], trees: inline.Trees | None = None
           ) -> dict[int, set[tuple[str, ...]]]:
    """Word sequences that identify unpublished text: every run of GRAM words (or a whole short passage) that
    does not also occur in text the build may show. trees: the content's (a tree of its own for each text
    without)."""
    trees = inline.Trees() if trees is None else trees
    return probes_of(plains(hidden, trees), plains(public, trees))


def probes_of(hidden: list[str], public: list[str]) -> dict[int, set[tuple[str, ...]]]:
    """probes, from the texts' plains."""
    shown = [w for t in public for w in _segments(t)]
    shown_text = " " + " ".join(" ".join(s) for s in shown) + " "
    shown_grams = set().union(*(_grams(s, GRAM) for s in shown)) if shown else set()
    out: dict[int, set[tuple[str, ...]]] = {}
    for text in hidden:
        for seg in _segments(text):
            if len(seg) >= GRAM:
                out.setdefault(GRAM, set()).update(_grams(seg, GRAM) - shown_grams)
            elif len(seg) >= SHORT and f" {' '.join(seg)} " not in shown_text:
                out.setdefault(len(seg), set()).add(tuple(seg))
    return {n: g for n, g in out.items() if g}


def _file_text(path: Path) -> str | None:
    """Every piece of text in a built file, decoded: gzip unpacked, JSON strings parsed (so \\u escapes are
    read), anything not UTF-8 (images, fonts) skipped."""
    data = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        try:
            data, name = gzip.decompress(data), name[:-3]
        except (OSError, EOFError):
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if name.endswith(".json"):
        try:
            return "\n".join(_strings(json.loads(text)))
        except ValueError:
            return text
    return text


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def leaks(site_dir: Path, hidden: Iterable[str], public: Iterable[str] = ()) -> list[str]:
    """Passages of unpublished text found in any file of the built site (pages, search index, sitemaps and their
    .gz), in text, comments or attribute values, compared case- and entity-insensitively: one per file, in the
    order of their paths."""
    found = scan(site_dir, probes(hidden, public))
    return [found[rel] for rel in sorted(found, key=Path)]


def scan(site_dir: Path, wanted: dict[int, set[tuple[str, ...]]], skip: Iterable[str] = ()) -> dict[str, str]:
    """leaks with the probes worked out: each file's path in the site (but those in skip) and what it shows."""
    found: dict[str, str] = {}
    if not wanted:
        return found
    skip = set(skip)
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        if rel in skip or not path.is_file() or (text := _file_text(path)) is None:
            continue
        if (leak := text_leak(rel, text, wanted)) is not None:
            found[rel] = leak
    return found


def text_leak(rel: str, text: str, wanted: dict[int, set[tuple[str, ...]]]) -> str | None:
    """The first passage of unpublished text (probes) that text, file rel of the site, shows, as "rel: 'words…'"."""
    attributes = "\n".join(a or b for a, b in re.findall(r"=\s*\"([^\"]*)\"|=\s*'([^']*)'", text))
    for seq in (folded_words(text), folded_words(attributes)):
        first = min((i for n, grams in wanted.items() for i in range(len(seq) - n + 1)
                     if tuple(seq[i:i + n]) in grams), default=None)
        if first is not None:
            n = max(n for n, grams in wanted.items() if tuple(seq[first:first + n]) in grams)
            return f"{rel}: '{' '.join(seq[first:first + n])}…'"
    return None
