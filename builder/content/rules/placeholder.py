"""content.placeholder: the text guidance writes for an editor to replace is replaced before publishing."""
from __future__ import annotations

import re
from typing import Iterator

from builder.content.load import locator
from builder.content.rules.context import Context
from builder.content.rules.registry import Finding, example, rule

# What guidance writes for an editor to replace: the text of a new section, and the fields of the glossary entry a
# hint gives to paste. Found anywhere in reader text, they mean the editor has not yet written it.
PLACEHOLDERS = ("Write the first paragraph of this section here.",
                "what the letters stand for, if it is an abbreviation", "what the letters stand for",
                "What it means, in a sentence readers can follow.")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


@rule("content.placeholder", "warning", "Placeholder text is replaced before publishing",
      good=example("orders", "Orders", "    - id: e9a1\n      para: Courts can make an order to protect a victim.\n"),
      bad=example("orders", "Orders", "    - id: e9a1\n      para: Write the first paragraph of this section here.\n"),
      tunable=False)
def placeholder(ctx: Context) -> Iterator[Finding]:
    """`guidance new section` writes “Write the first paragraph of this section here.” for you to replace, and the
    glossary entry a hint gives you to paste says “what the letters stand for” and “What it means, in a sentence
    readers can follow.”. Left in, readers would see them. A warning while you write (the preview shows the draft
    as it is), so `guidance validate --strict` (as CI runs it) fails on it, and `guidance publish` refuses to
    publish a section that still holds it."""
    for doc in ctx.documents:
        texts = ctx.texts(doc)
        whole = "\n".join(t.text for t in texts)
        if not any(p in whole for p in PLACEHOLDERS):
            continue  # none in the document: its texts are not searched one by one
        for piece in texts:
            for m in _PLACEHOLDER.finditer(piece.text):
                yield Finding(piece.at(m.start()), f"“{m.group()}” is placeholder text, still to be written",
                              "Replace it with the text readers should see (or delete the block).", piece.section)
    if ctx.whole:
        yield from _in_glossary(ctx)


def _in_glossary(ctx: Context) -> Iterator[Finding]:
    """A glossary entry pasted from a hint and not filled in: one problem, at its first placeholder."""
    src = ctx.sources.get("content/glossary.yaml")
    if src is None or not isinstance(src.data, dict):
        return
    for i, entry in enumerate(src.data.get("terms") or []):
        if not isinstance(entry, dict):
            continue
        keys = [k for k in ("expansion", "definition") if isinstance(entry.get(k), str)
                and _PLACEHOLDER.search(entry[k])]
        if keys:
            value = entry[keys[0]]
            name = entry.get("term") or entry.get("id")
            wanted = {"expansion": f"what {name} stands for (or delete the line if it is not an abbreviation)",
                      "definition": f"what {name} means, in a sentence readers can follow"}
            yield Finding(locator(src, ("terms", i, keys[0]), value)(_PLACEHOLDER.search(value).start()),
                          f"the glossary entry for {name} still holds placeholder text in {' and '.join(keys)}",
                          "Write " + "; and ".join(wanted[k] for k in keys) + ".")
