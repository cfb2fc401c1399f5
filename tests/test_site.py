"""Site stage, end to end: real MkDocs builds of the fixture project into tmp_path."""
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from builder import pipeline
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
