"""Finding the section an editor means (guidance status, guidance publish --section): its id, DOC/ID, the start of
one id only, or its title in any case; otherwise a problem that suggests the nearest ids (issue 27)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from builder.content.model import Pos, Problem


@dataclass(frozen=True)
class SectionRef:
    id: str
    title: str
    status: str
    file: str

    @property
    def doc(self) -> str:
        return self.file.split("/")[1]


def plain(text: str) -> str:
    return " ".join(text.lower().split())


def find(sections: list[SectionRef], ref: str, doc: str | None = None, among=None,
         code: str = "status.no-section", unread: list[str] = ()) -> tuple[SectionRef | None, Problem | None]:
    """The one section of `sections` that ref names, or a problem: more than one (the start of several ids), or
    none (with the nearest ids). unread: files whose sections could not be searched."""
    given_doc, _, name = ref.strip().rpartition("/")
    doc = given_doc or doc
    sections = [s for s in sections if (not doc or s.doc == doc) and (among is None or among(s))]
    key = name.strip()
    for found in _candidates(sections, key):
        if len({(s.doc, s.id) for s in found}) == 1:
            return found[0], None
        if len(found) > 1:
            return None, _several(found, ref, doc, code)
    near = nearest(sections, key)
    hint = (f"Did you mean {' or '.join(near)}? " if near else "") + \
        "Give the section's id (its id: line), the start of it, its title, or DOC/ID."
    if unread:
        hint += f" These files cannot be read, so their sections could not be searched: {', '.join(unread)}."
    return None, Problem(Pos("content"), "error", code, f"there is no section '{ref}'", hint)


def _candidates(sections: list[SectionRef], key: str):
    """The sections key names, tried in turn: by whole id, by the start of the id, by title."""
    yield [s for s in sections if s.id == key]
    if key:
        yield [s for s in sections if s.id.startswith(key.lower())]
        yield [s for s in sections if plain(s.title) == plain(key)]


def _several(found: list[SectionRef], ref: str, doc: str | None, code: str) -> Problem:
    docs = len({s.doc for s in found})
    ids = list(dict.fromkeys(f"{s.doc}/{s.id}" if not doc and docs > 1 else s.id for s in found))
    listed = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    return Problem(Pos("content"), "error", code, f"'{ref}' could be any of {len(ids)} sections: {listed}",
                   "Give more of the id, its whole title, or DOC/ID.")


def nearest(sections: list[SectionRef], key: str) -> list[str]:
    """Up to three ids close to what was typed: the whole id, its start (mistyped) or the title."""
    scored = []
    for s in sections:
        alike = max(difflib.SequenceMatcher(None, key.lower(), s.id).ratio(),
                    difflib.SequenceMatcher(None, key.lower(), s.id[:len(key)]).ratio() - 0.05,
                    difflib.SequenceMatcher(None, plain(key), plain(s.title)).ratio())
        if alike >= 0.7 or (len(key) >= 4 and key.lower() in s.id):
            scored.append((alike, s.id))
    scored.sort(reverse=True)
    return list(dict.fromkeys(i for alike, i in scored if alike >= scored[0][0] - 0.1))[:3] if scored else []
