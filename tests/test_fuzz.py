"""Fuzz: random bytes, YAML-ish text and random structures go through load.parse and validate.validate; whatever
comes in, the editor gets positioned problems with a hint, never a traceback."""
import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from builder.render import pages as render
from builder.content.load import load_tree, parse
from builder.content.model import Problem
from builder.content.validate import validate

FIXTURE = Path(__file__).parent / "fixtures" / "site"
REGISTRIES, _ = load_tree(FIXTURE)
RELAXED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHAPTER = "content/alpha/09-fuzz.yaml"


def _check(problems: list[Problem]):
    for p in problems:
        assert p.severity in ("error", "warning", "info")
        assert (p.pos.line >= 1 and p.pos.col >= 1) or p.pos.line == p.pos.col == 0, p  # 0: the file as a whole
        assert p.code and p.message and p.hint, p


def check_survives_every_stage(raw: bytes):
    source, problems = parse(CHAPTER, "chapter", raw)
    _check(problems)
    assert (source is None) == bool(problems)
    files = [f for f in REGISTRIES if f.path != CHAPTER] + ([source] if source else [])
    content, found = validate(files)
    _check(found)
    return content, found


@pytest.mark.slow
@RELAXED
@given(st.binary(max_size=2000))
def test_random_bytes(raw):
    check_survives_every_stage(raw)


YAMLISH = st.lists(st.sampled_from([
    "id: x", "title:", "sections:", "- ", "  ", "    ", "\n", ": ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ",
    "!!python/object/apply:os.system ", "? ", "|", ">-", "'", '"', "#", "---", "...", "%YAML 1.1", "<<: ",
    "2024-02-30", "1:", "true:", "null", "~", "\t", "\ufeff", "\u202e", "\u200b", "\\u202e", "\\x00", "é", "\x00",
    "[[law:pha-1997/s2A]]", "[[term:SPO]]", "<script>", "javascript:", "{: onclick=x}", "--8<--", "must", "MARAC",
    "1" * 50, "audiences: [all]", "status: published", "blocks:", "para: ", "- id: a1b2\n        para: x",
]) | st.text(alphabet=string.printable, max_size=20), max_size=80).map("".join)


@pytest.mark.slow
@RELAXED
@given(YAMLISH)
def test_yaml_ish_text(text):
    check_survives_every_stage(text.encode("utf-8", "surrogatepass"))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30)


@pytest.mark.slow
@RELAXED
@given(JSONISH)
def test_random_structures(data):
    # JSON is YAML: any structure written as JSON must load and validate without an exception.
    check_survives_every_stage(json.dumps(data).encode())


TEXT = st.lists(st.sampled_from([
    "Officers", "must", "should", "record", "the", "report", "MARAC", "S-DASH", "UK", "e.g.", "deliver", "robust",
    "going forward", "[[law:pha-1997/s2A]]", "[[law:nope/s1]]", "[[term:SPO]]", "[[term:DSL|lead]]", "[[term:X]]",
    "[[section:what-it-is]]", "[[section:beta/beta-one]]", "[[service:helpline]]", "[[broken", "[[]]", "*", "**",
    "[link](https://www.gov.uk)", "[bad](javascript:alert(1))", "![img](https://x.org/a.png)", "[1]: x", "{x}",
    "<b>", "&amp;", ".", "?", "(", ")", ":", "\u00e9", "Smith v. Jones", "s. 2A",
]), min_size=1, max_size=40).map(" ".join)
IDS = st.text(alphabet="abcdefghjkmnpqrstuvwxyz23456789", min_size=4, max_size=6)
BLOCK = st.one_of(
    st.builds(lambda i, t: {"id": i, "para": t}, IDS, TEXT),
    st.builds(lambda i, t, items: {"id": i, "list": {"intro": t, "items": items}}, IDS, TEXT, st.lists(TEXT, min_size=1, max_size=3)),
    st.builds(lambda i, t: {"id": i, "steps": {"items": [t]}}, IDS, TEXT),
    st.builds(lambda i, k, t: {"id": i, "callout": {"kind": k, "text": t}}, IDS,
              st.sampled_from(["legal", "example", "warning", "info"]), TEXT),
    st.builds(lambda i, h, r: {"id": i, "table": {"caption": "Table", "header": h, "rows": r}}, IDS,
              st.lists(TEXT, min_size=1, max_size=3), st.lists(st.lists(TEXT, min_size=1, max_size=3), min_size=1, max_size=2)),
    st.builds(lambda i, t, n: {"id": i, "para": t, "notes": n}, IDS, TEXT,
              st.dictionaries(st.sampled_from(["police", "teachers", "nurses"]), TEXT, min_size=1, max_size=2)),
)
SECTION = st.builds(
    lambda sid, status, aud, blocks, basis, review, exc: {
        "id": sid, "title": "A section", "audiences": aud, "status": status, "blocks": blocks,
        **({"legal_basis": basis} if basis else {}), **({"review_by": review} if review else {}),
        **({"withdrawn": {"date": "2026-01-01", "reason": "Replaced."}} if status == "withdrawn" else {}),
        **({"exceptions": exc} if exc else {})},
    st.sampled_from(["s-one", "s-two", "what-it-is", "s-three"]),
    st.sampled_from(["draft", "ready", "published", "withdrawn"]),
    st.sampled_from([["all"], ["police"], ["all", "police"], ["nurses"]]),
    st.lists(BLOCK, min_size=1, max_size=4),
    st.sampled_from([[], ["pha-1997/s2A"], ["nope/s9"]]),
    st.sampled_from([None, "2020-01-01", "2099-12-31", "2024-02-30"]),
    st.lists(st.builds(lambda r: {"rule": r, "reason": "A reason long enough to be read by a reviewer."},
                       st.sampled_from(["style.sentence-length", "legal.must-without-basis", "style.nope"])),
             max_size=2),
)
CHAPTERS = st.builds(lambda sections: {"id": "fuzz", "title": "Fuzz", "sections": sections},
                     st.lists(SECTION, min_size=1, max_size=4))


def _anchors(site: render.Site) -> dict[str, set[str]]:
    """Page path → the paragraph anchors (block ids) it shows."""
    return {path: set(re.findall(r'\bid="p-([^"]+)"', text)) for path, text in site.pages.items()}


CHAPTER_PAGE = "alpha/fuzz.md"
# Block ids the fixture's own chapters show: a fuzzed block may reuse one of them in another document.
FIXTURE_BLOCKS = set().union(*_anchors(render.render(validate(REGISTRIES)[0], render.Options(preview=True))).values())


@pytest.mark.slow
@RELAXED
@given(CHAPTERS)
def test_random_chapters_validate_and_clean_ones_render(chapter):
    """A chapter with no errors renders: the preview shows every block of every section not withdrawn on the
    chapter's page, the public site only those of published sections, and no other block on any page."""
    content, problems = check_survives_every_stage(json.dumps(chapter, ensure_ascii=False).encode())
    if any(p.severity == "error" for p in problems):
        event("refused")
        return
    event("rendered")
    for preview in (False, True):
        site = render.render(content, render.Options(preview=preview, build_date="2026-11-28"))
        anchors = _anchors(site)
        for section in chapter["sections"]:
            shown = section["status"] == "published" or preview and section["status"] != "withdrawn"
            for block in section["blocks"]:
                if shown:
                    assert block["id"] in anchors.get(CHAPTER_PAGE, set()), (preview, section["status"], block)
                elif block["id"] not in FIXTURE_BLOCKS:
                    assert [path for path, ids in anchors.items() if block["id"] in ids] == [], (preview, section)


def _value_paths(node, path=()):
    """The path of every value in node, containers and scalars alike, with the value."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield path + (key,), value
        yield from _value_paths(value, path + (key,))


def _replaced(data, path, value):
    import copy

    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def test_any_value_of_the_wrong_kind_is_a_problem_not_a_fault():
    """Every value of every file of the fixture, a list or mapping replaced by a number, a text and nothing, and a
    text or number by a list and a mapping: validate reports problems (and no traceback), whatever the value was.
    (`sections: 7` in a chapter once stopped every command with an internal error.)"""
    from dataclasses import replace

    checked = 0
    for source in REGISTRIES:
        for path, value in list(_value_paths(source.data)):
            for wrong in ([7, "x", None] if isinstance(value, (dict, list)) else [[], {}]):
                broken = replace(source, data=_replaced(source.data, path, wrong), schema_problems=None,
                                 schema_result=None, chapter=None)
                content, problems = validate([broken if f is source else f for f in REGISTRIES])
                _check(problems)
                assert problems, (source.path, path, wrong)
                checked += 1
    assert checked > 400, checked
