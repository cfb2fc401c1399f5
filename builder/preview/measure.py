"""Edit-to-preview, measured on a project (for benchmarks/run.py): the live preview's Preview driven as guidance
serve drives it, with a word added to one paragraph at a time."""
from __future__ import annotations

import re
from pathlib import Path

from builder.preview.incremental import Preview

_PARA = re.compile(r"para:[ \t]*(?:[>|][-+]?[ \t]*\n[ \t]+|[\"']?)(?=[A-Za-z\[])")  # the start of a paragraph's text


def measure_edit(root: Path, rounds: int = 3, chapter: Path | None = None) -> dict:
    """Edit-to-preview on a project: build the preview of root, then `rounds` times add a word to the start of a
    paragraph of one chapter file (default: the first document's first chapter), each time in the next paragraph,
    and apply the change. The file is restored afterwards. Returns {"start": timings of the full build,
    "edits": [timings of each edit, with "kind" and "pages": pages rebuilt]}; see Update.timings."""
    root = Path(root)
    if chapter is None:
        docs = sorted(p.parent for p in (root / "content").rglob("document.yaml"))
        chapter = sorted(p for p in docs[0].glob("*.y*ml") if p.name != "document.yaml")[0]
    original = chapter.read_text(encoding="utf-8")
    preview = Preview(root)
    try:
        start = preview.start()
        if not start.ok:
            raise RuntimeError(f"{root} cannot be previewed: {start.problems[:3]}")
        edits = []
        text = original
        for i, m in zip(range(rounds), list(_PARA.finditer(original))):
            at = m.end() + len(text) - len(original)  # earlier rounds' insertions come before this one
            text = text[:at] + f"Benchmarked{i} " + text[at:]
            chapter.write_text(text, encoding="utf-8")
            update = preview.apply_change()
            if not update.ok:
                raise RuntimeError(f"the benchmark edit failed: {update.problems[:3]}")
            edits.append(dict(update.timings, kind=update.kind, pages=len(update.first) + len(update.rest)))
        return {"start": dict(start.timings), "edits": edits}
    finally:
        chapter.write_text(original, encoding="utf-8")
        preview.close()
