"""Validate stage: JSON Schema per file (schema.py), then the model is built from every part that can be read
(assemble.py), and cross-references are checked (references.py); the house rules are builder/content/rules/.

Every problem is found in one run: a file that fails its schema still gives the sections (and blocks, and registry
entries) that passed, so their references and house rules are checked too. A problem caused by another is left
out: a reference into a chapter that cannot be read, or to a glossary entry written with a mistake, is not
reported, because fixing the root cause is what the editor needs to do."""
from __future__ import annotations

from builder.content import blame
from builder.content import rules
from builder.content import translations
from builder.content.config import Config
from builder.content.load import SourceFile
from builder.content.model import Content, Problem
from builder.content.validate.assemble import build_content
from builder.content.validate.memo import Memo
from builder.content.validate.references import known_ids, reference_problems
from builder.content.validate.schema import schema_check, schema_problems

__all__ = ["Memo", "model", "validate"]


def validate(files: list[SourceFile], config: Config | None = None, complete: bool = True,
             unreadable: set[str] | frozenset[str] = frozenset(), memo: Memo | None = None, base=None
             ) -> tuple[Content, list[Problem]]:
    """Check every file against its schema, build the model from every part that passed, and check references
    and house rules there, in that order. `unreadable`: paths of content files that could not be loaded at all.
    memo: what an earlier validate() of the same tree found, document by document (see Memo); the problems are
    the same, in another order. base: the base branch's ids, asked for only when two sections or blocks share one
    (builder.history.base.at_base)."""
    problems, readable, cuts = _schema_pass(files)
    # Two sections or blocks with one id: one problem, on the copy (blame.py, which reads the base branch's ids
    # from `base` only when it finds one); the copy is left out of the model until it is fixed.
    collisions, left_out = blame.duplicates(readable, cuts, base)
    problems += collisions
    for path, paths in left_out.items():
        cuts[path] = cuts.get(path, set()) | paths
    complete = complete and not problems and not unreadable
    known = known_ids(files, unreadable)
    known.incomplete = {s[len("section:"):] for s in known.unknowable if s.startswith("section:")} | {
        f.path.split("/")[1] for f in files if f.kind == "chapter" and (f.path not in cuts or cuts[f.path])}
    content, sources, partial = build_content(readable, cuts, reuse=memo is not None)
    problems += translations.problems(content, sources)
    config = config or Config()
    # The reference checks and the house rules read one parse of each text: content.trees.
    if memo is not None:
        problems += memo.problems(files, content, sources, known, partial, config, complete, unreadable)
    else:
        problems += reference_problems(content, sources, known, partial)
        problems += rules.check(content, sources, config, complete=complete, known=known)
    return content, problems


def _schema_pass(files: list[SourceFile]) -> tuple[list[Problem], list[SourceFile], dict[str, set[tuple]]]:
    """Every file's schema problems, the files (as the model should read them) that hold anything the model can
    use, and the paths of each one's values that failed. A file's check is kept on it: a file read at several
    revisions (one SourceFile, from load_entries' cache) is checked once."""
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
        if view is not None:
            view.schema_problems = found  # a view that reads a misspelt key under its meant name is a copy
            readable.append(view)
            cuts[source.path] = cut
    return problems, readable, cuts


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
