"""Load stage: positions of values, and hostile or broken YAML becoming positioned problems."""
from pathlib import Path

import pytest

from builder.content.load import load_tree, parse


def test_positions_point_at_values_and_keys(project):
    files, problems = load_tree(project)
    assert problems == []
    chapter = next(f for f in files if f.path == "content/alpha/01-basics.yaml")
    # `audiences: [police]` of the second section sits on line 30, value at column 16.
    assert str(chapter.pos(("sections", 1, "audiences"))) == "content/alpha/01-basics.yaml:30:16"
    assert str(chapter.pos(("sections", 1, "audiences"), key=True)) == "content/alpha/01-basics.yaml:30:5"
    # A path that does not exist falls back to the nearest enclosing value.
    assert chapter.pos(("sections", 1, "nothing-here")).line == 28


def test_dates_stay_strings_so_impossible_dates_are_schema_problems():
    source, problems = parse("c.yaml", "chapter", b"review_by: 2024-02-30\nok: 2024-02-28\n")
    assert problems == []
    assert source.data == {"review_by": "2024-02-30", "ok": "2024-02-28"}


def test_yaml_1_2_booleans():
    source, _ = parse("c.yaml", "chapter", b"a: no\nb: true\n")
    assert source.data == {"a": "no", "b": True}


@pytest.mark.parametrize("raw, code, line, col", [
    (b"a: 1\na: 2\n", "load.duplicate-key", 2, 1),
    (b"a:\n\tb: 1\n", "load.tab", 2, 1),
    (b"title: caf\xe9\n", "load.encoding", 1, 11),
    (b"a: [1, 2\n", "load.syntax", 2, 1),
    (b"a: &x 1\nb: *x\n", "load.anchor", 1, 4),
    (b"a: !!python/object/apply:os.system [ls]\n", "load.tag", 1, 4),
    (b"a: 1\n---\nb: 2\n", "load.multiple-documents", 2, 1),
    (b"a: safe\xe2\x80\xaetxt\n", "load.bidi", 1, 8),
    (b"a: x\nb: \xef\xbb\xbfy\n", "load.bom", 2, 4),
    (b"a: bell\x07\n", "load.control-char", 1, 8),
    (b"1: x\ntrue: y\n", "load.duplicate-key", 2, 1),  # 1 and true are the same key once loaded
    (b"a: 1\n2024: x\n", "load.key-type", 2, 1),
    (b"a: " + b"[" * 60 + b"]" * 60 + b"\n", "load.too-deep", 1, 43),
])
def test_hostile_input_becomes_positioned_problem(raw, code, line, col):
    source, problems = parse("content/x.yaml", "chapter", raw)
    assert source is None
    assert (problems[0].code, problems[0].pos.line, problems[0].pos.col) == (code, line, col)
    assert problems[0].hint


def test_alias_bomb_is_refused_without_being_expanded():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    source, problems = parse("content/bomb.yaml", "chapter", "\n".join(lines).encode())
    assert source is None
    assert {p.code for p in problems} >= {"load.anchor", "load.alias"}


def test_oversized_file_is_refused_before_parsing():
    source, problems = parse("content/big.yaml", "chapter", b"a: " + b"x" * (1024 * 1024) + b"\n")
    assert source is None and problems[0].code == "load.too-large"


def test_missing_content_folder(tmp_path: Path):
    files, problems = load_tree(tmp_path)
    assert files == [] and problems[0].code == "load.no-content"
