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

from yaml.error import MarkedYAMLError, YAMLError

from builder.content import position
from builder.content import translations
from builder.content import yaml_text
from builder.content.model import Pos, Problem

MAX_BYTES = 1024 * 1024
SUFFIXES = (".yaml", ".yml")
REGISTRIES = ("audiences", "legislation", "glossary", "services")


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
        elif ch != " " and unicodedata.category(ch)[0] in "CZ" or ch in yaml_text.INVISIBLE:  # controls, format, spaces
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
        line, col = yaml_text.line_col(raw[: err.start].decode("utf-8", "replace"))
        return None, [Problem(Pos(rel, line, col), "error", "load.encoding",
                              f"byte 0x{raw[err.start]:02x} is not valid UTF-8",
                              "Save the file as UTF-8 (most editors: File › Save with encoding).")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if (conflict := yaml_text.conflict(rel, text)) is not None:
        return None, [conflict]
    problems = yaml_text.character_problems(rel, text)
    if problems:
        return None, problems
    try:
        source = SourceFile(rel, kind, None, lines=text.splitlines())
        problems = yaml_text.build(source, text)
        return (None, problems) if problems else (source, [])
    except MarkedYAMLError as err:
        if "maximum nesting depth" in str(err.problem):  # libyaml stops at 1,000 flow levels; we refuse at 40
            return None, [yaml_text.too_deep(Pos(rel, *yaml_text.line_col(text[:yaml_text.deepest(text)])))]
        return None, [yaml_text.yaml_problem(rel, err, text)]
    except (YAMLError, ValueError) as err:
        long_number = re.search(r"(?<![\w.])\d{1000,}", text)
        if isinstance(err, ValueError) and long_number:
            line, col = yaml_text.line_col(text[:long_number.start()])
            return None, [Problem(Pos(rel, line, col), "error", "load.syntax",
                                  f"a number of {len(long_number.group()):,} digits",
                                  "Quote it if it is text; no value in content is that long a number.")]
        return None, [Problem(Pos(rel), "error", "load.syntax", f"the YAML cannot be read: {err}".strip(),
                              "Check the file's structure; this error has no position.")]


