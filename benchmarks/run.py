"""Benchmark the pipeline at several sizes and print the figures (a benchmark, not a test: nothing here fails).

    .venv/bin/python benchmarks/run.py [--sizes 100 1000 5000] [--per-chapter 3]

Each size runs in its own process so that peak memory is that size's alone.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def measure(size: int, per_chapter: int, work: Path) -> dict:
    """All figures for one size. Runs in a child process."""
    from builder import pipeline
    from builder.load import content_files, load_tree
    from builder.render import Options, render
    from builder.site import build_site
    from builder.validate import validate

    root = generate(work / f"p{size}", size, per_chapter)
    out: dict = {"sections": size}
    import yaml

    _, out["pyyaml_c_parse"] = timed(lambda: [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)
                                              for p in content_files(root / "content")])
    (files, problems), out["load"] = timed(load_tree, root)
    (content, found), out["validate"] = timed(validate, files)
    site, out["render"] = timed(render, content, Options(build_date="2026-11-28"))
    result, out["site_build"] = timed(build_site, root, site, root / "site", False)
    out["pages"] = result.pages
    out["errors"] = sum(1 for p in problems + found + result.problems if p.severity == "error")
    out["total"] = out["load"] + out["validate"] + out["render"] + out["site_build"]
    _, out["cold_check"] = timed(pipeline.check, root)
    pipeline.check_problems(root)  # fills the content-hash cache
    _, out["warm_check"] = timed(pipeline.check_problems, root)
    _, out["warm_rebuild"] = timed(pipeline.build, root)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "build/mkdocs.yml"),
                    "-d", str(work / f"plain{size}")], check=True, capture_output=True)
    out["plain_mkdocs"] = time.perf_counter() - start
    out["diff_1pct"], out["diff_sections_changed"] = time_diff(root, size)
    from builder.incremental import measure_edit

    edits = measure_edit(root, rounds=3)["edits"]
    out["edit_to_preview"] = sorted(e["preview"] for e in edits)[len(edits) // 2]
    out["edit_all_pages"] = sorted(e["complete"] for e in edits)[len(edits) // 2]
    html = [p for p in (root / "site").rglob("*.html")]
    out["html_bytes_per_page"] = sum(p.stat().st_size for p in html) / max(len(html), 1)
    index = root / "site/search/search_index.json"
    canonical = sum(len(d["text"]) for d in json.loads(index.read_text())["docs"])
    out["search_index_bytes"] = index.stat().st_size
    out["canonical_text_bytes"] = sum(len(t) for d in content.documents for s in d.sections()
                                      for b in s.blocks for t in b.texts())
    out["search_text_chars"] = canonical
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def time_diff(root: Path, size: int) -> tuple[float, int]:
    """`guidance diff` between two commits that differ in 1% of sections (one paragraph each)."""
    import git

    from builder.diff import review
    from builder.diff_report import as_markdown

    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Benchmark").set_value("user", "email", "bench@example.invalid")
    repo.git.add("content")
    repo.index.commit("base")
    chapters = sorted((root / "content").glob("*/[0-9]*.yaml"))
    wanted = max(1, size // 100)  # one paragraph in each of 1% of the sections, spread over the documents
    picks = chapters[:: max(1, len(chapters) // wanted)][:wanted]
    for path in picks:
        path.write_text(path.read_text().replace("para: \"", "para: \"Revised. ", 1))
    edited = len(picks)
    repo.git.add("content")
    repo.index.commit("edit 1%")
    (diff, _), seconds = timed(review, root, "HEAD~1", "HEAD")
    as_markdown(diff)
    return seconds, edited


def report(rows: list[dict]) -> str:
    lines = []
    fmt = "{:>26}" + " {:>10}" * len(rows)
    lines.append(fmt.format("sections", *[r["sections"] for r in rows]))

    def row(label, key, scale=1.0, unit="", digits=2):
        values = [("-" if r.get(key) is None else f"{r[key] * scale:.{digits}f}{unit}") for r in rows]
        lines.append(fmt.format(label, *values))

    row("pages", "pages", digits=0)
    row("PyYAML C parse (s)", "pyyaml_c_parse")
    row("load (s)", "load")
    row("validate (s)", "validate")
    row("render (s)", "render")
    row("site build (s)", "site_build")
    row("total (s)", "total")
    row("plain mkdocs build (s)", "plain_mkdocs")
    for r in rows:
        r["ratio_plain"] = r["total"] / r["plain_mkdocs"] if r.get("plain_mkdocs") else None
        r["ms_per_page"] = 1000 * r["site_build"] / max(r["pages"], 1)
        r["check_vs_c"] = r["cold_check"] / r["pyyaml_c_parse"]
        r["warm_vs_c"] = r["warm_check"] / r["pyyaml_c_parse"]
    row("total / plain mkdocs", "ratio_plain")
    row("site build ms/page", "ms_per_page", digits=1)
    row("cold check (s)", "cold_check")
    row("cold check / C parse", "check_vs_c", digits=1)
    row("warm check (s)", "warm_check", digits=3)
    row("warm check / C parse", "warm_vs_c")
    row("warm rebuild (s)", "warm_rebuild")
    row("diff, 1% changed (s)", "diff_1pct")
    row("edit-to-preview (s)", "edit_to_preview")
    row("edit, all pages done (s)", "edit_all_pages")
    row("peak RSS (MB)", "peak_rss_mb", digits=0)
    row("HTML KB per page", "html_bytes_per_page", 1 / 1024, digits=1)
    row("search index KB", "search_index_bytes", 1 / 1024, digits=0)
    row("canonical text KB", "canonical_text_bytes", 1 / 1024, digits=0)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--per-chapter", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.per_chapter, args.work)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="guidance-bench-") as work:
        for size in args.sizes:
            run = subprocess.run([sys.executable, __file__, "--one", str(size), "--per-chapter", str(args.per_chapter),
                                  "--work", work], capture_output=True, text=True, cwd=HERE.parent)
            if run.returncode:
                sys.exit(f"size {size} failed:\n{run.stderr[-3000:]}")
            rows.append(json.loads(run.stdout.strip().splitlines()[-1]))
            print(f"measured {size} sections", file=sys.stderr)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(report(rows))


if __name__ == "__main__":
    main()
