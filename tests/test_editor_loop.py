"""The editor's loop on a copy of the real content (issue 14): the mistakes a new editor makes, all in one
`guidance validate`, give exactly one problem each, at the right line and column, with a hint that fixes them, and
nothing else; problems with no line print as the path alone."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.cli import main
from builder.content.load import load_tree

REPO = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def real(tmp_path) -> Path:
    root = tmp_path / "real"
    shutil.copytree(REPO / "content", root / "content")
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    return root


def _problems(root: Path) -> set[tuple[str, str, int, int]]:
    return {(p.code, p.pos.file, p.pos.line, p.pos.col) for p in pipeline.check(root).problems}


def _replace_line(root: Path, rel: str, pattern: str, new, skip: int = 0) -> int:
    """Replace the (skip+1)th line of rel matching pattern by new(match); return its line number (from 1)."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    i = found[skip]
    lines[i] = new(re.search(pattern, lines[i]))
    path.write_text("\n".join(lines), encoding="utf-8")
    return i + 1


def _referenced_chapter(root: Path) -> tuple[str, set[str]]:
    """A stalking chapter whose sections other files refer to, and those sections' ids."""
    files, _ = load_tree(root)
    texts = "\n".join((root / f.path).read_text(encoding="utf-8") for f in files)
    for f in files:
        if f.kind == "chapter" and f.path.startswith("content/stalking/"):
            ids = {s["id"] for s in f.data["sections"]}
            if sum(texts.count(f"[[section:{i}") for i in ids) >= 3:
                return f.path, ids
    raise AssertionError("no chapter of the real content is referred to three times")


def _police_section_with_notes(root: Path, avoid: set[str]):
    files, _ = load_tree(root)
    for f in files:
        if f.kind != "chapter" or f.path in avoid:
            continue
        for si, s in enumerate(f.data["sections"]):
            notes = [b["notes"] for b in s["blocks"] if "police" in b.get("notes", {})]
            if s["audiences"] == ["police"] and notes:
                return f, si, len(notes)
    raise AssertionError("no police section with police notes in the real content")


def test_every_mistake_once_in_one_run(real):
    before = _problems(real)
    assert not any(code.startswith(("schema.", "load.", "ref.")) for code, *_ in before), before
    victims = "content/stalking/04-supporting-victims.yaml"
    expected = set()

    # 1. notez: for notes, in a block
    line = _replace_line(real, victims, r"^(\s+)notes:$", lambda m: f"{m[1]}notez:")
    expected.add(("schema.additionalProperties", victims, line, 9))
    # 2. statuz: for status, on a section
    line = _replace_line(real, victims, r"^(\s+)status: (\w+)$", lambda m: f"{m[1]}statuz: {m[2]}")
    expected.add(("schema.additionalProperties", victims, line, 5))
    # 3. an abbreviation no glossary entry defines
    line = _replace_line(real, victims, r"^(\s+para: )([A-Z])", lambda m: f"{m[1]}Ask an [[term:ISVA]]. {m[2]}")
    col = (real / victims).read_text().split("\n")[line - 1].index("[[term:ISVA]]") + 1
    expected.add(("ref.term", victims, line, col))
    # 4. a duplicate key in a chapter that five other places refer to
    chapter, ids = _referenced_chapter(real)
    line = _replace_line(real, chapter, r"^    title: ", lambda m: "    id: duplicate", skip=1)
    expected.add(("load.duplicate-key", chapter, line, 5))
    # 5. a section's audiences no longer include the audience its notes speak to
    f, si, count = _police_section_with_notes(real, {chapter, victims})
    pos = f.pos(("sections", si, "audiences"))
    _replace_line(real, f.path, r"^(\s+)audiences: \[police\]$", lambda m: f"{m[1]}audiences: [teachers]",
                  skip=sum(1 for i, s in enumerate(f.data["sections"][:si]) if s["audiences"] == ["police"]))
    assert (real / f.path).read_text().split("\n")[pos.line - 1].endswith("audiences: [teachers]")

    after = _problems(real)
    new = after - before
    unseen = {p for p in new if p[0] == "audience.note-unseen"}
    assert len(unseen) == count and all(p[1] == f.path for p in unseen)
    assert new - unseen == expected, "one problem per mistake, and no consequences"
    assert not any(p[0] == "ref.section" for p in after), "no reference into the unreadable chapter is reported"


def test_the_hints_say_how_to_fix_it(real):
    victims = real / "content/stalking/04-supporting-victims.yaml"
    _replace_line(real, "content/stalking/04-supporting-victims.yaml", r"^(\s+para: )([A-Z])",
                  lambda m: f"{m[1]}Ask an [[term:ISVA]]. {m[2]}")
    _replace_line(real, "content/stalking/04-supporting-victims.yaml", r"^(\s+)status: (\w+)$",
                  lambda m: f"{m[1]}statuz: {m[2]}")
    assert victims.is_file()
    problems = {p.code: p for p in pipeline.check(real).problems}
    term = problems["ref.term"]
    assert "Did you mean" not in term.hint, "ISVA is not ISAC: no suggestion that could mislead"
    assert term.hint.startswith("Add it to content/glossary.yaml under terms:\n  - id: ISVA\n    term: ISVA\n")
    typo = problems["schema.additionalProperties"]
    assert typo.message.endswith("has an unknown field 'statuz'; did you mean 'status'?")
    assert typo.hint.startswith("Rename 'statuz:' to 'status:'.")


def test_a_pasted_glossary_snippet_fixes_the_problem(real):
    _replace_line(real, "content/stalking/04-supporting-victims.yaml", r"^(\s+para: )([A-Z])",
                  lambda m: f"{m[1]}Ask an [[term:ISVA]]. {m[2]}")
    hint = next(p.hint for p in pipeline.check(real).problems if p.code == "ref.term")
    snippet = hint.split("\n", 1)[1]
    glossary = real / "content/glossary.yaml"
    glossary.write_text(glossary.read_text().rstrip("\n") + "\n" + snippet + "\n")  # pasted as it is
    assert not any(p.code.startswith(("ref.", "schema.", "load.")) for p in pipeline.check(real).problems)


def test_problems_with_no_line_print_as_the_path_alone(real):
    (real / "content/stalking/notes.txt.yaml").mkdir()
    text = run("validate", "--root", real)
    assert "content/stalking/notes.txt.yaml: error [load.not-a-file]" in text.output
    assert ":1:1" not in text.output
    github = run("validate", "--root", real, "--format", "github").output
    assert "::error file=content/stalking/notes.txt.yaml,title=load.not-a-file::" in github
    as_json = json.loads(run("validate", "--root", real, "--format", "json").output)
    entry = next(p for p in as_json if p["code"] == "load.not-a-file")
    assert (entry["line"], entry["col"]) == (None, None)


def _codes(root: Path) -> list[tuple[str, str, int, int]]:
    return sorted((p.code, p.pos.file, p.pos.line, p.pos.col) for p in pipeline.check(root).problems)


def test_a_mistake_in_document_yaml_leaves_its_chapters_checked(project):
    doc = project / "content/alpha/document.yaml"
    doc.write_text(doc.read_text().replace("title: Alpha guidance on stalking", "titel: Alpha guidance on stalking"))
    chapter = project / "content/alpha/01-basics.yaml"
    chapter.write_text(chapter.read_text().replace("Check the caller is safe.", "Check the caller is safe, e.g. at home."))
    assert _codes(project) == [("schema.additionalProperties", "content/alpha/document.yaml", 2, 1),
                               ("style.words-to-avoid", "content/alpha/01-basics.yaml", 39, 41)]


def test_references_to_a_glossary_entry_with_a_mistake_wait_for_it(project):
    glossary = project / "content/glossary.yaml"
    glossary.write_text(glossary.read_text().replace("    expansion: stalking protection order\n",
                                                     "    expansion: stalking protection order\n    expanse: x\n", 1)
                        .replace("  - id: DSL\n    term: DSL\n", "  - id: DSL\n    term: <DSL>\n"))
    assert _codes(project) == [("schema.additionalProperties", "content/glossary.yaml", 5, 5),
                               ("schema.pattern", "content/glossary.yaml", 8, 11)], \
        "[[term:DSL]] and [[term:SPO]] are not reported: the glossary's problems are the ones to fix"


def test_references_into_an_unreadable_registry_are_not_reported(project):
    (project / "content/services.yaml").write_text("services:\n  - id: helpline\n    name: [unclosed\n")
    assert [c[0] for c in _codes(project)] == ["load.syntax"]


@pytest.mark.parametrize("ref, suggestion", [
    ("[[term:spo]]", "Did you mean [[term:SPO]]?"),
    ("[[term:SPOO]]", "Did you mean [[term:SPO]]?"),
    ("[[term:DLS]]", "Did you mean [[term:DSL]]?"),  # two letters swapped
    ("[[term:DSO]]", None),  # one letter changed: another abbreviation, not a slip
    ("[[section:for-schols]]", "Did you mean [[section:for-schools]]?"),
    ("[[section:beta-one]]", "That section is in the other document: write [[section:beta/beta-one]]."),
    ("[[section:nothing-like-it]]", None),
    ("[[law:pha-1997/s2a]]", "Did you mean 'pha-1997/s2A'?"),
    ("[[service:helpine]]", "Did you mean [[service:helpline]]?"),
])
def test_a_suggestion_only_when_it_is_one_slip_of_the_same_kind(project, ref, suggestion):
    chapter = project / "content/alpha/02-schools.yaml"
    chapter.write_text(chapter.read_text().replace("at once.", f"at once. See {ref}.", 1))
    problems = [p for p in pipeline.check(project).problems if p.code.startswith("ref.")]
    assert len(problems) == 1, problems
    hint = problems[0].hint
    if suggestion is None:
        assert "Did you mean" not in hint and "That section is in" not in hint
    else:
        assert hint.startswith(suggestion)


def test_first_use_waits_while_part_of_the_document_cannot_be_read(project):
    schools = project / "content/alpha/02-schools.yaml"
    schools.write_text(schools.read_text().replace("at once.", "at once. An SPO may help.", 1))
    assert _codes(project) == [], "01-basics spells SPO out first"
    basics = project / "content/alpha/01-basics.yaml"
    basics.write_text(basics.read_text().replace("title: Basics", "title: [Basics", 1))
    assert [c[0] for c in _codes(project)] == ["load.syntax"], "not: first use of 'SPO' is not spelled out"


# --- issue 27: ids people can type -----------------------------------------------------------------------------------

VICTIMS = "content/stalking/04-supporting-victims.yaml"
LONG_TITLE = "Support for people who are being stalked by a former partner at work"  # 68 characters


def test_a_long_title_gives_an_id_that_ends_at_a_whole_word_and_may_change_while_draft(real):
    added = run("new", "section", "stalking", "supporting-victims", "--title", LONG_TITLE, "--root", real)
    assert added.exit_code == 0, added.output
    assert added.output.startswith("Added draft section 'support-for-people-who-are-being-stalked' to "
                                   f"{VICTIMS}.")
    assert "While it is a draft you may change its id" in added.output
    assert "once it is published the id is permanent" in added.output


def test_new_section_takes_the_id_to_use(real):
    added = run("new", "section", "stalking", "supporting-victims", "--title", LONG_TITLE, "--id", "work-stalking",
                "--root", real)
    assert added.exit_code == 0 and "Added draft section 'work-stalking'" in added.output
    assert "  - id: work-stalking\n" in (real / VICTIMS).read_text()
    taken = run("new", "section", "stalking", "supporting-victims", "--title", "T", "--id", "keeping-evidence",
                "--root", real)
    assert taken.exit_code == 1
    assert taken.output.splitlines() == [
        "--id: error [new.id] the id 'keeping-evidence' is already the id of a section in "
        f"{VICTIMS}",
        "    hint: Section ids are unique across the guidance: choose another, e.g. --id keeping-evidence-2.",
        "1 error"], "an option is not a file: the count says so"


def test_status_takes_the_start_of_an_id_or_the_title_and_suggests_the_nearest(real):
    run("new", "section", "stalking", "supporting-victims", "--title", LONG_TITLE, "--root", real)
    by_prefix = run("status", "support-for-people", "ready", "--root", real)
    assert by_prefix.exit_code == 0, by_prefix.output
    assert by_prefix.output.splitlines()[0] == (f"Section 'support-for-people-who-are-being-stalked' in {VICTIMS}: "
                                                "draft → ready.")
    assert "becomes permanent when it is published" in by_prefix.output
    by_title = run("status", LONG_TITLE.upper(), "draft", "--root", real)
    assert by_title.exit_code == 0 and "ready → draft" in by_title.output
    typo = run("status", "support-for-peeple-who-are-being-stalked", "ready", "--root", real)
    assert typo.exit_code == 1
    assert typo.output.splitlines() == [
        "content: error [status.no-section] there is no section 'support-for-peeple-who-are-being-stalked'",
        "    hint: Did you mean support-for-people-who-are-being-stalked? Give the section's id (its id: line), the "
        "start of it, its title, or DOC/ID.",
        "1 error"]


def test_status_published_answers_with_the_command_to_use(real):
    run("new", "section", "stalking", "supporting-victims", "--title", LONG_TITLE, "--root", real)
    before = (real / VICTIMS).read_text()
    result = run("status", "support-for-people", "published", "--root", real)
    assert result.exit_code == 2
    assert "guidance status stalking/support-for-people-who-are-being-stalked ready, commit, then guidance publish " \
           "stalking --section support-for-people-who-are-being-stalked --version MAJOR.MINOR" in result.output
    assert "Usage:" not in result.output and "Invalid value" not in result.output
    assert (real / VICTIMS).read_text() == before


def _commit_all(root: Path, message: str = "Start"):
    from git import Repo

    try:
        repo = Repo(root)
    except Exception:  # noqa: BLE001 - not a repository yet
        repo = Repo.init(root, initial_branch="main")
        with repo.config_writer() as config:
            config.set_value("user", "name", "Ada Editor")
            config.set_value("user", "email", "ada@example.gov.uk")
            config.set_value("commit", "gpgsign", "false")
    repo.git.add(A=True)
    repo.git.commit(m=message)
    return repo


def test_publish_section_takes_the_start_of_an_id_and_suggests_the_nearest(real):
    run("new", "section", "stalking", "supporting-victims", "--title", LONG_TITLE, "--root", real)
    path = real / VICTIMS
    path.write_text(path.read_text().replace("Write the first paragraph of this section here.",
                                             "Tell your employer, if it is safe to do so."))
    assert run("status", "support-for-people", "ready", "--root", real).exit_code == 0
    _commit_all(real)
    planned = run("publish", "stalking", "--section", "support-for", "--version", "0.3", "--note", "A new section.",
                  "--minor", "--dry-run", "--root", real)
    assert planned.exit_code == 0, planned.output
    assert "support-for-people-who-are-being-stalked" in planned.output
    wrong = run("publish", "stalking", "--section", "suport-for-people-who-are-being-stalked", "--version", "0.3",
                "--note", "A new section.", "--minor", "--dry-run", "--root", real)
    assert wrong.exit_code == 2
    assert "error [publish.section] suport-for-people-who-are-being-stalked is not a ready section of stalking" \
        in wrong.output
    assert "hint: Did you mean support-for-people-who-are-being-stalked? Ready sections: " in wrong.output


# --- issue 27: placeholder text --------------------------------------------------------------------------------------

def _new_problems(root: Path, before) -> list:
    return sorted(((p.code, p.pos.file, p.pos.line, p.pos.col, p.hint) for p in pipeline.check(root).problems
                   if (p.code, p.pos.file, p.pos.line, p.pos.col) not in before), key=str)


def test_the_scaffold_text_is_a_warning_that_strict_and_publish_refuse(real):
    before = _problems(real)
    assert run("new", "section", "stalking", "supporting-victims", "--title", "Support at court", "--root",
               real).exit_code == 0
    line = (real / VICTIMS).read_text().split("\n").index("        para: Write the first paragraph of this section here.") + 1
    assert _new_problems(real, before) == [("content.placeholder", VICTIMS, line, 15,
                                            "Replace it with the text readers should see (or delete the block).")]
    assert run("validate", "--root", real, "--no-cache").exit_code == 0, "a warning while the draft is written"
    strict = run("validate", "--strict", "--root", real, "--no-cache")
    assert strict.exit_code == 1 and f"{VICTIMS}:{line}:15: warning [content.placeholder]" in strict.output
    assert run("status", "support-at-court", "ready", "--root", real).exit_code == 0
    _commit_all(real)
    refused = run("publish", "stalking", "--version", "0.3", "--note", "Support at court.", "--minor", "--yes",
                  "--root", real)
    assert refused.exit_code == 1
    assert f"{VICTIMS}:{line}:15: error [content.placeholder]" in refused.output
    assert "Nothing was published." in refused.output


def test_a_pasted_glossary_snippet_left_unfilled_is_placeholder_text(real):
    _replace_line(real, VICTIMS, r"^(\s+para: )([A-Z])", lambda m: f"{m[1]}Ask an [[term:ISVA]]. {m[2]}")
    before = _problems(real)
    hint = next(p.hint for p in pipeline.check(real).problems if p.code == "ref.term")
    glossary = real / "content/glossary.yaml"
    glossary.write_text(glossary.read_text().rstrip("\n") + "\n" + hint.split("\n", 1)[1] + "\n")
    lines = glossary.read_text().split("\n")
    line = lines.index(next(x for x in lines if "what the letters" in x)) + 1
    assert _new_problems(real, before) == [
        ("content.placeholder", "content/glossary.yaml", line, 16,
         "Write what ISVA stands for (or delete the line if it is not an abbreviation); and what ISVA means, in a "
         "sentence readers can follow.")], "one entry left unfilled is one problem"


# --- issue 27: indentation -------------------------------------------------------------------------------------------

def test_blocks_indented_two_more_spaces_is_one_problem_naming_the_indent(real):
    path = real / VICTIMS
    lines = path.read_text().split("\n")
    start = lines.index("    blocks:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    lines[start:end] = ["  " + line for line in lines[start:end]]
    path.write_text("\n".join(lines))
    problems = pipeline.check(real).problems
    assert [(p.code, p.pos.file, p.pos.line, p.pos.col, p.message, p.hint) for p in problems] == [
        ("load.indentation", VICTIMS, start + 1, 7,
         "`blocks:` is indented 2 more spaces than `review_by:` on the line above, whose value is already given",
         "Indent `blocks:` as `review_by:` is (4 spaces), and the lines under it 2 spaces less.")]


def test_a_note_at_the_indent_of_notes_is_one_problem_saying_indent_it(real):
    path = real / VICTIMS
    before = _problems(real)
    lines = path.read_text().split("\n")
    notes = next(i for i, line in enumerate(lines) if line == "        notes:" and lines[i + 1].startswith("          teachers:"))
    i = notes + 1
    while lines[i].startswith("          "):
        lines[i] = lines[i][2:]
        i += 1
    path.write_text("\n".join(lines))
    problems = [p for p in pipeline.check(real).problems if (p.code, p.pos.file, p.pos.line, p.pos.col) not in before]
    assert [(p.code, p.pos.line, p.pos.col) for p in problems] == [("schema.indentation", notes + 2, 9)]
    assert problems[0].message.startswith("`teachers:` is at the same indent as `notes:` above it")
    assert problems[0].hint == "Indent `teachers:` and `healthcare:` under `notes:` (two more spaces than `notes:`)."


# --- issue 27: output a person reads once ----------------------------------------------------------------------------

def _wait(condition, what: str, timeout: float = 120) -> None:
    """Wait until condition() holds (checked every 50 ms), or fail saying what did not happen."""
    import threading
    import time

    deadline, tick = time.monotonic() + timeout, threading.Event()
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        tick.wait(0.05)


@pytest.mark.slow
def test_serve_prints_one_line_per_save_saying_what_was_updated(real):
    import threading

    from builder.preview.incremental import Preview
    from builder.preview.server import watch

    preview = Preview(real)
    assert preview.start().ok
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(preview, lines.append, stop), daemon=True)
    thread.start()
    path = real / VICTIMS
    text = path.read_text()
    try:
        path.write_text(text.replace("Your first response can shape", "Your first answer can shape", 1))
        _wait(lambda: lines, "the line for the save")
        _wait(lambda: not preview.has_rest(), "the other pages")
        assert len(lines) == 1, lines
        assert re.fullmatch(r"preview updated in \d+\.\d\d s: stalking/supporting-victims; then \d+ pages that show "
                            r"it \(print pages, audience views\)( and the navigation of \d+ pages?)?, all by "
                            r"\d+\.\d\d s", lines[0]), lines[0]

        lines.clear()
        path.write_text(text.replace("Your first response can shape", "Your first [[term:NOSUCH]] can shape", 1))
        _wait(lambda: any(line.startswith("preview not updated") for line in lines), "the failed save")
        assert lines[-1].startswith("preview not updated") and lines[-2].endswith("1 error in 1 file")

        lines.clear()
        path.write_text(text)
        _wait(lambda: lines, "the line for the fix")
        _wait(lambda: not preview.has_rest(), "the other pages")
        assert len(lines) == 1, lines
        assert lines[0].startswith("Problems fixed: the preview shows your content again")
        assert "no page changed" not in lines[0] and lines[0].count("(print pages") <= 1
    finally:
        stop.set()
        thread.join(60)
        preview.close()


# --- issue 27: blame the copy, one problem per collision ---------------------------------------------------------

ORDERS = "content/stalking/05-stalking-protection-orders.yaml"


@pytest.fixture
def cloned(real) -> Path:
    """The real content as a fresh clone has it: committed on main, then a branch of the editor's own."""
    repo = _commit_all(real)
    repo.git.switch("-c", "my-change")
    return real


def _copy_published_paragraph(root: Path) -> int:
    """Copy the published paragraph rgwd (two lines with its id) from chapter 5 to the end of chapter 4; return
    the line of the copy's id."""
    source = (root / ORDERS).read_text().split("\n")
    i = source.index("      - id: rgwd")
    victims = root / VICTIMS
    text = victims.read_text().rstrip("\n")
    victims.write_text(text + "\n" + source[i] + "\n" + source[i + 1] + "\n")
    return text.count("\n") + 2


def _exactly(root: Path) -> list[tuple]:
    return [(p.code, p.pos.file, p.pos.line, p.pos.col, p.message, p.hint) for p in pipeline.check(root).problems]


def test_a_copied_published_paragraph_is_blamed_on_the_copy(cloned):
    line = _copy_published_paragraph(cloned)
    assert _exactly(cloned) == [
        ("ids.duplicate", VICTIMS, line, 9, f"block id 'rgwd' is also used at {ORDERS}:15:9",
         "This paragraph is new since main: delete its id: line and run guidance fmt to give it an id of its own "
         "(the other keeps its id: it is published).")]
    result = run("validate", "--root", cloned)
    assert result.output.startswith(f"{VICTIMS}:{line}:9: error [ids.duplicate]") and result.exit_code == 1
    # following the hint fixes it, and leaves the published paragraph as it was
    victims = cloned / VICTIMS
    victims.write_text(victims.read_text().replace("      - id: rgwd\n        para:", "      - para:"))
    before = (cloned / ORDERS).read_text()
    assert run("fmt", "--root", cloned).exit_code == 0
    assert (cloned / ORDERS).read_text() == before and "      - id: rgwd\n" in before
    assert [p.code for p in pipeline.check(cloned).problems if p.severity == "error"] == []


def test_a_copy_committed_on_the_branch_is_still_the_copy(cloned):
    line = _copy_published_paragraph(cloned)
    _commit_all(cloned, "Copy a paragraph")
    assert [(c, f, ln, col) for c, f, ln, col, *_ in _exactly(cloned)] == [("ids.duplicate", VICTIMS, line, 9)]


def test_without_history_the_later_one_is_blamed_and_no_published_id_is_to_change(real):
    _copy_published_paragraph(real)
    found = _exactly(real)
    assert [(c, f, ln, col) for c, f, ln, col, *_ in found] == [("ids.duplicate", ORDERS, 15, 9)]
    assert found[0][5] == ("Both are in published sections, so neither id may change: readers' links use it. Delete "
                           "the one that is a copy (without the git history guidance cannot tell which is new).")


def _new_section_with_an_existing_id(root: Path) -> int:
    victims = root / VICTIMS
    text = victims.read_text().rstrip("\n")
    victims.write_text(text + "\n  - id: keeping-evidence\n    title: Keeping evidence online\n    audiences: [all]\n"
                       "    status: draft\n    blocks:\n      - id: zz22\n        para: Keep screenshots of "
                       "messages and posts, with the date and time on them.\n")
    return text.count("\n") + 2


@pytest.mark.parametrize("history", [True, False])
def test_a_new_section_with_an_existing_id_is_one_problem_and_references_keep_their_target(real, history):
    if history:
        _commit_all(real).git.switch("-c", "my-change")
    line = _new_section_with_an_existing_id(real)
    found = _exactly(real)
    state = "new since main" if history else "a draft"
    assert found == [
        ("ids.duplicate", VICTIMS, line, 5, f"section id 'keeping-evidence' is also used at {VICTIMS}:92:5",
         f"This section is {state}, so its id can still change: give it another one (the id: line) and change any "
         "[[section:keeping-evidence]] written for it; the other keeps 'keeping-evidence': it is published.")]
    checked = pipeline.check(real)
    section = next(s for s in checked.content.document("stalking").sections() if s.id == "keeping-evidence")
    assert section.status == "published", "[[section:keeping-evidence]] still means the published section"


def test_merge_conflict_markers_are_one_problem_saying_what_to_keep(real):
    path = real / VICTIMS
    lines = path.read_text().split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("        para: Your first response"))
    lines[i:i + 1] = ["<<<<<<< HEAD", lines[i], "=======", lines[i].replace("first response", "first answer"),
                      ">>>>>>> support-at-court"]
    path.write_text("\n".join(lines))
    found = _exactly(real)
    assert [(c, f, ln, col) for c, f, ln, col, *_ in found] == [("load.conflict", VICTIMS, i + 1, 1)]
    assert found[0][4] == (f"the file holds git's merge-conflict markers (lines {i + 1}–{i + 5}): two branches changed "
                           "the same lines")
    assert found[0][5].startswith("Between <<<<<<< and ======= is one side, between ======= and >>>>>>> the other")
