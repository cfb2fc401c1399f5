"""Incremental preview: keep MkDocs warm in this process and, on a save, rebuild only the pages whose Markdown
changed, with the search index kept whole.

    preview = Preview(root)            # root holds content/ and mkdocs.yml
    update = preview.start()           # check, render, full MkDocs build into build/serve-<pid>-<tag>/site/
    ...                                # an editor saves a content file
    update = preview.apply_change()    # check, render, diff, rebuild what changed
    update.timings["preview"]          # seconds from the start of apply_change to the edited page on disk
    update.timings["complete"]         # ... to every page (print pages and audience views too) on disk

A full build mirrors mkdocs.commands.build.build() step by step, but keeps what it made: the config with its
plugin instances, Files, Navigation, the theme's Jinja environment, every Page with its rendered content, and each
page's search entries. A change is then applied in two steps:

1. The edited pages (the edit-to-preview latency, `timings["preview"]`): check what changed
   (builder.content.check.Recheck: a file whose bytes are unchanged is not parsed or schema-checked again, and
   each document's reference checks and house rules are kept until something they read changes), render the
   pages the changed files feed directly (a chapter file's chapter page, a document.yaml's landing page and
   change history; every page but the aggregated ones when a registry changed: _fed) with render's `only`
   option, and diff their Markdown against what the site was built from. Render still lists every page it left
   out and gives the whole navigation, so that if pages were added or removed, mkdocs.yml or the theme changed,
   or an earlier update failed half way, everything is built again (the full path: correctness first). Otherwise
   re-run MkDocs' per-page
   steps for the changed pages only (mkdocs.commands.build._populate_page, then as _build_page does: the
   page_context event, where the search plugin collects the page's entries, the theme template and post_page),
   sanitise them, and write their HTML and the search index: the rebuilt pages' entries replaced, every other
   page's kept, in MkDocs' page order, so the index is the one a full build writes.
2. Every other page (`timings["complete"]`): rendered now, diffed the same way, and those that changed rebuilt one
   at a time, pages such as another chapter that shows an edited section's title before the aggregated ones,
   which repeat every section and are left out of search (`/<doc>/print/`, `/for/<role>/<doc>/` and
   `/for/<role>/print/`). No page is left out by guessing what an edit can reach, with one exception that is a
   comparison too: a document's pages are not rendered again when everything they are made from (_page_keys:
   its own files, and what its pages read of the rest) equals what the site on disk was made from; the pages
   of the whole site (home, glossary, audience landings) always are. apply_change() does this step before it
   returns; `guidance serve` does it after the browser has reloaded (build_rest()), and stops early when another
   save arrives: the pages left still differ from what the site was built from (and their documents' keys from
   those it has), so the next update rebuilds them.

When the navigation changes (a chapter or document title) or a page's title or front matter does, no page is
converted again but those whose Markdown changed: MkDocs' Navigation is built afresh around the Page objects it
has (each keeps its converted content). A page whose view of the navigation is unchanged (what a pruned Material
page shows of it: _nav_view) keeps its file; a changed page whose own title changed is converted again in step 1;
every other such page waits in `retemplate` for the theme template alone, with the search entries it had.
build_rest() works through them after the second step's pages, without reloading the browser, and refresh(), which
guidance serve calls as it serves a page, rebuilds a waiting page first, so a page served never has the old
navigation. Anything unexpected (an exception, a MkDocs warning, an unsafe page, a write that fails: each step's
files are written beside their place and renamed only when all are) leaves the pages on disk as they were and
sends the next update down the full path. tests/test_serve.py checks that an incremental update leaves the same
site, byte for byte, as a full build.

Problems (content that does not validate, MkDocs warnings, unsafe HTML) are returned, never printed; while there
are errors the preview on disk is the last good one. The preview is sanitised like `guidance build --preview`
(builder/site/sanitise.py) and its search index tuned the same way (builder/site/search.py).
"""
from __future__ import annotations

import contextlib
import copy
import gc
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from builder.content.check import Recheck
from builder.content.model import Pos, Problem
from builder.render.pages import Options, render
from builder.render.pages import aggregated as is_aggregated
from builder.site.build import _build_dir_problem
from builder.preview import languages
from builder.site.engines import THEME_DIR, _Collect, write_config
from builder.site.sanitise import sanitise_page, sanitise_search_entries, theme_scripts
from builder.site.search import tune_entries

CONFIG_NAME = "mkdocs-serve"
NAV_CHANGED = "the navigation changed"


def _first_step(rel: str) -> bool:
    return not is_aggregated(rel)


def _page_keys(content) -> dict[str, tuple]:
    """Document id → everything its pages (_page_doc) are made from, compared with ==: its document.yaml's
    fields and its chapters (an unchanged chapter file gives the same Chapter object: check.Recheck, so == is
    an identity test there), and what its pages read of the rest: the registries, every document's chapters and
    sections as a reference or an audience view shows them (id, title, audiences, status, and by their place,
    their numbers), and the date. Templates read no other part of another document (not its chapters' titles,
    which only the navigation shows): tests/test_serve.py changes each part and compares with a full build."""
    outline = tuple((d.id, d.title, d.short_title, tuple(
        (c.id, tuple((s.id, s.title, tuple(s.audiences), s.status) for s in c.sections))
        for c in d.chapters)) for d in content.documents)
    shared = (content.audiences, content.acts, content.terms, content.services, outline, date.today())
    keys = {}
    for doc in content.documents:
        fields = copy.copy(doc)
        fields.chapters = []
        keys[doc.id] = (shared, fields, tuple(doc.chapters))
    return keys


def _page_doc(rel: str, keys: dict) -> str | None:
    """The document whose pages rel is one of (its own pages and its audience views), or None: a page of the
    whole site (home, glossary, audience landings), which the second step always renders."""
    parts = rel.split("/")
    if parts[0] == "for" and len(parts) == 4:
        doc = parts[2]  # for/<role>/<doc>/print.md
    elif parts[0] == "for" and len(parts) == 3:
        doc = parts[2][:-3] if parts[2] not in ("index.md", "print.md") else None
    else:
        doc = parts[0] if len(parts) > 1 else None
    return doc if doc in keys else None


def _fed(content, changed: set[str]) -> set[str] | None:
    """The pages the changed content files feed directly, rendered in the first step: a chapter file's chapter
    page, a document.yaml's landing and change history. None (every page but the aggregated ones) when another
    file changed or a changed file's page is not found. Any other page they change is found in the second step,
    which renders the rest and rebuilds what differs."""
    pages = set()
    for doc in content.documents:
        if doc.pos.file in changed:
            pages |= {f"{doc.id}/index.md", f"{doc.id}/changes.md"}
        for chapter in doc.chapters:
            if chapter.pos.file in changed:
                pages.add(f"{doc.id}/{chapter.id}.md")
    files = {doc.pos.file for doc in content.documents} | {c.pos.file for d in content.documents for c in d.chapters}
    if not changed or not changed <= files:
        return None
    return pages


def watched_files(root: Path) -> dict[str, int]:
    """What the preview depends on, by modification time: the content files, mkdocs.yml and the theme."""
    out = {}
    for base, suffixes in ((root / "content", (".yaml", ".yml")), (THEME_DIR, None)):
        for p in base.rglob("*"):
            if (suffixes is None or p.suffix in suffixes) and p.is_file():
                out[str(p)] = p.stat().st_mtime_ns
    config = root / "mkdocs.yml"
    if config.is_file():
        out[str(config)] = config.stat().st_mtime_ns
    return out


def _setup_mtimes(snapshot: dict[str, int], root: Path) -> dict[str, int]:
    """The part of a snapshot that is not content: a change there needs a full build."""
    content = str(root / "content") + os.sep
    return {k: v for k, v in snapshot.items() if not k.startswith(content)}


@dataclass
class Update:
    """What start() or apply_change() did.

    kind: "full" (everything built), "incremental" (changed pages only), "none" (no Markdown page changed) or
    "failed" (problems; the preview on disk is the last good one).
    timings: "check", "render" (the first step's pages, or every page for a full build), "diff" and
    "render_rest" (the other pages) are durations in seconds; "preview" (the edited pages and the search
    index are on disk: edit-to-preview), "complete" (every page is up to date; absent while second-step pages
    wait) and "total" (when the call returned) are seconds from the start of the call."""

    kind: str
    problems: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # Markdown pages whose text changed
    first: list[str] = field(default_factory=list)  # rebuilt in the first step
    rest: list[str] = field(default_factory=list)  # pages rebuilt in the second step (aggregated ones last)
    relinked: list[str] = field(default_factory=list)  # pages given the new navigation only (see Preview.retemplate)
    pending: list[str] = field(default_factory=list)  # pages still to rebuild (see build_rest)
    reason: str = ""  # why the full path was taken
    timings: dict[str, float] = field(default_factory=dict)
    started: float = 0.0  # time.perf_counter() when the call started
    owed: bool = False  # second-step pages wait for Preview.build_rest()

    @property
    def ok(self) -> bool:
        return self.kind != "failed"

    def summary(self) -> str:
        """One line for the terminal."""
        t = self.timings
        if self.kind == "failed":
            return ("preview not updated: fix the problems above (the browser lists them at the foot of every page); "
                    "the last good preview is still shown")
        if self.kind == "none" and not self.owed:
            return f"content changed: no page changed (checked in {t.get('total', 0):.2f} s)"
        if self.kind == "full":
            return f"preview rebuilt in full in {t['preview']:.2f} s ({self.reason})"
        said = []
        if self.first:
            pages = ", ".join(p.removesuffix(".md") for p in self.first)
            said.append(f"preview updated in {t['preview']:.2f} s: {pages}")
        if self.rest:
            said.append(f"{len(self.rest)} more page(s) updated (print pages, audience views, pages that show it)"
                        + (f" after {t['complete']:.2f} s" if "complete" in t and not self.relinked else ""))
        if self.relinked:
            said.append(f"the navigation of {len(self.relinked)} other page(s) updated"
                        + (f" after {t['complete']:.2f} s" if "complete" in t else ""))
        line = "; ".join(said) or "no page changed"
        if self.owed:
            line += " (print pages, audience views and other pages' navigation follow)"
        return line


class _NeedFull(Exception):
    """The incremental path cannot be sure of the result: build everything."""


@dataclass
class _State:
    """A built preview: MkDocs' objects, kept warm, and what the site on disk reflects."""

    config: object
    files: object
    doc_files: list
    nav: object
    env: object
    search: object  # the search plugin, or None
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
        self._gc_paused_from: bool | None = None  # whether the collector ran before _gc_paused stopped it
        # document id → what its pages are made from (_page_keys), as the site on disk has them: a document whose
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
        with self._gc_paused():
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
        fed = None if reason else _fed(checked.content, self.unrendered)
        only = None if reason else _first_step if fed is None else fed.__contains__
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

    @contextlib.contextmanager
    def _gc_paused(self):
        """The first step without the cyclic garbage collector, whose passes, set off by the objects a render
        makes, made it up to twice as slow at 5,000 sections. It runs again for the second step, and for a full
        build (_gc_resumed)."""
        enabled = gc.isenabled()
        gc.disable()
        self._gc_paused_from = enabled
        try:
            yield
        finally:
            self._gc_paused_from = None
            if enabled:
                gc.enable()

    @contextlib.contextmanager
    def _gc_resumed(self):
        """Inside _gc_paused: the collector as it was before (a full build makes too much to go without it)."""
        paused = self._gc_paused_from
        if paused:
            gc.enable()
        try:
            yield
        finally:
            if paused:
                gc.disable()

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
                with self.lock, self._collect() as collect:  # a page at a time: a request waits for one at most
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
                with self._collect() as collect:
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
            keys = _page_keys(self.owed)
            same = {doc for doc, key in keys.items() if self.keys.get(doc) == key}

            def wanted(rel: str) -> bool:
                return rel not in done and _page_doc(rel, keys) not in same

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
            with self.lock, self._collect() as collect:  # the page requests' refresh() uses the same MkDocs state
                rel = self.pending[0]
                self._build_pages([rel], update, collect, skip_links_to=set(self.pending[1:]))
                self.pending.pop(0)
                update.rest.append(rel)
        if not self.pending and self.owed_keys is not None:
            self.keys, self.owed_keys = self.owed_keys, None
        if not self.pending and not update.rest:
            # Nothing else changed: the first step skipped links to the other pages, so check them now.
            with self.lock, self._collect() as collect:
                self._check_anchors(state.doc_files, collect, set())
                self._raise_warnings(collect)

    def changed_on_disk(self) -> bool:
        """Whether any watched file changed since the last update started (guidance serve polls this)."""
        return watched_files(self.root) != self.snapshot

    def close(self) -> None:
        if self.state is not None:
            self.state.config.plugins.on_shutdown()
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
        for folder in (self.root / "build").glob("serve-*-*"):
            pid = folder.name.split("-")[1]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)

    # --- the incremental path -------------------------------------------------------------------------------

    def _full_reason(self) -> str:
        state = self.state
        if state is None:
            return "first build"
        if self.stale:
            return "the last update did not finish"
        if _setup_mtimes(self.snapshot, self.root) != state.setup:
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
        """The first step: the changed pages the edited files feed (_fed), and the search index. renav: the
        navigation changed; the other pages get it in build_rest() or when they are asked for (refresh())."""
        state, site = self.state, self.site
        try:
            self._write_markdown(site.pages, update.changed)
            relabel = site.search_labels != state.labels or site.search_extra != state.extra
            state.labels, state.extra = site.search_labels, site.search_extra
            with self._collect() as collect:
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

    def _build_pages(self, rels: list[str], update: Update, collect: _Collect, skip_links_to: set[str],
                     relabel: bool = False, nav: list | None = None) -> list[str]:
        """Re-populate and re-render rels with the warm MkDocs state; write their HTML and the search index only
        when all of them built without a warning. nav: a new navigation (mkdocs.yml's form). When it is given,
        or a page's title or front matter changed, other pages may show it too (see _relink). Returns the pages
        rebuilt."""
        from builder.site.mkdocs_adapter import _populate_page

        state = self.state
        retitled = []
        for rel in rels:
            file = state.files.get_file_from_path(rel)
            page = file.page if file is not None else None
            if page is None:
                raise _NeedFull(f"{rel} is not a page MkDocs knows")
            before = (page.title, dict(page.meta))
            self.stale = True  # from here on the warm state holds content the site does not
            _populate_page(page, state.config, state.files)
            if (page.title, dict(page.meta)) != before:
                retitled.append(rel)
        rels = list(rels)
        relinked = nav is not None or bool(retitled)
        if relinked:
            rels += self._relink(state.site_nav if nav is None else nav, rels)
        self._check_anchors([f for f in state.doc_files if f.src_uri not in skip_links_to], collect, skip_links_to)
        self._write_pages(rels, update, collect, relabel=relabel)
        if relinked:
            self._write_theme_pages()
        return rels

    def _relink(self, nav: list, converted: list[str]) -> list[str]:
        """Give the warm MkDocs state the navigation nav without converting any page's Markdown again: each Page
        keeps its content; its title from the navigation, parent and neighbours are set afresh. A page not in
        converted whose view of the navigation (_nav_view: what a pruned Material page shows of it) changed
        now has an old navigation in its HTML: if its own title changed (a title is in its search entries) it is
        converted again and returned, to be rebuilt with converted; otherwise it waits in self.retemplate, with
        the pages that still waited from an earlier change."""
        from builder.site.mkdocs_adapter import _populate_page, get_navigation

        state, config = self.state, self.state.config
        titles = {f.src_uri: f.page.title for f in state.doc_files}
        pruned = _prunes(config)
        before = _nav_views(state.nav, state.doc_files, pruned)
        for file in state.doc_files:
            page = file.page
            page.__dict__.pop("title", None)  # the title the navigation gave it (a weak_property's override)
            page.parent = page.previous_page = page.next_page = None
        for title, rel in _nav_pages(nav):
            file = state.files.get_file_from_path(rel)
            if title is not None and file is not None and file.page is not None:
                file.page.title = title
        config["nav"] = nav
        state.nav = config.plugins.on_nav(get_navigation(state.files, config), config=config, files=state.files)
        state.site_nav = nav
        after = _nav_views(state.nav, state.doc_files, pruned)
        moved = [f.src_uri for f in state.doc_files
                 if f.src_uri not in converted and before[f.src_uri] != after[f.src_uri]]
        again = [rel for rel in moved if not is_aggregated(rel) and state.files.get_file_from_path(rel).page.title
                 != titles[rel]]
        for rel in again:
            _populate_page(state.files.get_file_from_path(rel).page, config, state.files)
        done = set(converted) | set(again)
        self.retemplate = dict.fromkeys(rel for rel in [*self.retemplate, *moved] if rel not in done)
        return again

    def _write_theme_pages(self) -> None:
        """The theme's static pages (404.html, sitemap.xml), which carry the navigation too."""
        from builder.site.mkdocs_adapter import _build_theme_template

        state, config = self.state, self.state.config
        with self.publish():
            for template in config.theme.static_templates:
                _build_theme_template(template, state.env, state.files, config, state.nav)

    def _write_pages(self, rels: list[str], update: Update, collect: _Collect, relabel: bool = False,
                     converted: bool = True, publish: bool = True) -> None:
        """Render rels through the theme template, sanitise them, and write them and (if their entries changed)
        the search index. converted=False: their content was not converted again, only their navigation is new,
        so their search entries are the ones kept. publish=False: write without reloading open pages."""
        state = self.state
        outputs = {}
        for rel in rels:
            page = state.files.get_file_from_path(rel).page
            html, raw = self._render_page(page, index=converted)
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
            files[self.site_dir / "search" / "search_index.json"] = self._search_index_data()
        staged = _stage(files)  # every file written beside its place first: a failure here changes no page
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

    def _render_page(self, page, index: bool = True) -> tuple[str, list[dict]]:
        """mkdocs.commands.build._build_page, returning the HTML instead of writing it, and the page's search
        entries (what the search plugin's page_context handler added). index=False: the page's content was not
        converted again and its entries are not wanted (the search plugin has already taken the parts that are
        left out of search out of the content: its entries from that content would be wrong)."""
        from builder.site.mkdocs_adapter import get_context

        state, config = self.state, self.state.config
        index = state.search.search_index if state.search is not None and index else None
        mark = len(index.entries) if index is not None else 0
        if state.search is not None and index is None:
            state.search.search_index.add_entry_from_context = _skip_entries
        config._current_page = page
        try:
            page.active = True
            context = get_context(state.nav, state.doc_files, config, page)
            template = state.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=state.nav)
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
            config._current_page = None
            if state.search is not None:
                state.search.search_index.__dict__.pop("add_entry_from_context", None)
        raw = []
        if index is not None:
            raw = index.entries[mark:]
            del index.entries[mark:]
        return output, raw

    def _check_anchors(self, files, collect: _Collect, skip_links_to: set[str]) -> None:
        """Page.validate_anchor_links for files, leaving out links to pages not rebuilt yet."""
        level = self.state.config.validation.links.anchors
        for file in files:
            page = file.page
            if not page.links_to_anchors:
                continue
            if skip_links_to:
                keep = {k: v for k, v in page.links_to_anchors.items() if k.src_uri not in skip_links_to}
                saved, page.links_to_anchors = page.links_to_anchors, keep
                try:
                    page.validate_anchor_links(files=self.state.files, log_level=level)
                finally:
                    page.links_to_anchors = saved
            else:
                page.validate_anchor_links(files=self.state.files, log_level=level)

    def _write_search_index(self, out: Path) -> None:
        if self.state.search is not None:
            _write_if_changed(out / "search" / "search_index.json", self._search_index_data())

    def _search_index_data(self) -> bytes:
        state = self.state
        index = state.search.search_index
        index.entries = [e for f in state.doc_files for e in state.entries.get(f.src_uri, ())]
        try:
            return index.generate_search_index(None).encode("utf-8")
        finally:
            index.entries = []

    # --- the full path --------------------------------------------------------------------------------------

    def _full(self, site, update: Update, started: float, content=None) -> None:
        """mkdocs.commands.build.build(), step by step, into a temporary folder swapped in whole; the objects it
        makes are kept for the incremental path. On problems, the old preview and state stay. content: what site
        was rendered from, when the caller has it (the next second step then renders only what it changes)."""
        if (refused := _build_dir_problem(self.root)) is not None:  # never build through a link out of the project
            update.kind = "failed"
            update.problems.append(refused)
            return
        self.keys, self.owed_keys = {}, None  # until this build is in place, nothing is known to be as on disk
        with self._gc_resumed():
            self._full_build(site, update, started)
        if update.kind == "full" and content is not None:
            self.keys = _page_keys(content)

    def _full_build(self, site, update: Update, started: float) -> None:
        from builder.site.mkdocs_adapter import (InclusionLevel, Page, _build_extra_template, _build_theme_template,
                                            _populate_page, get_files, get_navigation, load_config, set_exclusions)

        gc.unfreeze()  # the state this build replaces can be collected (see _settle)
        self.build_dir.mkdir(parents=True, exist_ok=True)
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.tmp-", dir=self.site_dir.parent))
        config = None
        try:
            self._write_markdown(site.pages, list(site.pages), remove_others=True)
            path = write_config(self.root, self.build_dir, CONFIG_NAME, self.docs_dir, self.site_dir, site.nav,
                                url=site.site_url, extra={"roles": site.roles, **languages.switch_extra(self.root)})
            with self._collect() as collect:
                config = load_config(str(path), site_dir=str(tmp))
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
                doc_files = files.documentation_pages(inclusion=inclusion)
                search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
                state = _State(config, files, doc_files, nav, env, search, theme_scripts(tmp), site.nav,
                               site.search_labels, dict(self._written),
                               setup=_setup_mtimes(self.snapshot, self.root), extra=site.search_extra)
                previous, self.state = self.state, state
                try:
                    for file in doc_files:
                        html, raw = self._render_page(file.page)
                        cleaned, found = sanitise_page(file.dest_uri, html, state.allowed)
                        update.problems += found
                        state.raw[file.src_uri] = raw
                        state.entries[file.src_uri] = self._final_entries(raw, update)
                        _write_if_changed(tmp / file.dest_uri, cleaned.encode("utf-8", errors="xmlcharrefreplace"))
                    self._check_anchors(doc_files, collect, set())
                    config.plugins.on_post_build(config=config)
                    self._write_search_index(tmp)
                finally:
                    self.state = previous
                self._raise_warnings(collect)
            if any(p.severity == "error" for p in update.problems):
                raise _Unsafe()
            config.site_dir = str(self.site_dir)
            with self.publish():
                _swap(tmp, self.site_dir)
            if previous is not None:
                previous.config.plugins.on_shutdown()
            self.state, self.stale, self.site, self.owed, self.pending = state, False, site, None, []
            self.retemplate = {}
            _settle()
            update.kind = "full"
            update.first = list(site.pages)
            update.timings["preview"] = update.timings["complete"] = time.perf_counter() - started
        except Exception as err:  # noqa: BLE001 - keep the last good preview
            if config is not None and config is not getattr(self.state, "config", None):
                with contextlib.suppress(Exception):
                    config.plugins.on_shutdown()
            self._failed(update, err, full=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

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

    @contextlib.contextmanager
    def _collect(self):
        """MkDocs' warnings and errors, collected rather than printed."""
        collect = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collect)
        propagate, logger.propagate = logger.propagate, False
        try:
            yield collect
        finally:
            logger.removeHandler(collect)
            logger.propagate = propagate

    def _raise_warnings(self, collect: _Collect) -> None:
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


def _settle() -> None:
    """After a full build: collect what it left behind and freeze the rest (gc.freeze), so that the cyclic garbage
    collector, which each update's new objects set off, no longer walks MkDocs' state and the content model of
    thousands of pages each time (at 5,000 sections that made a first step's copying up to three times slower).
    Objects frozen are still freed when nothing refers to them; the next full build unfreezes them first."""
    gc.collect()
    gc.freeze()


def _skip_entries(page) -> None:
    """In place of the search plugin's add_entry_from_context while a page only gets a new navigation."""


def _prunes(config) -> bool | None:
    """True: the theme is Material drawing each page's navigation pruned (mkdocs.yml's navigation.prune, without
    the features that keep sections open); False: Material drawing all of it; None: another theme, whose pages
    may show anything of the navigation."""
    if config.theme.name != "material":
        return None
    features = set(config.theme.get("features") or ())
    return "navigation.prune" in features and not features & {"navigation.tabs", "navigation.sections",
                                                               "navigation.expand"}


def _nav_views(nav, doc_files, pruned: bool | None) -> dict[str, object]:
    """Each page's view of the navigation (see _nav_view), sharing the parts that pages have in common; with a
    theme other than Material, a view that equals no other (every page is given the new navigation)."""
    if pruned is None:
        return {f.src_uri: object() for f in doc_files}
    shared: dict[int, tuple] = {}
    return {f.src_uri: _nav_view(f.page, nav, shared, pruned) for f in doc_files}


def _nav_view(page, nav, shared: dict[int, tuple], pruned: bool = True) -> tuple:
    """What page's HTML shows of the navigation, as Material draws it with navigation.prune
    (partials/nav-item.html): every top-level item; inside the sections that hold the page, their items; of any
    other section only its title, its first page's address and whether it has children. Also the page's own
    title and front matter, its neighbours (the footer and <link rel>) and the home page. Two equal views give
    the same HTML, so a page whose view did not change keeps its file. It errs towards inequality: front matter
    of every page shown is in it, whether the theme reads it or not."""
    chain = set()
    item = page.parent
    while item is not None:
        chain.add(id(item))
        item = item.parent

    def view(item) -> tuple:
        if item.children:
            if id(item) in chain or not pruned:
                return ("open", item.title, tuple(view(child) for child in item.children))
            if id(item) not in shared:
                first = item.children[0]
                while first.children:
                    first = first.children[0]
                shared[id(item)] = ("pruned", item.title, first.url, len(item.children))
            return shared[id(item)]
        if item.is_page:
            return ("page", item.title, item.url, repr(item.meta), item is page)
        return ("link", item.title, item.url)

    def neighbour(other) -> tuple | None:
        return None if other is None else (other.title, other.url)

    return (page.title, repr(page.meta), neighbour(page.previous_page), neighbour(page.next_page),
            getattr(nav.homepage, "url", None), tuple(view(item) for item in nav.items))


def _nav_pages(nav) -> list[tuple[str | None, str]]:
    """(title, page) for every page in a navigation of mkdocs.yml's form."""
    if isinstance(nav, str):
        return [(None, nav)]
    if isinstance(nav, dict):
        return [pair for title, value in nav.items()
                for pair in ([(title, value)] if isinstance(value, str) else _nav_pages(value))]
    return [pair for item in nav for pair in _nav_pages(item)]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def _mkdocs_problem(message: str, config: str) -> Problem:
    return Problem(Pos(config), "error", "build.mkdocs", " ".join(message.split()),
                   "This is a fault in the generated site, not in your content: report it with the content that "
                   "caused it. The preview shows the last good build.")


def _write_if_changed(path: Path, data: bytes) -> None:
    """Replace path by data in one rename (a browser never reads half a page); leave it alone when equal."""
    for tmp, path in _stage({path: data}):
        os.replace(tmp, path)


def _stage(files: dict[Path, bytes]) -> list[tuple[Path, Path]]:
    """Write each file's new data beside it, (temporary file, file) for those whose data differs, to be renamed
    into place; on a failure nothing is left behind."""
    staged = []
    try:
        for path, data in files.items():
            try:
                if path.read_bytes() == data:
                    continue
            except OSError:
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(data)
            staged.append((tmp, path))
    except BaseException:
        for tmp, path in staged:
            tmp.unlink(missing_ok=True)
        raise
    return staged


def _swap(new: Path, out: Path) -> None:
    """Put a fully built site in place of the old one."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- for benchmarks/run.py ------------------------------------------------------------------------------------

_PARA = re.compile(r"para:[ \t]*(?:[>|][-+]?[ \t]*\n[ \t]+|[\"']?)(?=[A-Za-z\[])")  # the start of a paragraph's text


def measure_edit(root: Path, rounds: int = 3, chapter: Path | None = None) -> dict:
    """Edit-to-preview on a project: build the preview of root, then `rounds` times add a word to the start of a
    paragraph of one chapter file (default: the first document's first chapter), each time in the next paragraph,
    and apply the change. The file is restored afterwards. Returns {"start": timings of the full build,
    "edits": [timings of each edit, with "kind" and "pages": pages rebuilt]}; see Update.timings."""
    root = Path(root)
    if chapter is None:
        docs = sorted(p.parent for p in (root / "content").rglob("document.yaml"))
        chapter = sorted(p for p in docs[0].glob("*.y*ml") if p.name != "document.yaml")[0]
    original = chapter.read_text(encoding="utf-8")
    preview = Preview(root)
    try:
        start = preview.start()
        if not start.ok:
            raise RuntimeError(f"{root} cannot be previewed: {start.problems[:3]}")
        edits = []
        text = original
        for i, m in zip(range(rounds), list(_PARA.finditer(original))):
            at = m.end() + len(text) - len(original)  # earlier rounds' insertions come before this one
            text = text[:at] + f"Benchmarked{i} " + text[at:]
            chapter.write_text(text, encoding="utf-8")
            update = preview.apply_change()
            if not update.ok:
                raise RuntimeError(f"the benchmark edit failed: {update.problems[:3]}")
            edits.append(dict(update.timings, kind=update.kind, pages=len(update.first) + len(update.rest)))
        return {"start": dict(start.timings), "edits": edits}
    finally:
        chapter.write_text(original, encoding="utf-8")
        preview.close()
