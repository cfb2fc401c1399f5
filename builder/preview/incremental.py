"""Incremental preview: keep MkDocs warm in this process and, on a save, rebuild only the pages whose Markdown
changed, with the search index kept whole.

    preview = Preview(root)            # root holds content/ and mkdocs.yml
    update = preview.start()           # check, render, full MkDocs build into build/serve-<pid>-<tag>/site/
    ...                                # an editor saves a content file
    update = preview.apply_change()    # check, render, diff, rebuild what changed
    update.timings["preview"]          # seconds from the start of apply_change to the edited page on disk
    update.timings["complete"]         # ... to every page (print pages and audience views too) on disk

How an update is planned (which pages, in which step, and what survives a change of navigation) is told in
builder/preview/plan.py; every use of MkDocs' internals is in builder/site/mkdocs_adapter.py (Warm).

Problems (content that does not validate, MkDocs warnings, unsafe HTML) are returned, never printed; while there
are errors the preview on disk is the last good one. The preview is sanitised like `guidance build --preview`
(builder/site/sanitise.py) and its search index tuned the same way (builder/site/search.py).
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from builder.content.check import Recheck
from builder.content.model import Pos, Problem
from builder.preview import languages
from builder.preview.collector import Collector, settle
from builder.preview.plan import (NAV_CHANGED, Update, fed_pages, ended_previews, first_step, nav_pages, nav_views,
                                  page_doc, page_keys, setup_mtimes, watched_files)
from builder.render.pages import Options, render
from builder.render.pages import aggregated as is_aggregated
from builder.site.build import build_dir_problem
from builder.site.engines import Collect, collected, write_config
from builder.site.mkdocs_adapter import Warm
from builder.site.sanitise import sanitise_page, sanitise_search_entries, theme_scripts
from builder.site.search import tune_entries
from builder.site.staged import stage, swap_in, write_if_changed

CONFIG_NAME = "mkdocs-serve"


class _NeedFull(Exception):
    """The incremental path cannot be sure of the result: build everything."""


@dataclass
class _State(Warm):
    """A built preview: MkDocs' objects, kept warm (Warm), and what the site on disk reflects."""

    allowed: set[str]  # the theme's inline scripts (builder/site/sanitise.py)
    site_nav: list
    labels: dict[str, str]
    built: dict[str, str]  # Markdown page → the text its HTML was built from
    raw: dict[str, list[dict]] = field(default_factory=dict)  # page → its search entries as MkDocs made them
    entries: dict[str, list[dict]] = field(default_factory=dict)  # page → the same, tuned and sanitised
    setup: dict[str, int] = field(default_factory=dict)
    extra: dict[str, dict] = field(default_factory=dict)  # render's Site.search_extra: roles, aka, left-out entries
    by_dest: dict[str, str] | None = None  # a page's file in the site → its Markdown page


class Preview:
    """A live preview of root (content/ and mkdocs.yml) built into site_dir (default: site/ in a build folder of
    its own, build/serve-<pid>-<tag>/, so that two previews of one checkout never write each other's files).

    publish: a context manager factory wrapped around every write to site_dir (guidance serve holds browser
    requests while files change and reloads them afterwards); the default does nothing."""

    def __init__(self, root: Path, site_dir: Path | None = None,
                 publish: Callable[[], contextlib.AbstractContextManager] | None = None):
        self.root = Path(root).resolve()
        self.build_dir = self.root / "build" / f"serve-{os.getpid()}-{secrets.token_hex(3)}"
        self.docs_dir = self.build_dir / "docs"
        self.site_dir = Path(site_dir).resolve() if site_dir else self.build_dir / "site"
        self.publish = publish or contextlib.nullcontext
        self.state: _State | None = None
        self.stale = False  # an update failed half way: the warm state no longer matches the site
        self.snapshot: dict[str, int] = {}
        self.site = None  # the last render (builder.render.pages.Site); only the first step's pages while owed is set
        self.owed = None  # the Content whose other pages are still to be rendered and built
        self.pending: list[str] = []  # second-step pages rendered but not yet built
        # Pages whose converted content is current but whose HTML still has the old navigation (after a change of
        # navigation or of a page title, only the pages whose Markdown changed are converted again; the others
        # only go through the theme template again, in build_rest() or when the browser asks for them: refresh()).
        self.retemplate: dict[str, None] = {}
        self.lock = threading.RLock()  # the warm MkDocs state is used by the watcher and by page requests
        self._written: dict[str, str] = {}  # what the preview docs tree holds
        self.checker = Recheck(self.root)  # checks again only what a save changed
        self.unrendered: set[str] = set()  # content files changed since the last render of the first step
        self.collector = Collector()  # the cyclic garbage collector, paused for the first step
        # document id → what its pages are made from (page_keys), as the site on disk has them: a document whose
        # key is unchanged has the same pages, which the second step does not render again.
        self.keys: dict[str, tuple] = {}
        self.owed_keys: dict[str, tuple] | None = None  # the keys of the content the second step is building

    # --- the entry points -----------------------------------------------------------------------------------

    def start(self) -> Update:
        """Check, render and build the whole preview."""
        return self.apply_change(force_full=True)

    def apply_change(self, rest: bool = True, force_full: bool = False) -> Update:
        """Bring the preview up to date with the files on disk. rest=False leaves the second step's pages (and the
        navigation of pages whose content did not change) for build_rest(), which guidance serve runs after the
        browser has reloaded."""
        with self.lock:
            return self._apply_change(rest, force_full)

    def _apply_change(self, rest: bool, force_full: bool) -> Update:
        started = time.perf_counter()
        update = Update("none", started=started)
        t = update.timings
        with self.collector.paused():
            self._step_one(update, force_full)
        if "total" in t:
            return update
        if rest and update.ok and self.owed is not None:
            more = self.build_rest(started=started)
            update.problems += more.problems
            update.changed += more.changed
            update.rest, update.relinked = more.rest, more.relinked
            if more.kind in ("failed", "full"):
                update.kind, update.reason, update.first = more.kind, more.reason, more.first
                update.timings.update({k: v for k, v in more.timings.items() if k in ("preview", "complete")})
            elif update.kind == "none" and (more.rest or more.relinked):
                update.kind = "incremental"
            if "complete" in more.timings:
                t["complete"] = more.timings["complete"]
                t["render_rest"] = more.timings.get("render", 0.0)
        update.owed = self.has_rest()
        t["total"] = time.perf_counter() - started
        return update

    def _step_one(self, update: Update, force_full: bool) -> None:
        """Check, render the first step's pages and rebuild those that changed; or build everything (the full
        path) or nothing (problems), which set timings["total"]."""
        started, t = update.started, update.timings
        self.snapshot = watched_files(self.root)
        checked = self.checker.check()
        self.unrendered |= self.checker.changed
        t["check"] = time.perf_counter() - started
        if checked.failed():
            update.kind, update.problems = "failed", checked.problems
            t["total"] = time.perf_counter() - started
            return
        update.problems = list(checked.problems)
        self.owed, self.pending = None, []  # this render replaces whatever the last one still owed
        reason = "first build" if force_full else self._full_reason()
        mark = time.perf_counter()
        fed = None if reason else fed_pages(checked.content, self.unrendered)
        only = None if reason else first_step if fed is None else fed.__contains__
        site = render(checked.content, Options(preview=True, only=only))
        self.unrendered = set()
        t["render"] = time.perf_counter() - mark
        mark = time.perf_counter()
        renav = False
        if not reason:
            reason = self._changed_shape(site)
            renav, reason = reason == NAV_CHANGED, "" if reason == NAV_CHANGED else reason
            if reason:
                site = self._completed(site, checked.content)
        if reason:
            update.reason = reason
            self._full(site, update, started, checked.content)
            t["total"] = time.perf_counter() - started
            return
        self.site, self.owed = site, checked.content
        update.changed = [rel for rel, text in site.pages.items() if self.state.built.get(rel) != text]
        t["diff"] = time.perf_counter() - mark
        if update.changed or renav or site.search_labels != self.state.labels or site.search_extra != self.state.extra:
            self._first(update, started, renav)
        else:
            t["preview"] = time.perf_counter() - started

    def has_rest(self) -> bool:
        """Whether second-step pages, or pages' new navigation, still wait for build_rest()."""
        return self.owed is not None or bool(self.pending) or bool(self.retemplate)

    def build_rest(self, should_stop: Callable[[], bool] = lambda: False, started: float | None = None) -> Update:
        """Render the pages the last change's first step did not and rebuild those that changed, one at a time, then
        give the pages still waiting for it the new navigation; stop as soon as should_stop() says so (the rest stay
        owed: the next update renders them again)."""
        started = time.perf_counter() if started is None else started
        update = Update("none", started=started)
        if self.state is None or self.stale or should_stop():
            return update
        state = self.state
        try:
            self._build_aggregated(update, should_stop)
            while self.retemplate and not should_stop():
                with self.lock, collected() as collect:  # a page at a time: a request waits for one at most
                    if self.state is not state or self.stale:
                        break
                    rel = next(iter(self.retemplate), None)
                    if rel is not None:
                        self._write_pages([rel], update, collect, converted=False, publish=False)
                        update.relinked.append(rel)
        except _NeedFull as err:
            update.reason = str(err)
            self._full(self.site, update, started)
            return update
        except Exception as err:  # noqa: BLE001 - any surprise: the next update builds everything
            self._failed(update, err)
            return update
        if update.rest or update.relinked:
            update.kind = "incremental"
        update.pending = list(self.pending)
        update.owed = self.has_rest()
        if not self.has_rest():
            update.timings["complete"] = time.perf_counter() - started
        return update

    def refresh(self, path: str) -> bool:
        """Give the page at site path (as a browser asks for it: "/doc/chapter/") the new navigation now, if it is
        still waiting for it, so that it is served up to date. Returns whether it was rebuilt. A failure leaves the
        page as it was and sends the next update down the full path, which reports it."""
        rel = self._page_at(path)
        if rel is None or rel not in self.retemplate:
            return False
        with self.lock:
            if rel not in self.retemplate or self.state is None or self.stale:
                return False
            update = Update("none")
            try:
                with collected() as collect:
                    self._write_pages([rel], update, collect, converted=False, publish=False)
            except Exception as err:  # noqa: BLE001 - served as it was; the next update builds everything
                self._failed(update, err)
                return False
            return True

    def _page_at(self, path: str) -> str | None:
        state = self.state
        if state is None:
            return None
        dest = path.lstrip("/")
        if dest == "" or dest.endswith("/"):
            dest += "index.html"
        if state.by_dest is None:
            state.by_dest = {f.dest_uri: f.src_uri for f in state.doc_files}
        return state.by_dest.get(dest)

    def _build_aggregated(self, update: Update, should_stop: Callable[[], bool]) -> None:
        """build_rest()'s first part: the pages the first step did not render (the aggregated ones, and those
        the changed files do not feed directly), rendered now; those that changed are rebuilt, other pages
        before aggregated ones."""
        state = self.state
        if self.owed is not None:
            mark = time.perf_counter()
            done = set(self.site.pages)
            keys = page_keys(self.owed)
            same = {doc for doc, key in keys.items() if self.keys.get(doc) == key}

            def wanted(rel: str) -> bool:
                return rel not in done and page_doc(rel, keys) not in same

            part = render(self.owed, Options(preview=True, only=wanted))  # pure: page requests go on
            update.timings["render"] = time.perf_counter() - mark
            self.owed, self.owed_keys = None, keys
            self.site.pages.update(part.pages)
            self.site.pages.update({rel: state.built[rel] for rel in part.left_out  # made as the site has them
                                    if rel not in done and rel in state.built})
            self.site.left_out = []
            if self.site.pages.keys() != state.built.keys():
                raise _NeedFull("pages were added or removed")
            changed = [rel for rel, text in part.pages.items() if state.built.get(rel) != text]
            self.pending = sorted(changed, key=is_aggregated)
            update.changed = list(self.pending)
            self._write_markdown(self.site.pages, self.pending)
        while self.pending and not should_stop():
            with self.lock, collected() as collect:  # the page requests' refresh() uses the same MkDocs state
                rel = self.pending[0]
                self._build_pages([rel], update, collect, skip_links_to=set(self.pending[1:]))
                self.pending.pop(0)
                update.rest.append(rel)
        if not self.pending and self.owed_keys is not None:
            self.keys, self.owed_keys = self.owed_keys, None
        if not self.pending and not update.rest:
            # Nothing else changed: the first step skipped links to the other pages, so check them now.
            with self.lock, collected() as collect:
                state.check_anchors(state.doc_files, set())
                self._raise_warnings(collect)

    def changed_on_disk(self) -> bool:
        """Whether any watched file changed since the last update started (guidance serve polls this)."""
        return watched_files(self.root) != self.snapshot

    def close(self) -> None:
        if self.state is not None:
            self.state.shutdown()
            self.state = None

    def discard(self) -> None:
        """Remove this preview's build folder (guidance serve does when it stops), and those that previews which
        are no longer running left behind."""
        shutil.rmtree(self.build_dir, ignore_errors=True)
        self.prune()

    def prune(self) -> None:
        """Remove the build folders of previews whose process has ended (killed before it could clean up)."""
        if (self.root / "build").is_symlink():
            return
        for folder in ended_previews(self.root):
            shutil.rmtree(folder, ignore_errors=True)

    # --- the incremental path -------------------------------------------------------------------------------

    def _full_reason(self) -> str:
        state = self.state
        if state is None:
            return "first build"
        if self.stale:
            return "the last update did not finish"
        if setup_mtimes(self.snapshot, self.root) != state.setup:
            return "mkdocs.yml or the theme changed"
        return ""

    def _changed_shape(self, site) -> str:
        """Why site (a render, whole or in part: Site.left_out) cannot be applied page by page, or ""."""
        state = self.state
        if site.pages.keys() | set(site.left_out) != state.built.keys():
            return "pages were added or removed"
        if site.nav != state.site_nav:
            return NAV_CHANGED
        return ""

    def _completed(self, site, content):
        """site (rendered in part) with the pages it left out."""
        if site.left_out:
            done = set(site.pages)
            part = render(content, Options(preview=True, only=lambda rel: rel not in done))
            site.pages.update(part.pages)
            site.left_out = []
        return site

    def _first(self, update: Update, started: float, renav: bool = False) -> None:
        """The first step: the changed pages the edited files feed (fed), and the search index. renav: the
        navigation changed; the other pages get it in build_rest() or when they are asked for (refresh())."""
        state, site = self.state, self.site
        try:
            self._write_markdown(site.pages, update.changed)
            relabel = site.search_labels != state.labels or site.search_extra != state.extra
            state.labels, state.extra = site.search_labels, site.search_extra
            with collected() as collect:
                skip = {rel for rel in state.built if rel not in site.pages}  # their text is the old one until step two
                first = self._build_pages(update.changed, update, collect, skip_links_to=skip, relabel=relabel,
                                          nav=site.nav if renav else None)
            update.kind, update.first = "incremental", first
            update.timings["preview"] = time.perf_counter() - started
        except _NeedFull as err:
            update.reason = str(err)
            content, self.owed, self.pending = self.owed, None, []
            self._full(self._completed(site, content), update, started, content)
        except Exception as err:  # noqa: BLE001 - any surprise: keep the last good pages, build everything next
            self._failed(update, err)

    def _build_pages(self, rels: list[str], update: Update, collect: Collect, skip_links_to: set[str],
                     relabel: bool = False, nav: list | None = None) -> list[str]:
        """Re-populate and re-render rels with the warm MkDocs state; write their HTML and the search index only
        when all of them built without a warning. nav: a new navigation (mkdocs.yml's form). When it is given,
        or a page's title or front matter changed, other pages may show it too (see _relink). Returns the pages
        rebuilt."""
        state = self.state
        retitled = []
        for rel in rels:
            page = state.page(rel)
            if page is None:
                raise _NeedFull(f"{rel} is not a page MkDocs knows")
            before = (page.title, dict(page.meta))
            self.stale = True  # from here on the warm state holds content the site does not
            state.populate(page)
            if (page.title, dict(page.meta)) != before:
                retitled.append(rel)
        rels = list(rels)
        relinked = nav is not None or bool(retitled)
        if relinked:
            rels += self._relink(state.site_nav if nav is None else nav, rels)
        state.check_anchors([f for f in state.doc_files if f.src_uri not in skip_links_to], skip_links_to)
        self._write_pages(rels, update, collect, relabel=relabel)
        if relinked:
            self._write_theme_pages()
        return rels

    def _relink(self, nav: list, converted: list[str]) -> list[str]:
        """Give the warm MkDocs state the navigation nav without converting any page's Markdown again: each Page
        keeps its content; its title from the navigation, parent and neighbours are set afresh. A page not in
        converted whose view of the navigation (nav_view: what a pruned Material page shows of it) changed
        now has an old navigation in its HTML: if its own title changed (a title is in its search entries) it is
        converted again and returned, to be rebuilt with converted; otherwise it waits in self.retemplate, with
        the pages that still waited from an earlier change."""
        state = self.state
        titles = {f.src_uri: f.page.title for f in state.doc_files}
        pruned = state.prunes()
        before = nav_views(state.nav, state.doc_files, pruned)
        state.renavigate(nav, nav_pages(nav))
        state.site_nav = nav
        after = nav_views(state.nav, state.doc_files, pruned)
        moved = [f.src_uri for f in state.doc_files
                 if f.src_uri not in converted and before[f.src_uri] != after[f.src_uri]]
        again = [rel for rel in moved if not is_aggregated(rel) and state.page(rel).title != titles[rel]]
        for rel in again:
            state.populate(state.page(rel))
        done = set(converted) | set(again)
        self.retemplate = dict.fromkeys(rel for rel in [*self.retemplate, *moved] if rel not in done)
        return again

    def _write_theme_pages(self) -> None:
        """The theme's static pages (404.html, sitemap.xml), which carry the navigation too."""
        with self.publish():
            self.state.theme_pages()

    def _write_pages(self, rels: list[str], update: Update, collect: Collect, relabel: bool = False,
                     converted: bool = True, publish: bool = True) -> None:
        """Render rels through the theme template, sanitise them, and write them and (if their entries changed)
        the search index. converted=False: their content was not converted again, only their navigation is new,
        so their search entries are the ones kept. publish=False: write without reloading open pages."""
        state = self.state
        outputs = {}
        for rel in rels:
            page = state.page(rel)
            html, raw = state.render_page(page, index=converted)
            cleaned, found = sanitise_page(page.file.dest_uri, html, state.allowed)
            update.problems += found
            outputs[rel] = (page, cleaned, raw)
        self._raise_warnings(collect)
        if any(p.severity == "error" for p in update.problems):
            raise _Unsafe()
        search_changed = relabel
        if converted:
            for rel, (page, cleaned, raw) in outputs.items():
                if raw != state.raw.get(rel):
                    state.raw[rel] = raw
                    search_changed = True
            if relabel:
                state.entries = {rel: self._final_entries(raw, update) for rel, raw in state.raw.items()}
            else:
                for rel in outputs:
                    state.entries[rel] = self._final_entries(state.raw[rel], update)
        files = {self.site_dir / page.file.dest_uri: cleaned.encode("utf-8", errors="xmlcharrefreplace")
                 for page, cleaned, raw in outputs.values()}
        if search_changed and state.search is not None:
            files[self.site_dir / "search" / "search_index.json"] = state.search_index(state.entries)
        staged = stage(files)  # every file written beside its place first: a failure here changes no page
        with self.publish() if publish else contextlib.nullcontext():
            for tmp, path in staged:
                os.replace(tmp, path)
        for rel in rels:
            if converted:  # a page given only the new navigation was built from the text it was built from
                state.built[rel] = self._written[rel]
            self.retemplate.pop(rel, None)
        self.stale = False

    def _final_entries(self, raw: list[dict], update: Update) -> list[dict]:
        entries = [dict(e) for e in raw]
        tune_entries(entries, self.state.labels, extra=self.state.extra)
        update.problems += sanitise_search_entries(entries)
        return entries

    def _write_search_index(self, out: Path) -> None:
        if self.state.search is not None:
            write_if_changed(out / "search" / "search_index.json", self.state.search_index(self.state.entries))

    # --- the full path --------------------------------------------------------------------------------------

    def _full(self, site, update: Update, started: float, content=None) -> None:
        """mkdocs.commands.build.build(), step by step, into a temporary folder swapped in whole; the objects it
        makes are kept for the incremental path. On problems, the old preview and state stay. content: what site
        was rendered from, when the caller has it (the next second step then renders only what it changes)."""
        if (refused := build_dir_problem(self.root)) is not None:  # never build through a link out of the project
            update.kind = "failed"
            update.problems.append(refused)
            return
        self.keys, self.owed_keys = {}, None  # until this build is in place, nothing is known to be as on disk
        with self.collector.resumed():
            self._full_build(site, update, started)
        if update.kind == "full" and content is not None:
            self.keys = page_keys(content)

    def _full_build(self, site, update: Update, started: float) -> None:
        gc.unfreeze()  # the state this build replaces can be collected (see settle)
        self.build_dir.mkdir(parents=True, exist_ok=True)
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.tmp-", dir=self.site_dir.parent))
        warm = None
        try:
            self._write_markdown(site.pages, list(site.pages), remove_others=True)
            path = write_config(self.root, self.build_dir, CONFIG_NAME, self.docs_dir, self.site_dir, site.nav,
                                url=site.site_url, extra={"roles": site.roles, **languages.switch_extra(self.root)})
            with collected() as collect:
                warm = Warm.make(path, tmp)
                state = _State(**{f.name: getattr(warm, f.name) for f in dataclasses.fields(Warm)},
                               allowed=theme_scripts(tmp), site_nav=site.nav, labels=site.search_labels,
                               built=dict(self._written), setup=setup_mtimes(self.snapshot, self.root),
                               extra=site.search_extra)
                self._write_all_pages(state, tmp, update)
                self._raise_warnings(collect)
            if any(p.severity == "error" for p in update.problems):
                raise _Unsafe()
            state.config.site_dir = str(self.site_dir)
            with self.publish():
                swap_in(tmp, self.site_dir)
            if self.state is not None:
                self.state.shutdown()
            self.state, self.stale, self.site, self.owed, self.pending = state, False, site, None, []
            self.retemplate = {}
            settle()
            update.kind = "full"
            update.first = list(site.pages)
            update.timings["preview"] = update.timings["complete"] = time.perf_counter() - started
        except Exception as err:  # noqa: BLE001 - keep the last good preview
            if warm is not None and warm.config is not getattr(self.state, "config", None):
                with contextlib.suppress(Exception):
                    warm.shutdown()
            self._failed(update, err, full=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _write_all_pages(self, state: _State, tmp: Path, update: Update) -> None:
        """Every page of a full build through the theme template into tmp, sanitised, and the search index. The
        new state is self.state meanwhile (_final_entries reads it); the old one again afterwards."""
        previous, self.state = self.state, state
        try:
            for file in state.doc_files:
                html, raw = state.render_page(file.page)
                cleaned, found = sanitise_page(file.dest_uri, html, state.allowed)
                update.problems += found
                state.raw[file.src_uri] = raw
                state.entries[file.src_uri] = self._final_entries(raw, update)
                write_if_changed(tmp / file.dest_uri, cleaned.encode("utf-8", errors="xmlcharrefreplace"))
            state.check_anchors(state.doc_files, set())
            state.post_build()
            self._write_search_index(tmp)
        finally:
            self.state = previous

    # --- helpers --------------------------------------------------------------------------------------------

    def _write_markdown(self, pages: dict[str, str], rels: list[str], remove_others: bool = False) -> None:
        """Write rels into the preview docs tree (MkDocs reads pages from there)."""
        if remove_others and self.docs_dir.exists():
            for path in self.docs_dir.rglob("*.md"):
                rel = path.relative_to(self.docs_dir).as_posix()
                if rel not in pages:
                    path.unlink()
                    self._written.pop(rel, None)
        for rel in rels:
            path = self.docs_dir / rel
            if self._written.get(rel) != pages[rel] or not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(pages[rel], encoding="utf-8")
                self._written[rel] = pages[rel]

    def _raise_warnings(self, collect: Collect) -> None:
        if collect.messages:
            raise _Warnings(collect.messages)

    def _config_rel(self) -> str:
        return (self.build_dir / f"{CONFIG_NAME}.yml").relative_to(self.root).as_posix()

    def _failed(self, update: Update, err: Exception, full: bool = False) -> None:
        update.kind = "failed"
        self.owed, self.pending = None, []  # the next update renders everything again and diffs it
        if not full:
            self.retemplate = {}  # and builds every page: these keep their old navigation until then
        if isinstance(err, _Warnings):
            update.problems += [_mkdocs_problem(m, self._config_rel()) for m in err.messages]
        elif not isinstance(err, _Unsafe):
            update.problems.append(_mkdocs_problem(f"{type(err).__name__}: {err}", self._config_rel()))
        if not full:
            self.stale = True


class _Warnings(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class _Unsafe(Exception):
    """sanitise_page found an error (already among the update's problems)."""


def _mkdocs_problem(message: str, config: str) -> Problem:
    return Problem(Pos(config), "error", "build.mkdocs", " ".join(message.split()),
                   "This is a fault in the generated site, not in your content: report it with the content that "
                   "caused it. The preview shows the last good build.")
