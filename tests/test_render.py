"""Render stage: golden Markdown for the fixture project, compared exactly; safe titles; the draft filter."""
import posixpath
import re
from pathlib import Path

import pytest

from builder import pipeline
from builder.render.pages import Options, md_escape, render

GOLDEN = Path(__file__).parent / "golden"
FIXTURE = Path(__file__).parent / "fixtures" / "site"


@pytest.mark.parametrize("mode", ["public", "preview"])
def test_rendered_markdown_matches_golden_files(mode, update_golden):
    checked = pipeline.check(FIXTURE)
    assert checked.problems == []
    site = render(checked.content, Options(preview=mode == "preview", build_date="2026-11-28"))
    folder = GOLDEN / mode
    if update_golden:
        for rel, text in site.pages.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*.md")}
    assert sorted(site.pages) == sorted(expected), "every page, no more and no fewer"
    for rel, text in site.pages.items():
        assert text == expected[rel], f"{rel} differs from tests/golden/{mode}/{rel}; run pytest --update-golden if intended"


def test_public_render_leaves_out_unpublished_sections_and_keeps_withdrawal_notices():
    content = pipeline.check(FIXTURE).content
    site = render(content, Options())
    everything = "\n".join(site.pages.values())
    assert "Zebra quartz marmalade" not in everything
    assert "secret-draft" not in everything
    assert "Withdrawn on 2026-10-01" in site.pages["alpha/schools.md"]
    assert "obsolete procedures" not in everything, "a withdrawn section shows its notice, not its old text"
    assert any("Zebra quartz marmalade" in t for t in site.hidden_text)


def test_preview_shows_drafts_with_a_banner():
    content = pipeline.check(FIXTURE).content
    page = render(content, Options(preview=True)).pages["alpha/basics.md"]
    assert "Zebra quartz marmalade" in page
    assert "Preview: includes unpublished sections" in page
    assert '<p class="gd-status gd-status-draft"><strong>Draft</strong>: not published</p>' in page


def test_numbers_follow_position_in_the_public_view():
    content = pipeline.check(FIXTURE).content
    page = render(content, Options()).pages["alpha/schools.md"]
    assert "## 2.1 In schools { #for-schools" in page
    assert 'id="p-bbb1"' in page and 'title="Link to paragraph 2.1.1">2.1.1</a>' in page


def test_titles_cannot_inject_markup_or_front_matter():
    assert md_escape("A <b>bold</b> *claim*") == "A &lt;b&gt;bold&lt;/b&gt; \\*claim\\*"
    assert "\n" not in md_escape("two\nlines")


def test_front_matter_is_json_quoted(project):
    path = project / "content/alpha/01-basics.yaml"
    path.write_text(path.read_text().replace("title: Basics", 'title: "Basics: a \\"quoted\\" title"'))
    checked = pipeline.check(project)
    page = render(checked.content, Options()).pages["alpha/basics.md"]
    assert page.startswith('---\ntitle: "1. Basics: a \\"quoted\\" title – Alpha guidance"\nin_document: true\n'
                           'print_header: "Alpha guidance on stalking\\\\2c  version 1\\\\2e 0"\n---\n')



def _resolved(rel: str, page: str, directory_urls: bool) -> str:
    """page with each relative href replaced by the page it leads to (doc/chapter#anchor), whatever its form."""
    from builder.render.markdown import page_url

    here = page_url(rel, directory_urls)
    folder = here if directory_urls else posixpath.dirname(here)

    def target(m):
        path, _, anchor = m[1].partition("#")
        if not path or "://" in path or path.startswith("mailto:"):
            return m[0]
        where = posixpath.normpath(posixpath.join(folder, path))
        where = where[:-len(".html")] if where.endswith(".html") else where
        return f'href="{where.removesuffix("/index")}#{anchor}"'
    return re.sub(r'href="([^"]*)"', target, page)


def test_an_offline_render_writes_files_addresses_where_mkdocs_does_not_rewrite_links():
    """Options(directory_urls=False), for guidance build --offline: links in HTML blocks (which MkDocs passes
    through as they are) and the search keys are files' addresses, leading to the same pages as online; the
    Markdown links, which MkDocs rewrites, and everything else are as in the online render."""
    content = pipeline.check(FIXTURE).content
    online, offline = render(content, Options()), render(content, Options(directory_urls=False))
    assert '<a href="../../glossary/#term-dsl"' in online.pages["alpha/basics.md"]
    assert '<a href="../glossary.html#term-dsl"' in offline.pages["alpha/basics.md"]
    assert '<a href="../../glossary.html#term-dsl"' in offline.pages["for/teachers/alpha.md"]
    assert '<a href="schools.html#for-schools"' in offline.pages["alpha/basics.md"]
    assert sorted(online.pages) == sorted(offline.pages)
    changed = [rel for rel in online.pages if online.pages[rel] != offline.pages[rel]]
    assert "alpha/basics.md" in changed and "glossary.md" not in changed
    for rel in changed:
        assert _resolved(rel, offline.pages[rel], False) == _resolved(rel, online.pages[rel], True), rel
    assert sorted(offline.search_labels) == sorted(k.replace("/#", ".html#") for k in online.search_labels)
    assert sorted(offline.search_extra) == sorted(k.replace("/#", ".html#") if "#" in k else k[:-1] + ".html"
                                                  for k in online.search_extra)
    assert offline.search_labels["alpha/basics.html#for-police"] == online.search_labels["alpha/basics/#for-police"]
