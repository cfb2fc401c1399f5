"""The schema check: each file against its JSON Schema (schemas/), every mistake put in the editor's words at the
place it was written; the file as the model should read it (a misspelt field read under the name it was meant to
have); and the texts readers see in a file, as the schemas declare them (reader_fields)."""
from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from datetime import date
from importlib import resources
from typing import Iterator

from builder.content.load import SourceFile
from builder.content.model import Problem
from builder.content.validate.hints import snippet, suggest

# schemas/ at the top of the repository, shipped inside the package as builder.schemas (pyproject.toml): found the
# same way in a checkout, an editable install and an installed wheel.
SCHEMA_DIR = resources.files("builder.schemas")


BLOCK_KINDS = ("para", "list", "steps", "callout", "table")


REGISTRY_TABLE_WIDTH = 4  # offence or order, provision, maximum penalty, time limit (builder/render/templates/macros.md.j2)


REGISTRY_TEXTS = ("offence", "max_penalty", "time_limit")


# The list that holds a registry's entries, and the reference kind that names them.
REGISTRY_LISTS = {"audiences": "audiences", "legislation": "acts", "glossary": "terms", "services": "services"}


REGISTRY_REFS = {"audiences": "audience", "legislation": "law", "glossary": "term", "services": "service"}


@functools.cache
def spec(kind: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def schema(kind: str):
    """The full JSON Schema 2020-12 validator (jsonschema): every error, with the paths the problems are placed by.
    Imported on first use: a tree that passes the fast check never needs it."""
    from jsonschema import Draft202012Validator, FormatChecker, validators

    checker = validators.extend(Draft202012Validator, {"pattern": _pattern})
    return checker(spec(kind), format_checker=FormatChecker())


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

    check = jsonschema_rs.validator_for(spec(kind), formats={"date": _is_date}, validate_formats=True,
                                        ignore_unknown_formats=False, offline=True)

    def ok(data) -> bool:
        try:
            return check.is_valid(data)
        except Exception:  # noqa: BLE001 - data it cannot take: jsonschema decides
            return False

    return ok


def schema_problems(source: SourceFile) -> list[Problem]:
    return schema_check(source)[0]


def schema_check(source: SourceFile) -> tuple[list[Problem], SourceFile | None, set[tuple]]:
    """The file's schema problems, one per mistake; the file as the model should read it (a misspelt field read
    under the name it was meant to have), or None when nothing of it can be read; and the paths of the values
    that are wrong, which the model leaves out."""
    if passes(source.kind)(source.data):
        return [], source, set()
    errors = list(schema(source.kind).iter_errors(source.data))
    if not errors:
        return [], source, set()
    renamed, problems = _unknown_fields(source, errors)
    fixed = source
    if renamed:
        fixed = _with_meant_names(source, renamed)
        errors = list(schema(source.kind).iter_errors(fixed.data))
    meant_paths = {meant: written for written, meant in renamed.items()}
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


def _unknown_fields(source: SourceFile, errors: list) -> tuple[dict[tuple, tuple], list[tuple[tuple, Problem]]]:
    """The misspelt or misplaced keys (path as written → the path it was meant to have), and a problem for each
    unknown field (one for the keys written at the indent of the empty field they belong under)."""
    renamed: dict[tuple, tuple] = {}
    problems: list[tuple[tuple, Problem]] = []
    for e in errors:
        path = tuple(e.absolute_path)
        if e.validator == "additionalProperties" and isinstance(e.instance, dict):
            allowed = sorted(e.schema.get("properties", {}))
            under = _under_empty(source, path, e.instance, allowed)
            if under is not None:
                empty, keys = under
                renamed.update({path + (k,): path + (empty, k) for k in keys})
                problems.append((path + (keys[0],), _not_indented(source, path, empty, keys)))
            for key in (k for k in e.instance if k not in allowed and path + (k,) not in renamed):
                meant = suggest(str(key), allowed, "field")
                if meant and meant not in e.instance:
                    renamed[path + (key,)] = path + (meant,)
                problems.append((path + (key,), _unknown_field(source, path, key, allowed, meant,
                                                               present=meant in e.instance)))
    return renamed, problems


def _with_meant_names(source: SourceFile, renamed: dict[tuple, tuple]) -> SourceFile:
    """A copy of source with each misspelt key renamed to the field it was meant to be, and each key written at
    the indent of the empty field it belongs under moved under it."""
    data = copy.deepcopy(source.data)
    for where in sorted(renamed, key=len, reverse=True):
        meant = renamed[where]
        parent = value_at(data, where[:-1])
        if len(meant) == len(where):
            parent[meant[-1]] = parent.pop(where[-1])
        else:
            if not isinstance(parent.get(meant[-2]), dict):
                parent[meant[-2]] = {}
            parent[meant[-2]][where[-1]] = parent.pop(where[-1])
    return dataclasses.replace(source, data=data, schema_problems=None, schema_result=None, chapter=None,
                               values=_renamed(source.values, renamed), keys=_renamed(source.keys, renamed))


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
            if key in allowed or suggest(str(key), allowed, "field"):
                break
            after.append(key)
        where = source.keys.get(path + (empty,))
        if not after or where is None or any(source.keys.get(path + (k,), (0, -1))[1] != where[1] for k in after):
            continue
        trial = copy.deepcopy(source.data)
        parent = value_at(trial, path)
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


def value_at(data, path: tuple):
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


@dataclasses.dataclass
class _Said:
    """A jsonschema error and what every explanation of it reads: where the editor wrote it (path), the thing it
    is in, in words (where), the field's name, the problem code and the schema's description of the field."""
    source: SourceFile
    e: object
    path: tuple
    where: str
    field_name: str
    code: str
    desc: str

    def problem(self, message: str, hint: str, code: str = "", at=None) -> Problem:
        return Problem(self.source.pos(self.path) if at is None else at, "error", code or self.code, message, hint)


def _explain(source: SourceFile, e, path: tuple | None = None) -> Problem:
    """Turn a jsonschema error into a positioned problem in the editor's words; path: where the editor wrote it."""
    path = tuple(e.absolute_path) if path is None else path
    said = _Said(source, e, path, _context(source, path),
                 next((str(p) for p in reversed(path) if isinstance(p, str)), "value"), f"schema.{e.validator}",
                 e.schema.get("description", "") if isinstance(e.schema, dict) else "")
    explain = _EXPLAIN.get(e.validator)
    found = explain(said) if explain is not None else None
    if found is not None:
        return found
    return said.problem(f"{said.field_name} of {said.where}: {e.message}",
                        said.desc or "See the schema's description of this field.")


def _required(said: _Said) -> Problem:
    e, source, path, where = said.e, said.source, said.path, said.where
    missing = re.search(r"'([^']+)' is a required property", e.message)
    name = missing.group(1) if missing else "a field"
    if name in ("withdrawn", "reason") and _withdrawn_section(source, path):
        at = source.pos(path + ("status",)) if name == "withdrawn" else source.pos(path, key=True)
        return said.problem(f"{where} is withdrawn but does not say {'why' if name == 'reason' else 'when or why'}",
                            "Readers see the reason in the section's place. Add (or run guidance status SECTION "
                            "withdrawn --reason \"…\"):\n" + snippet({"withdrawn": {
                                "date": "YYYY-MM-DD", "reason": "Why it was withdrawn and where to look instead."}}),
                            "status.withdrawn-reason", at)
    sub = e.schema.get("properties", {}).get(name, {}).get("description") or _describe(source.kind, name)
    return said.problem(f"{where} has no '{name}'", f"Add '{name}:'. {sub}".strip())


def _one_of(said: _Said) -> Problem | None:
    e = said.e
    if not (said.path and isinstance(e.instance, dict) and "para" in str(e.schema.get("oneOf"))):
        return None
    present = [k for k in BLOCK_KINDS if k in e.instance]
    what = "none" if not present else " and ".join(present)
    return said.problem(f"{said.where} has {what} of para, list, steps, callout, table; it needs exactly one",
                        "Split it into one block per kind, each starting with '- ' in the blocks list.",
                        "schema.block-kind")


def _enum(said: _Said) -> Problem:
    e = said.e
    options = ", ".join(map(str, e.validator_value))
    close = suggest(str(e.instance), [str(v) for v in e.validator_value], "field")
    hint = f"Did you mean '{close}'? " if close else ""
    return said.problem(f"{said.field_name} of {said.where} is '{e.instance}'; it must be one of: {options}",
                        f"{hint}{said.desc}".strip())


def _format(said: _Said) -> Problem:
    return said.problem(f"{said.field_name} of {said.where} is '{said.e.instance}', not a real date",
                        "Write dates as YYYY-MM-DD, for example 2027-03-31.", "schema.date")


_TYPE_WORDS = {"string": "text", "array": "a list", "object": "a mapping of fields", "boolean": "true or false",
               "integer": "a whole number"}
_VALUE_WORDS = {str: "text", list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number",
                type(None): "empty"}


def _type(said: _Said) -> Problem:
    e = said.e
    want = e.validator_value if isinstance(e.validator_value, str) else " or ".join(e.validator_value)
    got = _VALUE_WORDS.get(type(e.instance), type(e.instance).__name__)
    return said.problem(f"{said.field_name} of {said.where} should be {_TYPE_WORDS.get(want, want)}, not {got}",
                        said.desc or "Check the indentation: a list item starts with '- '.")


def _pattern_said(said: _Said) -> Problem:
    return said.problem(f"{said.field_name} of {said.where} ({_short(said.e.instance)}) is not in the expected form",
                        said.desc or f"It must match {said.e.validator_value}.")


def _too_short(said: _Said) -> Problem:
    e = said.e
    if e.validator == "minLength" and e.validator_value > 1 and e.instance:
        return said.problem(f"{said.field_name} of {said.where} is too short (at least {e.validator_value} "
                            "characters)", said.desc)
    return said.problem(f"{said.field_name} of {said.where} is empty", said.desc or "Fill it in or remove it.")


def _unique(said: _Said) -> Problem:
    return said.problem(f"{said.field_name} of {said.where} lists the same value twice", "Remove the repeat.")


# jsonschema's validator (the keyword that failed) → its explanation; None from one: the general words.
_EXPLAIN = {"required": _required, "oneOf": _one_of, "enum": _enum, "format": _format, "type": _type,
            "pattern": _pattern_said, "minLength": _too_short, "minItems": _too_short, "minProperties": _too_short,
            "uniqueItems": _unique}


def _withdrawn_section(source: SourceFile, path: tuple) -> bool:
    """Whether path is a section with status withdrawn, or the withdrawn field of one."""
    if path[-1:] == ("withdrawn",):
        path = path[:-1]
    try:
        node = value_at(source.data, path)
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


def reader_fields(kind: str, data) -> Iterator[tuple[tuple, str, str]]:
    """(path, mode, text) of every text readers see in a file's data, as the schema declares it with "x-reader":
    "inline" (the inline language: builder/content/inline.py), "plain" (shown exactly as written) or "url" (a link's
    address). The one list of reader-visible fields: what validate checks, the leak check and the diff read."""
    root = spec(kind)  # the schema as data: no need to import jsonschema for it
    out: list[tuple[tuple, str, str]] = []
    _fields(root, root, data, (), out)
    return iter(out)


# id of a schema node → (the node, kept so that its id stays its own; with its $refs followed: its oneOf and anyOf
# choices, its x-reader mode, its properties, its additionalProperties schema, its items schema). The schemas are
# read once (spec) and never change, so each node is worked out once, not once per value.
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


# id of a schema node → (the node, whether any value under it can be a reader field): a part of the data that can
# hold none (ids, statuses, dates, lists of audiences) is not walked.
_READS: dict[int, tuple] = {}


def _reads(root: dict, node: dict, seen: frozenset = frozenset()) -> bool:
    hit = _READS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    if id(node) in seen:
        return True  # a schema that refers to itself: walked, as if it could (it is then not kept as known)
    _, choices, mode, props, extra, items = _resolved(root, node)
    below = [*choices, *props.values(), *(n for n in (extra, items) if n is not None)]
    found = bool(mode) or any(_reads(root, n, seen | {id(node)}) for n in below)
    if not seen:
        _READS[id(node)] = (node, found)
    return found


# id of a schema node → (the node, its walk plan): its choices, its mode, and for each property, for any other
# property and for each item, the schema to walk the value with (None: the value holds no reader field) and, when
# that schema has no choices, its mode (a text value is then listed without a call of its own).
_WALK_PLANS: dict[int, tuple] = {}


def _walk_plan(root: dict, node: dict) -> tuple:
    hit = _WALK_PLANS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]

    def child(sub):
        if sub is None or not _reads(root, sub):
            return None
        _, choices, mode, _, _, _ = _resolved(root, sub)
        return sub, (mode or "") if not choices else None

    _, choices, mode, props, extra, items = _resolved(root, node)
    plan = (choices, mode, {key: child(sub) for key, sub in props.items()}, child(extra), child(items))
    _WALK_PLANS[id(node)] = (node, plan)
    return plan


def _fields(root: dict, node: dict, data, path: tuple, out: list) -> None:
    choices, mode, props, extra, items = _walk_plan(root, node)
    for choice in choices:
        if _fits(choice, data):
            _fields(root, choice, data, path, out)
            return
    if isinstance(data, str):
        if mode:
            out.append((path, mode, data))
    elif isinstance(data, dict):
        for key, value in data.items():
            if (sub := props.get(key, extra)) is not None:
                _walk_value(root, sub, value, path + (key,), out)
    elif isinstance(data, list) and items is not None:
        for i, value in enumerate(data):
            _walk_value(root, items, value, path + (i,), out)


def _walk_value(root: dict, sub: tuple, value, path: tuple, out: list) -> None:
    """One value, with its plan's entry: a text where the schema leaves no choice is listed with its mode at once."""
    node, leaf = sub
    if leaf is None or type(value) is not str:
        _fields(root, node, value, path, out)
    elif leaf:
        out.append((path, leaf, value))


def _fits(choice: dict, data) -> bool:
    kind = choice.get("type")
    if kind == "string":
        return isinstance(data, str)
    if kind == "object":
        return isinstance(data, dict)
    if kind == "array":
        return isinstance(data, list)
    return "$ref" in choice
