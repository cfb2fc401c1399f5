"""The GitHub Actions workflow cannot run here: lint its structure, and run every guidance command it runs against a
real repository shaped like a pull request's merge commit."""
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from builder.cli import main
from gitrepo import GitProject, env

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github/workflows/guidance.yml"
ACTIONS = {"actions/checkout", "actions/setup-python", "actions/upload-artifact", "actions/upload-pages-artifact",
           "actions/deploy-pages"}


@pytest.fixture(scope="module")
def workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))  # YAML 1.2: 'on' stays a string


def steps(workflow):
    return [(name, step) for name, job in workflow["jobs"].items() for step in job["steps"]]


def guidance_commands(workflow) -> list[tuple[str, list[str], str | None]]:
    """(job, arguments, file the output is redirected to) for every guidance command in a run: step."""
    out = []
    for job, step in steps(workflow):
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("guidance "):
                words = shlex.split(line)
                target = words[words.index(">") + 1] if ">" in words else None
                out.append((job, words[1:words.index(">")] if target else words[1:], target))
    return out


def test_the_workflow_is_well_formed(workflow):
    assert set(workflow) == {"name", "on", "permissions", "concurrency", "jobs"}
    assert set(workflow["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}, "least privilege by default"
    for name, job in workflow["jobs"].items():
        assert set(job) <= {"if", "runs-on", "permissions", "environment", "concurrency", "steps", "needs"}, name
        assert job["runs-on"] == "ubuntu-latest" and job["steps"], name
    ids = {step["id"] for _, step in steps(workflow) if "id" in step}
    for job, step in steps(workflow):
        assert ("uses" in step) != ("run" in step), f"{job}: a step either uses an action or runs a command"
        assert set(step) <= {"name", "id", "if", "uses", "with", "run", "env"}, step
        if "uses" in step:
            action, _, version = step["uses"].partition("@")
            assert action in ACTIONS and re.fullmatch(r"v\d+", version), step["uses"]
        else:
            assert "${{" not in step["run"], f"{job}: expressions go through env, never into a script"
            assert "with" not in step
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["fetch-depth"] == 0, "history, editions and the diff's base need every commit"
    for text in re.findall(r"steps\.([\w-]+)\.outputs", WORKFLOW.read_text()):
        assert text in ids


def test_jobs_have_the_permissions_their_steps_need(workflow):
    review, deploy = workflow["jobs"]["review"], workflow["jobs"]["deploy"]
    assert review["if"] == "github.event_name == 'pull_request'" and deploy["if"] == "github.event_name != 'pull_request'"
    assert review["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    comment = next(s for s in review["steps"] if "gh pr comment" in s.get("run", ""))
    assert "--body-file diff.md" in comment["run"] and set(comment["env"]) == {"GH_TOKEN", "PR"}
    uploads = {s["uses"].split("@")[0]: s["with"] for s in review["steps"] + deploy["steps"] if "uses" in s and "with" in s}
    assert uploads["actions/upload-artifact"]["path"].split() == ["site/", "diff.md"]
    assert uploads["actions/upload-pages-artifact"]["path"] == "site/"
    installs = [s["run"] for _, s in steps(workflow) if s.get("run", "").startswith("pip ")]
    assert installs == ["pip install -e ."] * 2
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert "guidance" in scripts, "pip install puts the guidance command on the path"


def test_every_guidance_command_in_the_workflow_works(workflow, tmp_path, monkeypatch):
    commands = guidance_commands(workflow)
    assert [(job, args[0]) for job, args, _ in commands] == [
        ("review", "validate"), ("review", "build"), ("review", "diff"), ("deploy", "validate"), ("deploy", "build")]
    repo = GitProject(tmp_path / "repo", "2026-11-01")
    try:
        repo.git("checkout", "-q", "-b", "edit")
        repo.replace("content/alpha/01-basics.yaml", "Courts can make", "Courts may make")
        repo.commit("Reword", "2026-12-01")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "edit", "-m", "Merge pull request", day="2026-12-02")
        monkeypatch.chdir(repo.root)
        for job, args, target in commands:
            result = CliRunner(env=env("2026-12-02")).invoke(main, args, catch_exceptions=False)
            assert result.exit_code == 0, (job, args, result.output)
            if target:
                Path(target).write_text(result.output, encoding="utf-8")
        assert (repo.root / "site/alpha/changes/index.html").is_file()
        comment = (repo.root / "diff.md").read_text()
        assert comment.startswith("### Content changes: HEAD^1 (")
        assert "| Alpha guidance | 1.1 What stalking is (`what-it-is`) | published | all | 1 paragraph changed | yes |" \
            in comment
    finally:
        repo.close()
