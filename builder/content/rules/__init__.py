"""House rules: editorial checks beyond the schema (validate stage), each with a code, a severity and examples.

One module a family of rules, each rule a function registered with @rule (registry.py), whose docstring is its
documentation: legal.py, style.py (words to avoid, sentence length), abbreviations.py, glossary.py, sections.py
(review dates, notes), placeholder.py. What a rule reads is a Context (context.py). check() below runs them and
applies the project's settings and each section's exceptions. `python -m builder.content.rules` rewrites
docs/rules.md from them (docs.py), so the editors' documentation cannot drift.
"""
from __future__ import annotations

from datetime import date

from builder.content.config import Config
from builder.content.fixed_rules import FIXED
from builder.content.load import SourceFile
from builder.content.model import Content, Problem, Section
from builder.content.rules import abbreviations, glossary, legal, placeholder, sections, style  # noqa: F401
from builder.content.rules.context import Context, folder, text_as_shown
from builder.content.rules.docs import DOCS, markdown
from builder.content.rules.glossary import term_usage
from builder.content.rules.registry import RULES, Finding, Rule, arrange, codes, configure, fixed, rule
from builder.content.rules.text import sentences, word_count

__all__ = ["Context", "DOCS", "Finding", "RULES", "Rule", "check", "codes", "configure", "folder", "markdown",
           "rule", "sentences", "term_usage", "text_as_shown", "word_count"]

# The rules run, and docs/rules.md lists them, family by family in this order; the checks that always apply (in
# load.py and validate/) follow, so that every code is documented in one place.
arrange([legal, style, abbreviations, glossary, sections, placeholder])
for _row in FIXED:
    fixed(*_row)


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
    ctx = Context(content, sources, config, today or date.today(), known, folders, usage)
    whole, per_document = not folders, folders is None or bool(folders)
    out = list(config.problems) if whole else []
    used: set[tuple[str, int, str]] = set()
    for code, r in RULES.items():
        severity = config.severity.get(code, r.severity)
        if r.check is None or severity == "off" or (r.whole_tree and not complete):
            continue
        if not (whole if r.whole_tree else per_document):
            continue
        for f in r.check(ctx):
            waiver = _waiver(ctx, f.section, code)
            if waiver is not None:
                used.add(waiver)
                continue
            out.append(Problem(f.pos, severity, code, f.message, f.hint))
    return out + _unused_exceptions(ctx, config, used)


def _unused_exceptions(ctx: Context, config: Config, used: set[tuple[str, int, str]]) -> list[Problem]:
    """An exception that waived nothing in this check (rules.unused-exception), unless its rule is switched off."""
    out = []
    for doc in ctx.documents:
        for section in doc.sections():
            for i, exc in _exceptions(ctx, section):
                key = (section.pos.file, section.pos.line, exc["rule"])
                if key not in used and config.severity.get(exc["rule"], "") != "off":
                    src = ctx.sources.get(section.pos.file)
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


def _waiver(ctx: Context, section: Section | None, code: str) -> tuple[str, int, str] | None:
    """The exception of section that waives code, as (file, line, code), if it has one."""
    if section is None:
        return None
    if any(e["rule"] == code for _, e in _exceptions(ctx, section)):
        return section.pos.file, section.pos.line, code
    return None
