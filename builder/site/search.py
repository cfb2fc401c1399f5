"""Search (site stage): the engines' search indexes tuned after a build: sections ranked above whole pages, each
result labelled with whom it is for, the words readers use added, withdrawal notices taken out."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

# The search index of each site engine and the key of its entry list: Material for MkDocs' lunr index, Zensical's.
SEARCH_INDEXES = {"search/search_index.json": "docs", "search.json": "items"}
PAGE_ENTRY_BOOST = 0.2
TAG = re.compile(r"<[^<>]*>")


def tune_search_index(site_dir: Path, labels: dict[str, str], extra: dict[str, dict] | None = None) -> None:
    """Rank sections above whole pages in Material's search: a page's own entry holds only its title and the
    status banner, so when it outranks the section that answers the query the reader lands on a banner.
    Label each section's result with who it is for, since Material shows a result's title and a snippet.
    Zensical's index (search.json, entries under "items") gets the labels only: its search reads no boosts."""
    for rel, key in SEARCH_INDEXES.items():
        path = site_dir / rel
        if not path.is_file():
            continue
        index = json.loads(path.read_text(encoding="utf-8"))
        tune_entries(index.get(key, []), labels, boost=key == "docs", extra=extra)
        path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        if key == "docs":
            write_vocabulary(site_dir, index[key])


WORD = re.compile(r"[a-z]{4,}")


def vocabulary(entries: list[dict]) -> list[str]:
    """The words of the search entries (titles, text, the words readers use), four letters or more, most used
    first: guidance.js searches a query word one slip away from one of them as that word."""
    counts = Counter()
    for entry in entries:
        text = " ".join(str(entry.get(k, "")) for k in ("title", "text", "aka"))
        counts.update(WORD.findall(TAG.sub(" ", text).lower()))
    return [w for w, _ in counts.most_common()]


def write_vocabulary(site_dir: Path, entries: list[dict]) -> None:
    (site_dir / "search/vocabulary.json").write_text(json.dumps(vocabulary(entries), separators=(",", ":")),
                                                     encoding="utf-8")


def tune_entries(entries: list[dict], labels: dict[str, str], boost: bool = True,
                 extra: dict[str, dict] | None = None) -> None:
    """tune_search_index for a list of search entries, changed in place (the live preview tunes one page's).
    extra (render's Site.search_extra) adds fields to an entry ("aka", the words readers use, which mkdocs.yml
    indexes; "roles", which the search's role filter reads; "tags", the document and role, which Material shows
    under the result in place of the label in its title) or, with "exclude", takes it out: a withdrawal notice is
    not an answer."""
    extra = extra or {}
    # A chapter's contents list (#contents) holds only links to its sections: they answer, not the list.
    entries[:] = [e for e in entries if not extra.get(e.get("location", "#"), {}).get("exclude")
                  and not e.get("location", "").endswith("#contents")]
    for entry in entries:
        location = entry.get("location", "#")
        fields = {k: v for k, v in extra.get(location, {}).items() if k != "exclude"}
        tags = fields.pop("tags", None)
        entry.update(fields)
        if "#" not in location:
            if boost:
                entry["boost"] = entry.get("boost", 1) * PAGE_ENTRY_BOOST
        elif boost and tags:  # Material shows tags under a result's title; mkdocs.yml gives them almost no weight
            entry["tags"] = tags
        elif location in labels:
            entry["title"] = f"{entry['title']} ({labels[location]})"


def inline_search_index(site_dir: Path) -> None:
    """An offline build's search/search_index.js made again from search/search_index.json, as Material's offline
    plugin makes it (var __index = <the index>): the plugin writes it as MkDocs ends, before the index is tuned
    and sanitised, and a page opened from disk reads this copy, never the JSON. The vocabulary the same way."""
    for name, variable in (("search_index", "__index"), ("vocabulary", "__vocabulary")):
        path = site_dir / "search" / f"{name}.json"
        if path.is_file():  # guidance.js asks for the vocabulary too (spelling slips): offline-search.js answers
            path.with_suffix(".js").write_text(f"var {variable} = " + path.read_text(encoding="utf-8"),
                                               encoding="utf-8")
