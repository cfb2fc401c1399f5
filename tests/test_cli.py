"""The command line, run in-process: exit codes and output together."""
import json

import pytest
from click.testing import CliRunner

from builder.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _break(project):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("    audiences: [police]\n", "", 1))
    return "content/alpha/01-basics.yaml"


def test_validate_clean_project(project):
    result = run("validate", "--root", project)
    assert result.exit_code == 0
    assert result.output == "no problems\n"


def test_validate_reports_position_code_message_and_hint(project):
    rel = _break(project)
    result = run("validate", "--root", project)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{rel}:28:5: error [schema.required] section 'for-police' has no 'audiences'",
        "    hint: Add 'audiences:'. Who the section is for: audience ids, or [all].",
        "1 error in 1 file",
    ]


def test_validate_json_and_github_formats(project):
    rel = _break(project)
    as_json = run("validate", "--root", project, "--format", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.output) == [{
        "file": rel, "line": 28, "col": 5, "severity": "error", "code": "schema.required",
        "message": "section 'for-police' has no 'audiences'",
        "hint": "Add 'audiences:'. Who the section is for: audience ids, or [all].",
    }]
    github = run("validate", "--root", project, "--format", "github")
    assert github.output.startswith(f"::error file={rel},line=28,col=5,title=schema.required::")


def test_misuse_exits_2(project):
    assert run("validate", "--format", "xml").exit_code == 2
    assert run("build", "--no-such-flag").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_strict_turns_warnings_into_failure(project):
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("audiences: [police]", "audiences: [all, police]", 1))
    assert run("validate", "--root", project).exit_code == 0
    strict = run("validate", "--root", project, "--strict")
    assert strict.exit_code == 1 and "warning [audience.all-and-more]" in strict.output


@pytest.mark.slow
def test_build_then_broken_build_keeps_site(project):
    ok = run("build", "--root", project)
    assert ok.exit_code == 0 and (project / "site/index.html").is_file()
    before = (project / "site/alpha/basics/index.html").read_bytes()
    _break(project)
    failed = run("build", "--root", project)
    assert failed.exit_code == 1
    assert "error [schema.required]" in failed.output
    assert "the previous site was left as it was" in failed.output
    assert (project / "site/alpha/basics/index.html").read_bytes() == before


def test_garbage_yaml_never_shows_a_traceback(project):
    (project / "content/alpha/05-junk.yaml").write_bytes(b"\x00\xff: [\n\t{{{")
    result = run("validate", "--root", project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("content/alpha/05-junk.yaml:1:2: error [load.encoding] byte 0xff")


@pytest.mark.parametrize("to_file", [True, False])
def test_validate_as_a_process_prints_everything_before_it_ends(project, tmp_path, to_file):
    """`guidance validate` and `guidance diff` end with os._exit once their output is flushed (cli.QUICK_EXIT):
    run as a process, to a file and to a pipe, every problem is printed, whole, with the exit code."""
    import subprocess
    import sys

    chapter = project / "content/alpha/01-basics.yaml"
    # A problem in each of the chapter's sections: its audiences removed.
    chapter.write_text(chapter.read_text().replace("    audiences: [police]\n", ""))
    expected = json.loads(run("validate", "--root", project, "--format", "json", "--no-cache").output)
    command = [sys.executable, "-m", "builder", "validate", "--root", str(project), "--format", "json", "--no-cache"]
    if to_file:
        with open(tmp_path / "out.json", "w") as out:
            done = subprocess.run(command, stdout=out, timeout=120)
        printed = (tmp_path / "out.json").read_text()
    else:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        printed = done.stdout
    assert done.returncode == 1 and expected and json.loads(printed) == expected
