"""Shared fixtures: a copy of the small fixture project per test, and the --update-golden switch."""
from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "site"
REPO = Path(__file__).resolve().parent.parent


def under_ci() -> bool:
    """True under CI (GitHub Actions sets CI=true), where nothing may skip: a missing tool is a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(module: str, install: str):
    """The module, imported. When it is missing: a skip with how to install it locally, a failure under CI.
    Works at module level (a failure there is a collection error, which fails the run)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if under_ci():
            pytest.fail(f"{module} is missing under CI, so these tests cannot run: {install}", pytrace=False)
        pytest.skip(f"{module} is not installed ({install}); skipped locally", allow_module_level=True)


def in_fresh_process(func, *args):
    """func(*args), a function of a test module, run in a new Python process and its value (which must be JSON).
    A new process starts clean, whatever earlier tests left in this one (threads, patched modules)."""
    module = ".".join(Path(func.__code__.co_filename).resolve().relative_to(REPO).with_suffix("").parts)
    code = f"import json, sys; from {module} import {func.__name__} as f; print(json.dumps(f(*sys.argv[1:])))"
    run = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=REPO, capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.splitlines()[-1])


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite tests/golden/ from the current output.")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Each test gets an empty validate cache of its own, outside every project (as users do in ~/.cache)."""
    monkeypatch.setenv("GUIDANCE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the fixture project (content/ and mkdocs.yml) that a test may change."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture
def repo(tmp_path):
    """The fixture project in a fresh git repository on main, first committed on 1 November 2026 (tests/gitrepo.py)."""
    from gitrepo import GitProject

    project = GitProject(tmp_path / "repo", "2026-11-01")
    yield project
    project.close()


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def served(project):
    """guidance serve on a copy of the fixture project, on a free port: (project, base URL, terminal lines)."""
    from builder.preview.server import serve

    lines, ready, stop = [], threading.Event(), threading.Event()
    url = {}

    def on_ready(address):
        url["base"] = address
        ready.set()

    thread = threading.Thread(target=serve, args=(project, 0), daemon=True,
                              kwargs=dict(echo=lines.append, stop=stop, on_ready=on_ready))
    thread.start()
    assert ready.wait(60), lines
    yield project, url["base"], lines
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
