"""What the build's one worker pool gains (builder/site/checker.py: pages checked in a worker process while
MkDocs builds): `guidance build` of the real content and of a generated project, each with the worker
(WORKERS = 1) and without it (WORKERS = 0: every check after the build, in the process), best of --repeat,
alternating so that both meet the same load. A benchmark, not a test: nothing fails."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate  # noqa: E402

RUN = "import sys; from builder.site import checker; checker.WORKERS = int(sys.argv.pop(1)); from builder.cli import run; run()"


def build(root: Path, out: Path, workers: int, cache: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RUN, str(workers), "build", "--root", str(root), "--out", str(out)],
                   check=True, capture_output=True, cwd=REPO, env={**os.environ, "GUIDANCE_CACHE_DIR": str(cache)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="page-pool-") as tmp:
        work = Path(tmp)
        projects = [("real content", REPO), (f"{args.sections} sections", generate(work / "gen", args.sections))]
        print(f"{'project':<16} {'with worker':>12} {'without':>9} {'gain':>7}")
        for name, root in projects:
            best = {1: float("inf"), 0: float("inf")}
            for _ in range(args.repeat):
                for workers in (1, 0):
                    best[workers] = min(best[workers], build(root, work / f"out-{workers}", workers, work / "cache"))
            print(f"{name:<16} {best[1]:>11.2f}s {best[0]:>8.2f}s {best[0] - best[1]:>6.2f}s")


if __name__ == "__main__":
    main()
