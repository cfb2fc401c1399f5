"""The problem report every command prints, beside the CLI: the only place that decides how problems look (text,
JSON or GitHub annotations). It reads only the model (builder/content/model.py), so any stage may use it."""
from __future__ import annotations

import json
import re
from collections import Counter

from builder.content.model import Problem


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.pos.file, p.pos.line, p.pos.col, p.code))


def in_a_file(problem: Problem) -> bool:
    """Whether a problem is placed in a file (a line of it, or a path named like a file), not at a folder, an option
    (--id) or the command as a whole."""
    path = problem.pos.file
    return bool(problem.pos.line) or (not path.startswith("-") and bool(re.search(r"[^/.]\.[A-Za-z0-9]+$", path)))


def _counted(counts: Counter) -> str:
    return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info")
                     if counts[s])


def summary(problems: list[Problem]) -> str:
    """"2 errors, 1 warning in 2 files"; problems that belong to no file are counted but place nothing in a file
    ("1 error"; "3 errors (2 in 1 file)")."""
    if not problems:
        return "no problems"
    placed = [p for p in problems if in_a_file(p)]
    files = len({p.pos.file for p in placed})
    everything = _counted(Counter(p.severity for p in problems))
    if not placed:
        return everything
    where = f"in {files} file{'s' if files != 1 else ''}"
    if len(placed) == len(problems):
        return f"{everything} {where}"
    return f"{everything} ({_counted(Counter(p.severity for p in placed))} {where})"


# Line breaks and other control characters, which a file name or a value can carry: printed as escapes, so that
# no problem can start a line of its own (in a CI log, a line starting "::" is a workflow command).
_BREAKS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    return _BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def as_text(problems: list[Problem]) -> str:
    lines = []
    for p in sort_problems(problems):
        lines.append(one_line(f"{p.pos}: {p.severity} [{p.code}] {p.message}"))
        if p.hint:  # a hint may hold lines to paste (a YAML snippet): each is indented under the first
            first, *more = p.hint.split("\n")
            lines.append(one_line(f"    hint: {first}"))
            lines += [one_line(f"          {line}") for line in more]
    lines.append(summary(problems))
    return "\n".join(lines)


def as_json(problems: list[Problem]) -> str:
    return json.dumps([
        {"file": p.pos.file, "line": p.pos.line or None, "col": p.pos.col or None, "severity": p.severity,
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
        where = f",line={p.pos.line},col={p.pos.col}" if p.pos.line else ""  # else an annotation of the file
        lines.append(f"::{level[p.severity]} file={_escape_prop(p.pos.file)}{where},"
                     f"title={_escape_prop(p.code)}::{_escape_data(message)}")
    return "\n".join(lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
