"""Every use of MkDocs from guidance's code, its private functions and attributes included, in one module. MkDocs is
pinned to a minor version in pyproject.toml because the live preview (builder/preview/incremental.py,
builder/preview/server.py) drives its build step by step with functions that are not its public API (the names
starting with _, and Warm below); an upgrade is checked here, against mkdocs/commands/build.py, and nowhere else.
Importing this module imports MkDocs, so callers import it where they build, not at the top of a module that
`guidance validate` loads."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import (
    _build_extra_template,
    _build_theme_template,
    _populate_page,
    build,
    get_context,
)
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer, _timestamp
from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

# What other modules take from here: MkDocs' own names, so that no other module imports MkDocs, and the warm build.
__all__ = ["LiveReloadServer", "MkDocsException", "Warm", "_timestamp", "build", "load_config"]


@dataclass
class Warm:
    """MkDocs' objects of one full build, kept in this process so that pages can be built again one at a time:
    the config with its plugin instances, Files, the documentation pages, Navigation, the theme's Jinja
    environment and the search plugin (or None)."""

    config: object
    files: object
    doc_files: list
    nav: object
    env: object
    search: object

    @classmethod
    def make(cls, config_path: Path, site_dir: Path) -> Warm:
        """mkdocs.commands.build.build() up to the pages' templates, step by step: every page converted
        (populated), static files copied and the theme's and extra templates written into site_dir. On a
        failure the plugins are shut down."""
        config = load_config(str(config_path), site_dir=str(site_dir))
        try:
            config.plugins.on_startup(command="build", dirty=False)
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            files = get_files(config)
            env = config.theme.get_env()
            files.add_files_from_theme(env, config)
            files = config.plugins.on_files(files, config=config)
            set_exclusions(files, config)
            nav = get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)
            inclusion = InclusionLevel.is_included
            for file in files.documentation_pages(inclusion=inclusion):
                if file.page is None and file.inclusion.is_not_in_nav():
                    Page(None, file, config)
                _populate_page(file.page, config, files)
            env = config.plugins.on_env(env, config=config, files=files)
            files.copy_static_files(inclusion=inclusion)
            for template in config.theme.static_templates:
                _build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                _build_extra_template(template, files, config, nav)
        except Exception:
            with contextlib.suppress(Exception):
                config.plugins.on_shutdown()
            raise
        doc_files = files.documentation_pages(inclusion=inclusion)
        search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
        return cls(config, files, doc_files, nav, env, search)

    def page(self, rel: str):
        """The Page of Markdown page rel, or None."""
        file = self.files.get_file_from_path(rel)
        return file.page if file is not None else None

    def populate(self, page) -> None:
        """Read and convert page's Markdown again (mkdocs.commands.build._populate_page)."""
        _populate_page(page, self.config, self.files)

    def render_page(self, page, index: bool = True) -> tuple[str, list[dict]]:
        """mkdocs.commands.build._build_page, returning the HTML instead of writing it, and the page's search
        entries (what the search plugin's page_context handler added). index=False: the page's content was not
        converted again and its entries are not wanted (the search plugin has already taken the parts that are
        left out of search out of the content: its entries from that content would be wrong)."""
        config = self.config
        index = self.search.search_index if self.search is not None and index else None
        mark = len(index.entries) if index is not None else 0
        if self.search is not None and index is None:
            self.search.search_index.add_entry_from_context = _skip_entries
        config._current_page = page
        try:
            page.active = True
            context = get_context(self.nav, self.doc_files, config, page)
            template = self.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=self.nav)
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
            config._current_page = None
            if self.search is not None:
                self.search.search_index.__dict__.pop("add_entry_from_context", None)
        raw = []
        if index is not None:
            raw = index.entries[mark:]
            del index.entries[mark:]
        return output, raw

    def check_anchors(self, files, skip_links_to: set[str]) -> None:
        """Page.validate_anchor_links for files, leaving out links to pages not rebuilt yet."""
        level = self.config.validation.links.anchors
        for file in files:
            page = file.page
            if not page.links_to_anchors:
                continue
            if skip_links_to:
                keep = {k: v for k, v in page.links_to_anchors.items() if k.src_uri not in skip_links_to}
                saved, page.links_to_anchors = page.links_to_anchors, keep
                try:
                    page.validate_anchor_links(files=self.files, log_level=level)
                finally:
                    page.links_to_anchors = saved
            else:
                page.validate_anchor_links(files=self.files, log_level=level)

    def search_index(self, entries: dict[str, list[dict]]) -> bytes:
        """The search index file with each page's entries (page → its entries), in MkDocs' page order."""
        index = self.search.search_index
        index.entries = [e for f in self.doc_files for e in entries.get(f.src_uri, ())]
        try:
            return index.generate_search_index(None).encode("utf-8")
        finally:
            index.entries = []

    def renavigate(self, nav: list, titles: list[tuple[str | None, str]]) -> None:
        """Give every page the navigation nav (mkdocs.yml's form; titles: its (title, page) pairs) without
        converting any page's Markdown again: each Page keeps its content; its title from the navigation, parent
        and neighbours are set afresh."""
        config = self.config
        for file in self.doc_files:
            page = file.page
            page.__dict__.pop("title", None)  # the title the navigation gave it (a weak_property's override)
            page.parent = page.previous_page = page.next_page = None
        for title, rel in titles:
            page = self.page(rel)
            if title is not None and page is not None:
                page.title = title
        config["nav"] = nav
        self.nav = config.plugins.on_nav(get_navigation(self.files, config), config=config, files=self.files)

    def theme_pages(self) -> None:
        """Write the theme's static pages (404.html, sitemap.xml), which carry the navigation too."""
        for template in self.config.theme.static_templates:
            _build_theme_template(template, self.env, self.files, self.config, self.nav)

    def post_build(self) -> None:
        self.config.plugins.on_post_build(config=self.config)

    def shutdown(self) -> None:
        self.config.plugins.on_shutdown()

    def prunes(self) -> bool | None:
        """True: the theme is Material drawing each page's navigation pruned (mkdocs.yml's navigation.prune,
        without the features that keep sections open); False: Material drawing all of it; None: another theme,
        whose pages may show anything of the navigation."""
        theme = self.config.theme
        if theme.name != "material":
            return None
        features = set(theme.get("features") or ())
        return "navigation.prune" in features and not features & {"navigation.tabs", "navigation.sections",
                                                                   "navigation.expand"}


def _skip_entries(page) -> None:
    """In place of the search plugin's add_entry_from_context while a page only gets a new navigation."""
