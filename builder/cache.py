"""Content-hash cache for `guidance validate`: an unchanged tree (same files, same code, same settings, same day)
gets its earlier problems back without being read again."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from builder.load import content_files
from builder.model import Pos, Problem

CACHE_DIR = ".guidance-cache"
_CODE = Path(__file__).resolve().parent


def tree_key(root: Path, today: date | None = None) -> str:
    """A digest of everything a check depends on: content files (names and bytes), schemas, the builder's code,
    pyproject.toml (rule settings) and today's date (review dates fall due)."""
    digest = hashlib.sha256(str(today or date.today()).encode())
    inputs = [(p, p.relative_to(root).as_posix()) for p in content_files(root / "content")]
    inputs += [(p, f"code/{p.name}") for p in sorted(_CODE.glob("*.py"))]
    inputs += [(p, f"schemas/{p.name}") for p in sorted((_CODE.parent / "schemas").glob("*.json"))]
    inputs += [(root / "pyproject.toml", "pyproject.toml")] if (root / "pyproject.toml").is_file() else []
    for path, name in inputs:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load(root: Path, key: str) -> list[Problem] | None:
    path = root / CACHE_DIR / f"check-{key}.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [Problem(Pos(r["file"], r["line"], r["col"]), r["severity"], r["code"], r["message"], r["hint"]) for r in rows]


def store(root: Path, key: str, problems: list[Problem]) -> None:
    """Keep only this tree's entry; a cache that cannot be written is simply not used."""
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        for old in folder.glob("check-*.json"):
            old.unlink()
        rows = [{"file": p.pos.file, "line": p.pos.line, "col": p.pos.col, "severity": p.severity, "code": p.code,
                 "message": p.message, "hint": p.hint} for p in problems]
        (folder / f"check-{key}.json").write_text(json.dumps(rows), encoding="utf-8")
    except OSError:
        pass
