"""Preview stage, other languages: `guidance serve` previews each language's pages (drafts shown with a notice)
under /<language>/ of the preview, rebuilt whole after each update of the English pages."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from builder.content.check import check
from builder.content.model import Problem
from builder.content.translations import LANGUAGES
from builder.render.pages import Options, Site
from builder.render.welsh import render_languages
from builder.site.build import write_docs
from builder.site.welsh import build_languages, english_switch


def has_translations(root: Path) -> bool:
    """Whether the project holds any translation file (content/<lang>/ or content/<doc>/<lang>/), cheaply."""
    content = root / "content"
    return any((content / lang).is_dir() or any(content.glob(f"*/{lang}/*.yaml")) for lang in LANGUAGES)


def switch_extra(root: Path) -> dict:
    """The English preview's extra settings: the language switch, when the project has translations."""
    if not has_translations(root):
        return {}
    return english_switch(Site(languages={lang: None for lang in LANGUAGES}))


def build(root: Path, build_dir: Path, site_dir: Path) -> list[Problem]:
    """Check and render the content again and build each language's preview into site_dir/<language>/, replacing
    the one before in a rename. Returns the problems; on a problem the previous pages stay."""
    if not has_translations(root) or not site_dir.is_dir():
        return []
    checked = check(root)
    if checked.failed():
        return []  # the English preview shows these problems already
    site = Site(languages=render_languages(checked.content, Options(preview=True)))
    if not site.languages:
        return []
    tmp = Path(tempfile.mkdtemp(prefix=".languages-", dir=build_dir))
    try:
        problems = build_languages(root, build_dir, site, tmp, True, "mkdocs", "serve", False, write_docs)
        if not any(p.severity == "error" for p in problems):
            for language in site.languages:
                target = site_dir / language
                old = site_dir / f".{language}.old"
                if target.exists():
                    target.rename(old)
                (tmp / language).rename(target)
                shutil.rmtree(old, ignore_errors=True)
        return problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
