"""Reading one file's text: the characters content may not hold, git's conflict markers, and the data built from
the YAML parser's events with every value's position, refusing what an editor did not mean to write (load.py's
parse runs these in turn)."""
from __future__ import annotations

import re
import unicodedata

import yaml
from yaml.error import MarkedYAMLError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from builder.content.model import Pos, Problem

MAX_DEPTH = 40


MAX_DIGITS = 30  # no number in content is longer; a 4,000-digit one would break every message that shows it


# C0/C1 controls other than tab, newline and carriage return; bidirectional overrides and isolates (Trojan Source).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff"
                        "\u061c\u200b-\u200f\u2028\u2029\u2060\ud800-\udfff]")


# Beyond that list, every format character (Unicode category Cf: soft hyphen, tag characters that can carry hidden
# ASCII text, invisible operators…) and the characters that draw nothing but are not Cf: Hangul fillers, the
# combining grapheme joiner, variation selectors and Mongolian free variation selectors.
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0") | frozenset(
    map(chr, [*range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]))


# Format characters that English guidance text needs: none so far. Add one here, with the reason, if a language or
# notation ever does (for example U+200D in an emoji sequence).
ALLOWED_FORMAT: frozenset[str] = frozenset()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: .*)?$", re.M)


def conflict(rel: str, text: str) -> Problem | None:
    """The markers git leaves in a file when a merge or rebase met two changes to the same lines: one problem at
    the first, saying which lines and what to keep (YAML would call them an indentation error)."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:  # the usual file, decided without a pattern
        return None
    marks = [(text.count("\n", 0, m.start()) + 1, m.group(1)[0]) for m in _CONFLICT.finditer(text)]
    starts = [line for line, kind in marks if kind == "<"]
    ends = [line for line, kind in marks if kind == ">"]
    if not starts or not ends:
        return None
    spans = ", ".join(f"{a}–{b}" for a, b in zip(starts, [next((e for e in ends if e > a), a) for a in starts]))
    edition = "editions:" in text
    return Problem(Pos(rel, starts[0], 1), "error", "load.conflict",
                   f"the file holds git's merge-conflict markers (lines {spans}): two branches changed the same "
                   f"lines", "Between <<<<<<< and ======= is one side, between ======= and >>>>>>> the other: keep "
                   "the lines that should stay (or both, combined), delete the marker lines, and run guidance "
                   "validate." + (" If both sides add an edition, keep the one already on main and publish the "
                                  "other again: guidance publish names the next free version." if edition else ""))


def line_col(prefix: str) -> tuple[int, int]:
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def _character(ch: str) -> tuple[str, str]:
    """The problem code and description of a character refused in content."""
    if ch == "\ufeff":
        return "load.bom", "a byte-order mark (U+FEFF) in the middle of the file"
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" or ch in "\u200e\u200f\u061c":
        return "load.bidi", f"a bidirectional control character (U+{ord(ch):04X}) that can disguise text"
    if ch in "\u200b\u200c\u200d\u2060\u2028\u2029":
        return "load.invisible", f"an invisible character (U+{ord(ch):04X}) that changes how text reads or wraps"
    if "\ud800" <= ch <= "\udfff":
        return "load.encoding", f"half of a character (the unpaired surrogate U+{ord(ch):04X})"
    if _invisible(ch):
        name = unicodedata.name(ch, "").lower() or "a format character"
        return "load.invisible", f"an invisible character (U+{ord(ch):04X}, {name}) that can hide or disguise text"
    return "load.control-char", f"an invisible control character (U+{ord(ch):04X})"


def refused_characters(text: str):
    """(offset, character) of every character content may not hold, in order: controls, bidirectional and
    invisible characters, format characters (category Cf) but those in ALLOWED_FORMAT, and fillers."""
    if text.isascii():
        found = [(m.start(), m.group()) for m in _BAD_CHARS.finditer(text)]
    else:
        found = [(m.start(), m.group()) for m in _BAD_CHARS.finditer(text)]
        found += [(m.start(), ch) for m in _NON_ASCII.finditer(text) if _invisible(ch := m.group())
                  and not _BAD_CHARS.match(ch)]
        found.sort()
    return found


def _invisible(ch: str) -> bool:
    return ch not in ALLOWED_FORMAT and (ch in INVISIBLE or unicodedata.category(ch) == "Cf")


def character_problems(rel: str, text: str) -> list[Problem]:
    out = []
    runs: list[list] = []  # [offset, count, first character]: a run of refused characters is one mistake
    for offset, ch in refused_characters(text):
        if runs and runs[-1][0] + runs[-1][1] == offset and _character(runs[-1][2])[0] == _character(ch)[0]:
            runs[-1][1] += 1
        else:
            runs.append([offset, 1, ch])
    for offset, count, ch in runs:
        line, col = line_col(text[:offset])
        code, msg = _character(ch)
        more = f" and {count - 1} more like it after it" if count > 1 else ""
        out.append(Problem(Pos(rel, line, col), "error", code, f"the file holds {msg}{more}",
                           "Delete it; retype the text around it if it was pasted."))
    for m in re.finditer("\t", text):
        line, col = line_col(text[: m.start()])
        out.append(Problem(Pos(rel, line, col), "error", "load.tab", "the file holds a tab character",
                           "Use spaces for indentation and inside text (set your editor to insert spaces)."))
        break
    return out


# YAML 1.2 core schema, as ruamel.yaml resolves plain scalars (no yes/no booleans, no sexagesimal numbers).
# Timestamps stay strings: JSON Schema's `format: date` applies to strings, so 2024-02-30 is a schema problem.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$")


_FLOAT = re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


_BASES = {"0o": 8, "0x": 16, "0b": 2}


_RESOLVED_FIRST = frozenset("~nNtTfF+-.0123456789")  # the first characters of what the four patterns above match


def _may_resolve(event: ScalarEvent) -> bool:
    """Whether the scalar may be a null, a boolean or a number: plain, untagged, and empty or starting like one.
    Most scalars are keys and words, quoted or starting with a letter that none of them starts with."""
    value = event.value
    return not event.style and event.implicit[0] and (not value or value[0] in _RESOLVED_FIRST)


def _core_value(value: str):
    """A plain scalar's value, as the YAML 1.2 core schema reads it (see _may_resolve)."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        digits = value.replace("_", "")
        if len(digits.lstrip("+-")) > MAX_DIGITS:
            raise _TooLong(len(digits))
        return int(digits[2:], _BASES[digits[:2]]) if digits[:2] in _BASES else int(digits)
    if _FLOAT.match(value) and value.strip("+-") != ".":
        number = value.replace("_", "").lower()
        if number.endswith(("inf", "nan")):
            return float(number.replace(".", ""))
        return float(number)
    return value


def _events(text: str):
    """libyaml's event stream when PyYAML has its C extension (it parses without recursion, so depth is ours to
    police), else PyYAML's pure-Python parser, which yields the same events."""
    if getattr(yaml, "__with_libyaml__", False):
        parser = yaml.CBaseLoader(text)
        try:
            while (event := parser.get_event()) is not None:
                yield event
        finally:
            parser.dispose()
    else:
        yield from yaml.parse(text, Loader=yaml.SafeLoader)


class _Frame:
    __slots__ = ("container", "path", "key", "key_mark", "bad_key")

    def __init__(self, container, path):
        self.container, self.path, self.key, self.key_mark, self.bad_key = container, path, _Frame, None, None


def build(source, text: str) -> list[Problem]:
    """Build plain data and every value's position straight from the parser's events, in one pass and without
    recursion, refusing on the way what an editor did not mean to write: aliases and anchors (an alias bomb is
    never expanded), explicit tags, directives, merge keys, duplicate and non-text keys, deep nesting, and more
    than one document. The loop runs once per event (about 70 for a section): it looks up the event's class and
    calls _Builder's method for that kind of event (measured: about 15 ms more per 1,000 sections than one inline
    loop, 1-2% of a cold validate, for a loop a newcomer can read). source: the SourceFile (load.py) whose data, values and keys
    are filled in; the problems found (none: source holds the file)."""
    builder = _Builder(source, text)
    on = builder.on
    try:
        for event in _events(text):
            handle = on.get(type(event))
            if handle is not None:
                handle(event)
    except _TooDeep as deep:
        return [too_deep(deep.pos)]
    except _KeyProblem as err:
        return builder.problems or [err.problem]
    return builder.problems


class _Builder:
    """One file's parser events turned into plain data and positions (build): one method per kind of event.
    Once a refused construct is found (problems), it keeps reading for every other one, but builds nothing more."""

    def __init__(self, source, text: str):
        self.rel, self.text = source.path, text
        self.source = source
        self.values, self.keys = self.source.values, self.source.keys
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.frame: _Frame | None = None  # the top of the stack
        self.documents = 0
        self.depth = 0
        self.escapes = "\\" in text  # only a double-quoted scalar has escapes: other characters were in the text, checked
        self.on = {ScalarEvent: self.scalar, MappingStartEvent: self.collection, SequenceStartEvent: self.collection,
                   MappingEndEvent: self.end, SequenceEndEvent: self.end, AliasEvent: self.alias,
                   DocumentStartEvent: self.document}

    def here(self, mark) -> Pos:
        return Pos(self.rel, mark.line + 1, mark.column + 1)

    def refuse_anchor_and_tag(self, event, mark) -> None:
        if event.anchor:
            self.problems.append(Problem(self.here(mark), "error", "load.anchor",
                                         f"anchor &{event.anchor} is not allowed",
                                         "Remove the anchor; content files do not reuse values."))
        if event.tag and not _implicit(event):
            self.problems.append(Problem(self.here(mark), "error", "load.tag", f"explicit tag {event.tag} is not allowed",
                                         "Remove the tag; quote the value if it should be text."))

    def awaits_key(self) -> bool:
        frame = self.frame
        return frame is not None and frame.key is _Frame and type(frame.container) is dict

    def scalar(self, event: ScalarEvent) -> None:
        mark = event.start_mark
        if event.anchor or event.tag:
            self.refuse_anchor_and_tag(event, mark)
        if self.problems:
            return
        value = self.resolved(event, mark) if _may_resolve(event) else event.value
        if self.escapes:  # the file holds a backslash somewhere
            self.refuse_escaped(event, value, mark)
        frame = self.frame
        if frame is not None and frame.key is _Frame and type(frame.container) is dict:  # a key
            if type(value) is str and value not in frame.container and (value != "<<" or event.style):
                frame.key, frame.key_mark = value, mark  # the usual key, taken as _take_key would
            else:
                self.odd_key(event, value, mark)
            return
        # attach(value, mark, None), written out for a list item or a key's value: a scalar is most of the events,
        # and the call cost 10% of a parse (a file that is one scalar goes through attach)
        if frame is None:
            self.attach(value, mark, None)
        elif type(frame.container) is list:
            path = frame.path + (len(frame.container),)
            self.values[path] = self.keys[path] = (mark.line, mark.column)
            frame.container.append(value)
        else:
            path = frame.path + (frame.key,)
            self.keys[path] = (frame.key_mark.line, frame.key_mark.column)
            self.values[path] = (mark.line, mark.column)
            frame.container[frame.key] = value
            frame.key = _Frame

    def resolved(self, event: ScalarEvent, mark):
        """A plain scalar that may be a null, a boolean or a number, read as one (a number too long refused)."""
        try:
            return _core_value(event.value)
        except _TooLong as err:
            raise _KeyProblem(Problem(self.here(mark), "error", "load.number",
                                      f"a number of {err.args[0]:,} characters",
                                      "Quote it if it is text; no value in content is that long a number.")) from None

    def refuse_escaped(self, event: ScalarEvent, value, mark) -> None:
        """A double-quoted value whose escapes make a character content may not hold (only such a scalar has
        escapes: every other character was in the file's text, already checked)."""
        if event.style == '"' and (bad := refused_characters(value)):
            code, msg = _character(bad[0][1])
            raise _KeyProblem(Problem(self.here(mark), "error", code,
                                      f"an escape sequence in this value makes {msg}",
                                      "Remove the \\ escape; write the text itself."))

    def odd_key(self, event: ScalarEvent, value, mark) -> None:
        """A key that is not a new text: a merge key (refused), a duplicate or one that is not text (_take_key)."""
        if value == "<<" and not event.style:
            raise _KeyProblem(Problem(self.here(mark), "error", "load.merge-key",
                                      "a merge key (<<) is not allowed",
                                      "Write the fields out in full: a merge adds fields nobody can see here."))
        _take_key(self.frame, value, mark, self.here)

    def collection(self, event) -> None:
        """The start of a mapping or a list."""
        mark = event.start_mark
        self.refuse_anchor_and_tag(event, mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(self.here(mark))
        if self.problems:
            return
        if self.awaits_key():
            raise _KeyProblem(Problem(self.here(mark), "error", "load.key-type",
                                      "a key is a list or mapping, not text",
                                      "Keys are field names: check the indentation and the ? marks."))
        value = {} if type(event) is MappingStartEvent else []
        self.attach(value, mark, value)

    def attach(self, value, mark, container) -> None:
        """Put value in its place (the root, the next list item, or the value of the pending key) with its
        position; a container becomes the top of the stack."""
        at = (mark.line, mark.column)
        frame, values, keys = self.frame, self.values, self.keys
        if frame is None:
            self.source.data = value
            values[()] = at
            path = ()
        elif type(frame.container) is list:
            path = frame.path + (len(frame.container),)
            values[path] = keys[path] = at
            frame.container.append(value)
        else:
            path = frame.path + (frame.key,)
            keys[path] = (frame.key_mark.line, frame.key_mark.column)
            values[path] = at
            frame.container[frame.key] = value
            frame.key = _Frame
        if container is not None:
            self.frame = _Frame(container, path)
            self.stack.append(self.frame)

    def end(self, event) -> None:
        """The end of a mapping or a list."""
        self.depth -= 1
        if self.problems:
            return
        bad = self.stack.pop().bad_key
        self.frame = self.stack[-1] if self.stack else None
        if bad:
            raise _KeyProblem(bad)

    def alias(self, event: AliasEvent) -> None:
        self.problems.append(Problem(self.here(event.start_mark), "error", "load.alias",
                                     f"alias *{event.anchor} is not allowed",
                                     "Write the text out in full; anchors and aliases are not used in content."))

    def document(self, event: DocumentStartEvent) -> None:
        mark = event.start_mark
        if event.version or event.tags:
            directive = re.search(r"^%", self.text, re.M)
            line = self.text.count("\n", 0, directive.start()) + 1 if directive else mark.line + 1
            self.problems.append(Problem(Pos(self.rel, line, 1), "error", "load.directive",
                                         "a %YAML or %TAG directive is not allowed",
                                         "Delete the line starting with %: directives change how the file is read."))
        self.documents += 1
        if self.documents > 1:
            self.problems.append(Problem(self.here(mark), "error", "load.multiple-documents",
                                         "the file holds more than one YAML document",
                                         "Remove the '---' line; each file holds one chapter or registry."))


class _TooDeep(Exception):
    def __init__(self, pos: Pos):
        self.pos = pos


def _take_key(frame: _Frame, key, mark, here) -> None:
    if key in frame.container:
        raise _KeyProblem(Problem(here(mark), "error", "load.duplicate-key",
                                  f"duplicate key '{key}' in the same mapping",
                                  "Each key may appear once: merge the two entries or rename one."))
    if not isinstance(key, str) and frame.bad_key is None:
        # Reported when the mapping ends, so that `1:` then `true:` is reported as the duplicate it is.
        frame.bad_key = Problem(here(mark), "error", "load.key-type",
                                f"key {key!r} is {'a ' + type(key).__name__ if key is not None else 'empty'}, not text",
                                "Keys are field names: quote it, or check the indentation.")
    frame.key, frame.key_mark = key, mark


def too_deep(pos: Pos) -> Problem:
    return Problem(pos, "error", "load.too-deep", f"the data is nested more than {MAX_DEPTH} levels deep",
                   "Content needs only a few levels; check the indentation.")


def deepest(text: str) -> int:
    """Offset of the first flow bracket that opens level MAX_DEPTH + 1 (quotes ignored: only called once libyaml
    has already refused the nesting)."""
    depth = 0
    for offset, ch in enumerate(text):
        depth += ch in "[{"
        depth -= ch in "]}"
        if depth > MAX_DEPTH:
            return offset
    return 0


def _implicit(event) -> bool:
    implicit = getattr(event, "implicit", None)
    return any(implicit) if isinstance(implicit, tuple) else bool(implicit)


_KEY_LINE = re.compile(r"^( *)(?:- +)?([^\s#:'\"][^:#]*?):(?: |$)")


def _indented_key(text: str, line: int, col: int) -> tuple[int, str, str, int] | None:
    """When YAML refuses a ':' (mapping values are not allowed) because the key before it is indented more than
    the field above, whose value is already given: a field indented too far, with what should be done about it.
    line, col: where YAML stopped (from 0)."""
    lines = text.split("\n")
    if line >= len(lines):
        return None
    here = _KEY_LINE.match(lines[line])
    if here is None or here.end(2) != col:  # the ':' refused is not the one after this line's key
        return None
    above = next((lines[i] for i in range(line - 1, -1, -1) if lines[i].strip() and
                  not lines[i].lstrip().startswith("#")), None)
    key_above = _KEY_LINE.match(above) if above is not None else None
    if key_above is None or not above[key_above.end():].strip() or here.start(2) <= key_above.start(2):
        return None  # the field above holds nothing yet, or this line is not indented more than it
    indent = key_above.start(2)
    extra = here.start(2) - indent
    key, before = here.group(2), key_above.group(2)
    return extra, key, before, indent


def yaml_problem(rel: str, err: MarkedYAMLError, text: str = "") -> Problem:
    mark = err.problem_mark or err.context_mark
    pos = Pos(rel, mark.line + 1, mark.column + 1) if mark else Pos(rel)
    what = (err.problem or err.context or "the YAML cannot be read").strip()
    if mark and "mapping values are not allowed" in what and \
            (found := _indented_key(text, mark.line, mark.column)) is not None:
        extra, key, before, indent = found
        return Problem(Pos(rel, mark.line + 1, mark.column - len(key) + 1), "error", "load.indentation",
                       f"`{key}:` is indented {extra} more space{'s' if extra != 1 else ''} than `{before}:` on the "
                       f"line above, whose value is already given",
                       f"Indent `{key}:` as `{before}:` is ({indent} spaces), and the lines under it "
                       f"{extra} space{'s' if extra != 1 else ''} less.")
    if "duplicate key" in str(err) or "duplicate key" in what:
        key = re.search(r'found duplicate key "([^"]*)"', str(err))
        name = key.group(1) if key else "a key"
        return Problem(pos, "error", "load.duplicate-key", f"duplicate key '{name}' in the same mapping",
                       "Each key may appear once: merge the two entries or rename one.")
    hint = "Check the indentation and quoting on this line and the one above."
    if "invalid Unicode character escape" in what:
        return Problem(pos, "error", "load.encoding", "an escape sequence here is not a whole character",
                       "Remove the \\ escape; write the text itself.")
    if "found character '\\t'" in what:
        hint = "Use spaces, not tabs."
    elif "mapping values are not allowed" in what:
        hint = "Text containing ': ' must be quoted, e.g. title: \"Risk: what to ask\"."
    return Problem(pos, "error", "load.syntax", f"YAML syntax: {what}", hint)


class _TooLong(Exception):
    """A number too long to be a value in content (its length in characters)."""


class _KeyProblem(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
