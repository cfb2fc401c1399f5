"""Content-hash cache for `guidance validate`: an unchanged tree (same files, same code, same settings, same day)
gets its earlier problems back without being read again.

The cache lives in the user's cache folder, never in the project: a checkout cannot bring its own answers (a
committed "no problems" would otherwise pass `validate --strict` in a fresh clone), and an entry that is not
exactly what store() writes is a miss, not a failure."""
from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from importlib import metadata, resources
from pathlib import Path

from builder.content.model import Pos, Problem

_CODE = Path(__file__).resolve().parent.parent  # all of builder/
CHECKERS = ("PyYAML", "jsonschema", "fastjsonschema")  # an upgrade may change what a check reports
_FIELDS = {"file": str, "line": int, "col": int, "severity": str, "code": str, "message": str, "hint": str}


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
    digest = hashlib.sha256(str(today or date.today()).encode())
    for package in CHECKERS:
        try:
            digest.update(f"{package}=={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} absent\0".encode())
    for rel, raw in entries:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(raw).digest())
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


def _entry(root: Path) -> Path:
    """One file per project folder: each project keeps only its latest answer."""
    return cache_dir() / f"check-{hashlib.sha256(str(root.resolve()).encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.json"


def load(root: Path, key: str) -> list[Problem] | None:
    """The problems stored for this project under key, or None (a miss) for anything else."""
    try:
        stored = json.loads(_entry(root).read_text(encoding="utf-8"))
        if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("problems"), list):
            return None
        rows = stored["problems"]
        if not all(isinstance(r, dict) and r.keys() == _FIELDS.keys()
                   and all(type(r[k]) is t for k, t in _FIELDS.items()) for r in rows):
            return None
    except (OSError, ValueError):
        return None
    return [Problem(Pos(r["file"], r["line"], r["col"]), r["severity"], r["code"], r["message"], r["hint"]) for r in rows]


def store(root: Path, key: str, problems: list[Problem]) -> None:
    """Keep this project's answer; written whole (to a temporary name, then renamed) so that a reader never sees
    half of it. A cache that cannot be written is simply not used."""
    path = _entry(root)
    rows = [{"file": p.pos.file, "line": p.pos.line, "col": p.pos.col, "severity": p.severity, "code": p.code,
             "message": p.message, "hint": p.hint} for p in problems]
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"key": key, "problems": rows}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
