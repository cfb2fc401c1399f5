"""Issue 11's targets for the built site, measured side by side in one run (a benchmark, not a test: nothing fails).

    .venv/bin/python benchmarks/site_cost.py [--sections 1000] [--repeat 2]

On a generated project (benchmarks/generate.py), as whole processes, each timed `--repeat` times and the fastest
kept:
- `guidance build` against a plain `mkdocs build -f build/mkdocs.yml` of the Markdown it wrote (target ≤ 1.3×);
- per page, `guidance build` against stock Material building the same words as plain Markdown pages: each built
  page's headings and paragraphs as text, the same navigation (pruned), search on, no theme overrides, no Markdown
  extensions beyond the toc (target ≤ 3×);
- the search index's text (titles and texts of every entry) against the visible text of the pages it indexes (the
  article of each page, as a reader sees it; target ≤ 1.15×).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "td", "th", "caption", "figcaption"}


class _Article(HTMLParser):
    """The visible text of a page's article: its blocks in order, as (tag, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = self.hidden = 0
        self.blocks: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        elif self.depth and (tag in ("script", "style", "template") or ("hidden", None) in attrs):
            self.hidden += 1
        elif self.depth and tag in BLOCKS:
            self.blocks.append((tag, []))

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        elif self.depth and self.hidden and tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if self.depth and not self.hidden and self.blocks:
            self.blocks[-1][1].append(data)


def article(page: Path) -> list[tuple[str, str]]:
    parser = _Article()
    parser.feed(page.read_text(encoding="utf-8"))
    return [(tag, " ".join("".join(parts).split())) for tag, parts in parser.blocks if "".join(parts).strip()]


def page_file(site: Path, location: str) -> Path:
    return site / location.split("#")[0] / "index.html"


def timed(cmd: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        best = min(best, time.perf_counter() - start)
    return best


def stock_project(site: Path, nav: list, into: Path) -> int:
    """The same pages' words as plain Markdown under stock Material; returns the number of pages written."""
    docs = into / "docs"
    count = 0
    for built in site.rglob("index.html"):
        rel = built.parent.relative_to(site)
        if rel.parts[:1] in (("search",), ("assets",)) or str(rel) == "404.html":
            continue
        md = docs / ("index.md" if str(rel) == "." else f"{rel}.md")
        lines = []
        for tag, text in article(built):
            escaped = text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")
            lines.append(f"{'#' * int(tag[1])} {escaped}" if tag in ("h1", "h2", "h3", "h4") else escaped)
        md.parent.mkdir(parents=True, exist_ok=True)
        md.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        count += 1
    config = {"site_name": "Stock", "docs_dir": "docs", "site_dir": "site", "nav": nav,
              "theme": {"name": "material", "features": ["navigation.indexes", "navigation.prune"]},
              "plugins": ["search"], "markdown_extensions": [{"toc": {"permalink": True}}]}
    (into / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return count


def index_ratio(site: Path) -> tuple[int, int]:
    """(characters of the search index's titles and texts, characters of the visible text of the pages indexed)."""
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    index = sum(len(d.get("title", "")) + len(d.get("text", "")) for d in docs)
    pages = {d["location"].split("#")[0] for d in docs}
    visible = sum(len(text) for loc in pages if page_file(site, loc).is_file()
                  for _, text in article(page_file(site, loc)))
    return index, visible


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="site-cost-") as tmp:
        work = Path(tmp)
        root = generate(work / "project", args.sections)
        env_cache = ["env", f"GUIDANCE_CACHE_DIR={work / 'cache'}"]
        build = timed([*env_cache, sys.executable, "-m", "builder", "build", "--root", str(root)], args.repeat)
        site = root / "site"
        pages = sum(1 for _ in site.rglob("index.html"))
        plain = timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "build/mkdocs.yml"),
                       "-d", str(work / "plain")], args.repeat)
        nav = yaml.safe_load((root / "build/mkdocs.yml").read_text(encoding="utf-8"))["nav"]
        stock_pages = stock_project(site, nav, work / "stock")
        stock = timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / "stock/mkdocs.yml")],
                      args.repeat)
        index, visible = index_ratio(site)
    per_page, stock_per_page = build / pages, stock / stock_pages
    rows = [
        ("guidance build", build, "plain mkdocs build", plain, build / plain, 1.3),
        ("per page", per_page * 1000, "stock Material, ms/page", stock_per_page * 1000, per_page / stock_per_page,
         3.0),
    ]
    print(f"{args.sections} sections, {pages} pages (stock: {stock_pages}); best of {args.repeat}")
    print(f"{'':22}{'value':>9}  {'against':<24}{'anchor':>9}{'ratio':>8}{'target':>9}  met")
    for label, value, anchor_name, anchor, ratio, target in rows:
        print(f"{label:<22}{value:9.3f}  {anchor_name:<24}{anchor:9.3f}{ratio:7.2f}×{'≤ ' + format(target, 'g') + '×':>9}"
              f"  {'yes' if ratio <= target else 'NO'}")
    ratio = index / visible
    print(f"{'search index text':<22}{index:9d}  {'visible text indexed':<24}{visible:9d}{ratio:7.2f}×{'≤ 1.15×':>9}"
          f"  {'yes' if ratio <= 1.15 else 'NO'}")


if __name__ == "__main__":
    main()
