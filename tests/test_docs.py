"""The handbooks' commands work as printed: every ```sh example block in README.md and docs/ runs, line by line,
on a fresh clone of the project (with `guidance` the installed command), and each line succeeds."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import env

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```sh example\n(.*?)^```", re.M | re.S)


def examples() -> list[tuple[str, list[str]]]:
    found = []
    for page in PAGES:
        for i, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")), 1):
            lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            found.append((f"{page.name}#{i}", lines))
    return found


def test_the_editors_handbook_has_an_example_to_run():
    assert [name for name, _ in examples() if name.startswith("editors.md")], "the first edit, step by step"


@pytest.mark.slow
@pytest.mark.parametrize("name,lines", examples(), ids=[name for name, _ in examples()])
def test_every_example_runs_as_printed_on_a_fresh_clone(tmp_path, name, lines):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(REPO), str(clone)], check=True)
    for key, value in (("user.email", "editor@example.org"), ("user.name", "Editor")):
        subprocess.run(["git", "-C", str(clone), "config", key, value], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "-B", "main"], check=True)
    for line in lines:
        args = shlex.split(line)
        if args[0] == "guidance":
            args = [sys.executable, "-m", "builder", *args[1:]]
        run = subprocess.run(args, cwd=clone, capture_output=True, text=True, timeout=300, env=env("2026-12-07"))
        assert run.returncode == 0, (name, line, run.stdout[-2000:], run.stderr[-2000:])
