"""Editing tools: canonical layout with ids assigned (fmt), scaffolding a new draft section, and moving a section
between workflow states (status). Each returns what it would write, or problems; nothing is written unless all of
it can be, and never through a link."""
from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from builder.content import translations
from builder.content.io_problem import io_problem
from builder.content.load import SourceFile, file_kind, parse, read_content
from builder.content.model import Pos, Problem
from builder.content.sections import SectionRef, find

ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1/o/0: ids are read aloud and typed
# Lists of short values written on one line, [police, teachers]; every other list is one item a line.
FLOW_KEYS = ("audiences", "legal_basis", "header", "also_searched_as", "regard_audiences")
DATE_KEYS = ("review_by", "date")
SETTABLE = ("draft", "ready", "withdrawn")


def round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap editors' lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump_round_trip(data) -> str:
    buf = io.StringIO()
    round_trip().dump(data, buf)
    return buf.getvalue()


def new_id(taken: set[str]) -> str:
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(4))
        if candidate not in taken and not candidate.isdigit():
            taken.add(candidate)
            return candidate


@dataclass
class Formatted:
    path: Path
    before: str
    after: str
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class _Project:
    """The content as the loader reads it (links and other refused paths already left out, with their problems)."""

    root: Path
    files: dict[str, tuple[str, SourceFile | None, str | None]] = field(default_factory=dict)  # rel → kind, parsed, text
    problems: list[Problem] = field(default_factory=list)  # refused or unreadable paths
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # rel → why it cannot be parsed

    def chapters(self, doc: str) -> list[str]:
        return sorted(rel for rel, (kind, _, _) in self.files.items()
                      if kind == "chapter" and rel.split("/")[1] == doc)

    def documents(self) -> list[str]:
        return sorted(rel.split("/")[1] for rel, (kind, _, _) in self.files.items() if kind == "document")


def _read(root: Path) -> _Project:
    entries, problems = read_content(root)
    project = _Project(root, problems=list(problems))
    for rel, raw in entries:
        kind = file_kind(Path(rel).relative_to("content"))
        if kind is None:
            continue
        source, found = parse(rel, kind, raw)
        text = raw.decode("utf-8", "replace").lstrip("\ufeff") if source is not None else None
        project.files[rel] = (kind, source, text)
        if found:
            project.broken[rel] = found
    return project


def format_tree(root: Path) -> tuple[list[Formatted], list[Problem]]:
    """Canonical text for every content file (lists of short values on one line, every other list one item a
    line, dates unquoted), with missing block ids assigned. Writes nothing; files that cannot be read are left
    alone and their problems returned."""
    project = _read(root)
    problems = list(project.problems) + [p for found in project.broken.values() for p in found]
    loaded = [(rel, kind, text, round_trip().load(text)) for rel, (kind, source, text) in project.files.items()
              if source is not None]
    taken: set[str] = set()  # block ids are unique across documents: audience views show both on one page
    for _, kind, _, data in loaded:
        if kind == "chapter":
            taken.update(_block_ids(data))
    results = []
    english = {rel: data for rel, kind, _, data in loaded if kind == "chapter"}
    for rel, kind, text, data in loaded:
        if kind == "translation":  # units in the English's order, so that the two files read side by side
            translations.in_english_order(data, english.get(translations.english_file(rel)))
        if kind == "chapter":
            for block in _blocks(data):
                if "id" not in block:
                    block.insert(0, "id", new_id(taken))
        canonical(data)
        results.append(Formatted(root / rel, text, dump_round_trip(data)))
    return results, problems


def write_formatted(root: Path, results: list[Formatted]) -> list[Problem]:
    """Write every changed file, refusing (and writing none) if any of them has become a link or left the project."""
    changed = [r for r in results if r.changed]
    refused = [p for r in changed if (p := refused_path(root, r.path)) is not None]
    if refused:
        return refused
    for r in changed:
        if (problem := write_content(r.path, r.after, root)) is not None:
            return [problem]  # the files after it are left as they were; a second run finishes the rest
        r.written = True
    return []


def canonical(node, key: str | None = None, parent_key: str | None = None) -> None:
    """Lay out node in place: lists of scalars under FLOW_KEYS (and table rows) in flow style, every other list in
    block style; valid dates under DATE_KEYS unquoted. A list that carries comments keeps its style, so that no
    comment is lost."""
    if isinstance(node, CommentedMap):
        for k in list(node):
            value = node[k]
            if k in DATE_KEYS and isinstance(value, ScalarString) and _is_date(str(value)):
                node[k] = date.fromisoformat(str(value))
            else:
                canonical(value, str(k), key)
    elif isinstance(node, CommentedSeq):
        scalars = all(not isinstance(v, (CommentedMap, CommentedSeq)) for v in node)
        flow = scalars and (key in FLOW_KEYS or key == "__row__")
        if not node.ca.items and not (node.ca.comment and any(node.ca.comment)):
            if flow:
                node.fa.set_flow_style()
            elif node:
                node.fa.set_block_style()
        for value in node:
            canonical(value, "__row__" if key == "rows" else None, key)


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _blocks(data):
    if not isinstance(data, CommentedMap) or not isinstance(data.get("sections"), CommentedSeq):
        return
    for section in data["sections"]:
        if isinstance(section, CommentedMap) and isinstance(section.get("blocks"), CommentedSeq):
            yield from (b for b in section["blocks"] if isinstance(b, CommentedMap))


def _block_ids(data) -> set[str]:
    return {str(b["id"]) for b in _blocks(data) if "id" in b}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _plain_block_ids(project: _Project) -> set[str]:
    """Block ids of every chapter the loader could read (whatever shape its data has)."""
    out = set()
    for kind, source, _ in project.files.values():
        if kind != "chapter" or source is None or not isinstance(source.data, dict):
            continue
        for section in _list(source.data.get("sections")):
            if isinstance(section, dict) and isinstance(section.get("blocks"), list):
                out.update(str(b["id"]) for b in section["blocks"] if isinstance(b, dict) and "id" in b)
    return out


def _section_ids(project: _Project) -> dict[str, str]:
    """Section id → the chapter file holding it, over every readable chapter."""
    out = {}
    for rel, (kind, source, _) in project.files.items():
        if kind != "chapter" or source is None or not isinstance(source.data, dict):
            continue
        for section in _list(source.data.get("sections")):
            if isinstance(section, dict) and isinstance(section.get("id"), str):
                out.setdefault(section["id"], rel)
    return out


ID_LENGTH = 40  # a generated id ends at a word boundary within this many characters: short enough to type


def slugify(title: str, limit: int = ID_LENGTH) -> str:
    """A section id from a title: lower-case words joined by hyphens, ending at a word boundary within `limit`
    characters (a first word longer than that is cut)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    slug = slug if slug[:1].isalpha() else "s-" + slug
    if len(slug) > limit:
        cut = slug.rfind("-", 0, limit + 1)
        slug = slug[:cut] if cut > 0 else slug[:limit]
    return slug.strip("-") or "section"


SECTION_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")  # the schema's slug


def _sections(project: _Project) -> list[SectionRef]:
    """Every section of every readable chapter, in file order."""
    out = []
    for rel, (kind, source, _) in sorted(project.files.items()):
        if kind != "chapter" or source is None or not isinstance(source.data, dict):
            continue
        for section in _list(source.data.get("sections")):
            if isinstance(section, dict) and isinstance(section.get("id"), str):
                out.append(SectionRef(section["id"], str(section.get("title") or ""), str(section.get("status")), rel))
    return out


def find_section(root: Path, ref: str, doc: str | None = None, among=None, code: str = "status.no-section",
                 project: _Project | None = None) -> tuple[SectionRef | None, Problem | None]:
    """The section `ref` names (builder/content/sections.py: its id, DOC/ID, the start of one id, or its title),
    or a problem suggesting the nearest ids. `among` (a predicate on SectionRef) narrows the sections searched."""
    project = project or _read(root)
    return find(_sections(project), ref, doc, among, code, sorted(project.broken))


ID_NOTE = ("While it is a draft you may change its id (the id: line, and any [[section:{id}]] written to it); once "
           "it is published the id is permanent, because readers' links and citations use it.")


def resolve_chapter(root: Path, doc: str | None, chapter: str, cwd: Path | None = None
                    ) -> tuple[str | None, str | None, Problem | None]:
    """(document id, chapter file relative to root) for a chapter given by its id, its file name with or without
    .yaml, or a path (relative to the project, to the current folder, or absolute). DOC may be left out when
    the chapter is a path."""
    project = _read(root)
    cwd = Path.cwd() if cwd is None else cwd
    rel = _as_content_path(root, chapter, cwd)
    docs = project.documents()
    if rel is not None:
        parts = rel.split("/")
        if len(parts) == 3 and (doc is None or doc == parts[1]):
            doc = parts[1]
            if rel in project.files:
                return doc, rel, None
    if doc is None:
        return None, None, Problem(Pos("content"), "error", "new.no-chapter",
                                   f"'{chapter}' is not a chapter file in content/",
                                   "Give the document and the chapter, e.g. guidance new section stalking "
                                   "04-supporting-victims, or the chapter file's path.")
    if doc not in docs:
        return None, None, Problem(Pos(f"content/{doc}"), "error", "new.no-document", f"there is no document '{doc}'",
                                   f"Choose one of: {', '.join(docs)}.")
    names: dict[str, str] = {}
    ids = []
    for path in project.chapters(doc):
        names[Path(path).stem] = names[Path(path).name] = path
        source = project.files[path][1]
        if source is not None and isinstance(source.data, dict) and isinstance(source.data.get("id"), str):
            names.setdefault(source.data["id"], path)
            ids.append(source.data["id"])
    wanted = Path(chapter).name if rel is None else Path(rel).name
    found = names.get(chapter) or names.get(wanted)
    if found is None:
        files = [Path(p).name for p in project.chapters(doc)]
        return doc, None, Problem(Pos(f"content/{doc}"), "error", "new.no-chapter",
                                  f"there is no chapter '{chapter}' in {doc}",
                                  f"Give its id ({', '.join(ids)}) or its file name ({', '.join(files)}).")
    return doc, found, None


def _as_content_path(root: Path, given: str, cwd: Path) -> str | None:
    """given as a path relative to root under content/, if it names one (without following links)."""
    candidates = [Path(given)] if Path(given).is_absolute() else [cwd / given, root / given]
    for candidate in [c for c in candidates if os.path.lexists(c)] or candidates[:1]:
        absolute = Path(os.path.abspath(candidate))
        for base in (Path(os.path.abspath(root)), root.resolve()):
            try:
                rel = absolute.relative_to(base).as_posix()
            except ValueError:
                continue
            if rel.startswith("content/"):
                return rel
    return None


def _title_problem(title: str) -> Problem | None:
    from builder.content.validate.schema import schema

    spec = schema("chapter").schema["$defs"]["plainTitle"]
    if not title.strip() or not re.fullmatch(spec["pattern"], title) or len(title) > spec["maxLength"]:
        return Problem(Pos("--title"), "error", "new.title",
                       f"the title {title!r} cannot be a section title: it must be one line of plain text, at most "
                       f"{spec['maxLength']} characters, without < > {{ }}",
                       "Braces could attach attributes to the heading and angle brackets could be HTML: leave them "
                       "out, e.g. --title \"What this section covers\".")
    return None


def _layout(sections) -> tuple[bool, bool]:
    """(audiences in flow style, dates quoted) as the chapter's existing sections write them (canonical: flow,
    unquoted)."""
    flow, quoted = True, False
    for section in sections:
        if isinstance(section, CommentedMap):
            audiences = section.get("audiences")
            if isinstance(audiences, CommentedSeq):
                flow = bool(audiences.fa.flow_style())
            review = section.get("review_by")
            if review is not None:
                quoted = isinstance(review, ScalarString)
            break
    return flow, quoted


def new_section(root: Path, doc: str | None, chapter: str, title: str, today: date | None = None,
                cwd: Path | None = None, sid: str | None = None) -> tuple[str, str, Problem | None]:
    """Append a draft section to a chapter file, written in the layout of the file's other sections. Returns the
    new section's id and the chapter file, or a problem saying why nothing was written."""
    doc, rel, problem = resolve_chapter(root, doc, chapter, cwd)
    if problem is not None:
        return "", "", problem
    if (problem := _title_problem(title)) is not None:
        return "", "", problem
    project = _read(root)
    if project.problems:  # a link, pipe or unreadable path in content/: refused here as by every command
        return "", "", project.problems[0]
    kind, source, text = project.files[rel]
    if rel in project.broken or source is None:
        first = project.broken.get(rel, [Problem(Pos(rel), "error", "load.unreadable", "", "")])[0]
        return "", "", Problem(first.pos, "error", "new.unreadable-chapter",
                               f"{rel} cannot be read, so no section was added to it ({first.code}: {first.message})",
                               "Fix that problem first (guidance validate shows it), then run this again.")
    data = round_trip().load(text)
    sections = data.get("sections") if isinstance(data, CommentedMap) else None
    if not isinstance(sections, CommentedSeq):
        return "", "", Problem(source.pos(("sections",)), "error", "new.unreadable-chapter",
                               f"{rel} has no list of sections to add to",
                               "Fix the chapter first (guidance validate shows what is wrong), then run this again.")
    sid, problem = _new_id(sid, title, _section_ids(project))
    if problem is not None:
        return "", "", problem
    today = today or date.today()
    flow, quoted = _layout(sections)
    audiences = CommentedSeq(["all"])
    if flow:
        audiences.fa.set_flow_style()
    review = (today + timedelta(days=365))
    block = CommentedMap()
    block["id"] = new_id(_plain_block_ids(project))
    block["para"] = "Write the first paragraph of this section here."
    section = CommentedMap()
    section["id"] = sid
    section["title"] = " ".join(title.split())
    section["audiences"] = audiences
    section["status"] = "draft"
    section["review_by"] = review.isoformat() if quoted else review
    section["blocks"] = [block]
    sections.append(section)
    after = _endings_of(text, dump_round_trip(data))
    problem = _check_written(rel, kind, after, lambda d: d["sections"][-1].get("title") == section["title"])
    if problem is None:
        problem = refused_path(root, root / rel)
    if problem is None:
        problem = write_content(root / rel, after, root)
    if problem is not None:
        return "", "", problem
    _new_in_translations(root, project, rel, sid)
    return sid, rel, None


def _new_in_translations(root: Path, project: _Project, rel: str, sid: str) -> None:
    """Keep the chapter's translation files in step: the new section's place is held by an entry with its id alone
    (a unit still missing, which guidance translations lists), so the translator finds it where the English has it."""
    for other in translations.translation_files(rel):
        kind, source, text = project.files.get(other, (None, None, None))
        if source is None or other in project.broken or not isinstance(source.data, dict):
            continue
        data = round_trip().load(text)
        entry = CommentedMap()
        entry["id"] = sid
        data.setdefault("sections", CommentedSeq()).append(entry)
        after = _endings_of(text, dump_round_trip(data))
        if _check_written(other, kind, after, lambda d: d["sections"][-1]["id"] == sid) is None \
                and refused_path(root, root / other) is None:
            write_content(root / other, after, root)  # the English is written: a translation that is not stays missing


def _new_id(sid: str | None, title: str, taken: dict[str, str]) -> tuple[str, Problem | None]:
    """The new section's id: --id as given, if it can be one and is free; else made from the title (with -2, -3…
    when taken)."""
    if sid is None:
        sid = base = slugify(title)
        n = 2
        while sid in taken:
            sid, n = f"{base}-{n}", n + 1
        return sid, None
    if not SECTION_ID.match(sid):
        return sid, Problem(Pos("--id"), "error", "new.id",
                            f"'{sid}' cannot be a section id: it must start with a lower-case letter and hold only "
                            "lower-case letters, digits and hyphens (at most 63 characters)",
                            f"For example --id {slugify(sid) if slugify(sid) != 'section' else slugify(title)}.")
    if sid in taken:
        free = next(f"{sid}-{n}" for n in range(2, 10_000) if f"{sid}-{n}" not in taken)
        return sid, Problem(Pos("--id"), "error", "new.id", f"the id '{sid}' is already the id of a section in "
                            f"{taken[sid]}", f"Section ids are unique across the guidance: choose another, e.g. "
                            f"--id {free}.")
    return sid, None


@dataclass
class StatusChange:
    section: str
    file: str
    before: str
    after: str
    notes: list[str] = field(default_factory=list)  # what the editor should know (e.g. no review date yet)


def set_status(root: Path, ref: str, status: str, reason: str | None = None, today: date | None = None
               ) -> tuple[StatusChange | None, Problem | None]:
    """Move section `ref` (its id, or DOC/ID) to status draft, ready or withdrawn, keeping the file's comments and
    layout. Withdrawing needs a reason, which readers see in the section's place; leaving withdrawn removes it."""
    if (problem := _status_refused(status, reason)) is not None:
        return None, problem
    project = _read(root)
    found, problem = find_section(root, ref, project=project)
    if problem is not None:
        return None, problem
    sid, rel = found.id, found.file
    kind, source, text = project.files[rel]
    data = round_trip().load(text)
    index = next(i for i, s in enumerate(data["sections"]) if isinstance(s, CommentedMap) and s.get("id") == sid)
    section = data["sections"][index]
    before = str(section.get("status"))
    if before == "published" and status != "withdrawn":
        return None, Problem(source.pos(("sections", index, "status")), "error", "status.published",
                             f"section '{sid}' is published; moving it back to {status} would take it off the "
                             "public site at the next build",
                             "To change published text, edit it and publish a new edition; to take it down, use "
                             "status withdrawn with a reason.")
    _move(section, status, reason, today)
    notes = _status_notes(sid, section, before, status)
    after = _endings_of(text, dump_round_trip(data))
    problem = _check_written(rel, kind, after, lambda d: d["sections"][index].get("status") == status)
    if problem is None:
        problem = refused_path(root, root / rel)
    if problem is None and after != text:
        problem = write_content(root / rel, after, root)
    if problem is not None:
        return None, problem
    return StatusChange(sid, rel, before, status, notes), None


def _status_refused(status: str, reason: str | None) -> Problem | None:
    """A status that cannot be set here, or a withdrawal without a reason: refused before any file is read."""
    if status not in SETTABLE:
        hint = ("Sections are published with guidance publish DOC --version V --note \"…\", which publishes every "
                "ready section as a new edition." if status == "published" else f"Choose one of: {', '.join(SETTABLE)}.")
        return Problem(Pos("content"), "error", "status.value", f"status '{status}' cannot be set here", hint)
    if status == "withdrawn" and not (reason or "").strip():
        return Problem(Pos("content"), "error", "status.withdrawn-reason",
                       "a withdrawn section must say why: readers see the reason in its place",
                       "Add --reason \"Why it was withdrawn and where readers should look instead.\"")
    return None


def _move(section: CommentedMap, status: str, reason: str | None, today: date | None) -> None:
    """Set the section's status; a withdrawn one gets its withdrawn: date and reason just after it (replacing any
    it had), and one leaving withdrawn loses them."""
    section["status"] = status
    if status == "withdrawn":
        withdrawn = CommentedMap()
        withdrawn["date"] = today or date.today()
        withdrawn["reason"] = " ".join(reason.split())
        if "withdrawn" in section:
            section["withdrawn"] = withdrawn
        else:
            section.insert(list(section).index("status") + 1, "withdrawn", withdrawn)
    elif "withdrawn" in section:
        del section["withdrawn"]


def _status_notes(sid: str, section: CommentedMap, before: str, status: str) -> list[str]:
    """What the editor should know about the move (never a refusal)."""
    notes = []
    if status == "withdrawn" and before in ("draft", "ready"):
        notes.append(f"It was {before}, so it may never have been published: readers will see a notice that it was "
                     "withdrawn. If it never was, delete the section instead.")
    if status == "ready" and before == "draft":
        notes.append(f"Its id '{sid}' becomes permanent when it is published: if it should be different, change it "
                     "now (the id: line, and any [[section:…]] written to it).")
    if status == "ready" and not section.get("review_by"):
        notes.append("It has no review date yet: add review_by: YYYY-MM-DD before it is published "
                     "(guidance validate warns: review.missing).")
    return notes


def _endings_of(before: str, after: str) -> str:
    """after with the line endings before had (an edit to one section does not rewrite every line of a file saved
    with Windows line endings; guidance fmt makes them canonical)."""
    return after.replace("\n", "\r\n") if "\r\n" in before else after


def _check_written(rel: str, kind: str, text: str, holds) -> Problem | None:
    """Read text back as the loader will: it must parse and say what was meant (holds(data)), or it is not
    written."""
    source, found = parse(rel, kind, text.encode("utf-8"))
    try:
        ok = source is not None and holds(source.data)
    except (KeyError, IndexError, TypeError, AttributeError):
        ok = False
    if ok:
        return None
    detail = f" ({found[0].code}: {found[0].message})" if found else ""
    return Problem(Pos(rel), "error", "edit.round-trip",
                   f"the change to {rel} would not read back as written{detail}; nothing was written",
                   "This is a fault in guidance: please report it with the command you ran.")


def refused_path(root: Path, path: Path) -> Problem | None:
    """A problem if path is a link, or is not a plain file inside root/content (a folder on the way may be a
    link): a write must never land outside the project."""
    rel = os.path.relpath(path, root)
    content = Path(os.path.abspath(root / "content"))
    path = Path(os.path.abspath(path))
    try:
        steps = [path, *path.parents[:len(path.relative_to(content).parts)]]  # from the file up to content/
        is_link = any(p.is_symlink() for p in steps)
        inside = path.resolve().is_relative_to(content.resolve()) and not path.is_dir()
    except (OSError, ValueError):
        is_link, inside = True, False
    if is_link or not inside:
        return Problem(Pos(Path(rel).as_posix()), "error", "edit.link",
                       "this file is a link, or reached through one; guidance does not write through links",
                       "Replace the link with the file itself: a link could lead outside the project.")
    return None


def write_content(path: Path, text: str, root: Path) -> Problem | None:
    """Replace path by text in one rename (an editor or the preview never reads half a file), keeping its mode.
    A folder that cannot be written or a full disk is a problem (io.read-only, io.no-space), with the file as it
    was: the temporary file is removed."""
    tmp = None
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk is found here, before the rename, not after it
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        return None
    except OSError as err:
        err.filename = str(path)  # the file the editor knows, not the temporary one beside it
        return io_problem(err, root)
    finally:
        if tmp is not None and os.path.lexists(tmp):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


