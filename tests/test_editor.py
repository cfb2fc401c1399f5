"""Editor integration: the YAML language server gets the right schema for every content file, and the
pre-commit hooks run the same checks as CI."""
import json
from fnmatch import fnmatch
from pathlib import Path

from click.testing import CliRunner
from ruamel.yaml import YAML

from builder.cli import main
from builder.content.load import content_files, file_kind

REPO = Path(__file__).resolve().parent.parent


def test_every_content_file_gets_its_schema_in_the_editor():
    mapping = json.loads((REPO / ".vscode/settings.json").read_text())["yaml.schemas"]
    for schema in mapping:
        assert (REPO / schema).is_file(), schema
    for root in (REPO, REPO / "tests/fixtures/site"):
        for path in content_files(root / "content"):
            rel = path.relative_to(root).as_posix()
            matches = [s for s, globs in mapping.items() if any(fnmatch(rel, g) for g in globs)]
            assert matches == [f"./schemas/{file_kind(path.relative_to(root / 'content'))}.schema.json"], rel


def _hooks() -> dict:
    config = YAML(typ="safe").load((REPO / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_pre_commit_runs_validate_and_fmt_check_on_the_whole_tree():
    hooks = _hooks()
    assert {h: hooks[h]["entry"] for h in hooks} == {
        "guidance-validate": ".venv/bin/guidance validate", "guidance-fmt": ".venv/bin/guidance fmt --check"}
    assert all(h["language"] == "system" and h["pass_filenames"] is False for h in hooks.values())


def test_each_hook_passes_clean_content_and_stops_a_broken_commit(project):
    runner = CliRunner()
    commands = [hook["entry"].split()[1:] + ["--root", str(project)] for hook in _hooks().values()]
    assert [runner.invoke(main, c).exit_code for c in commands] == [0, 0]
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("      - id: aaa2\n", "      - ", 1))
    assert [runner.invoke(main, c).exit_code for c in commands] == [1, 1]
