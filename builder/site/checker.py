"""The built site checked: each page sanitised (sanitise.py) and, in a public build, searched for unpublished text
(leaks.py). Where the machine has a second processor, each page, as MkDocs writes it, goes to one worker process,
so that the checks run beside MkDocs' work and cost little more than the last page's; with one processor
(WORKERS = 0) every check runs after the engine is done, in this process. benchmarks/page_pool.py measures the
gain, `guidance build` with the worker and without, alternating, on a quiet 2-core machine: 0.16-0.18 s of 3.9-4.1 s
for the real content, 1.5-1.6 s of 15.2-15.5 s at 1,000 sections (docs/performance.md; on a machine whose other
processes take the second core the worker can cost as much as it saves). Files MkDocs writes outside its pages,
and every page of an engine without the hook, are always checked after the build.

The worker is a concurrent.futures process pool of one, started with the "spawn" method on every system: a fresh
interpreter that imports only this module, never a fork of a process that may hold threads. An error in the
worker is raised again here (the build fails with it, as it would have inline); a worker the system ends raises
BrokenProcessPool, which the build reports as build.worker-stopped; Ctrl-C stops the build, and the worker, which
ignores SIGINT itself, is shut down with it."""
from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from builder.content import inline
from builder.content.model import Problem
from builder.site import leaks, sanitise

START_METHOD = "spawn"


def _processors() -> int:
    """How many processors this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# One worker process checks each page while MkDocs builds, where a second processor can run it (see above).
WORKERS = 1 if _processors() > 1 else 0

_wanted: dict | None = None  # in the worker: the probes of unpublished text, worked out once


def _start(hidden: list[str] | None, public: list[str]) -> None:
    """In the worker, once: Ctrl-C is the parent's to handle (it shuts the worker down), and the probes, from the
    texts' plains (leaks.plains: the texts are parsed once, in the parent)."""
    global _wanted
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _wanted = leaks.probes_of(hidden, public) if hidden is not None else None


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
    the worker as it is written; otherwise hook is None and finish checks the whole site here. leak_check: also
    search for hidden text (everything a public build may not show, unless public shows it too). Use as a context
    manager, so that the worker stops however the build ends (an error, Ctrl-C). trees: the content's inline
    trees (Content.trees), by which the hidden and public texts are read."""

    def __init__(self, site_dir: Path, hidden: list[str], public: list[str], leak_check: bool,
                 concurrent: bool = True, trees: inline.Trees | None = None):
        trees = inline.Trees() if trees is None else trees
        self.site_dir, self.leak_check = site_dir, leak_check
        self.hidden = leaks.plains(hidden, trees) if leak_check else []
        self.public = leaks.plains(public, trees) if leak_check else []
        self.allowed: set[str] | None = None
        self.pages: dict[str, Future] = {}
        self.pool: ProcessPoolExecutor | None = None
        if concurrent and WORKERS:
            self.pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context(START_METHOD),
                                            initializer=_start, initargs=(self.hidden if leak_check else None, self.public))
            self.pool.submit(int)  # start the worker now: it imports while MkDocs reads its configuration

    @property
    def hook(self) -> PageChecker | None:
        return self if self.pool is not None else None

    def __enter__(self) -> PageChecker:
        return self

    def __exit__(self, kind, *exc) -> None:
        if self.pool is not None:
            # On an error or Ctrl-C, pages still queued are dropped rather than checked.
            self.pool.shutdown(wait=True, cancel_futures=kind is not None)

    def on_post_page(self, output: str, page, config) -> str:
        if self.allowed is None:  # MkDocs writes its 404 page, which says what the theme's own scripts are, first
            self.allowed = sanitise.theme_scripts(self.site_dir)
        self.pages[page.file.dest_uri] = self.pool.submit(_check_page, page.file.dest_uri, output, self.allowed)
        return output

    def finish(self) -> tuple[list[Problem], list[str]]:
        """Once the engine is done: the sanitiser's problems and the draft leaks over the whole site, as
        sanitise.sanitise_site and leaks.leaks give them. Pages the sanitiser changed are written. An error in
        the worker is raised here."""
        checked: dict[str, list[Problem]] = {}
        page_leaks: dict[str, str | None] = {}
        for rel, future in self.pages.items():
            cleaned, problems, leak = future.result()
            if cleaned is not None:
                (self.site_dir / rel).write_text(cleaned, encoding="utf-8")
            checked[rel], page_leaks[rel] = problems, leak
        problems = sanitise.sanitise_site(self.site_dir, checked)
        if not self.leak_check:
            return problems, []
        if self.pool is not None:
            rest = self.pool.submit(_scan_rest, str(self.site_dir), set(page_leaks)).result()
        else:
            rest = leaks.scan(self.site_dir, leaks.probes_of(self.hidden, self.public), set(page_leaks))
        found = {**{rel: leak for rel, leak in page_leaks.items() if leak}, **rest}
        return problems, [found[rel] for rel in sorted(found, key=Path)]
