"""The fast schema check (validate.passes, jsonschema-rs) says yes exactly when jsonschema finds no error, on
every file we have and on fuzzed ones; a file it rejects gets jsonschema's problems, positions and hints unchanged
(tests/test_invalid_cases.py holds those to the corpus)."""
import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from builder import pipeline
from builder.content.load import load_tree, parse
from builder.content.validate.schema import passes, schema

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "site"
REPO = HERE.parent
CORPUS = sorted((HERE / "cases" / "invalid").glob("*.yaml"))


def agree(kind: str, data) -> None:
    before = copy.deepcopy(data)
    errors = [e.message for e in schema(kind).iter_errors(data)]
    assert passes(kind)(data) == (not errors), (kind, errors)
    assert data == before, "the fast check changed the data it was given (schema defaults must not be filled in)"


def test_agrees_on_every_file_of_the_content_the_fixture_and_a_generated_project(tmp_path):
    generated = generate(tmp_path / "gen", 30)
    kinds = set()
    for root in (REPO, FIXTURE, FIXTURE.parent / "welsh", generated):
        files, problems = load_tree(root)
        assert files and not problems
        for f in files:
            agree(f.kind, f.data)
            kinds.add(f.kind)
    assert kinds == {"chapter", "document", "audiences", "legislation", "glossary", "services", "translation",
                     "registry-translation"}


def test_agrees_on_every_case_of_the_invalid_corpus():
    rejected = 0
    for case in CORPUS:
        source, problems = parse("content/alpha/09-case.yaml", "chapter", case.read_bytes())
        if source is not None:
            agree("chapter", source.data)
            rejected += not passes("chapter")(source.data)
    assert rejected >= 20, "the corpus exercises the slow path that explains the problems"


def test_an_impossible_date_is_rejected_as_jsonschema_rejects_it(project):
    """The fast check's dates are ours (_is_date), which asks the calendar as jsonschema does: 2027-02-30 is refused."""
    chapter = project / "content/alpha/01-basics.yaml"
    text = chapter.read_text()
    assert "review_by: 2099-11-30" in text
    chapter.write_text(text.replace("review_by: 2099-11-30", "review_by: 2027-02-30", 1))
    problems = pipeline.check(project).problems
    assert [(p.code, p.pos.file) for p in problems] == [("schema.date", "content/alpha/01-basics.yaml")]
    assert "2027-02-30" in problems[0].message and problems[0].hint


def test_an_id_ending_in_a_newline_is_refused_by_both_validators(project):
    """An id written as a | block ends in a newline. JSON Schema's pattern is an ECMA 262 regular expression, whose
    $ is the end of the text; Python's $ also matches before a final newline, and jsonschema took the id."""
    chapter = project / "content/alpha/01-basics.yaml"
    text = chapter.read_text()
    assert "  - id: what-it-is\n" in text
    chapter.write_text(text.replace("  - id: what-it-is\n", "  - id: |\n      what-it-is\n", 1))
    source, _ = parse("content/alpha/01-basics.yaml", "chapter", chapter.read_bytes())
    assert source.data["sections"][0]["id"] == "what-it-is\n"
    agree("chapter", source.data)
    assert not passes("chapter")(source.data)
    problems = pipeline.check(project).problems
    assert [(p.code, p.pos.file, p.pos.line) for p in problems if p.severity == "error"] == [
        ("schema.pattern", "content/alpha/01-basics.yaml", 6)], "a reference to the meant id is left to this problem"
    assert not [p.hint for p in problems if "what-it-is\n" in p.hint], "no hint offers the id with its line break"


def _valid_chapter():
    files, _ = load_tree(FIXTURE)
    return next(f.data for f in files if f.kind == "chapter")


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.sampled_from(
        ["", "x", "all", "police", "published", "withdrawn", "draft", "2027-02-30", "2027-01-31", "a1b2", "Ab",
         "warning", "[[law:pha-1997/s2A]]", "1.5", " lead", "UPPER"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "title", "para", "items", "intro", "kind", "text", "date", "reason", "rule", "x"]),
        inner, max_size=3),
    max_leaves=6)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_agrees_on_mutated_chapters(data):
    """Replace, delete or add one value anywhere in a sound chapter: the two validators still agree."""
    chapter = copy.deepcopy(_valid_chapter())
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(chapter) if p]
        where = data.draw(st.sampled_from(paths))
        parent = chapter
        for step in where[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[where[-1]] = data.draw(VALUES)
        elif action == "delete":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["notes", "exceptions", "review_by", "withdrawn", "summary", "xx"]))] = \
                data.draw(VALUES)
        else:
            parent.append(data.draw(VALUES))
    agree("chapter", chapter)


@pytest.mark.slow
def test_every_invalid_case_gets_exactly_the_problems_of_the_full_validator_alone(project, monkeypatch):
    """Today's problems, unchanged: each corpus case checked with the fast path, and with it turned off so that
    jsonschema sees every file (as before the fast path), gives the same problems, positions and hints."""
    from builder.content.validate import schema as validate

    target = project / "content/alpha/09-case.yaml"
    for case in CORPUS:
        target.write_bytes(case.read_bytes())
        fast = pipeline.check(project).problems
        with monkeypatch.context() as m:
            m.setattr(validate, "passes", lambda kind: lambda data: False)
            slow = pipeline.check(project).problems
        assert fast == slow, case.name
