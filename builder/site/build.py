"""Site stage: write the generated Markdown, run MkDocs into a temporary folder, check it, then swap it in whole."""
from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from ruamel.yaml import YAML

from builder.content.model import Pos, Problem
from builder.render.pages import Site
from builder.site.safety import SEARCH_INDEXES, leaks, only_pages, sanitise_site

THEME_DIR = Path(__file__).resolve().parent / "theme"
PAGE_ENTRY_BOOST = 0.2
ENGINES = ("mkdocs", "zensical")  # Material for MkDocs (end of life May 2027) and its successor, an optional extra
# Theme overrides that fit Material for MkDocs only: Zensical's own search partial is a button that names its dialog
# already, and Material's search form in its place stops Zensical's search from starting.
MATERIAL_ONLY = ("partials/search.html",)
ZENSICAL_TIMEOUT = 900  # seconds
# Written into every site guidance builds (a dot file: MkDocs and Zensical keep dot files when they clean site_dir),
# so that --out replaces a folder only when guidance built it.
MARKER = ".guidance-site"
MARKER_TEXT = "Built by guidance: `guidance build --out` may replace this folder.\n"
# Folders of the project a build never writes into.
PROTECTED = ("content", "schemas", "builder", "tests", "docs", "build", ".git")


@dataclass
class BuildResult:
    out_dir: Path
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def build_lock(build_dir: Path):
    """One build at a time per checkout: two at once would write the same generated tree."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_docs(site: Site, docs_dir: Path) -> None:
    """Replace the generated Markdown tree with this render's pages."""
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    for rel, text in site.pages.items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


SITE_URL_ENV = "GUIDANCE_SITE_URL"  # the workflow sets it to the GitHub Pages address; it wins over mkdocs.yml


def site_url(root: Path, preview: bool) -> tuple[str | None, Problem | None]:
    """The public address of the site (GUIDANCE_SITE_URL, else site_url in mkdocs.yml), ending in "/", and the
    problem with it: a public build needs one, because citations, the sitemap and canonical links are full URLs."""
    url = os.environ.get(SITE_URL_ENV, "").strip()
    where = f"the environment variable {SITE_URL_ENV}"
    if not url:
        config = YAML(typ="safe").load((root / "mkdocs.yml").read_text(encoding="utf-8")) or {}
        url, where = str(config.get("site_url") or "").strip(), "site_url in mkdocs.yml"
    if not url:
        if preview:
            return None, None
        return None, Problem(Pos("mkdocs.yml"), "error", "build.site-url",
                             "the public site has no address, so citations, the sitemap and canonical links cannot be full URLs",
                             f"Set site_url: https://… in mkdocs.yml, or {SITE_URL_ENV}=https://… in the environment "
                             "(the workflow sets it to the GitHub Pages address). A preview build needs neither.")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s?#]*)?", url):
        return None, Problem(Pos("mkdocs.yml"), "error", "build.site-url",
                             f"{where} is not a web address: {url!r}",
                             "Write the address readers open, for example https://example.github.io/guidance/.")
    return url.rstrip("/") + "/", None


def write_config(root: Path, build_dir: Path, name: str, docs_dir: Path, site_dir: Path, nav: list,
                 exclude: str | None = None, engine: str = "mkdocs", url: str | None = None,
                 extra: dict | None = None) -> Path:
    """build/<name>.yml: the project's mkdocs.yml with paths made relative to build/ and the navigation added
    (and, for the public build, exclude_docs listing every page it may contain). For Zensical, site_dir must lie
    inside build/, the theme keeps Material's classic look unless mkdocs.yml chooses a theme variant, and the
    theme overrides are copied to build/<name>-theme/ without those that fit Material only."""
    config = YAML(typ="safe").load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = os.path.relpath(docs_dir, build_dir)
    config["site_dir"] = os.path.relpath(site_dir, build_dir)
    config["theme"]["custom_dir"] = os.path.relpath(THEME_DIR, build_dir)
    config["nav"] = nav
    if url:
        config["site_url"] = url
    if extra:
        config["extra"] = {**(config.get("extra") or {}), **extra}
    if engine == "zensical":
        config["theme"].setdefault("variant", "classic")
        theme = build_dir / f"{name}-theme"  # builder/site/theme/ less MATERIAL_ONLY
        shutil.rmtree(theme, ignore_errors=True)
        shutil.copytree(THEME_DIR, theme, ignore=shutil.ignore_patterns("__pycache__"))
        for rel in MATERIAL_ONLY:
            (theme / rel).unlink(missing_ok=True)
        config["theme"]["custom_dir"] = theme.name
    if exclude is not None:
        config["exclude_docs"] = exclude
    path = build_dir / f"{name}.yml"
    path.write_text("# Generated by `guidance build`; edit mkdocs.yml at the top instead.\n" + dump_yaml(config),
                    encoding="utf-8")
    return path


def dump_yaml(data) -> str:
    """YAML for a generated configuration, written by a dumper: any title, however long or full of YAML's own
    characters, reads back as the same text (never wrapped into a different value)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"), default_flow_style=False)


class _ReleaseMarkdown:
    """An MkDocs plugin run after the others: MkDocs keeps every page's Markdown, and its HTML, to the end of the
    build, though nothing reads the Markdown once the page is converted, nor the HTML once the page is written.
    "" in their place (not None, which MkDocs reads as a page not yet read, and titles from its file name) holds
    about a third less memory through a build. The built site is the same, byte for byte (checked on a generated
    300-section project)."""

    def on_page_content(self, html, page, config, files):
        page.markdown = ""
        return html

    def on_post_page(self, output, page, config):
        page.content = ""
        return output


def run_mkdocs(config_path: Path, site_dir: Path) -> list[Problem]:
    """Build with MkDocs' API in strict mode; every warning (broken link or anchor) is a problem."""
    from builder.site.mkdocs_adapter import MkDocsException, build, load_config

    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    rel = config_path.name
    try:
        config = load_config(str(config_path), site_dir=str(site_dir))
        config["strict"] = True
        config.plugins["guidance-release-markdown"] = _ReleaseMarkdown()
        build(config)
        failed = None
    except MkDocsException as err:
        failed = str(err)
    except (OSError, ValueError) as err:
        failed = f"{type(err).__name__}: {err}"
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    problems = [Problem(Pos(f"build/{rel}"), "error", "build.mkdocs", _tidy(m),
                        "This is a fault in the generated site, not in your content: report it with the content that caused it.")
                for m in collect.messages]
    if failed and not problems:
        problems.append(Problem(Pos(f"build/{rel}"), "error", "build.mkdocs", _tidy(failed)))
    return problems


def _tidy(message: str) -> str:
    return " ".join(message.split())


def engine_missing(engine: str) -> Problem | None:
    """The problem to report when the engine is not installed in guidance's environment (at pyproject.toml, which
    declares the extra that installs it), or None."""
    if engine != "zensical" or importlib.util.find_spec("zensical") is not None:
        return None
    return Problem(Pos("pyproject.toml"), "error", "build.engine-missing",
                   "Zensical is not installed, so --engine zensical cannot build the site",
                   "Install it into guidance's environment with `.venv/bin/pip install -e '.[zensical]'` "
                   "(or `pip install zensical`), or build with the default engine, mkdocs.")


def run_engine(engine: str, config_path: Path, site_dir: Path) -> list[Problem]:
    """Build the site config_path describes with engine ("mkdocs" or "zensical") into site_dir, whatever site_dir
    the config names; what site_dir held is replaced, as `mkdocs build` does. Returns the engine's problems
    (warnings count as errors: both run strict); [] is a clean build. Nothing is sanitised or checked here."""
    if engine == "mkdocs":
        return run_mkdocs(config_path, site_dir)
    if engine == "zensical":
        return run_zensical(config_path, site_dir)
    raise ValueError(f"unknown site engine {engine!r}: choose one of {', '.join(ENGINES)}")


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_ZENSICAL_ISSUE = re.compile(r"^(?:Warning|Error): (.+)$")
_ZENSICAL_AT = re.compile(r"\[\s*([^\s\]]+?):(\d+):(\d+)\s*\]")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt): (.+)$")


def run_zensical(config_path: Path, site_dir: Path) -> list[Problem]:
    """Build with Zensical's command line in strict mode, in a child process. Zensical refuses a site_dir outside
    the config's folder, so it builds into a fixed folder beside the config (the same from build to build, so that
    its cache in .cache/ there stays warm) and the result is moved into site_dir."""
    rel = config_path.name
    if (missing := engine_missing("zensical")) is not None:
        return [missing]
    folder = config_path.parent
    config = YAML(typ="safe").load(config_path.read_text(encoding="utf-8"))
    staging = folder / f".zensical-{config_path.stem}-site"
    private = folder / f".zensical-{config_path.stem}.yml"
    config["site_dir"] = staging.name
    docs = Path(folder.name) / str(config.get("docs_dir", "docs"))
    shutil.rmtree(staging, ignore_errors=True)
    try:
        private.write_text(dump_yaml(config), encoding="utf-8")
        try:
            run = subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "-f", str(private)],
                                 cwd=folder, capture_output=True, text=True, encoding="utf-8", errors="replace",
                                 env={**os.environ, "NO_COLOR": "1"}, timeout=ZENSICAL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return [Problem(Pos(f"build/{rel}"), "error", "build.zensical",
                            f"Zensical did not finish within {ZENSICAL_TIMEOUT} seconds")]
        problems = _zensical_problems(run.stdout + "\n" + run.stderr, rel, docs, run.returncode)
        if not problems and staging.is_dir():
            _replace_contents(staging, site_dir)
        elif not problems:
            problems.append(Problem(Pos(f"build/{rel}"), "error", "build.zensical", "Zensical built no site"))
        return problems
    finally:
        private.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)


def _zensical_problems(output: str, rel: str, docs: Path, returncode: int) -> list[Problem]:
    """Zensical's warnings and errors as problems, each at the generated page it names; a failure it printed no
    issue for (a traceback) as one problem with the exception's message, never the traceback."""
    hint = "This is a fault in the generated site, not in your content: report it with the content that caused it."
    lines = _ANSI.sub("", output).splitlines()
    problems = []
    for i, line in enumerate(lines):
        if found := _ZENSICAL_ISSUE.match(line.strip()):
            pos = Pos(f"build/{rel}")
            at = next((m for follow in lines[i + 1:i + 3] if (m := _ZENSICAL_AT.search(follow))), None)
            if at:
                pos = Pos((docs / at[1]).as_posix(), int(at[2]), int(at[3]))
            problems.append(Problem(pos, "error", "build.zensical", _tidy(found[1]), hint))
    if returncode != 0 and not problems:
        last = [m[0] for line in lines if (m := _EXCEPTION.match(line.strip()))]
        message = last[-1] if last else next((line for line in reversed(lines) if line.strip()), "")
        message = re.sub(r"^RuntimeError: Python error: ", "", _tidy(message))
        problems.append(Problem(Pos(f"build/{rel}"), "error", "build.zensical",
                                message or f"Zensical stopped with exit status {returncode}", hint))
    return problems


def _replace_contents(source: Path, target: Path) -> None:
    """Move source's files into target, first removing what target held (but for dot files, as MkDocs does)."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.name.startswith("."):
            continue
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()
    for new in source.iterdir():
        shutil.move(str(new), str(target / new.name))


def tune_search_index(site_dir: Path, labels: dict[str, str], extra: dict[str, dict] | None = None) -> None:
    """Rank sections above whole pages in Material's search: a page's own entry holds only its title and the
    status banner, so when it outranks the section that answers the query the reader lands on a banner.
    Label each section's result with who it is for, since Material shows a result's title and a snippet.
    Zensical's index (search.json, entries under "items") gets the labels only: its search reads no boosts."""
    for rel, key in SEARCH_INDEXES.items():
        path = site_dir / rel
        if not path.is_file():
            continue
        index = json.loads(path.read_text(encoding="utf-8"))
        tune_entries(index.get(key, []), labels, boost=key == "docs", extra=extra)
        path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def tune_entries(entries: list[dict], labels: dict[str, str], boost: bool = True,
                 extra: dict[str, dict] | None = None) -> None:
    """tune_search_index for a list of search entries, changed in place (the live preview tunes one page's).
    extra (render's Site.search_extra) adds fields to an entry ("aka", the words readers use, which mkdocs.yml
    indexes; "roles", which the search's role filter reads; "tags", the document and role, which Material shows
    under the result in place of the label in its title) or, with "exclude", takes it out: a withdrawal notice is
    not an answer."""
    extra = extra or {}
    entries[:] = [e for e in entries if not extra.get(e.get("location", "#"), {}).get("exclude")]
    for entry in entries:
        location = entry.get("location", "#")
        fields = {k: v for k, v in extra.get(location, {}).items() if k != "exclude"}
        tags = fields.pop("tags", None)
        entry.update(fields)
        if "#" not in location:
            if boost:
                entry["boost"] = entry.get("boost", 1) * PAGE_ENTRY_BOOST
        elif boost and tags:  # Material shows tags under a result's title; mkdocs.yml gives them almost no weight
            entry["tags"] = tags
        elif location in labels:
            entry["title"] = f"{entry['title']} ({labels[location]})"


def swap_in(new: Path, out_dir: Path) -> None:
    """Replace out_dir by new in two renames, so readers never see a half-built site."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f"{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    new.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _is_ours(folder: Path) -> bool:
    """A folder guidance built: it holds the marker, and is a real folder, not a link to one."""
    return not folder.is_symlink() and folder.is_dir() and (folder / MARKER).is_file() \
        and not (folder / MARKER).is_symlink()


def _out_problem(message: str, hint: str) -> Problem:
    return Problem(Pos("--out"), "error", "build.out", message, hint)


def check_out_dir(root: Path, out_dir: Path) -> Problem | None:
    """None when the build may replace out_dir: a folder that does not exist yet, an empty folder, or a site this
    tool built before (it holds MARKER). Never the project, a folder holding it, or a folder of its own sources,
    and never through a link. Decided before anything is written."""
    root = root.resolve()
    out = Path(os.path.abspath(out_dir))
    hint = "Choose a new or empty folder, or the folder of an earlier build (the default is site/)."
    if out.is_symlink():
        return _out_problem(f"{out} is a link; the build would replace what it points to", hint)
    real = out.resolve()
    if real == root or root.is_relative_to(real):
        return _out_problem(f"{out} holds the project itself; building there would delete it", hint)
    for part in PROTECTED:
        if real.is_relative_to(root / part):
            return _out_problem(f"{out} is inside the project's {part}/ folder", hint)
    if real.exists() and not real.is_dir():
        return _out_problem(f"{out} is a file, not a folder", hint)
    if real.is_dir() and not _is_ours(real):
        try:
            empty = next(real.iterdir(), None) is None
        except OSError as err:
            return _out_problem(f"{out} cannot be read: {err.strerror}", hint)
        if not empty:
            return _out_problem(f"{out} is not empty and was not built by guidance, so the build will not replace it",
                                hint + f" A folder guidance built holds a {MARKER} file; if this is an older "
                                "build, delete it yourself and build again.")
    return None


def remove_stale(out_dir: Path) -> None:
    """Remove what killed builds left beside out_dir: its temporary and old copies (named <out>.tmp-<pid>-… and
    <out>.old-<pid>) that carry the marker and whose build process is gone."""
    stale = re.compile(rf"{re.escape(out_dir.name)}\.(?:tmp-(\d+)-.*|old-(\d+))")
    try:
        leftovers = [(p, m) for p in out_dir.parent.iterdir() if (m := stale.fullmatch(p.name)) and _is_ours(p)]
    except OSError:
        return
    for path, match in leftovers:
        if not _alive(int(match[1] or match[2])):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return pid != 0


def build_site(root: Path, site: Site, out_dir: Path, preview: bool, engine: str = "mkdocs",
               keep_pages: bool = True) -> BuildResult:
    """Write the Markdown tree, build it with engine, check the public build for drafts, and swap the result into
    out_dir. A folder that cannot be written is a problem, and leaves out_dir as it was. keep_pages=False: the
    caller has no more use for site.pages, which are emptied once written (the engine reads them from disk), so
    that they are not held in memory beside the engine's own copy."""
    result = BuildResult(out_dir)
    if (refused := check_out_dir(root, out_dir) or _build_dir_problem(root)) is not None:
        result.problems.append(refused)
        return result
    try:
        return _build_site(root, site, out_dir, preview, engine, result, keep_pages)
    except OSError as err:
        where = err.filename or out_dir
        result.problems.append(Problem(Pos("--out"), "error", "build.write",
                                       f"cannot write {where}: {err.strerror or err}",
                                       "Check that you may write to the output folder and to build/; the previous "
                                       "site was left as it was."))
        return result


def _build_dir_problem(root: Path) -> Problem | None:
    build_dir = root / "build"
    if build_dir.is_symlink() or build_dir.exists() and not build_dir.is_dir():
        return Problem(Pos("build"), "error", "build.write", "build/ is a link or a file, not guidance's work folder",
                       "Remove it: guidance writes its generated Markdown there and never through a link.")
    return None


def _build_site(root: Path, site: Site, out_dir: Path, preview: bool, engine: str, result: BuildResult,
                keep_pages: bool = True) -> BuildResult:
    build_dir = root / "build"
    name = engine + ("-preview" if preview else "")
    if (missing := engine_missing(engine)) is not None:
        result.problems.append(missing)
        return result
    with build_lock(build_dir):
        docs_dir = build_dir / ("docs-preview" if preview else "docs")
        write_docs(site, docs_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.tmp-{os.getpid()}-", dir=out_dir.parent))
        try:
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            site_dir = out_dir if engine == "mkdocs" else build_dir / f"{name}-site"  # Zensical: inside build/
            config = write_config(root, build_dir, name, docs_dir, site_dir, site.nav,
                                  exclude=None if preview else only_pages(site.pages), engine=engine,
                                  url=site.site_url, extra={"roles": site.roles})
            if not keep_pages:
                site.pages.clear()
            result.problems = run_engine(engine, config, tmp)
            tune_search_index(tmp, site.search_labels, site.search_extra)
            if result.ok:
                result.problems += sanitise_site(tmp)
            if result.ok and not preview:
                for leak in leaks(tmp, site.hidden_text, site.public_text):
                    result.problems.append(Problem(Pos("site"), "error", "build.draft-leak",
                                                   f"unpublished text reached the built site: {leak}",
                                                   "The build was stopped and the old site kept. Report this: it is a fault in the builder."))
            if result.ok:
                result.pages = sum(1 for _ in tmp.rglob("*.html"))
                swap_in(tmp, out_dir)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return result
