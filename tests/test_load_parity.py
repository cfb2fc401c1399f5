"""The loader builds data from libyaml's events; ruamel.yaml's round-trip loader (which `guidance fmt` edits with)
is the reference. Both must read every content file to the same data, with the same positions."""
import math
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from benchmarks.generate import generate
from builder.content.load import content_files, parse

REPO = Path(__file__).resolve().parent.parent


def reference(text: str):
    """ruamel's reading of the text: plain data, and (line, col) of every value and key by path."""
    values, keys = {}, {}

    def plain(node, path):
        if isinstance(node, CommentedMap):
            values[path] = (node.lc.line, node.lc.col)
            out = {}
            for key, value in node.items():
                keys[path + (key,)] = node.lc.key(key)
                values[path + (key,)] = node.lc.value(key)
                out[key] = plain(value, path + (key,))
            return out
        if isinstance(node, CommentedSeq):
            values[path] = (node.lc.line, node.lc.col)
            out = []
            for i, value in enumerate(node):
                values[path + (i,)] = keys[path + (i,)] = node.lc.item(i)
                out.append(plain(value, path + (i,)))
            return out
        return node if isinstance(node, (bool, int, float, type(None))) else str(node)

    yaml = YAML(typ="rt")
    yaml.Constructor = _KeepDates
    return plain(yaml.load(text), ()), values, keys


class _KeepDates(RoundTripConstructor):
    """Dates stay text in the loader (so that 2024-02-30 is a schema problem); the reference does the same."""


_KeepDates.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))


def files():
    out = sorted(content_files(REPO / "content")) + sorted(content_files(REPO / "tests/fixtures/site/content"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_real_and_fixture_content_reads_the_same(path):
    text = path.read_text(encoding="utf-8")
    source, problems = parse("content/x.yaml", "chapter", text.encode())
    assert problems == []
    data, values, keys = reference(text)
    assert source.data == data
    # ruamel records a position for every value and key; the loader must agree wherever ruamel has one.
    assert {p: source.values[p] for p in values} == values
    assert {p: source.keys[p] for p in keys} == keys


def test_generated_content_reads_the_same(tmp_path):
    root = generate(tmp_path / "gen", 60, per_chapter=4)
    for path in content_files(root / "content"):
        text = path.read_text(encoding="utf-8")
        assert parse("content/x.yaml", "chapter", text.encode())[0].data == reference(text)[0]


@pytest.mark.parametrize("scalar", [
    "no", "yes", "on", "off", "y", "n", "0.1", "1e3", "1.0e3", "0x1F", "0o17", "017", "~", "null", "Null", "NULL",
    "", "2024-02-30", "2024-02-28", "1_000", "1:20", "True", "TRUE", "tRue", ".inf", "-.Inf", "+1", "-0", "0.",
    ".5", "12:30:00", "0b101", "1,000", "'quoted 1'", '"0x10"', "[1, two]", "{a: 1}", "|\n  block\n",
    ">-\n  folded\n  text\n", "-", "a: b", "[unclosed", "'open",
])
def test_yaml_1_2_scalars_read_as_ruamel_reads_them(scalar):
    text = f"value: {scalar}\n"
    source, problems = parse("content/x.yaml", "chapter", text.encode())
    try:
        expected = reference(text)[0]
    except MarkedYAMLError as err:  # the same syntax error, at the same place
        mark = err.problem_mark
        assert source is None and problems[0].code == "load.syntax"
        assert (problems[0].pos.line, problems[0].pos.col) == (mark.line + 1, mark.column + 1)
    else:
        assert problems == [] and source.data == expected


def test_nan_reads_as_nan():
    value = parse("content/x.yaml", "chapter", b"a: .nan\n")[0].data["a"]
    assert math.isnan(value) and math.isnan(reference("a: .nan\n")[0]["a"])
