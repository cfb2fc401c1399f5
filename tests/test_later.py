"""Work done in forked processes while the build goes on (builder/later.py): git's dates while the content is
checked, the house rules while the site is rendered. The answer is the same whether a child does the work, no
child may be forked (other threads running), or the child dies."""
import hashlib
import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

from builder import later, pipeline
from tests.conftest import in_fresh_process
from tests.test_rules import LONG, _pyproject, with_sections


def pids() -> list[int]:
    """This process's id and the one a Later value was worked out in."""
    return [os.getpid(), later.start(os.getpid)[0].result()]


def survives() -> int:
    here = os.getpid()
    return later.start(lambda: 42 if os.getpid() == here else os._exit(1))[0].result()


def children() -> list[int]:
    """The process ids two values started together were worked out in, each waiting for the other to be running
    (a barrier both must reach: one child running both in turn would wait in vain), and this process's id."""
    both = multiprocessing.get_context("fork").Barrier(2)

    def meet() -> int:
        both.wait(timeout=30)
        return os.getpid()

    return [value.result() for value in later.start(meet, meet)] + [os.getpid()]


def test_a_later_value_comes_from_a_forked_child():
    here, there = in_fresh_process(pids)
    assert here != there, "worked out in a child"
    *there, here = in_fresh_process(children)
    assert here not in there and len(set(there)) == 2, "values started together are worked out in children at once"
    assert later.start(lambda: [n * n for n in range(5)])[0].result() == [0, 1, 4, 9, 16]


def test_with_other_threads_running_nothing_is_forked(monkeypatch):
    monkeypatch.setattr(later.threading, "active_count", lambda: 2)
    assert later.start(os.getpid)[0].result() == os.getpid()


def test_a_child_that_dies_is_replaced_by_the_work_done_here():
    assert in_fresh_process(survives) == 42


def _dies(key):
    os._exit(1)


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _outcome(project, out):
    checked, result = pipeline.build(project, out_dir=out)
    problems = [(p.severity, p.code, p.pos.file, p.pos.line, p.message) for p in checked.problems]
    return problems, result is not None and result.ok, _tree(out) if out.exists() else None


def _breaks_a_rule(project):
    with_sections(project, LONG.format(extra=""))
    _pyproject(project, '[tool.guidance.severity]\n"style.sentence-length" = "error"\n')
    return project


def forked_outcome(project: str, out: str) -> list:
    """In a fresh process: _outcome, and how many children were forked for it."""
    forked = []
    real_pool = later.pool
    later.pool = lambda *a, **k: forked.append(p := real_pool(*a, **k)) or p
    return [_outcome(Path(project), Path(out)), sum(1 for p in forked if p)]


def _json(value):
    return json.loads(json.dumps(value))


@pytest.mark.slow
@pytest.mark.parametrize("way", ["no child may be forked", "the children die"])
def test_a_build_is_the_same_with_children_as_without(project, tmp_path, monkeypatch, way):
    """A clean build gives the same site; a house rule set to error stops the build, reported with every other
    problem, and writes no site, with its check run in a child or here."""
    monkeypatch.setenv("GUIDANCE_SITE_URL", "https://guidance.example/")
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh)
    clean, forks = in_fresh_process(forked_outcome, project, tmp_path / "clean")
    assert forks >= 3, "children were forked: the dates, the rules and the page checks"
    failing, forks = in_fresh_process(forked_outcome, _breaks_a_rule(project), tmp_path / "failing")
    assert forks >= 2
    assert clean[1] is True and clean[2]
    assert failing[1] is False and failing[2] is None, "the rule's error stopped the build before a site was written"
    assert ["error", "style.sentence-length"] in [[s, c] for s, c, *_ in failing[0]]

    if way == "no child may be forked":
        monkeypatch.setattr(later.threading, "active_count", lambda: 2)
    else:
        monkeypatch.setattr(later, "_run", _dies)
    assert _json(_outcome(project, tmp_path / "failing-here")) == failing
    assert _json(_outcome(fresh, tmp_path / "clean-here")) == clean


def _row(p) -> list:
    return [p.severity, p.code, p.pos.file, p.pos.line, p.pos.col, p.message, p.hint]


def split_problems(project: str) -> list:
    """In a fresh process: the problems of a check that shares the documents with a child (sorted: the order
    differs), and how many children were forked for it."""
    forked = []
    real_pool = later.pool
    later.pool = lambda *a, **k: forked.append(p := real_pool(*a, **k)) or p
    problems = pipeline.check(Path(project), split=True).problems
    return [sorted(_row(p) for p in problems), sum(1 for p in forked if p)]


def dies_midway(project: str) -> list:
    """In a fresh process: the problems of a split check whose child dies after taking its first document."""
    from builder.content.validate import memo as validate

    here, real = os.getpid(), validate.document_part

    def part(*args):
        found = real(*args)
        if os.getpid() != here:
            os._exit(1)  # the document is taken, and never reported
        return found

    validate.document_part = part
    return sorted(_row(p) for p in pipeline.check(Path(project), split=True).problems)


def test_guidance_validate_checks_half_the_documents_in_a_child_and_finds_the_same_problems(project, tmp_path,
                                                                                          monkeypatch):
    """`guidance validate` (check_problems) shares the documents' references and house rules with a forked child:
    every problem of a check in one process, on a clean project, one that breaks house rules and references in
    both documents, and a generated one of many documents; the same when the child dies at once or after taking
    a document."""
    from benchmarks.generate import generate

    broken = tmp_path / "broken"
    shutil.copytree(_breaks_a_rule(project), broken)
    for rel in ("content/alpha/01-basics.yaml", "content/beta/01-only.yaml"):
        path = broken / rel
        path.write_text(path.read_text().replace("[[term:", "[[term:X", 1).replace("para: ", "para: We MUST "
                                                                                                 "liaise. ", 1))
    generated = generate(tmp_path / "generated", 60, documents=5)
    for root in (project, broken, generated):
        whole = _json(sorted(_row(p) for p in pipeline.check(root).problems))
        split, forks = in_fresh_process(split_problems, root)
        assert forks == 1, "half the documents were checked in a child"
        assert split == whole, root.name
        assert root is project or len(whole) > 5
    whole = _json(sorted(_row(p) for p in pipeline.check(broken).problems))
    assert {row[2].split("/")[1] for row in whole if row[2].count("/") == 2} == {"alpha", "beta"}
    assert in_fresh_process(dies_midway, broken) == whole, "a document the child took and lost is checked here"
    monkeypatch.setattr(later, "_run", _dies)
    assert _json(sorted(_row(p) for p in pipeline.check(broken, split=True).problems)) == \
        _json(sorted(_row(p) for p in pipeline.check(broken).problems))
