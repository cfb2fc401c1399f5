"""The GitHub Actions workflow cannot run here: lint its structure, and run every guidance command it runs against a
real repository shaped like a pull request's merge commit."""
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from builder.cli import main
from gitrepo import GitProject, env
from tests.conftest import require

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github/workflows/guidance.yml"
ACTIONS = {"actions/checkout", "actions/setup-python", "actions/upload-artifact", "actions/upload-pages-artifact",
           "actions/configure-pages", "actions/deploy-pages"}
PINNED = re.compile(r"^\s*(?:- )?uses: (?P<action>[\w-]+/[\w-]+)@(?P<sha>[0-9a-f]{40})  # (?P<version>v\d+\.\d+\.\d+)$")


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
        assert set(job) <= {"if", "runs-on", "permissions", "environment", "concurrency", "steps", "needs", "env"}, name
        assert job["runs-on"] == "ubuntu-latest" and job["steps"], name
    ids = {step["id"] for _, step in steps(workflow) if "id" in step}
    for job, step in steps(workflow):
        assert ("uses" in step) != ("run" in step), f"{job}: a step either uses an action or runs a command"
        assert set(step) <= {"name", "id", "if", "uses", "with", "run", "env"}, step
        if "uses" in step:
            action, _, sha = step["uses"].partition("@")
            assert action in ACTIONS and re.fullmatch(r"[0-9a-f]{40}", sha), f"{step['uses']}: pin to a commit SHA"
        else:
            assert "${{" not in step["run"], f"{job}: expressions go through env, never into a script"
            assert "with" not in step
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["fetch-depth"] == 0, "history, editions and the diff's base need every commit"
            assert step["with"]["persist-credentials"] is False, "no step pushes: the token must not stay on disk"
    for text in re.findall(r"steps\.([\w-]+)\.outputs", WORKFLOW.read_text()):
        assert text in ids


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it():
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert PINNED.match(line), f"{line.strip()}: write uses: owner/action@<40-hex SHA>  # vX.Y.Z"
    versions = {}
    for line in lines:
        m = PINNED.match(line)
        assert versions.setdefault(m["action"], (m["sha"], m["version"])) == (m["sha"], m["version"]), \
            f"{m['action']} is pinned to two different commits"


def test_the_workflow_passes_githubs_workflow_schema():
    """check-jsonschema bundles the schema (vendor.github-workflows), so this needs no network."""
    require("check_jsonschema", "pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_schema_check_can_fail():
    """The same check on a broken copy of the workflow fails, so a pass means something."""
    require("check_jsonschema", "pip install -e '.[test]'")  # missing, the check would fail and this pass
    broken = WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1)
    target = Path(os.environ.get("TMPDIR", "/tmp")) / f"broken-workflow-{os.getpid()}.yml"
    target.write_text(broken, encoding="utf-8")
    try:
        result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                                 "vendor.github-workflows", str(target)], capture_output=True, text=True, timeout=120)
    finally:
        target.unlink()
    assert result.returncode == 1 and "runs_on" in result.stdout + result.stderr


def test_jobs_have_the_permissions_their_steps_need(workflow):
    review, deploy = workflow["jobs"]["review"], workflow["jobs"]["deploy"]
    assert review["if"] == "github.event_name == 'pull_request'"
    assert deploy["if"] == "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'", \
        "deploy only from main, never from a workflow run on another branch"
    assert review["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    comment = next(s for s in review["steps"] if "gh pr comment" in s.get("run", ""))
    assert "--body-file diff.md" in comment["run"] and set(comment["env"]) == {"GH_TOKEN", "PR", "REPO"}
    assert 'startswith("<!-- guidance-diff -->")' in comment["run"] and "--edit-last" not in comment["run"], \
        "the sticky comment is found by its marker, not as whatever the bot said last"
    assert 'gh api --method PATCH "repos/$REPO/issues/comments/$id" -F body=@diff.md' in comment["run"]
    uploads = [s["with"] for s in review["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads == [{"name": "preview", "path": "preview/"}, {"path": "redline.html", "archive": False},
                       {"name": "site", "path": "site/\ndiff.md\n"}]
    pages = next(s for s in deploy["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert pages["with"]["path"] == "site/"
    installs = [s["run"] for _, s in steps(workflow) if s.get("run", "").startswith("pip ")]
    assert installs == ["pip install -c constraints.txt -e ."] * 2, "the locked versions the tests passed with"
    assert (REPO / "constraints.txt").is_file()
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert "guidance" in scripts, "pip install puts the guidance command on the path"


@pytest.mark.slow
def test_every_guidance_command_in_the_workflow_works(workflow, tmp_path, monkeypatch):
    commands = guidance_commands(workflow)
    assert [(job, args[0]) for job, args, _ in commands] == [
        ("review", "validate"), ("review", "build"), ("review", "diff"), ("review", "build"), ("review", "diff"),
        ("review", "diff"), ("deploy", "validate"), ("deploy", "build")]
    assert [args for _, args, _ in commands if "--check" in args] == [
        ["diff", "HEAD^1", "HEAD", "--check", "--format", "github"]], "the gate on public change runs on each PR"
    assert ["build", "--preview", "--offline", "--out", "preview", "--format", "github"] in [a for _, a, _ in commands]
    assert all(args[-2:] == ["--format", "github"] for _, args, _ in commands if args[0] in ("validate", "build")), \
        "problems are annotations on the lines they are about"
    monkeypatch.setenv("GUIDANCE_SITE_URL", "https://example.github.io/guidance/")
    repo = GitProject(tmp_path / "repo", "2026-11-01")
    try:
        repo.git("checkout", "-q", "-b", "edit")
        repo.replace("content/alpha/01-basics.yaml", "Courts can make", "Courts may make")
        repo.commit("Reword", "2026-12-01")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "edit", "-m", "Merge pull request", day="2026-12-02")
        monkeypatch.chdir(repo.root)
        gate = CliRunner(env=env("2026-12-02")).invoke(main, ["diff", "HEAD^1", "HEAD", "--check", "--format",
                                                              "github"], catch_exceptions=False)
        assert gate.exit_code == 1 and gate.output.startswith(
            "::error file=content/alpha/document.yaml,line=13,col=5,title=edition.unrecorded::"), gate.output
        repo.git("reset", "-q", "--hard", "HEAD^1")
        repo.git("checkout", "-q", "edit")
        published = CliRunner(env=env("2026-12-01")).invoke(main, [
            "publish", "alpha", "--version", "1.1", "--note", "Courts may make orders.", "--minor", "--date",
            "2026-12-01", "--yes"], catch_exceptions=False)
        assert published.exit_code == 0, published.output
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "edit", "-m", "Merge pull request", day="2026-12-02")
        for job, args, target in commands:
            result = CliRunner(env=env("2026-12-02")).invoke(main, args, catch_exceptions=False)
            assert result.exit_code == 0, (job, args, result.output)
            if target:
                Path(target).write_text(result.output, encoding="utf-8")
        assert (repo.root / "site/alpha/changes/index.html").is_file()
        preview = repo.root / "preview"  # the offline preview: pages are files, drafts shown, search inlined
        assert (preview / "alpha/changes.html").is_file() and not (preview / "alpha/changes").exists()
        assert "Zebra quartz marmalade" in (preview / "alpha/basics.html").read_text()
        assert (preview / "search/search_index.js").is_file()
        comment = (repo.root / "diff.md").read_text()
        assert comment.startswith("<!-- guidance-diff -->\n### Content changes: HEAD^1 (")
        assert (repo.root / "redline.html").read_text().startswith("<!doctype html>")
        assert "| Alpha guidance | 1.1 What stalking is (`what-it-is`) | published | all | 1 paragraph changed | yes |" \
            in comment
    finally:
        repo.close()


def _preview_line_step(workflow) -> dict:
    review = workflow["jobs"]["review"]["steps"]
    names = [s.get("name") for s in review]
    step = review[names.index("Say where the preview is")]
    assert names.index("Describe what changed and for whom") < names.index("Say where the preview is") \
        < names.index("Comment on the pull request"), "the line is added to diff.md before it is posted"
    assert names.index("Build the preview that browses from disk (drafts included, with their status)") \
        < next(i for i, s in enumerate(review) if s.get("id") == "preview") < names.index("Say where the preview is")
    return step


def test_the_comment_says_where_the_preview_is_and_stays_under_65000_characters(workflow, tmp_path):
    """The step's own script, run by bash on a comment as long as guidance diff ever writes (COMMENT_LIMIT),
    with addresses as long as GitHub's names allow (an owner of 39 characters, a repository of 100)."""
    from builder.review.diff_report import COMMENT_LIMIT

    step = _preview_line_step(workflow)
    assert step["env"] == {
        "ARTIFACT_URL": "${{ steps.preview.outputs.artifact-url }}",
        "RUN_URL": "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"}
    run_url = f"https://github.com/{'o' * 39}/{'r' * 100}/actions/runs/{9 * 10 ** 19}"
    artifact_url = f"{run_url}/artifacts/{9 * 10 ** 19}"
    comment = "<!-- guidance-diff -->\n" + "x" * (COMMENT_LIMIT - 24) + "\n"
    assert len(comment) == COMMENT_LIMIT
    (tmp_path / "diff.md").write_text(comment, encoding="utf-8")
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, check=True, timeout=60,
                   env={"PATH": os.environ["PATH"], "ARTIFACT_URL": artifact_url, "RUN_URL": run_url})
    posted = (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert posted.startswith(comment) and len(posted) < 65_000, len(posted)
    line = posted[len(comment):]
    assert line == (f"\n**Preview with drafts:** [download the `preview` artifact]({artifact_url}) of "
                    f"[this run]({run_url}), unzip it and open `index.html` in a browser (search works from disk).\n")
