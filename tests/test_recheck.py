"""Checking again what changed (builder.content.check.Recheck, validate.Memo): after every edit, the same problems
as a check of the whole tree from nothing, including those an edit causes in files it did not touch."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.content.check import Recheck, check

BASICS = "content/alpha/01-basics.yaml"
SCHOOLS = "content/alpha/02-schools.yaml"
BETA = "content/beta/01-only.yaml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _rows(problems) -> list[tuple]:
    return sorted((str(p.pos), p.severity, p.code, p.message, p.hint) for p in problems)


# (what the edit does, file, old text, new text, a problem it must cause: (file, code) or None)
EDITS = [
    ("a paragraph", BASICS, "Stalking is a crime", "Stalking is a serious crime", None),
    ("a section id that another file refers to", SCHOOLS, "id: for-schools", "id: in-schools",
     (BASICS, "ref.section")),
    ("the same id back", SCHOOLS, "id: in-schools", "id: for-schools", None),
    ("a status another document refers to", BASICS, "status: published\n    legal_basis",
     "status: draft\n    legal_basis", (BETA, "ref.unpublished")),
    ("the status back", BASICS, "status: draft\n    legal_basis", "status: published\n    legal_basis", None),
    ("a glossary term removed", "content/glossary.yaml", "  - id: DSL\n    term: DSL\n", "  - id: DSX\n    term: DSX\n",
     (SCHOOLS, "ref.term")),
    ("the term back", "content/glossary.yaml", "  - id: DSX\n    term: DSX\n", "  - id: DSL\n    term: DSL\n", None),
    ("a provision renamed", "content/legislation.yaml", "id: s2A", "id: s2B", (BASICS, "ref.law")),
    ("the provision back", "content/legislation.yaml", "id: s2B", "id: s2A", None),
    ("a service renamed", "content/services.yaml", "id: helpline", "id: hotline", (BASICS, "ref.service")),
    ("the service back", "content/services.yaml", "id: hotline", "id: helpline", None),
    ("the only use of a term removed", BASICS, "Courts can make an [[term:SPO]].", "Courts can act.",
     ("content/glossary.yaml", "refs.glossary-unused")),
    ("the use back", BASICS, "Courts can act.", "Courts can make an [[term:SPO]].", None),
    ("a section that fails its schema", SCHOOLS, "    audiences: [teachers]\n    status: published",
     "    audiences: teachers\n    status: published", (SCHOOLS, "schema.type")),
    ("the section mended", SCHOOLS, "    audiences: teachers\n    status: published",
     "    audiences: [teachers]\n    status: published", None),
    ("YAML that cannot be read", BETA, "title: Only chapter", "title: [Only chapter", (BETA, "load.syntax")),
    ("the YAML mended", BETA, "title: [Only chapter", "title: Only chapter", None),
]


def test_each_edit_is_rechecked_as_a_whole_check_would(project):
    recheck = Recheck(project)
    first = recheck.check()
    assert _rows(first.problems) == _rows(check(project).problems)
    assert recheck.changed == {p.relative_to(project).as_posix() for p in (project / "content").rglob("*.yaml")}
    for what, rel, old, new, caused in EDITS:
        _edit(project, rel, old, new)
        again = recheck.check()
        assert recheck.changed == {rel}, what
        whole = check(project)
        assert _rows(again.problems) == _rows(whole.problems), what
        assert again.failed() == whole.failed(), what
        if caused:
            assert any(p.pos.file == caused[0] and p.code.startswith(caused[1]) for p in again.problems), \
                (what, _rows(again.problems))
    assert _rows(recheck.check().problems) == _rows(first.problems), "every edit undone: the first problems"
    assert recheck.changed == set()


def test_a_file_added_then_removed_is_rechecked(project):
    recheck = Recheck(project)
    before = _rows(recheck.check().problems)
    added = project / "content/alpha/03-courts.yaml"
    added.write_text("id: courts\ntitle: Courts\nsections:\n  - id: in-court\n    title: In court\n"
                     "    audiences: [all]\n    status: published\n    blocks:\n      - id: ddd1\n"
                     "        para: Judges read [[section:beta/beta-one]] and the MASH report.\n"
                     "      - id: ddd2\n        para: See [[section:no-such-section]].\n", encoding="utf-8")
    again = recheck.check()
    assert recheck.changed == {"content/alpha/03-courts.yaml"}
    assert _rows(again.problems) == _rows(check(project).problems)
    assert any(p.code == "ref.section" and p.pos.file.endswith("03-courts.yaml") for p in again.problems)
    added.unlink()
    assert _rows(recheck.check().problems) == before
    assert recheck.changed == {"content/alpha/03-courts.yaml"}


@pytest.mark.parametrize("setting", ['max-sentence-words = 5', '[tool.guidance.severity]\n"style.sentence-length" = "off"'])
def test_a_change_of_settings_is_rechecked(project, setting):
    recheck = Recheck(project)
    recheck.check()
    (project / "pyproject.toml").write_text(
        ("[tool.guidance]\n" if not setting.startswith("[") else "") + setting + "\n", encoding="utf-8")
    assert _rows(recheck.check().problems) == _rows(check(project).problems)
