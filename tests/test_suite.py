"""The suite's own rules: under CI nothing skips for a missing package, and no test waits a fixed time."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import require

TESTS = Path(__file__).resolve().parent
SOURCES = sorted(p for p in TESTS.rglob("*.py") if p.name != "test_suite.py")


def test_a_missing_package_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="missing under CI"):
        require("no_such_package_for_guidance", "pip install it")
    for value in ("", "false", "0"):
        monkeypatch.setenv("CI", value)
        with pytest.raises(pytest.skip.Exception, match="skipped locally"):
            require("no_such_package_for_guidance", "pip install it")
    assert require("json", "it comes with Python").dumps([]) == "[]"


def test_no_test_skips_a_missing_package_without_asking_ci():
    """pytest's import-or-skip helper skips even under CI; tests/conftest.py require() fails there instead."""
    helper = "importor" + "skip("  # spelled in two so that this file does not find itself
    found = [f"{p.relative_to(TESTS)}:{n}" for p in SOURCES
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if helper in line]
    assert found == []


def test_no_test_waits_a_fixed_time():
    """A fixed sleep is too short on a busy machine and too long on a quiet one: tests wait for a condition."""
    fixed = re.compile(r"\btime\.sleep\(|\bwait_for_timeout\(|\basyncio\.sleep\(")
    found = [f"{p.relative_to(TESTS)}:{n}" for p in SOURCES
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if fixed.search(line)]
    assert found == []
