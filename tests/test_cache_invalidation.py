"""guidance validate's content-hash cache misses after each kind of change a check depends on: content, schema,
code, settings, date; and a file with problems gets exactly the problems a fresh check gives, from the cache too.
A file whose stat is unchanged is not read again, unless it changed just before the cache recorded it."""
import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from builder.content import cache
from builder.content import check as check_stage
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
    (code / "content/rules/style.py").write_text((code / "content/rules/style.py").read_text() + "\n# changed\n")
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


def later(monkeypatch, hours=1):
    """Every check from now on runs `hours` after the files were last written."""
    monkeypatch.setattr(cache, "now", lambda: time.time_ns() + hours * 3600 * 10**9)


def count_reads(monkeypatch) -> list:
    reads = []
    real = check_stage.read_plain_stat
    monkeypatch.setattr(check_stage, "read_plain_stat", lambda path: reads.append(path) or real(path))
    return reads


def rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    before = path.stat()
    path.write_text(path.read_text().replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns


def test_an_unchanged_file_is_not_read_again(project, monkeypatch):
    later(monkeypatch)
    assert not answered_from_cache(project)
    reads = count_reads(monkeypatch)
    assert answered_from_cache(project) and reads == [], "an unchanged tree is answered from its stat alone"


def test_a_file_rewritten_with_its_old_size_and_modification_time_is_read(project, monkeypatch):
    later(monkeypatch)
    assert pipeline.check_problems(project).problems == []
    rewrite_keeping_size_and_mtime(project / CHAPTER, "status: published", "status: pubilshed")
    assert [p.code for p in pipeline.check_problems(project).problems] == ["schema.enum"]


def test_a_file_changed_just_before_the_record_is_read_again(project, monkeypatch):
    """On a file system whose timestamps are whole seconds, an edit in the same second as the check looks like
    no edit at all: the file is read until its timestamp is well before the record (git's racy-index rule)."""
    def whole_seconds(info):
        return [info.st_size, info.st_mtime_ns // 10**9 * 10**9, info.st_ctime_ns // 10**9 * 10**9, info.st_ino,
                info.st_dev]

    monkeypatch.setattr(cache, "stat_of", whole_seconds)
    assert pipeline.check_problems(project).problems == []
    rewrite_keeping_size_and_mtime(project / CHAPTER, "status: published", "status: pubilshed")
    assert [p.code for p in pipeline.check_problems(project).problems] == ["schema.enum"]


def test_a_file_swapped_for_a_link_is_refused_though_its_target_is_unchanged(project, monkeypatch, tmp_path):
    later(monkeypatch)
    chapter = project / CHAPTER
    assert pipeline.check_problems(project).problems == []
    outside = tmp_path / "outside.yaml"
    shutil.copy2(chapter, outside)
    chapter.unlink()
    chapter.symlink_to(outside)
    assert [p.code for p in pipeline.check_problems(project).problems] == ["load.not-a-file"]


def test_a_file_added_or_removed_is_a_miss(project, monkeypatch):
    later(monkeypatch)
    assert answered_from_cache(project) is False and answered_from_cache(project)
    extra = project / "content/alpha/09-extra.yaml"
    shutil.copy2(project / CHAPTER, extra)
    found = pipeline.check_problems(project)
    assert found.content is not None and "ids.duplicate" in {p.code for p in found.problems}
    extra.unlink()
    found = pipeline.check_problems(project)
    assert found.content is not None and found.problems == [], "only the latest answer is kept: checked again"
