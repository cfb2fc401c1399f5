"""Adversarial text stays linear: each unit an attacker (or a stuck key) can repeat, at one size and at eight times
that size, through the inline parser, the house rules' counts, the renderer and validate itself. A step that reads
a long run again from each of its characters (the word count's \\S*[A-Za-z0-9]\\S* did, on 40,000 hyphens) takes
64 times as long at 8x; a linear one about 8 times. The test compares the two, so it holds on a slow or busy
machine, where a limit in seconds would not."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from builder import pipeline
from builder.content import inline, rules
from builder.render.markdown import Links

UNITS = ["](", "[[", "[", "-", "[a](", "*a ", "**a** ", "** ", "A. ", "e.g. ", "<", "&", "&#", "{", "[x]", "[[a]]",
         "[[term:", "a [[term:SPO]] ", "an [[term:SPO]]", "[a](https://x.org) ", "![", "-8<-", "\n[", "#", "\\", " x",
         "word "]
SMALL = 8 * 1024
GROWTH = 8
# Linear growth gives a ratio of about 8, quadratic 64. 24 leaves room for a machine that is busy in one run and
# not the other, and still fails anything that grows as n log n with a large log, or worse.
MOST = 24


def best_of(runs: int, step, enough: float = 0.0) -> float:
    """The shortest of up to runs timings of step(); it stops at the first one under enough."""
    times: list[float] = []
    while len(times) < runs and not (times and min(times) < enough):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def ratio(step, unit: str) -> tuple[float, float]:
    """(time at SMALL, time at GROWTH * SMALL) of step(text) on unit repeated; the small one is timed more often,
    since its noise weighs more."""
    short, long = unit * (SMALL // len(unit)), unit * (GROWTH * SMALL // len(unit))
    small = best_of(5, lambda: step(short))
    return small, best_of(3, lambda: step(long), enough=max(small, 1e-3) * MOST)


def assert_linear(name: str, unit: str, measure) -> None:
    """measure() gives (time at one size, time at GROWTH times it). A busy machine can slow one run down, so a
    ratio over MOST is measured again, twice: a step that is not linear is over it every time. One far over it
    (four times) fails at once: no noise does that."""
    for _ in range(3):
        small, large = measure()
        bound = max(small, 1e-3) * MOST
        if large < bound:
            return
        if large > 4 * bound:
            break
    pytest.fail(f"{name} of {unit!r}: {small:.4f}s at one size, {large:.4f}s at {GROWTH}x ({large / small:.1f}x); "
                f"linear is about {GROWTH}x")


def _house_rules(text: str) -> None:
    rules.word_count(text)
    rules.sentences(text)
    inline.Trees().masked(text)  # parses the text, as every rule's view of it does


@pytest.fixture(scope="module")
def content():
    return pipeline.check(Path(__file__).parent / "fixtures/site").content


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS)
def test_parse_house_rules_and_render_grow_linearly(unit, content):
    assert_linear("inline.parse", unit, lambda: ratio(inline.parse, unit))
    assert_linear("the house rules' counts", unit, lambda: ratio(_house_rules, unit))
    assert_linear("render to Markdown", unit,
                  lambda: ratio(lambda t: Links(content, {}, "alpha/basics.md").inline(t), unit))
    assert_linear("render to HTML", unit, lambda: ratio(lambda t: Links(content, {}, "alpha/basics.md").html(t), unit))


def chapter(paragraphs: list[str]) -> str:
    blocks = "".join(f"      - id: x{i:03d}\n        para: |-\n          {text}\n" for i, text in enumerate(paragraphs))
    return ("id: extra\ntitle: Extra chapter\nsections:\n  - id: long\n    title: Long texts\n    audiences: [police]\n"
            f"    status: published\n    blocks:\n{blocks}")


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["-", "*a ", "[[a]]", "e.g. ", "a [[term:SPO]] ", "{", "A. "])
def test_validate_with_every_house_rule_grows_linearly_up_to_the_length_limit(project, unit):
    """Forty paragraphs of the unit, 1,250 and then 10,000 characters each (the limit): the real validate, house
    rules and positions of every problem, however many problems the unit makes."""
    target = project / "content/alpha/09-case.yaml"

    def validate(size: int) -> float:
        text = ("Start. " + unit * inline.MAX_TEXT)[:size].rstrip()
        target.write_text(chapter([text] * 40))
        return best_of(2, lambda: pipeline.check(project))

    assert_linear("validate", unit, lambda: (validate(inline.MAX_TEXT // GROWTH), validate(inline.MAX_TEXT)))


@pytest.mark.parametrize("unit", ["](", "[[", "-", "e.g. ", "[[a]]", "*a "])
def test_a_text_over_the_limit_is_one_positioned_problem(project, unit):
    """A paragraph of about a megabyte (the file limit) is reported once, at its first character, and left out of
    every other check: no flood of problems about its insides."""
    target = project / "content/alpha/09-case.yaml"
    text = "Start. " + unit * ((1000 * 1000 - 400) // len(unit))
    target.write_text(chapter(["A short paragraph.", text.rstrip()]))
    problems = pipeline.check(project).problems
    assert [(p.code, p.pos.file, p.pos.line, p.pos.col) for p in problems] == [
        ("text.too-long", "content/alpha/09-case.yaml", 14, 11)], problems[:5]  # line 14: the text under "para: |-"
    assert problems[0].severity == "error"
    assert f"a text of {len(text.rstrip()):,} characters; the limit is 10,000" in problems[0].message
    assert "Split it" in problems[0].hint


def test_the_word_count_counts_what_the_pattern_counted():
    """rules.word_count splits first; it counts exactly the runs \\S*[A-Za-z0-9]\\S* found."""
    import re

    for text in ["a b", "— x —", "-- - a-b", "foo\u00a0bar", "x\u2003y", "", "  ", "é", "1.", "e.g. i.e.", "a\nb\tc",
                 "«quoted»", "x" * 50 + " " + "-" * 50]:
        assert rules.word_count(text) == len(re.findall(r"\S*[A-Za-z0-9]\S*", text)), text


@pytest.mark.parametrize("unit", [" ", "\n", "a ", ". ", " \u00a0"])
def test_the_word_diff_grows_linearly(unit):
    """The reviewers' word diff splits both texts into words; a long run of white space at the end of one was read
    again from each of its characters."""
    from builder.review.words import word_diff

    assert_linear("the word diff", unit, lambda: ratio(lambda t: word_diff("a", "b" + t), unit))
