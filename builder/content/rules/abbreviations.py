"""style.abbreviation-undefined and style.abbreviation-first-use: every abbreviation explained where readers can
find it (the glossary), and spelled out where first used."""
from __future__ import annotations

import functools
import re
from typing import Callable, Iterator

from builder.content.model import Pos, Section
from builder.content.rules.context import Context
from builder.content.rules.registry import Finding, example, rule

# Words in capitals that are emphasis, not abbreviations (GOV.UK advises against both, but they are not defined).
SHOUTED = {"MUST", "NOT", "NO", "NEVER", "ALWAYS", "ONLY", "DO", "AND", "OR", "ALL", "ANY", "NOW", "YES", "SHOULD",
           "WILL", "MAY", "STOP"}
# SPO, SPOs, S-DASH, COVID-19: two or more capitals (counted below), not after a letter, digit, _ or -. The
# look-behind follows the first capital (it reads the character before it and the capital), so that the pattern
# starts with a character class and the engine skips to each capital at C speed.
_ABBR = re.compile(r"([A-Z](?<![\w-].)[A-Z0-9]*(?:-[A-Z0-9]+)*)s?(?![\w-])")

# (document id, abbreviation, section, where, spelled out or referenced here): see _found()
Use = tuple[str, str, Section | None, Callable[[], Pos], bool]


def _spelled_out(plain: str, start: int, end: int) -> bool:
    """"stalking protection order (SPO)" or "SPO (stalking protection order)"."""
    return (plain[start - 1:start] == "(" and plain[end:end + 1] == ")") or bool(re.match(r"\s\([a-z]", plain[end:], re.I))


def uses(ctx: Context) -> list[Use]:
    """_found(ctx), worked out once for the two rules that read it."""
    if ctx.abbreviations is None:
        ctx.abbreviations = list(_found(ctx))
    return ctx.abbreviations


def _patterns(ctx: Context) -> list[re.Pattern]:
    """What an abbreviation looks like: two or more capitals, or a glossary term in mixed case (ViSOR) by name."""
    mixed = sorted((t["term"] for t in ctx.content.terms
                    if sum(c.isupper() for c in t["term"]) >= 2 and not _ABBR.fullmatch(t["term"])), key=len, reverse=True)
    # Each name's first character, then the look-behind (as in _ABBR), then the rest.
    names = "|".join(re.escape(term[0]) + r"(?<![\w-].)" + re.escape(term[1:]) for term in mixed)
    return [_ABBR] + ([re.compile(r"(" + names + r")(?![\w-])")] if mixed else [])


def _found(ctx: Context) -> Iterator[Use]:
    """Every abbreviation in reading order, with where it is (called for its position only when reported: working
    out a position reads the source lines). A [[term:X]] reference counts as spelled out: readers get its
    expansion and a glossary link. Each document's texts are searched as one (Scan): neither pattern reads
    across a line break."""
    patterns = _patterns(ctx)
    for doc in ctx.documents:
        texts, scan = ctx.texts(doc), ctx.scan(doc)
        found: dict[int, list[tuple[int, str, bool]]] = {}
        for i, t in enumerate(texts):
            refs = ctx.trees.term_refs(t.text)
            if refs:
                found[i] = [(r.start, ctx.terms[r.target]["term"] if r.target in ctx.terms else r.target, True)
                            for r in refs if r.target in ctx.terms or r.target in ctx.written_terms]
        for pattern in patterns:
            for i, start, end, m in scan.finditer(pattern):
                abbr = m.group(1)
                if sum(c.isupper() for c in abbr) >= 2 and abbr not in SHOUTED:
                    found.setdefault(i, []).append((start, abbr, _spelled_out(scan.masked[i], start, end)))
        for i in sorted(found):
            t = texts[i]
            for start, abbr, spelled in sorted(found[i]):
                yield doc.id, abbr, t.section, functools.partial(t.at, start), spelled


@rule("style.abbreviation-undefined", "warning", "Abbreviations are in the glossary",
      good=example("orders", "Orders", "    - id: e4a1\n      para: The court can make a [[term:SPO]] to protect "
                   "the victim.\n"),
      bad=example("orders", "Orders", "    - id: e4a1\n      para: Refer the case to the multi-agency "
                  "safeguarding hub (MASH) the same day.\n"))
def abbreviation_undefined(ctx: Context) -> Iterator[Finding]:
    """Readers arrive at any page from a search, so every abbreviation must be explained where they can find it:
    the glossary. An abbreviation (two or more capital letters, such as MASH or S-DASH) that is not a glossary
    term is reported once per document. Well-known ones are listed in `known-abbreviations`."""
    if ctx.glossary_unknowable:
        return  # the glossary cannot be read: its problem is the one to fix
    known = set(ctx.config.known_abbreviations) | {t["term"] for t in ctx.content.terms} | set(ctx.terms) \
        | ctx.written_terms
    seen = set()
    for doc_id, abbr, section, where, _ in uses(ctx):
        if abbr not in known and (doc_id, abbr) not in seen:
            seen.add((doc_id, abbr))
            yield Finding(where(), f"abbreviation '{abbr}' is not in the glossary",
                          f"Write the words out in full, or add {abbr} to content/glossary.yaml under terms and "
                          f"write [[term:{abbr}]]:\n" + _glossary_snippet(abbr), section)


def _glossary_snippet(abbr: str) -> str:
    """A glossary entry to paste, written by a YAML dumper (an id or term may need quoting)."""
    import yaml

    entry = {"id": abbr, "term": abbr, "expansion": "what the letters stand for",
             "definition": "What it means, in a sentence readers can follow."}
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=4096).rstrip()
    return "\n".join("  " + line for line in text.split("\n"))  # as guidance fmt lays out glossary entries


@rule("style.abbreviation-first-use", "warning", "Abbreviations are spelled out where first used",
      good=example("orders", "Orders", "    - id: e5a1\n      para: The court can make a stalking protection "
                   "order (SPO). An SPO lasts at least two years.\n"),
      bad=example("orders", "Orders", "    - id: e5a1\n      para: The court can make an SPO. An SPO lasts at least "
                  "two years.\n"))
def abbreviation_first_use(ctx: Context) -> Iterator[Finding]:
    """GOV.UK asks for an abbreviation to be spelled out the first time it is used: “stalking protection order
    (SPO)”. In this guidance a `[[term:SPO]]` reference also counts, because readers get the expansion and a link
    to the glossary. The first use in each document is checked, in reading order (not while part of the document
    has a problem that keeps it from being read: its first use may be there)."""
    known = set(ctx.config.known_abbreviations)
    seen = set()
    for doc_id, abbr, section, where, spelled in uses(ctx):
        if (doc_id, abbr) in seen or abbr in known or doc_id in ctx.incomplete:
            continue
        seen.add((doc_id, abbr))
        if not spelled:
            yield Finding(where(), f"first use of '{abbr}' in this document is not spelled out",
                          f"Write [[term:{abbr}]] here (readers get its expansion and a glossary link), or the words "
                          f"in full followed by ({abbr}).", section)
