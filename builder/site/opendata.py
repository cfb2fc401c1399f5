"""Site stage, open data: the JSON schema published beside the files, and every JSON file the build writes checked
against it before the engine runs; a file that does not match stops the build."""
from __future__ import annotations

import json
from importlib import resources

from jsonschema import Draft202012Validator, FormatChecker

from builder.content.model import Pos, Problem
from builder.render.opendata import SCHEMA_PATH

SCHEMA = resources.files("builder.schemas") / "guidance.schema.json"  # schemas/, shipped as builder.schemas


def schema(site_url: str | None) -> dict:
    """The schema as the site publishes it: with its own address as $id when the site has one."""
    spec = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return {"$schema": spec.pop("$schema"), **({"$id": site_url + SCHEMA_PATH} if site_url else {}), **spec}


def with_schema(files: dict[str, str], site_url: str | None) -> dict[str, str]:
    """files and, when they hold open data, the schema at SCHEMA_PATH (written with json.dumps, from data)."""
    if not any(rel.endswith(".json") for rel in files):
        return files
    return {**files, SCHEMA_PATH: json.dumps(schema(site_url), ensure_ascii=False, indent=2) + "\n"}


def problems(files: dict[str, str]) -> list[Problem]:
    """Every open data JSON file of files (all but the schema) checked against the schema: one problem per
    mismatch, at the file, with the JSON Pointer of the value and what is wrong with it."""
    validator = Draft202012Validator(schema(None), format_checker=FormatChecker())
    out = []
    for rel, text in sorted(files.items()):
        if not rel.endswith(".json") or rel == SCHEMA_PATH:
            continue
        try:
            data = json.loads(text)
        except ValueError as err:
            out.append(_problem(rel, f"is not JSON: {err}"))
            continue
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
            pointer = "".join(f"/{part}" for part in error.absolute_path) or "/"
            out.append(_problem(rel, f"does not match its schema at {pointer}: {error.message}"))
    return out


def _problem(rel: str, message: str) -> Problem:
    return Problem(Pos(f"site/{rel}"), "error", "build.open-data", f"site/{rel} {message}",
                   "The build was stopped and the old site kept. The file is made from the content by "
                   "builder/render/opendata.py: report this with the content that caused it.")
