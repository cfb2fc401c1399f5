"""Command line: parse arguments, call a stage function, print its result, exit with its code."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from builder import report

# Each command imports the stages it uses when it runs: `guidance diff` or `guidance --help` does not load the
# content cache or the site engine (a tenth of a second of `guidance diff` at 1,000 sections was imports).


def _root(ctx, param, value: Path | None) -> Path:
    """--root as given, else the project folder holding the current folder (found by walking up), else "."."""
    from builder.content.config import find_root

    if value is not None:
        return value
    try:
        here = Path.cwd()
    except FileNotFoundError:  # the folder the editor was in has been deleted: say so, with what to do
        from builder.content.io_problem import cwd_problem

        _print_problems([cwd_problem()], "text")
        sys.exit(1)
    return find_root(here) or Path(".")


root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                           callback=_root, help="Project folder holding content/ and mkdocs.yml "
                           "(default: the one the current folder is in).")
format_option = click.option("--format", "fmt", type=click.Choice(sorted(report.FORMATS)), default="text",
                             show_default=True, help="How to print problems.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Write, check, preview and publish statutory guidance."""


def run() -> None:
    """Console entry point: the CLI, with any fault of our own reported in a sentence instead of a traceback."""
    from builder.content.io_problem import cwd_missing, cwd_problem, io_problem

    try:
        main(prog_name="guidance")
    except SystemExit as done:
        if sys.argv[1:2] and sys.argv[1] in QUICK_EXIT:
            _exit_now(done.code)
        raise
    except OSError as err:  # the system's refusal (a read-only folder, a full disk): the editor can act on it
        _print_problems([io_problem(err, _given_root())], "text")
        sys.exit(1)
    except Exception as err:  # noqa: BLE001 - the last line of defence for editors
        if cwd_missing():
            _print_problems([cwd_problem()], "text")
            sys.exit(1)
        click.echo(f"guidance: internal error ({type(err).__name__}: {err}).\n"
                   "This is a fault in guidance, not in your content. Please report it with the command you ran.",
                   err=True)
        sys.exit(1)


# Commands that only read and print: once they have printed, the process ends without taking the content model
# apart object by object, which took `guidance validate` a second at 5,000 sections (docs/performance.md).
# (The group has no options of its own, so the command's name is the first argument.)
QUICK_EXIT = {"validate", "diff"}


def _exit_now(code) -> None:
    """End the process with code (as sys.exit reads it) once what was printed is written out."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader has gone (a closed pipe): nothing more can be said
        code = 1
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


def _given_root() -> Path | None:
    """The project folder this command was run on, to place a problem in it (None when it cannot be told)."""
    from builder.content.config import find_root

    args = sys.argv[1:]
    if "--root" in args[:-1]:
        return Path(args[args.index("--root") + 1])
    try:
        return find_root(Path.cwd())
    except OSError:
        return None


def _print_problems(problems, fmt: str) -> None:
    text = report.FORMATS[fmt](problems)
    if text:
        click.echo(text)


@main.command("validate")
@root_option
@format_option
@click.option("--strict", is_flag=True, help="Treat warnings as failures.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the validate cache (as CI runs it).")
def validate_cmd(root: Path, fmt: str, strict: bool, no_cache: bool):
    """Check all content; print every problem at once."""
    from builder import pipeline

    checked = pipeline.check_problems(root, use_cache=not no_cache)
    if checked.cache_warning:  # on stderr: the problems, and so the exit code, are the same without the cache
        click.echo(f"guidance: warning [cache.unusable] the validate cache is not used: {checked.cache_warning}. "
                   "Set GUIDANCE_CACHE_DIR to a folder you can write, or pass --no-cache.", err=True)
    _print_problems(checked.problems, fmt)
    sys.exit(1 if checked.failed(strict) else 0)


@main.command("build")
@root_option
@format_option
@click.option("--preview", is_flag=True, help="Include draft and ready sections, with a banner, into site-preview/.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default site/, or site-preview/ with --preview).")
@click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default="mkdocs", show_default=True,
              help="Site engine: Material for MkDocs, or Zensical, its successor (install the 'zensical' extra).")
@click.option("--offline", is_flag=True, help="A site that browses from disk (open index.html; file://), search "
              "included: pages as files (page.html). For a downloaded copy or artifact, not for a web server.")
def build_cmd(root: Path, fmt: str, preview: bool, out: Path | None, engine: str, offline: bool):
    """Validate, render and build the site."""
    from builder import pipeline
    from builder.site.build import offline_engine_problem
    from builder.site.engines import engine_missing

    # Before validating: say at once what to install, or what cannot be built.
    if (missing := engine_missing(engine) or (offline_engine_problem(engine) if offline else None)) is not None:
        _print_problems([missing], fmt)
        click.echo("Build stopped; the previous site was left as it was.", err=True)
        sys.exit(1)
    checked, result = pipeline.build(root, preview=preview, out_dir=out, engine=engine, offline=offline)
    problems = checked.problems + (result.problems if result else [])
    if problems:
        _print_problems(problems, fmt)
    if result is None or not result.ok:
        click.echo("Build stopped; the previous site was left as it was.", err=True)
        sys.exit(1)
    notes = ["preview: includes drafts"] * preview + [f"offline: open {result.out_dir / 'index.html'}"] * offline
    notes_text = f" ({'; '.join(notes)})" if notes else ""
    click.echo(f"Built {result.pages} pages into {result.out_dir}{notes_text}.", err=True)


@main.command("serve")
@root_option
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; requests naming any other host are refused.")
def serve_cmd(root: Path, port: int, host: str):
    """Preview the site with drafts, rebuilding when a content file is saved."""
    from builder.preview.server import serve

    sys.exit(serve(root, port, echo=click.echo, host=host))


@main.command("fmt")
@root_option
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file is not in canonical form.")
def fmt_cmd(root: Path, check: bool):
    """Lay out content files canonically (short lists on one line, other lists one item a line, dates unquoted)
    and assign missing paragraph ids. Comments are kept; links are never written through."""
    from builder.content import owners
    from builder.content.edit import format_tree, write_formatted

    results, problems = format_tree(root)
    changed = [r for r in results if r.changed]
    if not check and changed:
        problems = problems + write_formatted(root, results)
    if problems:
        _print_problems(problems, "text")
    for r in changed:
        rel = r.path.relative_to(root).as_posix()
        click.echo(f"{rel}: reformatted" if r.written else f"{rel}: would be reformatted (run guidance fmt)")
    stale = bool(owners.problems(root))
    if stale:
        written = not check and owners.write(root)
        done = "written from the documents' owners" if written else "would be written (run guidance fmt)"
        click.echo(f"{owners.PATH}: {done}")
    if not changed and not problems and not stale:
        click.echo(f"{len(results)} files already formatted.", err=True)
    sys.exit(1 if problems or (check and (changed or stale)) else 0)


@main.group("new")
def new_group():
    """Scaffold new content."""


@new_group.command("section")
@root_option
@click.argument("doc")
@click.argument("chapter", required=False)
@click.option("--title", required=True, help="The new section's title.")
@click.option("--id", "sid", default=None, help="The new section's id (default: made from the title, at most 40 "
              "characters, ending at a whole word). It may change while the section is a draft, never once published.")
def new_section_cmd(root: Path, doc: str, chapter: str | None, title: str, sid: str | None):
    """Add a draft section at the end of CHAPTER in DOC. CHAPTER is the chapter's id (supporting-victims), its
    file name (04-supporting-victims or 04-supporting-victims.yaml) or its path
    (content/stalking/04-supporting-victims.yaml, from any folder); with a path, DOC may be left out."""
    from builder.content.edit import ID_NOTE, new_section

    doc_id, chapter = (None, doc) if chapter is None else (doc, chapter)
    sid, rel, problem = new_section(root, doc_id, chapter, title, sid=sid)
    if problem:
        _print_problems([problem], "text")
        sys.exit(1)
    click.echo(f"Added draft section '{sid}' to {rel}. Preview it with: guidance serve\n"
               f"note: {ID_NOTE.format(id=sid)}")


@main.command("status")
@root_option
@click.argument("section")
@click.argument("status", metavar="draft|ready|withdrawn")
@click.option("--reason", default=None, help="Why the section is withdrawn (required with withdrawn); readers see it.")
def status_cmd(root: Path, section: str, status: str, reason: str | None):
    """Move SECTION (its id, the start of it, its title, or DOC/ID) to STATUS: draft, ready (fit to publish: the
    next guidance publish publishes it) or withdrawn (with --reason). Comments and layout are kept."""
    from builder.content.edit import SETTABLE, find_section, set_status

    if status.lower() in ("published", "publish"):  # sections are published by guidance publish, as an edition
        found, _ = find_section(root, section)
        doc, sid = (found.doc, found.id) if found else (section.rpartition("/")[0] or "DOC", section.rpartition("/")[2])
        command = (f"guidance publish {doc} --section {sid} --version MAJOR.MINOR --note \"What changed, for "
                   f"readers\" (add --dry-run to see the plan first)")
        if found is not None and found.status == "published":
            _misuse(f"section '{sid}' is already published",
                    f"To change it, edit its text and publish a new edition: {command.replace(f' --section {sid}', '')}.")
        first = "" if found is not None and found.status == "ready" else f"guidance status {doc}/{sid} ready, commit, then "
        _misuse("guidance status does not publish: a section is published by guidance publish, as a new edition of "
                "its document", f"Use: {first}{command}.")
    if status not in SETTABLE:
        import difflib

        near = difflib.get_close_matches(status.lower(), SETTABLE, n=1)
        _misuse(f"'{status}' is not a status a section can be moved to",
                f"Use: guidance status {section} {near[0] if near else 'draft|ready|withdrawn'}.")

    change, problem = set_status(root, section, status, reason)
    if problem:
        _print_problems([problem], "text")
        sys.exit(1)
    if change.before == change.after:
        click.echo(f"Section '{change.section}' in {change.file} is already {change.after}; nothing changed.")
    else:
        click.echo(f"Section '{change.section}' in {change.file}: {change.before} → {change.after}.")
    for note in change.notes:
        click.echo(f"note: {note}")


def _git_refusal(err) -> None:
    """A HistoryError (no repository, unknown revision): the message and hint, exit 2."""
    click.echo(f"error: {err.message}" + (f"\n    hint: {err.hint}" if err.hint else ""), err=True)
    sys.exit(2)


@main.command("diff")
@root_option
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json", "github"]), default="text",
              show_default=True, help="text for a terminal, markdown for a pull-request comment, html for a "
              "standalone redline page, json for tools; with --check, text or github (workflow annotations).")
@click.option("--check", is_flag=True, help="Print no diff: exit 1 with a problem for each public change made "
              "without a new edition, each published section deleted, and each edition record changed or naming a "
              "commit that is not on main.")
def diff_cmd(root: Path, base: str | None, head: str | None, fmt: str, check: bool):
    """What changed from BASE (default: the merge base with main) to HEAD (default: the working tree), and for whom."""
    from builder.history.git import HistoryError
    from builder.review.diff_report import FORMATS, as_text
    from builder.review.gate import check_revisions

    if check and fmt not in ("text", "github") or fmt == "github" and not check:
        click.echo("error: --check prints problems as text or github; the other formats print the diff itself\n"
                   "    hint: guidance diff BASE HEAD --check [--format github], or leave out --check.", err=True)
        sys.exit(2)
    try:
        diff, unreadable, problems = check_revisions(root, base, head)
    except HistoryError as err:
        _git_refusal(err)
    if diff is None:
        for label in dict.fromkeys(label for label, _ in unreadable):
            click.echo(f"The content at {label} cannot be read whole, so it cannot be compared:")
            _print_problems([p for at, p in unreadable if at == label], "text")
        sys.exit(1)
    if check:
        if problems:
            _print_problems(problems, fmt)
        elif fmt == "text":
            click.echo(f"{diff.base} → {diff.head}: every public change is recorded in an edition, and the edition "
                       f"records are intact.")
        sys.exit(1 if problems else 0)
    colour = fmt == "text" and sys.stdout.isatty()
    click.echo(as_text(diff, colour=colour) if fmt == "text" else FORMATS[fmt](diff), color=colour or None)


@main.command("history")
@root_option
@click.argument("doc", required=False)
def history_cmd(root: Path, doc: str | None):
    """Editions, change notes and last-updated dates of DOC (default: every document)."""
    from builder import pipeline
    from builder.history.collect import collect
    from builder.render.archive import describe

    checked = pipeline.check(root)
    if checked.failed():
        _print_problems(checked.problems, "text")
        sys.exit(1)
    ids = [d.id for d in checked.content.documents]
    if doc is not None and doc not in ids:
        click.echo(f"error: there is no document '{doc}'\n    hint: Choose one of: {', '.join(ids)}.", err=True)
        sys.exit(2)
    history = collect(root, checked.content, archives=False)
    click.echo(describe(checked.content, history, [doc] if doc else ids))


@main.command("translations")
@root_option
@click.argument("doc", required=False)
@click.option("--language", default="cy", show_default=True, help="The language to report on (cy: Welsh).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--export", "export_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the stale, missing and draft units (with their English and previous translation) to this "
              "file for a translator: .xlf/.xliff (XLIFF 2.0) or .csv.")
@click.option("--all", "everything", is_flag=True, help="With --export: every unit, reviewed ones too.")
@click.option("--import", "import_from", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Read a translator's XLIFF 2.0 or CSV file back into content/, checked like any content.")
def translations_cmd(root: Path, doc: str | None, language: str, fmt: str, export_to: Path | None,
                     everything: bool, import_from: Path | None):
    """What of DOC (default: every document) is translated, stale (with the English words changed since) or
    missing. Exit 1 when a published unit of a document that requires the language is not translated and
    reviewed; with --export or --import, exit 1 when the content or the file refuses."""
    import json

    from builder import pipeline
    from builder.content import translation_files as files
    from builder.review.translations import as_text, report

    checked = pipeline.check(root)
    if checked.failed():
        _print_problems(checked.problems, "text")
        sys.exit(1)
    if doc is not None and checked.content.document(doc) is None:
        _misuse(f"there is no document '{doc}'", "Choose one of: " + ", ".join(d.id for d in checked.content.documents))
    if export_to is not None:
        units = files.needed(checked.content, language, doc, everything)
        xliff = export_to.suffix.lower() in (".xlf", ".xliff")
        data = files.to_xliff(units, language) if xliff else files.to_csv(units).encode("utf-8")
        export_to.write_bytes(data)
        click.echo(f"Wrote {len(units)} unit(s) to {export_to}.")
        return
    if import_from is not None:
        raw = import_from.read_bytes()
        if import_from.suffix.lower() in (".xlf", ".xliff"):
            given, problems = files.read_xliff(raw, str(import_from))
        else:
            given, problems = files.read_csv(raw.decode("utf-8-sig")), []
        written, found = ([], []) if problems else files.import_units(root, checked.content, language, given)
        if problems or found:
            _print_problems(problems + found, "text")
            click.echo("Nothing was imported.", err=True)
            sys.exit(1)
        click.echo(f"Imported {len(given)} unit(s) into {', '.join(written) or 'no file'}.")
        return
    found = report(checked.content, language, doc)
    click.echo(json.dumps(found.as_json(), indent=2, ensure_ascii=False) if fmt == "json" else as_text(found))
    sys.exit(1 if found.failing() else 0)


@main.command("publish")
@root_option
@click.argument("doc")
@click.option("--version", "version", required=True, help="The new edition's number, MAJOR.MINOR, later than now.")
@click.option("--note", required=True, help="The change note readers see in the change history (1,000 characters "
              "at most).")
@click.option("--minor", is_flag=True, help="A minor correction: archived, but not listed in the change history.")
@click.option("--cleared-by", "cleared", multiple=True, metavar="ROLE=NAME",
              help="Who cleared the edition in a role [tool.guidance] clearance-roles names (repeat for each role); "
              "a major edition needs every role.")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The publication date, YYYY-MM-DD (default: today; not before the previous edition, at most 14 "
              "days ahead).")
@click.option("--section", "sections", multiple=True, metavar="ID",
              help="Publish only this ready section (repeat, or separate ids with commas); default: every ready one.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--allow-empty", is_flag=True, help="Allow an edition that publishes nothing new (a note only).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before publishing (never asked without a terminal).")
def publish_cmd(root: Path, doc: str, version: str, note: str, minor: bool, cleared: tuple[str, ...], on,
                sections: tuple[str, ...], dry_run: bool, allow_empty: bool, yes: bool):
    """Publish DOC's ready sections as a new edition: print the plan (everything readers will see change), record
    the edition with its change note and clearances, and commit it (tagged <doc>/v<version> on main). Exit 1 when
    the content or the repository refuses, 2 when the command is used wrongly; either way nothing is published."""
    from builder import pipeline
    from builder.publish.apply import apply, unfinished
    from builder.publish.plan import PublishError, plan

    chosen = [sid.strip() for item in sections for sid in item.split(",") if sid.strip()]
    if sections and not chosen:
        _misuse("--section names no section (it is empty or only commas)",
                "Name a ready section, for example --section sdash, or leave --section out to publish every one.")
    chosen = [_publish_section(root, doc, name) for name in chosen]
    pairs = [item.partition("=") for item in cleared]
    if any(not sep or not role.strip() for role, sep, _ in pairs):
        _misuse("--cleared-by takes ROLE=NAME", "For example --cleared-by legal=\"Jo Bloggs\".")
    try:
        if finished := unfinished(root):
            click.echo(f"Finished an interrupted publish: brought {', '.join(finished)} up to date with the edition "
                       f"already recorded.", err=True)
        planned = plan(root, doc, version, note, minor=minor, on=on.date() if on else None, check=pipeline.check,
                       sections=chosen or None, allow_empty=allow_empty,
                       cleared_by=[(r.strip(), n) for r, _, n in pairs])
        click.echo("\n".join(planned.lines()))
        if dry_run:
            click.echo("Dry run: nothing was changed.")
            return
        if not yes and sys.stdin.isatty() and not click.confirm("Publish?", default=False):
            click.echo("Nothing was published.", err=True)
            sys.exit(1)
        result = apply(root, planned)
    except PublishError as err:
        _print_problems(err.problems, "text")
        if not err.recorded:
            click.echo("Nothing was published.", err=True)
        sys.exit(err.exit_code)
    count = f"{len(result.sections)} section{'s' if len(result.sections) != 1 else ''} published"
    listed = ": " + ", ".join(result.sections) if result.sections else ""
    if result.tag:
        click.echo(f"Published {doc} version {version} ({count}{listed}); committed {result.commit[:7]} and tagged "
                   f"{result.tag}.\nShare it with: git push --follow-tags")
    else:
        click.echo(f"Published {doc} version {version} ({count}{listed}); committed {result.commit[:7]} on "
                   f"{planned.branch}.\nPush the branch and merge it into main by any method: the edition is the "
                   f"commit on main that sets version {version}.")


def _publish_section(root: Path, doc: str, name: str) -> str:
    """The id of the section of doc that --section NAME means: its id, the start of it or its title, a ready
    section first; NAME itself when it names none (plan refuses it, with the nearest ready ids)."""
    from builder.content.edit import find_section

    found, _ = find_section(root, name, doc=doc, among=lambda s: s.status == "ready")
    if found is None:
        found, _ = find_section(root, name, doc=doc)
    return name if found is None else found.id  # guidance publish refuses what names no ready section, and says why


def _misuse(message: str, hint: str) -> None:
    click.echo(f"error: {message}\n    hint: {hint}", err=True)
    sys.exit(2)
