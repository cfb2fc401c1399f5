"""refs.glossary-unused: every glossary entry is referred to, or mentioned, somewhere."""
from __future__ import annotations

import functools
import re
from typing import Iterator

from builder.content import inline
from builder.content.model import Document, Pos
from builder.content.rules.context import Context, folder
from builder.content.rules.registry import Finding, rule


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
    return {r.target for t in texts for r in trees.term_refs(t)}, "\n".join([trees.masked(t) for t in texts])


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
