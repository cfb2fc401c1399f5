"""Render stage, other languages: the content in Welsh (each unit's reviewed translation made from the English as it
is now, else the English marked as not yet translated) rendered into the same pages, for the site under /cy/."""
from __future__ import annotations

import copy
import dataclasses

from builder.content.model import Content
from builder.content.translations import LANGUAGES, REGISTRY_FIELDS, current
from builder.render.pages import Options, Site, render

# Shown in place of a translation a unit does not have (or has only for older English): the English follows, marked
# lang="en". Wording after the Welsh Language Commissioner's advice: say plainly that the English is shown.
NOT_TRANSLATED = {"cy": "Nid yw'r paragraff hwn wedi'i gyfieithu i'r Gymraeg eto, felly dangosir y Saesneg."}
DRAFT = {"cy": "Cyfieithiad drafft: nid yw wedi'i adolygu eto (rhagolwg yn unig)."}
SITE_NAMES = {"cy": "Canllawiau statudol ar stelcio"}


def wanted(content: Content, language: str, preview: bool) -> bool:
    """Whether a build has a site in the language: the preview whenever there is any translation into it; the
    public site when a document requires it or a reviewed translation of the current English exists."""
    if language not in content.translations and not any(language in d.languages for d in content.documents):
        return False
    return preview or any(language in d.languages for d in content.documents) or bool(current(content, language))


def render_languages(content: Content, options: Options) -> dict[str, Site]:
    """language → the Site of its pages, for each language this build has a site in (builder/site/welsh.py builds
    each under /<language>/)."""
    out = {}
    for language in LANGUAGES:
        if wanted(content, language, options.preview):
            translated, untranslated, drafts = translate(content, language, options.preview)
            url = f"{options.site_url}{language}/" if options.site_url else None
            site = render(translated, dataclasses.replace(options, site_url=url, language=language,
                                                          history=archived_in(options.history, language),
                                                          untranslated=frozenset(untranslated), english=content,
                                                          drafts=frozenset(drafts), notice=NOT_TRANSLATED[language],
                                                          draft_notice=DRAFT[language], open_data=False))
            out[language] = site
    return out


def archived_in(history, language: str):
    """The history with each archived edition's content in the language as that edition published it: the
    translations at the edition's commit, reviewed and made from the English of that commit."""
    if history is None or not getattr(history, "editions", None):
        return history
    out = copy.copy(history)
    out.editions = {key: dataclasses.replace(record, content=translate(record.content, language, False)[0])
                    if record.content is not None else record for key, record in history.editions.items()}
    return out


def translate(content: Content, language: str, preview: bool) -> tuple[Content, set[str], set[str]]:
    """A copy of content with every unit that has a showable translation (current.py: reviewed, or draft in a
    preview, and made from the English as it is now) in the language, the rest left in English. Returns it, the
    ids of the blocks left in English, and of those shown in a draft translation."""
    units = current(content, language, preview)
    out = copy.deepcopy(dataclasses.replace(content, translations={}, trees=None))
    out.trees = content.trees  # the trees of every text, English and translated: each parsed once
    untranslated, drafts = set(), set()
    for doc in out.documents:
        _apply(doc, units.get(("document", doc.id)), ("title", "short_title", "summary"))
        for chapter in doc.chapters:
            _apply(chapter, units.get(("chapter", doc.id, chapter.id)), ("title", "summary"))
            for section in chapter.sections:
                unit = units.get(("section", doc.id, section.id))
                _apply(section, unit, ("title",))
                if unit is not None and section.withdrawn and unit.text.get("withdrawn.reason"):
                    section.withdrawn = {**section.withdrawn, "reason": unit.text["withdrawn.reason"]}
                for block in section.blocks:
                    unit = units.get(("block", doc.id, section.id, block.id))
                    if unit is None:
                        untranslated.add(block.id)
                        continue
                    _translate_block(block, unit.text)
                    if unit.status == "draft":
                        drafts.add(block.id)
    for registry, (kind, fields) in REGISTRY_FIELDS.items():
        for entry in {"glossary": out.terms, "services": out.services, "audiences": out.audiences,
                      "legislation": out.acts}[registry]:
            unit = units.get((kind, entry["id"]))
            if unit is not None:
                entry.update({f: unit.text[f] for f in fields if f in unit.text})
    return out, untranslated, drafts


def _apply(obj, unit, fields: tuple[str, ...]) -> None:
    if unit is None:
        return
    for name in fields:
        if unit.text.get(name):
            setattr(obj, name, unit.text[name])


def _translate_block(block, text: dict[str, str]) -> None:
    """Put each translated part in the place of the English part of the same slot (slots_of's names)."""
    value = copy.deepcopy(block.value)
    for slot, words in text.items():
        parts = [int(p) if p.isdigit() else p for p in slot.split(".")]
        if parts[0] == "notes":
            block.notes = {**block.notes, parts[1]: words}
            continue
        node = value
        if len(parts) == 1:
            value = words
            continue
        for part in parts[1:-1]:
            node = node[part]
        node[parts[-1]] = words
    block.value = value
