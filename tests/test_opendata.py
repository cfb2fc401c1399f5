"""Open data (issue 30), on real builds of a real git history: every edition's JSON checked by check-jsonschema
against the schema the site publishes and matched, paragraph for paragraph, with the pages; the Atom feeds read by
feedparser; no draft in either; and an archived edition's JSON unchanged, byte for byte, by a later edition."""
from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.cli import main
from builder.content.model import Pos
from builder.site import opendata as site_opendata
from conftest import require
from gitrepo import GitProject, env

feedparser = require("feedparser", "pip install -e '.[test]'")
require("check_jsonschema", "pip install -e '.[test]'")

BASICS = "content/alpha/01-basics.yaml"
SCHOOLS = "content/alpha/02-schools.yaml"
DRAFT_WORDS = "zebra quartz marmalade canary"
BASE = "https://guidance.example/"


def publish(project: GitProject, version: str, note: str, day: str) -> None:
    result = CliRunner(env=env(day)).invoke(main, ["publish", "alpha", "--version", version, "--note", note,
                                                   "--date", day, "--yes", "--root", str(project.root)],
                                            catch_exceptions=False)
    assert result.exit_code == 0, result.output


def build(project: GitProject, out: Path) -> Path:
    checked, result = pipeline.build(project.root, out_dir=out)
    assert checked.problems == [] and result is not None and result.ok, (checked.problems, result and result.problems)
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """alpha 1.0 (the first commit), 1.1 (a paragraph reworded) and then 1.2 (another reworded), each published
    with `guidance publish` and built; the draft section stays a draft throughout. Yields the site built after
    1.1 and the one built after 1.2."""
    folder = tmp_path_factory.mktemp("opendata")
    project = GitProject(folder / "repo", "2026-11-01")
    try:
        project.replace(BASICS, "Courts can make", "Courts may make")
        project.commit("Reword what stalking is", "2026-12-05")
        publish(project, "1.1", "What stalking is, reworded.", "2027-01-10")
        first = build(project, folder / "site-1.1")
        project.replace(BASICS, "Check the caller is safe.", "Check that the caller is safe.")
        project.commit("Reword the police steps", "2027-02-02")
        publish(project, "1.2", "Police steps, reworded.", "2027-02-03")
        second = build(project, folder / "site-1.2")
        yield first, second
    finally:
        project.close()


def json_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("guidance.json"))


@pytest.mark.slow
def test_every_edition_has_json_and_it_validates_against_the_published_schema(sites):
    _, site = sites
    files = json_files(site)
    assert [p.relative_to(site).as_posix() for p in files] == [
        "alpha/editions/1.0/guidance.json", "alpha/editions/1.1/guidance.json", "alpha/guidance.json",
        "beta/guidance.json"]
    schema = site / "schemas/guidance.schema.json"
    assert json.loads(schema.read_text())["$id"] == BASE + "schemas/guidance.schema.json"
    meta = subprocess.run([sys.executable, "-m", "check_jsonschema", "--check-metaschema", str(schema)],
                          capture_output=True, text=True, check=False)
    assert meta.returncode == 0, meta.stdout + meta.stderr
    run = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), *map(str, files)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok -- validation done" in run.stdout
    for path in files:
        assert json.loads(path.read_text())["$schema"] == BASE + "schemas/guidance.schema.json"


class _Blocks(HTMLParser):
    """From a built page: each paragraph (div.gd-block) as (id, number, words), without its number, notes and
    citation line, and each section heading as (id, words)."""

    SKIP = {"gd-pnum", "gd-note", "gd-cite"}
    BREAK = {"p", "li", "td", "th", "tr", "div", "figcaption", "caption", "ul", "ol", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.headings = [], []
        self.stack: list[tuple[str, str]] = []  # (tag, role): role is block, skip, pnum, heading or ""
        self.words: list[str] = []
        self.number: list[str] = []
        self.heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        role = ""
        if tag == "div" and "gd-block" in classes:
            role, self.words, self.number = "block", [], []
            self.blocks.append([a["id"], None, None])
        elif any(c in self.SKIP for c in classes):
            role = "pnum" if "gd-pnum" in classes else "skip"
        elif tag in ("h2", "h3", "h4") and a.get("id"):
            role, self.heading = "heading", []
            self.headings.append([a["id"], None])
        elif tag == "a" and "headerlink" in classes:
            role = "skip"
        if tag in self.BREAK:
            self._text(" ")
        self.stack.append((tag, role))

    def handle_endtag(self, tag):
        if tag in self.BREAK:
            self._text(" ")
        while self.stack:
            open_tag, role = self.stack.pop()
            if role == "block":
                self.blocks[-1][1:] = ["".join(self.number).strip(), " ".join("".join(self.words).split())]
            elif role == "heading":
                self.headings[-1][1] = " ".join("".join(self.heading).split())
                self.heading = None
            if open_tag == tag:
                break

    def _text(self, data):
        roles = [r for _, r in self.stack]
        if "skip" in roles:
            return
        if "pnum" in roles:
            self.number.append(data)
        elif "block" in roles:
            self.words.append(data)
        if "heading" in roles and self.heading is not None:
            self.heading.append(data)

    def handle_data(self, data):
        self._text(data)


def page_parts(path: Path) -> tuple[list, dict]:
    parser = _Blocks()
    parser.feed(path.read_text(encoding="utf-8"))
    return [tuple(b) for b in parser.blocks], dict(parser.headings)


def _page(site: Path, address: str) -> Path:
    return site / address.removeprefix(BASE).split("#")[0] / "index.html"


@pytest.mark.slow
def test_the_json_matches_the_pages_paragraph_for_paragraph(sites):
    compared = 0
    for site in sites:
        for path in json_files(site):
            data = json.loads(path.read_text())
            pages: dict[Path, list] = {}
            for chapter in data["chapters"]:
                for section in chapter["sections"]:
                    page = _page(site, section["url"])
                    blocks, headings = page_parts(page)
                    assert headings[section["id"]] == f"{section['number']} {section['title']}", (path, section["id"])
                    pages.setdefault(page, blocks)
                    for block in section["blocks"]:
                        assert _page(site, block["citation_url"]) == page
                        assert block["citation_url"].endswith(f"#p-{block['id']}")
            expected = {page: [] for page in pages}
            for chapter in data["chapters"]:
                for section in chapter["sections"]:
                    expected[_page(site, section["url"])] += [
                        (f"p-{b['id']}", b["number"], " ".join(b["text"].split())) for b in section["blocks"]]
            assert expected == pages, path
            compared += sum(len(v) for v in expected.values())
    assert compared >= 30, "the comparison covers every paragraph of every edition, not none"


@pytest.mark.slow
def test_the_json_holds_what_readers_see_and_nothing_unpublished(sites):
    _, site = sites
    current = json.loads((site / "alpha/guidance.json").read_text())
    assert current["edition"] == {"version": "1.2", "date": "2027-02-03", "major": True, "current": True,
                                  "change_note": {"text": "Police steps, reworded.", "html": "Police steps, reworded."},
                                  "url": BASE + "alpha/"}
    assert [e["version"] for e in current["editions"]] == ["1.0", "1.1", "1.2"]
    sections = {s["id"]: s for c in current["chapters"] for s in c["sections"]}
    assert "secret-draft" not in sections
    what = sections["what-it-is"]
    assert what["legal_basis"][0]["url"] == "https://www.legislation.gov.uk/ukpga/1997/40/section/2A"
    first = what["blocks"][0]
    assert first["text"] == ("Stalking is a crime under section 2A of the Protection from Harassment Act 1997. "
                             "Courts may make a stalking protection order (SPO).")
    assert 'href="https://www.legislation.gov.uk/ukpga/1997/40/section/2A"' in first["html"]
    assert first["citation_url"] == BASE + "alpha/basics/#p-aaa1"
    assert [n["audience"] for n in what["blocks"][1]["notes"]] == ["police", "teachers"]
    withdrawn = [s for s in sections.values() if s["status"] == "withdrawn"]
    assert withdrawn and all(s["blocks"] == [] and s["withdrawn"]["reason"]["text"] for s in withdrawn)
    archived = json.loads((site / "alpha/editions/1.0/guidance.json").read_text())
    assert archived["edition"]["current"] is False and archived["edition"]["url"] == BASE + "alpha/editions/1.0/"
    assert [e["version"] for e in archived["editions"]] == ["1.0"], "a later edition never reaches an earlier file"
    old = {s["id"]: s for c in archived["chapters"] for s in c["sections"]}
    assert old["what-it-is"]["blocks"][0]["citation_url"] == BASE + "alpha/editions/1.0/#p-aaa1"
    assert "Courts can make" in old["what-it-is"]["blocks"][0]["text"]
    assert old["what-it-is"]["last_updated"] == {"date": "2026-11-01", "basis": "edition"}


@pytest.mark.slow
def test_a_draft_canary_never_reaches_the_json_or_the_feeds(sites):
    for site in sites:
        files = [*site.rglob("*.json"), *site.rglob("*.atom")]
        assert len([p for p in files if p.suffix == ".atom"]) == 3
        for path in files:
            text = path.read_text(encoding="utf-8").lower()
            assert DRAFT_WORDS not in text and "secret-draft" not in text, path


@pytest.mark.slow
def test_an_edition_json_is_unchanged_by_a_later_edition(sites):
    first, second = sites
    before = (first / "alpha/editions/1.0/guidance.json").read_bytes()
    assert before == (second / "alpha/editions/1.0/guidance.json").read_bytes()
    # 1.1 was the current edition; archived after 1.2, its text is the same and only its addresses are its archive's
    current, archived = (json.loads((s / p).read_text()) for s, p in
                         ((first, "alpha/guidance.json"), (second, "alpha/editions/1.1/guidance.json")))
    words = lambda data: [(b["id"], b["number"], b["text"]) for c in data["chapters"] for s in c["sections"]
                          for b in s["blocks"]]
    assert words(current) == words(archived)


def _atom_feeds(site: Path) -> dict[str, object]:
    return {rel: feedparser.parse(str(site / rel)) for rel in ("alpha/changes.atom", "beta/changes.atom",
                                                               "changes.atom")}


@pytest.mark.slow
def test_the_feeds_are_atom_and_list_every_major_edition(sites):
    first, second = sites
    feeds = _atom_feeds(second)
    for rel, feed in feeds.items():
        assert not feed.bozo, (rel, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        # RFC 4287 4.1.1: id, title, updated, an author, and a link to itself
        assert feed.feed.id and feed.feed.title and feed.feed.updated and feed.feed.author == "Home Office"
        assert {(link.rel, link.href) for link in feed.feed.links} >= {("self", BASE + rel)}
        for entry in feed.entries:
            assert entry.id.startswith("tag:guidance.example,") and entry.title and entry.updated and entry.link
    alpha = feeds["alpha/changes.atom"]
    assert [e.id for e in alpha.entries] == [f"tag:guidance.example,{day}:alpha/editions/{v}" for v, day in
                                            (("1.2", "2027-02-03"), ("1.1", "2027-01-10"), ("1.0", "2026-11-01"))]
    newest = alpha.entries[0]
    assert newest.summary == "Police steps, reworded."
    assert "1.2 Police response (changed)" in newest.content[0].value
    assert newest.link == BASE + "alpha/"
    assert alpha.entries[1].link == BASE + "alpha/editions/1.1/"
    assert "1.1 What stalking is (changed)" in alpha.entries[1].content[0].value
    site_ids = {e.id for e in feeds["changes.atom"].entries}
    assert site_ids == {e.id for e in alpha.entries} | {e.id for e in feeds["beta/changes.atom"].entries}
    earlier = _atom_feeds(first)["alpha/changes.atom"]
    assert [e.id for e in earlier.entries] == [e.id for e in alpha.entries[1:]], "entry ids are stable"
    history = (second / "alpha/changes/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" title="Alpha guidance: changes" ' \
           'href="../../alpha/changes.atom">' in history  # relative: a copy served elsewhere asks no other host
    assert 'type="application/atom+xml" title="All guidance on this site: changes" href="../../changes.atom">' in history


def test_a_json_file_that_does_not_match_the_schema_is_a_positioned_problem():
    good = json.loads(json.dumps({"x": 1}))
    files = {"alpha/guidance.json": json.dumps(good), "alpha/changes.atom": "<feed/>"}
    problems = site_opendata.problems(files)
    assert problems and all(p.pos == Pos("site/alpha/guidance.json") and p.code == "build.open-data"
                            for p in problems)
    assert any("does not match its schema at /: 'schema_version' is a required property" in p.message
               for p in problems)


@pytest.mark.slow
def test_a_build_whose_json_breaks_the_schema_stops_and_keeps_the_old_site(project, monkeypatch):
    checked, result = pipeline.build(project)
    assert result.ok, result.problems
    before = (project / "site/alpha/guidance.json").read_bytes()
    from builder.render import opendata

    real = opendata.edition_data
    monkeypatch.setattr(opendata, "edition_data", lambda *a, **k: {**real(*a, **k), "schema_version": "banana"})
    _, result = pipeline.build(project)
    assert not result.ok
    [problem] = [p for p in result.problems if p.code == "build.open-data"][:1]
    assert problem.pos == Pos("site/alpha/guidance.json")
    assert "at /schema_version: 'banana' does not match" in problem.message
    assert (project / "site/alpha/guidance.json").read_bytes() == before


def test_the_open_data_page_is_in_the_navigation_and_documents_the_files(project):
    from builder.render.pages import Options, render

    site = render(pipeline.check(project).content, Options(site_url=BASE))
    page = site.pages["open-data.md"]
    assert {"Open data": "open-data.md"} in site.nav
    assert "](open-data.md)" in site.pages["index.md"], "the home page links to it"
    for words in ("alpha/guidance.json", "/<document>/editions/<version>/guidance.json", "changes.atom",
                  "schemas/guidance.schema.json", "Open Government Licence v3.0", "Ids never change"):
        assert words in page, words
    assert sorted(site.files) == ["alpha/changes.atom", "alpha/guidance.json", "beta/changes.atom",
                                  "beta/guidance.json", "changes.atom"]
    assert render(pipeline.check(project).content, Options(preview=True, site_url=BASE)).files == {}
