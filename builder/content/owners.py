"""Content stage, owners: .github/CODEOWNERS made from each document's owners (document.yaml), so that GitHub asks
them to approve every change to their document; guidance fmt writes it and guidance validate checks it is current."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from builder.content.model import Pos, Problem

PATH = ".github/CODEOWNERS"
HEADER = ("# Written by guidance fmt from owners: in content/*/document.yaml. Edit those, then run guidance fmt;\n"
          "# guidance validate fails while this file is out of date. The last matching line wins.\n")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def owners(root: Path) -> dict[str, list[str]]:
    """document id → its owners, read from each document.yaml (a file that cannot be read has its own problem)."""
    out = {}
    for path in sorted((root / "content").glob("*/document.yaml")):
        if path.is_symlink() or path.parent.is_symlink():
            continue
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        found = data.get("owners") if isinstance(data, dict) else None
        if isinstance(found, list) and found and all(isinstance(o, str) for o in found):
            out[path.parent.name] = list(dict.fromkeys(found))
    return out


def codeowners(found: dict[str, list[str]]) -> str | None:
    """The file's text: every owner approves shared registries and this file; each document's owners its folder.
    None when no document names owners."""
    if not found:
        return None
    everyone = list(dict.fromkeys(o for names in found.values() for o in names))
    lines = [HEADER, f"/content/ {' '.join(everyone)}"]
    lines += [f"/content/{doc}/ {' '.join(names)}" for doc, names in found.items()]
    lines.append(f"/{PATH} {' '.join(everyone)}")
    return "\n".join(lines) + "\n"


def problems(root: Path) -> list[Problem]:
    """The file checked against the owners, in a project that lives on GitHub (it has a .github folder)."""
    expected = codeowners(owners(root))
    if expected is None or not (root / ".github").is_dir():
        return []
    try:
        actual = (root / PATH).read_text(encoding="utf-8") if not (root / PATH).is_symlink() else None
    except (OSError, UnicodeDecodeError):
        actual = None
    if actual == expected:
        return []
    what = "is missing" if actual is None else "does not match the owners in document.yaml"
    return [Problem(Pos(PATH), "error", "owners.codeowners-stale", f"{PATH} {what}",
                    "Run guidance fmt to write it from the owners: of each document.yaml, and commit it.")]


def write(root: Path) -> bool:
    """Write the file if it is out of date; whether it was written. A link in its place is never written through."""
    expected = codeowners(owners(root))
    target = root / PATH
    if expected is None or not problems(root) or target.is_symlink() or target.parent.is_symlink():
        return False
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(f".CODEOWNERS.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(expected)
    os.replace(tmp, target)
    return True
