"""guidance validate's content-hash cache: an unchanged tree answers from the cache; any change is seen; nothing a
checkout carries can answer for it."""
import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

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
    before = key(project)
    real = cache.installed_version
    monkeypatch.setattr(cache, "installed_version", lambda name: "99.0" if name == "jsonschema" else real(name))
    assert key(project) != before, "an upgraded validator may report differently: the cache must not answer"


def test_the_versions_in_the_key_are_those_importlib_metadata_reads(tmp_path, monkeypatch):
    from importlib import metadata

    for name in cache.CHECKERS:
        assert cache.installed_version(name) == metadata.version(name)
    # A distribution installed where Python looks for packages, spelt as pip spells its folder, is found by any
    # spelling of its name; one that is not installed has no version.
    (tmp_path / "Made_Up.Checker-2.1.post3.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cache.installed_version("made-up-checker") == "2.1.post3"
    assert cache.installed_version("Made_Up_Checker") == "2.1.post3"
    assert cache.installed_version("made-up-checker-not-installed") is None


# --- a cache that can only speed up, never decide --------------------------------------------------------------------

def _bad_project(project):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("status: published", "status: publshed", 1))
    return project


def _entry(project):
    [entry] = cache.cache_dir().glob("check-*.json")
    return entry


def validate(project, *extra):
    return subprocess.run([sys.executable, "-m", "builder", "validate", "--root", str(project), *extra],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("poison", ["problems emptied", "stamp moved", "seal recomputed without the key"])
def test_an_edited_entry_is_a_miss_and_never_says_no_problems(project, poison):
    _bad_project(project)
    first = validate(project)
    assert first.returncode == 1 and "schema.enum" in first.stdout
    entry = _entry(project)
    data = json.loads(entry.read_text())
    if poison == "problems emptied":
        data["problems"] = []
    elif poison == "stamp moved":
        data["stamp"] += 10 ** 12  # every file would look older than the record, so its stat would be trusted
        data["problems"] = []
    else:  # a seal that matches its own content still cannot answer for another tree: the key is checked too
        data["problems"], data["key"] = [], "0" * 64
        data["seal"] = cache._seal(data)
    entry.write_text(json.dumps(data))
    again = validate(project)
    assert again.returncode == 1 and "schema.enum" in again.stdout, again.stdout
    assert "no problems" not in again.stdout


def test_an_entry_that_is_a_fifo_or_a_link_is_a_miss_and_never_waits(project, tmp_path):
    _bad_project(project)
    assert validate(project).returncode == 1
    entry = _entry(project)
    entry.unlink()
    os.mkfifo(entry)  # opened without O_NONBLOCK, this would wait for a writer for ever
    result = validate(project)
    assert result.returncode == 1 and "schema.enum" in result.stdout
    assert stat.S_ISFIFO(os.lstat(entry).st_mode) or entry.is_file()
    entry.unlink()
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"key": "x", "problems": []}))
    entry.symlink_to(clean)
    result = validate(project)
    assert result.returncode == 1 and "schema.enum" in result.stdout
    assert clean.read_text() == json.dumps({"key": "x", "problems": []}), "nothing was written through the link"


def test_a_premade_temporary_link_is_not_written_through(project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file")
    folder = cache.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = cache._entry(project.resolve()).name
    (folder / f"{name}.{os.getpid()}.tmp").symlink_to(victim)  # the name this process once wrote through
    checked = pipeline.check_problems(project)  # in this process, so that the name is the one it would use
    assert victim.read_text() == "someone else's file"
    assert checked.problems == [] and checked.cache_warning is None
    assert _entry(project).is_file() and not _entry(project).is_symlink()


@pytest.mark.parametrize("folder", ["a file", "/dev/null", "read-only"])
def test_a_cache_folder_that_cannot_be_used_is_a_warning_and_no_cache(project, tmp_path, monkeypatch, folder,
                                                                   request):
    if folder == "a file":
        path = tmp_path / "cache-file"
        path.write_text("not a folder")
    elif folder == "read-only":
        path = tmp_path / "ro"
        path.mkdir()
        path.chmod(0o555)
        if os.access(path, os.W_OK):  # root may write any folder: mount one that nobody may write (CI runs as root)
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)],
                                     capture_output=True)
            assert mounted.returncode == 0, mounted.stderr
            request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(path)], check=False))
            assert not os.access(path, os.W_OK)
    else:
        path = Path(folder)
    monkeypatch.setenv("GUIDANCE_CACHE_DIR", str(path))
    _bad_project(project)
    for _ in range(2):
        result = validate(project, "--strict")
        assert result.returncode == 1 and "schema.enum" in result.stdout, result.stdout + result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        assert "warning [cache.unusable]" in result.stderr and str(path) in result.stderr
    if folder != "/dev/null":
        assert not list(path.glob("check-*")) if path.is_dir() else path.read_text() == "not a folder"


def test_no_cache_neither_reads_nor_writes_the_cache(project):
    assert validate(project, "--no-cache").returncode == 0
    assert not list(cache.cache_dir().glob("*")), "nothing written"
    _bad_project(project)
    validate(project)  # an entry for the bad tree
    fixed = project / "content/alpha/01-basics.yaml"
    fixed.write_text(fixed.read_text().replace("publshed", "published"))
    entry = _entry(project)
    before = entry.read_bytes()
    assert validate(project, "--no-cache").returncode == 0
    assert entry.read_bytes() == before
