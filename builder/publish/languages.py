"""Publish stage, languages: a major edition of a document that requires another language (languages: [en, cy])
is refused while a published unit's translation is stale, draft or missing; the plan lists each."""
from __future__ import annotations

from builder.content.model import Content, Pos, Problem
from builder.review.translations import report


def refusals(content: Content, doc_id: str) -> list[Problem]:
    """One problem per published unit of doc_id (as the edition will leave it) without a reviewed translation of
    its English as it is now, in each language the document requires."""
    doc = content.document(doc_id)
    if doc is None:
        return []
    out = []
    for language in [lang for lang in doc.languages if lang != "en"]:
        for section, unit in report(content, language, doc_id).failing():
            where = Pos(unit.file, unit.line, unit.col) if unit.file else Pos(f"content/{doc_id}/document.yaml")
            words = "".join(f"; English added since: {' | '.join(unit.added)}" if unit.added else "")
            out.append(Problem(where, "error", "publish.translation",
                               f"{unit.name} of {section.section or doc_id} ({section.title}) has a {unit.state} "
                               f"{language} translation{words}; {doc_id} requires {language} (languages in "
                               f"document.yaml)",
                               f"Have it translated and reviewed first: guidance translations {doc_id} --export "
                               f"{language}.xlf, then --import the translator's file. A minor edition (--minor) "
                               "is not refused."))
    return out
