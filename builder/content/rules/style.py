"""style.words-to-avoid and style.sentence-length: GOV.UK's plain English, as readers see the text."""
from __future__ import annotations

import re
from typing import Iterator

from builder.content.rules.context import Context, shown_words, text_as_shown
from builder.content.rules.registry import Finding, example, rule
from builder.content.rules.text import sentences, word_count

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


def literal(pattern: str) -> str:
    """The longest run of plain characters that every match of pattern holds (in lower case): the part outside
    its groups and character classes ("ring[- ]fenc(?:e|ed)" → "fenc")."""
    pieces = re.split(r"\(\?:[^)]*\)\??|\[[^\]]*\]|.\?", pattern.replace(r"\.", "."))
    return max(reversed(pieces), key=len)


# A text holds a word to avoid only if it holds one of these: texts that hold none are not searched.
_LITERALS = sorted({literal(w) for w in WORDS_TO_AVOID})


def _suggestion(found: str) -> str:
    return next(s for w, s in WORDS_TO_AVOID.items() if re.fullmatch(w, found, re.I))


@rule("style.words-to-avoid", "warning", "Words to avoid (GOV.UK style)",
      good=example("support", "Support for victims", "    - id: e2a1\n      para: Police and advocates should work "
                   "together to help the victim stay safe.\n"),
      bad=example("support", "Support for victims", "    - id: e2a1\n      para: Police and advocates should "
                  "collaborate to deliver robust support going forward.\n"))
def words_to_avoid(ctx: Context) -> Iterator[Finding]:
    """GOV.UK asks writers to avoid words that hide what is meant (“deliver”, “facilitate”, “robust”, “going
    forward”) and Latin abbreviations that screen readers stumble on (“e.g.”, “i.e.”, “etc.”). Each has a plainer
    replacement in the message; see https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style#words-to-avoid."""
    for doc in ctx.documents:
        texts, scan = ctx.texts(doc), ctx.scan(doc)
        for i in scan.holding(_LITERALS):
            piece = texts[i]
            for m in _AVOID.finditer(scan.masked[i]):
                yield Finding(piece.at(m.start()), f"“{m.group()}” is on the GOV.UK list of words to avoid",
                              f"Instead: {_suggestion(m.group())}.", piece.section)


@rule("style.sentence-length", "warning", "Sentences of 25 words or fewer",
      good=example("reporting", "Reporting stalking", "    - id: e3a1\n      para: Victims can report stalking to "
                   "the police at any time. They do not need evidence first.\n"),
      bad=example("reporting", "Reporting stalking", "    - id: e3a1\n      para: Victims can report stalking to "
                  "the police at any time, and they do not need to have collected any evidence first, because "
                  "officers will gather it themselves as part of the investigation that follows.\n"))
def sentence_length(ctx: Context) -> Iterator[Finding]:
    """Long sentences are hard to follow, above all for readers under stress or reading on a phone. GOV.UK
    advises no more than 25 words (set `max-sentence-words` to change the limit). Words are counted as the reader
    sees them: a `[[law:…]]` reference counts as the provision's full name."""
    limit = ctx.config.max_sentence_words
    for doc in ctx.documents:
        for piece in ctx.texts(doc):
            text = piece.text
            shown = shown_words(text, ctx, doc.id)
            if len(shown) <= 2 * limit or len(shown.split()) <= limit:
                continue  # no more words than the limit in the whole text (n words take 2n - 1 characters)
            for start, end in sentences(shown):
                if len(shown[start:end].split()) <= limit or (n := word_count(shown[start:end])) <= limit:
                    continue
                where = text_as_shown(text, ctx, doc.id)[1]
                yield Finding(piece.at(where[start] if start < len(where) else 0),
                              f"a sentence of {n} words; the limit is {limit}",
                              "Split it into two or more sentences, or turn a series into a list.", piece.section)
