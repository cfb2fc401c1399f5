"""The stages joined up: check (load + validate) and build (check + render + site). Returns values; never prints."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from builder import cache, rules
from builder.load import load_entries, read_content
from builder.model import Content, Problem
from builder.validate import validate

if TYPE_CHECKING:
    from builder.site import BuildResult


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


def build(root: Path, preview: bool = False, out_dir: Path | None = None,
          engine: str = "mkdocs") -> tuple[Checked, BuildResult | None]:
    """Validate everything first; only a clean tree is rendered and built (by engine, "mkdocs" or "zensical"). A
    failed build leaves out_dir as it was."""
    # Imported here: `guidance validate` needs none of them, and starts faster without git, Jinja2 and MkDocs.
    from builder.history import collect as collect_history
    from builder.render import Options, render
    from builder.site import BuildResult, build_site, check_out_dir, site_url

    root = root.resolve()
    checked = check(root)
    if checked.failed():
        return checked, None
    # Absolute but not resolved: the build refuses an --out that is a link rather than follow it.
    out_dir = Path(os.path.abspath(out_dir or root / ("site-preview" if preview else "site")))
    url, problem = site_url(root, preview)
    if (problem := check_out_dir(root, out_dir) or problem) is not None:  # refused before anything is written
        return checked, BuildResult(out_dir, problems=[problem])
    history = collect_history(root, checked.content)
    site = render(checked.content, Options(preview=preview, history=history, site_url=url))
    result = build_site(root, site, out_dir, preview, engine=engine, keep_pages=False)
    result.problems += history.notes  # what git could not tell the build, said where the build's problems are
    return checked, result
