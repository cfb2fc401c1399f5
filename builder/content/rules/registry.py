"""What a house rule is: its code, default severity, documentation and examples, and the function that checks it.
Each rule module registers its rules with @rule; the package imports them in the order docs/rules.md lists them."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from builder.content import config
from builder.content.config import Config
from builder.content.model import Pos, Section


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # the default; [tool.guidance.severity] may change it when `tunable`
    title: str
    doc: str
    good: str  # YAML: a section (or, when `example` is "term", a glossary entry) that passes
    bad: str  # the same, failing
    example: str = "section"
    tunable: bool = True  # severity configurable and the rule waivable per section
    check: Callable | None = None  # None: the check lives in load.py or validate/ and is documented here
    whole_tree: bool = False  # needs every file: skipped while any file fails to load or validate


@dataclass(frozen=True)
class Finding:
    pos: Pos
    message: str
    hint: str
    section: Section | None = None


RULES: dict[str, Rule] = {}


def rule(code: str, severity: str, title: str, good: str, bad: str, example: str = "section",
         whole_tree: bool = False, tunable: bool = True):
    """Register a house rule; its docstring is its documentation."""
    def register(fn):
        RULES[code] = Rule(code, severity, title, inspect.cleandoc(fn.__doc__), good.strip("\n"), bad.strip("\n"),
                           example, tunable, fn, whole_tree)
        return fn
    return register


def arrange(modules: list) -> None:
    """Put RULES in the order of the modules that registered them (each module's own in the order it registered
    them): the order of the checks, of their problems and of docs/rules.md, whatever order the imports ran in."""
    place = {m.__name__: i for i, m in enumerate(modules)}
    ordered = sorted(RULES.values(), key=lambda r: place[r.check.__module__])  # sorted() keeps each module's order
    RULES.clear()
    RULES.update((r.code, r) for r in ordered)


def fixed(code: str, severity: str, title: str, doc: str, good: str, bad: str) -> None:
    """Register a problem that load.py or validate/ finds, so that it is documented beside the rules."""
    RULES[code] = Rule(code, severity, title, inspect.cleandoc(doc), good.strip("\n"), bad.strip("\n"), tunable=False)


def codes() -> dict[str, bool]:
    """Every documented code → whether a project may tune it."""
    return {code: r.tunable for code, r in RULES.items()}


def configure(root: Path | None) -> Config:
    """The project's settings for these rules, from [tool.guidance] in root/pyproject.toml."""
    return config.from_pyproject(root, codes())


_SECTION_HEAD = """\
- id: {id}
  title: {title}
  audiences: [police]
  status: published
"""


def example(sid: str, title: str, body: str, extra: str = "") -> str:
    """A section's YAML for a rule's documented example: its head, extra fields, then its blocks."""
    return _SECTION_HEAD.format(id=sid, title=title) + extra + "  blocks:\n" + body
