"""Screenshots for the README: the home page, a chapter, a role view and a print page, at 1280 and 320 px wide.

    .venv/bin/python benchmarks/screenshots.py [--out docs/screenshots]

clones the repository (its committed content, with the history that dates it) into a temporary folder, builds the
public site there (the checkout's site/ is untouched), serves it on 127.0.0.1, opens each page in Debian's Chromium
through Playwright and saves the first screen of each as PNG; the print page as the printer sees it. Requests to
any other host are refused."""
from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from builder import pipeline  # noqa: E402

PAGES = {  # file name → path on the site
    "home": "/",
    "chapter": "/stalking/stalking-protection-orders/",
    "role-view": "/for/teachers/stalking/",
    "print": "/for/police/stalking/print/",
}
WIDTHS = {"desktop": (1280, 900), "phone": (320, 640)}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build(folder: Path) -> Path:
    root = folder / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(root)], check=True)
    checked, result = pipeline.build(root)
    if result is None or not result.ok:
        raise SystemExit("the site did not build: " + "; ".join(
            str(p) for p in checked.problems + (result.problems if result else []) if p.severity == "error"))
    return root / "site"


def shoot(site: Path, out: Path, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for width_name, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname
                              == "127.0.0.1" else route.abort())
                page = context.new_page()
                for name, path in PAGES.items():
                    page.emulate_media(media="print" if name == "print" else "screen")
                    page.goto(base + path)
                    page.wait_for_load_state("load")
                    target = out / f"{name}-{width_name}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs/screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="guidance-screenshots-") as tmp:
        written = shoot(build(Path(tmp)), args.out.resolve(), args.chromium)
    for path in written:
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
