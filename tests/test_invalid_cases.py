"""The bad-input corpus: each tests/cases/invalid/<case>.yaml, dropped into the fixture project as a chapter,
gives exactly the problems in <case>.expected (severity, code, line:col), and never an exception."""
from pathlib import Path

import pytest

from builder import pipeline

CASES = sorted((Path(__file__).parent / "cases" / "invalid").glob("*.yaml"))
TARGET = "content/alpha/09-case.yaml"


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_reports_exactly_its_expected_problems(project, case):
    (project / TARGET).write_bytes(case.read_bytes())
    expected = sorted(case.with_suffix(".expected").read_text().split("\n")[:-1])
    problems = pipeline.check(project).problems
    got = sorted(f"{p.severity} {p.code} {p.pos.line}:{p.pos.col}" for p in problems)
    assert got == expected
    assert all(p.pos.file == TARGET for p in problems)
    assert all(p.hint for p in problems), "every problem tells the editor what to do"
    if any(p.severity == "error" for p in problems):
        before = sorted(p.relative_to(project).as_posix() for p in project.rglob("*"))
        assert pipeline.build(project)[1] is None
        assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == before, "nothing is written"
