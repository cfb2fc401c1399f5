"""The stages joined up: check (builder.content.check) and build (check + history + render + site). Returns values;
never prints."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from builder.content.check import Checked, check, check_problems  # noqa: F401  (the CLI's and tests' entry points)

if TYPE_CHECKING:
    from builder.site.build import BuildResult


def build(root: Path, preview: bool = False, out_dir: Path | None = None,
          engine: str = "mkdocs") -> tuple[Checked, BuildResult | None]:
    """Validate everything first; only a clean tree is rendered and built (by engine, "mkdocs" or "zensical"). A
    failed build leaves out_dir as it was."""
    # Imported here: `guidance validate` needs none of them, and starts faster without git, Jinja2 and MkDocs.
    from builder.history.collect import collect as collect_history
    from builder.render.pages import Options, render
    from builder.review.diff import edition_redlines
    from builder.site.build import BuildResult, build_site, check_out_dir, site_url

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
    site = render(checked.content, Options(preview=preview, history=history, site_url=url,
                                           redlines=edition_redlines(checked.content, history)))
    result = build_site(root, site, out_dir, preview, engine=engine, keep_pages=False)
    result.problems += history.notes  # what git could not tell the build, said where the build's problems are
    return checked, result
