"""The plan of a preview update, apart from MkDocs: which pages a change feeds (fed: the first step; the rest in
the second), what a document's pages are made from (page_keys: a document whose key is unchanged is not rendered
again), what the preview watches on disk, and what a page shows of the navigation (nav_view: a page whose view is
unchanged keeps its file). builder/preview/incremental.py carries the plan out; builder/site/mkdocs_adapter.py
holds every use of MkDocs' internals.

A full build mirrors mkdocs.commands.build.build() step by step, but keeps what it made: the config with its
plugin instances, Files, Navigation, the theme's Jinja environment, every Page with its rendered content, and each
page's search entries. A change is then applied in two steps:

1. The edited pages (the edit-to-preview latency, `timings["preview"]`): check what changed
   (builder.content.check.Recheck: a file whose bytes are unchanged is not parsed or schema-checked again, and
   each document's reference checks and house rules are kept until something they read changes), render the
   pages the changed files feed directly (a chapter file's chapter page, a document.yaml's landing page and
   change history; every page but the aggregated ones when a registry changed: fed_pages) with render's `only`
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
   comparison too: a document's pages are not rendered again when everything they are made from (page_keys:
   its own files, and what its pages read of the rest) equals what the site on disk was made from; the pages
   of the whole site (home, glossary, audience landings) always are. apply_change() does this step before it
   returns; `guidance serve` does it after the browser has reloaded (build_rest()), and stops early when another
   save arrives: the pages left still differ from what the site was built from (and their documents' keys from
   those it has), so the next update rebuilds them.

When the navigation changes (a chapter or document title) or a page's title or front matter does, no page is
converted again but those whose Markdown changed: MkDocs' Navigation is built afresh around the Page objects it
has (each keeps its converted content). A page whose view of the navigation is unchanged (what a pruned Material
page shows of it: nav_view) keeps its file; a changed page whose own title changed is converted again in step 1;
every other such page waits in `retemplate` for the theme template alone, with the search entries it had.
build_rest() works through them after the second step's pages, without reloading the browser, and refresh(), which
guidance serve calls as it serves a page, rebuilds a waiting page first, so a page served never has the old
navigation. Anything unexpected (an exception, a MkDocs warning, an unsafe page, a write that fails: each step's
files are written beside their place and renamed only when all are) leaves the pages on disk as they were and
sends the next update down the full path. tests/test_serve.py checks that an incremental update leaves the same
site, byte for byte, as a full build.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.content.model import Problem
from builder.render.pages import aggregated as is_aggregated
from builder.site.engines import THEME_DIR

NAV_CHANGED = "the navigation changed"


def first_step(rel: str) -> bool:
    return not is_aggregated(rel)


def page_keys(content) -> dict[str, tuple]:
    """Document id → everything its pages (page_doc) are made from, compared with ==: its document.yaml's
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


def page_doc(rel: str, keys: dict) -> str | None:
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


def fed_pages(content, changed: set[str]) -> set[str] | None:
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


def setup_mtimes(snapshot: dict[str, int], root: Path) -> dict[str, int]:
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


def nav_views(nav, doc_files, pruned: bool | None) -> dict[str, object]:
    """Each page's view of the navigation (see nav_view), sharing the parts that pages have in common; with a
    theme other than Material, a view that equals no other (every page is given the new navigation)."""
    if pruned is None:
        return {f.src_uri: object() for f in doc_files}
    shared: dict[int, tuple] = {}
    return {f.src_uri: nav_view(f.page, nav, shared, pruned) for f in doc_files}


def nav_view(page, nav, shared: dict[int, tuple], pruned: bool = True) -> tuple:
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


def nav_pages(nav) -> list[tuple[str | None, str]]:
    """(title, page) for every page in a navigation of mkdocs.yml's form."""
    if isinstance(nav, str):
        return [(None, nav)]
    if isinstance(nav, dict):
        return [pair for title, value in nav.items()
                for pair in ([(title, value)] if isinstance(value, str) else nav_pages(value))]
    return [pair for item in nav for pair in nav_pages(item)]


def ended_previews(root: Path) -> list[Path]:
    """The build folders (build/serve-<pid>-<tag>/) of previews whose process has ended (killed before it could
    clean up)."""
    return [folder for folder in (root / "build").glob("serve-*-*")
            if (pid := folder.name.split("-")[1]).isdigit() and not _running(int(pid))]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True
