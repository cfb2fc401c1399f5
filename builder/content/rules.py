"""House rules: editorial checks beyond the schema (validate stage), each with a code, a severity and examples.

`python -m builder.content.rules` rewrites docs/rules.md from this module, so the editors' documentation cannot drift.
"""
from __future__ import annotations

import functools
import inspect
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from builder.content import config
from builder.content import inline
from builder.content.config import Config
from builder.content.fixed_rules import (BUILD_PROBLEMS, COMMAND_PROBLEMS, FILE_PROBLEMS, FIXED, IO_PROBLEMS,
                                         TEXT_PROBLEMS)
from builder.content.load import SourceFile, locator
from builder.content.model import Block, Content, Document, Pos, Problem, Section, sections_by_id

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # the default; [tool.guidance.severity] may change it when `tunable`
    title: str
    doc: str
    good: str  # YAML: a section (or, when `example` is "term", a glossary entry) that passes
    bad: str  # the same, failing
    example: str = "section"
    tunable: bool = True  # severity configurable and the rule waivable per section
    check: Callable | None = None  # None: the check lives in load.py or validate.py and is documented here
    whole_tree: bool = False  # needs every file: skipped while any file fails to load or validate


@dataclass(frozen=True)
class Finding:
    pos: Pos
    message: str
    hint: str
    section: Section | None = None


RULES: dict[str, Rule] = {}


def rule(code: str, severity: str, title: str, good: str, bad: str, example: str = "section",
         whole_tree: bool = False, tunable: bool = True):
    """Register a house rule; its docstring is its documentation."""
    def register(fn):
        RULES[code] = Rule(code, severity, title, inspect.cleandoc(fn.__doc__), good.strip("\n"), bad.strip("\n"),
                           example, tunable, fn, whole_tree)
        return fn
    return register


def codes() -> dict[str, bool]:
    """Every documented code → whether a project may tune it."""
    return {code: r.tunable for code, r in RULES.items()}


def configure(root: Path | None) -> Config:
    """The project's settings for these rules, from [tool.guidance] in root/pyproject.toml."""
    return config.from_pyproject(root, codes())


class Context:
    """What a rule sees: the content, the files it came from, the settings and today's date."""

    def __init__(self, content: Content, sources: dict[str, SourceFile], config: Config, today: date,
                 known=None, folders: set[str] | None = None, usage: dict | None = None):
        self.content, self.sources, self.config, self.today = content, sources, config, today
        self.trees = content.trees  # each text's tree, masked text and term references, worked out once
        # The documents the rules about one document read (those in folders, or all): see check().
        self.documents = [d for d in content.documents if folders is None or folder(d) in folders]
        self.usage = usage or {}  # document folder → its term_usage(), worked out by an earlier check
        self.provisions = content.provisions()
        self.terms = {t["id"]: t for t in content.terms}
        # Glossary ids written but not in the model (their entry has a schema problem), or every id when the
        # glossary cannot be read: abbreviations they cover are not reported as undefined (validate.Known).
        self.written_terms = set(getattr(known, "ids", {}).get("term", ()))
        self.glossary_unknowable = "term" in getattr(known, "unknowable", ())
        # Documents with a chapter, section or block left out of the model: what comes first in them is not known.
        self.incomplete = set(getattr(known, "incomplete", ()))
        self.services = {s["id"]: s for s in content.services}
        self.sections = sections_by_id(content)
        self.whole = not folders  # this check covers what belongs to no document (the registries) too

    def texts(self, doc: Document) -> Iterator[tuple[str, Section | None, Block | None, Callable[[int], Pos]]]:
        """Every piece of reader text in the document in reading order, with a function giving the position of a
        character in it. Withdrawn sections are skipped: readers see only their notice; so are texts over the length
        limit, which validate reports once (text.too-long)."""
        for chapter in doc.chapters:
            src = self.sources.get(chapter.pos.file)
            if chapter.summary and len(chapter.summary) <= inline.MAX_TEXT:
                yield chapter.summary, None, None, locator(src, ("summary",), chapter.summary)
            for section in chapter.sections:
                if section.status == "withdrawn":
                    continue
                for block in section.blocks:
                    for text, sub in block.texts_at():
                        if len(text) <= inline.MAX_TEXT:
                            yield text, section, block, locator(src, block.path + sub, text)

    def display(self, ref: inline.Ref, doc_id: str) -> str:
        """The words a reader sees in place of a [[reference]]."""
        kind, target, label = ref.kind, ref.target, ref.label
        if label:
            return label
        if kind == "law" and target in self.provisions:
            act, prov = self.provisions[target]
            return f"{prov['label']} of the {act['title']}"
        if kind == "term" and target in self.terms:
            return self.terms[target]["term"]
        if kind == "service" and target in self.services:
            return self.services[target]["name"]
        if kind == "section":
            doc, _, sid = target.rpartition("/")
            found = self.sections.get((doc or doc_id, sid))
            return f"1.1 {found.title}" if found else sid  # numbers come at render; 1.1 stands in for one
        return target


def text_as_shown(text: str, ctx: Context, doc_id: str) -> tuple[str, list[int]]:
    """Text as the reader sees it (references as their words, links as their labels, no emphasis marks), with the
    offset in the source text of every character, so that a problem can point at the right place."""
    out: list[str] = []
    where: list[int] = []

    def add(nodes) -> None:
        for node in nodes:
            if isinstance(node, inline.Text):
                out.append(node.text)
                where.extend(range(node.start, node.start + len(node.text)))
            elif isinstance(node, inline.Ref):
                words = ctx.display(node, doc_id)
                out.append(words)
                where.extend([node.start] * len(words))
            else:
                add(node.children)

    add(ctx.trees[text].nodes)
    return "".join(out), where


_NO_STOP = {"e.g", "i.e", "etc", "s", "ss", "sch", "para", "paras", "no", "nos", "mr", "mrs", "ms", "dr", "st",
            "v", "vs", "cf", "art", "reg", "ch", "pt"}
_STOP = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]|\s*$)")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a full stop, question or exclamation mark followed by a capital, a digit
    or the end, except after abbreviations such as e.g. and s. (section)."""
    out, start = [], 0
    for m in _STOP.finditer(text):
        if m.group().startswith(".") and _word_before(text, start, m.start()).lower().rstrip(".") in _NO_STOP:
            continue
        out.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in out if text[s:e].strip()]


def _word_before(text: str, start: int, end: int) -> str:
    """The run of word characters and full stops that ends at `end` (not before `start`): what the pattern
    [\\w.]+$ finds in text[start:end], read backwards from the end instead of tried at every offset."""
    if end > start and text[end - 1] == "\n":
        end -= 1  # $ matches before a final newline too
    i = end
    while i > start and ((ch := text[i - 1]).isalnum() or ch in "._"):
        i -= 1
    return text[i:end]


_ALNUM = re.compile(r"[A-Za-z0-9]")


def word_count(text: str) -> int:
    """The words of text: runs of non-space characters that hold a letter or digit ("—" and "-----" are not words).
    Split first and searched run by run, so that each character is read a bounded number of times: the pattern
    \\S*[A-Za-z0-9]\\S* would read a long run of hyphens again from each of its characters."""
    return sum(1 for run in text.split() if _ALNUM.search(run))


# --- house rules -----------------------------------------------------------------------------------------------

_SECTION_HEAD = """\
- id: {id}
  title: {title}
  audiences: [police]
  status: published
"""


def _example(sid: str, title: str, body: str, extra: str = "") -> str:
    return _SECTION_HEAD.format(id=sid, title=title) + extra + "  blocks:\n" + body


@rule("legal.must-without-basis", "warning", "“Must” needs a cited legal provision",
      good=_example("regard", "Who must have regard", "    - id: e1a1\n      para: Chief officers of police must "
                    "have regard to this guidance, under [[law:cpa-2026/guidance]].\n"),
      bad=_example("recording", "Recording reports", "    - id: e1a1\n      para: Officers must record every "
                   "report of stalking.\n"))
def must_without_basis(ctx: Context) -> Iterator[Finding]:
    """Statutory guidance uses “must” only for what the law requires, and says which law; everything else is
    advice, written as “should”. A sentence containing “must” (or “must not”) passes when its block cites a
    provision with `[[law:…]]` or its section lists the provision in `legal_basis`."""
    for doc in ctx.documents:
        for text, section, block, at in ctx.texts(doc):
            if block is None or section.legal_basis or any("[[law:" in t for t in block.texts()):
                continue
            for m in re.finditer(r"\bmust\b", ctx.trees.masked(text), re.I):
                yield Finding(at(m.start()), "“must” without a cited legal provision",
                              "Cite the provision ([[law:act/section]] in the block, or legal_basis on the section), "
                              "or write “should” if this is advice rather than a legal duty.", section)


WORDS_TO_AVOID = {
    r"deliver(?:s|ed|ing)?": "say what is actually done: give, provide, run or make",
    r"facilitat(?:e|es|ed|ing)": "say how: help, arrange or make possible",
    r"robust(?:ly)?": "say what makes it so: thorough, strong or reliable",
    r"going forward": "from now on, in future, or leave it out",
    r"utili[sz](?:e|es|ed|ing|ation)": "use",
    r"leverag(?:e|es|ed|ing)": "use",
    r"liais(?:e|es|ed|ing)": "work with, talk to",
    r"empower(?:s|ed|ing|ment)?": "allow, let, give the power to",
    r"streamlin(?:e|es|ed|ing)": "simplify",
    r"overarching": "overall, main, or leave it out",
    r"tackl(?:e|es|ed|ing)": "stop, deal with, reduce",
    r"collaborat(?:e|es|ed|ing)": "work with",
    r"commenc(?:e|es|ed|ing)": "start, begin",
    r"initiat(?:e|es|ed|ing)": "start, begin",
    r"dialogue": "talk, discussion",
    r"in order to": "to",
    r"prior to": "before",
    r"whilst": "while",
    r"amongst": "among",
    r"e\.g\.": "for example, such as",
    r"i\.e\.": "that is",
    r"etc\.?": "list the things, or write “and so on”",
    r"ring[- ]fenc(?:e|ed|ing)": "keep for, set aside",
    r"one[- ]stop shop": "single place",
}
_AVOID = re.compile(r"(?<![\w/-])(" + "|".join(f"(?:{w})" for w in WORDS_TO_AVOID) + r")(?![\w/-])", re.I)


def _suggestion(found: str) -> str:
    return next(s for w, s in WORDS_TO_AVOID.items() if re.fullmatch(w, found, re.I))


@rule("style.words-to-avoid", "warning", "Words to avoid (GOV.UK style)",
      good=_example("support", "Support for victims", "    - id: e2a1\n      para: Police and advocates should work "
                    "together to help the victim stay safe.\n"),
      bad=_example("support", "Support for victims", "    - id: e2a1\n      para: Police and advocates should "
                   "collaborate to deliver robust support going forward.\n"))
def words_to_avoid(ctx: Context) -> Iterator[Finding]:
    """GOV.UK asks writers to avoid words that hide what is meant (“deliver”, “facilitate”, “robust”, “going
    forward”) and Latin abbreviations that screen readers stumble on (“e.g.”, “i.e.”, “etc.”). Each has a plainer
    replacement in the message; see https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style#words-to-avoid."""
    for doc in ctx.documents:
        for text, section, _, at in ctx.texts(doc):
            for m in _AVOID.finditer(ctx.trees.masked(text)):
                yield Finding(at(m.start()), f"“{m.group()}” is on the GOV.UK list of words to avoid",
                              f"Instead: {_suggestion(m.group())}.", section)


@rule("style.sentence-length", "warning", "Sentences of 25 words or fewer",
      good=_example("reporting", "Reporting stalking", "    - id: e3a1\n      para: Victims can report stalking to "
                    "the police at any time. They do not need evidence first.\n"),
      bad=_example("reporting", "Reporting stalking", "    - id: e3a1\n      para: Victims can report stalking to "
                   "the police at any time, and they do not need to have collected any evidence first, because "
                   "officers will gather it themselves as part of the investigation that follows.\n"))
def sentence_length(ctx: Context) -> Iterator[Finding]:
    """Long sentences are hard to follow, above all for readers under stress or reading on a phone. GOV.UK
    advises no more than 25 words (set `max-sentence-words` to change the limit). Words are counted as the reader
    sees them: a `[[law:…]]` reference counts as the provision's full name."""
    limit = ctx.config.max_sentence_words
    for doc in ctx.documents:
        for text, section, _, at in ctx.texts(doc):
            shown, where = text_as_shown(text, ctx, doc.id)
            for start, end in sentences(shown):
                n = word_count(shown[start:end])
                if n > limit:
                    yield Finding(at(where[start] if start < len(where) else 0),
                                  f"a sentence of {n} words; the limit is {limit}",
                                  "Split it into two or more sentences, or turn a series into a list.", section)


# Words in capitals that are emphasis, not abbreviations (GOV.UK advises against both, but they are not defined).
SHOUTED = {"MUST", "NOT", "NO", "NEVER", "ALWAYS", "ONLY", "DO", "AND", "OR", "ALL", "ANY", "NOW", "YES", "SHOULD",
           "WILL", "MAY", "STOP"}
_ABBR = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)s?(?![\w-])")  # SPO, SPOs, S-DASH, COVID-19


def _spelled_out(plain: str, start: int, end: int) -> bool:
    """"stalking protection order (SPO)" or "SPO (stalking protection order)"."""
    return (plain[start - 1:start] == "(" and plain[end:end + 1] == ")") or bool(re.match(r"\s\([a-z]", plain[end:], re.I))


def _abbreviations(ctx: Context) -> list[tuple[str, str, Section | None, Callable[[], Pos], bool]]:
    """_found_abbreviations(ctx), worked out once for the two rules that read them."""
    if getattr(ctx, "abbreviations", None) is None:
        ctx.abbreviations = list(_found_abbreviations(ctx))
    return ctx.abbreviations


def _found_abbreviations(ctx: Context) -> Iterator[tuple[str, str, Section | None, Callable[[], Pos], bool]]:
    """(document id, abbreviation, section, where (called for its position only when reported: working out a
    position reads the source lines), spelled out or referenced here) for every abbreviation in
    reading order. A [[term:X]] reference counts as spelled out: readers get its expansion and a glossary link.
    Glossary terms in mixed case (ViSOR) are found by name; others are two or more capitals."""
    mixed = sorted((t["term"] for t in ctx.content.terms
                    if sum(c.isupper() for c in t["term"]) >= 2 and not _ABBR.fullmatch(t["term"])), key=len, reverse=True)
    patterns = [_ABBR] + ([re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, mixed)) + r")(?![\w-])")] if mixed else [])
    for doc in ctx.documents:
        for text, section, _, at in ctx.texts(doc):
            plain = ctx.trees.masked(text)
            found = [(r.start, ctx.terms[r.target]["term"] if r.target in ctx.terms else r.target, True)
                     for r in ctx.trees.term_refs(text) if r.target in ctx.terms or r.target in ctx.written_terms]
            for pattern in patterns:
                for m in pattern.finditer(plain):
                    abbr = m.group(1)
                    if sum(c.isupper() for c in abbr) >= 2 and abbr not in SHOUTED:
                        found.append((m.start(), abbr, _spelled_out(plain, m.start(), m.end())))
            for start, abbr, spelled in sorted(found):
                yield doc.id, abbr, section, functools.partial(at, start), spelled


@rule("style.abbreviation-undefined", "warning", "Abbreviations are in the glossary",
      good=_example("orders", "Orders", "    - id: e4a1\n      para: The court can make a [[term:SPO]] to protect "
                    "the victim.\n"),
      bad=_example("orders", "Orders", "    - id: e4a1\n      para: Refer the case to the multi-agency "
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
    for doc_id, abbr, section, where, _ in _abbreviations(ctx):
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
      good=_example("orders", "Orders", "    - id: e5a1\n      para: The court can make a stalking protection "
                    "order (SPO). An SPO lasts at least two years.\n"),
      bad=_example("orders", "Orders", "    - id: e5a1\n      para: The court can make an SPO. An SPO lasts at least "
                   "two years.\n"))
def abbreviation_first_use(ctx: Context) -> Iterator[Finding]:
    """GOV.UK asks for an abbreviation to be spelled out the first time it is used: “stalking protection order
    (SPO)”. In this guidance a `[[term:SPO]]` reference also counts, because readers get the expansion and a link
    to the glossary. The first use in each document is checked, in reading order (not while part of the document
    has a problem that keeps it from being read: its first use may be there)."""
    known = set(ctx.config.known_abbreviations)
    seen = set()
    for doc_id, abbr, section, where, spelled in _abbreviations(ctx):
        if (doc_id, abbr) in seen or abbr in known or doc_id in ctx.incomplete:
            continue
        seen.add((doc_id, abbr))
        if not spelled:
            yield Finding(where(), f"first use of '{abbr}' in this document is not spelled out",
                          f"Write [[term:{abbr}]] here (readers get its expansion and a glossary link), or the words "
                          f"in full followed by ({abbr}).", section)


@rule("refs.glossary-unused", "info", "Every glossary entry is used",
      good="- id: harassment\n  term: harassment\n  definition: A course of conduct that alarms a person or causes "
           "them distress. (The text mentions harassment, so the entry is used.)",
      bad="- id: ABC\n  term: ABC\n  expansion: a body nobody mentions\n  definition: An organisation that no "
          "section refers to.", example="term", whole_tree=True)
def glossary_unused(ctx: Context) -> Iterator[Finding]:
    """A glossary entry that no text refers to, or mentions, is probably left over from an earlier draft. It is
    reported as information: remove it, or refer to it with `[[term:ID]]` where readers need it."""
    definitions = [t["definition"] for t in ctx.content.terms if len(t["definition"]) <= inline.MAX_TEXT]
    refs = {r.target for text in definitions for r in ctx.trees.term_refs(text)}
    plains = ["\n".join(ctx.trees.masked(text) for text in definitions)]
    for doc in ctx.content.documents:
        doc_refs, doc_plain = ctx.usage.get(folder(doc)) or term_usage(doc, ctx.trees)
        refs |= doc_refs
        plains.append(doc_plain)
    glossary = next((s for s in ctx.sources.values() if s.kind == "glossary"), None)
    for i, term in enumerate(ctx.content.terms):
        if term["id"] in refs or any(_mentions(plain, term["term"]) for plain in plains):
            continue
        pos = glossary.pos(("terms", i, "id")) if glossary else Pos("content/glossary.yaml")
        yield Finding(pos, f"glossary entry '{term['id']}' is not used anywhere",
                      f"Remove it, or refer to it in text as [[term:{term['id']}]].")


def term_usage(doc: Document, trees: inline.Trees) -> tuple[set[str], str]:
    """What glossary_unused reads of one document: the terms its texts refer to, and its texts with references
    and link targets blanked, one a line (a term is found as a word of its own, never across lines)."""
    texts = [doc.summary] + [c.summary for c in doc.chapters if c.summary]
    texts += [t for c in doc.chapters for s in c.sections for b in s.blocks for t in b.texts()]
    texts = [t for t in texts if len(t) <= inline.MAX_TEXT]  # a longer one is text.too-long, and not read
    return {r.target for t in texts for r in trees.term_refs(t)}, "\n".join(trees.masked(t) for t in texts)


def folder(doc: Document) -> str:
    """The folder a document's files sit in (its id may differ, which is a problem of its own)."""
    return doc.pos.file.split("/")[1]


@functools.lru_cache(maxsize=4096)  # a document's kept term usage is searched again only for a new term
def _mentions(plain: str, term: str) -> bool:
    """term in plain as a word of its own (not inside a longer word or hyphenated name): each place str.find
    finds it (fast) is tried with the pattern (a pattern searched through the whole text is ~20 times slower)."""
    whole = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")
    at = plain.find(term)
    while at != -1:
        if whole.match(plain, at):
            return True
        at = plain.find(term, at + 1)
    return False


@rule("review.overdue", "warning", "Sections are reviewed by their review date",
      good=_example("orders", "Orders", "    - id: e6a1\n      para: Courts can make an order to protect a victim.\n",
                    extra="  review_by: 2099-03-31\n"),
      bad=_example("orders", "Orders", "    - id: e6a1\n      para: Courts can make an order to protect a victim.\n",
                   extra="  review_by: 2020-03-31\n"))
def review_overdue(ctx: Context) -> Iterator[Finding]:
    """Statutory guidance must stay accurate as the law and practice change. A section whose `review_by` date has
    passed is reported until someone reviews it and sets the next date. `guidance validate --strict` (as run in
    CI) fails on it."""
    for doc in ctx.documents:
        for section in doc.sections():
            if section.review_by and section.status != "withdrawn" and \
                    date.fromisoformat(section.review_by) < ctx.today:
                src = ctx.sources.get(section.pos.file)
                yield Finding(src.pos(section.path + ("review_by",)) if src else section.pos,
                              f"section '{section.id}' was due for review by {section.review_by}",
                              "Review the section, then set review_by to the next review date.", section)


@rule("review.missing", "warning", "Sections ready to publish have a review date",
      good=_example("orders", "Orders", "    - id: e7a1\n      para: Courts can make an order to protect a victim.\n",
                    extra="  review_by: 2099-03-31\n").replace("status: published", "status: ready"),
      bad=_example("orders", "Orders", "    - id: e7a1\n      para: Courts can make an order to protect a victim.\n"
                   ).replace("status: published", "status: ready"))
def review_missing(ctx: Context) -> Iterator[Finding]:
    """A section moves to `ready` when it is fit to publish, and published guidance is reviewed by a date: set
    `review_by` before the section is published, so that `review.overdue` can remind the team when it is due."""
    suggested = date(ctx.today.year + 1, ctx.today.month, min(ctx.today.day, 28)).isoformat()
    for doc in ctx.documents:
        for section in doc.sections():
            if section.status == "ready" and not section.review_by:
                src = ctx.sources.get(section.pos.file)
                yield Finding(src.pos(section.path + ("status",)) if src else section.pos,
                              f"section '{section.id}' is ready to publish but has no review date",
                              f"Add a line under status: review_by: {suggested} (the date by which it must be "
                              "reviewed).", section)


@rule("audience.note-unseen", "warning", "Notes are for the section's audiences",
      good=_example("orders", "Orders", "    - id: e8a1\n      para: Courts can make an order to protect a victim.\n"
                    "      notes:\n        police: Apply for an interim order if the risk is high.\n"),
      bad=_example("orders", "Orders", "    - id: e8a1\n      para: Courts can make an order to protect a victim.\n"
                   "      notes:\n        teachers: Tell the designated safeguarding lead.\n"))
def note_unseen(ctx: Context) -> Iterator[Finding]:
    """A note speaks to one audience, and only readers of that audience's view are meant to act on it. A note for
    an audience the section is not for (often left behind when the section's `audiences` changed) is never in
    that audience's view, because the section is not: either the section is for them too, or the note has gone
    stale."""
    for doc in ctx.documents:
        for section in doc.sections():
            if "all" in section.audiences:
                continue
            src = ctx.sources.get(section.pos.file)
            for block in section.blocks:
                for audience in block.notes:
                    if audience in section.audiences or audience not in {a["id"] for a in ctx.content.audiences}:
                        continue
                    yield Finding(src.pos(block.path + ("notes", audience), key=True) if src else block.pos,
                                  f"a note for {audience}, but section '{section.id}' is for "
                                  f"{', '.join(section.audiences)} only",
                                  f"Remove the note, or add {audience} to the section's audiences "
                                  f"([{', '.join(section.audiences + [audience])}]).", section)


# What guidance writes for an editor to replace: the text of a new section, and the fields of the glossary entry a
# hint gives to paste. Found anywhere in reader text, they mean the editor has not yet written it.
PLACEHOLDERS = ("Write the first paragraph of this section here.",
                "what the letters stand for, if it is an abbreviation", "what the letters stand for",
                "What it means, in a sentence readers can follow.")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


@rule("content.placeholder", "warning", "Placeholder text is replaced before publishing",
      good=_example("orders", "Orders", "    - id: e9a1\n      para: Courts can make an order to protect a victim.\n"),
      bad=_example("orders", "Orders", "    - id: e9a1\n      para: Write the first paragraph of this section here.\n"),
      tunable=False)
def placeholder(ctx: Context) -> Iterator[Finding]:
    """`guidance new section` writes “Write the first paragraph of this section here.” for you to replace, and the
    glossary entry a hint gives you to paste says “what the letters stand for” and “What it means, in a sentence
    readers can follow.”. Left in, readers would see them. A warning while you write (the preview shows the draft
    as it is), so `guidance validate --strict` (as CI runs it) fails on it, and `guidance publish` refuses to
    publish a section that still holds it."""
    for doc in ctx.documents:
        for text, section, _, at in ctx.texts(doc):
            for m in _PLACEHOLDER.finditer(text):
                yield Finding(at(m.start()), f"“{m.group()}” is placeholder text, still to be written",
                              "Replace it with the text readers should see (or delete the block).", section)
    src = ctx.sources.get("content/glossary.yaml")
    if not ctx.whole or src is None or not isinstance(src.data, dict):
        return
    for i, entry in enumerate(src.data.get("terms") or []):
        if not isinstance(entry, dict):
            continue
        keys = [k for k in ("expansion", "definition") if isinstance(entry.get(k), str)
                and _PLACEHOLDER.search(entry[k])]
        if keys:  # one entry pasted and not filled in is one problem, at its first placeholder
            value = entry[keys[0]]
            name = entry.get("term") or entry.get("id")
            wanted = {"expansion": f"what {name} stands for (or delete the line if it is not an abbreviation)",
                      "definition": f"what {name} means, in a sentence readers can follow"}
            yield Finding(locator(src, ("terms", i, keys[0]), value)(_PLACEHOLDER.search(value).start()),
                          f"the glossary entry for {name} still holds placeholder text in {' and '.join(keys)}",
                          "Write " + "; and ".join(wanted[k] for k in keys) + ".")


for _code, _severity, _title, _doc, _good, _bad in FIXED:
    RULES[_code] = Rule(_code, _severity, _title, inspect.cleandoc(_doc), _good.strip("\n"), _bad.strip("\n"),
                        tunable=False)


# --- applying the rules ----------------------------------------------------------------------------------------

def check(content: Content, sources: dict[str, SourceFile], config: Config, today: date | None = None,
          complete: bool = True, known=None, folders: set[str] | None = None, usage: dict | None = None
          ) -> list[Problem]:
    """Run every house rule, drop what a section has waived (with its reason) or the project has switched off,
    and report exceptions that waive nothing. When some file could not be read (`complete` false), rules about
    the whole tree are skipped: an unreadable chapter would make every term it uses look unused. `known`
    (validate.Known): glossary ids written in entries with problems, so that what they define is not reported.

    folders: check only the documents in these folders, and only the rules that read one document at a time
    (the settings' own problems and the whole-tree rules are left out); an empty set checks only those left
    out, reading each document's term_usage() from usage where it is given. The two together give what one check
    of everything gives (validate.Memo keeps each document's part from one check to the next)."""
    return _check(Context(content, sources, config, today or date.today(), known, folders, usage), content,
                  sources, config, complete, whole=not folders, per_document=folders is None or bool(folders))


def _check(ctx: Context, content: Content, sources: dict[str, SourceFile], config: Config,
           complete: bool, whole: bool = True, per_document: bool = True) -> list[Problem]:
    out = list(config.problems) if whole else []
    used: set[tuple[str, int, str]] = set()
    for code, r in RULES.items():
        severity = config.severity.get(code, r.severity)
        if r.check is None or severity == "off" or (r.whole_tree and not complete):
            continue
        if not (whole if r.whole_tree else per_document):
            continue
        for f in r.check(ctx):
            waiver = _exception(ctx, f.section, code)
            if waiver is not None:
                used.add(waiver)
                continue
            out.append(Problem(f.pos, severity, code, f.message, f.hint))
    for doc in ctx.documents:
        for section in doc.sections():
            for i, exc in _exceptions(ctx, section):
                key = (section.pos.file, section.pos.line, exc["rule"])
                if key not in used and config.severity.get(exc["rule"], "") != "off":
                    src = sources.get(section.pos.file)
                    out.append(Problem(src.pos(section.path + ("exceptions", i)) if src else section.pos, "info",
                                       "rules.unused-exception",
                                       f"section '{section.id}' waives {exc['rule']}, which finds nothing here",
                                       "Remove the exception: the text now follows the rule."))
    return out


def _exceptions(ctx: Context, section: Section) -> list[tuple[int, dict]]:
    """The section's exceptions that name a rule that can be waived, with their place in the list (a faulty one
    is a schema problem of its own, and waives nothing)."""
    src = ctx.sources.get(section.pos.file)
    data = src.data if src else None
    for step in section.path:
        data = data[step] if data is not None else None
    found = data.get("exceptions", []) if isinstance(data, dict) else []
    return [(i, e) for i, e in enumerate(found if isinstance(found, list) else [])
            if isinstance(e, dict) and e.get("rule") in RULES and RULES[e["rule"]].tunable
            and isinstance(e.get("reason"), str) and len(e["reason"]) >= 20]


def _exception(ctx: Context, section: Section | None, code: str) -> tuple[str, int, str] | None:
    if section is None:
        return None
    if any(e["rule"] == code for _, e in _exceptions(ctx, section)):
        return section.pos.file, section.pos.line, code
    return None


# --- documentation ---------------------------------------------------------------------------------------------

def markdown() -> str:
    """docs/rules.md: every rule with its code, default severity, explanation and examples."""
    lines = ["# House rules", "",
             "<!-- Generated by `python -m builder.content.rules` from builder/content/rules.py; edit that file, not this one. -->",
             "", "`guidance validate` checks every content file against its schema and then against these rules. "
             "Each problem names its rule, for example `warning [style.sentence-length]`. Every example below is "
             "run by the test suite (tests/test_rules.py), so it passes or fails exactly as shown.", "",
             "Every problem is reported in one run. A section (or block, or glossary entry) with a schema problem is "
             "left out of the other checks, but the rest of its file is checked; a misspelt field is one problem, and "
             "what it holds is checked under the name it was meant to have. A problem caused by another is not "
             "reported: a reference into a chapter that cannot be read, or to a glossary entry with a mistake in it, "
             "waits for that problem to be fixed.", "",
             "- **error** stops the build; **warning** is reported, and fails `guidance validate --strict` (as run in "
             "CI); **info** is for your attention only.",
             "- Tunable rules can be given another severity, or switched `off`, for the whole project in "
             "`pyproject.toml`:", "",
             "  ```toml", "  [tool.guidance.severity]", '  "style.sentence-length" = "info"', "",
             "  [tool.guidance]", "  max-sentence-words = 25", '  known-abbreviations = ["UK"]', "  ```", "",
             "- A tunable rule can be waived for one section, with the reason recorded for reviewers:", "",
             "  ```yaml", "  exceptions:", "    - rule: style.sentence-length",
             "      reason: The sentence quotes section 2A of the 1997 Act word for word.", "  ```", "",
             "  An exception that no longer waives anything is reported as `info [rules.unused-exception]`.", "",
             "| code | default | tunable | what it checks |", "|---|---|---|---|"]
    for r in RULES.values():
        lines.append(f"| [`{r.code}`](#{r.code.replace('.', '')}) | {r.severity} | {'yes' if r.tunable else 'no'} | "
                     f"{r.title} |")
    for r in RULES.values():
        where = "glossary entry" if r.example == "term" else "section"
        lines += ["", f"## {r.code}", "", f"**{r.title}.** Default severity: {r.severity}. "
                  f"{'Tunable and waivable.' if r.tunable else 'Always applies.'}", "", r.doc, "",
                  f"Passes ({where}):", "", "```yaml", r.good, "```", "", f"Fails ({where}):", "", "```yaml", r.bad,
                  "```"]
    lines += ["", "## Problems with a file as a whole", "",
              "These are errors: the file is not read further and nothing is built until they are fixed.", "",
              "| code | what it means |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in FILE_PROBLEMS.items()]
    lines += ["", "## Problems with one text", "", "| code | what it means |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in TEXT_PROBLEMS.items()]
    lines += ["", "## Problems with an editing command", "",
              "`guidance new section`, `guidance status` and `guidance fmt` check what they are asked to do before "
              "they write anything; when one of these is reported, no file was changed.", "",
              "| code | what it means |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in COMMAND_PROBLEMS.items()]
    lines += ["", "## Problems with a build", "",
              "`guidance build` checks what MkDocs made before it replaces the site. These point at a fault in the "
              "builder rather than in the content: report them.", "", "| code | what it means |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in BUILD_PROBLEMS.items()]
    lines += [] if not IO_PROBLEMS else ["", "## Problems with the files and folders a command uses", "",
              "Any command may report these instead of stopping with an internal error. Each is placed at the file "
              "or folder concerned and says what to do.", "", "| code | what it means |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in IO_PROBLEMS.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if DOCS.is_file() and DOCS.read_text(encoding="utf-8") == markdown() else 1)
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(markdown(), encoding="utf-8")
    print(f"wrote {DOCS.relative_to(Path.cwd()) if DOCS.is_relative_to(Path.cwd()) else DOCS}")
