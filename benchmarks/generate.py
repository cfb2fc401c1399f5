"""Generate a realistic synthetic guidance project of N sections for the benchmarks.

Several documents, real-length paragraphs, every block kind, audiences, notes, citations and glossary terms; the
registries are the real ones from content/. Deterministic for a given size and seed.
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("victim stalking police officer safeguarding risk assessment evidence order court protection contact "
         "school health staff record referral support advocate plan review partner agency information share "
         "behaviour pattern fear distress harassment conduct online message account identity disclosure decision "
         "necessary proportionate lawful report concern child adult family home work address notify breach").split()
AUDIENCES = [["all"], ["police"], ["teachers"], ["healthcare"], ["police", "healthcare"], ["teachers", "healthcare"]]
LAWS = ["pha-1997/s2A", "pha-1997/s4A", "spa-2019/s1", "spa-2019/s8", "dpa-2018/s35"]
TERMS = ["SPO", "MARAC", "MAPPA", "DSL", "S-DASH"]


def sentence(rng: random.Random, words: int = 11) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    parts = [sentence(rng, rng.randint(7, 12)) for _ in range(sentences)]  # under 25 words with a citation
    parts[1] = parts[1][:-1] + f" under [[law:{rng.choice(LAWS)}]] and the [[term:{rng.choice(TERMS)}]]."
    return " ".join(parts)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def section_yaml(rng: random.Random, sid: str, n: int, block_seq: list[int], status: str = "published") -> str:
    def bid() -> str:
        block_seq[0] += 1
        return f"b{block_seq[0]:06d}"[-7:]

    aud = rng.choice(AUDIENCES)
    lines = [f"  - id: {sid}", f"    title: {quote(sentence(rng, 5)[:-1])}", f"    audiences: [{', '.join(aud)}]",
             f"    status: {status}", f"    legal_basis: [{rng.choice(LAWS)}]", "    review_by: 2027-11-30", "    blocks:"]
    lines += [f"      - id: {bid()}", f"        para: {quote(paragraph(rng))}"]
    if n % 3 == 0:
        lines += [f"        notes:", f"          police: {quote(sentence(rng))}"]
    lines += [f"      - id: {bid()}", "        list:", f"          intro: {quote(sentence(rng, 8))}", "          items:"]
    lines += [f"            - {quote(sentence(rng, 7))}" for _ in range(3)]
    lines += [f"      - id: {bid()}", f"        para: {quote(paragraph(rng, 5))}"]
    kind = n % 3
    if kind == 0:
        lines += [f"      - id: {bid()}", "        callout:", "          kind: warning", f"          text: {quote(sentence(rng))}"]
    elif kind == 1:
        lines += [f"      - id: {bid()}", "        steps:", "          items:"]
        lines += [f"            - {quote(sentence(rng, 8))}" for _ in range(3)]
    else:
        lines += [f"      - id: {bid()}", "        table:", f"          caption: {quote(sentence(rng, 4)[:-1])}",
                  "          header: [What, Where]", "          rows:"]
        lines += [f"            - [{quote(sentence(rng, 3))}, \"[[law:{rng.choice(LAWS)}]]\"]" for _ in range(2)]
    return "\n".join(lines)


def generate(root: Path, sections: int, per_chapter: int = 3, documents: int | None = None, seed: int = 1) -> Path:
    """Write a project with `sections` sections into root (replacing it). Returns root."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    for name in ("audiences", "legislation", "glossary", "services"):
        shutil.copy(REPO / "content" / f"{name}.yaml", root / "content" / f"{name}.yaml")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    documents = documents or max(2, sections // 100)  # many documents of realistic length, as the whole
    # Home Office collection would be, rather than two documents of thousands of chapters
    block_seq = [0]
    made = 0
    for d in range(documents):
        doc_id = f"doc{d + 1}"
        folder = root / "content" / doc_id
        folder.mkdir()
        (folder / "document.yaml").write_text(
            f"id: {doc_id}\ntitle: Synthetic guidance {d + 1}\nshort_title: Guidance {d + 1}\norder: {d + 1}\n"
            "summary: Generated for benchmarks.\nstatus_note: Draft for consultation. Generated content.\n"
            "issued_under: cpa-2026/stalking-guidance\nmust_have_regard:\n  - Chief officers of police\n"
            "extent: England and Wales\nversion: \"1.0\"\neditions:\n  - version: \"1.0\"\n    date: 2026-11-01\n"
            "    note: First edition.\n    major: true\n", encoding="utf-8")
        share = sections // documents + (1 if d < sections % documents else 0)
        chapter = 0
        while share > 0:
            chapter += 1
            count = min(per_chapter, share)
            body = [section_yaml(rng, f"s{made + i + 1}", made + i, block_seq) for i in range(count)]
            (folder / f"{chapter:04d}-c{chapter}.yaml").write_text(
                f"id: c{chapter}\ntitle: Chapter {chapter} of document {d + 1}\nsections:\n" + "\n".join(body) + "\n",
                encoding="utf-8")
            made += count
            share -= count
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sections", type=int, default=1000)
    parser.add_argument("--per-chapter", type=int, default=3)
    args = parser.parse_args()
    generate(args.out, args.sections, args.per_chapter)
    print(f"wrote {args.sections} sections into {args.out}")


if __name__ == "__main__":
    main()
