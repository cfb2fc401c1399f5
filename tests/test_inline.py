"""The inline model: one parse of a text field into typed parts with offsets, flaws found once, in linear time."""
import time
from pathlib import Path

import pytest
import yaml

from builder import pipeline
from builder.content.inline import Emphasis, Link, Text, parse
from builder.content.load import load_tree, parse as parse_file
from builder.content.validate.schema import reader_fields
from tests.conftest import REPO


def kinds(text):
    return [(type(n).__name__, getattr(n, "text", None) or getattr(n, "target", None) or getattr(n, "url", ""))
            for n in parse(text).walk()]


def test_references_links_and_emphasis_become_typed_parts_with_offsets():
    text = "Stalking is a *crime* under [[law:pha-1997/s2A]]; see **[the code](https://example.org/c)** and [[term:SPO|orders]]."
    tree = parse(text)
    assert tree.flaws == []
    refs = list(tree.refs())
    assert [(r.kind, r.target, r.label) for r in refs] == [("law", "pha-1997/s2A", None), ("term", "SPO", "orders")]
    assert text[refs[0].start:refs[0].end] == "[[law:pha-1997/s2A]]"
    emphasis = [n for n in tree.walk() if isinstance(n, Emphasis)]
    assert [(e.strong, text[e.start]) for e in emphasis] == [(False, "*"), (True, "*")]
    link = next(n for n in tree.walk() if isinstance(n, Link))
    assert link.url == "https://example.org/c" and text[link.url_start:].startswith("https://")
    assert tree.plain() == "Stalking is a crime under pha-1997/s2A; see the code and orders."


@pytest.mark.parametrize("text", ["5 * 3 * 2 = 30", "a *lonely star", "stars *** in a row ***", "x ** y"])
def test_stars_that_are_not_emphasis_stay_text(text):
    tree = parse(text)
    assert all(isinstance(n, Text) for n in tree.walk()) and tree.plain() == text


@pytest.mark.parametrize("text, code, at", [
    ("Run <script>alert(1)</script>", "text.html", 4),
    ("Fish &amp; chips", "text.html", 5),
    ("A&#x3C;b", "text.html", 1),
    ("Styled {: .danger}", "text.attributes", 7),
    ("See ![x](https://example.org/x.png)", "text.image", 4),
    ("Include --8<-- 'secret.txt'", "text.snippet", 8),
    ("[1]: javascript:alert(1)", "link.definition", 3),
    ("Click [here](javascript:alert(1))", "text.link", 13),
    ("Click [here](http://example.org)", "text.link", 13),
    ("Click [here](https://x.org/\"onmouseover=alert(1))", "text.link", 13),
    ("See [[nonsense]]", "ref.syntax", 4),
    ("See [[term:SPO|]]", "ref.syntax", 4),
    ("See [[term:SPO|<b>x</b>]]", "text.html", 15),
])
def test_flaws_are_found_with_their_offsets(text, code, at):
    flaws = parse(text).flaws
    assert [(f.code, f.start) for f in flaws] == [(code, at)]


def test_plain_text_has_no_flaws_whatever_its_punctuation():
    text = "Ask: who, what, when? 3 < 4 and 5 > 2; R&D, {braces alone; [square] (round) - 8 < 9"
    assert parse(text).flaws == []


ADVERSARIAL = ["](", "[[", "[", "*", "**", "* **", "*a **b ", "<", "< ", "&", "&a", "{", "[a](", "[[a", "[[a|", "8<-",
               "![", "[x]", "](x", "a*b**c", "[a]:", "\n[", "[*"]


@pytest.mark.slow
@pytest.mark.parametrize("unit", ADVERSARIAL, ids=repr)
def test_time_is_linear_in_the_length_of_any_text(unit):
    """Eight times the text takes about eight times as long (under 30 allows for a busy machine), never 64 (a
    backtracking pattern on `](` or `[[` took cubic and quadratic time before). Measured against itself in the same run, so a slow machine cannot
    fail it; benchmarks/run.py reports the absolute figures for 1 MiB."""
    def seconds(size):
        text = unit * (size // len(unit))
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            parse(text)
            best = min(best, time.perf_counter() - started)
        return best
    small, large = seconds(32 * 1024), seconds(256 * 1024)
    assert large < 30 * max(small, 1e-3), f"{unit!r}: {small:.3f} s for 32 KiB, {large:.3f} s for 256 KiB"


# --- every field readers see gets the same checks ----------------------------------------------------------------


PLANTED = {"inline": "Read this <img src=x onerror=alert(1)> now.", "plain": "Read [[term:SPO]] now",
           "url": "https://example.org/)<img src=x onerror=alert(1)>"}


def _fields_of_fixture():
    files, _ = load_tree(Path(__file__).parent / "fixtures" / "site")
    return [(f.path, path, mode) for f in files for path, mode, _ in reader_fields(f.kind, f.data)]


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.mark.parametrize("rel, path, mode", _fields_of_fixture(),
                         ids=lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else str(v))
@pytest.mark.slow
def test_every_reader_visible_field_refuses_markup_that_could_run_or_mislead(project, rel, path, mode):
    """Plant HTML (or markup, or a link that breaks out of its address) in each field the schemas declare
    reader-visible: validate reports an error at that very value, whatever the field."""
    target = project / rel
    data = yaml.safe_load(target.read_text())
    _set(data, path, PLANTED[mode])
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000))
    source, _ = parse_file(rel, "x", target.read_bytes())
    where = source.pos(path)
    errors = [p for p in pipeline.check(project).problems if p.severity == "error" and p.pos.file == rel]
    assert any(p.pos.line == where.line for p in errors), (mode, [(p.code, p.pos) for p in errors])


def test_the_declared_fields_cover_every_kind_of_file():
    names = {rel.rsplit("/", 1)[-1] for rel, _, _ in _fields_of_fixture()}
    assert {"audiences.yaml", "glossary.yaml", "legislation.yaml", "services.yaml", "document.yaml",
            "01-basics.yaml"} <= names
    modes = {mode for _, _, mode in _fields_of_fixture()}
    assert modes == {"inline", "plain", "url"}


def test_a_text_without_markup_is_read_at_once_as_the_parser_would_read_it(monkeypatch):
    """parse() gives a text with none of the characters that start a node or a flaw one Text at once; the parser
    itself (forced by a pattern that always matches) makes the same tree of every such text: the real guidance's
    and a set of awkward ones."""
    import re

    from builder.content import inline

    texts = ["", " ", "\n", "a", "Plain words.", "a ] b ) c", "x!y (z)", "-8- 3 > 2", "line\nbreak  \t end",
             "café — “quoted” ‘text’", "back\\slash", "under_score", "#hash %percent", "!", "]:", "https://x.example"]
    files, _ = load_tree(REPO)
    texts += [text for f in files for _, mode, text in reader_fields(f.kind, f.data) if mode == "inline"]
    plain = [t for t in texts if inline._MARKUP.search(t) is None]
    assert len(plain) > 100, "the real guidance has plain texts to compare"
    quick = [parse(t) for t in plain]
    monkeypatch.setattr(inline, "_MARKUP", re.compile(""))
    assert [parse(t) for t in plain] == quick
    assert all(q.refs() == () and q.flaws == [] for q in quick)


def test_the_flaw_checks_skip_only_texts_where_no_pattern_can_match(monkeypatch):
    """_check_flaws returns at once from a text where _may_have_flaws finds nothing: every text of up to three of the
    awkward pieces (and of the flaws' own examples) has the same flaws with that shortcut as without it."""
    import itertools

    from builder.content import inline

    pieces = ADVERSARIAL + ["<b>", "&amp;", "&#1;", "{.x}", "![i](https://x.org)", "--8<--", "]:", "[a]:", " ", "x"]
    texts = ["".join(combo) for n in (1, 2, 3) for combo in itertools.product(pieces, repeat=n)]

    def flaws() -> list:
        found = []
        for text in texts:
            out: list = []
            inline._check_flaws(text, out)
            found.append(out)
        return found

    quick = flaws()
    assert sum(map(bool, quick)) > 1000, "texts with flaws to compare"
    monkeypatch.setattr(inline, "_may_have_flaws", lambda text: True)  # no shortcut
    assert flaws() == quick


def test_a_text_of_whole_references_is_read_as_the_parser_would_read_it(monkeypatch):
    """parse() reads a text whose only markup is whole [[references]] without the parser; the parser makes the
    same tree (flaws included) of every text of up to four awkward pieces and of the real guidance's texts."""
    import itertools

    from builder.content import inline

    pieces = ["[[", "]]", "[", "]", "a ", "*", "law:pha-1997/s2A", "term:SPO|", "(x)", "\n", "<b>"]
    texts = ["".join(combo) for n in (1, 2, 3, 4) for combo in itertools.product(pieces, repeat=n)]
    files, _ = load_tree(REPO)
    texts += [text for f in files for _, mode, text in reader_fields(f.kind, f.data) if mode == "inline"]
    assert sum(inline._whole_references(t) is not None for t in texts) > 1000, "texts the quick path reads"
    quick = [parse(t) for t in texts]
    monkeypatch.setattr(inline, "_whole_references", lambda text: None)
    assert [parse(t) for t in texts] == quick
