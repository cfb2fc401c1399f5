"""Live preview: re-render content into the preview docs tree on save; MkDocs' server rebuilds and reloads."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from builder import pipeline, report
from builder.load import content_files
from builder.render import Options, render
from builder.site import write_config


def _snapshot(root: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime_ns for p in content_files(root / "content")}


def refresh(root: Path, docs_dir: Path) -> list:
    """Render the preview into docs_dir, rewriting only pages whose text changed. Returns the problems found."""
    checked = pipeline.check(root)
    if checked.failed():
        return checked.problems
    site = render(checked.content, Options(preview=True))
    for rel, text in site.pages.items():
        path = docs_dir / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in docs_dir.rglob("*.md"):
        if path.relative_to(docs_dir).as_posix() not in site.pages:
            path.unlink()
    return checked.problems


def serve(root: Path, port: int, echo=print) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    build_dir = root / "build"
    docs_dir = build_dir / "serve-docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    checked = pipeline.check(root)
    if checked.failed():
        echo(report.as_text(checked.problems))
        echo("Fix these problems, then run guidance serve again.")
        return
    site = render(checked.content, Options(preview=True))
    refresh(root, docs_dir)
    config = write_config(root, build_dir, "mkdocs-serve", docs_dir, build_dir / "serve-site", site.nav)

    def watch():
        seen = _snapshot(root)
        while True:
            time.sleep(0.3)
            now = _snapshot(root)
            if now != seen:
                seen = now
                problems = refresh(root, docs_dir)
                echo(report.as_text(problems) if problems else "content changed: preview updated")

    threading.Thread(target=watch, daemon=True).start()
    mkdocs_serve(config_file=str(config), livereload=True, dev_addr=f"127.0.0.1:{port}")
