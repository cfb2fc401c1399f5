"""Configuration: the house rules' severities and settings from `[tool.guidance]` in the project's pyproject.toml."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from builder.content.model import Pos, Problem

SEVERITIES = ("error", "warning", "info", "off")
DEFAULT_MAX_WORDS = 25
# Abbreviations every reader knows (GOV.UK: "you do not need to spell out … UK"); extend in pyproject.toml.
DEFAULT_KNOWN = ("UK",)


@dataclass(frozen=True)
class Config:
    """What a project may tune: the severity of each house rule, the sentence limit and well-known abbreviations."""

    severity: dict[str, str] = field(default_factory=dict)
    max_sentence_words: int = DEFAULT_MAX_WORDS
    known_abbreviations: frozenset[str] = frozenset(DEFAULT_KNOWN)
    clearance_roles: tuple[str, ...] = ()  # who must clear a major edition (guidance publish --cleared-by ROLE=NAME)
    problems: tuple[Problem, ...] = ()


def find_root(start: Path) -> Path | None:
    """The project folder holding start: the nearest folder, start or above it, with a content/ folder and a
    mkdocs.yml (or pyproject.toml) beside it, so that every command works from anywhere inside the project."""
    start = Path(start).absolute()
    for folder in (start, *start.parents):
        if (folder / "content").is_dir() and ((folder / "mkdocs.yml").is_file() or (folder / "pyproject.toml").is_file()):
            return folder
    return None


def from_pyproject(root: Path | None, codes: dict[str, bool]) -> Config:
    """Read [tool.guidance] from root/pyproject.toml. `codes` maps every rule code to whether it may be tuned.
    Mistakes in the table become problems (positioned in pyproject.toml) and the defaults apply."""
    path = root / "pyproject.toml" if root else None
    if path is None or not path.is_file():
        return Config()
    text = path.read_text(encoding="utf-8")
    try:
        table = tomllib.loads(text).get("tool", {}).get("guidance", {})
    except tomllib.TOMLDecodeError as err:
        where = re.search(r"line (\d+), column (\d+)", str(err))
        pos = Pos("pyproject.toml", int(where[1]), int(where[2])) if where else Pos("pyproject.toml")
        return Config(problems=(Problem(pos, "error", "config.syntax", f"pyproject.toml cannot be read: {err}",
                                        "Fix the TOML syntax; the house rules use their default settings meanwhile."),))
    problems: list[Problem] = []

    def problem(key: str, code: str, message: str, hint: str):
        problems.append(Problem(_key_pos(text, key), "error", code, message, hint))

    severity: dict[str, str] = {}
    for code, level in table.get("severity", {}).items():
        if code not in codes:
            problem(code, "config.unknown-rule", f"[tool.guidance.severity] names an unknown rule '{code}'",
                    "Use a code listed in docs/rules.md, for example style.sentence-length.")
        elif not codes[code]:
            problem(code, "config.fixed-rule", f"rule '{code}' cannot be tuned",
                    "Reference, id and safety checks protect the site and always apply.")
        elif level not in SEVERITIES:
            problem(code, "config.severity", f"severity '{level}' for '{code}' is not one of {', '.join(SEVERITIES)}",
                    "Write for example \"style.sentence-length\" = \"warning\".")
        else:
            severity[code] = level
    max_words = table.get("max-sentence-words", DEFAULT_MAX_WORDS)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 5:
        problem("max-sentence-words", "config.value", "max-sentence-words must be a whole number of at least 5",
                "GOV.UK advises sentences of no more than 25 words.")
        max_words = DEFAULT_MAX_WORDS
    known = table.get("known-abbreviations", list(DEFAULT_KNOWN))
    if not isinstance(known, list) or not all(isinstance(k, str) for k in known):
        problem("known-abbreviations", "config.value", "known-abbreviations must be a list of text",
                "Write for example known-abbreviations = [\"UK\", \"NHS\"].")
        known = list(DEFAULT_KNOWN)
    roles = table.get("clearance-roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) and re.fullmatch(r"[a-z][a-z0-9-]*", r) for r in roles):
        problem("clearance-roles", "config.value", "clearance-roles must be a list of role names in lower case",
                "Write for example clearance-roles = [\"policy\", \"legal\"].")
        roles = []
    for key in sorted(set(table) - {"severity", "max-sentence-words", "known-abbreviations", "clearance-roles"}):
        problem(key, "config.unknown-key", f"[tool.guidance] has an unknown setting '{key}'",
                "Settings: severity, max-sentence-words, known-abbreviations, clearance-roles.")
    return Config(severity, max_words, frozenset(known), tuple(dict.fromkeys(roles)), tuple(problems))


def _key_pos(text: str, key: str) -> Pos:
    """Where `key` is written in pyproject.toml (tomllib keeps no positions), else the [tool.guidance] table."""
    for pattern in (rf'^\s*"{re.escape(key)}"\s*=', rf"^\s*{re.escape(key)}\s*=", r"^\[tool\.guidance"):
        if (m := re.search(pattern, text, re.M)):
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1 + (len(m.group()) - len(m.group().lstrip()))
            return Pos("pyproject.toml", line, col)
    return Pos("pyproject.toml")
