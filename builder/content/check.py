"""The content stage joined up: load, validate (schemas, references, house rules) and the content-hash cache of
`guidance validate`. Returns values; never prints."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from builder.content import cache
from builder.content import rules
from builder.content.load import load_entries, read_content
from builder.content.model import Content, Problem
from builder.content.validate import validate


@dataclass
class Checked:
    content: Content | None  # None when the problems came from the cache
    problems: list[Problem] = field(default_factory=list)

    def failed(self, strict: bool = False) -> bool:
        bad = ("error", "warning") if strict else ("error",)
        return any(p.severity in bad for p in self.problems)


def check(root: Path, read: tuple | None = None) -> Checked:
    """Load and validate the content under root (or what read_content(root) already returned)."""
    entries, problems = read if read is not None else read_content(root)
    files, found = load_entries(entries)
    problems = problems + found
    content, found = validate(files, rules.configure(root), complete=not problems,
                              unreadable={p.pos.file for p in problems})
    return Checked(content, problems + found)


def check_problems(root: Path) -> Checked:
    """check() for callers that need only the problems (guidance validate): answered from the content-hash cache
    when nothing has changed since the last run."""
    entries, refused = read = read_content(root)
    key = cache.tree_key(root, entries, refused)
    cached = cache.load(root, key)
    if cached is not None:
        return Checked(None, cached)
    checked = check(root, read)
    if (root / "content").is_dir():  # a folder that is not a project gets no cache entry
        cache.store(root, key, checked.problems)
    return checked
