"""Validate stage: JSON Schema per file, then the model is built from every part that can be read, and
cross-references are checked.

Every problem is found in one run: a file that fails its schema still gives the sections (and blocks, and registry
entries) that passed, so their references and house rules are checked too. A problem caused by another is left
out: a reference into a chapter that cannot be read, or to a glossary entry written with a mistake, is not
reported, because fixing the root cause is what the editor needs to do."""
from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Callable, Iterator

import yaml

from builder.content import blame
from builder.content import inline
from builder.content import rules
from builder.content import translations
from builder.content.config import Config
from builder.content.load import SourceFile, locator
from builder.content.model import Block, Chapter, Content, Document, Edition, Pos, Problem, Section, sections_by_id

# schemas/ at the top of the repository, shipped inside the package as builder.schemas (pyproject.toml): found the
# same way in a checkout, an editable install and an installed wheel.
SCHEMA_DIR = resources.files("builder.schemas")
BLOCK_KINDS = ("para", "list", "steps", "callout", "table")
REGISTRY_TABLE_WIDTH = 4  # offence or order, provision, maximum penalty, time limit (builder/render/templates/macros.md.j2)
REGISTRY_TEXTS = ("offence", "max_penalty", "time_limit")
# The list that holds a registry's entries, and the reference kind that names them.
REGISTRY_LISTS = {"audiences": "audiences", "legislation": "acts", "glossary": "terms", "services": "services"}
REGISTRY_REFS = {"audiences": "audience", "legislation": "law", "glossary": "term", "services": "service"}
SECTION_REQUIRED = ("id", "title", "audiences", "status", "blocks")
SECTION_LISTS = ("legal_basis", "sources", "exceptions")


@functools.cache
def _spec(kind: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def schema(kind: str):
    """The full JSON Schema 2020-12 validator (jsonschema): every error, with the paths the problems are placed by.
    Imported on first use: a tree that passes the fast check never needs it."""
    from jsonschema import Draft202012Validator, FormatChecker, validators

    checker = validators.extend(Draft202012Validator, {"pattern": _pattern})
    return checker(_spec(kind), format_checker=FormatChecker())


def _pattern(validator, pattern: str, instance, schema):
    """The keyword pattern as JSON Schema defines it (ECMA 262 regular expressions), where $ is the end of the
    text. Python's $ also matches before a final newline, so jsonschema took 'what-it-is\n' (an id written as a
    | block) as a section id; jsonschema-rs refuses it. Every $ in our schemas ends its pattern."""
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _ecma(pattern: str) -> re.Pattern:
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern)


def _is_date(value) -> bool:
    """format: date exactly as jsonschema's FormatChecker reads it (a real calendar date, not only its shape)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


@functools.cache
def passes(kind: str):
    """A yes/no check of one file against its schema by jsonschema-rs, a validator written in Rust: about thirty
    times faster than fastjsonschema's compiled Python (which it replaced: 13 ms against 0.40 s for the 1,754 files
    of 5,000 sections) and several hundred times faster than jsonschema, so that a sound tree is checked at the
    speed of reading it. Only its yes is trusted: a file it rejects, or cannot take (a number too large for it),
    is checked again by schema() for the problems, so every problem's position and hint are jsonschema's.
    Dates are judged by our own _is_date, as jsonschema's FormatChecker judges them. tests/test_schema_fast.py
    proves it agrees with jsonschema on every file we have, on the invalid corpus and on fuzzed chapters."""
    import jsonschema_rs

    check = jsonschema_rs.validator_for(_spec(kind), formats={"date": _is_date}, validate_formats=True,
                                        ignore_unknown_formats=False, offline=True)

    def ok(data) -> bool:
        try:
            return check.is_valid(data)
        except Exception:  # noqa: BLE001 - data it cannot take: jsonschema decides
            return False

    return ok


@dataclass
class Known:
    """The ids written in the files, whether or not their entries passed the schema, and the kinds of reference
    that cannot be checked because a file holding their targets could not be read. A reference to one of these is
    not reported: the problem that hides its target is the one to fix."""

    sections: dict[str, set[str]] = field(default_factory=dict)  # document folder → section ids
    ids: dict[str, set[str]] = field(default_factory=dict)  # "term", "service", "law", "audience" → ids
    unknowable: set[str] = field(default_factory=set)  # "term", …, or "section:<doc>"
    incomplete: set[str] = field(default_factory=set)  # documents some of whose text is not in the model

    def exists(self, kind: str, target: str, doc: str = "") -> bool:
        if kind == "section":
            return f"section:{doc}" in self.unknowable or target in self.sections.get(doc, set())
        return kind in self.unknowable or target in self.ids.get(kind, set())


def validate(files: list[SourceFile], config: Config | None = None, complete: bool = True,
             unreadable: set[str] | frozenset[str] = frozenset(), memo: Memo | None = None, base=None
             ) -> tuple[Content, list[Problem]]:
    """Check every file against its schema, build the model from every part that passed, and check references
    and house rules there. `unreadable`: paths of content files that could not be loaded at all. memo: what an
    earlier validate() of the same tree found, document by document (see Memo); the problems are the same, in
    another order."""
    content, problems, house_rules = validate_later(files, config, complete, unreadable, memo, base=base)
    return content, problems + house_rules()


def validate_later(files: list[SourceFile], config: Config | None = None, complete: bool = True,
                   unreadable: set[str] | frozenset[str] = frozenset(), memo: Memo | None = None,
                   split: bool = False, base=None) -> tuple[Content, list[Problem], Callable[[], list[Problem]]]:
    """validate() with the house rules left for later: the model, the schema and reference problems, and a function
    that runs the house rules (once) and returns theirs. The build runs it in another process while it renders.
    With a memo, both are checked at once, document by document, and the function returns nothing more; so with
    split, which shares the documents with a forked child (_split)."""
    problems: list[Problem] = []
    readable: list[SourceFile] = []
    cuts: dict[str, set[tuple]] = {}
    for source in files:
        if source.schema_result is None:
            source.schema_result = _schema_check(source)
        found, view, cut = source.schema_result
        if source.schema_problems is None:
            source.schema_problems = found
        problems.extend(found)
        complete = complete and not found
        if view is not None:
            view.schema_problems = found  # a view that reads a misspelt key under its meant name is a copy
            readable.append(view)
            cuts[source.path] = cut
    # Two sections or blocks with one id: one problem, on the copy (blame.py, which reads the base branch's ids
    # from `base` only when it finds one); the copy is left out of the model until it is fixed.
    collisions, left_out = blame.duplicates(readable, cuts, base)
    if collisions:
        problems.extend(collisions)
        complete = False
        for path, paths in left_out.items():
            cuts[path] = cuts.get(path, set()) | paths
    known = known_ids(files, unreadable)
    known.incomplete = {s[len("section:"):] for s in known.unknowable if s.startswith("section:")} | {
        f.path.split("/")[1] for f in files if f.kind == "chapter" and (f.path not in cuts or cuts[f.path])}
    content, sources, partial = build_content(readable, cuts, reuse=memo is not None)
    problems.extend(translations.problems(content, sources))
    if memo is not None:
        try:
            problems.extend(memo.problems(files, content, sources, known, partial, config or Config(),
                                          complete and not unreadable, unreadable))
        finally:
            rules.forget()
        return content, problems, lambda: []
    if split:
        problems.extend(_split(files, content, sources, known, partial, config or Config(),
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


class Memo:
    """Each document folder's reference and house-rule problems, kept from one validate() to the next: the live
    preview checks the same tree on every save, and a save changes one file. A folder's part is checked again
    when one of its files changed (a file unchanged is the same SourceFile object: load_entries' cache) or when
    anything its checks read from outside it did (_shared_key: the registries, every id written, every section's
    title and status, the settings, the day); the checks across documents (duplicate ids, the registries' texts,
    unused glossary entries, from each document's kept term usage) run every time."""

    def __init__(self):
        self.parts: dict[str, tuple] = {}  # folder → (key, the files its key names, problems, term usage)

    def problems(self, files: list[SourceFile], content: Content, sources: dict[str, SourceFile], known: Known,
                 partial: set[str], config: Config, complete: bool, unreadable) -> list[Problem]:
        today = date.today()
        registries = [f for f in files if f.kind in REGISTRY_LISTS]
        shared = _shared_key(registries, content, known, partial, config, complete, unreadable, today)
        own = _folders(files, content)
        out: list[Problem] = []
        usage: dict[str, tuple] = {}
        parts = {}
        for folder in sorted(own):
            key = (shared, tuple((f.path, id(f)) for f in own[folder]))
            part = self.parts.get(folder)
            if part is None or part[0] != key:
                found, use = _document_part(content, sources, known, partial, config, today, complete, folder)
                part = (key, own[folder] + registries, found, use)  # the files keep the ids in key theirs
            parts[folder] = part
            out += part[2]
            if part[3] is not None:
                usage[folder] = part[3]
        self.parts = parts
        return out + _across_documents(content, sources, known, partial, config, today, complete, usage)


def _folders(files: list[SourceFile], content: Content) -> dict[str, list[SourceFile]]:
    """Each document folder (of a document in the model, or holding a file) → its files."""
    own: dict[str, list[SourceFile]] = {rules.folder(d): [] for d in content.documents}
    for f in files:
        if f.kind in ("document", "chapter"):
            own.setdefault(f.path.split("/")[1], []).append(f)
    return own


def _document_part(content: Content, sources: dict[str, SourceFile], known: Known, partial: set[str],
                   config: Config, today: date, complete: bool, folder: str) -> tuple[list[Problem], tuple | None]:
    """One document folder's reference and house-rule problems, and its term usage (rules.term_usage), which the
    checks across documents read."""
    found = reference_problems(content, sources, known, partial, folders={folder}, whole=False)
    docs = [d for d in content.documents if rules.folder(d) == folder]
    use = rules.term_usage(docs[0]) if len(docs) == 1 else None
    found += rules.check(content, sources, config, today, complete, known, folders={folder})
    return found, use


def _across_documents(content: Content, sources: dict[str, SourceFile], known: Known, partial: set[str],
                      config: Config, today: date, complete: bool, usage: dict[str, tuple]) -> list[Problem]:
    """The checks that _document_part leaves out: duplicate ids, the registries' texts, unused glossary entries."""
    out = reference_problems(content, sources, known, partial, folders=set(), whole=True)
    return out + rules.check(content, sources, config, today, complete, known, folders=set(), usage=usage)


def _split(files: list[SourceFile], content: Content, sources: dict[str, SourceFile], known: Known,
           partial: set[str], config: Config, complete: bool) -> list[Problem]:
    """The reference checks and house rules of every document, shared with a forked child (each takes the next
    document, largest first, until none is left), then the checks across documents: what Memo gives, in about
    half the time. A document the child took but did not report (no child could be forked, or it died) is
    checked here (builder/later.py)."""
    from builder.later import Counter, start

    today = date.today()
    own = _folders(files, content)
    order = sorted(own, key=lambda f: (-len(own[f]), f))
    counter = Counter()

    def check_some() -> dict[str, tuple[list[Problem], tuple | None]]:
        done = {}
        while (i := counter.take()) < len(order):
            done[order[i]] = _document_part(content, sources, known, partial, config, today, complete, order[i])
        return done

    try:
        [child] = start(check_some)
        parts = check_some()
        parts.update(child.result())
        problems, usage = [], {}
        for folder in sorted(own):
            found, use = parts.get(folder) or _document_part(content, sources, known, partial, config, today,
                                                             complete, folder)
            problems += found
            if use is not None:
                usage[folder] = use
        return problems + _across_documents(content, sources, known, partial, config, today, complete, usage)
    finally:
        rules.forget()


def _shared_key(registries: list[SourceFile], content: Content, known: Known, partial: set[str], config: Config,
                complete: bool, unreadable, today: date) -> tuple:
    """What the checks of one document read from outside its folder."""
    return (tuple((f.path, id(f)) for f in registries),
            tuple(sorted((d, tuple(sorted(ids))) for d, ids in known.sections.items())),
            tuple(sorted((k, tuple(sorted(ids))) for k, ids in known.ids.items())),
            tuple(sorted(known.unknowable)), tuple(sorted(known.incomplete)),
            tuple((d.id, d.pos.file, s.id, s.title, s.status) for d in content.documents for s in d.sections()),
            tuple(sorted(partial)), config, complete, tuple(sorted(unreadable)), today)


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


def known_ids(files: list[SourceFile], unreadable=frozenset()) -> Known:
    """Every id written in the files, valid or not (see Known)."""
    known = Known()
    for rel in unreadable:
        parts = rel.split("/")
        if len(parts) == 2 and parts[1].endswith((".yaml", ".yml")) and parts[1].rsplit(".", 1)[0] in REGISTRY_REFS:
            known.unknowable.add(REGISTRY_REFS[parts[1].rsplit(".", 1)[0]])
        elif len(parts) == 3:
            known.unknowable.add(f"section:{parts[1]}")
    for f in files:
        data = f.data if isinstance(f.data, dict) else {}
        if f.kind == "chapter":
            doc = f.path.split("/")[1]
            ids = known.sections.setdefault(doc, set())
            entries = data.get("sections")
            if not isinstance(entries, list) or not all(isinstance(s, dict) and isinstance(s.get("id"), str)
                                                        for s in entries):
                known.unknowable.add(f"section:{doc}")
            ids.update(w for s in entries or () if isinstance(s, dict) and isinstance(s.get("id"), str)
                       for w in _written(s["id"]))
        elif f.kind in REGISTRY_LISTS:
            kind = REGISTRY_REFS[f.kind]
            ids = known.ids.setdefault(kind, set())
            entries = data.get(REGISTRY_LISTS[f.kind])
            if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("id"), str)
                                                        for e in entries):
                known.unknowable.add(kind)
                continue
            if kind != "law":
                ids.update(w for e in entries for w in _written(e["id"]))
                continue
            for act in entries:
                provisions = act.get("provisions")
                if not isinstance(provisions, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str)
                                                               for p in provisions):
                    known.unknowable.add("law")
                    continue
                ids.update(f"{act['id']}/{p['id']}" for p in provisions)
    return known


def _written(ident: str) -> tuple[str, ...]:
    """An id as written, and as meant when it has spaces or a line break around it (an id written as a | block
    ends in one): a reference to the meant id is left to the id's own schema problem."""
    return (ident, ident.strip()) if ident != ident.strip() else (ident,)


def schema_problems(source: SourceFile) -> list[Problem]:
    return _schema_check(source)[0]


def _schema_check(source: SourceFile) -> tuple[list[Problem], SourceFile | None, set[tuple]]:
    """The file's schema problems, one per mistake; the file as the model should read it (a misspelt field read
    under the name it was meant to have), or None when nothing of it can be read; and the paths of the values
    that are wrong, which the model leaves out."""
    if passes(source.kind)(source.data):
        return [], source, set()
    errors = list(schema(source.kind).iter_errors(source.data))
    if not errors:
        return [], source, set()
    renamed: dict[tuple, str] = {}  # path of a misspelt key (as written) → the field it was meant to be
    moved: dict[tuple, tuple] = {}  # path of a key written at its parent's indent → the path it was meant to have
    problems: list[tuple[tuple, Problem]] = []
    for e in errors:
        path = tuple(e.absolute_path)
        if e.validator == "additionalProperties" and isinstance(e.instance, dict):
            allowed = sorted(e.schema.get("properties", {}))
            under = _under_empty(source, path, e.instance, allowed)
            if under is not None:
                empty, keys = under
                moved.update({path + (k,): path + (empty, k) for k in keys})
                problems.append((path + (keys[0],), _not_indented(source, path, empty, keys)))
            for key in (k for k in e.instance if k not in allowed and path + (k,) not in moved):
                meant = _suggest(str(key), allowed, "field")
                if meant and meant not in e.instance:
                    renamed[path + (key,)] = meant
                problems.append((path + (key,), _unknown_field(source, path, key, allowed, meant,
                                                               present=meant in e.instance)))
    fixed = source
    if renamed or moved:
        data = copy.deepcopy(source.data)
        for where in sorted(renamed, key=len, reverse=True):
            parent = _at(data, where[:-1])
            parent[renamed[where]] = parent.pop(where[-1])
        for where, meant in moved.items():
            parent = _at(data, where[:-1])
            if not isinstance(parent.get(meant[-2]), dict):
                parent[meant[-2]] = {}
            parent[meant[-2]][where[-1]] = parent.pop(where[-1])
        renamed_paths = {w: w[:-1] + (name,) for w, name in renamed.items()} | moved
        fixed = dataclasses.replace(source, data=data, schema_problems=None, schema_result=None, chapter=None,
                                    values=_renamed(source.values, renamed_paths),
                                    keys=_renamed(source.keys, renamed_paths))
        errors = list(schema(source.kind).iter_errors(data))
    meant_paths = {w[:-1] + (name,): w for w, name in renamed.items()} | {m: w for w, m in moved.items()}
    cuts: set[tuple] = set()
    for e in errors:
        path = tuple(e.absolute_path)
        if e.validator == "additionalProperties":
            continue  # reported above, from the file as written
        missing = re.search(r"'([^']+)' is a required property", e.message) if e.validator == "required" else None
        cuts.add(path + (missing.group(1),) if missing else path)
        if missing and path + (missing.group(1),) in meant_paths:
            continue  # the misspelt key is the one problem
        written = _written_path(path, meant_paths)
        problems.append((written, _explain(source, e, written)))
    problems.sort(key=lambda p: [str(s) for s in p[0]])
    return [p for _, p in problems], _readable(fixed, cuts), cuts


def _renamed(table: dict[tuple, tuple[int, int]], renamed: dict[tuple, tuple]) -> dict[tuple, tuple[int, int]]:
    """Positions of a file's values, with those under a misspelt (or misplaced) key also found under the path it
    was meant to have (where the model reads them)."""
    out = dict(table)
    for written, meant_path in renamed.items():
        n = len(written)
        out.update({meant_path + path[n:]: pos for path, pos in table.items() if path[:n] == written})
    return out


def _under_empty(source: SourceFile, path: tuple, instance: dict, allowed: list[str]) -> tuple | None:
    """(an empty field, the unknown keys after it) when those keys were written at the field's indent and belong
    under it (notes: with police: beside it instead of under it): the keys are what the field should hold, and
    are read there. None when the unknown keys are not that mistake (a misspelt field, say)."""
    keys = list(instance)
    for i, empty in enumerate(keys):
        if instance[empty] is not None or empty not in allowed:
            continue
        after = []
        for key in keys[i + 1:]:
            if key in allowed or _suggest(str(key), allowed, "field"):
                break
            after.append(key)
        where = source.keys.get(path + (empty,))
        if not after or where is None or any(source.keys.get(path + (k,), (0, -1))[1] != where[1] for k in after):
            continue
        trial = copy.deepcopy(source.data)
        parent = _at(trial, path)
        parent[empty] = {k: parent.pop(k) for k in after}
        if not any(tuple(e.absolute_path)[:len(path) + 1] == path + (empty,) and e.validator in ("type", "$ref")
                   and not tuple(e.absolute_path)[len(path) + 1:] for e in schema(source.kind).iter_errors(trial)):
            return empty, after
    return None


def _not_indented(source: SourceFile, path: tuple, empty: str, keys: list) -> Problem:
    named = " and ".join(f"`{k}:`" for k in keys[:3]) + (" …" if len(keys) > 3 else "")
    return Problem(source.pos(path + (keys[0],), key=True), "error", "schema.indentation",
                   f"`{keys[0]}:` is at the same indent as `{empty}:` above it, so {_context(source, path)} "
                   f"has an empty `{empty}:` and an unknown field '{keys[0]}'",
                   f"Indent {named} under `{empty}:` (two more spaces than `{empty}:`).")


def _at(data, path: tuple):
    for step in path:
        data = data[step]
    return data


def _written_path(path: tuple, meant_paths: dict[tuple, tuple]) -> tuple:
    """path, with any field read under its meant name given back the key the editor wrote (for positions)."""
    for n in range(len(path), 0, -1):
        if path[:n] in meant_paths:
            return meant_paths[path[:n]] + path[n:]
    return path


def _readable(source: SourceFile, cuts: set[tuple]) -> SourceFile | None:
    """source, when enough of it is sound to hold anything the model can use; else None."""
    data = source.data
    if not isinstance(data, dict) or () in cuts:
        return None
    if source.kind == "chapter":
        if any(c[:1] in (("id",), ("title",)) and not isinstance(data.get(c[0]), str) for c in cuts) \
                or ("sections",) in cuts or not isinstance(data.get("sections"), list):
            return None
    elif source.kind in REGISTRY_LISTS:
        entries = REGISTRY_LISTS[source.kind]
        if (entries,) in cuts or not isinstance(data.get(entries), list):
            return None
    return source


def _distance(a: str, b: str, substitute: bool = True) -> int:
    """Edit distance (optimal string alignment: a transposition counts as one edit). Without `substitute`, only
    insertions, deletions and transpositions count, so DSO is not one edit from DSL."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            change = 0 if a[i - 1] == b[j - 1] else (1 if substitute else 99)
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + change)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _suggest(word: str, options, kind: str) -> str | None:
    """The one option close enough to word to be what was meant, or None. A suggestion that could be a different
    thing is worse than none (ISVA is not ISAC), so: the same letters in another case; for an abbreviation, one
    letter added, dropped or swapped with its neighbour; for field names and ids, one edit (two in longer names).
    An option with a line break or space at its end, or an invisible character, is a problem of its own
    (an id written as a | block), never one to copy."""
    options = [o for o in options if isinstance(o, str) and o.isprintable() and o == o.strip()]
    same_case = [o for o in options if o.lower() == word.lower() and o != word]
    if len(same_case) == 1:
        return same_case[0]
    if kind == "abbreviation":
        scored = [(o, _distance(word.upper(), o.upper(), substitute=False)) for o in options]
        limit = 1
    else:
        scored = [(o, _distance(word, o)) for o in options]
        limit = 1 if len(word) <= 5 else 2
    close = [(d, o) for o, d in scored if 0 < d <= limit]
    if not close:
        return None
    best = min(d for d, _ in close)
    picks = [o for d, o in close if d == best]
    return picks[0] if len(picks) == 1 else None


def _unknown_field(source: SourceFile, path: tuple, key, allowed: list[str], meant: str | None,
                   present: bool = False) -> Problem:
    where = _context(source, path)
    if meant and present:
        return Problem(source.pos(path + (key,), key=True), "error", "schema.additionalProperties",
                       f"{where} has an unknown field '{key}' beside '{meant}'",
                       f"Delete the '{key}:' line (and what it holds): '{meant}:' is already there.")
    if meant:
        return Problem(source.pos(path + (key,), key=True), "error", "schema.additionalProperties",
                       f"{where} has an unknown field '{key}'; did you mean '{meant}'?",
                       f"Rename '{key}:' to '{meant}:'. Allowed fields: {', '.join(allowed)}.")
    return Problem(source.pos(path + (key,), key=True), "error", "schema.additionalProperties",
                   f"{where} has an unknown field '{key}'", f"Allowed fields: {', '.join(allowed)}.")


def _context(source: SourceFile, path: tuple) -> str:
    """Name the thing at path for a message: "section 'sdash'", "block 3 of section 'sdash'", "the file"."""
    data, names = source.data, []
    for i, step in enumerate(path):
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            break
        parent = path[i - 1] if i else None
        if isinstance(data, dict):
            if parent == "sections":
                names.append(f"section '{data.get('id', step + 1)}'")
            elif parent == "blocks":
                names.append(f"block {step + 1}")
            elif parent == "sources":
                names.append(f"source {step + 1}")
            elif isinstance(step, int):
                names.append(f"entry '{data.get('id', step + 1)}'")
    return " of ".join(reversed(names)) or "the file"


def _snippet(data, indent: int = 0) -> str:
    """YAML to paste, written by a dumper so that any value is quoted as it must be, indented as guidance fmt lays
    out the place it goes (a registry's entries two spaces in, an act's provisions six)."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096,
                          indent=2).rstrip()
    return "\n".join(" " * indent + line for line in text.split("\n"))


def _explain(source: SourceFile, e, path: tuple | None = None) -> Problem:
    """Turn a jsonschema error into a positioned problem in the editor's words; path: where the editor wrote it."""
    path = tuple(e.absolute_path) if path is None else path
    where = _context(source, path)
    field_name = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
    code = f"schema.{e.validator}"
    desc = e.schema.get("description", "") if isinstance(e.schema, dict) else ""
    if e.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", e.message)
        name = missing.group(1) if missing else "a field"
        if name in ("withdrawn", "reason") and _withdrawn_section(source, path):
            at = source.pos(path + ("status",)) if name == "withdrawn" else source.pos(path, key=True)
            return Problem(at, "error", "status.withdrawn-reason",
                           f"{where} is withdrawn but does not say {'why' if name == 'reason' else 'when or why'}",
                           "Readers see the reason in the section's place. Add (or run guidance status SECTION "
                           "withdrawn --reason \"…\"):\n" + _snippet({"withdrawn": {
                               "date": "YYYY-MM-DD", "reason": "Why it was withdrawn and where to look instead."}}))
        sub = e.schema.get("properties", {}).get(name, {}).get("description") or _describe(source.kind, name)
        return Problem(source.pos(path), "error", code, f"{where} has no '{name}'",
                       f"Add '{name}:'. {sub}".strip())
    if e.validator == "oneOf" and path and isinstance(e.instance, dict) and "para" in str(e.schema.get("oneOf")):
        present = [k for k in BLOCK_KINDS if k in e.instance]
        what = "none" if not present else " and ".join(present)
        return Problem(source.pos(path), "error", "schema.block-kind",
                       f"{where} has {what} of para, list, steps, callout, table; it needs exactly one",
                       "Split it into one block per kind, each starting with '- ' in the blocks list.")
    if e.validator == "enum":
        options = ", ".join(map(str, e.validator_value))
        close = _suggest(str(e.instance), [str(v) for v in e.validator_value], "field")
        hint = f"Did you mean '{close}'? " if close else ""
        return Problem(source.pos(path), "error", code,
                       f"{field_name} of {where} is '{e.instance}'; it must be one of: {options}", f"{hint}{desc}".strip())
    if e.validator == "format":
        return Problem(source.pos(path), "error", "schema.date",
                       f"{field_name} of {where} is '{e.instance}', not a real date",
                       "Write dates as YYYY-MM-DD, for example 2027-03-31.")
    if e.validator == "type":
        want = e.validator_value if isinstance(e.validator_value, str) else " or ".join(e.validator_value)
        words = {"string": "text", "array": "a list", "object": "a mapping of fields", "boolean": "true or false",
                 "integer": "a whole number"}
        got = {str: "text", list: "a list", dict: "a mapping", bool: "true/false", int: "a number",
               float: "a number", type(None): "empty"}.get(type(e.instance), type(e.instance).__name__)
        return Problem(source.pos(path), "error", code,
                       f"{field_name} of {where} should be {words.get(want, want)}, not {got}",
                       desc or "Check the indentation: a list item starts with '- '.")
    if e.validator == "pattern":
        return Problem(source.pos(path), "error", code,
                       f"{field_name} of {where} ({_short(e.instance)}) is not in the expected form",
                       desc or f"It must match {e.validator_value}.")
    if e.validator == "minLength" and e.validator_value > 1 and e.instance:
        return Problem(source.pos(path), "error", code,
                       f"{field_name} of {where} is too short (at least {e.validator_value} characters)", desc)
    if e.validator in ("minItems", "minLength", "minProperties"):
        return Problem(source.pos(path), "error", code, f"{field_name} of {where} is empty",
                       desc or "Fill it in or remove it.")
    if e.validator == "uniqueItems":
        return Problem(source.pos(path), "error", code, f"{field_name} of {where} lists the same value twice",
                       "Remove the repeat.")
    return Problem(source.pos(path), "error", code, f"{field_name} of {where}: {e.message}",
                   desc or "See the schema's description of this field.")


def _withdrawn_section(source: SourceFile, path: tuple) -> bool:
    """Whether path is a section with status withdrawn, or the withdrawn field of one."""
    if path[-1:] == ("withdrawn",):
        path = path[:-1]
    try:
        node = _at(source.data, path)
    except (KeyError, IndexError, TypeError):
        return False
    return source.kind == "chapter" and len(path) == 2 and isinstance(node, dict) and node.get("status") == "withdrawn"


def _describe(kind: str, name: str) -> str:
    """The description of property `name` anywhere in the kind's schema (for rules written in if/then)."""
    def walk(node):
        if isinstance(node, dict):
            prop = node.get("properties", {}).get(name)
            if isinstance(prop, dict) and prop.get("description"):
                return prop["description"]
            for value in node.values():
                if (found := walk(value)):
                    return found
        elif isinstance(node, list):
            for value in node:
                if (found := walk(value)):
                    return found
        return ""
    return walk(schema(kind).schema)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def build_content(files: list[SourceFile], cuts: dict[str, set[tuple]] | None = None, reuse: bool = False
                  ) -> tuple[Content, dict[str, SourceFile], set[str]]:
    """Assemble the content tree from files (with `cuts`, the paths of each file's values that failed the schema,
    which are left out). Returns it, the files keyed by path, and the documents whose document.yaml had problems
    (their own fields may be stand-ins, so checks of them are skipped). reuse: a file's chapter is the one built
    from the same file object before: two revisions that share a file share its chapter (the diff numbers a
    chapter that sits at another place on the other side in a copy: review.diff._numbered)."""
    cuts = cuts or {}
    by_path = {f.path: f for f in files}
    registry = {f.kind: _registry(f, cuts.get(f.path, set())) for f in files if f.kind in REGISTRY_LISTS}
    documents, partial = [], set()
    for doc_file in (f for f in files if f.kind == "document"):
        folder = doc_file.path.rsplit("/", 1)[0]
        chapters = [c for f in files if f.kind == "chapter" and f.path.rsplit("/", 1)[0] == folder
                    if (c := (_built_chapter if reuse else _chapter)(f, cuts.get(f.path, set()))) is not None]
        doc = _document(doc_file, chapters, cuts.get(doc_file.path, set()))
        if cuts.get(doc_file.path):
            partial.add(doc.id)
        documents.append(doc)
    documents.sort(key=lambda d: (d.order, d.id))
    content = Content(documents=documents, audiences=registry.get("audiences", []), acts=registry.get("legislation", []),
                      terms=registry.get("glossary", []), services=registry.get("services", []),
                      search_words=[w for f in files if f.kind == "glossary" for w in _search_words(f, cuts.get(f.path, set()))])
    translations.build([f for f in files if f.kind in translations.KINDS and not cuts.get(f.path)], content)
    return content, by_path, partial


def _search_words(f: SourceFile, cuts: set[tuple]) -> list[dict]:
    """glossary.yaml's search_words entries that passed the schema."""
    words = f.data.get("search_words") if isinstance(f.data, dict) else None
    if not isinstance(words, list) or ("search_words",) in cuts:
        return []
    bad = {c[1] for c in cuts if c[:1] == ("search_words",) and len(c) > 1}
    return [w for i, w in enumerate(words) if i not in bad]


def _registry(f: SourceFile, cuts: set[tuple]) -> list[dict]:
    """A registry's entries that passed the schema (for legislation, an act keeps its sound provisions)."""
    name = REGISTRY_LISTS[f.kind]
    bad = {c[1] for c in cuts if c[:1] == (name,) and len(c) > 1 and not _provision_cut(f.kind, c)}
    out = []
    for i, entry in enumerate(f.data[name]):
        if i in bad:
            continue
        if f.kind == "legislation":
            dropped = {c[3] for c in cuts if c[:2] == (name, i) and _provision_cut(f.kind, c)}
            entry = dict(entry, provisions=[p for j, p in enumerate(entry["provisions"]) if j not in dropped])
        out.append(entry)
    return out


def _provision_cut(kind: str, cut: tuple) -> bool:
    return kind == "legislation" and len(cut) > 3 and cut[2] == "provisions"


_DOCUMENT_STAND_INS = {"title": "", "short_title": "", "summary": "", "status_note": "", "issued_under": "",
                       "must_have_regard": [], "extent": "", "version": "", "editions": [], "order": 100}


def _document(f: SourceFile, chapters: list[Chapter], cuts: set[tuple]) -> Document:
    """The document, with stand-ins for fields that failed the schema so that its chapters are still checked."""
    d = f.data if isinstance(f.data, dict) else {}
    bad = {c[0] for c in cuts if c}

    def get(name):
        return _DOCUMENT_STAND_INS[name] if name in bad or () in cuts or name not in d else d[name]

    editions = []
    if "editions" not in bad and () not in cuts:
        for i, e in enumerate(d.get("editions", [])):
            if not any(c[:2] == ("editions", i) for c in cuts):
                editions.append(Edition(version=e["version"], date=e["date"], note=e["note"], major=e["major"],
                                        commit=e.get("commit"), cleared_by=list(e.get("cleared_by") or []),
                                        pos=f.pos(("editions", i))))
    doc_id = d.get("id") if isinstance(d.get("id"), str) and "id" not in bad else f.path.split("/")[1]
    # A body written as {body, audiences} concerns those audiences only: their role pages list it (issue 15).
    regard = [w for w in get("must_have_regard") if isinstance(w, str) or isinstance((w or {}).get("body"), str)]
    return Document(
        id=doc_id, title=get("title"), short_title=get("short_title"), summary=get("summary"),
        status_note=get("status_note"), issued_under=get("issued_under"),
        must_have_regard=[w if isinstance(w, str) else w["body"] for w in regard],
        body_audiences={w["body"]: list(w.get("audiences") or []) for w in regard if isinstance(w, dict)},
        extent=get("extent"), version=get("version"), editions=editions, chapters=chapters, pos=f.pos(()),
        order=get("order"), regard_audiences=None if "regard_audiences" in bad else d.get("regard_audiences"),
        owners=[] if "owners" in bad else list(d.get("owners") or []),
        languages=["en"] if "languages" in bad else list(d.get("languages") or ["en"]),
    )


def _built_chapter(f: SourceFile, cuts: set[tuple]) -> Chapter | None:
    """_chapter(f, cuts), built once per file object: the model is only read after it is built (render numbers
    a copy), so a file checked again (validate.Memo) gives the same chapter."""
    if f.chapter is None or f.chapter[0] != cuts:
        f.chapter = (set(cuts), _chapter(f, cuts))
    return f.chapter[1]


def _chapter(f: SourceFile, cuts: set[tuple] = frozenset()) -> Chapter | None:
    """The chapter with every section and block that passed the schema, at their places in the file (paths and
    numbers count the ones left out)."""
    sections = []
    summary = f.data.get("summary") if ("summary",) not in cuts else None
    for si, s in enumerate(f.data["sections"]):
        mine = [c[2:] for c in cuts if c[:2] == ("sections", si)]
        section = _section(f, si, s, mine) if mine else _sound_section(f, si, s)
        if section is not None:
            sections.append(section)
    return Chapter(id=f.data["id"], title=f.data["title"], summary=summary, sections=sections, pos=f.pos(()))


def _sound_section(f: SourceFile, si: int, s: dict) -> Section:
    blocks = [_block(f, si, bi, b, b.get("notes", {})) for bi, b in enumerate(s["blocks"])]
    return Section(
        id=s["id"], title=s["title"], audiences=s["audiences"], status=s["status"], blocks=blocks,
        pos=f.pos(("sections", si)), legal_basis=s.get("legal_basis", []), sources=s.get("sources", []),
        review_by=s.get("review_by"), withdrawn=s.get("withdrawn"), path=("sections", si),
    )


def _block(f: SourceFile, si: int, bi: int, b: dict, notes: dict) -> Block:
    kind = next(k for k in BLOCK_KINDS if k in b)
    path = ("sections", si, "blocks", bi)
    return Block(id=b.get("id"), kind=kind, value=b[kind], notes=notes, pos=f.pos(path), path=path)


def _section(f: SourceFile, si: int, s, cuts: list[tuple]) -> Section | None:
    """A section some of whose values failed the schema: None when what is wrong is what makes it a section
    (its audiences, status or blocks list, or an id or title that is not text); otherwise the section without
    the faulty optional fields, list items and blocks."""
    if not isinstance(s, dict):
        return None
    for c in cuts:
        if not c or (c[0] in SECTION_REQUIRED and c[0] not in ("id", "title") and not (c[0] == "blocks" and len(c) > 1)):
            return None
        if c[0] in ("id", "title") and not isinstance(s.get(c[0]), str):
            return None
    cut_fields = {c[0] for c in cuts}
    items = {name: {c[1] for c in cuts if c[0] == name and len(c) > 1} for name in SECTION_LISTS}
    blocks = []
    for bi, b in enumerate(s["blocks"]):
        mine = [c[2:] for c in cuts if c[:2] == ("blocks", bi)]
        notes = b.get("notes", {}) if isinstance(b, dict) else {}
        if any(not m or m[0] in BLOCK_KINDS or (m[0] == "id" and not isinstance(b.get("id"), str)) for m in mine):
            continue
        if any(m[:1] == ("notes",) for m in mine):
            dropped = {m[1] for m in mine if m[:1] == ("notes",) and len(m) > 1}
            notes = {} if any(m == ("notes",) for m in mine) or not isinstance(notes, dict) else \
                {a: t for a, t in notes.items() if a not in dropped}
        blocks.append(_block(f, si, bi, b, notes))

    def optional(name, default):
        if name not in s or (name in cut_fields and name not in SECTION_LISTS):
            return default
        if name in SECTION_LISTS and (name,) in cuts:
            return default
        return [v for i, v in enumerate(s[name]) if i not in items.get(name, ())] if name in SECTION_LISTS else s[name]

    return Section(
        id=s["id"], title=s["title"], audiences=s["audiences"], status=s["status"], blocks=blocks,
        pos=f.pos(("sections", si)), legal_basis=optional("legal_basis", []), sources=optional("sources", []),
        review_by=optional("review_by", None), withdrawn=optional("withdrawn", None), path=("sections", si),
    )


def _flaw_words(flaw: inline.Flaw) -> tuple[str, str, str]:
    """The code, message and hint of a flaw the inline parser found."""
    if flaw.code == "ref.syntax":
        return ("ref.syntax", f"reference [[{flaw.detail}]] is not in the form [[kind:id]]",
                "Use [[law:act/provision]], [[term:ID]], [[section:id]] or [[service:id]].")
    if flaw.code == "text.link":
        url = flaw.detail
        return ("text.link", f"link target '{url.split(':')[0] + ':' if ':' in url else url}…' is not an https:// "
                "or mailto: address", "Link to public https:// pages; link to sections with [[section:id]].")
    return FLAW_WORDS[flaw.code]


def _too_long(length: int) -> tuple[str, str, str]:
    """The code, message and hint of a text over inline.MAX_TEXT characters."""
    return ("text.too-long", f"a text of {length:,} characters; the limit is {inline.MAX_TEXT:,}",
            "Split it into several paragraphs, list items or sections. Until it is shorter it is not checked further "
            "and the site is not built.")


FLAW_WORDS = {
    "text.html": ("text.html", "raw HTML or an HTML entity in text",
                  "Write plain text; use *emphasis* and [link](https://…) for formatting. This is disallowed because "
                  "markup in content could inject scripts into the public site."),
    "text.attributes": ("text.attributes", "attribute syntax {…} in text",
                        "Remove the braces; styling comes from the theme. This is disallowed because attributes can "
                        "carry event handlers that run scripts."),
    "text.snippet": ("text.snippet", "a file-inclusion marker (--8<--) in text", "Remove it; content cannot include files."),
    "text.image": ("text.image", "an image ![…](…) in text",
                   "Remove it; the guidance has no images, which would load from other sites without reviewed alt text."),
    "link.definition": ("text.link", "a reference-style link definition [id]: … in text",
                             "Write links inline as [words](https://…). This is disallowed because a definition "
                             "escapes the link check and applies to the whole page."),
}


def reference_problems(content: Content, sources: dict[str, SourceFile], known: Known,
                       partial: set[str] = frozenset(), folders: set[str] | None = None,
                       whole: bool = True) -> list[Problem]:
    """Ids unique, audiences known, every reference resolves, no markup that could inject HTML. A reference whose
    target is written but faulty, or sits in a file that cannot be read, is left to that file's problem (known);
    the fields of a document in `partial` may be stand-ins and are not checked. folders: check only the
    documents (and their files) in these folders; whole: also the checks across documents and the registries."""
    out: list[Problem] = []
    audiences = {a["id"] for a in content.audiences}
    provisions = content.provisions()
    terms = {t["id"] for t in content.terms}
    services = {s["id"] for s in content.services}
    sections = sections_by_id(content)

    def err(pos, code, message, hint="", severity="error"):
        out.append(Problem(pos, severity, code, message, hint))

    def check_law(ref, pos):
        """pos may be a callable: working out a position in text reads the source, so only do it for a problem."""
        if ref not in provisions and not known.exists("law", ref):
            pos = pos() if callable(pos) else pos
            act, _, provision = ref.partition("/")
            close = _suggest(ref, [p for p in provisions if p.partition("/")[0] == act], "id")
            err(pos, "ref.law", f"'{ref}' is not in legislation.yaml", _law_hint(ref, close, content))

    def check_text(text, at, doc_id, public=True):
        """Check one piece of inline text, parsed once (builder/content/inline.py); at(offset) gives the position of a
        character in it. A text over the length limit is reported once (text.too-long), not checked."""
        if len(text) > inline.MAX_TEXT:
            return
        tree = rules.parsed(text)
        for flaw in tree.flaws:
            err(at(flaw.start), *_flaw_words(flaw))
        for ref in tree.refs():
            where = functools.partial(at, ref.start)
            kind, target = ref.kind, ref.target
            if kind == "law":
                check_law(target, where)
            elif kind == "term" and target not in terms and not known.exists("term", target):
                err(where(), "ref.term", f"glossary term '{target}' is not defined",
                    _term_hint(target, _suggest(target, terms, "abbreviation")))
            elif kind == "service" and target not in services and not known.exists("service", target):
                close = _suggest(target, services, "id")
                err(where(), "ref.service", f"service '{target}' is not in services.yaml",
                    (f"Did you mean [[service:{close}]]? Or add" if close else "Add") +
                    " it to content/services.yaml under services:\n" + _snippet(indent=2, data=[{
                        "id": target, "name": "Name of the service", "description": "What it offers, to whom.",
                        "phone": "0800 000 0000", "hours": "When it is open", "url": "https://…"}]))
            elif kind == "section":
                doc, _, sid = target.rpartition("/")
                if not known.exists("section", sid, doc or doc_id):
                    err(where(), "ref.section", f"section '{target}' does not exist",
                        _section_hint(sid, doc or doc_id, known))
                elif public and (status := getattr(sections.get((doc or doc_id, sid)), "status", None)) in (
                        "draft", "ready"):
                    err(where(), "ref.unpublished", f"published text refers to section '{target}', which is {status}",
                        "Publish the two together (set this section to ready too, then guidance publish), or remove "
                        "the reference until the section is published: readers would see its id as plain words.")

    for doc in content.documents:
        doc_source = sources.get(doc.pos.file)
        folder = doc.pos.file.split("/")[1]
        if folders is not None and folder not in folders:
            continue
        if doc.id in partial:
            _check_chapters(doc, sources, check_text, check_law, err, audiences, known)
            continue
        if doc.id != folder:
            err(doc_source.pos(("id",)) if doc_source else doc.pos, "document.id",
                f"document id '{doc.id}' differs from its folder name '{folder}'",
                "Rename the folder or the id so that they match: the id is the document's URL.")
        check_law(doc.issued_under, doc_source.pos(("issued_under",)) if doc_source else doc.pos)
        versions = [e.version for e in doc.editions]
        if doc.version not in versions:
            err(doc_source.pos(("version",)) if doc_source else doc.pos, "document.version",
                f"version {doc.version} is not one of the editions ({', '.join(versions)})",
                "Add an edition for it, or set version to the newest edition.")
        check_text(doc.summary, locator(doc_source, ("summary",), doc.summary), doc.id)
        for i, a in enumerate(doc.regard_audiences or []):
            if a not in audiences and not known.exists("audience", a):
                err(doc_source.pos(("regard_audiences", i)) if doc_source else doc.pos, "ref.audience",
                    f"audience '{a}' is not in audiences.yaml", f"Use one of: {', '.join(sorted(audiences))}.")
        for i, body in enumerate(doc.must_have_regard):
            for j, a in enumerate(doc.body_audiences.get(body, [])):
                if a not in audiences and not known.exists("audience", a):
                    err(doc_source.pos(("must_have_regard", i, "audiences", j)) if doc_source else doc.pos,
                        "ref.audience", f"audience '{a}' is not in audiences.yaml",
                        f"Use one of: {', '.join(sorted(audiences))}.")
        _check_chapters(doc, sources, check_text, check_law, err, audiences, known)
    if whole:
        out.extend(_id_problems(content.documents))
        _registry_problems(content, sources, check_text, err)
    for source in sources.values():
        if not (whole if source.kind in (*REGISTRY_LISTS, "registry-translation")
                else folders is None or source.path.split("/")[1] in folders):
            continue
        if source.kind == "document" and source.path.split("/")[1] in partial:
            continue
        doc_id = source.path.split("/")[1] if source.kind in ("document", "chapter", "translation") else ""
        faulty = {p.pos for p in source.schema_problems or ()}  # one problem per mistake: the schema's
        for path, mode, text in reader_fields(source.kind, source.data):
            if source.pos(path) in faulty:
                continue
            at = locator(source, path, text)
            if len(text) > inline.MAX_TEXT:
                err(at(0), *_too_long(len(text)))
            elif mode == "inline" and _checked_with_its_section(source.kind, path):
                continue
            elif mode == "inline":
                check_text(text, at, doc_id)
            elif mode == "plain":
                _check_plain(text, at, err)
            elif mode == "url":
                _check_url(text, at, err)
    return out


def _registry_problems(content: Content, sources: dict[str, SourceFile], check_text, err) -> None:
    """reference_problems' checks of the registries' texts and the glossary's ids."""
    glossary = next((s for s in sources.values() if s.kind == "glossary"), None)
    legislation = next((s for s in sources.values() if s.kind == "legislation"), None)
    for ai, act in enumerate(content.acts):
        ai = _index(legislation, ("acts",), act, ai)
        for pi, prov in enumerate(act["provisions"]):
            pi = _index(legislation, ("acts", ai, "provisions"), prov, pi)
            for key in REGISTRY_TEXTS:  # readers see these in the table that registry: offences generates
                if prov.get(key):
                    path = ("acts", ai, "provisions", pi, key)
                    check_text(prov[key], locator(legislation, path, prov[key]), "")
    anchors: dict[str, str] = {}
    for i, term in enumerate(content.terms):
        i = _index(glossary, ("terms",), term, i)
        path = ("terms", i, "definition")
        check_text(term["definition"], locator(glossary, path, term["definition"]), "")
        if (other := anchors.get(term["id"].lower())) is not None:
            same = "the same as" if other == term["id"] else "the same, but for letter case, as"
            err(glossary.pos(("terms", i, "id")) if glossary else Pos("content/glossary.yaml"), "ids.duplicate",
                f"glossary term id '{term['id']}' is {same} an earlier term's '{other}'",
                "Give each term its own id: the glossary's link anchors ignore case, so both would share one.")
        anchors.setdefault(term["id"].lower(), term["id"])


def reader_fields(kind: str, data) -> Iterator[tuple[tuple, str, str]]:
    """(path, mode, text) of every text readers see in a file's data, as the schema declares it with "x-reader":
    "inline" (the inline language: builder/content/inline.py), "plain" (shown exactly as written) or "url" (a link's
    address). The one list of reader-visible fields: what validate checks, the leak check and the diff read."""
    spec = _spec(kind)  # the schema as data: no need to import jsonschema for it
    out: list[tuple[tuple, str, str]] = []
    _fields(spec, spec, data, (), out)
    return iter(out)


# id of a schema node → (the node, kept so that its id stays its own; with its $refs followed: its oneOf and anyOf
# choices, its x-reader mode, its properties, its additionalProperties schema, its items schema). The schemas are
# read once (_spec) and never change, so each node is worked out once, not once per value.
_RESOLVED: dict[int, tuple] = {}


def _resolved(root: dict, node: dict) -> tuple:
    hit = _RESOLVED.get(id(node))
    if hit is not None and hit[0] is node:
        return hit
    plain = node
    while "$ref" in plain:  # local references only: "#/$defs/name"
        mode = plain.get("x-reader")
        plain = {**root["$defs"][plain["$ref"].rsplit("/", 1)[1]], **({"x-reader": mode} if mode else {})}
    extra, items = plain.get("additionalProperties"), plain.get("items")
    hit = (node, [*plain.get("oneOf", []), *plain.get("anyOf", [])], plain.get("x-reader"),
           plain.get("properties", {}), extra if isinstance(extra, dict) else None,
           items if isinstance(items, dict) else None)
    _RESOLVED[id(node)] = hit
    return hit


def _fields(root: dict, node: dict, data, path: tuple, out: list) -> None:
    _, choices, mode, props, extra, items = _resolved(root, node)
    for choice in choices:
        if _fits(choice, data):
            _fields(root, choice, data, path, out)
            return
    if isinstance(data, str):
        if mode:
            out.append((path, mode, data))
    elif isinstance(data, dict):
        for key, value in data.items():
            sub = props.get(key, extra)
            if sub is not None:
                _fields(root, sub, value, path + (key,), out)
    elif isinstance(data, list) and items is not None:
        for i, value in enumerate(data):
            _fields(root, items, value, path + (i,), out)


def _fits(choice: dict, data) -> bool:
    kind = choice.get("type")
    if kind == "string":
        return isinstance(data, str)
    if kind == "object":
        return isinstance(data, dict)
    if kind == "array":
        return isinstance(data, list)
    return "$ref" in choice


def _checked_with_its_section(kind: str, path: tuple) -> bool:
    """Texts the reference checks already read with their context (a section's status, a term's or a provision's
    entry): blocks and notes, withdrawal reasons, the document summary, definitions and the registry's table texts."""
    if kind == "chapter":
        return len(path) > 2 and path[0] == "sections" and (path[2] == "blocks" or path[2:4] == ("withdrawn", "reason"))
    if kind == "document":
        return path == ("summary",)
    if kind == "glossary":
        return path[-1:] == ("definition",)
    if kind == "legislation":
        return path[-1] in REGISTRY_TEXTS
    return False


def _check_plain(text: str, at, err) -> None:
    """A field shown exactly as written (a title, a name): markup would be shown as typed, and HTML refused."""
    if len(text) > inline.MAX_TEXT:
        return  # reported as text.too-long
    tree = rules.parsed(text)
    for flaw in tree.flaws:
        if flaw.code in FLAW_WORDS:
            err(at(flaw.start), *FLAW_WORDS[flaw.code])
            return
    markup = next((n for n in tree.walk() if not isinstance(n, inline.Text)), None)
    if markup is not None:
        err(at(markup.start), "text.plain", "markup in a field readers see exactly as written",
            "Write plain words here: references, links and *emphasis* work only in text fields (paragraphs, "
            "summaries, notes), and here they would be shown as typed.")


SAFE_URL = re.compile(r"^(?:https://|mailto:)[^\s<>\"'`()\\]+$")


def _check_url(text: str, at, err) -> None:
    if len(text) > inline.MAX_TEXT:
        return  # reported as text.too-long
    if not SAFE_URL.match(text):
        bad = next((i for i, c in enumerate(text) if c.isspace() or c in "<>\"'`()\\"), 0)
        err(at(bad), "text.link", f"'{text[:60]}' is not a plain https:// address",
            "Write the address as the browser shows it, starting https://, with no spaces, quotes, brackets or "
            "angle brackets: those could break out of the link.")


def _check_chapters(doc: Document, sources, check_text, check_law, err, audiences: set[str], known: Known) -> None:
    """Audiences, legal bases, tables and the text of every section of doc."""
    audience_list = ", ".join(sorted(audiences))
    for chapter in doc.chapters:
        for section in chapter.sections:
            src = sources.get(section.pos.file)
            at = (lambda *p: src.pos(section.path + p)) if src else (lambda *p: section.pos)
            for i, a in enumerate(section.audiences):
                if a != "all" and a not in audiences and not known.exists("audience", a):
                    close = _suggest(a, audiences, "id")
                    err(at("audiences", i), "ref.audience", f"audience '{a}' is not in audiences.yaml",
                        (f"Did you mean '{close}'? " if close else "") + f"Use one of: all, {audience_list}.")
            if "all" in section.audiences and len(section.audiences) > 1:
                err(at("audiences"), "audience.all-and-more", "audiences lists 'all' with other audiences",
                    "Write [all] alone, or list the audiences it is for.", "warning")
            for i, ref in enumerate(section.legal_basis):
                check_law(ref, at("legal_basis", i))
            if section.withdrawn:
                reason = section.withdrawn["reason"]
                check_text(reason, locator(src, section.path + ("withdrawn", "reason"), reason), doc.id)
            for block in section.blocks:
                for a in block.notes:
                    if a not in audiences and not known.exists("audience", a):
                        close = _suggest(a, audiences, "id")
                        err(src.pos(block.path + ("notes", a), key=True) if src else block.pos, "ref.audience",
                            f"note for unknown audience '{a}'",
                            (f"Did you mean '{close}'? " if close else "") + f"Use one of: {audience_list}.")
                if block.kind == "table":
                    width = len(block.value["header"])
                    if block.value.get("registry") and width != REGISTRY_TABLE_WIDTH:
                        err(src.pos(block.path + ("table", "header")) if src else block.pos, "table.width",
                            f"the header has {width} cells; a table with registry: {block.value['registry']} "
                            f"has {REGISTRY_TABLE_WIDTH} columns",
                            "Name the columns: offence or order, provision, maximum penalty, time limit.")
                    for r, row in enumerate(block.value["rows"]):
                        if len(row) != width:
                            err(src.pos(block.path + ("table", "rows", r)) if src else block.pos, "table.width",
                                f"row {r + 1} has {len(row)} cells; the header has {width}",
                                "Give every row one cell per column.")
                for text, sub in block.texts_at():
                    check_text(text, locator(src, block.path + sub, text), doc.id,
                               public=section.status == "published")


def _id_problems(documents: list[Document]) -> list[Problem]:
    """Chapter ids unique in their document; section and block ids unique across all documents, because audience
    views and print pages put both documents on one page; every block has an id."""
    out = []
    sections: dict[str, Pos] = {}
    blocks: dict[str, Pos] = {}

    def once(seen, kind, ident, pos, why):
        if ident in seen:
            out.append(Problem(pos, "error", "ids.duplicate", f"{kind} id '{ident}' is also used at {seen[ident]}", why))
        seen.setdefault(ident, pos)

    for doc in documents:
        chapters: dict[str, Pos] = {}
        for chapter in doc.chapters:
            once(chapters, "chapter", chapter.id, chapter.pos, "Chapter ids are URLs and must be unique in the document.")
            for section in chapter.sections:
                once(sections, "section", section.id, section.pos,
                     "Section ids are anchors and must be unique across the guidance; rename the new one.")
                for n, block in enumerate(section.blocks, 1):
                    if block.id is None:
                        out.append(Problem(block.pos, "error", "ids.missing",
                                           f"block {n} of section '{section.id}' has no id",
                                           "Run `guidance fmt` to assign paragraph ids."))
                    else:
                        once(blocks, "block", block.id, block.pos,
                             "Block ids must be unique across the guidance; delete this id and run `guidance fmt`.")
    return out


def _term_hint(target: str, close: str | None) -> str:
    add = "Add it to content/glossary.yaml under terms:\n" + _snippet([{
        "id": target, "term": target, "expansion": "what the letters stand for, if it is an abbreviation",
        "definition": "What it means, in a sentence readers can follow."}], 2)
    return f"Did you mean [[term:{close}]]? If not, a" + add[1:] if close else add


def _law_hint(ref: str, close: str | None, content: Content) -> str:
    act, _, provision = ref.partition("/")
    acts = {a["id"] for a in content.acts}
    if close:
        return f"Did you mean '{close}'? If not, add the provision to act '{act}' in content/legislation.yaml."
    entry = {"id": provision or "s1", "label": "section 1", "title": "What the provision is about",
             "url": "https://www.legislation.gov.uk/…"}
    if act in acts:
        return f"Add the provision to the provisions of act '{act}' in content/legislation.yaml:\n" + _snippet([entry], 6)
    return ("Add the Act to content/legislation.yaml under acts (write references as [[law:act-id/provision-id]]):\n"
            + _snippet([{"id": act, "title": "Name of the Act", "url": "https://www.legislation.gov.uk/…",
                         "provisions": [entry]}], 2))


def _section_hint(sid: str, doc: str, known: Known) -> str:
    elsewhere = sorted(d for d, ids in known.sections.items() if d != doc and sid in ids)
    if elsewhere:
        return f"That section is in the other document: write [[section:{elsewhere[0]}/{sid}]]."
    close = _suggest(sid, known.sections.get(doc, ()), "id")
    if close:
        return f"Did you mean [[section:{close}]]?"
    return ("Use the section's id (the id: line, not its title); for the other document write [[section:DOC/ID]]. "
            f"To add the section: guidance new section {doc} CHAPTER --title \"…\".")


def _index(source: SourceFile | None, path: tuple, entry: dict, default: int) -> int:
    """Where entry sits in the list at path of source (entries that failed the schema are left out of the model,
    so its index there may be smaller)."""
    try:
        items = _at(source.data, path)
        return next(i for i, e in enumerate(items) if e is entry or (isinstance(e, dict) and e.get("id") == entry["id"]))
    except (AttributeError, KeyError, IndexError, TypeError, StopIteration):
        return default
