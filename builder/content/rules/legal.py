"""legal.must-without-basis: “must” only for what the law requires, and saying which law."""
from __future__ import annotations

import re
from typing import Iterator

from builder.content.rules.context import Context
from builder.content.rules.registry import Finding, example, rule

_MUST = re.compile(r"\bmust\b", re.I)


@rule("legal.must-without-basis", "warning", "“Must” needs a cited legal provision",
      good=example("regard", "Who must have regard", "    - id: e1a1\n      para: Chief officers of police must "
                   "have regard to this guidance, under [[law:cpa-2026/guidance]].\n"),
      bad=example("recording", "Recording reports", "    - id: e1a1\n      para: Officers must record every "
                  "report of stalking.\n"))
def must_without_basis(ctx: Context) -> Iterator[Finding]:
    """Statutory guidance uses “must” only for what the law requires, and says which law; everything else is
    advice, written as “should”. A sentence containing “must” (or “must not”) passes when its block cites a
    provision with `[[law:…]]` or its section lists the provision in `legal_basis`."""
    for doc in ctx.documents:
        texts, scan = ctx.texts(doc), ctx.scan(doc)
        for i in scan.holding(["must"]):
            piece = texts[i]
            block, section = piece.block, piece.section
            if block is None or section.legal_basis or any("[[law:" in t for t in block.texts()):
                continue
            for m in _MUST.finditer(scan.masked[i]):
                yield Finding(piece.at(m.start()), "“must” without a cited legal provision",
                              "Cite the provision ([[law:act/section]] in the block, or legal_basis on the section), "
                              "or write “should” if this is advice rather than a legal duty.", section)
