"""Site stage, other languages: each language's pages (builder/render/welsh.py) built by the engine under
/<language>/ of the site being built, with the theme's interface strings in that language, its own search index and
sitemap, and the same sanitiser and draft-leak checks as the English."""
from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from builder.content.model import Pos, Problem
from builder.content.translations import LANGUAGES
from builder.render.pages import Site
from builder.site.checker import PageChecker
from builder.site.engines import dump_yaml, run_engine, write_config
from builder.site.sanitise import only_pages
from builder.site.search import inline_search_index, tune_search_index

NAMES = {"en": "English", **LANGUAGES}


def english_switch(site: Site) -> dict:
    """The English site's extra settings when it has other languages: the switch to each (nothing without one, so
    that a project without translations builds the same site, byte for byte)."""
    if not site.languages:
        return {}
    return {"language_switch": {"current": {"lang": "en", "name": "English"},
                                "others": [{"lang": lang, "name": NAMES[lang], "prefix": f"{lang}/"}
                                           for lang in site.languages]}}


def build_languages(root: Path, build_dir: Path, site: Site, tmp: Path, preview: bool, engine: str, name: str,
                    offline: bool, write_docs) -> list[Problem]:
    """Build each of site.languages into tmp/<language>/ (after the English: the engine empties its own folder
    first). Returns the problems: the engine's, the sanitiser's and, for a public build, any draft text leaked."""
    problems: list[Problem] = []
    for language, translated in site.languages.items():
        docs_dir = build_dir / f"docs-{name}-{language}"
        write_docs(translated, docs_dir)
        out = tmp / language
        config = write_config(root, build_dir, f"{name}-{language}", docs_dir, out, translated.nav,
                              exclude=None if preview else only_pages(translated.pages), engine=engine,
                              url=translated.site_url, offline=offline,
                              extra={"roles": translated.roles,
                                     "language_switch": {"current": {"lang": language, "name": NAMES[language]},
                                                         "others": [{"lang": "en", "name": "English",
                                                                     "prefix": "../"}]}})
        _in_language(config, language)
        with PageChecker(out, translated.hidden_text, translated.public_text, leak_check=not preview, trees=translated.trees,
                         concurrent=engine == "mkdocs") as checker:
            found = run_engine(engine, config, out, page_hook=checker.hook)
            tune_search_index(out, translated.search_labels, translated.search_extra)
            if offline:
                inline_search_index(out)
            if not any(p.severity == "error" for p in found):
                more, leaks = checker.finish()
                found += more
                if not preview:
                    found += [Problem(Pos("site"), "error", "build.draft-leak",
                                      f"unpublished text reached the {language} site: {leak}",
                                      "The build was stopped and the old site kept. Report this: it is a fault in "
                                      "the builder.") for leak in leaks]
        problems += found
    merge_sitemaps(tmp, site.languages)
    return problems


def _in_language(config: Path, language: str) -> None:
    """The generated configuration with the theme's interface strings in the language (Material ships Welsh) and
    the site's name in it. Search keeps lunr's English pipeline: lunr has no Welsh stemmer, and the index and the
    query are stemmed alike, so Welsh words find Welsh text."""
    text = config.read_text(encoding="utf-8")
    head, _, body = text.partition("\n")
    data = yaml.safe_load(body)
    data["theme"]["language"] = language
    data["site_name"] = {"cy": "Canllawiau statudol ar stelcio"}.get(language, data["site_name"])
    plugins = data.get("plugins") or []
    for i, plugin in enumerate(plugins):
        if plugin == "search" or isinstance(plugin, dict) and "search" in plugin:
            settings = dict(plugin["search"] or {}) if isinstance(plugin, dict) else {}
            plugins[i] = {"search": {**settings, "lang": ["en"]}}
    config.write_text(head + "\n" + dump_yaml(data), encoding="utf-8")


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def merge_sitemaps(site_dir: Path, languages) -> None:
    """The site's sitemap.xml (and its .gz) lists each other language's pages too, after the English ones, so that
    a search engine reading /sitemap.xml finds /cy/…; each language's own sitemap stays beside its pages."""
    main = site_dir / "sitemap.xml"
    if not main.is_file():
        return  # Zensical writes none
    ET.register_namespace("", SITEMAP_NS)
    tree = ET.parse(main)
    for language in languages:
        other = site_dir / language / "sitemap.xml"
        if other.is_file():
            tree.getroot().extend(ET.parse(other).getroot().findall(f"{{{SITEMAP_NS}}}url"))
    ET.indent(tree, space="    ")
    data = ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True) + b"\n"
    main.write_bytes(data)
    if (site_dir / "sitemap.xml.gz").exists():
        (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(data, mtime=0))
