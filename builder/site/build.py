"""Site stage: write the generated Markdown, run the engine into a temporary folder, sanitise and check what it
built, then swap it in whole."""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from builder.content.model import Pos, Problem
from builder.render.pages import Site
from builder.site.checker import PageChecker
from builder.site import opendata
from builder.site.engines import engine_missing, run_engine, write_config, write_offline_assets
from builder.site.sanitise import only_pages
from builder.site.staged import swap_in
from builder.site.search import inline_search_index, tune_search_index
from builder.site.welsh import build_languages, english_switch

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
    """Replace the generated Markdown tree with this render's pages and files (open data, which the engine copies
    into the site as they are)."""
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    for rel, text in {**site.pages, **site.files}.items():
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
    address, reason = parse_site_url(url)
    if address is None:
        return None, Problem(Pos("mkdocs.yml"), "error", "build.site-url",
                             f"{where} is not a web address: {url[:200]!r} ({reason})",
                             "Write the address readers open, for example https://example.github.io/guidance/: "
                             "http or https, a host name, and a path of letters, digits and - . _ ~ / only.")
    return address, None


_PATH = re.compile(r"[A-Za-z0-9._~/%+,;=:@!$-]*")  # nothing that HTML, XML or a Markdown link would need escaped
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def parse_site_url(url: str) -> tuple[str | None, str]:
    """(the address, ending in "/", with its scheme in lower case and its host in ASCII (IDNA)) or (None, why it
    is not one). Parsed by urllib.parse: http or https, a real host name (or IP address), an optional port, a path
    with no character that HTML or XML would need escaped (before or after %-decoding), and nothing else."""
    from urllib.parse import unquote, urlsplit

    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None, "it holds a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        return None, str(err)
    why = _why_not_a_site(url, parts)
    if why:
        return None, why
    ascii_host, why = _ascii_host(parts.hostname or "")
    if why:
        return None, why
    if port == 0:
        return None, "port 0 is not a port a site is served on"
    path = parts.path
    if _BAD_ESCAPE.search(path):
        return None, "its path holds a % that is not followed by two hexadecimal digits"
    if not _PATH.fullmatch(path) or not _PATH.fullmatch(unquote(path).replace("%", "")):
        return None, "its path holds a character that would need escaping in HTML or XML"
    scheme = parts.scheme.lower()
    if port == _DEFAULT_PORTS[scheme]:
        port = None  # https://x.example:443/ is https://x.example/: one address, written one way
    return f"{scheme}://{ascii_host}{f':{port}' if port is not None else ''}{path.rstrip('/')}/", ""


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _why_not_a_site(url: str, parts) -> str:
    """Why an address (split by urlsplit) is not a web site's: not http or https, a user name or password, a query
    or a fragment; "" when none of these."""
    if parts.scheme.lower() not in ("http", "https"):
        return "it does not start with https:// or http://"
    if parts.username is not None or parts.password is not None:
        return "it holds a user name or password"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "it has a query (?) or a fragment (#)"
    return ""


def _ascii_host(host: str) -> tuple[str, str]:
    """(the host as the address writes it in ASCII: an IP address compressed, in brackets for IPv6, or a name in
    IDNA and lower case, "") or ("", why it is not a host name)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(host)
        return (f"[{ip.compressed}]" if ip.version == 6 else ip.compressed), ""
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return "", f"{host!r} is not a host name"
    labels = ascii_host.rstrip(".").split(".")
    if not host or len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "", f"{host!r} is not a host name"
    return ascii_host, ""


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
               keep_pages: bool = True, offline: bool = False) -> BuildResult:
    """Write the Markdown tree, build it with engine, check the public build for drafts, and swap the result into
    out_dir. A folder that cannot be written is a problem, and leaves out_dir as it was. keep_pages=False: the
    caller has no more use for site.pages, which are emptied once written (the engine reads them from disk), so
    that they are not held in memory beside the engine's own copy. offline: a site that browses from disk
    (file://), pages as files, which site must have been rendered for (render's Options.directory_urls False)."""
    result = BuildResult(out_dir)
    if (refused := check_out_dir(root, out_dir) or build_dir_problem(root)
            or (offline_engine_problem(engine) if offline else None)) is not None:
        result.problems.append(refused)
        return result
    site.files = opendata.with_schema(site.files, site.site_url)
    if found := opendata.problems(site.files):  # every JSON file matches the schema it names, or nothing is built
        result.problems += found
        return result
    try:
        return _build_site(root, site, out_dir, preview, engine, result, keep_pages, offline)
    except OSError as err:
        where = err.filename or out_dir
        result.problems.append(Problem(Pos("--out"), "error", "build.write",
                                       f"cannot write {where}: {err.strerror or err}",
                                       "Check that you may write to the output folder and to build/; the previous "
                                       "site was left as it was."))
        return result
    except BrokenProcessPool:  # the page checker's worker (checker.py) ended by the system, not by an error of ours
        result.problems.append(Problem(Pos("site"), "error", "build.worker-stopped",
                                       "the process checking the built pages stopped before it had finished: the "
                                       "system ended it (out of memory, or killed)",
                                       "The previous site was left as it was. Build again; if it stops again, the "
                                       "machine may be short of memory: close other programs first."))
        return result


def offline_engine_problem(engine: str) -> Problem | None:
    """An offline build uses Material for MkDocs' offline plugin: None for mkdocs, a problem for another engine."""
    if engine == "mkdocs":
        return None
    return Problem(Pos("--offline"), "error", "build.offline-engine",
                   f"an offline build is made with Material for MkDocs' offline plugin, which {engine} does not run",
                   "Build it with the default engine: guidance build --offline (without --engine).")


def build_dir_problem(root: Path) -> Problem | None:
    build_dir = root / "build"
    if build_dir.is_symlink() or build_dir.exists() and not build_dir.is_dir():
        return Problem(Pos("build"), "error", "build.write", "build/ is a link or a file, not guidance's work folder",
                       "Remove it: guidance writes its generated Markdown there and never through a link.")
    return None


def _build_site(root: Path, site: Site, out_dir: Path, preview: bool, engine: str, result: BuildResult,
                keep_pages: bool = True, offline: bool = False) -> BuildResult:
    build_dir = root / "build"
    # An offline build has its own generated tree and config (build/mkdocs-offline.yml…), so the online build's
    # build/mkdocs.yml stays the one `mkdocs build -f build/mkdocs.yml` builds the public site from.
    variant = ("-preview" if preview else "") + ("-offline" if offline else "")
    name = engine + variant
    if (missing := engine_missing(engine)) is not None:
        result.problems.append(missing)
        return result
    with build_lock(build_dir):
        docs_dir = build_dir / f"docs{variant}"
        write_docs(site, docs_dir)
        if offline:
            write_offline_assets(docs_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.tmp-{os.getpid()}-", dir=out_dir.parent))
        try:
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            site_dir = out_dir if engine == "mkdocs" else build_dir / f"{name}-site"  # Zensical: inside build/
            config = write_config(root, build_dir, name, docs_dir, site_dir, site.nav,
                                  exclude=None if preview else only_pages(site.pages), engine=engine,
                                  url=site.site_url, extra={"roles": site.roles, **english_switch(site)},
                                  offline=offline)
            if not keep_pages:
                site.pages.clear()
            with PageChecker(tmp, site.hidden_text, site.public_text, leak_check=not preview, trees=site.trees,
                             concurrent=engine == "mkdocs") as checker:
                result.problems = run_engine(engine, config, tmp, page_hook=checker.hook)
                tune_search_index(tmp, site.search_labels, site.search_extra)
                found = []
                if result.ok:
                    problems, found = checker.finish()
                    result.problems += problems
                if offline:  # the index as tuned, sanitised and checked for leaks, inlined for pages on disk
                    inline_search_index(tmp)
            if result.ok and site.languages:  # each other language under /<language>/, after the English
                result.problems += build_languages(root, build_dir, site, tmp, preview, engine, name, offline,
                                                   write_docs)
            if result.ok and not preview:
                for leak in found:
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
