"""Diff reporter: the only place that decides how a diff looks (terminal text, pull-request Markdown, HTML, JSON)."""
from __future__ import annotations

import html
import json

from builder.diff import Diff, DocumentChange, Ops, SectionChange
from builder.render import md_escape

CONTEXT = 8  # unchanged words kept either side of a change
_ANSI = {"-": "\x1b[31m", "+": "\x1b[32m", "!": "\x1b[1;33m", "h": "\x1b[1m", "end": "\x1b[0m"}
_MARK = {"added": "+", "removed": "-"}


def _elide(ops: Ops) -> Ops:
    """Long unchanged runs shortened to CONTEXT words either side of the changes around them."""
    out = []
    for i, (op, text) in enumerate(ops):
        words = text.split()
        if op == "=" and len(words) > 2 * CONTEXT:
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


def _block_label(b) -> str:
    where = {"moved-in": f" from section {b.where}", "moved-out": f" to section {b.where}"}.get(b.change, "")
    return f"{b.number} [{b.id}] {b.change.replace('-in', '').replace('-out', '')}{where}"


def _flag(d: DocumentChange) -> str:
    return (f"published text changes without a new edition and change note; record one with: "
            f"guidance publish {d.id} --version {d.next_version()} --note \"…\"")


def as_text(diff: Diff, colour: bool = False) -> str:
    def c(key, text):
        return f"{_ANSI[key]}{text}{_ANSI['end']}" if colour else text

    def words(ops: Ops) -> str:
        return _words(ops, lambda op, t: c(op, f"[-{t}-]" if op == "-" else f"{{+{t}+}}"))

    lines = [c("h", f"guidance diff: {diff.base} → {diff.head}")]
    if diff.empty:
        return "\n".join(lines + ["No content changes."])
    lines.append(f"Published views affected: {_views_line(diff)}")
    for d in diff.documents:
        v0, v1 = d.version
        lines += ["", c("h", f"{d.title} ({d.id}), version {v0 if v0 == v1 else f'{v0} → {v1}'}")]
        for e in d.new_editions:
            lines.append(f"  new edition {e['version']} ({'major' if e['major'] else 'minor'}, {e['date']}): {e['note']}")
        if d.unannounced:
            lines.append(c("!", f"  ! {_flag(d)}"))
        for item in d.other:
            lines.append(f"  * {item}")
        for s in d.sections:
            public = "; published text changes" if s.public else ""
            lines.append(c("-" if _mark(s) == "-" else "+" if _mark(s) == "+" else "h",
                           f"  {_mark(s)} {s.number} {s.title} [{s.id}]")
                         + f" ({_status(s)}; for {_for(s)}{public}): {s.summary()}")
            if s.title_words:
                lines.append(f"      title: {words(s.title_words)}")
            for b in s.blocks:
                lines.append(f"      {_block_label(b)}" + (f": {words(b.words)}" if b.words else ""))
                for aud, ops in b.notes.items():
                    lines.append(f"        note for {aud}: {words(ops)}")
    if diff.registries:
        lines += ["", c("h", "Registries"), *(f"  * {r}" for r in diff.registries)]
    return "\n".join(lines)


def _md_words(ops: Ops) -> str:
    return _words(ops, lambda op, t: f"<{'del' if op == '-' else 'ins'}>{t}</{'del' if op == '-' else 'ins'}>",
                  md_escape)


def _md_block(b) -> str:
    where = {"moved-in": f" from section `{b.where}`", "moved-out": f" to section `{b.where}`"}.get(b.change, "")
    return f"**{b.number}** (`{b.id}`) {b.change.replace('-in', '').replace('-out', '')}{where}"


def as_markdown(diff: Diff) -> str:
    """For a pull-request comment: a summary table, then collapsible details per section."""
    lines = [f"### Content changes: {md_escape(diff.base)} → {md_escape(diff.head)}", ""]
    if diff.empty:
        return "\n".join(lines + ["No content changes."])
    lines += [f"**Published views affected:** {md_escape(_views_line(diff))}", ""]
    for d in diff.documents:
        if d.unannounced:
            lines += ["> [!WARNING]", f"> **{md_escape(d.title)}**: {md_escape(_flag(d))}", ""]
        for e in d.new_editions:
            kind = "major" if e["major"] else "minor"
            lines += [f"**{md_escape(d.title)}**: new edition {md_escape(e['version'])} ({kind}, {e['date']}): "
                      f"{md_escape(e['note'])}", ""]
    rows = [(d, s) for d in diff.documents for s in d.sections]
    if rows:
        lines += ["| Document | Section | Status | For | What changed | Public |", "|---|---|---|---|---|---|"]
        for d, s in rows:
            lines.append(f"| {md_escape(d.short_title)} "
                         f"| {s.number} {md_escape(s.title)} (`{s.id}`) | {md_escape(_status(s))} "
                         f"| {md_escape(_for(s))} | {md_escape(s.summary())} | {'yes' if s.public else 'no'} |")
        lines.append("")
    for d, s in rows:
        lines += ["<details>", f"<summary><strong>{s.number} {md_escape(s.title)}</strong> (<code>{s.id}</code>): "
                  f"{md_escape(s.summary())}</summary>", ""]
        if s.title_words:
            lines.append(f"- title: {_md_words(s.title_words)}")
        for b in s.blocks:
            lines.append(f"- {_md_block(b)}" + (f": {_md_words(b.words)}" if b.words else ""))
            for aud, ops in b.notes.items():
                lines.append(f"  - note for {md_escape(aud)}: {_md_words(ops)}")
        if not s.blocks and not s.title_words:
            lines.append(f"- {md_escape(s.summary())}")
        lines += ["", "</details>", ""]
    others = [f"{md_escape(d.title)}: {md_escape(o)}" for d in diff.documents for o in d.other]
    others += [md_escape(r) for r in diff.registries]
    if others:
        lines += ["**Other changes:**", "", *(f"- {o}" for o in others)]
    return "\n".join(lines).rstrip("\n")


def _html_words(ops: Ops) -> str:
    return _words(ops, lambda op, t: f"<{'del' if op == '-' else 'ins'}>{t}</{'del' if op == '-' else 'ins'}>",
                  html.escape, elide=False)


_CSS = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}
ins{background:#cce2d8;text-decoration:underline}del{background:#f6d7d2;text-decoration:line-through}
.flag{border-left:5px solid #d4351c;padding:.5rem 1rem;background:#fef7f6}
section{border-top:1px solid #b1b4b6;margin-top:1rem}.meta{color:#505a5f}"""


def as_html(diff: Diff) -> str:
    """A standalone redline page: no scripts, no outside requests, every value escaped."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>Changes: {e(diff.base)} → {e(diff.head)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>Changes: {e(diff.base)} → {e(diff.head)}</h1>"]
    if diff.empty:
        out.append("<p>No content changes.</p>")
    else:
        out.append(f"<p>Published views affected: {e(_views_line(diff))}</p>")
    for d in diff.documents:
        out.append(f"<h2>{e(d.title)}</h2>")
        if d.unannounced:
            out.append(f'<p class="flag">{e(_flag(d))}</p>')
        for ed in d.new_editions:
            out.append(f"<p>New edition {e(ed['version'])} ({'major' if ed['major'] else 'minor'}, {e(ed['date'])}): "
                       f"{e(ed['note'])}</p>")
        if d.other:
            out.append("<ul>" + "".join(f"<li>{e(o)}</li>" for o in d.other) + "</ul>")
        for s in d.sections:
            out.append(f'<section id="{e(d.id)}--{e(s.id)}"><h3>{e(s.number)} {e(s.title)} <code>{e(s.id)}</code></h3>')
            out.append(f'<p class="meta">{e(_status(s))} · for {e(_for(s))} · {e(s.summary())}'
                       f"{' · published text changes' if s.public else ''}</p>")
            if s.title_words:
                out.append(f"<p>Title: {_html_words(s.title_words)}</p>")
            for b in s.blocks:
                out.append(f"<p><strong>{e(_block_label(b))}</strong>" + (f": {_html_words(b.words)}" if b.words else "")
                           + "</p>")
                for aud, ops in b.notes.items():
                    out.append(f"<p>Note for {e(aud)}: {_html_words(ops)}</p>")
            out.append("</section>")
    if diff.registries:
        out.append("<h2>Registries</h2><ul>" + "".join(f"<li>{e(r)}</li>" for r in diff.registries) + "</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out)


def as_json(diff: Diff) -> str:
    return json.dumps(diff.as_dict(), indent=2, ensure_ascii=False)


FORMATS = {"text": as_text, "markdown": as_markdown, "html": as_html, "json": as_json}
