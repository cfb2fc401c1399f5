"""House rules: each rule's documented examples pass and fail as the documentation says, projects tune severities
in pyproject.toml, sections waive a rule with a recorded reason, and docs/rules.md cannot drift from the rules."""
import json
import re
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.content import rules
from builder.cli import main
from builder.content.config import Config
from builder.content.fixed_rules import BUILD_PROBLEMS, FILE_PROBLEMS, IO_PROBLEMS, TEXT_PROBLEMS
from builder.content.load import load_tree
from builder.content.validate.schema import SCHEMA_DIR, reader_fields

BUILDER = Path(rules.__file__).parents[2]  # builder/
EXAMPLE = "content/beta/09-example.yaml"  # beta uses no abbreviation before it


def with_sections(project: Path, *sections: str) -> Path:
    body = "".join(textwrap.indent(s.strip() + "\n", "  ") for s in sections)
    (project / EXAMPLE).write_text(f"id: example\ntitle: Example\nsections:\n{body}", encoding="utf-8")
    return project


def with_term(project: Path, entry: str) -> Path:
    glossary = project / "content/glossary.yaml"
    glossary.write_text(glossary.read_text() + textwrap.indent(entry.strip() + "\n", "  "), encoding="utf-8")
    return project


def codes(project: Path) -> list[str]:
    return sorted(p.code for p in pipeline.check(project).problems)


def place(project: Path, rule, example: str) -> Path:
    return with_term(project, example) if rule.example == "term" else with_sections(project, example)


DOCUMENTED = [r for r in rules.RULES.values()]


@pytest.mark.parametrize("rule", DOCUMENTED, ids=lambda r: r.code)
def test_passing_example_is_clean(project, rule):
    assert pipeline.check(place(project, rule, rule.good)).problems == []


@pytest.mark.parametrize("rule", DOCUMENTED, ids=lambda r: r.code)
def test_failing_example_fails_with_its_code_and_a_hint(project, rule):
    problems = pipeline.check(place(project, rule, rule.bad)).problems
    assert {p.code for p in problems} == {rule.code}
    assert all(p.severity == rule.severity and p.hint for p in problems)


def test_docs_are_generated_from_the_rules():
    docs = rules.DOCS.read_text(encoding="utf-8")
    assert docs == rules.markdown(), "docs/rules.md is out of date: run `python -m builder.content.rules`"
    for code in [*rules.RULES, *FILE_PROBLEMS, *BUILD_PROBLEMS]:
        assert f"`{code}`" in docs


def test_every_code_the_checks_can_report_is_documented():
    documented = set(rules.RULES) | set(FILE_PROBLEMS) | set(BUILD_PROBLEMS) | set(TEXT_PROBLEMS) | set(IO_PROBLEMS)
    prefixes = tuple(c[:-1] for c in documented if c.endswith(".*"))
    found = set()
    for path in sorted(BUILDER.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found |= {c for c in re.findall(r'"((?:load|schema|ref|ids|text|table|audience|document|rules|config|style|'
                                        r'legal|review|refs|build|io|cache)\.[a-z][a-z-]*)"', text)
                  if c.rsplit(".", 1)[1] not in ("yaml", "md", "json", "py", "toml")}
    assert sorted(c for c in found if c not in documented and not c.startswith(prefixes)) == []


def test_schema_offers_exactly_the_waivable_rules():
    chapter = json.loads((SCHEMA_DIR / "chapter.schema.json").read_text())
    enum = chapter["$defs"]["section"]["properties"]["exceptions"]["items"]["properties"]["rule"]["enum"]
    assert enum == [r.code for r in rules.RULES.values() if r.tunable and r.example == "section"]


LONG = ("- id: long\n  title: Long\n  audiences: [police]\n  status: published\n{extra}  blocks:\n    - id: r1a1\n"
        "      para: Victims can report stalking to the police at any time and they do not need to have collected "
        "any evidence first because officers will gather it during the investigation.\n")


def test_a_section_waives_a_rule_with_a_reason_and_only_there(project):
    waived = LONG.format(extra="  exceptions:\n    - rule: style.sentence-length\n"
                               "      reason: The sentence quotes the statutory code word for word.\n")
    other = LONG.replace("id: long", "id: other").replace("r1a1", "r1a2").format(extra="")
    problems = pipeline.check(with_sections(project, waived, other)).problems
    assert [(p.code, p.pos.line) for p in problems] == [("style.sentence-length", 20)]


def test_an_exception_that_waives_nothing_is_reported_as_info(project):
    section = LONG.format(extra="  exceptions:\n    - rule: legal.must-without-basis\n"
                                "      reason: The sentence quotes the statutory code word for word.\n")
    problems = pipeline.check(with_sections(project, section)).problems
    assert sorted((p.severity, p.code) for p in problems) == [
        ("info", "rules.unused-exception"), ("warning", "style.sentence-length")]
    unused = next(p for p in problems if p.code == "rules.unused-exception")
    assert (unused.pos.file, unused.pos.line, unused.pos.col) == (EXAMPLE, 9, 9)


def _pyproject(project: Path, text: str) -> Path:
    (project / "pyproject.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return project


def test_severities_are_tuned_in_pyproject(project):
    _pyproject(project, """\
        [tool.guidance.severity]
        "style.sentence-length" = "error"
        "style.words-to-avoid" = "off"
    """)
    rule = rules.RULES["style.words-to-avoid"]
    with_sections(project, LONG.format(extra=""), rule.bad.replace("id: support", "id: support2"))
    problems = pipeline.check(project).problems
    assert [(p.severity, p.code) for p in problems] == [("error", "style.sentence-length")]
    assert pipeline.check(project).failed(), "an error stops the build"


def test_sentence_limit_and_known_abbreviations_are_settings(project):
    _pyproject(project, """\
        [tool.guidance]
        max-sentence-words = 40
        known-abbreviations = ["UK", "MASH"]
    """)
    with_sections(project, LONG.format(extra=""), rules.RULES["style.abbreviation-undefined"].bad)
    assert pipeline.check(project).problems == []


def test_mistakes_in_the_configuration_are_positioned_problems(project):
    _pyproject(project, """\
        [project]
        name = "x"

        [tool.guidance]
        max-sentence-words = "short"
        colour = "blue"

        [tool.guidance.severity]
        "style.sentence-lenght" = "warning"
        "ref.law" = "off"
        "style.words-to-avoid" = "loud"
    """)
    got = sorted((p.code, p.pos.file, p.pos.line, p.pos.col) for p in pipeline.check(project).problems)
    assert got == [("config.fixed-rule", "pyproject.toml", 10, 1), ("config.severity", "pyproject.toml", 11, 1),
                   ("config.unknown-key", "pyproject.toml", 6, 1), ("config.unknown-rule", "pyproject.toml", 9, 1),
                   ("config.value", "pyproject.toml", 5, 1)]


@pytest.mark.parametrize("toml, line, message", [
    ("tool = 3\n", 1, "[tool.guidance] must be a table of settings"),
    ("[tool]\nguidance = \"strict\"\n", 2, "[tool.guidance] must be a table of settings"),
    ("[tool.guidance]\nseverity = \"off\"\nmax-sentence-words = 30\n", 2,
     "severity must be a table of rule codes and severities"),
])
def test_settings_that_are_not_tables_are_problems_not_faults(project, toml, line, message):
    _pyproject(project, toml)
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    problems = pipeline.check(project).problems
    assert [(p.code, p.pos.line, p.message) for p in problems] == [("config.value", line, message)]


def test_unreadable_configuration_falls_back_to_defaults_with_an_error(project):
    _pyproject(project, "[tool.guidance\nseverity = 1\n")
    problems = pipeline.check(project).problems
    assert [(p.code, p.pos.line) for p in problems] == [("config.syntax", 1)]


def test_past_review_date_warns_and_strict_fails(project):
    rule = rules.RULES["review.overdue"]
    with_sections(project, rule.bad)
    runner = CliRunner()
    relaxed = runner.invoke(main, ["validate", "--root", str(project)])
    assert relaxed.exit_code == 0 and "warning [review.overdue] section 'orders' was due for review by 2020-03-31" \
        in relaxed.output
    assert runner.invoke(main, ["validate", "--root", str(project), "--strict"]).exit_code == 1


def test_review_date_is_due_the_day_after(project):
    with_sections(project, rules.RULES["review.overdue"].good.replace("2099-03-31", "2026-06-01"))
    content = pipeline.check(project).content
    day = date(2026, 6, 1)
    assert rules.check(content, {}, Config(), today=day) == []
    late = rules.check(content, {}, Config(), today=day + timedelta(days=1))
    assert [p.code for p in late] == ["review.overdue"]


@pytest.mark.parametrize("text, count", [
    ("One sentence. Two sentences.", 2),
    ("Under s. 2A of the Act, e.g. in court, it applies. Then stop.", 2),
    ("Is it stalking? Ask. It is!", 3),
    ("Call 999. 2 officers attend.", 2),
    ("The word etc. is on the list", 1),
])
def test_sentences_are_split_where_readers_see_them_end(text, count):
    assert len(rules.sentences(text)) == count


def _sentences_read_stop_by_stop(text: str) -> list[tuple[int, int]]:
    """sentences() as it was first written, the specification: each full stop, question or exclamation mark
    followed by a capital, a digit or the end, unless the word before a full stop is an abbreviation."""
    from builder.content.rules.text import _NO_STOP, word_before

    stop = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]|\s*$)")
    ends, start = [], 0
    for m in stop.finditer(text):
        at = m.start()
        if text[at] == "." and word_before(text, start, at).lower().rstrip(".") in _NO_STOP:
            continue
        start = m.end()
        ends.append(start)
    out, start = [], 0
    for end in ends + [len(text)]:
        body = text[start:end].lstrip()
        if body:
            out.append((end - len(body), end))
        start = end
    return out


def test_sentences_end_where_a_reading_stop_by_stop_ends_them():
    """sentences() finds the abbreviations before a full stop with look-behinds in its pattern; it splits every
    text of up to four awkward pieces (abbreviations in either case, stops, quotes, line breaks, letters that
    change case oddly) where the stop-by-stop reading does, and the real guidance's texts too."""
    import itertools

    pieces = [" ", "\n", ".", "!", "?", "e.g", "I.E", "etc", "s", "Paras", "No", "v", "A", "9", "\u201d", ")", "(",
              "x_y", "\u017f", "\u0130", "a.b"]
    texts = ["".join(combo) for n in (1, 2, 3, 4) for combo in itertools.product(pieces, repeat=n)]
    files, _ = load_tree(Path(__file__).parent.parent)
    texts += [t for f in files for _, mode, t in reader_fields(f.kind, f.data) if mode == "inline"]
    assert [rules.sentences(t) for t in texts] == [_sentences_read_stop_by_stop(t) for t in texts]


def test_references_count_as_the_words_readers_see(project):
    para = "Stalking is an offence under [[law:pha-1997/s2A]] and the court can act quickly to protect victims."
    ctx = rules.Context(pipeline.check(project).content, {}, Config(), date.today())
    shown, where = rules.text_as_shown(para, ctx, "alpha")
    assert shown == ("Stalking is an offence under section 2A of the Protection from Harassment Act 1997 and the "
                     "court can act quickly to protect victims.")
    assert rules.word_count(shown) == 23 and para[where[shown.index("and the")]:].startswith("and the")


@pytest.mark.parametrize("text, flagged", [
    ("The multi-agency safeguarding hub (MASH) meets daily. The MASH decides.", ["style.abbreviation-undefined"]),
    ("The MASH (multi-agency safeguarding hub) meets daily.", ["style.abbreviation-undefined"]),
    ("A stalking protection order (SPO) lasts two years. Courts make SPOs.", []),
    ("Courts make SPOs.", ["style.abbreviation-first-use"]),
    ("Courts make [[term:SPO|orders]]. Courts make SPOs.", []),
    ("Courts make SPOs. Later, [[term:SPO]] again.", ["style.abbreviation-first-use"]),  # reading order counts
    ("Complete the S-DASH checklist.", ["style.abbreviation-first-use", "style.abbreviation-undefined"]),
    ("Police in the UK record it.", []),
    ("Staff MUST NOT promise secrecy.", []),
    ("The IOPC reviews complaints.", ["style.abbreviation-first-use", "style.abbreviation-undefined"]),
])
def test_abbreviations(project, text, flagged):
    section = f"- id: ab\n  title: Ab\n  audiences: [police]\n  status: published\n  legal_basis: [pha-1997/s2A]\n" \
              f"  blocks:\n    - id: r2a1\n      para: {text}\n"
    assert codes(with_sections(project, section)) == flagged


@pytest.mark.parametrize("para, basis, flagged", [
    ("Officers must record it.", "", True),
    ("Officers should record it.", "", False),
    ("Officers must record it.", "  legal_basis: [pha-1997/s2A]\n", False),
    ("Under [[law:pha-1997/s2A]] officers must record it.", "", False),
    ("Must they record it? Yes.", "", True),
])
def test_must_needs_a_cited_provision(project, para, basis, flagged):
    section = f"- id: mu\n  title: Mu\n  audiences: [police]\n  status: published\n{basis}  blocks:\n" \
              f"    - id: r3a1\n      para: {para}\n"
    assert codes(with_sections(project, section)) == (["legal.must-without-basis"] if flagged else [])


def test_a_glossary_entry_mentioned_in_plain_text_is_used(project):
    with_term(project, rules.RULES["refs.glossary-unused"].bad)
    assert codes(project) == ["refs.glossary-unused"]
    section = "- id: ab\n  title: Ab\n  audiences: [police]\n  status: published\n  blocks:\n    - id: r4a1\n" \
              "      para: A body called ABC (a body nobody mentions) exists.\n"
    assert codes(with_sections(project, section)) == []


def test_unused_glossary_entries_are_not_guessed_while_a_chapter_is_unreadable(project):
    (project / "content/alpha/01-basics.yaml").write_text("id: [broken\n")
    assert "refs.glossary-unused" not in codes(project)


def test_the_real_guidance_is_clean_under_strict():
    problems = pipeline.check(BUILDER.parent).problems
    assert [f"{p.pos} {p.severity} [{p.code}] {p.message}" for p in problems if p.severity != "info"] == []
    files, _ = load_tree(BUILDER.parent)
    waivers = [e for f in files if f.kind == "chapter" for s in f.data["sections"] for e in s.get("exceptions", [])]
    assert all(len(w["reason"]) >= 40 for w in waivers), "every exception records a reason a reviewer can check"


# Each document's texts are searched as one joined text (rules/context.py: Scan); what the rules find must be what
# a search of each text finds: nothing read across from one text into the next.
@pytest.mark.parametrize("items, flagged", [
    (["Courts make orders under the SPO", "(stalking protection order) scheme."],
     ["style.abbreviation-first-use"]),  # "(…)" in the next item spells nothing out
    (["A stalking protection order (SPO) lasts.", "Courts make SPOs."], []),
    (["Officers work going", "forward together."], []),  # "going forward" split between two items is two texts
    (["Staff should deliver", "training."], ["style.words-to-avoid"]),
    (["Refer it to the MASH", "(multi-agency safeguarding hub)."],
     ["style.abbreviation-first-use", "style.abbreviation-undefined"]),
])
def test_rules_read_each_text_on_its_own(project, items, flagged):
    body = "".join(f"        - {item}\n" for item in items)
    section = f"- id: jo\n  title: Jo\n  audiences: [police]\n  status: published\n  legal_basis: [pha-1997/s2A]\n" \
              f"  blocks:\n    - id: r5a1\n      list:\n        items:\n{body}"
    assert codes(with_sections(project, section)) == flagged


@pytest.mark.parametrize("para", ["Whılst it lasts, act.", "Do it whilſt you can.", "Staff utiliſe the form.",
                                  "WhiLst it lasts, act.", "İn order to act, call."])
def test_words_to_avoid_are_found_in_any_case_the_pattern_matches(project, para):
    """The rule looks only in texts that hold one of its words in lower case (Scan.folded): letters that
    re.IGNORECASE matches to a plain one (dotless ı, long ſ, dotted İ) must not hide a word from it."""
    section = f"- id: wa\n  title: Wa\n  audiences: [police]\n  status: published\n  blocks:\n" \
              f"    - id: r6a1\n      para: {para}\n"
    assert codes(with_sections(project, section)) == ["style.words-to-avoid"]


def test_folding_covers_every_letter_the_case_insensitive_patterns_match():
    """Every character that re.IGNORECASE matches to an ASCII letter folds to that letter (context._FOLD, then
    lower()), and folding keeps every offset: the whole of Unicode is tried."""
    from builder.content.rules.context import _FOLD

    for code in range(0x110000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        folded = char.translate(_FOLD).lower()
        assert len(folded) == 1, hex(code)
        if char.isascii():
            continue
        for letter in "abcdefghijklmnopqrstuvwxyz":
            if re.fullmatch(letter, char, re.I):
                assert folded == letter, (hex(code), letter)
