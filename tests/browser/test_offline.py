"""The offline preview a reviewer downloads from a pull request (guidance build --preview --offline), opened from
disk in Chromium through file:// addresses, as a reviewer opens index.html: every kind of page is reached by
clicking, each click lands on a page (never a folder's listing) whose styles and scripts loaded, search finds
sections (drafts included) and limits them to a role, and drafts show with their status."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import heading
from tests.conftest import in_fresh_process

DAY = "2026-12-01"
DRAFT_WORDS = "Zebra quartz marmalade canary"  # the fixture's draft section, secret-draft


def add_ready_section(repo, name: str, text: str) -> None:
    """A section <name>-plan for the police, ready to publish, at the end of the fixture's second chapter."""
    with repo.path("content/alpha/02-schools.yaml").open("a", encoding="utf-8") as f:
        f.write(f"  - id: {name}-plan\n    title: {name.title()} plan\n    audiences: [police]\n    status: ready\n"
                f"    review_by: 2099-11-30\n    blocks:\n      - id: {name}1\n        para: {text}\n")


def make_offline_preview(folder: str) -> dict:
    """In a fresh process (builder/later.py forks): the fixture project in a git repository with an archived
    edition (1.0, replaced by 1.1, which published lime-plan) and a section ready to publish (plum-plan), built
    as the workflow builds the preview."""
    from click.testing import CliRunner

    from builder.cli import main
    from tests.gitrepo import GitProject, env

    repo = GitProject(Path(folder) / "repo", "2026-11-01")
    try:
        basics = "content/alpha/01-basics.yaml"
        repo.replace(basics, "Courts can make", "Courts may make")
        repo.commit("Reword", "2026-11-20")
        add_ready_section(repo, "lime", "Lime citrus plan for next year.")
        repo.commit("A section ready to publish", "2026-11-21")
        runner = CliRunner(env=env(DAY))
        published = runner.invoke(main, ["publish", "alpha", "--version", "1.1", "--note", "Reworded basics.",
                                         "--date", DAY, "--root", str(repo.root), "--yes"], catch_exceptions=False)
        add_ready_section(repo, "plum", "Plum orchard plan, ready for review.")
        repo.commit("Another section ready", DAY)
        out = Path(folder) / "preview"
        built = runner.invoke(main, ["build", "--preview", "--offline", "--out", str(out), "--root", str(repo.root)],
                              catch_exceptions=False)
        return {"publish": [published.exit_code, published.output], "build": [built.exit_code, built.output],
                "site": str(out)}
    finally:
        repo.close()


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    made = in_fresh_process(make_offline_preview, tmp_path_factory.mktemp("offline"))
    assert made["publish"][0] == 0, made["publish"][1]
    assert made["build"][0] == 0, made["build"][1]
    site = Path(made["site"])
    assert (site / "alpha/editions").is_dir(), "the fixture has an archived edition"
    return site


@pytest.fixture
def disk_page(browser):
    """A page in a context that records every request that is not for a file on disk (there must be none) and
    every file the browser failed to load (a missing asset)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    elsewhere, failed = [], []

    def guard(route):
        if urlsplit(route.request.url).scheme in ("file", "data", "blob", "about"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: failed.append(f"script error: {error}"))
    yield page
    context.close()
    assert elsewhere == [], f"the offline site asked for other hosts: {elsewhere}"
    assert failed == [], f"files the offline site could not load: {failed}"


def landed(page, site: Path, rel: str, title: str | None = None) -> None:
    """The page is the built file rel, shown as a page of the site: its article there, Material's stylesheet and
    script applied (not a folder's listing, nor a bare page without its assets)."""
    page.wait_for_url(lambda url: url.startswith("file:") and Path(urlsplit(url).path) == site / rel)
    page.wait_for_load_state("load")  # a click returns once the new page is on its way, not loaded
    assert page.locator("article.md-content__inner").count() == 1, f"{rel} is not a page of the site"
    assert page.evaluate("document.documentElement.classList.contains('js')"), "Material's script did not run"
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky", \
        "Material's stylesheet did not load"
    if title is not None:
        assert heading(page) == title


def test_a_reviewer_reaches_every_kind_of_page_by_clicking(disk_page, offline_site):
    page, site = disk_page, offline_site
    page.goto((site / "index.html").as_uri())
    landed(page, site, "index.html")
    article = page.locator("article")

    article.get_by_role("link", name="Alpha guidance on stalking").click()
    landed(page, site, "alpha/index.html", "Alpha guidance on stalking")
    article.get_by_role("link", name="Basics", exact=True).first.click()
    landed(page, site, "alpha/basics.html", "1. Basics")

    page.get_by_role("navigation", name="Show this guidance for a role").get_by_role(
        "link", name="Police officers and staff").click()
    landed(page, site, "for/police/alpha.html")
    assert urlsplit(page.url).fragment == "alpha--basics"
    article.get_by_role("link", name="print this view").click()
    landed(page, site, "for/police/alpha/print.html")

    page.go_back()
    article.get_by_role("link", name="Read the full guidance").click()
    landed(page, site, "alpha/index.html")
    article.get_by_role("link", name="change history").click()
    landed(page, site, "alpha/changes.html")
    article.get_by_role("link", name="read this edition").first.click()
    landed(page, site, "alpha/editions/1.0.html")
    assert "Courts can make" in article.inner_text(), "the archived edition's own text"
    article.get_by_role("link", name="Read the current edition").click()
    landed(page, site, "alpha/index.html")

    article.get_by_role("link", name="Basics", exact=True).first.click()
    article.locator("a[href*='glossary.html#']").first.click()  # a term in a paragraph (an HTML block)
    landed(page, site, "glossary.html")
    assert page.locator(f"[id='{urlsplit(page.url).fragment}']").count() == 1, "the term's own entry"

    page.get_by_role("navigation", name="Navigation").get_by_role("link", name="Home").first.click()
    landed(page, site, "index.html")
    article.get_by_role("link", name="Teachers and school staff").first.click()
    landed(page, site, "for/teachers/index.html")


def test_every_page_opens_from_disk_with_its_styles_and_scripts(disk_page, offline_site):
    pages = sorted(p.relative_to(offline_site).as_posix() for p in offline_site.rglob("*.html"))
    pages.remove("404.html")  # a web server's page for a missing address: never opened from disk
    assert {"index.html", "glossary.html", "alpha/print.html", "alpha/changes.html", "alpha/editions/1.0.html",
            "for/police/index.html", "for/police/alpha.html", "for/police/alpha/print.html"} <= set(pages)
    for rel in pages:
        disk_page.goto((offline_site / rel).as_uri())
        landed(disk_page, offline_site, rel)


def search(page, query: str) -> list[str]:
    """Type query into the search box; the result links once the results for it are shown."""
    box = page.locator(".md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # a keyup: Material searches
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length > 0")
    return page.eval_on_selector_all(".md-search-result__item a.md-search-result__link",
                                     "els => els.map(e => e.getAttribute('href'))")


def test_search_works_from_disk_drafts_included(disk_page, offline_site):
    page, site = disk_page, offline_site
    page.goto((site / "alpha/index.html").as_uri())
    found = search(page, "caller")
    assert any(h.split("?")[0].endswith("basics.html") and h.endswith("#for-police") for h in found), found
    page.locator(".md-search-result__item a.md-search-result__link[href$='#for-police']").click()
    landed(page, site, "alpha/basics.html")
    assert urlsplit(page.url).fragment == "for-police"

    assert any(h.endswith("#secret-draft") for h in search(page, "marmalade")), "a draft is found in the preview"


def test_search_limits_results_to_a_role_from_disk(disk_page, offline_site):
    page = disk_page
    page.goto((offline_site / "index.html").as_uri())
    search(page, "plan")
    page.get_by_role("group", name="Show results for").get_by_label("Teachers and school staff").check()
    # The role filter reads each section's roles from the search index (guidance.js): from disk, the inlined copy.
    page.wait_for_function("/matching sections? for teachers and school staff/"
                           ".test(document.querySelector('.md-search-result__meta').textContent)")
    police_only = page.locator(".md-search-result__link[href*='#lime-plan']")
    assert police_only.count() == 1 and police_only.is_hidden()


def test_drafts_show_with_their_status(disk_page, offline_site):
    page, site = disk_page, offline_site
    page.goto((site / "alpha/basics.html").as_uri())
    assert "Preview: includes unpublished sections" in page.locator("article").inner_text()
    assert page.locator("#secret-draft + .gd-status-draft").inner_text() == "Draft: not published"
    assert DRAFT_WORDS in page.locator("article").inner_text()
    page.goto((site / "alpha/schools.html").as_uri())
    assert page.locator("#plum-plan + .gd-status-ready").inner_text() == "Ready: not published"
    assert page.locator("#lime-plan + .gd-status").count() == 0, "published in 1.1: no status line"
    assert json.loads(page.locator("#__config").text_content())["base"] == ".."
