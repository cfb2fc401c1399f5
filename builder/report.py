"""Report stage: the only place that decides how problems look (text, JSON or GitHub annotations)."""
from __future__ import annotations

import json
from collections import Counter

from builder.model import Problem


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.pos.file, p.pos.line, p.pos.col, p.code))


def summary(problems: list[Problem]) -> str:
    counts = Counter(p.severity for p in problems)
    files = len({p.pos.file for p in problems})
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}" if parts else "no problems"


def as_text(problems: list[Problem]) -> str:
    lines = []
    for p in sort_problems(problems):
        lines.append(f"{p.pos}: {p.severity} [{p.code}] {p.message}")
        if p.hint:
            lines.append(f"    hint: {p.hint}")
    lines.append(summary(problems))
    return "\n".join(lines)


def as_json(problems: list[Problem]) -> str:
    return json.dumps([
        {"file": p.pos.file, "line": p.pos.line, "col": p.pos.col, "severity": p.severity,
         "code": p.code, "message": p.message, "hint": p.hint}
        for p in sort_problems(problems)
    ], indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    # GitHub workflow commands: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: list[Problem]) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for p in sort_problems(problems):
        message = f"[{p.code}] {p.message}" + (f"\n{p.hint}" if p.hint else "")
        lines.append(f"::{level[p.severity]} file={_escape_prop(p.pos.file)},line={p.pos.line},col={p.pos.col},"
                     f"title={_escape_prop(p.code)}::{_escape_data(message)}")
    return "\n".join(lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
