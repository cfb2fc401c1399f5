"""Content stage: translations (content/<doc>/cy/<chapter file>, content/cy/<registry>.yaml) read into units keyed
by the English ids, each with the fingerprint of the English it translates and its status, and checked against
the English."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from builder.content import inline
from builder.content.model import PUBLIC_STATUSES, Content, Pos, Problem

LANGUAGES = {"cy": "Cymraeg"}  # language code → its name in that language; English is the source of every unit
KINDS = ("translation", "registry-translation")  # file kinds, each with its schema in schemas/
UNIT_STATUSES = ("draft", "reviewed")
META = ("id", "status", "fingerprint", "english", "sections", "blocks")
BLOCK_KINDS = ("para", "list", "steps", "callout", "table")
# What of each registry entry is translated, and the key of its units.
REGISTRY_FIELDS = {"glossary": ("term", ("term", "expansion", "definition")),
                   "services": ("service", ("name", "description")),
                   "audiences": ("audience", ("name", "includes", "needs")),
                   "legislation": ("act", ("title",))}


def kind_of(parts: tuple[str, ...], registries: tuple[str, ...]) -> str | None:
    """The kind of a file under content/ (its path's parts) when it holds a translation, else None."""
    stem = parts[-1].rsplit(".", 1)[0]
    if len(parts) == 2 and parts[0] in LANGUAGES and stem in registries:
        return "registry-translation"
    if len(parts) == 3 and parts[1] in LANGUAGES:
        return "translation"
    return None


def language_of(path: str) -> str:
    """'content/stalking/cy/01-introduction.yaml' or 'content/cy/glossary.yaml' → 'cy'."""
    parts = path.split("/")
    return parts[1] if parts[1] in LANGUAGES else parts[2]


def normalise(text: str) -> str:
    return " ".join(str(text).split())


def slots_of(data: dict) -> dict[str, str]:
    """Every translatable text of a unit (a block, a title, a registry entry) by its slot: 'para', 'list.items.2',
    'callout.title', 'table.rows.1.0', 'notes.police', 'title'… in reading order. Meta fields are left out."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if key in META or key == "kind":
            continue
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, dict):
            for sub, text in slots_of(value).items():
                out[f"{key}.{sub}"] = text
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    out[f"{key}.{i}"] = item
                elif isinstance(item, list):
                    out.update({f"{key}.{i}.{j}": t for j, t in enumerate(item) if isinstance(t, str)})
    return out


def fingerprint(slots: dict[str, str]) -> str:
    """A short digest of a unit's English: sha256 of each slot and its text with white space normalised (a
    re-wrapped line is not a change), first 12 hex digits."""
    text = "\n".join(f"{k}\t{normalise(v)}" for k, v in slots.items())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class Unit:
    """One translated unit: what it translates (key), its status, the English it was made from and its text."""

    key: tuple
    status: str
    fingerprint: str
    english: dict[str, str]
    text: dict[str, str]
    pos: Pos
    file: str = ""
    path: tuple = ()


@dataclass
class EnglishUnit:
    """One unit of the English: its key, texts by slot, fingerprint, whether readers of the public site see it,
    and where it sits (document, section id and title) for reports."""

    key: tuple
    slots: dict[str, str]
    fingerprint: str
    public: bool
    doc: str = ""
    section: str = ""
    label: str = ""
    pos: Pos | None = None


def block_data(block) -> dict:
    """A Block as the mapping it was written as (its kind's value and its notes), as slots_of reads it."""
    value = block.value
    if block.kind == "table" and isinstance(value, dict) and value.get("registry"):
        value = {k: v for k, v in value.items() if k == "header"}  # the rows come from the registry
    data = {block.kind: value}
    if block.notes:
        data["notes"] = block.notes
    return data


def english_units(content: Content) -> dict[tuple, EnglishUnit]:
    """Every unit of the English that a translation can key, in reading order."""
    out: dict[tuple, EnglishUnit] = {}

    def add(key, slots, public, **where):
        slots = {k: v for k, v in slots.items() if v}
        out[key] = EnglishUnit(key, slots, fingerprint(slots), public, **where)

    for doc in content.documents:
        add(("document", doc.id), {"title": doc.title, "short_title": doc.short_title, "summary": doc.summary},
            True, doc=doc.id, label="document", pos=doc.pos)
        for chapter in doc.chapters:
            shown = any(s.status in PUBLIC_STATUSES for s in chapter.sections)
            add(("chapter", doc.id, chapter.id), {"title": chapter.title, "summary": chapter.summary or ""},
                shown, doc=doc.id, label=f"chapter {chapter.id}", pos=chapter.pos)
            for section in chapter.sections:
                public = section.status in PUBLIC_STATUSES
                title = {"title": section.title}
                if section.status == "withdrawn" and section.withdrawn:
                    title["withdrawn.reason"] = section.withdrawn.get("reason", "")
                add(("section", doc.id, section.id), title, public, doc=doc.id, section=section.id,
                    label=section.title, pos=section.pos)
                for block in section.blocks:
                    if block.id and section.status != "withdrawn":  # readers see a withdrawn one's notice only
                        add(("block", doc.id, section.id, block.id), slots_of(block_data(block)),
                            section.status == "published", doc=doc.id, section=section.id,
                            label=section.title, pos=block.pos)
    for registry, (kind, fields) in REGISTRY_FIELDS.items():
        for entry in _entries(content, registry):
            add((kind, entry["id"]), {f: entry[f] for f in fields if isinstance(entry.get(f), str)}, True,
                label=f"{registry} {entry['id']}")
    return out


def _entries(content: Content, registry: str) -> list[dict]:
    return {"glossary": content.terms, "services": content.services, "audiences": content.audiences,
            "legislation": content.acts}[registry]


@dataclass
class Translations:
    """Every unit of one language, by key; and where each file's units were read from."""

    language: str
    units: dict[tuple, Unit] = field(default_factory=dict)
    duplicates: list[Unit] = field(default_factory=list)

    def add(self, unit: Unit) -> None:
        if unit.key in self.units:
            self.duplicates.append(unit)
        else:
            self.units[unit.key] = unit


def build(files, content: Content) -> None:
    """Read the translation files that passed their schema into content.translations (language → Translations)."""
    for f in files:
        language = language_of(f.path)
        found = content.translations.setdefault(language, Translations(language))
        if f.kind == "registry-translation":
            _registry_units(f, found)
        else:
            _document_units(f, found)


def _unit(f, key: tuple, data: dict, path: tuple) -> Unit | None:
    if not isinstance(data, dict) or "status" not in data or "fingerprint" not in data:
        return None
    return Unit(key, data["status"], data["fingerprint"], slots_of(data.get("english") or {}), slots_of(data),
                f.pos(path), f.path, path)


def _registry_units(f, found: Translations) -> None:
    registry = f.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    kind = REGISTRY_FIELDS[registry][0]
    for i, entry in enumerate(f.data.get("entries") or []):
        if (unit := _unit(f, (kind, entry.get("id")), entry, ("entries", i))) is not None:
            found.add(unit)


def _document_units(f, found: Translations) -> None:
    doc = f.path.split("/")[1]
    data = f.data
    if f.path.endswith("/document.yaml"):
        key = ("document", doc)
    else:
        key = ("chapter", doc, data.get("id"))
    if (unit := _unit(f, key, {k: v for k, v in data.items() if k != "sections"}, ())) is not None:
        found.add(unit)
    for si, section in enumerate(data.get("sections") or []):
        sid = section.get("id")
        if (unit := _unit(f, ("section", doc, sid), section, ("sections", si))) is not None:
            found.add(unit)
        for bi, block in enumerate(section.get("blocks") or []):
            path = ("sections", si, "blocks", bi)
            if (unit := _unit(f, ("block", doc, sid, block.get("id")), block, path)) is not None:
                found.add(unit)


def state(unit: Unit | None, english: EnglishUnit) -> str:
    """'missing', 'stale' (made from other English), 'draft' or 'reviewed' (made from this English)."""
    if unit is None:
        return "missing"
    if unit.fingerprint != english.fingerprint:
        return "stale"
    return unit.status


def current(content: Content, language: str, preview: bool = False) -> dict[tuple, Unit]:
    """The units that may be shown as the language's text: made from the English as it is now, and reviewed (or,
    in a preview, draft too). A stale unit is never in it."""
    found = content.translations.get(language)
    if found is None:
        return {}
    english = english_units(content)
    allowed = ("reviewed", "draft") if preview else ("reviewed",)
    return {k: u for k, u in found.units.items() if k in english and state(u, english[k]) in allowed}


def problems(content: Content, sources: dict) -> list[Problem]:
    """Each translation checked against the English: a unit keyed by an id that does not exist, a shape that is
    not the English's, a fingerprint that is not its English's, references that are not the English's."""
    out: list[Problem] = _file_problems(content, sources)
    english = english_units(content) if content.translations else {}  # nothing to check against it without any
    for language, found in sorted(content.translations.items()):
        for unit in found.duplicates:
            out.append(Problem(unit.pos, "error", "translation.duplicate",
                               f"{_name(unit.key)} is translated twice in {language}",
                               "Keep one entry for it: each unit of the English has one translation."))
        for key, unit in found.units.items():
            out += _unit_problems(unit, english.get(key), english, language, sources.get(unit.file), content.trees)
    return out


def _file_problems(content: Content, sources: dict) -> list[Problem]:
    """A translation file must sit beside an English file of the same name, and name the same document or chapter."""
    out = []
    for source in sources.values():
        if source.kind != "translation" or not isinstance(source.data, dict):
            continue
        parts = source.path.split("/")
        doc = content.document(parts[1])
        english = "/".join(parts[:2] + parts[3:])
        chapter = next((c for c in (doc.chapters if doc else []) if c.pos.file == english), None)
        wanted = parts[1] if parts[-1] == "document.yaml" else chapter.id if chapter else None
        if wanted is None or source.data.get("id") != wanted:
            kind = "document" if parts[-1] == "document.yaml" else "chapter"
            out.append(Problem(source.pos(("id",)), "error", f"translation.unknown-{kind}",
                               f"this translation is of {kind} '{source.data.get('id')}', but "
                               + (f"{english} is {kind} '{wanted}'" if wanted else f"there is no English {english}"),
                               f"Name a translation file as the English file it translates, in the folder "
                               f"content/{parts[1]}/{parts[2]}/, and give it that {kind}'s id."))
    return out


def _unit_problems(unit: Unit, source: EnglishUnit | None, english: dict, language: str, src,
                   trees: inline.Trees) -> list[Problem]:
    if source is None:
        ids = sorted({k[-1] for k in english if k[0] == unit.key[0] and k[1:-1] == unit.key[1:-1]} - {None})
        close = [i for i in ids if str(unit.key[-1])[:3] == str(i)[:3]][:3]
        return [Problem(unit.pos, "error", f"translation.unknown-{unit.key[0]}",
                        f"{_name(unit.key)} does not exist in the English, so nothing here is translated",
                        (f"Did you mean {', '.join(close)}? " if close else "") +
                        "Key each translated unit by the id of the English it translates; remove a unit whose "
                        "English was removed.")]
    out = []
    if set(unit.text) != set(source.slots):
        extra, lacking = sorted(set(unit.text) - set(source.slots)), sorted(set(source.slots) - set(unit.text))
        out.append(Problem(unit.pos, "error", "translation.shape",
                           f"the {language} of {_name(unit.key)} does not have the English's parts"
                           + (f"; it lacks {', '.join(lacking)}" if lacking else "")
                           + (f"; the English has no {', '.join(extra)}" if extra else ""),
                           "Translate each part of the English (each list item, table cell and note) in the "
                           "same order and shape: `guidance translations --export` writes the English to start from."))
    if fingerprint(unit.english) != unit.fingerprint:
        out.append(Problem(unit.pos, "error", "translation.fingerprint",
                           f"the fingerprint of {_name(unit.key)} is not that of the English recorded under english:",
                           f"Do not edit english: or fingerprint: by hand; import the translation again "
                           f"(guidance translations --import FILE). The English it records has fingerprint "
                           f"{fingerprint(unit.english)}."))
    for slot, text in unit.text.items():
        tree = trees[text]  # its markup is checked with every reader field (validate.reference_problems)
        where = src.pos(unit.path + tuple(_path(slot))) if src is not None else unit.pos
        english_refs = sorted((r.kind, r.target) for r in trees[source.slots.get(slot, "")].refs())
        if sorted((r.kind, r.target) for r in tree.refs()) != english_refs:
            out.append(Problem(where, "error", "translation.references",
                               f"the {language} of {_name(unit.key)} ({slot}) does not make the English's references",
                               "Keep every [[kind:id]] of the English (translate only the |display text), so that "
                               "the translation cites the same law, terms, sections and services."))
    return out


def _path(slot: str) -> list:
    return [int(p) if p.isdigit() else p for p in slot.split(".")]


def _name(key: tuple) -> str:
    kind, *ids = key
    return f"{kind} {'/'.join(str(i) for i in ids if i is not None)}"


def english_file(rel: str) -> str:
    """content/stalking/cy/01-introduction.yaml → content/stalking/01-introduction.yaml."""
    parts = rel.split("/")
    return "/".join(parts[:2] + parts[3:])


def translation_files(rel: str) -> list[str]:
    """The translation files an English chapter file may have, one per language."""
    folder, _, name = rel.rpartition("/")
    return [f"{folder}/{language}/{name}" for language in LANGUAGES]


def in_english_order(data, english) -> None:
    """Sort a translation file's sections, and each section's blocks, into the English file's order (what guidance
    fmt does to translation files; a unit the English lacks goes last, where validate reports it)."""
    if not isinstance(data, dict) or not isinstance(english, dict):
        return
    sections = [s for s in english.get("sections") or [] if isinstance(s, dict)]
    where = {s.get("id"): i for i, s in enumerate(sections)}
    blocks = {(s.get("id"), b.get("id")): i for s in sections for i, b in enumerate(s.get("blocks") or [])
              if isinstance(b, dict)}
    mine = data.get("sections")
    if not isinstance(mine, list) or not all(isinstance(s, dict) for s in mine):
        return
    mine.sort(key=lambda s: where.get(s.get("id"), len(where)))
    for section in mine:
        own = section.get("blocks")
        if isinstance(own, list) and all(isinstance(b, dict) for b in own):
            own.sort(key=lambda b: blocks.get((section.get("id"), b.get("id")), len(blocks)))
