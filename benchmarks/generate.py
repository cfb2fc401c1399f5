"""Generate a realistic synthetic guidance project of N sections for the benchmarks.

Several documents, real-length paragraphs, every block kind, audiences, notes, citations and glossary terms; the
registries are the real ones from content/. Deterministic for a given size and seed.
"""
from __future__ import annotations

import argparse
import random
import shutil
from datetime import date
from pathlib import Path

import yaml

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


class _Dumper(yaml.SafeDumper):
    """Prose in double quotes and on one line, as the benchmark's edits find it (`para: "`); ids, statuses and
    dates (given as dates) plain; lists of short values in flow style ([police, healthcare])."""


def _text(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if " " in value or "[" in value else None)


_Dumper.add_representer(str, _text)


def dump(data) -> str:
    """YAML written by a dumper, never assembled as text."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
                     default_flow_style=None)


def section(rng: random.Random, sid: str, n: int, block_seq: list[int], status: str = "published") -> dict:
    def bid() -> str:
        block_seq[0] += 1
        return f"b{block_seq[0]:06d}"[-7:]

    aud = rng.choice(AUDIENCES)
    data = {"id": sid, "title": sentence(rng, 5)[:-1], "audiences": list(aud), "status": status,
            "legal_basis": [rng.choice(LAWS)], "review_by": date(2027, 11, 30), "blocks": []}
    blocks = data["blocks"]
    blocks.append({"id": bid(), "para": paragraph(rng)})
    if n % 3 == 0:
        blocks[-1]["notes"] = {"police": sentence(rng)}
    blocks.append({"id": bid(), "list": {"intro": sentence(rng, 8), "items": [sentence(rng, 7) for _ in range(3)]}})
    blocks.append({"id": bid(), "para": paragraph(rng, 5)})
    kind = n % 3
    if kind == 0:
        blocks.append({"id": bid(), "callout": {"kind": "warning", "text": sentence(rng)}})
    elif kind == 1:
        blocks.append({"id": bid(), "steps": {"items": [sentence(rng, 8) for _ in range(3)]}})
    else:
        block = {"id": bid(), "table": {"caption": sentence(rng, 4)[:-1], "header": ["What", "Where"], "rows": []}}
        block["table"]["rows"] = [[sentence(rng, 3), f"[[law:{rng.choice(LAWS)}]]"] for _ in range(2)]
        blocks.append(block)
    return data


def generate(root: Path, sections: int, per_chapter: int = 3, documents: int | None = None, seed: int = 1) -> Path:
    """Write a project with `sections` sections into root (replacing it). Returns root."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    for name in ("legislation", "glossary", "services"):
        shutil.copy(REPO / "content" / f"{name}.yaml", root / "content" / f"{name}.yaml")
    # The real audiences without their "Where to start" tasks: those link to real sections, which a generated
    # project does not have (its landing pages point to each audience's contents list instead).
    audiences = yaml.safe_load((REPO / "content/audiences.yaml").read_text(encoding="utf-8"))
    for audience in audiences["audiences"]:
        audience.pop("start", None)
    (root / "content/audiences.yaml").write_text(dump(audiences), encoding="utf-8")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    documents = documents or max(2, sections // 100)  # many documents of realistic length, as the whole
    # Home Office collection would be, rather than two documents of thousands of chapters
    block_seq = [0]
    made = 0
    for d in range(documents):
        doc_id = f"doc{d + 1}"
        folder = root / "content" / doc_id
        folder.mkdir()
        (folder / "document.yaml").write_text(dump({
            "id": doc_id, "title": f"Synthetic guidance {d + 1}", "short_title": f"Guidance {d + 1}", "order": d + 1,
            "summary": "Generated for benchmarks.", "status_note": "Draft for consultation. Generated content.",
            "issued_under": "cpa-2026/stalking-guidance", "must_have_regard": ["Chief officers of police"],
            "extent": "England and Wales", "version": "1.0",
            "editions": [{"version": "1.0", "date": date(2026, 11, 1), "note": "First edition.", "major": True}]}),
            encoding="utf-8")
        share = sections // documents + (1 if d < sections % documents else 0)
        chapter = 0
        while share > 0:
            chapter += 1
            count = min(per_chapter, share)
            body = [section(rng, f"s{made + i + 1}", made + i, block_seq) for i in range(count)]
            (folder / f"{chapter:04d}-c{chapter}.yaml").write_text(dump({
                "id": f"c{chapter}", "title": f"Chapter {chapter} of document {d + 1}", "sections": body}),
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
