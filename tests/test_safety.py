"""Publishing safety: nothing unpublished gets out (canaries in every built file), markup that slips past
validation is sanitised, a refused build leaves the old site byte for byte, and concurrent builds queue."""
import fcntl
import gzip
import hashlib
import html
import json
import shutil
import threading
from pathlib import Path

import pytest

from builder import pipeline
from builder.render.pages import Options, render
from builder.site import build as site_module
from builder.site import leaks, sanitise
from builder.site.build import build_site, write_docs
from builder.site.engines import run_mkdocs, write_config
from tests.conftest import in_fresh_process

REPO = Path(__file__).resolve().parent.parent

# One distinct word per status and block kind: any of them in a public file is a leak.
CANARY_CHAPTER = """\
id: canary
title: Canary chapter
sections:
  - id: canary-published
    title: Published neighbour
    audiences: [all]
    status: published
    blocks:
      - id: cny1
        para: This section is published so that the chapter has a public page.
{sections}"""
SECTION = """\
  - id: canary-{status}
    title: {title}
    audiences: [police]
    status: {status}
{extra}    blocks:
      - id: {p}a
        para: Officers should note the {status}canarypara before anything else happens.
      - id: {p}b
        list:
          intro: "Check the {status}canaryintro:"
          items:
            - the {status}canaryitem in the list
      - id: {p}c
        table:
          caption: Canary table
          header: [Column, Value]
          rows:
            - [Cell, "{status}canarycell"]
      - id: {p}d
        callout:
          kind: warning
          text: Beware of the {status}canarycallout today.
        notes:
          police: Officers should log the {status}canarynote in the record.
"""
STATUSES = {"draft": "cnd", "ready": "cnr", "withdrawn": "cnw"}
KINDS = ("para", "intro", "item", "cell", "callout", "note")


def _canary_project(project: Path) -> Path:
    sections = "".join(SECTION.format(
        status=s, p=p, title=f"The {s}canarytitle section" if s != "withdrawn" else "Withdrawn canary section",
        extra="    withdrawn:\n      date: 2026-10-01\n      reason: Replaced by newer advice.\n" if s == "withdrawn"
        else "    review_by: 2099-01-01\n" if s == "ready" else "")  # a ready section needs one (review.missing)
        for s, p in STATUSES.items())
    (project / "content/alpha/03-canary.yaml").write_text(CANARY_CHAPTER.format(sections=sections), encoding="utf-8")
    return project


def _canaries() -> list[str]:
    words = [f"{s}canary{k}" for s in STATUSES for k in KINDS]
    return words + ["draftcanarytitle", "readycanarytitle"]


def _readable(path: Path) -> str:
    """A built file as text, the way someone hunting for a leak would read it: unzipped, JSON decoded,
    entities decoded, lower case."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8", "replace")
    if ".json" in path.name:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text).lower()


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_canaries_in_draft_ready_and_withdrawn_sections_reach_no_public_file(project):
    _canary_project(project)
    checked, result = pipeline.build(project)
    assert checked.problems == [] and result.ok, result.problems
    site = project / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    assert {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"} <= {p.relative_to(site).as_posix() for p in files}
    found = {(p.relative_to(site).as_posix(), word) for p in files for word in _canaries() if word in _readable(p)}
    assert found == set()
    notice = (site / "alpha/canary/index.html").read_text()
    assert "Withdrawn canary section" in notice and "Replaced by newer advice" in notice, "the notice is public"

    checked, preview = pipeline.build(project, preview=True)
    everything = "\n".join(_readable(p) for p in (project / "site-preview").rglob("*") if p.is_file())
    drafts = [w for w in _canaries() if not w.startswith("withdrawn")]
    assert [w for w in drafts if w not in everything] == [], "the preview shows every draft and ready canary"


@pytest.fixture
def built(project):
    checked, result = pipeline.build(project)
    assert checked.problems == [] and result.ok, result.problems
    return project


def _public_site(project):
    return render(pipeline.check(project).content, Options())


@pytest.mark.slow
def test_a_render_fault_that_leaks_a_draft_stops_the_build_and_keeps_the_old_site(built):
    before = _tree(built / "site")
    site = _public_site(built)
    draft = "Zebra quartz marmalade canary notebook lantern velvet harbour"
    # a faulty template writes the draft's text, entity-encoded and in capitals, into a public page
    site.pages["alpha/basics.md"] += "\n" + "".join(f"&#{ord(c)};" for c in draft.upper()) + "\n"
    result = build_site(built, site, built / "site", preview=False)
    assert [p.code for p in result.problems] == ["build.draft-leak"] * len(result.problems) and result.problems
    assert "alpha/basics/index.html" in result.problems[0].message
    assert _tree(built / "site") == before
    assert not list(built.glob("site.tmp-*")) and not list(built.glob("site.old-*"))


@pytest.mark.slow
@pytest.mark.parametrize("where", ["sitemap.xml.gz", "search/search_index.json", "404.html", "index.html"])
def test_the_leak_check_reads_every_kind_of_built_file(built, where):
    site, rendered = built / "site", _public_site(built)
    assert leaks.leaks(site, rendered.hidden_text, rendered.public_text) == []
    path = site / where
    planted = "Zebra Quartz MARMALADE canary notebook lantern"
    if where.endswith(".gz"):
        path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()) + f"<!-- {planted} -->".encode()))
    elif where.endswith(".json"):
        index = json.loads(path.read_text())
        index["docs"][0]["text"] += " " + planted.replace("canary", "c\u0061nary")
        path.write_text(json.dumps(index, ensure_ascii=True))
    elif where == "404.html":
        path.write_text(path.read_text() + planted.replace(" ", " <em>\n</em>"))
    else:
        path.write_text(path.read_text().replace("<html", f'<html data-note="{planted}"', 1))
    assert leaks.leaks(site, rendered.hidden_text, rendered.public_text) == \
        [f"{where}: 'zebra quartz marmalade canary notebook lantern…'"]


def test_short_passages_are_probed_whole_and_published_words_are_not_probed():
    hidden = ["Two words", "Stalking is a crime", "Plans for the draft section",
              "Officers should record [[term:SPO]] breaches with the date, time and place of each."]
    public = ["Stalking is a crime under the Act.", "Officers should record breaches"]
    assert leaks.probes(hidden, public) == {
        5: {("plans", "for", "the", "draft", "section")},
        6: {("breaches", "with", "the", "date", "time", "and"), ("with", "the", "date", "time", "and", "place"),
            ("the", "date", "time", "and", "place", "of"), ("date", "time", "and", "place", "of", "each")},
    }


@pytest.mark.slow
def test_sanitiser_leaves_normal_pages_byte_for_byte(built):
    for page in (built / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert sanitise.clean_page(text) == (text, []), page


@pytest.mark.slow
def test_the_real_guidance_builds_with_nothing_for_the_sanitiser_to_remove(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    checked, result = pipeline.build(tmp_path)
    assert result is not None and result.ok
    assert [p for p in result.problems if p.code.startswith("build.")] == []


PAYLOADS = [
    '<script>alert("script")</script>',
    '<img src="x" onerror="alert(5)">',
    '<a href="javascript:alert(1)">js link</a>',
    '[md link](javascript:alert(2))',
    '*emphasis*{: onclick=alert(3) }',
    '<div markdown onmouseover=alert(4)>hover</div>',
    '<iframe src="https://example.org"></iframe>',
    '<p style="background:url(https://example.org/x.png)" data-md-component="outdated">styled</p>',
]


@pytest.mark.slow
def test_markup_that_slips_past_validation_is_removed_with_a_warning(built):
    site = _public_site(built)
    site.pages["alpha/basics.md"] += "\n\n" + "\n\n".join(PAYLOADS) + "\n"
    result = build_site(built, site, built / "site", preview=False)
    assert result.ok
    warnings = [p for p in result.problems if p.code == "build.sanitised"]
    assert [p.pos.file for p in warnings] == ["site/alpha/basics/index.html"]
    for removed in ("<script>", "<iframe>", "onerror= on <img>", "onclick= on <em>", "onmouseover= on <div>",
                    "href= on <a>", "style= on <p>", "data-md-component= on <p>"):
        assert removed in warnings[0].message
    page = (built / "site/alpha/basics/index.html").read_text()
    article = page[page.index(sanitise.ARTICLE):page.rindex("</article>")]
    for bad in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<iframe", "style=", "data-md-"):
        assert bad not in article
    assert "1.1 What stalking is" in article and "js link" in article and "hover" in article, "the text stays"


def _faulty_build(project, leak: bool):
    """A public build whose render let markup through on one page and, if leak, a draft's words onto another."""
    site = _public_site(project)
    site.pages["alpha/basics.md"] += "\n\n" + "\n\n".join(PAYLOADS) + "\n"
    if leak:
        site.pages[other_page(project, md=True)] += "\nZebra quartz marmalade canary notebook lantern velvet harbour\n"
        site.hidden_text.append("Zebra quartz marmalade canary notebook lantern velvet harbour")
    result = build_site(project, site, project / "site", preview=False)
    return [(p.code, p.pos.file, p.message) for p in result.problems], _tree(project / "site")


def other_page(project, md: bool = False) -> str:
    """A page but alpha/basics: its Markdown (md) or the page built from it."""
    rel = next(rel for rel in sorted(_public_site(project).pages)
               if rel.endswith(".md") and not rel.endswith("index.md") and rel != "alpha/basics.md")
    return rel if md else rel.removesuffix(".md") + "/index.html"


def checked_builds(project: str, workers: str) -> dict:
    """In a fresh process: the two faulty builds with the page checker's worker (workers "1") or without it ("0":
    every check after the build, in the process); and, per build, how many pages went to the worker (None:
    there was none)."""
    from builder.site import checker

    checker.WORKERS = int(workers)
    seen = []
    real_finish = checker.PageChecker.finish
    checker.PageChecker.finish = lambda self: seen.append(self.pool and len(self.pages)) or real_finish(self)
    return {"builds": [_faulty_build(Path(project), leak=False), _faulty_build(Path(project), leak=True)],
            "pages sent": seen}


@pytest.mark.slow
def test_pages_checked_while_mkdocs_builds_give_what_checks_after_the_build_give(built):
    """MkDocs hands each page to a worker process that sanitises it and looks for drafts (site/checker.py); without
    the worker the same checks run after the build, in the process: the problems and the site are the same."""
    concurrent = in_fresh_process(checked_builds, built, 1)
    assert all(sent and sent >= 5 for sent in concurrent["pages sent"]), "pages went to the worker"
    after = in_fresh_process(checked_builds, built, 0)
    assert after["pages sent"] == [None, None], "no worker"
    assert after["builds"] == concurrent["builds"]
    problems, _ = concurrent["builds"][1]
    assert [code for code, *_ in problems] == ["build.sanitised"] + ["build.draft-leak"] * 3
    # the search's vocabulary (search/vocabulary.json, the index's words) shows what the index shows
    assert [message.split(": ")[1] for *_, message in problems[1:]] == [other_page(built), "search/search_index.json",
                                                                         "search/vocabulary.json"]


@pytest.mark.slow
def test_markup_in_titles_around_the_content_refuses_the_build(built):
    before = _tree(built / "site")
    site = _public_site(built)
    site.nav[1] = {"Alpha <script>alert(1)</script>": next(iter(site.nav[1].values()))}
    result = build_site(built, site, built / "site", preview=False)
    assert not result.ok
    assert {p.code for p in result.problems} == {"build.unsafe-html"}
    assert "an inline script that is not the theme's own" in result.problems[0].message
    assert _tree(built / "site") == before


@pytest.mark.slow
def test_public_build_excludes_any_page_it_did_not_render(project, tmp_path):
    site = _public_site(project)
    build_dir, docs = project / "build", project / "build/docs"
    write_docs(site, docs)
    (docs / "alpha/leftover-draft.md").write_text("# Left over\n\nZebra quartz marmalade canary draft.\n")
    config = write_config(project, build_dir, "mkdocs", docs, tmp_path / "out", site.nav,
                          exclude=sanitise.only_pages(site.pages))
    assert run_mkdocs(config, tmp_path / "out") == []
    assert (tmp_path / "out/alpha/basics/index.html").is_file()
    assert not (tmp_path / "out/alpha/leftover-draft").exists()
    assert "canary" not in (tmp_path / "out/search/search_index.json").read_text().lower()


def test_file_inclusion_stays_off():
    text = (REPO / "mkdocs.yml").read_text()
    assert "pymdownx.snippets" not in text and "snippets" not in text


@pytest.mark.slow
def test_two_builds_at_once_take_turns_and_leave_the_site_one_build_makes(project, tmp_path, monkeypatch):
    """Two builds of one checkout at once (two editors, or a preview and `make site`): the second waits while the
    first writes build/ and site/, and both leave the site a lone build makes. The first build holds on inside
    until the second has asked for the lock (or, were there no lock, has come in beside it), so the builds really
    overlap; without the lock the second is seen inside with the first."""
    state = threading.Condition()
    inside: list[str] = []  # builds between starting to write build/ and letting go of the lock
    entered: list[tuple[str, list[str]]] = []  # each build as it starts writing, with the builds inside then
    asked: set[str] = set()
    real_flock, real_write_docs = fcntl.flock, site_module.write_docs

    def flock(handle, operation):
        name = threading.current_thread().name
        with state:
            if operation == fcntl.LOCK_EX:
                asked.add(name)
            elif operation == fcntl.LOCK_UN and name in inside:
                inside.remove(name)  # before the lock is let go: the other may come in at once
            state.notify_all()
        return real_flock(handle, operation)

    def write_docs(site, docs_dir):
        name = threading.current_thread().name
        with state:
            entered.append((name, list(inside)))
            inside.append(name)
            state.notify_all()
            if len(entered) == 1:
                at_the_door = state.wait_for(lambda: asked - {name} or len(inside) > 1, timeout=120)
                assert at_the_door, "the second build neither asked for the lock nor came in"
        return real_write_docs(site, docs_dir)

    monkeypatch.setattr(fcntl, "flock", flock)
    monkeypatch.setattr(site_module, "write_docs", write_docs)
    results: dict[str, object] = {}

    def build():
        try:
            results[threading.current_thread().name] = pipeline.build(project)[1]
        except BaseException as err:  # noqa: BLE001 - reported by the test below
            results[threading.current_thread().name] = err

    threads = [threading.Thread(target=build, name=f"build-{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [getattr(results.get(t.name), "ok", results.get(t.name)) for t in threads] == [True, True], results
    assert [others for _, others in entered] == [[], []], "a build started writing while the other was inside"
    monkeypatch.undo()
    reference = tmp_path / "reference"
    reference.mkdir()
    shutil.copytree(project / "content", reference / "content")
    shutil.copy(project / "mkdocs.yml", reference / "mkdocs.yml")
    assert pipeline.build(reference)[1].ok
    assert _tree(project / "site") == _tree(reference / "site")
    assert sorted(p.name for p in project.iterdir()) == ["build", "content", "mkdocs.yml", "site"]
