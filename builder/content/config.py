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
        tool = tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError as err:
        return Config(problems=(_syntax_problem(err),))
    table = tool.get("guidance", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):  # `tool = 3` or `[tool]` then `guidance = "x"`
        key = "guidance" if isinstance(tool, dict) else "tool"
        return Config(problems=(Problem(_key_pos(text, key), "error", "config.value",
                                        "[tool.guidance] must be a table of settings",
                                        "Write the settings under a [tool.guidance] heading, one a line."),))
    given = table.get("severity", {})
    severity, mistakes = _severities(given if isinstance(given, dict) else {}, codes)
    if not isinstance(given, dict):
        mistakes.insert(0, ("severity", "config.value", "severity must be a table of rule codes and severities",
                            'Write [tool.guidance.severity] and under it, for example "style.sentence-length" = '
                            '"info".'))
    value: dict[str, object] = {}
    for key in SETTINGS:
        value[key], mistake = _setting(table, key)
        if mistake:
            mistakes.append(mistake)
    mistakes += [(key, "config.unknown-key", f"[tool.guidance] has an unknown setting '{key}'",
                  "Settings: severity, max-sentence-words, known-abbreviations, clearance-roles.")
                 for key in sorted(set(table) - {"severity", *SETTINGS})]
    return Config(severity, value["max-sentence-words"], frozenset(value["known-abbreviations"]),
                  tuple(dict.fromkeys(value["clearance-roles"])),
                  tuple(Problem(_key_pos(text, key), "error", code, message, hint)
                        for key, code, message, hint in mistakes))


# A mistake in [tool.guidance]: the key it is written at (to place the problem), the problem's code, message and hint.
Mistake = tuple[str, str, str, str]


def _syntax_problem(err: tomllib.TOMLDecodeError) -> Problem:
    """pyproject.toml is not TOML: placed where tomllib says, when it says."""
    where = re.search(r"line (\d+), column (\d+)", str(err))
    pos = Pos("pyproject.toml", int(where[1]), int(where[2])) if where else Pos("pyproject.toml")
    return Problem(pos, "error", "config.syntax", f"pyproject.toml cannot be read: {err}",
                   "Fix the TOML syntax; the house rules use their default settings meanwhile.")


def _severities(given: dict, codes: dict[str, bool]) -> tuple[dict[str, str], list[Mistake]]:
    """[tool.guidance.severity]: rule code → severity for the rules that may be tuned, and the mistakes in it."""
    severity: dict[str, str] = {}
    mistakes: list[Mistake] = []
    for code, level in given.items():
        if code not in codes:
            mistakes.append((code, "config.unknown-rule", f"[tool.guidance.severity] names an unknown rule '{code}'",
                             "Use a code listed in docs/rules.md, for example style.sentence-length."))
        elif not codes[code]:
            mistakes.append((code, "config.fixed-rule", f"rule '{code}' cannot be tuned",
                             "Reference, id and safety checks protect the site and always apply."))
        elif level not in SEVERITIES:
            mistakes.append((code, "config.severity",
                             f"severity '{level}' for '{code}' is not one of {', '.join(SEVERITIES)}",
                             "Write for example \"style.sentence-length\" = \"warning\"."))
        else:
            severity[code] = level
    return severity, mistakes


def _is_sentence_limit(value) -> bool:
    """A whole number of at least 5 (TOML's true and false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 5


def _is_texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(k, str) for k in value)


def _is_role_names(value) -> bool:
    return isinstance(value, list) and all(isinstance(r, str) and re.fullmatch(r"[a-z][a-z0-9-]*", r) for r in value)


# The settings of [tool.guidance] besides severity, in the order they are checked:
# key → (its default, whether a value is right, the message and hint when it is not).
SETTINGS = {
    "max-sentence-words": (DEFAULT_MAX_WORDS, _is_sentence_limit,
                           "max-sentence-words must be a whole number of at least 5",
                           "GOV.UK advises sentences of no more than 25 words."),
    "known-abbreviations": (DEFAULT_KNOWN, _is_texts, "known-abbreviations must be a list of text",
                            "Write for example known-abbreviations = [\"UK\", \"NHS\"]."),
    "clearance-roles": ((), _is_role_names, "clearance-roles must be a list of role names in lower case",
                        "Write for example clearance-roles = [\"policy\", \"legal\"]."),
}


def _setting(table: dict, key: str) -> tuple[object, Mistake | None]:
    """The value of one setting, or its default when it is not given or not right (then with the mistake)."""
    default, right, message, hint = SETTINGS[key]
    if key not in table:
        return default, None
    if not right(table[key]):
        return default, (key, "config.value", message, hint)
    return table[key], None


def _key_pos(text: str, key: str) -> Pos:
    """Where `key` is written in pyproject.toml (tomllib keeps no positions), else the [tool.guidance] table."""
    for pattern in (rf'^\s*"{re.escape(key)}"\s*=', rf"^\s*{re.escape(key)}\s*=", r"^\[tool\.guidance"):
        if (m := re.search(pattern, text, re.M)):
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1 + (len(m.group()) - len(m.group().lstrip()))
            return Pos("pyproject.toml", line, col)
    return Pos("pyproject.toml")
