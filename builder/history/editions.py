"""History stage, editions: where each edition listed in document.yaml sits in git (its tag, the commit it names,
or the commit that set its version), its content for the archive, and warnings where the archive would mislead."""
from __future__ import annotations

import functools

from builder.content.model import Content, Document, Problem
from builder.content.views import public_view
from builder.history.dates import EditionRecord, History, raw_sections
from builder.history.git import commit_of, content_at, dropped, mainline, shallow_commits, tag_commits, version_at


def find_editions(repo, prefix, content, history, found, snapshots, state, archives) -> None:
    """Fill history.editions: for each edition document.yaml lists, the commit that is it, how it was found and its
    sections, and for an earlier one (when archives are built) its content. history.notes says where one is not."""
    tags = tag_commits(repo) if history.head else {}
    line = functools.cache(lambda: mainline(repo))  # main's first-parent line, read once, at the first edition
    content_of = _content_reader(repo, prefix, content)
    for doc in content.documents:
        for e in doc.editions:
            tag = f"{doc.id}/v{e.version}"
            record = history.editions[(doc.id, e.version)] = EditionRecord(doc.id, e.version, tag=tag if tag in tags else None)
            pinned, tagged = _named_commits(repo, prefix, doc, e, tag, tags, line, history)
            if tagged is None:
                record.tag = None
            _locate(record, doc, pinned, tagged, found, snapshots, state, content)
            if record.found_by == "working tree":
                continue
            if record.commit is None:
                history.notes.append(Problem(
                    doc.pos, "info", "history.edition-not-found",
                    f"edition {e.version} of {doc.id}: no commit in this clone set that version and there is no "
                    f"tag {tag}, so it is listed but not archived",
                    "Fetch the whole history and the tags (git fetch --unshallow --tags)."))
                continue
            if record.sections is None:
                record.sections = raw_sections(repo, prefix, record.commit, doc.id)
            if archives and e.version != doc.version:  # earlier editions only: the current one is the site itself
                _archive(record, doc, content_of(record.commit), history)
        _honesty(doc, history)


def _content_reader(repo, prefix, content: Content):
    """A function giving the whole content at a commit, read once however many editions are that commit."""
    cache: dict = {}  # load_entries' parses and read_tree's blobs, shared by every edition read
    blobs: dict = {}
    loaded: dict[str, tuple[Content, list[Problem]]] = {}

    def content_of(commit: str) -> tuple[Content, list[Problem]]:
        if commit not in loaded:
            loaded[commit] = content_at(repo, prefix, commit, cache, blobs)
            loaded[commit][0].trees = content.trees  # a text the edition shares is parsed once
        return loaded[commit]

    return content_of


def _named_commits(repo, prefix, doc, e, tag: str, tags: dict[str, str], line, history
                   ) -> tuple[str | None, str | None]:
    """The commit document.yaml names for edition e and the commit its tag names, each only if it can be the edition
    (_reviewed); warnings where the named commit is missing or the two disagree. line() is main's first-parent line."""
    # A tag is a deliberate record of the edition, honoured whenever the clone has its commit; the commit
    # named in document.yaml travels with the content (tags are often not pushed or fetched); the history
    # finds editions with neither.
    pinned = commit_of(repo, e.commit) if e.commit and history.head else None
    tagged = commit_of(repo, tags[tag]) if tag in tags else None
    # Only a reviewed commit can be an edition: one on main's first-parent line that states the version.
    pinned = _reviewed(repo, prefix, doc, e.version, pinned, "commit", line(), history)
    tagged = _reviewed(repo, prefix, doc, e.version, tagged, f"tag {tag}", line(), history)
    if e.commit and history.head and pinned is None:
        history.notes.append(Problem(
            doc.pos, "warning" if not shallow_commits(repo) else "info", "history.edition-commit-missing",
            f"edition {e.version} of {doc.id} names commit {e.commit[:12]}, which this clone does not have",
            "Fetch the whole history (git fetch --unshallow), or correct the commit in document.yaml."))
    if tagged and pinned and tagged != pinned:
        history.notes.append(Problem(
            doc.pos, "warning", "history.edition-disagrees",
            f"edition {e.version} of {doc.id}: the tag {tag} is commit {tagged[:7]} but document.yaml names "
            f"{pinned[:7]}; the tag is used",
            f"Make them agree: move the tag (git tag -f -a {tag} {pinned[:7]}) or correct the commit."))
    return pinned, tagged


def _locate(record: EditionRecord, doc, pinned, tagged, found, snapshots, state, content: Content) -> None:
    """Say in record which commit is the edition and how it was found: its tag, else the commit document.yaml
    names, else the commit that set its version; else, for the current edition, the working tree. None if none."""
    key = (doc.id, record.version)
    if tagged:
        record.commit, record.found_by = tagged, "tag"
    elif pinned:
        record.commit, record.found_by = pinned, "commit"
    elif key in found:
        record.commit, record.found_by = found[key], "history"
        record.sections = snapshots[key]
    elif record.version == doc.version:
        # Not yet committed (or beyond a shallow clone's reach): the current content is this edition.
        record.found_by, record.sections, record.content = "working tree", state.doc_sections(doc.id), content


def _archive(record: EditionRecord, doc, read: tuple[Content, list[Problem]], history: History) -> None:
    """An earlier edition's content (read at its commit) for its archive, unless it fails today's checks: then a
    warning, and record.problems keeps it out of the archive."""
    record.content, problems = read
    record.problems = dropped(problems)
    if record.problems:
        history.notes.append(Problem(
            doc.pos, "warning", "history.edition-unreadable",
            f"edition {record.version} of {doc.id} (commit {record.commit[:7]}) does not pass today's checks "
            f"({record.problems[0].pos.file}: {record.problems[0].message}), so it is not archived",
            "Archived editions are rebuilt from git with today's schemas; keep schema changes compatible."))


def _reviewed(repo, prefix, doc, version, commit, how, line, history) -> str | None:
    """commit, if it can be the edition: on main's first-parent line (merged, so reviewed) and stating the
    version there. Otherwise None, with a warning: an archive is never built from a commit nobody reviewed."""
    if commit is None:
        return None
    if commit not in line and shallow_commits(repo):
        return None  # a shallow clone cannot place it on main's line: listed, not archived (edition-not-found)
    if commit not in line:
        why = "is not on main's first-parent line (it was never merged, so nobody reviewed it as this edition)"
    elif version_at(repo, prefix, commit, doc.id) != version:
        why = f"does not state version {version} of {doc.id}"
    else:
        return commit
    history.notes.append(Problem(
        doc.pos, "warning", "history.edition-unreviewed",
        f"edition {version} of {doc.id}: the {how} names commit {commit[:12]}, which {why}; it is not used",
        f"Name the commit on main that is the edition as reviewed (git log --first-parent main -- "
        f"content/{doc.id}/document.yaml), or leave commit: out."))
    return None


def _public_ids(sections: dict[str, tuple[str, str]] | None) -> set[str]:
    return {sid for sid, (status, _) in (sections or {}).items() if status == "published"}


def _honesty(doc, history: History) -> None:
    """Warn where the archive or the marks would tell readers something untrue: an earlier edition that published
    nothing (its commit is probably the one that first wrote the version, before any text), or marks that call
    every section of the current edition new."""
    records = [(e, history.editions.get((doc.id, e.version))) for e in doc.editions]
    hint = (f"Say which commit each edition is: add commit: <full commit id> to its entry under editions: in "
            f"{doc.pos.file} (git log --first-parent -- content/{doc.id} lists the candidates).")
    for e, record in records:
        if e.version == doc.version or record is None or record.sections is None:
            continue
        if not _public_ids(record.sections):
            how = {"history": "the commit that first set that version", "tag": f"its tag {record.tag}",
                   "commit": "the commit named in document.yaml"}.get(record.found_by, record.found_by)
            history.notes.append(Problem(
                doc.pos, "warning", "history.edition-empty",
                f"edition {e.version} of {doc.id} publishes no text at {how} ({(record.commit or '')[:7]}), so its "
                f"archive would be a heading and nothing else",
                (f"The tag {record.tag} points at the wrong commit: move it (git tag -f -a {record.tag} <commit>) or "
                 f"delete it. " if record.found_by == "tag" else "") + hint))
    known = [(e, r) for e, r in records if r is not None and r.sections is not None]
    if len(known) > 1 and all(r.sections is not None for _, r in records if r is not None):
        first, now = _public_ids(known[0][1].sections), _public_ids(known[-1][1].sections)
        if now and not (first & now) and first != now:
            history.notes.append(Problem(
                doc.pos, "warning", "history.all-new",
                f"every published section of {doc.id} would be marked [new] because edition {known[0][0].version} "
                f"published none of them", hint))


def archived_editions(doc: Document, history: History | None) -> dict[str, tuple[Content, Document]]:
    """version → (public view of the whole content at that edition, the document in it), for earlier editions."""
    out = {}
    for edition in doc.editions:
        record = history.editions.get((doc.id, edition.version)) if history else None
        if edition.version == doc.version or record is None or record.content is None or record.problems:
            continue
        content = public_view(record.content)
        this = content.document(doc.id)
        if this is not None:
            out[edition.version] = (content, this)
    return out
