"""review.overdue, review.missing and audience.note-unseen: rules on a section's fields, not its words."""
from __future__ import annotations

from datetime import date
from typing import Iterator

from builder.content.rules.context import Context
from builder.content.rules.registry import Finding, example, rule

_ORDERS = "    - id: {}\n      para: Courts can make an order to protect a victim.\n"


@rule("review.overdue", "warning", "Sections are reviewed by their review date",
      good=example("orders", "Orders", _ORDERS.format("e6a1"), extra="  review_by: 2099-03-31\n"),
      bad=example("orders", "Orders", _ORDERS.format("e6a1"), extra="  review_by: 2020-03-31\n"))
def review_overdue(ctx: Context) -> Iterator[Finding]:
    """Statutory guidance must stay accurate as the law and practice change. A section whose `review_by` date has
    passed is reported until someone reviews it and sets the next date. `guidance validate --strict` (as run in
    CI) fails on it."""
    for doc in ctx.documents:
        for section in doc.sections():
            if section.review_by and section.status != "withdrawn" and \
                    date.fromisoformat(section.review_by) < ctx.today:
                src = ctx.sources.get(section.pos.file)
                yield Finding(src.pos(section.path + ("review_by",)) if src else section.pos,
                              f"section '{section.id}' was due for review by {section.review_by}",
                              "Review the section, then set review_by to the next review date.", section)


@rule("review.missing", "warning", "Sections ready to publish have a review date",
      good=example("orders", "Orders", _ORDERS.format("e7a1"),
                   extra="  review_by: 2099-03-31\n").replace("status: published", "status: ready"),
      bad=example("orders", "Orders", _ORDERS.format("e7a1")).replace("status: published", "status: ready"))
def review_missing(ctx: Context) -> Iterator[Finding]:
    """A section moves to `ready` when it is fit to publish, and published guidance is reviewed by a date: set
    `review_by` before the section is published, so that `review.overdue` can remind the team when it is due."""
    suggested = date(ctx.today.year + 1, ctx.today.month, min(ctx.today.day, 28)).isoformat()
    for doc in ctx.documents:
        for section in doc.sections():
            if section.status == "ready" and not section.review_by:
                src = ctx.sources.get(section.pos.file)
                yield Finding(src.pos(section.path + ("status",)) if src else section.pos,
                              f"section '{section.id}' is ready to publish but has no review date",
                              f"Add a line under status: review_by: {suggested} (the date by which it must be "
                              "reviewed).", section)


@rule("audience.note-unseen", "warning", "Notes are for the section's audiences",
      good=example("orders", "Orders", _ORDERS.format("e8a1") +
                   "      notes:\n        police: Apply for an interim order if the risk is high.\n"),
      bad=example("orders", "Orders", _ORDERS.format("e8a1") +
                  "      notes:\n        teachers: Tell the designated safeguarding lead.\n"))
def note_unseen(ctx: Context) -> Iterator[Finding]:
    """A note speaks to one audience, and only readers of that audience's view are meant to act on it. A note for
    an audience the section is not for (often left behind when the section's `audiences` changed) is never in
    that audience's view, because the section is not: either the section is for them too, or the note has gone
    stale."""
    audiences = {a["id"] for a in ctx.content.audiences}
    for doc in ctx.documents:
        for section in doc.sections():
            if "all" in section.audiences:
                continue
            src = ctx.sources.get(section.pos.file)
            for block in section.blocks:
                for audience in block.notes:
                    if audience in section.audiences or audience not in audiences:
                        continue
                    yield Finding(src.pos(block.path + ("notes", audience), key=True) if src else block.pos,
                                  f"a note for {audience}, but section '{section.id}' is for "
                                  f"{', '.join(section.audiences)} only",
                                  f"Remove the note, or add {audience} to the section's audiences "
                                  f"([{', '.join(section.audiences + [audience])}]).", section)
