"""Schemas: valid 2020-12, a description on every property, and their examples pass."""
import json

import pytest
from jsonschema import Draft202012Validator

from builder.content.validate.schema import SCHEMA_DIR, schema

KINDS = ["document", "chapter", "audiences", "legislation", "glossary", "services", "translation",
         "registry-translation"]


def _properties(node, where="#"):
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}/properties/{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_and_documented(kind):
    spec = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text())
    Draft202012Validator.check_schema(spec)
    assert spec["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    undocumented = [where for where, prop in _properties(spec)
                    if not prop.get("description") and "$ref" not in prop]
    assert undocumented == []
    assert spec["examples"], "each schema carries a realistic example"
    for example in spec["examples"]:
        assert list(schema(kind).iter_errors(example)) == []


def test_format_checker_rejects_impossible_dates():
    doc = json.loads((SCHEMA_DIR / "document.schema.json").read_text())["examples"][0]
    doc["editions"][0]["date"] = "2026-02-30"
    assert [e.validator for e in schema("document").iter_errors(doc)] == ["format"]


def test_the_open_data_schema_is_valid_and_documents_every_property():
    """schemas/guidance.schema.json describes the JSON the site publishes (builder/render/opendata.py), not content:
    tests/test_opendata.py checks real files against it."""
    spec = json.loads((SCHEMA_DIR / "guidance.schema.json").read_text())
    Draft202012Validator.check_schema(spec)
    assert spec["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    undocumented = [where for where, prop in _properties(spec) if not prop.get("description") and "$ref" not in prop]
    assert undocumented == []
    assert all(d.get("description") for d in spec["$defs"].values())


def test_every_schema_file_is_tested():
    names = [p.name for p in SCHEMA_DIR.iterdir() if p.name.endswith(".schema.json")]
    assert sorted(name.split(".")[0] for name in names) == sorted(KINDS + ["guidance"])
