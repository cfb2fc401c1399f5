"""Site stage, end to end: real MkDocs builds of the fixture project into tmp_path."""
import hashlib
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from builder import pipeline
from builder.cli import main
from builder.site.engines import OFFLINE_DIR, OFFLINE_SCRIPTS
from builder.site.leaks import leaks

DRAFT_WORDS = "zebra quartz marmalade canary"


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(project):
    checked, result = pipeline.build(project)
    assert checked.problems == [] and result.ok, result.problems
    return project, result


@pytest.mark.slow
def test_public_build_has_the_contract_urls(built):
    root, result = built
    site = root / "site"
    assert result.out_dir == site
    for url in ["index.html", "alpha/index.html", "alpha/basics/index.html", "alpha/schools/index.html",
                "beta/index.html", "beta/only/index.html", "glossary/index.html", "accessibility/index.html",
                "search/search_index.json", "sitemap.xml", "assets/guidance.css"]:
        assert (site / url).is_file(), url
    assert list((site / "assets/stylesheets").glob("main.*.min.css")), "the theme's own stylesheet is published"
    page = (site / "alpha/basics/index.html").read_text()
    assert 'id="what-it-is"' in page and 'id="p-aaa1"' in page
    assert 'href="https://www.legislation.gov.uk/ukpga/1997/40/section/2A"' in page
    assert '<abbr title="stalking protection order">SPO</abbr>' in page
    assert "fonts.googleapis.com" not in page


@pytest.mark.slow
def test_no_draft_text_anywhere_in_the_public_site(built):
    root, _ = built
    for path in (root / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            assert DRAFT_WORDS not in path.read_text(errors="replace").lower(), path


@pytest.mark.slow
def test_preview_build_shows_drafts_in_its_own_folder(built):
    root, _ = built
    before = _tree(root / "site")
    checked, result = pipeline.build(root, preview=True)
    assert result.ok and result.out_dir == root / "site-preview"
    assert DRAFT_WORDS in (root / "site-preview/alpha/basics/index.html").read_text().lower()
    assert "Preview: includes unpublished sections" in (root / "site-preview/alpha/basics/index.html").read_text()
    assert _tree(root / "site") == before, "a preview never touches the public site"


@pytest.mark.slow
def test_invalid_content_leaves_the_previous_site_byte_identical(built):
    root, _ = built
    before = _tree(root / "site")
    chapter = root / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("status: published", "status: publshed", 1))
    checked, result = pipeline.build(root)
    assert result is None and checked.failed()
    assert _tree(root / "site") == before


@pytest.mark.slow
def test_a_failing_mkdocs_build_leaves_the_previous_site_byte_identical(built):
    root, _ = built
    before = _tree(root / "site")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins:\n", "plugins:\n  - no-such-plugin\n"))
    checked, result = pipeline.build(root)
    assert checked.problems == [] and not result.ok
    assert result.problems[0].code == "build.mkdocs" and "no-such-plugin" in result.problems[0].message
    assert _tree(root / "site") == before
    assert not list(root.glob("site.tmp-*")), "the temporary build folder is cleaned up"


@pytest.mark.slow
def test_generated_tree_builds_with_plain_mkdocs(built, tmp_path):
    root, _ = built
    out = tmp_path / "plain"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "build/mkdocs.yml"),
                          "-d", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == \
        sorted(p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*.html"))


@pytest.mark.slow
def test_leak_check_finds_unpublished_text_in_any_built_file(built):
    root, _ = built
    hidden = ["Zebra quartz marmalade canary notebook lantern velvet harbour secret draft words."]
    assert leaks(root / "site", hidden) == []
    (root / "site/search/extra.json").write_text('{"text": "Zebra  Quartz marmalade canary notebook lantern velvet harbour"}')
    assert leaks(root / "site", hidden) == ["search/extra.json: 'zebra quartz marmalade canary notebook lantern…'"]


class _Links(HTMLParser):
    """Every href and src of a page, and its ids."""

    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        self.links += [values[k] for k in ("href", "src") if values.get(k) is not None]


def _links(path: Path, parsed: dict) -> _Links:
    if path not in parsed:
        parsed[path] = _Links()
        parsed[path].feed(path.read_text(encoding="utf-8"))
    return parsed[path]


def broken_links_from_disk(site: Path) -> tuple[int, list[str]]:
    """Every link and asset of every page but 404.html (a web server's page, whose addresses start at the site's
    root), followed as a browser follows it from file://: it must name a file (a folder opens as its listing) and,
    with an anchor, an id on that page. Returns how many were followed and the broken ones."""
    parsed, broken, followed = {}, [], 0
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" and page.parent == site:
            continue
        for link in _links(page, parsed).links:
            url = urlsplit(link)
            if url.scheme or link.startswith("//"):
                continue
            followed += 1
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            rel = page.relative_to(site).as_posix()
            if not target.is_file():
                broken.append(f"{rel}: {link} ({'a folder' if target.is_dir() else 'missing'})")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in _links(target, parsed).ids:
                broken.append(f"{rel}: {link} (no such anchor)")
    return followed, broken


@pytest.mark.slow
@pytest.mark.parametrize("preview", [True, False], ids=["preview", "public"])
def test_an_offline_build_browses_from_disk(project, preview):
    """guidance build --offline: pages as files, every link and asset a file on disk (the browser walk is in
    tests/browser/test_offline.py), the search index inlined as tuned, no request to another host."""
    out = project / "offline"
    checked, result = pipeline.build(project, preview=preview, out_dir=out, offline=True)
    assert checked.problems == [] and result.ok, result.problems
    assert (out / "alpha/basics.html").is_file() and not (out / "alpha/basics").exists()
    followed, broken = broken_links_from_disk(out)
    assert followed > 500 and broken == []
    assert broken_links_from_disk(_online(project))[1], "the same check finds the online site's folders"
    index = (out / "search/search_index.json").read_text(encoding="utf-8")
    assert (out / "search/search_index.js").read_text(encoding="utf-8") == "var __index = " + index
    entries = {e["location"]: e for e in json.loads(index)["docs"]}
    assert entries["alpha/basics.html#for-police"]["roles"] == ["police"], "the index is tuned for .html addresses"
    assert "glossary.html" in entries and "aka" in entries["glossary.html"]
    assert ("alpha/basics.html#secret-draft" in entries) is preview
    assert (DRAFT_WORDS in (out / "alpha/basics.html").read_text().lower()) is preview
    for rel in ("assets/javascripts/iframe-worker.js", "assets/javascripts/offline-search.js"):
        assert (out / rel).read_bytes() == (OFFLINE_DIR / Path(rel).name).read_bytes()
    assert not [p for p in out.rglob("*.html") if "unpkg.com" in p.read_text()], "the shim is ours, not a CDN's"
    config = YAML(typ="safe").load((project / f"build/mkdocs{'-preview' if preview else ''}-offline.yml").read_text())
    assert config["use_directory_urls"] is False and "offline" in config["plugins"]
    assert config["extra"]["polyfills"] == list(OFFLINE_SCRIPTS)


def _online(project: Path) -> Path:
    checked, result = pipeline.build(project)
    assert result.ok, result.problems
    return project / "site"


@pytest.mark.slow
def test_an_offline_build_leaves_the_online_build_as_it_was(built):
    root, _ = built
    before, config = _tree(root / "site"), (root / "build/mkdocs.yml").read_text()
    checked, result = pipeline.build(root, out_dir=root / "site-offline", offline=True)
    assert result.ok, result.problems
    checked, result = pipeline.build(root)
    assert result.ok
    assert _tree(root / "site") == before and (root / "build/mkdocs.yml").read_text() == config
    online = YAML(typ="safe").load(config)
    assert online["use_directory_urls"] is True and "offline" not in online["plugins"] and "polyfills" not in online["extra"]


def test_an_offline_build_needs_material_for_mkdocs(project):
    result = CliRunner().invoke(main, ["build", "--offline", "--engine", "zensical", "--root", str(project)])
    assert result.exit_code == 1 and "build.offline-engine" in result.output
    assert not (project / "site").exists() and not (project / "build").exists()
