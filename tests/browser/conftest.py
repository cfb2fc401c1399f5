"""Browser harness: the real guidance built once into a temporary folder, served on 127.0.0.1, and driven in
Debian's Chromium through Playwright. Any request to another host fails the test that made it."""
from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder import pipeline

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(items):
    """Every test in tests/browser/ is marked `browser`, so that `pytest -m "not browser"` runs the rest."""
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A page the browser left before it loaded closes its connection mid-reply: not a fault of the site's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing under CI: .ci/run installs Debian's chromium; the browser tests must run")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped locally")
    return CHROMIUM


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real content/ built as the public site, in a copy of the project so the checkout is untouched."""
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    checked, result = pipeline.build(root)
    assert result is not None and result.ok, [str(p) for p in checked.problems + (result.problems if result else [])]
    return root / "site"


@contextlib.contextmanager
def served(folder: Path):
    """folder served over HTTP on 127.0.0.1, at a free port, while the block runs: its address."""
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(built_site) -> str:
    with served(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


def new_guarded_context(browser, **options):
    """A browser context that refuses, and records, every request to a host other than 127.0.0.1."""
    context = browser.new_context(**options)
    context.foreign_requests = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            context.foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture
def context(browser):
    context = new_guarded_context(browser, viewport={"width": 1280, "height": 900})
    yield context
    foreign = context.foreign_requests
    context.close()
    assert foreign == [], f"the page asked for other hosts: {foreign}"


@pytest.fixture
def page(context):
    return context.new_page()


def site_pages(site: Path) -> list[str]:
    """Every page of the built site as a URL path, e.g. /stalking/introduction/."""
    paths = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        paths.append("/" if rel == "." else f"/{rel}/")
    return paths


def phone_context(browser, width: int = 375, **options):
    """A guarded context the size of a phone held upright."""
    return new_guarded_context(browser, viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True,
                               **options)


def heading(page) -> str:
    """The page's h1 text without the section permalink sign MkDocs appends."""
    return page.locator("h1").first.evaluate("h => h.childNodes[0].textContent").strip()
