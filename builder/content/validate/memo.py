"""Checking the same tree again, document by document (Memo): the live preview checks on every save."""
from __future__ import annotations

from datetime import date

from builder.content import rules
from builder.content.config import Config
from builder.content.load import SourceFile
from builder.content.model import Content, Problem
from builder.content.validate.references import Known, reference_problems
from builder.content.validate.schema import REGISTRY_LISTS


class Memo:
    """Each document folder's reference and house-rule problems, kept from one validate() to the next: the live
    preview checks the same tree on every save, and a save changes one file. A folder's part is checked again
    when one of its files changed (a file unchanged is the same SourceFile object: load_entries' cache) or when
    anything its checks read from outside it did (_shared_key: the registries, every id written, every section's
    title and status, the settings, the day); the checks across documents (duplicate ids, the registries' texts,
    unused glossary entries, from each document's kept term usage) run every time."""

    def __init__(self):
        self.parts: dict[str, tuple] = {}  # folder → (key, the files its key names, problems, term usage)

    def problems(self, files: list[SourceFile], content: Content, sources: dict[str, SourceFile], known: Known,
                 partial: set[str], config: Config, complete: bool, unreadable) -> list[Problem]:
        today = date.today()
        registries = [f for f in files if f.kind in REGISTRY_LISTS]
        shared = _shared_key(registries, content, known, partial, config, complete, unreadable, today)
        own = _folders(files, content)
        out: list[Problem] = []
        usage: dict[str, tuple] = {}
        parts = {}
        for folder in sorted(own):
            key = (shared, tuple((f.path, id(f)) for f in own[folder]))
            part = self.parts.get(folder)
            if part is None or part[0] != key:
                found, use = document_part(content, sources, known, partial, config, today, complete, folder)
                part = (key, own[folder] + registries, found, use)  # the files keep the ids in key theirs
            parts[folder] = part
            out += part[2]
            if part[3] is not None:
                usage[folder] = part[3]
        self.parts = parts
        return out + _across_documents(content, sources, known, partial, config, today, complete, usage)


def _folders(files: list[SourceFile], content: Content) -> dict[str, list[SourceFile]]:
    """Each document folder (of a document in the model, or holding a file) → its files."""
    own: dict[str, list[SourceFile]] = {rules.folder(d): [] for d in content.documents}
    for f in files:
        if f.kind in ("document", "chapter"):
            own.setdefault(f.path.split("/")[1], []).append(f)
    return own


def document_part(content: Content, sources: dict[str, SourceFile], known: Known, partial: set[str],
                   config: Config, today: date, complete: bool, folder: str) -> tuple[list[Problem], tuple | None]:
    """One document folder's reference and house-rule problems, and its term usage (rules.term_usage), which the
    checks across documents read."""
    found = reference_problems(content, sources, known, partial, folders={folder}, whole=False)
    docs = [d for d in content.documents if rules.folder(d) == folder]
    use = rules.term_usage(docs[0], content.trees) if len(docs) == 1 else None
    found += rules.check(content, sources, config, today, complete, known, folders={folder})
    return found, use


def _across_documents(content: Content, sources: dict[str, SourceFile], known: Known, partial: set[str],
                      config: Config, today: date, complete: bool, usage: dict[str, tuple]) -> list[Problem]:
    """The checks that document_part leaves out: duplicate ids, the registries' texts, unused glossary entries."""
    out = reference_problems(content, sources, known, partial, folders=set(), whole=True)
    return out + rules.check(content, sources, config, today, complete, known, folders=set(), usage=usage)


def _shared_key(registries: list[SourceFile], content: Content, known: Known, partial: set[str], config: Config,
                complete: bool, unreadable, today: date) -> tuple:
    """What the checks of one document read from outside its folder."""
    return (tuple((f.path, id(f)) for f in registries),
            tuple(sorted((d, tuple(sorted(ids))) for d, ids in known.sections.items())),
            tuple(sorted((k, tuple(sorted(ids))) for k, ids in known.ids.items())),
            tuple(sorted(known.unknowable)), tuple(sorted(known.incomplete)),
            tuple((d.id, d.pos.file, s.id, s.title, s.status) for d in content.documents for s in d.sections()),
            tuple(sorted(partial)), config, complete, tuple(sorted(unreadable)), today)
