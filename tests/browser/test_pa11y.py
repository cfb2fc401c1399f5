"""WCAG 2.2 AA as a second checker sees it: pa11y-ci (HTML_CodeSniffer, the engine GOV.UK's own audits use beside
axe) finds no error on any page of the built site, at a desktop and a phone width. It runs Debian's Chromium, so
nothing is downloaded; `make test` installs it from tests/pa11y/package-lock.json."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import site_pages
from tests.conftest import under_ci

PA11Y = Path(__file__).resolve().parent.parent / "pa11y" / "node_modules" / ".bin" / "pa11y-ci"


@pytest.fixture(scope="module")
def pa11y() -> Path:
    if not PA11Y.is_file():
        if under_ci():
            pytest.fail(f"{PA11Y} is missing: make test installs it (npm ci in tests/pa11y)")
        pytest.skip("pa11y-ci is not installed (make test installs it); skipped locally")
    return PA11Y


@pytest.mark.parametrize("width", [1280, 320])
def test_every_page_has_no_pa11y_error(pa11y, built_site, base_url, chromium_path, tmp_path, width):
    pages = site_pages(built_site)
    assert len(pages) > 30
    config = {"defaults": {
        "standard": "WCAG2AA", "runners": ["htmlcs"], "timeout": 60_000, "concurrency": 1,
        "viewport": {"width": width, "height": 900},
        "chromeLaunchConfig": {"executablePath": str(chromium_path),
                               "args": ["--no-sandbox", "--disable-dev-shm-usage"]}},
        "urls": [base_url + path for path in pages]}
    (tmp_path / "pa11y.json").write_text(json.dumps(config))
    run = subprocess.run([str(pa11y), "--config", str(tmp_path / "pa11y.json"), "--json"], capture_output=True,
                         text=True, timeout=900, env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
    report = json.loads(run.stdout)
    # an issue is {"type": "error", "code", "context", …}, or {"message"} when pa11y could not test the page at all
    errors = {url: [f"{issue['code']}: {issue['context'][:120]}" if "code" in issue else issue.get("message", issue)
                    for issue in issues if issue.get("type", "error") == "error"]
              for url, issues in report["results"].items()}
    errors = {url: found for url, found in errors.items() if found}
    assert report["total"] == len(pages)
    assert errors == {}, json.dumps(errors, indent=1)[:4000]
