"""guidance validate's content-hash cache misses after each kind of change a check depends on: content, schema,
code, settings, date; and a file with problems gets exactly the problems a fresh check gives, from the cache too."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from builder.content import cache
from builder import pipeline

CHAPTER = "content/alpha/01-basics.yaml"
CORPUS = Path(__file__).parent / "cases" / "invalid"


def answered_from_cache(project) -> bool:
    return pipeline.check_problems(project).content is None


def change_content(project, monkeypatch, tmp_path):
    chapter = project / CHAPTER
    chapter.write_text(chapter.read_text().replace("status: published", "status: draft", 1))


def change_schema(project, monkeypatch, tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(cache.resources.files("builder.schemas"), schemas)
    (schemas / "chapter.schema.json").write_text((schemas / "chapter.schema.json").read_text() + "\n")
    monkeypatch.setattr(cache.resources, "files", lambda package: schemas)


def change_code(project, monkeypatch, tmp_path):
    code = tmp_path / "builder"
    shutil.copytree(cache._CODE, code, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "content/rules.py").write_text((code / "content/rules.py").read_text() + "\n# changed\n")
    monkeypatch.setattr(cache, "_CODE", code)


def change_settings(project, monkeypatch, tmp_path):
    (project / "pyproject.toml").write_text("[tool.guidance]\nmax-sentence-words = 5\n")


def change_date(project, monkeypatch, tmp_path):
    tomorrow = date.fromordinal(date.today().toordinal() + 1)

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return tomorrow

    monkeypatch.setattr(cache, "date", Tomorrow)


@pytest.mark.parametrize("change", [change_content, change_schema, change_code, change_settings, change_date],
                         ids=lambda f: f.__name__)
def test_each_kind_of_change_is_a_miss(project, monkeypatch, tmp_path, change):
    assert not answered_from_cache(project), "the first run reads the content"
    assert answered_from_cache(project), "an unchanged tree is answered from the cache"
    change(project, monkeypatch, tmp_path)
    assert not answered_from_cache(project), f"{change.__name__} must be checked again"
    assert answered_from_cache(project), "and is then remembered"


def test_a_settings_change_gives_the_new_settings_problems(project):
    assert pipeline.check_problems(project).problems == []
    change_settings(project, None, None)
    assert {p.code for p in pipeline.check_problems(project).problems} == {"style.sentence-length"}


@pytest.mark.parametrize("case", ["misspelt-field", "impossible-date", "bad-status", "alias", "schema-error-keeps-rules"])
def test_an_invalid_file_gets_the_same_problems_fresh_and_from_the_cache(project, case):
    found = sorted(CORPUS.glob(f"*{case}*.yaml"))
    assert found, f"no corpus case matches {case}"
    (project / "content/alpha/09-case.yaml").write_bytes(found[0].read_bytes())
    fresh = pipeline.check(project).problems
    first, second = pipeline.check_problems(project), pipeline.check_problems(project)
    assert fresh and first.problems == fresh and second.problems == fresh and second.content is None
