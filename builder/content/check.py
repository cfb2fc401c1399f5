"""The content stage joined up: load, validate (schemas, references, house rules) and the content-hash cache of
`guidance validate`. Returns values; never prints."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from builder.content import cache
from builder.content import rules
from builder.content.load import (
    Refused,
    collector_paused,
    list_content,
    load_entries,
    read_content,
    read_plain_stat,
    unreadable,
)
from builder.content.model import Content, Problem
from builder.content.validate import Memo, validate


@dataclass
class Checked:
    content: Content | None  # None when the problems came from the cache
    problems: list[Problem] = field(default_factory=list)
    cache_warning: str | None = None  # why the validate cache could not be used (never changes the problems)

    def failed(self, strict: bool = False) -> bool:
        bad = ("error", "warning") if strict else ("error",)
        return any(p.severity in bad for p in self.problems)


def check(root: Path, read: tuple | None = None, base=None) -> Checked:
    """Load and validate the content under root (or what read_content(root) already returned). base: the base
    branch's ids, asked for only when two sections or blocks share one (builder.history.base.at_base)."""
    with collector_paused():
        entries, problems = read if read is not None else read_content(root)
        files, found = load_entries(entries)
        problems = problems + found
        content, found = validate(files, rules.configure(root), complete=not problems,
                                  unreadable={p.pos.file for p in problems}, base=base)
    return Checked(content, problems + found)


class Recheck:
    """check() again and again on one tree (the live preview checks on every save), giving the same problems
    (in another order) for less: a file whose bytes are those of the last check is not parsed or checked against
    its schema again, and each document's references and house rules are kept until something they read
    changes (validate.Memo). changed: the content files added, removed or changed by the last check()."""

    def __init__(self, root: Path):
        self.root = root
        self.parsed: dict = {}  # (path, bytes) → load_entries' parse of it, for the files of the last check
        self.memo = Memo()
        self.last: dict[str, object] = {}  # path → its bytes at the last check
        self.changed: set[str] = set()
        self.base_of: Callable[[Path], Callable] | None = None  # root → its base branch's ids (see check())

    def check(self) -> Checked:
        entries, problems = read_content(self.root)
        now = dict(entries)
        self.changed = {rel for rel in now.keys() | self.last.keys() if now.get(rel) != self.last.get(rel)}
        files, found = load_entries(entries, cache=self.parsed)
        self.parsed = {(rel, raw): self.parsed[(rel, raw)] for rel, raw in entries
                       if not isinstance(raw, Refused) and (rel, raw) in self.parsed}
        self.last = now
        problems = problems + found
        content, found = validate(files, rules.configure(self.root), complete=not problems,
                                  unreadable={p.pos.file for p in problems}, memo=self.memo,
                                  base=self.base_of(self.root) if self.base_of else None)
        return Checked(content, problems + found)


def check_problems(root: Path, use_cache: bool = True, base=None) -> Checked:
    """check() for callers that need only the problems (guidance validate): answered from the content-hash cache
    when nothing has changed since the last run. A file whose stat is the one recorded with its digest (and not
    changed just before the record: cache.known_digests) is not read at all; every path is still listed and
    refused as read_content() refuses it. Without use_cache, or when the cache folder cannot be used (said in
    cache_warning), the cache is neither read nor written."""
    warning = cache.unusable() if use_cache else None
    if not use_cache or warning is not None:
        checked = check(root, base=base)
        checked.cache_warning = warning
        return checked
    stamp = cache.now()
    stored = cache.record(root)
    known = cache.known_digests(stored)
    listed, problems = list_content(root)
    raw: dict[str, bytes] = {}
    files: dict[str, list] = {}
    for rel, path, info in listed:
        mine = known.get(rel)
        if mine is not None and mine[0] == cache.stat_of(info):
            files[rel] = mine[0] + [mine[1]]
            continue
        try:
            raw[rel], opened = read_plain_stat(path)
        except OSError as err:
            problems.append(unreadable(rel, err))
            continue
        files[rel] = cache.stat_of(opened) + [cache.file_digest(raw[rel])]
    digests, refused = [(rel, row[5]) for rel, row in files.items()], list(problems)
    key = cache.key_of(root, digests, refused)
    cached = _trusted(cache.cached_problems(root, key, stored))
    if cached is not None:
        if raw:  # read because changed just before the record: recorded again, to be trusted from now on
            warning = cache.store(root, key, cached, files, stamp)
        return Checked(None, cached, warning)
    checked = check(root, (_read_the_rest(listed, raw, files, problems), problems), base=base)
    if (root / "content").is_dir():  # a folder that is not a project gets no cache entry
        now = [(rel, row[5]) for rel, row in files.items()]
        if now != digests or problems != refused:  # a file changed or went missing while it was read again
            key = cache.key_of(root, now, problems)
        checked.cache_warning = cache.store(root, key, checked.problems, files, stamp)
    return checked


def _read_the_rest(listed: list, raw: dict[str, bytes], files: dict[str, list], problems: list[Problem]) -> list:
    """On a miss: read what the record let check_problems skip, and give every file's (path, bytes) in
    read_content's order. files (each one's stat and digest) and problems are brought up to date."""
    entries = []
    for rel, path, _ in listed:
        if rel in files and rel not in raw:
            try:
                raw[rel], opened = read_plain_stat(path)
            except OSError as err:
                problems.append(unreadable(rel, err))
                del files[rel]
                continue
            files[rel] = cache.stat_of(opened) + [cache.file_digest(raw[rel])]
        if rel in raw:
            entries.append((rel, raw[rel]))
    return entries


def _trusted(cached: list[Problem] | None) -> list[Problem] | None:
    """Cached problems, unless they hold an id collision: which of the two is blamed depends on the base branch
    too, which may have moved since (content.blame), so the content is checked again."""
    return None if cached is not None and any(p.code == "ids.duplicate" for p in cached) else cached
