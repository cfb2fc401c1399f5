"""Reliability and security: no command removes or writes anything outside its own output, the generated
configuration is data, every command sees the content the same way, drafts stay private, and hostile input is a
positioned problem, never a traceback."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from builder import pipeline
from builder.cli import main
from builder.content.load import display_name, read_content
from builder.site.build import MARKER, MARKER_TEXT

URL = "https://guidance.example.org/"


@pytest.fixture(autouse=True)
def _site_url(monkeypatch):
    monkeypatch.setenv("GUIDANCE_SITE_URL", URL)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def reported(output: str, file: str, code: str) -> bool:
    """Whether output has a problem line for file (with or without a line and column) with code."""
    return re.search(rf"^{re.escape(file)}(:\d+:\d+)?: error \[{re.escape(code)}\]", output, re.M) is not None


def snapshot(folder: Path) -> dict[str, str]:
    """Every path below folder (links not followed) with a digest of what it is."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                out[path.relative_to(folder).as_posix()] = "link:" + os.readlink(path)
            elif path.is_file():
                out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[path.relative_to(folder).as_posix()] = "dir"
    return out


# --- --out never removes what guidance did not build ------------------------------------------------------------

@pytest.fixture
def workspace(project, tmp_path):
    """The project beside a neighbour folder of someone else's files, and untracked files in the project."""
    (tmp_path / "neighbour").mkdir()
    (tmp_path / "neighbour/notes.txt").write_text("someone else's work")
    (project / "untracked.txt").write_text("not committed anywhere")
    (project / "mine").mkdir()
    (project / "mine/report.html").write_text("<p>a report</p>")
    return project, tmp_path


@pytest.mark.parametrize("out", [".", "..", "content", "content/alpha", "mine", "untracked.txt", "build",
                                 "../neighbour", "../..", "/"])
def test_out_refuses_the_project_its_parents_its_sources_and_folders_it_did_not_build(workspace, out):
    project, top = workspace
    before = snapshot(top)
    result = run("build", "--root", project, "--out", project / out)
    if out == "untracked.txt":  # click refuses a file as misuse before guidance runs
        assert result.exit_code == 2 and "is a file" in result.output
    else:
        assert result.exit_code == 1, result.output
        assert "[build.out]" in result.output and "Traceback" not in result.output
    assert snapshot(top) == before, "nothing was removed or written"


def test_out_refuses_a_link_to_a_folder(workspace):
    project, top = workspace
    (project / "link").symlink_to(top / "neighbour")
    before = snapshot(top)
    result = run("build", "--root", project, "--out", project / "link")
    assert result.exit_code == 1 and "is a link" in result.output
    assert snapshot(top) == before


@pytest.mark.slow
def test_out_builds_into_a_new_or_empty_folder_and_then_replaces_its_own_build(workspace):
    project, top = workspace
    (top / "empty").mkdir()
    for out in (top / "empty", top / "new/nested"):
        first = run("build", "--root", project, "--out", out)
        assert first.exit_code == 0, first.output
        assert (out / "index.html").is_file() and (out / MARKER).is_file()
        (out / "stale.html").write_text("from an earlier build")
        again = run("build", "--root", project, "--out", out)
        assert again.exit_code == 0, again.output
        assert not (out / "stale.html").exists(), "a build replaces its own earlier build whole"
    assert (top / "neighbour/notes.txt").read_text() == "someone else's work"


@pytest.mark.slow
def test_leftovers_of_killed_builds_are_removed_and_nothing_else(workspace):
    project, top = workspace
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = dead.stdout.strip()
    for name in (f"site.tmp-{pid}-k1ll3d", f"site.old-{pid}"):
        (project / name).mkdir()
        (project / name / MARKER).write_text(MARKER_TEXT)
        (project / name / "index.html").write_text("half a site")
    (project / f"site.tmp-{pid}-notours").mkdir()  # a folder of the same shape that guidance did not make
    (project / f"site.tmp-{pid}-notours/keep.txt").write_text("keep")
    (project / f"site.tmp-{os.getpid()}-running").mkdir()  # a build still running (this process)
    (project / f"site.tmp-{os.getpid()}-running" / MARKER).write_text(MARKER_TEXT)
    result = run("build", "--root", project)
    assert result.exit_code == 0, result.output
    names = {p.name for p in project.iterdir() if p.name.startswith("site.")}
    assert names == {f"site.tmp-{pid}-notours", f"site.tmp-{os.getpid()}-running"}


def test_an_output_folder_that_cannot_be_written_is_a_problem_not_a_traceback(project):
    # /proc refuses new folders even to root, who may write anywhere else.
    result = run("build", "--root", project, "--out", "/proc/guidance-cannot-write-here")
    assert result.exit_code == 1
    assert "[build.write]" in result.output and "Traceback" not in result.output
    assert "internal error" not in result.output


# --- the generated configuration is data --------------------------------------------------------------------------

HOSTILE = 'Risk: "who" #1 - [c] & *d !e %f @g `h` | ? \'q\' ' + "é" * 3  # schemas refuse < > { } in titles


@pytest.mark.slow
def test_long_titles_full_of_yaml_syntax_build_and_read_back_exactly(project):
    title = (HOSTILE * 8)[:200].strip()
    chapter = project / "content/alpha/01-basics.yaml"
    data = yaml.safe_load(chapter.read_text())
    data["title"] = title
    for section in data["sections"]:
        section["title"] = title[: 190 - len(section["id"])] + section["id"]
    chapter.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=80))
    audiences = project / "content/audiences.yaml"
    registry = yaml.safe_load(audiences.read_text())
    registry["audiences"][0]["name"] = title[:80].strip()
    audiences.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False, width=60))
    document = project / "content/alpha/document.yaml"
    doc = yaml.safe_load(document.read_text())
    doc["title"] = title
    document.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=60))
    checked, result = pipeline.build(project)
    assert not checked.failed(), checked.problems
    assert result.ok, result.problems
    config = yaml.safe_load((project / "build/mkdocs.yml").read_text())
    flat = yaml.safe_dump(config["nav"], allow_unicode=True)
    assert f"1. {title}" in yaml.safe_load(flat)[1][next(iter(config["nav"][1]))][1], "the chapter title reads back whole"
    assert title in (project / "site/alpha/basics/index.html").read_text().replace("&quot;", '"').replace("&amp;", "&")


# --- one view of the content for every command ---------------------------------------------------------------------

def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args],
                          cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "outside.yaml"
    secret.write_text(Path(__file__).parent.joinpath("fixtures/site/content/alpha/01-basics.yaml").read_text()
                      .replace("chapter: basics", "chapter: basics").replace("id: basics", "id: outside"))
    return secret


SHAPES = {
    "link-to-outside": lambda p, outside: (p / "content/alpha/07-linked.yaml").symlink_to(outside),
    "link-to-proc-mem": lambda p, outside: (p / "content/alpha/07-mem.yaml").symlink_to("/proc/self/mem"),
    "fifo": lambda p, outside: os.mkfifo(p / "content/alpha/07-pipe.yaml"),
    "folder-named-yaml": lambda p, outside: (p / "content/alpha/07-folder.yaml").mkdir(),
    "linked-folder": lambda p, outside: (p / "content/gamma").symlink_to(outside.parent),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_command_refuses_what_is_not_a_plain_file_in_the_same_words(project, outside, shape):
    SHAPES[shape](project, outside)
    before = snapshot(project)
    entries, problems = read_content(project)
    assert [p.code for p in problems] == ["load.not-a-file"], problems
    expected = problems[0]
    assert all("outside" not in raw.decode() for _, raw in entries), "nothing is read through a link"
    for args in (["validate"], ["validate", "--strict"], ["build"], ["build", "--preview"], ["history"], ["fmt"],
                 ["fmt", "--check"], ["new", "section", "alpha", "basics", "--title", "A new section"]):
        result = run(*args, "--root", project)
        assert result.exit_code != 0, (args, result.output)
        assert reported(result.output, expected.pos.file, "load.not-a-file"), (args, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output
    assert snapshot(project) == before, "no command wrote anything"


def test_a_name_that_is_not_utf8_is_refused_with_a_printable_name(project):
    bad = os.fsencode(project / "content/alpha") + b"/07-caf\xe9\n::error::x.yaml"
    with open(bad, "wb") as handle:
        handle.write(b"title: x\n")
    result = run("validate", "--root", project)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert reported(lines[0], "content/alpha/07-caf\\xe9\\u000a::error::x.yaml", "load.file-name")
    assert lines[0].endswith("the file or folder name is not plain UTF-8 text (it holds bytes that are not UTF-8, "
                             "or control or invisible characters)")
    assert not any(line.startswith("::") for line in lines), "no line of output is a workflow command"


def test_git_revisions_refuse_links_and_folders_the_way_the_working_tree_does(project, outside):
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "content")
    (project / "content/alpha/07-linked.yaml").symlink_to(outside)
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "a link")
    clone = project.parent / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(project), str(clone)], check=True)
    working = run("validate", "--root", clone)
    diff = run("diff", "HEAD~1", "HEAD", "--root", clone)
    assert working.exit_code == 1 and reported(working.output, "content/alpha/07-linked.yaml", "load.not-a-file")
    assert diff.exit_code == 1, diff.output
    assert reported(diff.output, "content/alpha/07-linked.yaml", "load.not-a-file")
    assert "No content changes" not in diff.output


# --- drafts stay private ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_term_only_drafts_use_is_left_out_of_the_public_glossary_and_search(project):
    glossary = project / "content/glossary.yaml"
    glossary.write_text(glossary.read_text() + "  - id: ZQX\n    term: ZQX\n    expansion: zebra quokka xylophone\n"
                        "    definition: A plan that is not yet public.\n")
    chapter = project / "content/alpha/01-basics.yaml"
    text = chapter.read_text()
    draft_at = text.index("status: draft")
    para_at = text.index("para: ", draft_at)
    chapter.write_text(text[:para_at + 6] + "The [[term:ZQX]] applies. " + text[para_at + 6:])
    checked, result = pipeline.build(project)
    assert result.ok, result.problems
    site = project / "site"
    assert "ZQX" not in (site / "glossary/index.html").read_text()
    assert "quokka" not in (site / "search/search_index.json").read_text().lower()
    checked, preview = pipeline.build(project, preview=True)
    assert "ZQX" in (project / "site-preview/glossary/index.html").read_text(), "the preview still shows it"


def test_published_text_referring_to_a_draft_section_is_an_error_with_a_hint(project):
    chapter = project / "content/alpha/01-basics.yaml"
    text = chapter.read_text()
    data = yaml.safe_load(text)
    draft = next(s["id"] for s in data["sections"] if s["status"] == "draft")
    published_para = text.index("para: ", text.index("status: published"))
    chapter.write_text(text[:published_para + 6] + f"See [[section:{draft}]]. " + text[published_para + 6:])
    problems = [p for p in pipeline.check(project).problems if p.code == "ref.unpublished"]
    assert len(problems) == 1 and problems[0].severity == "error"
    assert problems[0].pos.file == "content/alpha/01-basics.yaml"
    assert text[:published_para].count("\n") + 1 == problems[0].pos.line
    assert "Publish the two together" in problems[0].hint


def test_glossary_ids_that_differ_only_in_case_are_refused(project):
    glossary = project / "content/glossary.yaml"
    data = yaml.safe_load(glossary.read_text())
    first = data["terms"][0]
    glossary.write_text(glossary.read_text() + f"  - id: {first['id'].lower()}\n    term: other\n"
                        "    definition: Another term.\n")
    problems = [p for p in pipeline.check(project).problems if p.code == "ids.duplicate"]
    assert len(problems) == 1 and "letter case" in problems[0].message
    assert problems[0].pos.line == len(glossary.read_text().splitlines()) - 2


# --- any names, any shapes -------------------------------------------------------------------------------------------

_NAME = st.one_of(
    st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=10),
    st.binary(min_size=1, max_size=10).filter(lambda b: b"/" not in b and b"\x00" not in b).map(os.fsdecode),
).filter(lambda n: n not in (".", ".."))
_KIND = st.sampled_from(["file", "folder", "link-out", "link-in", "fifo"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.dictionaries(_NAME, st.tuples(_KIND, st.booleans()), min_size=1, max_size=5))
def test_any_file_names_and_folder_shapes_are_refused_or_read_never_followed(tmp_path_factory, shapes):
    root = tmp_path_factory.mktemp("shapes")
    project = root / "project"
    shutil.copytree(Path(__file__).parent / "fixtures/site/content", project / "content")
    secret = root / "secret.yaml"
    secret.write_text("id: secret\ntitle: Canary outside the repository\nsections: []\n")
    expected = {}
    for name, (kind, yaml_suffix) in shapes.items():
        name += ".yaml" if yaml_suffix else ""
        path = project / "content" / "alpha" / name
        if os.path.lexists(path) or len(os.fsencode(name)) > 255:
            continue
        rel = f"content/alpha/{display_name(name)}"
        if kind == "file":
            path.write_text("id: x\ntitle: X\nsections: []\n")
        elif kind == "folder":
            path.mkdir()
        elif kind == "link-out":
            path.symlink_to(secret)
        elif kind == "link-in":
            path.symlink_to(project / "content/alpha/01-basics.yaml")
        else:
            os.mkfifo(path)
        if display_name(name) != name:
            expected[rel] = "load.file-name"
        elif kind in ("link-out", "link-in", "fifo") or kind == "folder" and yaml_suffix:
            expected[rel] = "load.not-a-file"
    before = secret.read_bytes()
    entries, problems = read_content(project)
    assert all(b"Canary outside" not in raw for _, raw in entries), "nothing is read through a link"
    refused = {p.pos.file: p.code for p in problems}
    assert refused == expected
    result = run("validate", "--root", project)
    assert result.exit_code in (0, 1) and "internal error" not in result.output and "Traceback" not in result.output
    assert not any(line.startswith("::") for line in result.output.splitlines())
    assert secret.read_bytes() == before


def test_ci_installs_a_locked_set_of_dependencies():
    """Every dependency pyproject.toml names (and the test and zensical extras) is pinned in constraints.txt, which
    make and the workflow install with."""
    import tomllib

    repo = Path(__file__).resolve().parent.parent
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"] + project["optional-dependencies"]["zensical"]
    names = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-") for d in wanted}
    pinned = {line.split("==")[0].lower().replace("_", "-").replace(".", "-")
              for line in (repo / "constraints.txt").read_text().splitlines() if "==" in line}
    assert names - pinned == set(), "run make constraints"
    assert "-c constraints.txt" in (repo / "Makefile").read_text()
    workflow = (repo / ".github/workflows/guidance.yml").read_text()
    installs = re.findall(r"pip install[^\n]*", workflow)
    assert installs and all("-c constraints.txt" in line for line in installs)


# --- the leak check compares words, never guesses from the first few -----------------------------------------------

ARCHIVED = "Zebra quartz marmalade canary notebook lantern velvet harbour secret draft words."
NEW_WORDS = "Ostrich kettle plans for the northern region stay unpublished until spring."


def _archived_then_drafted(tmp_path):
    """A repository where edition 1.1 published ARCHIVED, 1.2 replaced it (so only 1.1's archive shows it), and a
    new draft section begins with ARCHIVED and goes on with NEW_WORDS. Returns the project and its public render."""
    from gitrepo import GitProject, env

    from builder.history.collect import collect
    from builder.render.pages import Options, render
    from builder.review.diff import edition_redlines

    repo = GitProject(tmp_path / "repo", "2026-11-01")
    basics = "content/alpha/01-basics.yaml"

    def publish(version, day):
        result = CliRunner(env=env(day)).invoke(main, ["publish", "alpha", "--version", version, "--note", "A note.",
                                                       "--date", day, "--root", str(repo.root)])
        assert result.exit_code == 0, result.output

    repo.replace(basics, "status: draft", "status: ready")
    repo.commit("Ready the plans", "2027-01-10")
    publish("1.1", "2027-01-11")
    repo.replace(basics, ARCHIVED, "Plans are now set out in the annex.")
    repo.commit("Rewrite the plans", "2027-02-01")
    publish("1.2", "2027-02-02")
    with repo.path(basics).open("a", encoding="utf-8") as f:
        f.write(f"  - id: ostrich\n    title: Ostrich section\n    audiences: [police]\n    status: draft\n"
                f"    blocks:\n      - id: os01\n        para: {ARCHIVED} {NEW_WORDS}\n")
    repo.commit("A new draft", "2027-03-01")
    repo.close()
    checked = pipeline.check(repo.root)
    assert not checked.failed(), checked.problems
    history = collect(repo.root, checked.content)
    site = render(checked.content, Options(history=history, site_url=URL,
                                           redlines=edition_redlines(checked.content, history)))
    return repo.root, site


@pytest.mark.slow
def test_a_draft_that_begins_with_an_archived_sentence_is_still_checked_for_leaks(tmp_path):
    from builder.site import leaks

    root, site = _archived_then_drafted(tmp_path)
    archive = next(text for path, text in site.pages.items() if "/editions/" in path and ARCHIVED[:30] in text)
    assert archive, "edition 1.1's archive shows the archived sentence"
    pages = tmp_path / "pages"
    (pages / "a").mkdir(parents=True)
    (pages / "b").mkdir()
    (pages / "a/index.html").write_text(f"<p>{ARCHIVED}</p>")  # public since 1.1: not a leak
    (pages / "b/index.html").write_text(f"<p>{ARCHIVED} {NEW_WORDS.upper()}</p>")  # the draft's own words: a leak
    found = leaks.leaks(pages, site.hidden_text, site.public_text)
    assert len(found) == 1 and found[0].startswith("b/index.html: '"), found
    assert "ostrich" in found[0] or "kettle" in found[0] or "unpublished" in found[0], found


# --- the system's refusals are problems an editor can act on ---------------------------------------------------------

EDITS = {
    "fmt": ["fmt"],
    "status": ["status", "secret-draft", "ready"],
    "new section": ["new", "section", "alpha", "basics", "--title", "A new section"],
}
BASICS = "content/alpha/01-basics.yaml"


def guidance(*args, cwd=None, preexec_fn=None):
    """guidance in a process of its own, as an editor runs it."""
    return subprocess.run([sys.executable, "-m", "builder", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, preexec_fn=preexec_fn, env={**os.environ, "PYTHONPATH": str(REPO)})


REPO = Path(__file__).resolve().parent.parent


def _mount_tmpfs(folder: Path, size: str) -> bool:
    """A small tmpfs at folder (root only, where mounting is allowed); False when it cannot be made."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """(folder, how): a folder on a tmpfs of its own when this runs as root ("tmpfs"), else a plain folder
    ("plain"), whose filling is then simulated with RLIMIT_FSIZE."""
    folder = tmp_path / "disk"
    mounted = _mount_tmpfs(folder, "1m")
    yield folder, "tmpfs" if mounted else "plain"
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _needs_formatting(project: Path) -> None:
    chapter = project / BASICS
    chapter.write_text(chapter.read_text().replace("review_by: 2099-11-30", 'review_by: "2099-11-30"', 1))


def _problem_line(output: str) -> str:
    return next((line for line in output.splitlines() if "error [" in line), output)


@pytest.mark.parametrize("command", EDITS)
def test_a_read_only_content_folder_is_a_problem_not_a_traceback(small_disk, command):
    disk, how = small_disk
    project = disk / "project"
    shutil.copytree(Path(__file__).parent / "fixtures/site", project)
    _needs_formatting(project)
    if how == "tmpfs":
        assert subprocess.run(["mount", "-o", "remount,ro", str(disk)]).returncode == 0
    else:
        for folder in (project / "content", project / "content/alpha"):
            folder.chmod(0o555)
    before = snapshot(project)
    result = guidance(*EDITS[command], "--root", project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _problem_line(result.stdout) == (f"{BASICS}: error [io.read-only] this cannot be written: "
                                            f"{'Read-only file system' if how == 'tmpfs' else 'Permission denied'}; "
                                            "nothing was changed"), result.stdout
    assert "hint: Make the folder writable for you" in result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "published" not in result.stdout + result.stderr
    assert snapshot(project) == before, "nothing changed"


@pytest.mark.parametrize("command", EDITS)
def test_a_full_disk_is_a_problem_and_leaves_the_file_as_it_was(small_disk, command):
    """On a real 1 MiB tmpfs filled up when this runs as root; otherwise the file size limit (RLIMIT_FSIZE)
    refuses the write the same way (EFBIG, which Python gets as an error rather than a signal)."""
    import resource

    disk, how = small_disk
    project = disk / "project"
    shutil.copytree(Path(__file__).parent / "fixtures/site", project)
    _needs_formatting(project)
    limit = None
    if how == "tmpfs":
        with contextlib.suppress(OSError), open(disk / "filler", "wb", buffering=0) as filler:
            while True:  # until the disk is full
                filler.write(b"\0" * 4096)
    else:
        size = (project / BASICS).stat().st_size // 2
        limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))  # noqa: E731
    before = snapshot(project)
    result = guidance(*EDITS[command], "--root", project, preexec_fn=limit)
    assert result.returncode == 1, result.stdout + result.stderr
    reason = "No space left on device" if how == "tmpfs" else "File too large"
    assert _problem_line(result.stdout) == (f"{BASICS}: error [io.no-space] there is no space left to write this "
                                            f"file ({reason}); it was left as it was"), result.stdout
    assert "hint: Free some space" in result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert snapshot(project) == before, "the file is as it was and no temporary file is left"


@pytest.mark.parametrize("command", [["validate"], ["status", "secret-draft", "ready"], ["fmt"]])
def test_a_deleted_current_folder_is_a_problem_with_what_to_do(project, tmp_path, command):
    gone = tmp_path / "gone"
    gone.mkdir()
    before = snapshot(project)
    code = (f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); sys.argv = ['guidance', *sys.argv[1:]]; "
            "from builder.cli import run; run()")
    result = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[:2] == [
        ".: error [io.cwd-missing] the folder guidance was started in no longer exists (it was deleted or moved)",
        "    hint: cd into the project again (or pass --root with its full path) and run the command again."]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "published" not in result.stdout + result.stderr
    assert snapshot(project) == before
