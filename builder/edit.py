"""Editing tools: canonical layout with ids assigned (fmt), and scaffolding a new draft section."""
from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from builder.load import content_files, file_kind, parse
from builder.model import Pos, Problem

ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1/o/0: ids are read aloud and typed


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap editors' lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def new_id(taken: set[str]) -> str:
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(4))
        if candidate not in taken and not candidate.isdigit():
            taken.add(candidate)
            return candidate


@dataclass
class Formatted:
    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def format_tree(root: Path) -> tuple[list[Formatted], list[Problem]]:
    """Canonical text for every content file, with missing block ids assigned. Writes nothing."""
    content_dir = root / "content"
    results, problems = [], []
    loaded = []
    for path in content_files(content_dir):
        rel = path.relative_to(root).as_posix()
        kind = file_kind(path.relative_to(content_dir))
        raw = path.read_bytes()
        _, found = parse(rel, kind or "chapter", raw)
        if found:
            problems.extend(found)
            continue
        text = raw.decode("utf-8").lstrip("\ufeff")
        loaded.append((path, kind, text, _yaml().load(text)))
    taken: set[str] = set()  # block ids are unique across documents: audience views show both on one page
    for path, kind, _, data in loaded:
        if kind == "chapter":
            taken.update(_block_ids(data))
    for path, kind, text, data in loaded:
        if kind == "chapter":
            for block in _blocks(data):
                if "id" not in block:
                    block.insert(0, "id", new_id(taken))
        results.append(Formatted(path, text, _dump(data)))
    return results, problems


def _blocks(data):
    if not isinstance(data, CommentedMap) or not isinstance(data.get("sections"), CommentedSeq):
        return
    for section in data["sections"]:
        if isinstance(section, CommentedMap) and isinstance(section.get("blocks"), CommentedSeq):
            yield from (b for b in section["blocks"] if isinstance(b, CommentedMap))


def _block_ids(data) -> set[str]:
    return {str(b["id"]) for b in _blocks(data) if "id" in b}


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return (slug if slug[:1].isalpha() else "s-" + slug)[:60].strip("-") or "section"


def new_section(root: Path, doc: str, chapter: str, title: str, today: date | None = None) -> tuple[str, Problem | None]:
    """Append a draft section to a chapter file. Returns the new section's id, or a problem saying why not."""
    folder = root / "content" / doc
    if not (folder / "document.yaml").is_file():
        docs = sorted(p.parent.name for p in (root / "content").glob("*/document.yaml"))
        return "", Problem(Pos(f"content/{doc}"), "error", "new.no-document", f"there is no document '{doc}'",
                           f"Choose one of: {', '.join(docs)}.")
    if not title.strip() or re.search(r"[\n\r<>]", title):
        return "", Problem(Pos(f"content/{doc}"), "error", "new.title", "the title must be one line of plain text",
                           "Pass --title \"What this section covers\".")
    chapters = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "document.yaml":
            data = _yaml().load(path.read_text(encoding="utf-8"))
            chapters[path.stem] = chapters[str(data.get("id"))] = (path, data)
    if chapter not in chapters:
        names = sorted({str(d.get("id")) for _, d in chapters.values()})
        return "", Problem(Pos(f"content/{doc}"), "error", "new.no-chapter", f"there is no chapter '{chapter}' in {doc}",
                           f"Choose one of: {', '.join(names)}.")
    path, data = chapters[chapter]
    section_ids = {str(s.get("id")) for _, d in chapters.values() for s in d.get("sections", [])}
    block_ids = set().union(*(_block_ids(_yaml().load(p.read_text(encoding="utf-8")))
                              for p in (root / "content").glob("*/*.yaml") if p.name != "document.yaml"))
    sid = base = slugify(title)
    n = 2
    while sid in section_ids:
        sid, n = f"{base}-{n}", n + 1
    today = today or date.today()
    section = CommentedMap()
    section["id"] = sid
    section["title"] = " ".join(title.split())
    section["audiences"] = ["all"]
    section["status"] = "draft"
    section["review_by"] = (today + timedelta(days=365)).isoformat()
    block = CommentedMap()
    block["id"] = new_id(block_ids)
    block["para"] = "Write the first paragraph of this section here."
    section["blocks"] = [block]
    data["sections"].append(section)
    path.write_text(_dump(data), encoding="utf-8")
    return sid, None
