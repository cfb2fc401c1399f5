"""The sections and blocks of the content at the base branch, for content.blame: of two with one id, the one the
base did not have is the copy to blame (issue 27). Git is imported only when a collision asks for it."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

from builder.content.blame import Base


def at_base(root: Path | None) -> Callable[[], Base | None]:
    """The sections and blocks of the content at the merge base of HEAD with main (or origin/main), read once and
    only when asked (a collision was found); None without a repository or a main branch."""
    @functools.cache
    def read() -> Base | None:
        if root is None:
            return None
        from builder.history.git import HistoryError, fast_load, read_tree, repository, resolve

        try:
            with repository(root) as (repo, prefix):
                if repo is None or not repo.head.is_valid():
                    return None
                head = resolve(repo, "HEAD")
                for name in ("main", "origin/main"):
                    try:
                        bases = repo.merge_base(resolve(repo, name), head)
                    except HistoryError:
                        continue
                    if bases:
                        return _base_ids(read_tree(repo, prefix, bases[0].hexsha), fast_load)
                return None
        except Exception:  # noqa: BLE001 - history only sharpens the blame: without it, the later one is blamed
            return None
    return read


def _base_ids(entries, fast_load) -> Base:
    out: Base = {}
    for rel, raw in entries:
        if rel.count("/") != 2 or rel.endswith("/document.yaml") or not isinstance(raw, bytes):
            continue
        data = fast_load(raw)
        sections = data.get("sections") if isinstance(data, dict) else None
        for s in sections if isinstance(sections, list) else []:
            if not isinstance(s, dict) or not isinstance(s.get("id"), str):
                continue
            out.setdefault((rel, "section", s["id"]), set()).add(str(s.get("title")))
            for b in s.get("blocks") if isinstance(s.get("blocks"), list) else []:
                if isinstance(b, dict) and isinstance(b.get("id"), str):
                    out.setdefault((rel, "block", b["id"]), set()).add(s["id"])
    return out
