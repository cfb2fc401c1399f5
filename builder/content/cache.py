"""Content-hash cache for `guidance validate`: an unchanged tree (same files, same code, same settings, same day)
gets its earlier problems back without being read again.

A file is not even read when its lstat (size, modification and change times in nanoseconds, inode, device) is the
one recorded with its digest, and it was last changed well before that record was made: git's rule for a "racy"
index entry. A file changed within RACY_NS of the record could be changed again within the same timestamp tick
and look the same, so it is read and hashed until it is older. The change time (ctime) cannot be set back by a
program, so a file rewritten and given its old modification time still looks changed.

The cache lives in the user's cache folder, never in the project: a checkout cannot bring its own answers (a
committed "no problems" would otherwise pass `validate --strict` in a fresh clone), and an entry that is not
exactly what store() writes is a miss, not a failure. An entry carries a seal, a digest of everything else in it
(the key, its problems, the stamp and each file's record), so an entry edited by hand (its problems emptied, its
stamp moved) is a miss. It is read only when it is a plain file (opened without following a link and without
waiting, so a named pipe cannot hang validate), and written to a new temporary file made exclusively in the cache
folder. A cache folder that cannot be used is reported as a warning (cache.unusable) and validate runs without it;
`guidance validate --no-cache` (as CI runs it) never reads or writes it."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from datetime import date
from importlib import resources
from pathlib import Path

from builder.content.model import Pos, Problem

_CODE = Path(__file__).resolve().parent.parent  # all of builder/
CHECKERS = ("PyYAML", "jsonschema", "jsonschema-rs")  # an upgrade may change what a check reports
_FIELDS = {"file": str, "line": int, "col": int, "severity": str, "code": str, "message": str, "hint": str}
MAX_ENTRY = 64 * 1024 * 1024  # bytes; a larger "entry" is not one store() wrote
RACY_NS = 2_000_000_000  # coarser than any file system's timestamps (FAT: 2 s), and than clock steps between them


def cache_dir() -> Path:
    """$GUIDANCE_CACHE_DIR, else $XDG_CACHE_HOME/guidance, else ~/.cache/guidance."""
    if os.environ.get("GUIDANCE_CACHE_DIR"):
        return Path(os.environ["GUIDANCE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "guidance"


def tree_key(root: Path, entries: list[tuple[str, bytes]], refused: list[Problem], today: date | None = None) -> str:
    """A digest of everything a check depends on: content files (names and bytes, and every path refused), the
    schemas, the builder's code, the libraries that read and check (their versions), pyproject.toml (rule settings)
    and today's date (review dates fall due)."""
    return key_of(root, [(rel, file_digest(raw)) for rel, raw in entries], refused, today)


def file_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def key_of(root: Path, digests: list[tuple[str, str]], refused: list[Problem], today: date | None = None) -> str:
    """tree_key() from each content file's file_digest() (read from the file, or from the record of its stat)."""
    digest = hashlib.sha256(str(today or date.today()).encode())
    for package in CHECKERS:
        version = installed_version(package)
        digest.update((f"{package}=={version}" if version else f"{package} absent").encode() + b"\0")
    for rel, file_hash in digests:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(file_hash))
    for problem in refused:
        digest.update(repr(problem).encode("utf-8", "surrogateescape"))
    inputs = [(p, f"code/{p.relative_to(_CODE).as_posix()}") for p in sorted(_CODE.rglob("*.py"))]
    schemas = resources.files("builder.schemas")  # schemas/, shipped inside the package (pyproject.toml)
    inputs += [(p, f"schemas/{p.name}") for p in sorted(schemas.iterdir(), key=lambda p: p.name)
               if p.name.endswith(".json")]
    inputs += [(root / "pyproject.toml", "pyproject.toml")] if (root / "pyproject.toml").is_file() else []
    for path, name in inputs:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def installed_version(name: str) -> str | None:
    """The version of an installed distribution, or None: read from the name of its folder
    {name}-{version}.dist-info where Python looks for packages (names compared as PEP 503 normalises them), as pip
    writes it. importlib.metadata reads the same folders, but importing it (with the e-mail parser it reads their
    headers with) took 18 ms, more than a cold check's other imports together; it is asked only where no such folder
    is found (a package in an egg or a zip)."""
    want = _normal(name)
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".dist-info") and _normal(entry.partition("-")[0]) == want:
                return entry[:-len(".dist-info")].partition("-")[2] or None
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _entry(root: Path) -> Path:
    """One file per project folder: each project keeps only its latest answer."""
    return cache_dir() / f"check-{hashlib.sha256(str(root.resolve()).encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.json"


def now() -> int:
    """The time a record is begun at (nanoseconds), before the first file is listed."""
    return time.time_ns()


def stat_of(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def unusable() -> str | None:
    """Why the cache folder cannot be used (it is a file, a device, or not writable), or None."""
    folder = cache_dir()
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return None  # made at the first store()
    except OSError as err:
        return f"{folder} cannot be read ({err.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} cannot be written"
    return None


def _seal(entry: dict) -> str:
    """A digest of everything in an entry but its seal."""
    body = {k: v for k, v in entry.items() if k != "seal"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _read_entry(path: Path) -> bytes | None:
    """The bytes of path when it is a plain file (not a link, pipe or device), read without waiting; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(MAX_ENTRY + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def record(root: Path) -> dict:
    """This project's stored record as read (what cached_problems() and known_digests() read), or {} when there is none, or
    it is not a plain file, or its seal does not match what it holds."""
    raw = _read_entry(_entry(root))
    try:
        stored = json.loads(raw.decode("utf-8")) if raw is not None else None
    except ValueError:
        return {}
    if not isinstance(stored, dict) or stored.get("seal") != _seal(stored):
        return {}
    return stored


def known_digests(stored: dict) -> dict[str, tuple[list[int], str]]:
    """rel → (lstat, file_digest) of each file whose recorded stat can be trusted: changed more than RACY_NS
    before the record was begun. Anything malformed gives nothing (every file is read)."""
    stamp, files = stored.get("stamp"), stored.get("files")
    if type(stamp) is not int or not isinstance(files, dict):
        return {}
    out = {}
    for rel, row in files.items():
        if not (isinstance(row, list) and len(row) == 6 and all(type(v) is int for v in row[:5])
                and isinstance(row[5], str) and len(row[5]) == 64):
            return {}
        if max(row[1], row[2]) < stamp - RACY_NS:
            out[rel] = (row[:5], row[5])
    return out


def cached_problems(root: Path, key: str, stored: dict | None = None) -> list[Problem] | None:
    """The problems stored for this project under key, or None (a miss) for anything else. stored: the record,
    when the caller has read it already."""
    try:
        stored = record(root) if stored is None else stored
        if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("problems"), list):
            return None
        rows = stored["problems"]
        if not all(isinstance(r, dict) and r.keys() == _FIELDS.keys()
                   and all(type(r[k]) is t for k, t in _FIELDS.items()) for r in rows):
            return None
    except (OSError, ValueError):
        return None
    return [Problem(Pos(r["file"], r["line"], r["col"]), r["severity"], r["code"], r["message"], r["hint"]) for r in rows]


def store(root: Path, key: str, problems: list[Problem], files: dict[str, list] | None = None,
          stamp: int | None = None) -> str | None:
    """Keep this project's answer; written whole (to a new temporary file, made exclusively in the cache folder,
    then renamed) so that a reader never sees half of it and nothing is written through a link left there. files:
    rel → stat_of() + [file_digest] of each file as it was read; stamp: time.time_ns() before the first file was
    listed. Returns why the cache could not be written (a warning to show), or None."""
    path = _entry(root)
    rows = [{"file": p.pos.file, "line": p.pos.line, "col": p.pos.col, "severity": p.severity, "code": p.code,
             "message": p.message, "hint": p.hint} for p in problems]
    entry = {"key": key, "problems": rows}
    if files is not None and stamp is not None:
        entry.update(stamp=stamp, files=files)
    entry["seal"] = _seal(entry)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)  # O_EXCL, mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(entry))
        os.replace(tmp, path)
        return None
    except OSError as err:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return f"{path.parent} cannot be written ({err.strerror or err})"
