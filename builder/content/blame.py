"""Two sections or blocks with one id: which one is the mistake, and one problem for it (issue 27).

The one to blame is the one that is new relative to the base branch (the merge base with main, read from git):
the copy, never the published original whose id readers' links and citations use. Without history, the later one
in reading order, unless it is published and the other is not. The one blamed is left out of the model until it
is fixed, so that references keep pointing at the original and nothing that follows from the collision (a
reference to a draft, a rule on the words a reference pulls in) is reported on its own.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from builder.content.load import SourceFile
from builder.content.model import Problem

# (file, kind, id) → what it was at the base: the enclosing section's id for a block, the title for a section.
Base = dict[tuple[str, str, str], set[str]]


class _Place(NamedTuple):  # a tuple: one for every section and block, made in a fraction of a dataclass's time
    file: str
    kind: str  # "section" or "block"
    ident: str
    path: tuple  # in the file's data
    order: tuple  # reading order: (file, section index, block index)
    published: bool  # the section (a block's section) says status: published
    signature: str  # the enclosing section's id (a block) or the title (a section)


def _places(files: list[SourceFile], cuts: dict[str, set[tuple]]) -> list[_Place]:
    out = []
    for f in sorted((f for f in files if f.kind == "chapter" and isinstance(f.data, dict)), key=lambda f: f.path):
        cut = cuts.get(f.path, set())
        sections = f.data.get("sections")
        for si, s in enumerate(sections if isinstance(sections, list) else []):
            if not isinstance(s, dict) or not isinstance(s.get("id"), str) or ("sections", si) in cut:
                continue
            published = s.get("status") == "published"
            out.append(_Place(f.path, "section", s["id"], ("sections", si), (f.path, si, -1), published,
                              str(s.get("title"))))
            blocks = s.get("blocks")
            for bi, b in enumerate(blocks if isinstance(blocks, list) else []):
                if isinstance(b, dict) and isinstance(b.get("id"), str) and ("sections", si, "blocks", bi) not in cut:
                    out.append(_Place(f.path, "block", b["id"], ("sections", si, "blocks", bi), (f.path, si, bi),
                                      published, s["id"]))
    return out


def _repeated(files: list[SourceFile]) -> bool:
    """Whether any section id, or any block id, is written twice anywhere: a tree without is answered at once
    (listing every place took 0.03 s at 5,000 sections)."""
    sections: list[str] = []
    blocks: list[str] = []
    for f in files:
        found = f.data.get("sections") if f.kind == "chapter" and isinstance(f.data, dict) else None
        for s in found if isinstance(found, list) else ():
            if isinstance(s, dict):
                sections.append(s.get("id") if isinstance(s.get("id"), str) else "")
                listed = s.get("blocks")
                if isinstance(listed, list):
                    blocks += [b["id"] for b in listed if isinstance(b, dict) and isinstance(b.get("id"), str)]
    return len(set(sections)) < len(sections) or len(set(blocks)) < len(blocks)


def _new(place: _Place, base: Base | None) -> bool | None:
    """Whether the place is new since the base: None when that cannot be told (no history)."""
    if base is None:
        return None
    return place.signature not in base.get((place.file, place.kind, place.ident), set())


def duplicates(files: list[SourceFile], cuts: dict[str, set[tuple]], base: Callable[[], Base | None] | None = None
               ) -> tuple[list[Problem], dict[str, set[tuple]]]:
    """One ids.duplicate problem for each section or block whose id another already has, placed on the one to
    blame; and the paths to leave out of the model (the ones blamed), by file."""
    if not _repeated(files):
        return [], {}
    by_id: dict[tuple[str, str], list[_Place]] = {}
    for place in _places(files, cuts):
        by_id.setdefault((place.kind, place.ident), []).append(place)
    collisions = [group for group in by_id.values() if len(group) > 1]
    if not collisions:
        return [], {}
    known = base() if base is not None else None
    sources = {f.path: f for f in files}
    problems, cut = [], {}
    for group in collisions:
        kept, blamed = _judge(group, known)
        for place in blamed:
            problems.append(_problem(sources[place.file], place, kept, sources[kept.file], _new(place, known)))
            cut.setdefault(place.file, set()).add(place.path)
    return problems, cut


def _judge(group: list[_Place], base: Base | None) -> tuple[_Place, list[_Place]]:
    """(the one that keeps the id, the ones to blame): the one the base had (matched by place, then by file) keeps
    it; else the first in reading order that is published, else the first."""
    def rank(p: _Place):
        new = _new(p, base)
        same_file = base is not None and (p.file, p.kind, p.ident) in base
        return (new is not False, not same_file, not p.published, p.order)

    ordered = sorted(group, key=rank)
    return ordered[0], ordered[1:]


def _problem(source: SourceFile, place: _Place, kept: _Place, kept_source: SourceFile, new: bool | None) -> Problem:
    there = kept_source.pos(kept.path)
    pos = source.pos(place.path)
    message = f"{place.kind} id '{place.ident}' is also used at {there}"
    if place.published and kept.published and new is not True:
        told = "" if new is False else " (without the git history guidance cannot tell which is new)"
        hint = (f"Both are in published sections, so neither id may change: readers' links use it. Delete the one "
                f"that is a copy{told}.")
    elif place.kind == "block":
        hint = (f"This paragraph is {'new since main' if new else 'the later one'}: delete its id: line and run "
                f"guidance fmt to give it an id of its own{' (the other keeps its id: it is published)' if kept.published else ''}.")
    else:
        state = "new since main" if new else ("a draft" if not place.published else "the later one")
        hint = (f"This section is {state}, so its id can still change: give it another one (the id: line) and "
                f"change any [[section:{place.ident}]] written for it"
                + (f"; the other keeps '{place.ident}': it is published." if kept.published else "."))
    return Problem(pos, "error", "ids.duplicate", message, hint)
