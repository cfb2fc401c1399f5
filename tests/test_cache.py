"""guidance validate's content-hash cache: an unchanged tree answers from the cache; any change is seen."""
from datetime import date

from click.testing import CliRunner

from builder import cache, pipeline
from builder.cli import main


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
    assert cache.tree_key(project, date(2027, 1, 1)) != cache.tree_key(project, date(2027, 1, 2))


def test_a_damaged_cache_is_ignored(project):
    pipeline.check_problems(project)
    for entry in (project / cache.CACHE_DIR).glob("check-*.json"):
        entry.write_text("{not json")
    again = pipeline.check_problems(project)
    assert again.content is not None and again.problems == []
