"""Live preview (builder/preview/incremental.py, builder/preview/server.py): real MkDocs builds of a copy of the fixture project.
These tests assert behaviour, not time; benchmarks/run.py measures the time."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from builder import report
from builder.preview.incremental import CONFIG_NAME, Preview, is_aggregated

CHAPTER = "content/alpha/01-basics.yaml"
OLD = "para: Stalking is a crime under"
NEW = "para: Stalking is a serious crime in Porthcawl under"
UNCHANGED = "beta/only/index.html"  # beta's page: nothing of alpha's paragraph text is on it


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _index(site: Path) -> list[dict]:
    return json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fresh(root: Path, tmp_path: Path) -> Path:
    """A full preview build of root's content in a project of its own: what the incremental one must equal."""
    other = tmp_path / "fresh"
    shutil.copytree(root / "content", other / "content")
    shutil.copy(root / "mkdocs.yml", other / "mkdocs.yml")
    preview = Preview(other)
    try:
        assert preview.start().ok
    finally:
        preview.close()
    return preview.site_dir


@pytest.fixture
def preview(project):
    preview = Preview(project)
    update = preview.start()
    assert update.kind == "full" and update.problems == [], report.as_text(update.problems)
    yield preview
    preview.close()


@pytest.mark.slow
def test_start_builds_the_whole_preview_with_drafts(preview):
    site = preview.site_dir
    for url in ["index.html", "alpha/basics/index.html", "beta/only/index.html", "for/police/alpha/index.html",
                "alpha/print/index.html", "glossary/index.html", "404.html", "search/search_index.json"]:
        assert (site / url).is_file(), url
    page = (site / "alpha/basics/index.html").read_text()
    assert "Zebra quartz marmalade canary" in page, "the preview shows drafts"
    assert "Preview: includes unpublished sections" in page
    assert _index(site), "the search index is written"


@pytest.mark.slow
def test_a_paragraph_edit_rebuilds_only_what_changed_and_keeps_the_whole_search_index(preview, tmp_path):
    site = preview.site_dir
    before = _index(site)
    unchanged = site / UNCHANGED
    os.utime(unchanged, ns=(10**18, 10**18))  # a stamp no rewrite would keep
    unchanged_bytes = unchanged.read_bytes()

    _edit(preview.root, CHAPTER, OLD, NEW)
    update = preview.apply_change()

    assert update.ok and update.kind == "incremental", (update.reason, report.as_text(update.problems))
    assert "alpha/basics.md" in update.first
    assert not any(is_aggregated(p) for p in update.first), "the edited chapter page comes before the big pages"
    assert "for/police/alpha.md" in update.rest and "alpha/print.md" in update.rest
    assert "Porthcawl" in (site / "alpha/basics/index.html").read_text()
    assert "Porthcawl" in (site / "for/police/alpha/index.html").read_text()
    assert "Porthcawl" in (site / "alpha/print/index.html").read_text()

    after = _index(site)
    assert [e["location"] for e in after] == [e["location"] for e in before], "every page keeps its entries"
    assert [e for e in after if "Porthcawl" in e["text"]], "the new text is searchable"
    assert {e["location"] for e in after if e["location"].startswith("beta/")}, "other pages' entries are kept"
    changed = [a["location"] for a, b in zip(after, before) if a != b]
    assert changed and all(loc.startswith("alpha/basics/") for loc in changed), changed

    assert unchanged.stat().st_mtime_ns == 10**18 and unchanged.read_bytes() == unchanged_bytes, \
        "a page whose Markdown did not change is not rewritten"
    assert {"check", "render", "preview", "complete"} <= set(update.timings)
    assert _tree(site) == _tree(_fresh(preview.root, tmp_path)), "the same site as a full build"


@pytest.mark.slow
def test_the_aggregated_pages_can_follow_the_edited_page(preview):
    site = preview.site_dir
    _edit(preview.root, CHAPTER, OLD, NEW)
    update = preview.apply_change(rest=False)
    assert update.kind == "incremental" and update.owed and preview.has_rest()
    assert update.first == ["alpha/basics.md"] and "complete" not in update.timings
    assert "Porthcawl" in (site / "alpha/basics/index.html").read_text()
    assert [e for e in _index(site) if "Porthcawl" in e["text"]]
    assert "Porthcawl" not in (site / "for/police/alpha/index.html").read_text(), "not yet"

    rest = preview.build_rest()
    assert rest.ok and "for/police/alpha.md" in rest.rest and not preview.has_rest()
    assert "Porthcawl" in (site / "for/police/alpha/index.html").read_text()
    assert "complete" in rest.timings


@pytest.mark.slow
def test_a_second_step_stopped_by_a_new_save_is_finished_by_the_next_update(preview):
    site = preview.site_dir
    _edit(preview.root, CHAPTER, OLD, NEW)
    preview.apply_change(rest=False)
    stopped = preview.build_rest(should_stop=lambda: True)
    assert stopped.kind == "none" and preview.has_rest()
    _edit(preview.root, "content/beta/01-only.yaml", "ask about stalking in private", "ask about stalking alone")
    update = preview.apply_change()
    assert update.ok and "beta/only.md" in update.first
    assert "for/police/alpha.md" in update.rest, "the aggregated pages the first save changed are rebuilt too"
    assert "Porthcawl" in (site / "for/police/alpha/index.html").read_text()
    assert not preview.has_rest()


@pytest.mark.slow
def test_a_new_section_title_is_on_the_page_and_in_search(preview, tmp_path):
    site = preview.site_dir
    _edit(preview.root, "content/alpha/02-schools.yaml", "title: In schools", "title: In schools and colleges")
    update = preview.apply_change()
    assert update.ok, report.as_text(update.problems)
    assert "In schools and colleges" in (site / "alpha/schools/index.html").read_text()
    found = [e for e in _index(site) if e["title"] == "2.1 In schools and colleges"]
    assert found and any(tag.startswith("For teachers") for tag in found[0]["tags"]), "the same tags as the built site"
    assert not [e for e in _index(site) if e["title"].startswith("2.1 In schools (")], "the old title is gone"
    # alpha/basics links to the section by its number and title, so it changed too
    assert "In schools and colleges" in (site / "alpha/basics/index.html").read_text()
    assert _tree(site) == _tree(_fresh(preview.root, tmp_path))


@pytest.mark.slow
def test_a_page_the_edited_file_does_not_feed_follows_in_the_second_step(preview):
    site = preview.site_dir
    _edit(preview.root, "content/alpha/02-schools.yaml", "title: In schools", "title: In schools and colleges")
    update = preview.apply_change(rest=False)
    assert update.ok and update.first == ["alpha/schools.md"], (update.first, report.as_text(update.problems))
    assert "In schools and colleges" in (site / "alpha/schools/index.html").read_text()
    assert "In schools and colleges" not in (site / "alpha/basics/index.html").read_text(), "not yet"
    rest = preview.build_rest()
    assert rest.ok and "alpha/basics.md" in rest.rest, rest.rest
    assert rest.rest.index("alpha/basics.md") < rest.rest.index("alpha/print.md"), "pages before print pages"
    assert "In schools and colleges" in (site / "alpha/basics/index.html").read_text()


def _same_as_fresh(preview: Preview, tmp_path: Path, name: str) -> bool:
    (tmp_path / name).mkdir()
    return _tree(preview.site_dir) == _tree(_fresh(preview.root, tmp_path / name))


@pytest.mark.slow
def test_edits_across_files_leave_the_site_a_full_build_makes(preview, tmp_path):
    site = preview.site_dir
    before = _tree(site)
    schools = "content/alpha/02-schools.yaml"
    # A section id renamed: the reference to it in another file breaks, and is shown there.
    _edit(preview.root, schools, "id: for-schools", "id: in-schools")
    update = preview.apply_change()
    assert update.kind == "failed"
    assert any(p.code == "ref.section" and p.pos.file == CHAPTER for p in update.problems), \
        report.as_text(update.problems)
    assert _tree(site) == before, "the last good preview stays"
    # ... and mended in the files that refer to it, in one save.
    _edit(preview.root, CHAPTER, "See [[section:for-schools]]", "See [[section:in-schools]]")
    _edit(preview.root, schools, "Replaced by [[section:for-schools]]", "Replaced by [[section:in-schools]]")
    update = preview.apply_change()
    assert update.ok and update.kind == "incremental", (update.kind, update.reason, report.as_text(update.problems))
    assert 'id="in-schools"' in (site / "alpha/schools/index.html").read_text()
    assert _same_as_fresh(preview, tmp_path, "renamed")

    # A registry: a glossary expansion changes every page that uses the term.
    _edit(preview.root, "content/glossary.yaml", "expansion: stalking protection order",
          "expansion: stalking prevention order")
    update = preview.apply_change()
    assert update.ok and update.kind == "incremental", (update.kind, update.reason, report.as_text(update.problems))
    assert "stalking prevention order" in (site / "alpha/basics/index.html").read_text()
    assert "stalking prevention order" in (site / "glossary/index.html").read_text()
    assert _same_as_fresh(preview, tmp_path, "registry")

    # A section title that another document's page shows (beta refers to alpha's section by number and title).
    _edit(preview.root, CHAPTER, "title: What stalking is", "title: What stalking looks like")
    update = preview.apply_change()
    assert update.ok and "beta/only.md" in update.rest, (update.first, update.rest)
    assert "What stalking looks like" in (site / "beta/only/index.html").read_text()
    assert _same_as_fresh(preview, tmp_path, "retitled")

    # An audience that decides where another document's link goes (the police view links within itself).
    _edit(preview.root, "content/beta/01-only.yaml", "See [[section:alpha/what-it-is]].",
          "See [[section:alpha/what-it-is]] and [[section:alpha/for-police]].")
    assert preview.apply_change().ok
    _edit(preview.root, CHAPTER, "    audiences: [police]\n    status: published\n    sources:",
          "    audiences: [police, healthcare]\n    status: published\n    sources:")
    update = preview.apply_change()
    assert update.ok and "for/healthcare/beta.md" in update.rest, (update.first, update.rest)
    assert _same_as_fresh(preview, tmp_path, "audiences")

    # A file added, then removed.
    added = preview.root / "content/beta/02-more.yaml"
    added.write_text("id: more\ntitle: More\nsections:\n  - id: beta-two\n    title: Another section\n"
                     "    audiences: [police]\n    status: draft\n    blocks:\n      - id: ccc9\n"
                     "        para: Officers in Aberaeron read [[section:alpha/for-police]].\n", encoding="utf-8")
    assert preview.apply_change().ok
    assert "Aberaeron" in (site / "beta/more/index.html").read_text()
    assert _same_as_fresh(preview, tmp_path, "added")
    added.unlink()
    assert preview.apply_change().ok
    assert not (site / "beta/more/index.html").exists()
    assert _same_as_fresh(preview, tmp_path, "removed")

    # An edit and its revert: the site is the one before the edit.
    settled = _tree(site)
    _edit(preview.root, CHAPTER, OLD, NEW)
    assert preview.apply_change().kind == "incremental"
    assert "Porthcawl" in (site / "alpha/basics/index.html").read_text()
    _edit(preview.root, CHAPTER, NEW, OLD)
    update = preview.apply_change()
    assert update.kind == "incremental" and update.first == ["alpha/basics.md"], (update.kind, update.first)
    assert _tree(site) == settled


@pytest.mark.slow
def test_a_new_chapter_changes_the_navigation_and_takes_the_full_path(preview, tmp_path):
    site = preview.site_dir
    (preview.root / "content/alpha/03-courts.yaml").write_text(
        "id: courts\ntitle: Courts\nsections:\n  - id: in-court\n    title: In court\n    audiences: [all]\n"
        "    status: draft\n    blocks:\n      - id: ddd1\n"
        "        para: Judges hear applications for orders in Llandudno.\n",
        encoding="utf-8")
    update = preview.apply_change()
    assert update.kind == "full", (update.kind, report.as_text(update.problems))
    assert update.reason in ("pages were added or removed", "the navigation changed")
    assert "Llandudno" in (site / "alpha/courts/index.html").read_text()
    assert 'href="../courts/"' in (site / "alpha/schools/index.html").read_text(), "the navigation has it"
    assert [e for e in _index(site) if "Llandudno" in e["text"]]
    assert _tree(site) == _tree(_fresh(preview.root, tmp_path))

    _edit(preview.root, CHAPTER, OLD, NEW)  # and the next edit is incremental again
    assert preview.apply_change().kind == "incremental"


def _nav_says(page: Path, text: str) -> bool:
    return bool(re.search(r'<a href="[./]*(?:alpha/)?basics/" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*'
                          + re.escape(text), page.read_text()))


@pytest.mark.slow
def test_a_chapter_title_change_gives_every_page_the_new_navigation_without_a_full_build(preview, tmp_path):
    site = preview.site_dir
    shown = [p for p in site.rglob("*.html") if _nav_says(p, "1. Basics")]
    assert len(shown) >= 3, shown  # the document's landing page and its chapters (the navigation is pruned)
    unchanged = site / UNCHANGED  # beta's chapter: its navigation shows alpha by its document title only
    os.utime(unchanged, ns=(10**18, 10**18))
    _edit(preview.root, CHAPTER, "title: Basics", "title: The basics")
    update = preview.apply_change(rest=False)
    assert update.ok and update.kind == "incremental", (update.kind, update.reason, report.as_text(update.problems))
    assert "alpha/basics.md" in update.first and preview.has_rest()
    assert "The basics" in (site / "alpha/basics/index.html").read_text()
    assert [e for e in _index(site) if e["title"] == "1. The basics"], "the search index has the new title"
    assert _nav_says(site / "alpha/schools/index.html", "1. Basics"), "not yet: this page waits"

    assert preview.refresh("/alpha/schools/"), "a page asked for meanwhile is rebuilt before it is served"
    assert _nav_says(site / "alpha/schools/index.html", "1. The basics")

    rest = preview.build_rest()
    assert rest.ok and rest.relinked and not preview.has_rest() and "complete" in rest.timings
    assert all(_nav_says(p, "1. The basics") and not _nav_says(p, "1. Basics") for p in shown), \
        "every page that showed the chapter in its navigation shows its new title"
    assert unchanged.stat().st_mtime_ns == 10**18, "a page whose navigation looks the same is not rewritten"
    assert _tree(site) == _tree(_fresh(preview.root, tmp_path)), "the same site as a full build"


@pytest.mark.slow
def test_without_a_pruned_navigation_every_page_shows_the_new_chapter_title(project, tmp_path):
    _edit(project, "mkdocs.yml", "    - navigation.prune", "    - navigation.footer")  # every page: all of it
    preview = Preview(project)
    try:
        assert preview.start().ok
        assert _nav_says(preview.site_dir / UNCHANGED, "1. Basics"), "beta's page lists alpha's chapters"
        _edit(project, CHAPTER, "title: Basics", "title: The basics")
        update = preview.apply_change()
        assert update.ok and update.kind == "incremental", (update.kind, update.reason)
        assert _nav_says(preview.site_dir / UNCHANGED, "1. The basics")
        assert _tree(preview.site_dir) == _tree(_fresh(project, tmp_path)), "the same site as a full build"
    finally:
        preview.close()


@pytest.mark.slow
def test_a_page_asked_for_before_its_turn_is_served_with_the_new_navigation(preview):
    """Through the real server, between the first step of a navigation change and build_rest(): the page on
    disk still has the old chapter title, the page served has the new one (and is written so)."""
    from builder.preview.server import make_server

    server = make_server(preview.site_dir, 0)
    server.listen()
    preview.publish, server.refresh = server.writing, preview.refresh  # as guidance serve connects them
    server.start()
    try:
        on_disk = preview.site_dir / "alpha/schools/index.html"
        _edit(preview.root, CHAPTER, "title: Basics", "title: The basics")
        update = preview.apply_change(rest=False)
        assert update.ok and update.kind == "incremental" and preview.has_rest(), (update.kind, update.reason)
        assert _nav_says(on_disk, "1. Basics"), "build_rest() has not reached it"
        page = urllib.request.urlopen(server.url + "alpha/schools/", timeout=30).read().decode()
        assert re.search(r'class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*1. The basics', page)
        assert not re.search(r'<span class="md-ellipsis">\s*1. Basics\b', page)
        assert _nav_says(on_disk, "1. The basics")
        assert "Basics" not in urllib.request.urlopen(server.url + "alpha/basics/", timeout=30).read().decode()
    finally:
        server.stop()
        server.server_close()


def _block_write(page: Path) -> None:
    """Make the next write of a built page fail, as a full disk would: something in the way of the temporary file
    it is written to (builder/preview/incremental.py's _write_if_changed) before it replaces the page."""
    (page.parent / f".{page.name}.tmp-{os.getpid()}").mkdir()


@pytest.mark.slow
def test_a_page_that_cannot_be_given_the_new_navigation_stays_as_it_was_and_the_next_update_is_full(preview):
    site = preview.site_dir
    schools = site / "alpha/schools/index.html"
    old = schools.read_bytes()
    _edit(preview.root, CHAPTER, "title: Basics", "title: The basics")
    assert preview.apply_change(rest=False).kind == "incremental"
    _block_write(schools)
    assert not preview.refresh("/alpha/schools/"), "refused"
    assert schools.read_bytes() == old, "the page stays as it was"
    assert not preview.has_rest() and preview.build_rest().kind == "none", "nothing more is done piecemeal"

    shutil.rmtree(schools.parent / f".{schools.name}.tmp-{os.getpid()}")
    update = preview.apply_change()
    assert update.kind == "full" and update.reason == "the last update did not finish", update.reason
    assert _nav_says(schools, "1. The basics")


@pytest.mark.slow
def test_a_navigation_change_that_fails_in_its_first_step_leaves_every_page_as_it_was(preview, tmp_path):
    site = preview.site_dir
    before = _tree(site)
    _block_write(site / "alpha/basics/index.html")
    _edit(preview.root, CHAPTER, "title: Basics", "title: The basics")
    update = preview.apply_change()
    assert update.kind == "failed" and "build.mkdocs" in report.as_text(update.problems)
    assert {k: v for k, v in _tree(site).items() if ".tmp-" not in k} == before, "the last good preview stays"
    assert not preview.has_rest()

    shutil.rmtree(site / "alpha/basics" / f".index.html.tmp-{os.getpid()}")
    update = preview.apply_change()
    assert update.kind == "full" and update.reason == "the last update did not finish", update.reason
    assert _tree(site) == _tree(_fresh(preview.root, tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("field", ["short_title", "title"])  # in the navigation; in the landing page's front matter
def test_a_document_title_change_follows_to_the_print_pages_and_role_views(preview, tmp_path, field):
    text = (preview.root / "content/alpha/document.yaml").read_text()
    line = re.search(rf"^{field}: (.+)$", text, re.M)
    assert line, text
    _edit(preview.root, "content/alpha/document.yaml", line.group(0), f"{field}: Alpha renamed")
    update = preview.apply_change()
    assert update.ok and update.kind == "incremental", (update.kind, update.reason, report.as_text(update.problems))
    assert not preview.has_rest()
    if field == "title":
        assert "alpha/index.md" in update.first
        assert 'title: "Alpha renamed"' in (preview.build_dir / "docs/alpha/index.md").read_text(), "front matter"
    assert "Alpha renamed" in (preview.site_dir / "for/police/alpha/index.html").read_text()
    assert _tree(preview.site_dir) == _tree(_fresh(preview.root, tmp_path)), "the same site as a full build"


@pytest.mark.slow
def test_an_invalid_edit_keeps_the_last_good_preview_and_says_why(preview):
    site = preview.site_dir
    before = _tree(site)
    _edit(preview.root, CHAPTER, OLD, "para: Stalking is a crime under [[term:NOSUCH]] and")
    update = preview.apply_change()
    assert update.kind == "failed" and not update.ok
    text = report.as_text(update.problems)
    assert re.search(r"content/alpha/01-basics\.yaml:\d+:\d+: error \[[\w.-]+\]", text), text
    assert "NOSUCH" in text
    assert _tree(site) == before, "the last good preview stays"

    _edit(preview.root, CHAPTER, "[[term:NOSUCH]] and", "the Porthcawl rules and")  # fixed: back to normal
    update = preview.apply_change()
    assert update.kind == "incremental", (update.reason, report.as_text(update.problems))
    assert "Porthcawl" in (site / "alpha/basics/index.html").read_text()


@pytest.mark.slow
def test_broken_yaml_keeps_the_last_good_preview(preview):
    site = preview.site_dir
    before = _tree(site)
    (preview.root / CHAPTER).write_text("id: basics\ntitle: [unclosed\n", encoding="utf-8")
    update = preview.apply_change()
    assert update.kind == "failed" and "01-basics.yaml" in report.as_text(update.problems)
    assert _tree(site) == before


@pytest.mark.slow
def test_a_change_to_mkdocs_yml_takes_the_full_path(preview):
    config = preview.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_name: Statutory guidance on stalking",
                                                 "site_name: Stalking guidance preview"))
    update = preview.apply_change()
    assert update.kind == "full" and update.reason == "mkdocs.yml or the theme changed"
    assert "Stalking guidance preview" in (preview.site_dir / UNCHANGED).read_text()


@pytest.mark.slow
def test_guidance_serve_reloads_the_browser_on_save(served):
    """The real server on 127.0.0.1 (any free port): a page, its live-reload poll, a save, the new page."""
    project, base, lines = served
    assert base.startswith("http://127.0.0.1:")
    page = urllib.request.urlopen(base + "alpha/basics/", timeout=10).read().decode()
    epoch = re.search(r"livereload\((\d+), (\d+)\)", page)
    assert epoch, "pages carry the live-reload script"

    _edit(project, CHAPTER, OLD, NEW)
    answer = urllib.request.urlopen(f"{base}livereload/{epoch[1]}/{epoch[2]}", timeout=60).read()
    assert int(answer) > int(epoch[1]), "the browser is told to reload"
    assert "Porthcawl" in urllib.request.urlopen(base + "alpha/basics/", timeout=10).read().decode()
    # the terminal's one line for the save comes once the other pages (print, audience views) are built too
    _wait_for(lambda: any(line.startswith("preview updated in") for line in lines), threading.Event(),
              "the terminal's line for the save")

    _edit(project, CHAPTER, "serious crime", "serious crime [[term:NOSUCH]]")
    _wait_for(lambda: any("NOSUCH" in line for line in lines), threading.Event(), "the terminal lists the problem")
    assert any(re.search(r"01-basics\.yaml:\d+:\d+: error", line) for line in lines), lines
    assert "Porthcawl" in urllib.request.urlopen(base + "alpha/basics/", timeout=10).read().decode()


@pytest.mark.slow
def test_guidance_serve_on_content_with_problems_lists_them_until_it_can_build(project):
    """Started on content it cannot preview, serve lists the problems on every page it is asked for, and builds the
    preview (the pages reload to it) as soon as they are fixed."""
    from builder.preview.server import serve

    _edit(project, CHAPTER, OLD, "para: Stalking is a crime under [[term:NOSUCH]] and")
    lines, ready, stop = [], threading.Event(), threading.Event()
    url = {}

    def on_ready(address):
        url["base"] = address
        ready.set()

    def get(path):
        return urllib.request.urlopen(url["base"] + path, timeout=10).read().decode()

    thread = threading.Thread(target=serve, args=(project, 0), daemon=True,
                              kwargs=dict(echo=lines.append, stop=stop, on_ready=on_ready))
    thread.start()
    try:
        assert ready.wait(60), lines
        assert re.search(r"01-basics\.yaml:\d+:\d+: error", "\n".join(lines))
        assert "The preview is built as soon as these problems are fixed" in lines[-1]
        for path in ("", "alpha/basics/", "beta/only/index.html"):
            page = get(path)
            assert "The preview is not built yet" in page and 'id="guidance-problems"' in page, path
            assert "1 error: the preview is built when it is fixed" in page
            assert re.search(r"content/alpha/01-basics\.yaml:\d+:\d+</code> error \[ref\.term\]", page)
            assert re.search(r"livereload\((\d+), (\d+)\)", page), "the page reloads when the preview is built"

        _edit(project, CHAPTER, "[[term:NOSUCH]] and", "the Porthcawl rules and")
        _wait_for(lambda: any(text.startswith("Problems fixed") for text in lines), stop, "the terminal says so")
        page = get("alpha/basics/")
        assert "Porthcawl" in page and "not built yet" not in page and 'id="guidance-problems"' not in page
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


@pytest.mark.slow
def test_guidance_serve_shows_a_new_chapter_title_on_every_page_it_serves(served):
    """Through the real server: once the terminal says the preview is updated, every page served, the open one
    and the others, has the new title in its navigation, whether or not the watcher has rewritten it yet."""
    project, base, lines = served
    page = urllib.request.urlopen(base + "alpha/schools/", timeout=10).read().decode()
    epoch = re.search(r"livereload\((\d+), (\d+)\)", page)
    _edit(project, CHAPTER, "title: Basics", "title: The basics")
    request = urllib.request.Request(f"{base}livereload/{epoch[1]}/{epoch[2]}",
                                     headers={"Referer": base + "alpha/schools/"})  # as the open page polls
    assert int(urllib.request.urlopen(request, timeout=60).read()) > int(epoch[1]), "the browser reloads"
    _wait_for(lambda: any(line.startswith("preview updated in") for line in lines), threading.Event(), "the update")
    assert not any("rebuilt in full" in line for line in lines[1:]), lines
    for path in ["alpha/schools/", "alpha/", "alpha/basics/"]:
        served_page = urllib.request.urlopen(base + path, timeout=30).read().decode()
        assert re.search(r'class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*1. The basics', served_page), path
        assert not re.search(r'<span class="md-ellipsis">\s*1. Basics\b', served_page), path


def test_guidance_serve_says_when_the_port_is_taken(project):
    import socket

    from builder.preview.server import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        lines = []
        assert serve(project, taken.getsockname()[1], echo=lines.append) == 2
    assert "choose one with --port" in lines[0]
    assert not list(project.glob("build/serve-*")), "nothing is built when it cannot be served"


def _wait_for(condition, stop: threading.Event, what: str, seconds: float = 60) -> None:
    """Wait until condition() holds (checked every 50 ms), or fail saying what did not happen."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        stop.wait(0.05)


@pytest.mark.slow
def test_the_browser_shows_problems_on_every_page_until_they_are_fixed(project):
    """The problem panel: on every served page while a save has errors, with file:line:col, escaped; gone when
    they are fixed, and the terminal says so."""
    from builder.preview.server import serve

    lines, ready, stop = [], threading.Event(), threading.Event()
    url = {}

    def on_ready(address):
        url["base"] = address
        ready.set()

    def get(path):
        return urllib.request.urlopen(url["base"] + path, timeout=10).read().decode()

    thread = threading.Thread(target=serve, args=(project, 0), daemon=True,
                              kwargs=dict(echo=lines.append, stop=stop, on_ready=on_ready))
    thread.start()
    try:
        assert ready.wait(60), lines
        page = get("alpha/basics/")
        assert 'id="guidance-problems"' not in page, "no panel while the content is clean"
        epoch = re.search(r"livereload\((\d+), (\d+)\)", page)

        _edit(project, CHAPTER, OLD, "para: Stalking is a crime under [[term:NO<i>SUCH]] and")
        answer = urllib.request.urlopen(f"{url['base']}livereload/{epoch[1]}/{epoch[2]}", timeout=60).read()
        assert int(answer) > int(epoch[1]), "open pages are told to reload, to show the problems"
        _wait_for(lambda: 'id="guidance-problems"' in get("alpha/basics/"), stop, "the panel appears")
        line = next(n + 1 for n, text in enumerate((project / CHAPTER).read_text().splitlines()) if "NO<i>" in text)
        for path in ("alpha/basics/", "beta/only/", "glossary/"):
            panel = get(path).split('id="guidance-problems"', 1)[1].split("</details>", 1)[0]
            assert f"content/alpha/01-basics.yaml:{line}:" in panel, path
            assert "[ref.term] glossary term &#39;NO&lt;i&gt;SUCH&#39; is not defined" in panel, "escaped"
            assert "<i>" not in panel
            assert "this preview shows the last good version" in panel
        assert "Stalking is a crime under" in get("alpha/basics/"), "the last good page stays under the panel"

        _edit(project, CHAPTER, "[[term:NO<i>SUCH]] and", "the Porthcawl rules and")
        _wait_for(lambda: any(text.startswith("Problems fixed") for text in lines), stop, "the terminal says so")
        page = get("alpha/basics/")
        assert "Porthcawl" in page and 'id="guidance-problems"' not in page, "the panel is gone when fixed"
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert not list(project.glob("build/serve-*")), "serve removes its build folder when it stops"


@pytest.mark.slow
def test_two_previews_of_one_checkout_keep_their_own_build(project):
    first, second = Preview(project), Preview(project)
    try:
        assert first.start().ok and second.start().ok
        assert first.site_dir != second.site_dir and not first.site_dir.is_relative_to(second.build_dir)
        before = _tree(second.site_dir)
        _edit(project, CHAPTER, OLD, NEW)
        assert first.apply_change().ok
        assert "Porthcawl" in (first.site_dir / "alpha/basics/index.html").read_text()
        assert _tree(second.site_dir) == before, "the other preview's files are its own"
        assert second.apply_change().ok
        assert "Porthcawl" in (second.site_dir / "alpha/basics/index.html").read_text()
    finally:
        first.close()
        second.close()
    stale = project / "build/serve-999999999-dead00"  # a preview that was killed: no such process
    stale.mkdir()
    first.discard()
    assert not first.build_dir.exists() and second.site_dir.is_dir(), "discard removes only its own folder"
    assert not stale.exists(), "and those of previews no longer running"


@pytest.mark.slow
def test_the_preview_search_reads_the_same_fields_as_the_built_site(preview):
    """Roles for the search's role filter, and no withdrawal notice among the results, as in guidance build."""
    entries = {e["location"]: e for e in _index(preview.site_dir)}
    assert entries["alpha/basics/#for-police"]["roles"] == ["police"]
    assert not any(location.endswith("#old-advice") for location in entries), "a withdrawal notice is no answer"
    config = yaml.safe_load((preview.build_dir / f"{CONFIG_NAME}.yml").read_text())
    assert [r["id"] for r in config["extra"]["roles"]] == ["police", "teachers", "healthcare"]


# --- a preview only the editor can read -------------------------------------------------------------------------------

def _ask(base: str, path: str, host: str | None = None) -> tuple[int, str]:
    """(status, body) of GET path, sent with the Host header given (None: the one the address names)."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.slow
def test_guidance_serve_answers_only_its_own_address_and_refuses_bad_paths(served):
    project, base, _ = served
    port = base.rsplit(":", 1)[1].strip("/")
    status, page = _ask(base, "/alpha/basics/")
    assert status == 200 and "Zebra quartz marmalade" in page, "drafts are there for the editor"
    for host in (f"localhost:{port}", f"LOCALHOST:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert _ask(base, "/alpha/basics/", host)[0] == 200, host
    for host in ("attacker.example", f"attacker.example:{port}", f"127.0.0.1:{port}.attacker.example",
                 f"localhost:{int(port) + 1}", "localhost", ""):
        status, body = _ask(base, "/alpha/basics/", host)
        assert status == 403 and "Zebra" not in body, (host, status)
    for path in ("/%00/index.html", "/alpha/%00", "/%ff%fe/", "/%0d%0aSet-Cookie:x/"):
        status, body = _ask(base, path)
        assert status == 400 and "Traceback" not in body, (path, status, body)


@pytest.mark.slow
def test_guidance_serve_holds_a_bounded_number_of_connections(served):
    import socket
    from urllib.parse import urlsplit

    from builder.preview.server import MAX_CONNECTIONS

    project, base, _ = served
    address = urlsplit(base)
    page = urllib.request.urlopen(base + "alpha/basics/", timeout=10).read().decode()
    epoch = re.search(r"livereload\((\d+), (\d+)\)", page)
    before = threading.active_count()
    held, busy = [], 0
    try:
        for _ in range(MAX_CONNECTIONS + 40):  # long-polls, each held open by the server for up to a minute
            sock = socket.create_connection((address.hostname, address.port), timeout=30)
            sock.sendall(f"GET /livereload/{epoch[1]}/{epoch[2]} HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
            held.append(sock)
        for sock in held[MAX_CONNECTIONS:]:  # answered at once, without a thread of their own
            answer = sock.recv(200)
            busy += answer.startswith(b"HTTP/1.1 503")
        assert busy == 40, busy
        assert threading.active_count() - before <= MAX_CONNECTIONS, "no thread beyond the bound"
    finally:
        for sock in held:
            sock.close()
    _edit(project, CHAPTER, OLD, NEW)  # a save answers the held long-polls, which frees their places
    _wait_for(lambda: _ask(base, "/alpha/basics/")[0] == 200, threading.Event(), "served again once they closed")
