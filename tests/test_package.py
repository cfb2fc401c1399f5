"""The package as users install it: a wheel (not the checkout) carries everything guidance needs, schemas included,
and installing it prints no setuptools warnings (`make site` on a fresh machine used to print about 100 lines)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, REPO

# Python warnings from the build backend (pip shows them as BuildBackendWarning: …, setuptools' own are
# SetuptoolsDeprecationWarning, …). pip's "WARNING:" lines are about the machine's pip configuration, not the project.
WARNING = re.compile(r"Warning\b")
SOURCES = ("pyproject.toml", "README.md", "builder", "schemas")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def _tracked(folder: str) -> list[Path]:
    """Files of the package's folders as a clone has them (no caches)."""
    return sorted(p.relative_to(REPO) for p in (REPO / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def _pip(*args: str, cwd: Path, warnings: str = "") -> str:
    """Run pip as `make site` does (build isolation on, so the build backend is the one pyproject.toml asks for);
    its whole output, which must succeed."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONWARNINGS": warnings}
    done = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def test_every_folder_of_builder_is_a_listed_package():
    """setuptools warns about (and leaves out) a folder it is not told of: the list in pyproject.toml is the tree."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    files = _tracked("builder")
    folders = {folder for p in files for folder in p.parents if folder.parts}
    assert sorted(config["packages"]) == sorted({".".join(f.parts) for f in folders} | {"builder.schemas"})
    assert config["package-dir"] == {"builder.schemas": "schemas"}
    holding_data = {".".join(p.parent.parts) for p in files if p.suffix != ".py"} | {"builder.schemas"}
    assert sorted(holding_data - set(config["package-data"])) == []


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The project's packaging inputs, copied out of the checkout so that building leaves nothing in it."""
    root = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=IGNORED)
        else:
            shutil.copy(REPO / name, root / name)
    return root


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("wheel")
    output = _pip("wheel", "--no-deps", "--wheel-dir", str(out), str(source), cwd=out)
    [built] = out.glob("guidance-*.whl")
    return built, output


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, str]:
    """The wheel installed into a folder of its own (its dependencies are the project venv's)."""
    target = tmp_path_factory.mktemp("installed")
    output = _pip("install", "--no-deps", "--target", str(target), str(wheel[0]), cwd=target)
    return target, output


@pytest.mark.slow
def test_building_and_installing_the_wheel_prints_no_warnings(wheel, installed):
    for output in (wheel[1], installed[1]):
        assert [line for line in output.splitlines() if WARNING.search(line)] == [], output


@pytest.mark.slow
def test_an_editable_install_as_make_does_it_prints_nothing(source, tmp_path):
    """`make site` and `make test` install the checkout editable, quietly, leaving out setuptools' notice that an
    editable install with a mapped folder uses an import finder (information only, on every such install).
    Without that filter the notice (if this setuptools prints it) is the only warning: nothing else is hidden."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    [filters] = re.findall(r"^PIP_INSTALL := PYTHONWARNINGS='([^']*)' \$\(BIN\)/pip install --quiet$", makefile, re.M)
    assert filters == "ignore:Editable installation"
    installs = [line.strip() for line in makefile.splitlines() if line.startswith("\t") and re.search(r" -e ", line)]
    assert installs and all(line.startswith("$(PIP_INSTALL) ") for line in installs), installs
    args = ("install", "--no-deps", "--editable", str(source))
    quiet = _pip(*args, "--quiet", "--target", str(tmp_path / "quiet"), cwd=tmp_path, warnings=filters)
    assert quiet == ""
    loud = _pip(*args, "--target", str(tmp_path / "loud"), cwd=tmp_path)
    assert "Successfully installed guidance" in loud
    # setuptools 84 (December 2026) no longer prints the notice; older releases print it and nothing else.
    assert [re.sub(r".*Warning: ", "", line) for line in loud.splitlines() if WARNING.search(line)] in (
        [], ["Editable installation."]), loud


@pytest.mark.slow
def test_the_wheel_carries_every_file_of_the_package_and_the_schemas(wheel):
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    expected = {p.as_posix() for p in _tracked("builder")}
    expected |= {f"builder/schemas/{p.name}" for p in _tracked("schemas")}
    assert sorted(expected - names) == []
    assert {n for n in names if n.endswith(".schema.json")} == {
        f"builder/schemas/{p.name}" for p in (REPO / "schemas").glob("*.schema.json")}


def _run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`guidance <args>` from the installed wheel alone: no site (so the checkout's editable install is not on the
    path), the wheel's folder first, then the project venv's packages for the dependencies; run outside the
    repository."""
    code = ("import sys, builder\n"
            "assert builder.__file__.startswith(sys.argv[1]), builder.__file__\n"
            "del sys.argv[1]\n"
            "from builder.cli import run\n"
            "run()\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), sysconfig.get_paths()["purelib"],
                                                        sysconfig.get_paths()["platlib"]])}
    return subprocess.run([sys.executable, "-S", "-c", code, str(installed), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def outside(tmp_path) -> Path:
    """A copy of the fixture project, far from the repository."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    assert REPO not in root.resolve().parents
    return root


@pytest.mark.slow
def test_the_installed_wheel_validates_with_its_own_schemas(installed, outside):
    done = _run_installed(installed[0], outside, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    # The schemas are really read: a field the chapter schema does not allow is a positioned problem.
    chapter = next((outside / "content").glob("*/[0-9]*.yaml"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "not_a_field: 1\n", encoding="utf-8")
    done = _run_installed(installed[0], outside, "validate")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(rf"{re.escape(chapter.name)}:\d+:\d+: error .*not_a_field", done.stdout + done.stderr), \
        done.stdout + done.stderr


@pytest.mark.slow
def test_the_installed_wheel_builds_the_site_with_its_own_templates_and_theme(installed, outside):
    done = _run_installed(installed[0], outside, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (outside / "site/alpha/basics/index.html").read_text(encoding="utf-8")
    assert "1.1 What stalking is" in page
    assert [p.name for p in (outside / "site").rglob("guidance.css")] == ["guidance.css"]  # the theme's own file
