"""guidance validate's content-hash cache: an unchanged tree answers from the cache; any change is seen; nothing a
checkout carries can answer for it."""
import json
import subprocess
from datetime import date

import pytest
from click.testing import CliRunner

from builder.content import cache
from builder import pipeline
from builder.cli import main
from builder.content.load import read_content


def key(project, day=None):
    return cache.tree_key(project, *read_content(project), today=day)


def test_unchanged_tree_answers_from_the_cache_with_the_same_problems(project):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("audiences: [police]", "audiences: [all, police]", 1))
    first = pipeline.check_problems(project)
    second = pipeline.check_problems(project)
    assert first.content is not None and second.content is None, "the second run did not read the content"
    assert second.problems == first.problems and [p.code for p in first.problems] == ["audience.all-and-more"]


def test_an_edit_is_seen_at_once(project):
    assert pipeline.check_problems(project).problems == []
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("status: published", "status: publshed", 1))
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 1 and "schema.enum" in result.output


def test_the_key_changes_with_the_day_because_review_dates_fall_due(project):
    assert key(project, date(2027, 1, 1)) != key(project, date(2027, 1, 2))


def test_the_cache_is_kept_outside_the_project(project, tmp_path):
    pipeline.check_problems(project)
    assert list(cache.cache_dir().glob("check-*.json")), "an entry was stored"
    assert not (project / ".guidance-cache").exists()
    assert {p.name for p in project.iterdir()} == {"content", "mkdocs.yml"}


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"key": null, "problems": []}', "null",
                                    '{"key": "K", "problems": [{"file": 1}]}', '{"key": "K", "problems": {}}'])
def test_a_damaged_entry_is_a_miss(project, damage):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("status: published", "status: publshed", 1))
    pipeline.check_problems(project)
    for entry in cache.cache_dir().glob("check-*.json"):
        entry.write_text(damage.replace("K", key(project)))
    again = pipeline.check_problems(project)
    assert again.content is not None and [p.code for p in again.problems] == ["schema.enum"]


def test_a_committed_cache_cannot_pass_validate_in_a_fresh_clone(project, tmp_path):
    """The attack: commit an 'all clear' answer where the old cache lived, and hope CI trusts it."""
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("status: published", "status: publshed", 1))
    forged = {"key": key(project), "problems": []}
    (project / ".guidance-cache").mkdir()
    (project / ".guidance-cache" / f"check-{key(project)}.json").write_text(json.dumps([]))
    (project / ".guidance-cache" / "check.json").write_text(json.dumps(forged))
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q", "-b", "main", str(project)], check=True)
    subprocess.run(git + ["-C", str(project), "add", "-A", "-f"], check=True)
    subprocess.run(git + ["-C", str(project), "commit", "-q", "-m", "poisoned"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(project), str(clone)], check=True)
    assert (clone / ".guidance-cache" / "check.json").is_file()
    result = CliRunner().invoke(main, ["validate", "--strict", "--root", str(clone)])
    assert result.exit_code == 1 and "schema.enum" in result.output


def test_the_key_changes_with_the_version_of_a_library_that_checks(project, monkeypatch):
    from importlib import metadata

    before = key(project)
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "99.0" if name == "jsonschema" else real(name))
    assert key(project) != before, "an upgraded validator may report differently: the cache must not answer"
