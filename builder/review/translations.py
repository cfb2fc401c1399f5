"""Review stage, translations: per document and section, which units of a language are translated, stale (with the
English words added and removed since the translation was made) or missing; and which units a change makes stale."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from builder.content.model import Content
from builder.content.translations import LANGUAGES, EnglishUnit, english_units, state
from builder.review.words import word_diff


@dataclass
class UnitState:
    """One unit of the English and its translation's state: translated (reviewed), draft, stale or missing."""

    key: tuple
    name: str  # "block 6gqr", "section title", "chapter title and summary"…
    state: str
    public: bool
    added: list[str] = field(default_factory=list)  # English words added since the translation was made (stale)
    removed: list[str] = field(default_factory=list)  # and removed
    file: str = ""  # the English file the unit sits in, for a reader to find it
    line: int = 0
    col: int = 0


@dataclass
class SectionReport:
    doc: str
    section: str  # the section's id, or "" for the document's and chapters' own units
    title: str
    units: list[UnitState] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(1 for u in self.units if u.state == name)


@dataclass
class Report:
    language: str
    sections: list[SectionReport] = field(default_factory=list)
    required: set = field(default_factory=set)  # documents whose languages list the language

    def failing(self) -> list[tuple[SectionReport, UnitState]]:
        """Published units of a document that requires the language whose translation is not reviewed and current."""
        return [(s, u) for s in self.sections if s.doc in self.required for u in s.units
                if u.public and u.state != "reviewed"]

    def as_json(self) -> dict:
        return {"language": self.language, "required": sorted(self.required),
                "sections": [{**asdict(s), "units": [{**asdict(u), "key": list(u.key)} for u in s.units]}
                             for s in self.sections]}


def unit_name(key: tuple) -> str:
    kind = key[0]
    if kind == "block":
        return f"block {key[3]}"
    if kind in ("section", "chapter", "document"):
        return f"{kind} {'title' if kind == 'section' else 'titles'}" + (f" ({key[2]})" if kind == "chapter" else "")
    return f"{kind} {key[1]}"


def words_since(made_from: dict[str, str], now: dict[str, str]) -> tuple[list[str], list[str]]:
    """The English words added and removed since a translation was made (its recorded English against today's)."""
    added, removed = [], []
    for slot in dict.fromkeys([*made_from, *now]):
        for op, text in word_diff(" ".join(made_from.get(slot, "").split()), " ".join(now.get(slot, "").split())):
            if op == "+":
                added.append(text.strip())
            elif op == "-":
                removed.append(text.strip())
    return added, removed


def _unit_state(unit, english: EnglishUnit) -> UnitState:
    found = state(unit, english)
    out = UnitState(english.key, unit_name(english.key), found, english.public,
                    file=english.pos.file if english.pos else "", line=english.pos.line if english.pos else 0,
                    col=english.pos.col if english.pos else 0)
    if found == "stale":
        out.added, out.removed = words_since(unit.english, english.slots)
    return out


def report(content: Content, language: str, doc: str | None = None) -> Report:
    """The state of every unit of each document (or of doc alone), section by section; the registries last."""
    found = content.translations.get(language)
    units = found.units if found is not None else {}
    out = Report(language, required={d.id for d in content.documents if language in d.languages})
    by_section: dict[tuple, SectionReport] = {}
    for key, english in english_units(content).items():
        if doc is not None and english.doc != doc:
            continue
        where = (english.doc, english.section)
        if where not in by_section:
            title = english.label if english.section else ("registries" if not english.doc else "document and chapters")
            by_section[where] = SectionReport(english.doc, english.section, title)
            out.sections.append(by_section[where])
        by_section[where].units.append(_unit_state(units.get(key), english))
    return out


def stale_by_change(base: Content, head: Content) -> list[dict]:
    """The translated units a change from base to head makes stale: their English changed, and the translation
    in head was made from the English before (it was current at base, or is translated from base's English)."""
    out = []
    before, after = english_units(base), english_units(head)
    for language in sorted(set(head.translations) & set(LANGUAGES)):
        units = head.translations[language].units
        for key, english in after.items():
            unit, old = units.get(key), before.get(key)
            if unit is None or old is None or old.fingerprint == english.fingerprint:
                continue
            if state(unit, english) == "stale":
                added, removed = words_since(unit.english, english.slots)
                out.append({"language": language, "document": english.doc, "section": english.section,
                            "title": english.label, "unit": unit_name(key), "status": unit.status,
                            "added": added, "removed": removed})
    return out


def as_text(found: Report) -> str:
    """The report as guidance translations prints it: per document and section, each unit not reviewed and
    current, with the English words added and removed since a stale translation was made; then the counts."""
    lines, doc = [], None
    for section in found.sections:
        if section.doc != doc:
            doc = section.doc
            need = "requires" if doc in found.required else "does not require"
            lines.append(f"{doc or 'registries'}" + (f" ({need} {found.language})" if doc else ""))
        counts = {n: section.count(n) for n in ("reviewed", "draft", "stale", "missing")}
        summary = ", ".join(f"{v} {'translated' if n == 'reviewed' else n}" for n, v in counts.items() if v)
        lines.append(f"  {section.section or '-'}  {section.title}: {summary}")
        for unit in section.units:
            if unit.state == "reviewed":
                continue
            mark = "" if unit.public else " (not public)"
            lines.append(f"    {unit.state:8} {unit.name}{mark}")
            if unit.added:
                lines.append(f"             English added: {' | '.join(unit.added)}")
            if unit.removed:
                lines.append(f"             English removed: {' | '.join(unit.removed)}")
    total = {n: sum(s.count(n) for s in found.sections) for n in ("reviewed", "draft", "stale", "missing")}
    lines.append(f"{found.language}: {total['reviewed']} translated, {total['draft']} draft, {total['stale']} stale, "
                 f"{total['missing']} missing")
    failing = found.failing()
    if failing:
        lines.append(f"error [translation.required] {len(failing)} published unit(s) of a document that requires "
                     f"{found.language} have no reviewed, current translation")
        lines.append(f"    hint: export them for the translator: guidance translations --export {found.language}.xlf")
    return "\n".join(lines)


def stale_lines(diff) -> list[str]:
    """One line per translated unit a diff makes stale: language, where, and the English words changed."""
    out = []
    for t in diff.stale_translations:
        words = "; ".join(filter(None, (f"added: {' | '.join(t['added'])}" if t["added"] else "",
                                        f"removed: {' | '.join(t['removed'])}" if t["removed"] else "")))
        out.append(f"{t['language']} {t['document']}/{t['section'] or '-'} {t['unit']} ({t['status']}): {words}")
    return out
