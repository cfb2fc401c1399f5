"""Command line: parse arguments, call a stage function, print its result, exit with its code."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from builder import pipeline, report

root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="Project folder holding content/ and mkdocs.yml.")
format_option = click.option("--format", "fmt", type=click.Choice(sorted(report.FORMATS)), default="text",
                             show_default=True, help="How to print problems.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Write, check, preview and publish statutory guidance."""


def run() -> None:
    """Console entry point: the CLI, with any fault of our own reported in a sentence instead of a traceback."""
    try:
        main(prog_name="guidance")
    except Exception as err:  # noqa: BLE001 - the last line of defence for editors
        click.echo(f"guidance: internal error ({type(err).__name__}: {err}).\n"
                   "This is a fault in guidance, not in your content; nothing was published. "
                   "Please report it with the command you ran.", err=True)
        sys.exit(1)


def _print_problems(problems, fmt: str) -> None:
    text = report.FORMATS[fmt](problems)
    if text:
        click.echo(text)


@main.command("validate")
@root_option
@format_option
@click.option("--strict", is_flag=True, help="Treat warnings as failures.")
def validate_cmd(root: Path, fmt: str, strict: bool):
    """Check all content; print every problem at once."""
    checked = pipeline.check(root)
    _print_problems(checked.problems, fmt)
    sys.exit(1 if checked.failed(strict) else 0)


@main.command("build")
@root_option
@format_option
@click.option("--preview", is_flag=True, help="Include draft and ready sections, with a banner, into site-preview/.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default site/, or site-preview/ with --preview).")
def build_cmd(root: Path, fmt: str, preview: bool, out: Path | None):
    """Validate, render and build the site."""
    checked, result = pipeline.build(root, preview=preview, out_dir=out)
    problems = checked.problems + (result.problems if result else [])
    if problems:
        _print_problems(problems, fmt)
    if result is None or not result.ok:
        click.echo("Build stopped; the previous site was left as it was.", err=True)
        sys.exit(1)
    click.echo(f"Built {result.pages} pages into {result.out_dir}{' (preview: includes drafts)' if preview else ''}.",
               err=True)


@main.command("serve")
@root_option
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve_cmd(root: Path, port: int):
    """Preview the site with drafts, rebuilding when a content file is saved."""
    from builder.serve import serve

    serve(root, port, echo=click.echo)


@main.command("fmt")
@root_option
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file is not in canonical form.")
def fmt_cmd(root: Path, check: bool):
    """Lay out content files canonically and assign missing paragraph ids (comments are kept)."""
    from builder.edit import format_tree

    results, problems = format_tree(root)
    if problems:
        _print_problems(problems, "text")
    changed = [r for r in results if r.changed]
    for r in changed:
        rel = r.path.relative_to(root)
        if check:
            click.echo(f"{rel}: would be reformatted (run guidance fmt)")
        else:
            r.path.write_text(r.after, encoding="utf-8")
            click.echo(f"{rel}: reformatted")
    if not changed and not problems:
        click.echo(f"{len(results)} files already formatted.", err=True)
    sys.exit(1 if problems or (check and changed) else 0)


@main.group("new")
def new_group():
    """Scaffold new content."""


@new_group.command("section")
@root_option
@click.argument("doc")
@click.argument("chapter")
@click.option("--title", required=True, help="The new section's title.")
def new_section_cmd(root: Path, doc: str, chapter: str, title: str):
    """Add a draft section at the end of CHAPTER (its id or file name) in DOC."""
    from builder.edit import new_section

    sid, problem = new_section(root, doc, chapter, title)
    if problem:
        _print_problems([problem], "text")
        sys.exit(1)
    click.echo(f"Added draft section '{sid}' to {doc}/{chapter}. Preview it with: guidance serve")
