"""Publish stage, plan: everything an edition will do, worked out and checked, with nothing written. Its lines
show the reviewer-to-be everything readers will see change: each section new, amended, withdrawn or removed in
public since the last edition, and each public number that changes."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from git.exc import GitCommandError

from builder.content import config
from builder.content.edit import round_trip
from builder.content.load import content_files, load_entries
from builder.content.model import Pos, Problem, number_public, version_key
from builder.content.validate import model, validate
from builder.history.collect import collect
from builder.history.git import content_at, dirty_paths, repository, tag_commits
from builder.publish import languages
from builder.publish.record import Entry, SectionStep, edit
from builder.content.views import public_view
from builder.review.changes import DocumentChange
from builder.review.diff import compare
from builder.review.diff_report import renumbered

# Canonical MAJOR.MINOR: no leading zeros, no sign, at most four digits each (99999999999999999999999.0 is a typo).
VERSION = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")
FUTURE_MARGIN = timedelta(days=14)  # a publication may be prepared up to two weeks ahead, no more
MAIN = "main"  # the branch the public site is deployed from: publishing there also tags the edition
NOTE_LIMIT = 1_000  # characters: a change note says what changed in a few sentences (GOV.UK's are one or two)


class PublishError(Exception):
    """Why publish stopped. exit_code 2 when the command was used wrongly, 1 when the content or the repository
    refuses (the rule every command follows). recorded: the edition is in git all the same (only the files'
    catching up failed), so the message must not say that nothing was published."""

    def __init__(self, problems: list[Problem], exit_code: int = 1, recorded: bool = False):
        super().__init__(problems[0].message if problems else "")
        self.problems, self.exit_code, self.recorded = problems, exit_code, recorded


@dataclass
class Plan:
    """Everything publish will do, worked out and checked; nothing written yet."""

    doc: str
    entry: Entry
    previous: str
    branch: str
    tag: str | None  # None when not on main: the edition is found on main by the commit that sets its version
    head: str  # the commit the plan was made from: apply refuses if the branch has moved since
    texts: dict[str, str]  # project-relative path → text the plan was made from (apply refuses if any changed)
    steps: list[SectionStep] = field(default_factory=list)  # sections that change status
    left: list[SectionStep] = field(default_factory=list)  # ready sections not chosen: they stay ready
    changed: dict[str, str] = field(default_factory=dict)  # project-relative path → new text
    public: DocumentChange | None = None  # what readers see change since the last edition, in public numbers
    empty: bool = False  # the edition changes nothing readers see

    @property
    def version(self) -> str:
        return self.entry.version

    def lines(self) -> list[str]:
        """The plan in words, for the terminal: the edition, then everything readers will see change."""
        e = self.entry
        out = [f"Plan: publish {self.doc} version {e.version} ({'major' if e.major else 'minor'} edition), after "
               f"version {self.previous}",
               f"  version: {self.previous} → {e.version}", f"  date: {e.date.isoformat()}", f"  change note: {e.note}",
               f"  major: {'true (listed in the change history)' if e.major else 'false (archived, not listed)'}",
               "  cleared by: " + ("; ".join(f"{c['role']}: {c['name']}" for c in e.cleared_by) or "nobody")]
        out.append(f"  sections that change status ({len(self.steps)}):" if self.steps else
                   "  sections that change status: none")
        out += [f"    {s.number} {s.title} [{s.id}]: {s.before} → {s.after}" for s in self.steps]
        out += self._public_lines()
        if self.left:
            out.append(f"  ready sections left ready ({len(self.left)}; not named with --section):")
            out += [f"    {s.title} [{s.id}]" for s in self.left]
        if self.empty:
            out.append("  readers would see no change: this edition publishes nothing new")
        out.append(f"  files: {', '.join(sorted(self.changed))}")
        where = (f"one commit on branch {self.branch} (its commit-msg hook runs; a pre-commit hook does not, since "
                 f"publish commits apart from your index and has checked the edited content itself)")
        out.append(f"  git: {where}, tagged {self.tag}" if self.tag else
                   f"  git: {where}, no tag (not on {MAIN}): once merged, by any method, the edition is the commit on "
                   f"{MAIN} that sets version {e.version}")
        return out

    def _public_lines(self) -> list[str]:
        d = self.public
        if d is None:
            return [f"  what readers will see change: unknown (the commit of edition {self.previous} is not in this "
                    f"clone; fetch the whole history to list it)"]
        groups: dict[str, list[str]] = {"new": [], "amended": [], "withdrawn": [], "removed": []}
        for s in d.sections:
            if not s.public:
                continue
            b, h = s.status
            kind = ("removed" if h is None or h not in ("published", "withdrawn") else "new" if b is None
                    else "withdrawn" if h == "withdrawn" and b != "withdrawn" else "amended")
            paras = [blk.number or blk.old_number for blk in s.blocks if blk.number or blk.old_number]
            detail = f" (paragraphs {', '.join(paras)})" if kind == "amended" and paras else ""
            groups[kind].append(f"{s.label} {s.title} [{s.id}]{detail}")
        total = sum(len(v) for v in groups.values())
        out = [f"  what readers will see change since edition {self.previous} ({total} section"
               f"{'s' if total != 1 else ''}; change note above):"]
        for kind, items in groups.items():
            out += [f"    {kind}: {item}" for item in items]
        out += [f"    {f.where}: {f.name} changes" for f in d.fields
                if f.public and not f.where.startswith("edition ")]
        if d.renumbered:
            out.append(f"  public numbers that change ({len(d.renumbered)}; citations of the old numbers will point "
                       f"at other text):")
            out += [f"    renumbered: {line}" for line in renumbered(d)]
        return out


def refuse(where: str, code: str, message: str, hint: str = "", exit_code: int = 1):
    raise PublishError([Problem(Pos(where), "error", f"publish.{code}", message, hint)], exit_code)


def plan(root: Path, doc_id: str, version: str, note: str, minor: bool = False, on: date | None = None,
         check=None, sections: list[str] | None = None, allow_empty: bool = False, today: date | None = None,
         cleared_by: list[tuple[str, str]] | None = None) -> Plan:
    """Work out an edition, or raise PublishError. Writes nothing. `check` is the project's full check
    (pipeline.check), so that house rules apply; the edited tree is checked again before anything is written."""
    try:
        return _plan(Path(root).resolve(), doc_id, version, note, minor, on, check, sections, allow_empty, today,
                     cleared_by)
    except GitCommandError as err:
        refuse(f"content/{doc_id}", "git", f"git could not read the repository: {said(err)}",
               "Nothing was published. Fix what git reports (a full disk, a damaged repository) and run it again.")


def _plan(root: Path, doc_id: str, version: str, note: str, minor, on, check, sections, allow_empty, today,
          cleared_by) -> Plan:
    folder = f"content/{doc_id}"
    doc_rel = f"{folder}/document.yaml"
    today = today or _commit_day() or date.today()
    with repository(root) as (repo, prefix):
        _ready(repo, root, folder, doc_id)
        note = _note(folder, version, note)
        clearances = _clearances(root, doc_rel, cleared_by or [], major=not minor)
        _committed(repo, prefix)
        checked = _checked(root, check)
        texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in content_files(root / "content")}
        document = round_trip().load(texts[doc_rel])
        current = str(document.get("version"))
        editions = list(document.get("editions") or [])
        _version_free(repo, doc_rel, doc_id, version, current, editions)
        when = _date(doc_rel, on or today, today, editions)
        branch = repo.head.ref.name
        entry = Entry(version, when, note, not minor, clearances)
        result = Plan(doc_id, entry, current, branch, f"{doc_id}/v{version}" if branch == MAIN else None,
                      repo.head.commit.hexsha, texts)
        result.changed, result.steps, result.left = _steps(texts, folder, doc_id, entry, set(sections or []), checked)
        after = _after(texts, result.changed)
        if not minor and (untranslated := languages.refusals(after, doc_id)):
            raise PublishError(untranslated)
        numbers = _public_numbers(after, doc_id)
        for s in result.steps:
            s.number = numbers.get(s.id, "")
        result.public = _since_last(root, repo, prefix, checked, doc_id, current, after)
        result.empty = _empty(doc_rel, result, allow_empty)
        return result


def _committed(repo, prefix: str) -> None:
    """Refuse while content files have uncommitted changes: the edition records exactly what was reviewed."""
    dirty = dirty_paths(repo, prefix)
    if dirty:
        refuse(dirty[0], "uncommitted", f"{len(dirty)} content file{'s have' if len(dirty) > 1 else ' has'} "
               f"uncommitted changes ({', '.join(dirty[:3])}{', …' if len(dirty) > 3 else ''})",
               "Commit them first, so that the edition records exactly what was reviewed.")


def _checked(root: Path, check):
    """The project's full check of the content as it is (None without one); its problems refuse the edition."""
    checked = check(root) if check is not None else None
    if checked is not None and checked.failed():
        raise PublishError(checked.problems)
    return checked


def _steps(texts: dict[str, str], folder: str, doc_id: str, entry: Entry, wanted: set[str], checked
           ) -> tuple[dict[str, str], list[SectionStep], list[SectionStep]]:
    """The edit that publishes the ready sections wanted (every one when none is named): the files it changes, the
    sections that change status, and the ready sections left ready."""
    changed, ready = edit(texts, folder, entry, wanted)
    _chosen(folder, doc_id, wanted, ready)
    steps = [s for s in ready if not wanted or s.id in wanted]
    _no_placeholders(checked, doc_id, {s.id for s in steps})
    return changed, steps, [s for s in ready if wanted and s.id not in wanted]


def _empty(doc_rel: str, result: Plan, allow_empty: bool) -> bool:
    """Whether the edition changes nothing readers see: no section changes status and the public text is the same.
    Refused unless allowed (an edition that only records a note)."""
    empty = not result.steps and result.public is not None and not result.public.text_changed
    if empty and not allow_empty:
        refuse(doc_rel, "empty", f"version {result.version} would publish nothing: no section is ready and the text "
               f"readers see is the same as in version {result.previous}",
               "Set status: ready on the sections to publish (and commit), or pass --allow-empty for an edition "
               "that only records a note.")
    return empty


def said(err: Exception) -> str:
    """What git said, on one line, without GitPython's framing."""
    text = str(getattr(err, "stderr", None) or err).strip()
    text = text.removeprefix("stderr: ").strip("'\" \n")
    return " ".join(text.split())[:500] or "unknown error"


def _ready(repo, root: Path, folder: str, doc_id: str) -> None:
    """The repository can take an edition of this document."""
    if repo is None:
        refuse(folder, "no-repository", "publishing records the edition in git, and this folder is not in a git "
               "repository", "Run guidance publish in a clone of the guidance repository.")
    if not repo.head.is_valid():
        refuse(folder, "no-commits", "the repository has no commits yet", "Commit the content first.")
    if repo.head.is_detached:
        refuse(folder, "detached", "HEAD is detached, so the edition's commit would be on no branch",
               "Switch to the branch to publish on, for example: git switch -c publish-1.1.")
    if not (root / folder / "document.yaml").is_file():
        docs = sorted(p.parent.name for p in (root / "content").glob("*/document.yaml"))
        refuse(folder, "no-document", f"there is no document '{doc_id}'", f"Choose one of: {', '.join(docs)}.", 2)


def _note(folder: str, version: str, note: str) -> str:
    if not VERSION.match(version):
        refuse(folder, "version", f"version '{version}' is not MAJOR.MINOR written canonically",
               "Two whole numbers of up to four digits with no leading zeros, for example --version 1.1 or 2.0.", 2)
    note = " ".join(note.split())
    if not note:
        refuse(folder, "note", "the change note is empty", "Say what changed, for readers: --note \"…\".", 2)
    if len(note) > NOTE_LIMIT:
        refuse(folder, "note", f"the change note is {len(note):,} characters; the limit is {NOTE_LIMIT:,}",
               "Say what changed in a few sentences; the change history and the diff show the details.", 2)
    return note


def _clearances(root: Path, doc_rel: str, given: list[tuple[str, str]], major: bool) -> list[dict]:
    """Who cleared the edition, in the order [tool.guidance] clearance-roles names the roles; a major edition
    needs every role. Names are kept as given (one line, no markup characters)."""
    roles = config.from_pyproject(root, {}).clearance_roles
    out: dict[str, str] = {}
    for role, name in given:
        name = " ".join(name.split())
        if role not in roles:
            refuse(doc_rel, "cleared-by", f"'{role}' is not a clearance role of this project",
                   f"Roles (clearance-roles in pyproject.toml): {', '.join(roles) or 'none'}.", 2)
        if not name or re.search(r"[<>{}]", name):
            refuse(doc_rel, "cleared-by", f"the name given for {role} is empty or holds <, >, {{ or }}",
                   "Write --cleared-by ROLE=NAME, for example --cleared-by legal=\"Jo Bloggs\".", 2)
        if role in out:
            refuse(doc_rel, "cleared-by", f"{role} is named twice", "Name each role once.", 2)
        out[role] = name
    missing = [r for r in roles if r not in out]
    if major and missing:
        refuse(doc_rel, "clearance", f"a major edition needs clearance by {', '.join(missing)}, and "
               f"{'none was' if not out else 'only ' + ', '.join(out) + ' was'} given",
               "Name who cleared it: " + " ".join(f"--cleared-by {r}=NAME" for r in missing)
               + " (or --minor for a correction readers need not be told about).", 2)
    return [{"role": r, "name": out[r]} for r in roles if r in out]


def _version_free(repo, doc_rel: str, doc_id: str, version: str, current: str, editions: list) -> None:
    taken = {str(e.get("version")) for e in editions} | {
        name.rpartition("/v")[2] for name in tag_commits(repo) if name.startswith(f"{doc_id}/v")}
    latest = max((version_key(v) for v in taken | {current}), default=(0, 0))
    free = f"{latest[0]}.{latest[1] + 1}"
    if version in taken:
        where = "an edition" if version in {str(e.get("version")) for e in editions} else "a tag"
        refuse(doc_rel, "exists", f"{doc_id} already has {where} {version} (another branch may have published it)",
               f"Choose the next free version: --version {free}.", 2)
    if version_key(version) <= latest:
        refuse(doc_rel, "version", f"version {version} is not later than {doc_id}'s latest, {latest[0]}.{latest[1]}",
               f"Choose the next free version: --version {free}.", 2)


def _date(doc_rel: str, when: date, today: date, editions: list) -> date:
    last = max((date.fromisoformat(str(e.get("date"))[:10]) for e in editions if e.get("date")), default=None)
    if last and when < last:
        refuse(doc_rel, "date", f"the date {when} is before the previous edition's ({last})",
               "Editions are dated in order: use --date with a later date, or leave it out for today.", 2)
    if when > today + FUTURE_MARGIN:
        refuse(doc_rel, "date", f"the date {when} is more than {FUTURE_MARGIN.days} days in the future",
               f"Publish on or shortly before the day: use a date up to {today + FUTURE_MARGIN}.", 2)
    return when


def _chosen(folder: str, doc_id: str, wanted: set[str], ready: list[SectionStep]) -> None:
    missing = sorted(wanted - {s.id for s in ready})
    if missing:
        import difflib

        ids = [s.id for s in ready]
        near = list(dict.fromkeys(m for name in missing for m in ids if max(
            difflib.SequenceMatcher(None, name, m).ratio(), difflib.SequenceMatcher(None, name, m[:len(name)]).ratio()
            - 0.05) >= 0.8))[:3]  # the whole id or its start, mistyped
        refuse(folder, "section", f"{', '.join(missing)} {'is not a ready section' if len(missing) == 1 else 'are not ready sections'} of {doc_id}",
               (f"Did you mean {' or '.join(near)}? " if near else "")
               + (("Ready sections: " + ", ".join(ids) + ".") if ready
                  else "No section is ready: set status: ready on the sections to publish, and commit."), 2)


def _no_placeholders(checked, doc_id: str, publishing: set[str]) -> None:
    """Refuse to publish a section that still holds placeholder text (content.placeholder, a warning while it is
    written: the check found it; here it is placed in its section)."""
    doc = checked.content.document(doc_id) if checked is not None and checked.content is not None else None
    if doc is None:
        return
    sections = sorted(((s.pos.file, s.pos.line), s.id) for s in doc.sections())
    found = []
    for p in checked.problems:
        if p.code != "content.placeholder":
            continue
        holder = [sid for (file, line), sid in sections if file == p.pos.file and line <= p.pos.line]
        if holder and holder[-1] in publishing:
            found.append(Problem(p.pos, "error", p.code, p.message, p.hint))
    if found:
        raise PublishError(found)


def _after(texts: dict[str, str], changed: dict[str, str]):
    """The content as the edition will leave it, checked: the edit must leave no error."""
    files, problems = load_entries([(rel, changed.get(rel, text).encode("utf-8")) for rel, text in texts.items()])
    _, found = validate(files)
    errors = [p for p in problems + found if p.severity == "error"]
    if errors:
        raise PublishError(errors)
    content, _ = model(files)
    return content


def _public_numbers(content, doc_id: str) -> dict[str, str]:
    doc = content.document(doc_id)
    if doc is None:
        return {}
    number_public(doc)
    return {s.id: s.number for s in doc.sections()}


def _since_last(root, repo, prefix, checked, doc_id: str, current: str, after) -> DocumentChange | None:
    """What readers will see change from the current edition to this one, in public numbers; None when the
    current edition's commit is unknown. An unchanged document gives an empty change."""
    if checked is None or checked.content is None:
        return None
    record = collect(root, checked.content, archives=False).editions.get((doc_id, current))
    if record is None or not record.commit:
        return None
    before, problems = content_at(repo, prefix, record.commit)
    if any(p.severity == "error" for p in problems):
        return None
    docs = compare(public_view(before), public_view(after)).documents
    return next((d for d in docs if d.id == doc_id), DocumentChange(doc_id, "", "", (current, current)))


def _commit_day() -> date | None:
    """The day git will date the commit with, when GIT_COMMITTER_DATE sets it (as scripted and test commits do):
    the edition's date is judged against the day it is recorded."""
    stamp = os.environ.get("GIT_COMMITTER_DATE", "")
    try:
        return date.fromisoformat(stamp[:10]) if re.match(r"\d{4}-\d\d-\d\d", stamp) else None
    except ValueError:
        return None
