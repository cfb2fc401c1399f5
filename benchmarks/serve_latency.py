"""Edit-to-preview as a browser sees it (a benchmark, not a test: nothing here fails).

    .venv/bin/python benchmarks/serve_latency.py [--rounds 3] [--port 8731]

Copies content/ and mkdocs.yml into a temporary folder, starts `guidance serve` on it, and opens the live-reload
poll that a browser showing /stalking/introduction/ keeps open. Then, each round, it saves an edit to a paragraph
of content/stalking/01-introduction.yaml and times, from the save: the reload signal, the reloaded page (checked
to hold the new text), the search index holding it, and the police view of the document (an aggregated page).
For the time inside the process, without the polling, see time_preview in benchmarks/run.py.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def get(url: str, timeout: float = 70) -> str:
    try:
        return urllib.request.urlopen(url, timeout=timeout).read().decode()
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serve-latency-"))
    shutil.copytree(REPO / "content", tmp / "content")
    shutil.copy(REPO / "mkdocs.yml", tmp)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(tmp), "--port", str(args.port)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{args.port}"
    url = f"{base}/stalking/introduction/"
    try:
        while "Introduction" not in get(url, 5):
            if proc.poll() is not None:
                sys.exit(proc.stdout.read())
            time.sleep(0.2)
        print(f"first page served {time.perf_counter() - started:.2f} s after starting guidance serve")
        chapter = tmp / "content/stalking/01-introduction.yaml"
        text = chapter.read_text(encoding="utf-8")
        starts = re.findall(r"^(\s+- id: \w+\n\s+para: )", text, re.M)
        for i in range(min(args.rounds, len(starts))):
            time.sleep(3)  # let the aggregated pages of the last round finish
            poll = re.search(r"livereload\((\d+), (\d+)\)", get(url))
            marker = f"Benchmarked{i}word"
            seen: dict = {}

            def browser():
                get(f"{base}/livereload/{poll[1]}/{poll[2]}")
                seen["reload"] = time.perf_counter()
                seen["new"] = marker in get(url)
                seen["page"] = time.perf_counter()

            thread = threading.Thread(target=browser)
            thread.start()
            time.sleep(0.2)
            text = text.replace(starts[i], starts[i] + marker + " ", 1)
            saved = time.perf_counter()
            chapter.write_text(text, encoding="utf-8")
            thread.join()
            while marker not in get(f"{base}/search/search_index.json"):
                time.sleep(0.02)
            search = time.perf_counter() - saved
            while marker not in get(f"{base}/for/police/stalking/"):
                time.sleep(0.02)
            view = time.perf_counter() - saved
            print(f"edit {i}: reload signalled {seen['reload'] - saved:.2f} s, reloaded page "
                  f"{seen['page'] - saved:.2f} s (new text: {seen['new']}), search index {search:.2f} s, "
                  f"police view {view:.2f} s")
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
