"""Diff reporter: the only place that decides how a diff looks (terminal text, pull-request Markdown, HTML, JSON)."""
from __future__ import annotations

import html
import json
import re

from builder.review.changes import BlockChange, Diff, DocumentChange, FieldChange, SectionChange
from builder.review.translations import stale_lines
from builder.review.words import Ops
from builder.render.markdown import md_escape

CONTEXT = 8  # unchanged words kept either side of a change
MARKER = "<!-- guidance-diff -->"  # the workflow finds its own comment by this line, and edits it
# GitHub refuses a comment over 65,536 characters. The Markdown stays under this, which leaves 1,000 characters of
# 65,000 for the line the workflow adds (where the pull request's preview is; tests/test_workflow.py measures it).
COMMENT_LIMIT = 64_000
ROLE_LIST = 6  # sections named per role and kind in the role table; the rest are counted
LINE_LIMIT = 2_000  # characters of one line of the comment's summary (a table row is cut by its cells)
RENUMBERED_LIST = 40  # renumbered sections and paragraphs listed in the comment; the rest are counted
_ANSI = {"-": "\x1b[31m", "+": "\x1b[32m", "!": "\x1b[1;33m", "h": "\x1b[1m", "end": "\x1b[0m"}
_MARK = {"added": "+", "removed": "-"}


def _elide(ops: Ops) -> Ops:
    """Long unchanged runs shortened to CONTEXT words either side of the changes around them."""
    out = []
    for i, (op, text) in enumerate(ops):
        words = text.split()
        if op == "=" and len(words) > 2 * CONTEXT and len(ops) > 1:
            head = [] if i == 0 else words[:CONTEXT]
            tail = [] if i == len(ops) - 1 else words[-CONTEXT:]
            text = _lead(text) + " ".join(head + ["…"] + tail)
        out.append((op, text))
    return out


def _lead(text: str) -> str:
    return text[:len(text) - len(text.lstrip())]


def _words(ops: Ops, wrap, escape=lambda t: t, elide=True) -> str:
    """Ops joined back into text, each change wrapped (the space before a change stays outside the mark)."""
    return "".join(_lead(t) + (escape(t.strip()) if op == "=" else wrap(op, escape(t.strip())))
                   for op, t in (_elide(ops) if elide else ops))


def _views_line(diff: Diff) -> str:
    names = [f"{d.short_title} (/{d.id}/)" for d in diff.documents if d.public]
    names += [f"{diff.audiences.get(a, a).lower()} (/for/{a}/)" for a in diff.views]
    if any(r.startswith("glossary term") for r in diff.registries):
        names.append("the glossary (/glossary/)")
    return ", ".join(names) or "none: no published text changes"


def _status(s: SectionChange) -> str:
    b, h = s.status
    return f"{b} → {h}" if b and h and b != h else (h or b or "")


def _for(s: SectionChange) -> str:
    b, h = s.audiences
    return ", ".join(h or b)


def _mark(s: SectionChange) -> str:
    if s.kinds[:1] in (["added"], ["removed"]):
        return _MARK[s.kinds[0]]
    return ">" if s.kinds == ["moved"] else "~"


def _block_label(b: BlockChange, code=lambda t: f"[{t}]") -> str:
    """'4.1.2 [k3v9] moved from 3.2.1 in section sdash', 'was 3.2.1 [k3v9] removed' …: public numbers, so a
    paragraph of a section readers cannot see has none, only its id."""
    if b.change == "moved-out":
        return " ".join(filter(None, ("was" if b.old_number else "", b.old_number, code(b.id),
                                      f"moved to {b.where_number or 'a section readers cannot see,'} in section "
                                      f"{b.where} (its text is shown there)")))
    if b.change == "moved-in":
        return " ".join(filter(None, (b.number, code(b.id), f"moved from {b.where_number or 'a paragraph readers could not see'} in section {b.where}")))
    if b.change == "moved":
        return " ".join(filter(None, (b.number, code(b.id), f"moved from {b.where_number}" if b.where_number else "moved")))
    if b.change in ("removed", "unpublished"):
        old = b.old_number or b.number
        return " ".join(filter(None, (f"was {old}" if old else "", code(b.id), b.change)))
    was = f"(was {b.old_number})" if b.old_number and b.old_number != b.number else ""
    return " ".join(filter(None, (b.number, was, code(b.id), b.change)))


def renumbered(d: DocumentChange) -> list[str]:
    """Public numbers that change, as readers cite them: '2.10 → 2.11 Title [id] (and its 5 paragraphs)'."""
    out = []
    for r in d.renumbered:
        if r["kind"] == "section":
            n = r["paragraphs"]
            out.append(f"{r['before']} → {r['after']} {r['title']} [{r['id']}]"
                       + (f" (and its {n} paragraph{'s' if n != 1 else ''})" if n else ""))
        else:
            out.append(f"paragraph {r['before']} → {r['after']} [{r['id']}] in {r['title']}")
    return out


def _cap(text: str, limit: int = 1_000) -> str:
    """A value shown in the comment's summary, cut to `limit` characters (the HTML redline has it whole)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit].rstrip() + " … (cut here; the HTML redline has it whole)"


def _flag(d: DocumentChange) -> str:
    return (f"published text changes without a new edition and change note; record one with: "
            f"guidance publish {d.id} --version {d.next_version()} --note \"…\"")


def _role_cell(items: list[str]) -> str:
    shown = items[:ROLE_LIST]
    more = f"; and {len(items) - ROLE_LIST} more" if len(items) > ROLE_LIST else ""
    return "; ".join(shown) + more


def _role_rows(diff: Diff) -> list[tuple[DocumentChange, str, dict]]:
    return [(d, a, r) for d in diff.documents for a, r in d.roles.items() if any(r.values())]


def _field_label(f: FieldChange) -> str:
    return f"{f.where}: {f.name}"


def _edition_kind(e: dict) -> str:
    return "major" if e["major"] else "minor"


def _paint(key: str, text: str, colour: bool) -> str:
    """Text in the terminal colour _ANSI gives key, when colour is on."""
    return f"{_ANSI[key]}{text}{_ANSI['end']}" if colour else text


def _text_words(ops: Ops, colour: bool) -> str:
    return _words(ops, lambda op, t: _paint(op, f"[-{t}-]" if op == "-" else f"{{+{t}+}}", colour))


def as_text(diff: Diff, colour: bool = False) -> str:
    lines = [_paint("h", f"guidance diff: {diff.base} → {diff.head}", colour)]
    if diff.empty:
        return "\n".join(lines + ["No content changes."])
    lines.append(f"Published views affected: {_views_line(diff)}")
    for d in diff.documents:
        lines += _text_document(diff, d, colour)
    if diff.registries or diff.registry_fields:
        lines += ["", _paint("h", "Registries", colour), *(f"  * {r}" for r in diff.registries)]
        lines += [f"  * {_field_label(f)}: {_text_words(f.words, colour)}" for f in diff.registry_fields]
    if diff.stale_translations:
        lines += ["", _paint("h", "Translations this change makes stale", colour),
                  *(f"  * {t}" for t in stale_lines(diff))]
    return "\n".join(lines)


def _text_document(diff: Diff, d: DocumentChange, colour: bool) -> list[str]:
    """One document's part of the text: its editions, warning, other changes, renumbering, views and sections."""
    v0, v1 = d.version
    lines = ["", _paint("h", f"{d.title} ({d.id}), version {v0 if v0 == v1 else f'{v0} → {v1}'}", colour)]
    for e in d.new_editions:
        lines.append(f"  new edition {e['version']} ({_edition_kind(e)}, {e['date']}): {e['note']}")
    if d.unannounced:
        lines.append(_paint("!", f"  ! {_flag(d)}", colour))
    for item in d.other:
        lines.append(f"  * {item}")
    for f in d.fields:
        lines.append(f"  * {_field_label(f)}: {_text_words(f.words, colour)}")
    if d.renumbered:
        lines.append(_paint("!", f"  renumbered ({len(d.renumbered)}; a citation of an old number now points at "
                                 f"other text):", colour))
        lines += [f"    {r}" for r in renumbered(d)]
    for role, r in d.roles.items():
        if any(r.values()):
            name = diff.audiences.get(role, role).lower()
            parts = [f"{k} {len(v)}: {_role_cell(v)}" for k, v in
                     (("gains", r["gains"]), ("loses", r["losses"]), ("changes", r["changes"])) if v]
            lines.append(f"  view for {name} (/for/{role}/{d.id}/): " + " | ".join(parts))
    for s in d.sections:
        lines += _text_section(s, colour)
    return lines


def _text_section(s: SectionChange, colour: bool) -> list[str]:
    """One section's line, then its title, fields and paragraphs as redlines."""
    public = "; published text changes" if s.public else ""
    lines = [_paint("-" if _mark(s) == "-" else "+" if _mark(s) == "+" else "h",
                    f"  {_mark(s)} {s.label} {s.title} [{s.id}]", colour)
             + f" ({_status(s)}; for {_for(s)}{public}): {s.summary()}"]
    if s.title_words:
        lines.append(f"      title: {_text_words(s.title_words, colour)}")
    for f in s.fields:
        lines.append(f"      {_field_label(f)}: {_text_words(f.words, colour)}")
    for b in s.blocks:
        lines.append(f"      {_block_label(b)}" + (f": {_text_words(b.words, colour)}" if b.words else ""))
        for aud, ops in b.notes.items():
            lines.append(f"        note for {aud}: {_text_words(ops, colour)}")
    return lines


_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")


def _quiet(text: str) -> str:
    """An @name in content must not notify anyone on GitHub: an empty HTML comment after the @ breaks the mention
    and renders as nothing, so readers see the same '@name'."""
    return _MENTION.sub("@<!-- -->", text)


def _md(text) -> str:
    return _quiet(md_escape(text))


def _md_words(ops: Ops) -> str:
    return _quiet(_words(ops, lambda op, t: f"<{'del' if op == '-' else 'ins'}>{t}</{'del' if op == '-' else 'ins'}>",
                         md_escape))


def _md_section(s: SectionChange) -> list[str]:
    lines = ["<details>", f"<summary><strong>{_md(s.label)} {_md(s.title)}</strong> (<code>{s.id}</code>): "
             f"{_md(s.summary())}</summary>", ""]
    if s.title_words:
        lines.append(f"- title: {_md_words(s.title_words)}")
    for f in s.fields:
        lines.append(f"- {_md(_field_label(f))}: {_md_words(f.words)}")
    for b in s.blocks:
        lines.append(f"- {_md(_block_label(b, lambda t: '(' + t + ')'))}" + (f": {_md_words(b.words)}" if b.words else ""))
        for aud, ops in b.notes.items():
            lines.append(f"  - note for {_md(aud)}: {_md_words(ops)}")
    if not s.blocks and not s.title_words and not s.fields:
        lines.append(f"- {_md(s.summary())}")
    return lines + ["", "</details>", ""]


def as_markdown(diff: Diff, limit: int = COMMENT_LIMIT) -> str:
    """For a pull-request comment, under `limit` characters whatever the change: the summary first (views, warnings,
    what each role's view gains and loses, a table of sections), then each section's redline while there is room,
    then a count of what was left out and where to read it whole."""
    head = [MARKER, f"### Content changes: {_md(diff.base)} → {_md(diff.head)}", ""]
    if diff.empty:
        return "\n".join(head + ["No content changes."])
    head += [f"**Published views affected:** {_md(_views_line(diff))}", ""]
    for d in diff.documents:
        head += _md_notices(d)
    head += _md_role_table(diff)
    out = _bounded(head, limit // 2)
    budget = limit - 600  # what the table, other changes and redlines may reach: the rest is for the last lines
    rows = [(d, s) for d in diff.documents for s in d.sections]
    left_rows = 0
    if rows:
        table, left_rows = _as_many_as_fit(
            ["| Document | Section | Status | For | What changed | Public |", "|---|---|---|---|---|---|"], rows,
            lambda row: [_md_section_row(*row)], budget - _size(out))
        out += table + [""]
    others = _md_other_changes(diff)
    left_others = 0
    if others:
        block, left_others = _as_many_as_fit(["**Other changes readers see:**", ""], others, lambda o: [f"- {o}"],
                                             budget - _size(out))
        out += block + [""]
    details, left_details = _as_many_as_fit([], rows, lambda row: _md_section(row[1]), budget - _size(out))
    out += details
    out += _md_left_out(left_rows, left_others, left_details)
    return "\n".join(out).rstrip("\n")


def _size(lines: list[str]) -> int:
    """Characters of lines joined into the comment, each with its newline."""
    return sum(len(line) + 1 for line in lines)


def _as_many_as_fit(block: list[str], items: list, lines_of, room: int) -> tuple[list[str], int]:
    """block, then the lines of each item (lines_of(item)) in turn while they fit in room characters; and how many
    items did not fit (none after the first that does not)."""
    block, used = list(block), _size(block)
    for i, item in enumerate(items):
        lines = lines_of(item)
        if used + _size(lines) > room:
            return block, len(items) - i
        block += lines
        used += _size(lines)
    return block, 0


def _md_notices(d: DocumentChange) -> list[str]:
    """What the summary says of one document before the tables: its warning, new editions and renumbering."""
    lines = []
    if d.unannounced:
        lines += ["> [!WARNING]", f"> **{_md(d.title)}**: {_md(_flag(d))}", ""]
    for e in d.new_editions:
        lines += [f"**{_md(d.title)}**: new edition {_md(e['version'])} ({_edition_kind(e)}, {_md(e['date'])}): "
                  f"{_md(_cap(e['note']))}", ""]
    if d.renumbered:
        shown = renumbered(d)[:RENUMBERED_LIST]
        more = len(d.renumbered) - len(shown)
        lines += [f"**{_md(d.title)}: public numbers that change** (a citation of an old number now points at "
                  f"other text):", "", *(f"- {_md(_cap(r, 300))}" for r in shown)]
        lines += [f"- and {more} more (the HTML redline lists them all)"] if more else []
        lines.append("")
    return lines


def _md_role_table(diff: Diff) -> list[str]:
    """What each role's view of each document gains, loses and changes ([] when no view changes)."""
    roles = _role_rows(diff)
    if not roles:
        return []
    lines = ["| View | Gains | Loses | Text changes in |", "|---|---|---|---|"]
    for d, a, r in roles:
        lines.append(f"| {_md(diff.audiences.get(a, a))}: {_md(d.short_title)} (`/for/{a}/{d.id}/`) "
                     + "".join(f"| {len(r[k])}{': ' + _md(_role_cell(r[k])) if r[k] else ''} "
                               for k in ("gains", "losses", "changes")) + "|")
    return lines + [""]


def _md_section_row(d: DocumentChange, s: SectionChange) -> str:
    return (f"| {_md(d.short_title)} | {_md(s.label)} {_md(s.title)} (`{s.id}`) | {_md(_status(s))} "
            f"| {_md(_for(s))} | {_md(s.summary())} | {'yes' if s.public else 'no'} |")


def _md_other_changes(diff: Diff) -> list[str]:
    """Changes readers see outside the sections: documents', chapters' and registries' fields, stale translations."""
    others = [f"{_md(d.title)}: {_md(o)}" for d in diff.documents for o in d.other]
    others += [f"{_md(d.short_title)}, {_md(_field_label(f))}: {_md_words(f.words)}" for d in diff.documents
               for f in d.fields]
    others += [_md(r) for r in diff.registries]
    others += [f"{_md(_field_label(f))}: {_md_words(f.words)}" for f in diff.registry_fields]
    others += [_md(f"Translation made stale: {t}") for t in stale_lines(diff)]
    return others


def _md_left_out(left_rows: int, left_others: int, left_details: int) -> list[str]:
    """The comment's last lines: what did not fit, and where to read it ([] when everything did)."""
    if not (left_rows or left_others or left_details):
        return []
    parts = [f"{n} {what}" for n, what in ((left_rows, "table rows"), (left_others, "other changes"),
                                           (left_details, "sections' redlines")) if n]
    return ["", f"**Not shown here, to keep this comment under GitHub's size limit:** {', '.join(parts)}. "
            "Read everything in the HTML redline: the `redline` artifact of this workflow run "
            "(`guidance diff BASE HEAD --format html` makes the same page)."]


def _bounded(lines: list[str], budget: int) -> list[str]:
    """The comment's opening lines within half its limit whatever their parts (a title or note of any length, a
    hundred editions): each line cut to LINE_LIMIT characters, and the lines that do not fit counted instead."""
    out, size = [], 0
    for i, line in enumerate(lines):
        line = _cap(line, LINE_LIMIT) if len(line) > LINE_LIMIT and not line.startswith("|") else line
        if size + len(line) + 1 > budget:
            out += ["", f"**{len(lines) - i} more lines of this summary are in the HTML redline** (the `redline` "
                        f"artifact), to keep this comment under GitHub's size limit.", ""]
            break
        out.append(line)
        size += len(line) + 1
    return out


def _html_words(ops: Ops) -> str:
    return _words(ops, lambda op, t: f"<{'del' if op == '-' else 'ins'}>{t}</{'del' if op == '-' else 'ins'}>",
                  html.escape, elide=False)


_CSS = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}
ins{background:#cce2d8;text-decoration:underline}del{background:#f6d7d2;text-decoration:line-through}
.flag{border-left:5px solid #d4351c;padding:.5rem 1rem;background:#fef7f6}
table{border-collapse:collapse}td,th{border:1px solid #b1b4b6;padding:.25rem .5rem;text-align:left;vertical-align:top}
section{border-top:1px solid #b1b4b6;margin-top:1rem}.meta{color:#505a5f}"""


def as_html(diff: Diff) -> str:
    """A standalone redline page, whole whatever its size: no scripts, no outside requests, every value escaped."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>Changes: {e(diff.base)} → {e(diff.head)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>Changes: {e(diff.base)} → {e(diff.head)}</h1>"]
    if diff.empty:
        out.append("<p>No content changes.</p>")
    else:
        out.append(f"<p>Published views affected: {e(_views_line(diff))}</p>")
    for d in diff.documents:
        out += _html_document(diff, d)
    if diff.registries or diff.registry_fields:
        out.append("<h2>Registries</h2><ul>" + "".join(f"<li>{e(r)}</li>" for r in diff.registries)
                   + "".join(f"<li>{e(_field_label(f))}: {_html_words(f.words)}</li>" for f in diff.registry_fields)
                   + "</ul>")
    if diff.stale_translations:
        out.append("<h2>Translations this change makes stale</h2><ul>"
                   + "".join(f"<li>{e(t)}</li>" for t in stale_lines(diff)) + "</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out)


def _html_document(diff: Diff, d: DocumentChange) -> list[str]:
    """One document's part of the page: its warning, editions, renumbering, other changes, views and sections."""
    e = html.escape
    out = [f"<h2>{e(d.title)}</h2>"]
    if d.unannounced:
        out.append(f'<p class="flag">{e(_flag(d))}</p>')
    for ed in d.new_editions:
        out.append(f"<p>New edition {e(ed['version'])} ({_edition_kind(ed)}, {e(ed['date'])}): {e(ed['note'])}</p>")
    if d.renumbered:
        out.append("<p>Public numbers that change (a citation of an old number now points at other text):</p>"
                   "<ul>" + "".join(f"<li>{e(r)}</li>" for r in renumbered(d)) + "</ul>")
    if d.other or d.fields:
        out.append("<ul>" + "".join(f"<li>{e(o)}</li>" for o in d.other)
                   + "".join(f"<li>{e(_field_label(f))}: {_html_words(f.words)}</li>" for f in d.fields) + "</ul>")
    out += _html_role_table(diff, d)
    for s in d.sections:
        out += _html_section(d, s)
    return out


def _html_role_table(diff: Diff, d: DocumentChange) -> list[str]:
    """What each role's view of the document gains, loses and changes ([] when no view changes)."""
    e = html.escape
    roles = [(a, r) for a, r in d.roles.items() if any(r.values())]
    if not roles:
        return []
    out = ["<table><caption>What each view gains and loses</caption><tr><th>View</th><th>Gains</th>"
           "<th>Loses</th><th>Text changes in</th></tr>"]
    for a, r in roles:
        out.append(f"<tr><td>{e(diff.audiences.get(a, a))} (/for/{e(a)}/{e(d.id)}/)</td>"
                   + "".join(f"<td>{len(r[k])}{': ' + e('; '.join(r[k])) if r[k] else ''}</td>"
                             for k in ("gains", "losses", "changes")) + "</tr>")
    return out + ["</table>"]


def _html_section(d: DocumentChange, s: SectionChange) -> list[str]:
    """One section's heading and line, then its title, fields and paragraphs as redlines."""
    e = html.escape
    out = [f'<section id="{e(d.id)}--{e(s.id)}"><h3>{e(s.label)} {e(s.title)} <code>{e(s.id)}</code></h3>',
           f'<p class="meta">{e(_status(s))} · for {e(_for(s))} · {e(s.summary())}'
           f"{' · published text changes' if s.public else ''}</p>"]
    if s.title_words:
        out.append(f"<p>Title: {_html_words(s.title_words)}</p>")
    for f in s.fields:
        out.append(f"<p>{e(_field_label(f))}: {_html_words(f.words)}</p>")
    for b in s.blocks:
        out.append(f"<p><strong>{e(_block_label(b))}</strong>" + (f": {_html_words(b.words)}" if b.words else "")
                   + "</p>")
        for aud, ops in b.notes.items():
            out.append(f"<p>Note for {e(aud)}: {_html_words(ops)}</p>")
    return out + ["</section>"]


def as_json(diff: Diff) -> str:
    return json.dumps(diff.as_dict(), indent=2, ensure_ascii=False, default=str)


FORMATS = {"text": as_text, "markdown": as_markdown, "html": as_html, "json": as_json}
