"""Validate stage: JSON Schema per file (schema.py), then the model is built from every part that can be read
(assemble.py), and cross-references are checked (references.py); the house rules are builder/content/rules.py.

Every problem is found in one run: a file that fails its schema still gives the sections (and blocks, and registry
entries) that passed, so their references and house rules are checked too. A problem caused by another is left
out: a reference into a chapter that cannot be read, or to a glossary entry written with a mistake, is not
reported, because fixing the root cause is what the editor needs to do."""
from __future__ import annotations

import functools
from typing import Callable

from builder.content import rules
from builder.content.config import Config
from builder.content.load import SourceFile
from builder.content.model import Content, Problem
from builder.content.validate.assemble import build_content
from builder.content.validate.memo import Memo, split_documents
from builder.content.validate.references import known_ids, reference_problems
from builder.content.validate.schema import schema_check, schema_problems

__all__ = ["Memo", "model", "validate", "validate_later"]


def validate(files: list[SourceFile], config: Config | None = None, complete: bool = True,
             unreadable: set[str] | frozenset[str] = frozenset(), memo: Memo | None = None
             ) -> tuple[Content, list[Problem]]:
    """Check every file against its schema, build the model from every part that passed, and check references
    and house rules there. `unreadable`: paths of content files that could not be loaded at all. memo: what an
    earlier validate() of the same tree found, document by document (see Memo); the problems are the same, in
    another order."""
    content, problems, house_rules = validate_later(files, config, complete, unreadable, memo)
    return content, problems + house_rules()


def validate_later(files: list[SourceFile], config: Config | None = None, complete: bool = True,
                   unreadable: set[str] | frozenset[str] = frozenset(), memo: Memo | None = None,
                   split: bool = False) -> tuple[Content, list[Problem], Callable[[], list[Problem]]]:
    """validate() with the house rules left for later: the model, the schema and reference problems, and a function
    that runs the house rules (once) and returns theirs. The build runs it in another process while it renders.
    With a memo, both are checked at once, document by document, and the function returns nothing more; so with
    split, which shares the documents with a forked child (split_documents)."""
    problems: list[Problem] = []
    readable: list[SourceFile] = []
    cuts: dict[str, set[tuple]] = {}
    for source in files:
        if source.schema_result is None:
            source.schema_result = schema_check(source)
        found, view, cut = source.schema_result
        if source.schema_problems is None:
            source.schema_problems = found
        problems.extend(found)
        complete = complete and not found
        if view is not None:
            view.schema_problems = found  # a view that reads a misspelt key under its meant name is a copy
            readable.append(view)
            cuts[source.path] = cut
    known = known_ids(files, unreadable)
    known.incomplete = {s[len("section:"):] for s in known.unknowable if s.startswith("section:")} | {
        f.path.split("/")[1] for f in files if f.kind == "chapter" and (f.path not in cuts or cuts[f.path])}
    content, sources, partial = build_content(readable, cuts, reuse=memo is not None)
    if memo is not None:
        try:
            problems.extend(memo.problems(files, content, sources, known, partial, config or Config(),
                                          complete and not unreadable, unreadable))
        finally:
            rules.forget()
        return content, problems, lambda: []
    if split:
        problems.extend(split_documents(files, content, sources, known, partial, config or Config(),
                               complete and not unreadable))
        return content, problems, lambda: []
    try:  # the reference checks and the house rules share one parse of each text (rules.parsed)
        problems.extend(reference_problems(content, sources, known, partial))
    except BaseException:
        rules.forget()
        raise

    def house_rules() -> list[Problem]:  # rules.check empties rules.parsed when it returns
        return rules.check(content, sources, config or Config(), complete=complete and not unreadable, known=known)

    return content, problems, functools.cache(house_rules)


def model(files: list[SourceFile]) -> tuple[Content, list[Problem]]:
    """The content model and the schema problems that kept files out of it, without references or house rules:
    what a diff or an archived edition needs (only files that pass whole: an archive never shows half a file)."""
    problems: list[Problem] = []
    valid: list[SourceFile] = []
    for source in files:
        if source.schema_problems is None:  # load_entries' cache gives a blob read at two revisions one SourceFile
            source.schema_problems = schema_problems(source)
        problems.extend(source.schema_problems)
        if not source.schema_problems:
            valid.append(source)
    content, _, _ = build_content(valid, {}, reuse=True)
    return content, problems
