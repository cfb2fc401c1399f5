"""Golden render with history: the fixture project in a real git repository with fixed commit dates, an edition
published with `guidance publish`, rendered on a fixed build date. Readers' dates ("Last updated …"), the
[new …]/[amended …] marks, the change history and the archived edition's page are compared exactly with
tests/golden/history/ (rewrite with `pytest --update-golden` when a change is intended)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import GitProject, env

from builder import pipeline
from builder.cli import main
from builder.history.collect import collect
from builder.history.dates import Stamp
from builder.render.pages import Options, render
from builder.review.diff import edition_redlines

GOLDEN = Path(__file__).parent / "golden" / "history"
BASICS = "content/alpha/01-basics.yaml"
BUILD_DATE = "2027-03-01"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Edition 1.0 is the first commit (2026-11-01); a published paragraph is reworded (2026-12-05), a draft
    section made ready (2027-01-10), and edition 1.1 published on 2027-02-01."""
    project = GitProject(tmp_path_factory.mktemp("history") / "repo", "2026-11-01")
    project.replace(BASICS, "Courts can make", "Courts may make")
    project.commit("Reword what stalking is", "2026-12-05")
    project.replace(BASICS, "status: draft", "status: ready")
    project.commit("Unpublished plans are ready", "2027-01-10")
    result = CliRunner(env=env("2027-02-01")).invoke(main, [
        "publish", "alpha", "--version", "1.1", "--note", "Plans for schools; what stalking is, reworded.",
        "--date", "2027-02-01", "--yes", "--root", str(project.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    checked = pipeline.check(project.root)
    assert checked.problems == []
    history = collect(project.root, checked.content, BUILD_DATE)
    assert history.notes == []
    site = render(checked.content, Options(history=history, build_date=BUILD_DATE,
                                           redlines=edition_redlines(checked.content, history)))
    yield history, {path: text for path, text in site.pages.items() if path.startswith("alpha/")}
    project.close()


def test_the_history_is_what_the_commits_say(published):
    history, _ = published
    assert history.section("alpha", "what-it-is") == Stamp("2026-12-05")
    assert history.section("alpha", "secret-draft") == Stamp("2027-02-01")  # published that day
    assert history.section("alpha", "for-police") == Stamp("2026-11-01")
    assert sorted(version for doc, version in history.editions if doc == "alpha") == ["1.0", "1.1"]


def test_rendered_pages_with_history_match_golden_files(published, update_golden):
    _, pages = published
    if update_golden:
        for rel, text in pages.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(expected), "every page of the document, no more and no fewer"
    for rel, text in pages.items():
        assert text == expected[rel], f"{rel} differs from tests/golden/history/{rel}; run pytest --update-golden if intended"
    # What the golden files hold, said in words: a reviewer can see the test is about history.
    basics, changes = pages["alpha/basics.md"].replace("\\[", "[").replace("\\]", "]"), pages["alpha/changes.md"]
    assert "Last updated 5 December 2026 · [amended 2027]" in basics  # what-it-is: reworded since 1.0
    assert "Last updated 1 February 2027 · [new 2027]" in basics  # secret-draft: first published in 1.1
    assert "1.1" in changes and "1 February 2027" in changes and "Plans for schools" in changes
    assert "Courts can make" in pages["alpha/editions/1.0.md"] and "Courts can make" not in basics
