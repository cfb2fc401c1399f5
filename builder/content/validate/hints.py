"""The editor's words for what the checks find: close matches for a misspelt name (suggest), YAML to paste
(snippet), and the messages and hints of text flaws and of references to nothing."""
from __future__ import annotations

import yaml

from builder.content import inline
from builder.content.model import Content


def _distance(a: str, b: str, substitute: bool = True) -> int:
    """Edit distance (optimal string alignment: a transposition counts as one edit). Without `substitute`, only
    insertions, deletions and transpositions count, so DSO is not one edit from DSL."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            change = 0 if a[i - 1] == b[j - 1] else (1 if substitute else 99)
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + change)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def suggest(word: str, options, kind: str) -> str | None:
    """The one option close enough to word to be what was meant, or None. A suggestion that could be a different
    thing is worse than none (ISVA is not ISAC), so: the same letters in another case; for an abbreviation, one
    letter added, dropped or swapped with its neighbour; for field names and ids, one edit (two in longer names).
    An option with a line break or space at its end, or an invisible character, is a problem of its own
    (an id written as a | block), never one to copy."""
    options = [o for o in options if isinstance(o, str) and o.isprintable() and o == o.strip()]
    same_case = [o for o in options if o.lower() == word.lower() and o != word]
    if len(same_case) == 1:
        return same_case[0]
    if kind == "abbreviation":
        scored = [(o, _distance(word.upper(), o.upper(), substitute=False)) for o in options]
        limit = 1
    else:
        scored = [(o, _distance(word, o)) for o in options]
        limit = 1 if len(word) <= 5 else 2
    close = [(d, o) for o, d in scored if 0 < d <= limit]
    if not close:
        return None
    best = min(d for d, _ in close)
    picks = [o for d, o in close if d == best]
    return picks[0] if len(picks) == 1 else None


def snippet(data, indent: int = 0) -> str:
    """YAML to paste, written by a dumper so that any value is quoted as it must be, indented as guidance fmt lays
    out the place it goes (a registry's entries two spaces in, an act's provisions six)."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096,
                          indent=2).rstrip()
    return "\n".join(" " * indent + line for line in text.split("\n"))


def flaw_words(flaw: inline.Flaw) -> tuple[str, str, str]:
    """The code, message and hint of a flaw the inline parser found."""
    if flaw.code == "ref.syntax":
        return ("ref.syntax", f"reference [[{flaw.detail}]] is not in the form [[kind:id]]",
                "Use [[law:act/provision]], [[term:ID]], [[section:id]] or [[service:id]].")
    if flaw.code == "text.link":
        url = flaw.detail
        return ("text.link", f"link target '{url.split(':')[0] + ':' if ':' in url else url}…' is not an https:// "
                "or mailto: address", "Link to public https:// pages; link to sections with [[section:id]].")
    return FLAW_WORDS[flaw.code]


def too_long(length: int) -> tuple[str, str, str]:
    """The code, message and hint of a text over inline.MAX_TEXT characters."""
    return ("text.too-long", f"a text of {length:,} characters; the limit is {inline.MAX_TEXT:,}",
            "Split it into several paragraphs, list items or sections. Until it is shorter it is not checked further "
            "and the site is not built.")


FLAW_WORDS = {
    "text.html": ("text.html", "raw HTML or an HTML entity in text",
                  "Write plain text; use *emphasis* and [link](https://…) for formatting. This is disallowed because "
                  "markup in content could inject scripts into the public site."),
    "text.attributes": ("text.attributes", "attribute syntax {…} in text",
                        "Remove the braces; styling comes from the theme. This is disallowed because attributes can "
                        "carry event handlers that run scripts."),
    "text.snippet": ("text.snippet", "a file-inclusion marker (--8<--) in text", "Remove it; content cannot include files."),
    "text.image": ("text.image", "an image ![…](…) in text",
                   "Remove it; the guidance has no images, which would load from other sites without reviewed alt text."),
    "link.definition": ("text.link", "a reference-style link definition [id]: … in text",
                             "Write links inline as [words](https://…). This is disallowed because a definition "
                             "escapes the link check and applies to the whole page."),
}


def term_hint(target: str, close: str | None) -> str:
    add = "Add it to content/glossary.yaml under terms:\n" + snippet([{
        "id": target, "term": target, "expansion": "what the letters stand for, if it is an abbreviation",
        "definition": "What it means, in a sentence readers can follow."}], 2)
    return f"Did you mean [[term:{close}]]? If not, a" + add[1:] if close else add


def law_hint(ref: str, close: str | None, content: Content) -> str:
    act, _, provision = ref.partition("/")
    acts = {a["id"] for a in content.acts}
    if close:
        return f"Did you mean '{close}'? If not, add the provision to act '{act}' in content/legislation.yaml."
    entry = {"id": provision or "s1", "label": "section 1", "title": "What the provision is about",
             "url": "https://www.legislation.gov.uk/…"}
    if act in acts:
        return f"Add the provision to the provisions of act '{act}' in content/legislation.yaml:\n" + snippet([entry], 6)
    return ("Add the Act to content/legislation.yaml under acts (write references as [[law:act-id/provision-id]]):\n"
            + snippet([{"id": act, "title": "Name of the Act", "url": "https://www.legislation.gov.uk/…",
                         "provisions": [entry]}], 2))


def section_hint(sid: str, doc: str, sections: dict[str, set[str]]) -> str:
    """sections: each document folder's section ids (Known.sections)."""
    elsewhere = sorted(d for d, ids in sections.items() if d != doc and sid in ids)
    if elsewhere:
        return f"That section is in the other document: write [[section:{elsewhere[0]}/{sid}]]."
    close = suggest(sid, sections.get(doc, ()), "id")
    if close:
        return f"Did you mean [[section:{close}]]?"
    return ("Use the section's id (the id: line, not its title); for the other document write [[section:DOC/ID]]. "
            f"To add the section: guidance new section {doc} CHAPTER --title \"…\".")
