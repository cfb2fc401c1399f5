"""The built site checked while MkDocs builds it: each page, as MkDocs writes it, goes to a worker process that
sanitises it (sanitise.py) and, in a public build, searches it for unpublished text (leaks.py). On two cores the
checks then cost little more than the last page's, instead of a second pass over the whole site after the build
(5.2 s against MkDocs' 14.2 s at 1,000 generated sections). The results are the same as the pass after the build:
what the worker did not check (a page it failed on, the files MkDocs writes outside its pages, every page of an
engine without this hook) is checked afterwards by the same functions, in this process."""
from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from builder.content.model import Problem
from builder.later import pool as worker_pool
from builder.site import leaks, sanitise

_wanted: dict | None = None  # in the worker: the probes of unpublished text, worked out once


def _start(hidden: list[str] | None, public: list[str]) -> None:
    global _wanted
    _wanted = leaks.probes(hidden, public) if hidden is not None else None


def _check_page(rel: str, page: str, allowed: set[str]) -> tuple[str | None, list[Problem], str | None]:
    """In the worker: the page sanitised (None when unchanged), its problems, and the unpublished text it shows."""
    cleaned, problems = sanitise.sanitise_page(rel, page, allowed)
    leak = leaks.text_leak(rel, cleaned, _wanted) if _wanted else None
    return (None if cleaned is page else cleaned), problems, leak


def _scan_rest(site_dir: str, skip: set[str]) -> dict[str, str]:
    """In the worker: the leak check of every built file but the pages already checked."""
    return leaks.scan(Path(site_dir), _wanted, skip) if _wanted else {}


class PageChecker:
    """Checks a built site. concurrent: hook is an MkDocs plugin (its on_post_page event) that hands every page to
    one worker process as it is written; otherwise hook is None and finish checks the whole site. leak_check: also
    search for hidden text (everything a public build may not show, unless public shows it too). Use as a context
    manager, so that the worker stops however the build ends."""

    def __init__(self, site_dir: Path, hidden: list[str], public: list[str], leak_check: bool,
                 concurrent: bool = True):
        self.site_dir, self.hidden, self.public, self.leak_check = site_dir, hidden, public, leak_check
        self.allowed: set[str] | None = None
        self.pages: dict[str, Future] = {}
        # Forked (builder/later.py): none where forking is unsafe, and then finish does all the checks.
        self.pool = worker_pool(_start, (hidden if leak_check else None, public)) if concurrent else None
        if self.pool is not None:
            self.pool.submit(int)  # fork now, before the engine's pages are held in memory

    @property
    def hook(self) -> PageChecker | None:
        return self if self.pool is not None else None

    def __enter__(self) -> PageChecker:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def on_post_page(self, output: str, page, config) -> str:
        if self.allowed is None:  # MkDocs writes its 404 page, which says what the theme's own scripts are, first
            self.allowed = sanitise.theme_scripts(self.site_dir)
        try:
            self.pages[page.file.dest_uri] = self.pool.submit(_check_page, page.file.dest_uri, output, self.allowed)
        except (BrokenProcessPool, RuntimeError):  # the worker is gone: finish checks this page in this process
            pass
        return output

    def finish(self) -> tuple[list[Problem], list[str]]:
        """Once the engine is done: the sanitiser's problems and the draft leaks over the whole site, as
        sanitise.sanitise_site and leaks.leaks give them. Pages the sanitiser changed are written."""
        checked: dict[str, list[Problem]] = {}
        page_leaks: dict[str, str | None] = {}
        for rel, future in self.pages.items():
            try:
                cleaned, problems, leak = future.result()
            except Exception:  # the worker died or failed on this page: checked below, in this process, instead
                continue
            if cleaned is not None:
                (self.site_dir / rel).write_text(cleaned, encoding="utf-8")
            checked[rel], page_leaks[rel] = problems, leak
        problems = sanitise.sanitise_site(self.site_dir, checked)
        if not self.leak_check:
            return problems, []
        try:
            if self.pool is None:
                raise RuntimeError("no worker")
            rest = self.pool.submit(_scan_rest, str(self.site_dir), set(page_leaks)).result()
        except Exception:
            rest = leaks.scan(self.site_dir, leaks.probes(self.hidden, self.public), set(page_leaks))
        found = {**{rel: leak for rel, leak in page_leaks.items() if leak}, **rest}
        return problems, [found[rel] for rel in sorted(found, key=Path)]
