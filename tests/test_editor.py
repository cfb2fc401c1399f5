"""Editor integration: the YAML language server gets the right schema for every content file, and the
pre-commit hooks run the same checks as CI."""
import json
import re
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
    for root in (REPO, REPO / "tests/fixtures/site", REPO / "tests/fixtures/welsh"):
        for path in content_files(root / "content"):
            rel = path.relative_to(root).as_posix()
            matches = [s for s, globs in mapping.items() if any(_glob(rel, g) for g in globs)]
            assert matches == [f"./schemas/{file_kind(path.relative_to(root / 'content'))}.schema.json"], rel


def _glob(path: str, pattern: str) -> bool:
    """A glob as the YAML language server reads it: * and ? do not cross a "/" (fnmatch's do)."""
    return len(path.split("/")) == len(pattern.split("/")) and all(
        fnmatch(part, glob) for part, glob in zip(path.split("/"), pattern.split("/")))


def _all_hooks() -> dict:
    config = YAML(typ="safe").load((REPO / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def _hooks() -> dict:
    """The hooks that check content (the commit-msg hook checks the message)."""
    return {k: h for k, h in _all_hooks().items() if h.get("stages") != ["commit-msg"]}


def test_the_commit_msg_hook_refuses_a_subject_over_72_characters():
    """pre-commit's pygrep with --multiline searches the whole message file with MULTILINE and DOTALL."""
    hook = _all_hooks()["commit-subject"]
    assert hook["language"] == "pygrep" and hook["args"] == ["--multiline"] and hook["stages"] == ["commit-msg"]
    config = YAML(typ="safe").load((REPO / ".pre-commit-config.yaml").read_text())
    assert "commit-msg" in config["default_install_hook_types"], "pre-commit install sets up the hook"
    pattern = re.compile(hook["entry"].encode(), re.MULTILINE | re.DOTALL)
    body = b"\n\n" + b"A body line may be as long as it needs to be, " * 4 + b"\n# a comment git strips\n"
    assert pattern.search(b"x" * 73 + body) and not pattern.search(b"x" * 72 + body)
    assert not pattern.search(b"Publish stalking version 0.2" + body)


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
