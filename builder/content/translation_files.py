"""Content stage, translators' files: the units that need translating exported as XLIFF 2.0 or CSV (with their
English and the previous translation), and translations imported back into content/<doc>/<lang>/ and
content/<lang>/, written with the round-trip dumper and checked like any content before anything is written."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from builder.content.edit import canonical, dump_round_trip, refused_path, round_trip, write_content
from builder.content.load import load_entries, read_content
from builder.content.model import Content, Pos, Problem
from builder.content.translations import REGISTRY_FIELDS, english_units, state

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
DONE = ("translated", "reviewed", "final")  # XLIFF 2.0 segment states that carry a translation
CSV_FIELDS = ("unit", "part", "state", "english", "previous", "translation", "status")


def unit_id(key: tuple) -> str:
    return "/".join(str(k) for k in key)


def needed(content: Content, language: str, doc: str | None = None, everything: bool = False) -> list[tuple]:
    """(key, English slots, previous translation's slots, state) of every unit that is stale or missing (or draft:
    it still needs a reviewer), in reading order; with everything, of every unit."""
    found = content.translations.get(language)
    units = found.units if found is not None else {}
    out = []
    for key, english in english_units(content).items():
        if doc is not None and english.doc != doc:
            continue
        unit = units.get(key)
        now = state(unit, english)
        if everything or now != "reviewed":
            out.append((key, english.slots, unit.text if unit else {}, now))
    return out


def to_xliff(units: list[tuple], language: str) -> bytes:
    """XLIFF 2.0: a unit per English unit, a segment per part (its English as source, the previous translation as
    an initial target), and the unit's state as a note."""
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(f"{{{XLIFF_NS}}}xliff", {"version": "2.0", "srcLang": "en", "trgLang": language})
    files: dict[str, ET.Element] = {}
    for key, english, previous, now in units:
        name = key[1] if key[0] in ("document", "chapter", "section", "block") else "registries"
        if name not in files:
            files[name] = ET.SubElement(root, f"{{{XLIFF_NS}}}file", {"id": name})
        unit = ET.SubElement(files[name], f"{{{XLIFF_NS}}}unit", {"id": unit_id(key)})
        notes = ET.SubElement(unit, f"{{{XLIFF_NS}}}notes")
        ET.SubElement(notes, f"{{{XLIFF_NS}}}note", {"category": "state"}).text = now
        for slot, text in english.items():
            segment = ET.SubElement(unit, f"{{{XLIFF_NS}}}segment", {"id": slot, "state": "initial"})
            ET.SubElement(segment, f"{{{XLIFF_NS}}}source").text = text
            if previous.get(slot):
                ET.SubElement(segment, f"{{{XLIFF_NS}}}target").text = previous[slot]
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def to_csv(units: list[tuple]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for key, english, previous, now in units:
        for slot, text in english.items():
            writer.writerow({"unit": unit_id(key), "part": slot, "state": now, "english": text,
                             "previous": previous.get(slot, ""), "translation": "", "status": ""})
    return buf.getvalue()


def read_xliff(raw: bytes, name: str) -> tuple[dict[str, tuple[dict, str]], list[Problem]]:
    """unit id → (translated parts, status) from an XLIFF 2.0 file: a unit is taken when every segment has a
    target in a done state; reviewed when every one is reviewed or final, else draft."""
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as err:
        return {}, [Problem(Pos(name, *err.position), "error", "translation.import", f"not XML: {err}",
                            "Give the XLIFF 2.0 file the translation service returned.")]
    out, problems = {}, []
    for unit in root.iter(f"{{{XLIFF_NS}}}unit"):
        segments = list(unit.iter(f"{{{XLIFF_NS}}}segment"))
        targets = {s.get("id"): (s.findtext(f"{{{XLIFF_NS}}}target") or "").strip() for s in segments}
        states = [s.get("state", "initial") for s in segments]
        if not segments or not all(targets.values()) or not all(s in DONE for s in states):
            continue  # not translated yet: left as it is
        status = "reviewed" if all(s in ("reviewed", "final") for s in states) else "draft"
        out[unit.get("id")] = (targets, status)
    return out, problems


def read_csv(text: str) -> dict[str, tuple[dict, str]]:
    """unit id → (translated parts, status) from the CSV to_csv wrote, its translation (and status) filled in."""
    units: dict[str, tuple[dict, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if (row.get("translation") or "").strip():
            parts, status = units.setdefault(row["unit"], ({}, "draft"))
            parts[row["part"]] = row["translation"].strip()
            if (row.get("status") or "").strip() == "reviewed":
                units[row["unit"]] = (parts, "reviewed")
    return units


def nest(slots: dict[str, str]) -> dict:
    """slots_of's inverse: {'list.items.0': 'a', 'notes.police': 'b'} → {'list': {'items': ['a']}, 'notes': {…}}."""
    out: dict = {}
    for slot, text in slots.items():
        parts = [int(p) if p.isdigit() else p for p in slot.split(".")]
        node = out
        for here, after in zip(parts, parts[1:]):
            if isinstance(node, list):
                while len(node) <= here:
                    node.append([] if isinstance(after, int) else {})
                node = node[here]
            else:
                node = node.setdefault(here, [] if isinstance(after, int) else {})
        if isinstance(node, list):
            while len(node) <= parts[-1]:
                node.append("")
            node[parts[-1]] = text
        else:
            node[parts[-1]] = text
    return out


def _places(content: Content) -> dict[tuple, tuple[str, str]]:
    """Each unit's key → (its English file, the section it sits in or "")."""
    out = {}
    for doc in content.documents:
        out[("document", doc.id)] = (doc.pos.file, "")
        for chapter in doc.chapters:
            out[("chapter", doc.id, chapter.id)] = (chapter.pos.file, "")
            for s in chapter.sections:
                out[("section", doc.id, s.id)] = (chapter.pos.file, s.id)
                for b in s.blocks:
                    out[("block", doc.id, s.id, b.id)] = (chapter.pos.file, s.id)
    return out


def translation_path(english_file: str, language: str) -> str:
    """content/stalking/01-introduction.yaml → content/stalking/cy/01-introduction.yaml."""
    folder, _, name = english_file.rpartition("/")
    return f"{folder}/{language}/{name}"


def _entry(key: tuple, english: dict, parts: dict, status: str, fingerprint: str) -> dict:
    ident = key[-1]
    return {"id": ident, "status": status, "fingerprint": fingerprint, "english": nest(english), **nest(parts)}


def _place(data, key: tuple, entry: dict, order: dict) -> None:
    """Put entry into a translation file's data (a round-trip mapping) where key belongs, in the English's order."""
    if key[0] in ("document", "chapter"):
        ident, sections = data.get("id"), data.get("sections")
        data.clear()
        data.update({"id": ident, **{k: v for k, v in entry.items() if k != "id"}})
        if sections is not None:
            data["sections"] = sections
        return
    sections = data.setdefault("sections", [])
    section = next((s for s in sections if s.get("id") == key[2]), None)
    if section is None:
        section = {"id": key[2]}
        sections.append(section)
    if key[0] == "section":
        blocks = section.pop("blocks", None)
        section.clear()
        section.update(entry)
        if blocks is not None:
            section["blocks"] = blocks
    else:
        blocks = section.setdefault("blocks", [])
        blocks[:] = [b for b in blocks if b.get("id") != key[3]] + [entry]
        blocks.sort(key=lambda b: order.get(("block", key[1], key[2], b.get("id")), 1 << 30))
    sections.sort(key=lambda s: order.get(("section", key[1], s.get("id")), 1 << 30))


def import_units(root: Path, content: Content, language: str, given: dict[str, tuple[dict, str]]
                 ) -> tuple[list[str], list[Problem]]:
    """Write the given translations (unit id → parts, status) into the translation files, each recording the
    English it translates as it is now and its fingerprint. Checked first, with the whole content, as validate
    checks it: a unit that does not exist, a part the English lacks, markup, a reference the English does not make.
    Nothing is written unless every file is sound. Returns the files written and the problems."""
    english = english_units(content)
    by_id = {unit_id(k): k for k in english}
    order = {k: i for i, k in enumerate(english)}
    places = _places(content)
    problems, files = [], {}
    for ident, (parts, status) in given.items():
        key = by_id.get(ident)
        if key is None:
            problems.append(Problem(Pos("import"), "error", "translation.unknown-unit",
                                    f"unit {ident} is not in the English", "Export again: the English has changed."))
            continue
        entry = _entry(key, english[key].slots, parts, status, english[key].fingerprint)
        if key[0] in ("document", "chapter", "section", "block"):
            rel = translation_path(places[key][0], language)
        else:
            rel = f"content/{language}/{next(r for r, (k, _) in REGISTRY_FIELDS.items() if k == key[0])}.yaml"
        if rel not in files:
            path = root / rel
            if path.exists():
                files[rel] = round_trip().load(path.read_text(encoding="utf-8"))
            elif key[0] in ("document", "chapter", "section", "block"):
                files[rel] = {"id": key[1] if key[0] == "document" else _chapter_id(content, key)}
            else:
                files[rel] = {"entries": []}
        if "entries" in files[rel]:
            files[rel]["entries"] = [e for e in files[rel]["entries"] if e.get("id") != key[1]] + [entry]
            files[rel]["entries"].sort(key=lambda e: order.get((key[0], e.get("id")), 1 << 30))
        else:
            _place(files[rel], key, entry, order)
    texts = {rel: _laid_out(data) for rel, data in files.items()}
    problems += _check(root, texts)
    if problems:
        return [], problems
    for rel in texts:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if (refused := refused_path(root, root / rel)) is not None:
            return [], [refused]
    for rel, text in texts.items():
        if (failed := write_content(root / rel, text, root)) is not None:
            return sorted(texts), [failed]
    return sorted(texts), []


def _laid_out(data) -> str:
    """The file's text as guidance fmt lays it out (read back first, so that new entries are round-trip nodes)."""
    data = round_trip().load(dump_round_trip(data))
    canonical(data)
    return dump_round_trip(data)


def _chapter_id(content: Content, key: tuple) -> str:
    doc = content.document(key[1])
    for chapter in doc.chapters:
        if key[0] == "chapter" and chapter.id == key[2] or any(s.id == key[2] for s in chapter.sections):
            return chapter.id
    return key[2]


def _check(root: Path, texts: dict[str, str]) -> list[Problem]:
    """The problems of the translation files as they would be written, checked with the rest of the content."""
    from builder.content.validate import validate  # the check of the whole tree, as guidance validate makes it

    entries, problems = read_content(root)
    entries = [(rel, raw) for rel, raw in entries if rel not in texts] + [(r, t.encode("utf-8")) for r, t in texts.items()]
    files, found = load_entries(entries)
    _, checked = validate(files)
    return [p for p in problems + found + checked if p.pos.file in texts and p.severity == "error"]
