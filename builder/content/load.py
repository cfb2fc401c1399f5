"""Load stage: read every content file into plain data, keeping the line and column of every value."""
from __future__ import annotations

import contextlib
import gc
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

import yaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from builder.content import position
from builder.content import translations
from builder.content.model import Pos, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_DIGITS = 30  # no number in content is longer; a 4,000-digit one would break every message that shows it
SUFFIXES = (".yaml", ".yml")
REGISTRIES = ("audiences", "legislation", "glossary", "services")
# C0/C1 controls other than tab, newline and carriage return; bidirectional overrides and isolates (Trojan Source).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff"
                        "\u061c\u200b-\u200f\u2028\u2029\u2060\ud800-\udfff]")
# Beyond that list, every format character (Unicode category Cf: soft hyphen, tag characters that can carry hidden
# ASCII text, invisible operators…) and the characters that draw nothing but are not Cf: Hangul fillers, the
# combining grapheme joiner, variation selectors and Mongolian free variation selectors.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0") | frozenset(
    map(chr, [*range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]))
# Format characters that English guidance text needs: none so far. Add one here, with the reason, if a language or
# notation ever does (for example U+200D in an emoji sequence).
ALLOWED_FORMAT: frozenset[str] = frozenset()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass
class SourceFile:
    """One parsed YAML file: its plain data and where each value and key sits."""

    path: str  # relative to the project root, with forward slashes
    kind: str  # document | chapter | audiences | legislation | glossary | services
    data: object
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    # Set by validate: a file read at several revisions (one SourceFile, from load_entries' cache) is checked once.
    schema_problems: list[Problem] | None = field(default=None, compare=False, repr=False)
    # Set by validate: what its schema check found (one file object, one check, however often it is validated).
    schema_result: tuple | None = field(default=None, compare=False, repr=False)
    chapter: tuple | None = field(default=None, compare=False, repr=False)  # and (its cuts, the chapter it built)

    def pos(self, path: tuple = (), key: bool = False) -> Pos:
        """Position of the value at `path` (or of its key), falling back to the nearest enclosing value."""
        table = self.keys if key else self.values
        path = tuple(path)
        while path not in table and path:
            path = path[:-1]
        line, col = table.get(path, (0, 0))
        return Pos(self.path, line + 1, col + 1)

    def text_pos(self, path: tuple, text: str, offset: int) -> Pos:
        """Position of character `offset` of the text value at `path`, following the scalar over its source lines
        (plain, quoted, or folded with >-); the value's start when the source cannot be matched to the text."""
        return self.text_locator(path, text)(offset)

    def text_locator(self, path: tuple, text: str) -> Callable[[int], Pos]:
        """text_pos(path, text, ·) for many offsets (builder/content/position.py)."""
        return position.text_locator(self, path, text)


def locator(source: SourceFile | None, path: tuple, text: str) -> Callable[[int], Pos]:
    """at(offset): the position of a character of the text at path (builder/content/position.py)."""
    return position.locator(source, path, text)


def file_kind(rel: Path) -> str | None:
    """What schema a file under content/ follows, from where it sits."""
    if (translated := translations.kind_of(rel.parts, REGISTRIES)) is not None:
        return translated
    if len(rel.parts) == 1:
        return rel.stem if rel.stem in REGISTRIES else None
    if len(rel.parts) == 2:
        return "document" if rel.name == "document.yaml" else "chapter"
    return None


@dataclass(frozen=True)
class Refused:
    """A path under content/ that is not a plain file or folder, given in place of its bytes (by the working tree
    and by a git revision alike), so that every command refuses it in the same words and nothing reads through it."""

    what: str  # "a symbolic link", "a named pipe (FIFO)", "a folder named like a content file"…


def display_name(name: str) -> str:
    """A file name as it can be printed: undecodable bytes as \\xNN, control and invisible characters as \\uNNNN,
    so that a name can neither break a line of output nor hide what it is."""
    out = []
    for ch in name:
        if "\udc80" <= ch <= "\udcff":  # a byte that is not UTF-8, as os.fsdecode and GitPython carry it
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif ch != " " and unicodedata.category(ch)[0] in "CZ" or ch in _INVISIBLE:  # controls, format, spaces
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def refused_problem(rel: str, what: str) -> Problem:
    """The problem every command reports for a path it will not read."""
    if what == "a name":
        return Problem(Pos(display_name(rel)), "error", "load.file-name",
                       "the file or folder name is not plain UTF-8 text (it holds bytes that are not UTF-8, or "
                       "control or invisible characters)",
                       "Rename it using letters, digits and hyphens, e.g. 04-supporting-victims.yaml.")
    return Problem(Pos(display_name(rel)), "error", "load.not-a-file",
                   f"this is {what}, not a plain file; guidance reads only plain files and folders in content/",
                   "Replace it with the file itself (a link could bring in text from outside the repository that "
                   "no reviewer sees), or move it out of content/.")


def _name_ok(name: str) -> bool:
    if name.isascii() and name.isprintable() and "\\" not in name:
        return True  # the usual name, decided without looking at each character
    return display_name(name) == name


def _suffix(name: str) -> str:
    """PurePath(name).suffix, without making a path."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def scan(content_dir: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The plain YAML files under content_dir, sorted, without following any link; and every path refused, with
    what it is: links, named pipes, devices, sockets, folders named *.yaml, names that are not plain text."""
    files, refused = scan_stat(content_dir)
    return [content_dir.joinpath(*parts) for parts, _ in files], refused


def scan_stat(content_dir: Path) -> tuple[list[tuple[tuple[str, ...], os.stat_result]], list[tuple[Path, str]]]:
    """scan(), with each plain file as the names of its path under content_dir (sorted as scan() sorts paths) and
    its lstat as the scan found it (what a cache of unchanged files compares). Strings, not paths: a tree of
    thousands of files is listed in milliseconds."""
    files: list[tuple[tuple[str, ...], os.stat_result]] = []
    refused: list[tuple[Path, str]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(os.fspath(content_dir), ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError as err:
            refused.append((Path(folder), f"a folder that cannot be read ({err.strerror})"))
            continue
        for entry in entries:
            name = entry.name
            try:
                info = entry.stat(follow_symlinks=False)
                mode = info.st_mode
            except OSError as err:
                refused.append((Path(entry.path), f"a path that cannot be read ({err.strerror})"))
                continue
            if not _name_ok(name):
                refused.append((Path(entry.path), "a name"))
            elif stat.S_ISLNK(mode):
                refused.append((Path(entry.path), "a symbolic link"))
            elif stat.S_ISDIR(mode):
                if _suffix(name) in SUFFIXES:
                    refused.append((Path(entry.path), "a folder named like a content file"))
                else:
                    folders.append((entry.path, parts + (name,)))
            elif stat.S_ISREG(mode):
                if _suffix(name) in SUFFIXES:
                    files.append((parts + (name,), info))
            else:
                refused.append((Path(entry.path), _special(mode)))
    files.sort(key=lambda f: f[0])
    return files, sorted(refused)


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def content_files(content_dir: Path) -> list[Path]:
    """The plain YAML files under content_dir (links and anything else that is not a plain file left out)."""
    return scan(content_dir)[0]


def read_plain(path: Path) -> bytes:
    """A plain file's bytes, refusing (OSError) a link or anything else that is not a plain file: checked on the
    open file itself, so that a file swapped for a link after scan() is not followed either."""
    return read_plain_stat(path)[0]


def read_plain_stat(path: Path | str) -> tuple[bytes, os.stat_result]:
    """read_plain(), with the open file's own stat (taken before it is read: a write during the read changes it)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a plain file")
        return handle.read(MAX_BYTES + 1), info


def list_content(root: Path) -> tuple[list[tuple[str, str, os.stat_result]], list[Problem]]:
    """Every plain content file's project-relative path, path and lstat, unread; and a problem for every path
    refused. read_content() reads what this lists; `guidance validate`'s cache reads only files that changed."""
    content_dir = root / "content"
    if content_dir.is_symlink():
        return [], [refused_problem("content", "a symbolic link")]
    if not content_dir.is_dir():
        return [], [Problem(Pos("content"), "error", "load.no-content", "there is no content/ folder here",
                            "Run guidance from the project's top folder, or pass --root.")]
    found, refused = scan_stat(content_dir)
    problems = [refused_problem(path.relative_to(root).as_posix(), what) for path, what in refused]
    top = os.fspath(content_dir)
    return [("content/" + "/".join(parts), os.path.join(top, *parts), info) for parts, info in found], problems


def unreadable(rel: str, err: OSError) -> Problem:
    return Problem(Pos(rel), "error", "load.unreadable", f"cannot read the file: {err.strerror or err}",
                   "Check the file's permissions, and that it is a plain file.")


def read_content(root: Path) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Every content file's project-relative path and bytes, and a problem for every path refused or unreadable.
    The one view of the working tree's content that every command reads."""
    listed, problems = list_content(root)
    entries = []
    for rel, path, _ in listed:
        try:
            entries.append((rel, read_plain(path)))
        except OSError as err:
            problems.append(unreadable(rel, err))
    return entries, problems


@contextlib.contextmanager
def collector_paused():
    """Load and check without Python's cyclic garbage collector: they make millions of objects that hold no
    cycles, and the collector's passes over them (set off by every 700 new objects, more and more of them
    full passes as the heap grows) took a fifth of `guidance validate` at 5,000 sections. It runs again
    afterwards, as it was, with what was made meanwhile moved to its oldest generation (gc.freeze then
    gc.unfreeze: no pass over them, which took 0.2 s at 5,000 sections, and still collected in its next full
    pass). Not where something else froze objects (the live preview's settled state): that is left as it is."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def load_tree(root: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Read every YAML file under root/content; return the parsed files and every problem met on the way."""
    entries, problems = read_content(root)
    files, found = load_entries(entries)
    return files, problems + found


def load_entries(entries, cache: dict | None = None) -> tuple[list[SourceFile], list[Problem]]:
    """Parse (path, bytes) pairs, paths like 'content/stalking/01-introduction.yaml' (from disk or a git revision).
    In place of bytes, a Refused names a path that is not a plain file. A cache keyed by (path, bytes) lets callers
    that read many revisions parse each distinct file once."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    for rel, raw in entries:
        if isinstance(raw, Refused) or not _name_ok(rel):
            problems.append(refused_problem(rel, raw.what if isinstance(raw, Refused) else "a name"))
            continue
        kind = file_kind(PurePosixPath(rel).relative_to("content"))
        if kind is None:
            problems.append(Problem(Pos(rel), "error", "load.unexpected-file",
                                    "this file is not part of the content model",
                                    "Registries sit in content/; each document is a folder of chapter files."))
            continue
        parsed = cache.get((rel, raw)) if cache is not None else None
        if parsed is None:
            parsed = parse(rel, kind, raw)
            if cache is not None:
                cache[(rel, raw)] = parsed
        source, found = parsed
        problems.extend(found)
        if source is not None:
            files.append(source)
    return files, problems


def parse(rel: str, kind: str, raw: bytes) -> tuple[SourceFile | None, list[Problem]]:
    """Parse one file's bytes, refusing anything an editor did not mean to write."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(Pos(rel), "error", "load.too-large",
                              f"the file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                              "Split the chapter into two files.")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = _line_col(raw[: err.start].decode("utf-8", "replace"))
        return None, [Problem(Pos(rel, line, col), "error", "load.encoding",
                              f"byte 0x{raw[err.start]:02x} is not valid UTF-8",
                              "Save the file as UTF-8 (most editors: File › Save with encoding).")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if (conflict := _conflict(rel, text)) is not None:
        return None, [conflict]
    problems = _character_problems(rel, text)
    if problems:
        return None, problems
    try:
        return _build(rel, kind, text)
    except MarkedYAMLError as err:
        if "maximum nesting depth" in str(err.problem):  # libyaml stops at 1,000 flow levels; we refuse at 40
            return None, [_too_deep(Pos(rel, *_line_col(text[:_deepest(text)])))]
        return None, [_yaml_problem(rel, err, text)]
    except (YAMLError, ValueError) as err:
        long_number = re.search(r"(?<![\w.])\d{1000,}", text)
        if isinstance(err, ValueError) and long_number:
            line, col = _line_col(text[:long_number.start()])
            return None, [Problem(Pos(rel, line, col), "error", "load.syntax",
                                  f"a number of {len(long_number.group()):,} digits",
                                  "Quote it if it is text; no value in content is that long a number.")]
        return None, [Problem(Pos(rel), "error", "load.syntax", f"the YAML cannot be read: {err}".strip(),
                              "Check the file's structure; this error has no position.")]


_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: .*)?$", re.M)


def _conflict(rel: str, text: str) -> Problem | None:
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


def _line_col(prefix: str) -> tuple[int, int]:
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
    return ch not in ALLOWED_FORMAT and (ch in _INVISIBLE or unicodedata.category(ch) == "Cf")


def _character_problems(rel: str, text: str) -> list[Problem]:
    out = []
    runs: list[list] = []  # [offset, count, first character]: a run of refused characters is one mistake
    for offset, ch in refused_characters(text):
        if runs and runs[-1][0] + runs[-1][1] == offset and _character(runs[-1][2])[0] == _character(ch)[0]:
            runs[-1][1] += 1
        else:
            runs.append([offset, 1, ch])
    for offset, count, ch in runs:
        line, col = _line_col(text[:offset])
        code, msg = _character(ch)
        more = f" and {count - 1} more like it after it" if count > 1 else ""
        out.append(Problem(Pos(rel, line, col), "error", code, f"the file holds {msg}{more}",
                           "Delete it; retype the text around it if it was pasted."))
    for m in re.finditer("\t", text):
        line, col = _line_col(text[: m.start()])
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


def _scalar(event: ScalarEvent):
    value = event.value
    if event.style or not event.implicit[0] or (value and value[0] not in _RESOLVED_FIRST):
        return value  # most plain scalars are keys and words: no null, boolean or number starts like them
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


def _build(rel: str, kind: str, text: str) -> tuple[SourceFile | None, list[Problem]]:
    """Build plain data and every value's position straight from the parser's events, in one pass and without
    recursion, refusing on the way what an editor did not mean to write: aliases and anchors (an alias bomb is
    never expanded), explicit tags, directives, merge keys, duplicate and non-text keys, deep nesting, and more
    than one document. The loop runs once per event (about 70 for a section), so it dispatches on the event's
    class and attaches values inline."""
    source = SourceFile(rel, kind, None, lines=text.splitlines())
    values, keys = source.values, source.keys
    problems: list[Problem] = []
    stack: list[_Frame] = []
    frame: _Frame | None = None  # the top of the stack
    documents = 0
    depth = 0
    escapes = "\\" in text  # only a double-quoted scalar has escapes: other characters were in the text, checked

    def here(mark) -> Pos:
        return Pos(rel, mark.line + 1, mark.column + 1)

    try:
        for event in _events(text):
            cls = type(event)
            if cls is ScalarEvent or cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = event.start_mark
                if event.anchor:
                    problems.append(Problem(here(mark), "error", "load.anchor",
                                            f"anchor &{event.anchor} is not allowed",
                                            "Remove the anchor; content files do not reuse values."))
                if event.tag and not _implicit(event):
                    problems.append(Problem(here(mark), "error", "load.tag", f"explicit tag {event.tag} is not allowed",
                                            "Remove the tag; quote the value if it should be text."))
                if cls is not ScalarEvent:
                    depth += 1
                    if depth > MAX_DEPTH:
                        return None, [_too_deep(here(mark))]
                if problems:
                    continue  # keep reading for every refused construct, but build nothing more
                if cls is ScalarEvent:
                    try:
                        value = _scalar(event)
                    except _TooLong as err:
                        raise _KeyProblem(Problem(here(mark), "error", "load.number",
                                                  f"a number of {err.args[0]:,} characters",
                                                  "Quote it if it is text; no value in content is that long a number.")) from None
                    if escapes and event.style == '"' and (bad := refused_characters(value)):
                        code, msg = _character(bad[0][1])
                        raise _KeyProblem(Problem(here(mark), "error", code,
                                                  f"an escape sequence in this value makes {msg}",
                                                  "Remove the \\ escape; write the text itself."))
                    if frame is not None and frame.key is _Frame and type(frame.container) is dict:  # a key
                        if value == "<<" and not event.style:
                            raise _KeyProblem(Problem(here(mark), "error", "load.merge-key",
                                                      "a merge key (<<) is not allowed",
                                                      "Write the fields out in full: a merge adds fields nobody can see here."))
                        _take_key(frame, value, mark, here)
                        continue
                    container = None
                else:
                    if frame is not None and frame.key is _Frame and type(frame.container) is dict:
                        raise _KeyProblem(Problem(here(mark), "error", "load.key-type",
                                                  "a key is a list or mapping, not text",
                                                  "Keys are field names: check the indentation and the ? marks."))
                    value = container = {} if cls is MappingStartEvent else []
                at = (mark.line, mark.column)
                if frame is None:
                    source.data = value
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
                    frame = _Frame(container, path)
                    stack.append(frame)
                continue
            if cls is MappingEndEvent or cls is SequenceEndEvent:
                depth -= 1
                if problems:
                    continue
                bad = stack.pop().bad_key
                frame = stack[-1] if stack else None
                if bad:
                    raise _KeyProblem(bad)
                continue
            if cls is AliasEvent:
                problems.append(Problem(here(event.start_mark), "error", "load.alias",
                                        f"alias *{event.anchor} is not allowed",
                                        "Write the text out in full; anchors and aliases are not used in content."))
                continue
            if cls is DocumentStartEvent:
                mark = event.start_mark
                if event.version or event.tags:
                    directive = re.search(r"^%", text, re.M)
                    line = text.count("\n", 0, directive.start()) + 1 if directive else mark.line + 1
                    problems.append(Problem(Pos(rel, line, 1), "error", "load.directive",
                                            "a %YAML or %TAG directive is not allowed",
                                            "Delete the line starting with %: directives change how the file is read."))
                documents += 1
                if documents > 1:
                    problems.append(Problem(here(mark), "error", "load.multiple-documents",
                                            "the file holds more than one YAML document",
                                            "Remove the '---' line; each file holds one chapter or registry."))
    except _KeyProblem as err:
        return None, problems or [err.problem]
    if problems:
        return None, problems
    return source, []


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


def _too_deep(pos: Pos) -> Problem:
    return Problem(pos, "error", "load.too-deep", f"the data is nested more than {MAX_DEPTH} levels deep",
                   "Content needs only a few levels; check the indentation.")


def _deepest(text: str) -> int:
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


def _yaml_problem(rel: str, err: MarkedYAMLError, text: str = "") -> Problem:
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
