"""The stages joined up: check (builder.content.check) and build (check + history + render + site). Returns values;
never prints."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from builder.content import check as content_check
from builder.content import owners
from builder.content.check import Checked
from builder.history.base import at_base

if TYPE_CHECKING:
    from builder.site.build import BuildResult


def check(root: Path, read: tuple | None = None) -> Checked:
    """The content checked (content.check.check), and .github/CODEOWNERS checked against the documents' owners."""
    checked = content_check.check(root, read, base=at_base(root))
    checked.problems += owners.problems(root)
    return checked


def check_problems(root: Path, use_cache: bool = True) -> Checked:
    """check() for guidance validate: the content's problems answered from the cache when nothing changed (unless
    use_cache is False), and CODEOWNERS checked every time (it is not content, so the cache does not cover it)."""
    checked = content_check.check_problems(root, use_cache, base=at_base(root))
    checked.problems += owners.problems(root)
    return checked


def build(root: Path, preview: bool = False, out_dir: Path | None = None,
          engine: str = "mkdocs", offline: bool = False) -> tuple[Checked, BuildResult | None]:
    """The stages in order: check the content (schemas, references, house rules) and CODEOWNERS; only a clean
    tree goes on to read its history from git, render and build the site (by engine, "mkdocs" or "zensical"). A
    failed build leaves out_dir as it was. offline: a site that browses from disk (file://): pages as files,
    search inlined (builder/site/engines.py)."""
    # Imported here: `guidance validate` needs none of them, and starts faster without git, Jinja2 and MkDocs.
    from builder.history.collect import collect as collect_history
    from builder.render.pages import Options, render
    from builder.render.welsh import render_languages
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
    options = Options(preview=preview, history=history, site_url=url,
                      redlines=edition_redlines(checked.content, history), directory_urls=not offline)
    site = render(checked.content, options)
    site.languages = render_languages(checked.content, options)  # the Welsh site under /cy/, if any
    result = build_site(root, site, out_dir, preview, engine=engine, keep_pages=False, offline=offline)
    result.problems += history.notes  # what git could not tell the build, said where the build's problems are
    return checked, result
