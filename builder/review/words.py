"""Diff stage, words: the text readers see of a block or field, and word-level changes between two texts."""
from __future__ import annotations

import functools
import re
from difflib import SequenceMatcher

from builder.content import inline
from builder.content.model import Block, Content

CALLOUT_NAMES = {"legal": "Legal requirement", "example": "Example", "warning": "Warning", "info": "Information"}
Ops = list[tuple[str, str]]  # ("=", words) | ("-", words) | ("+", words)


_TOKEN = re.compile(r"\s*(?:[^\s.,;:!?()]+|[.,;:!?()])")


def word_diff(before: str, after: str) -> Ops:
    """Word-level changes from before to after. Punctuation counts as its own word, so that 'SPO.' → 'SPO on
    application.' adds three words instead of replacing one. Each op's text keeps the space before it."""
    if before == after:  # most text is unchanged: no need to match it word by word
        return [("=", after)] if after else []
    # Every character but white space starts a token, so white space at the end is no token's; stripped first,
    # since the pattern would try it again from each of its characters (a run of 10,000 spaces took 0.7 s).
    a, b = _TOKEN.findall(before.rstrip()), _TOKEN.findall(after.rstrip())
    ops: Ops = []

    def add(op, tokens):
        if not tokens:
            return
        text = "".join(tokens)
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text if ops else text.lstrip()))

    matcher = SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("=", b[j1:j2])
        else:
            add("-", a[i1:i2])
            add("+", b[j1:j2])
    return ops


def changed(ops: Ops) -> bool:
    return any(op != "=" for op, _ in ops)


def source_text(text: str) -> str:
    return " ".join(str(text).split())


def reader_text(content: Content):
    """Inline text as a reader sees it: references become their words, links their text, emphasis goes."""
    provisions = content.provisions()
    terms = {t["id"]: t for t in content.terms}
    services = {s["id"]: s for s in content.services}
    titles = {(d.id, s.id): s.title for d in content.documents for s in d.sections()}

    def ref(r: inline.Ref) -> str:
        if r.label:
            return r.label
        if r.kind == "law" and r.target in provisions:
            act, prov = provisions[r.target]
            return f"{prov['label']} of the {act['title']}"
        if r.kind == "term" and r.target in terms:
            return terms[r.target]["term"]
        if r.kind == "service" and r.target in services:
            return services[r.target]["name"]
        doc, _, sid = r.target.rpartition("/")
        return titles.get((doc, sid)) or next((t for (_, s), t in titles.items() if s == sid), sid.replace("-", " "))

    trees = content.trees  # each text parsed once, when the content was checked or read

    @functools.lru_cache(maxsize=None)  # one revision's words, asked again for each role view of the same text
    def plain(text: str) -> str:
        return " ".join(trees[str(text)].plain(ref).split())

    return plain


def block_text(block: Block, text=source_text) -> str:
    """A block's main text in reading order (its notes are compared separately)."""
    v, k = block.value, block.kind
    if k == "para":
        return text(v)
    if k in ("list", "steps"):
        parts = [text(v["intro"])] if v.get("intro") else []
        parts += [f"{'•' if k == 'list' else f'{i}.'} {text(item)}" for i, item in enumerate(v["items"], 1)]
    elif k == "callout":
        parts = [f"[{v.get('title') or CALLOUT_NAMES.get(v['kind'], v['kind'])}]", text(v["text"])]
    else:
        parts = [v.get("caption", "") + ":", " | ".join(text(h) for h in v["header"])]
        parts += ["/ " + " | ".join(text(c) for c in row) for row in v["rows"]]
    return " ".join(p for p in parts if p)


