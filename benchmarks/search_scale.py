"""Issue 24's search targets: Material's lunr search against Pagefind, in Chromium (a benchmark, not a test).

    .venv/bin/pip install -c constraints.txt -e '.[bench]'   # Pagefind, its binary in the wheel
    .venv/bin/python benchmarks/search_scale.py [--sizes 1000 5000] [--repeat 3] [--query "risk assessment"]
        [--work DIR: keep the built projects there and reuse them] [--no-quality]

For each size, a generated project (benchmarks/generate.py) is built with `guidance build`, served from
127.0.0.1 by a server that gzips text as a static host does (GitHub Pages, Netlify) and counts the bytes it sends,
and opened in Debian's Chromium through Playwright, once per engine, CPU speed and repeat, each in a fresh browser
context (nothing cached):
- lunr: the built site's home page, with Material's search as readers get it (it fetches the index when the page
  loads; its worker builds the lunr index in the browser);
- Pagefind: the same built site indexed by Pagefind's CLI (the same pages or entries the lunr index holds, the
  article only, with the words readers use (aka) weighed like headings) and a minimal page styled with the
  site's stylesheets and Material's result markup that asks Pagefind's JS API (loaded when the page loads,
  the chunks of the query's words when it is typed; five pages' fragments for the results). Three ways:
  pagefind, a record per page (Pagefind's own way); pagefind-sections, a record per section made from the lunr
  index's entries; pagefind-any, the same records, and when every word of a query finds fewer than three, the
  records holding any of its words too (Pagefind finds only records holding all of them; lunr ranks any).
As soon as the page has loaded, the query is entered into the search box and its completing key pressed; the
time to first result runs, in the page's own clock, from that input to the first result item appearing (a
MutationObserver: no fixed sleep anywhere). Bytes are what the server sent from opening the page to that moment:
the search's own (search/, pagefind/, the search worker) and in all. CPU slowdown is Chromium's
Emulation.setCPUThrottlingRate through a CDP session of the page, which slows the page's main thread only (Chromium
refuses it for workers, where both engines search); so each is also timed with every Chromium process held to a
quarter of one CPU by a Linux cgroup (as root; the column is left out where no cgroup can be made). --repeat runs
each and the median is printed.

Answer quality is measured on the real content/ (built into a temporary folder): each query of
tests/reader_queries.yaml is entered into each engine's search box, as tests/browser/test_search.py does, and
counted when one of its answering sections is among the first three section results shown (each page's best
two sections, in order; the same query preparation, stop words and spelling slips, for both engines).
"""
from __future__ import annotations

import argparse
import functools
import gzip
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate  # noqa: E402

TARGET_SECONDS, TARGET_BYTES = 1.0, 300_000  # at 5,000 sections, 4× CPU slowdown, for a first query
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".xml", ".svg", ".map")
SEARCH_PATHS = ("/search/", "/pagefind", "/assets/javascripts/workers/search")
# Elements neither engine should index: Material's search leaves out data-search-exclude (paragraph numbers and
# citations); the contents list and role switch are links to what is indexed anyway; a heading's ¶ link.
EXCLUDE = ["[data-search-exclude]", ".headerlink", ".gd-switch", ".gd-contents", ".gd-print-link"]


# --- a static server that counts what it sends ------------------------------------------------------------------

class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int]] = []

    def add(self, path: str, size: int):
        with self.lock:
            self.sent.append((path, size))

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            sent, self.sent = self.sent, []
        return sent


class _Handler(SimpleHTTPRequestHandler):
    """Sends text gzipped when the browser accepts it (as static hosts do; Pagefind's own files are compressed
    already), and counts every body sent, by path."""
    counter: Counter
    gz_cache: dict

    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if Path(path).is_dir():
            path = str(Path(path) / "index.html")
        if (not path.endswith(COMPRESSIBLE) or "gzip" not in self.headers.get("Accept-Encoding", "")
                or not Path(path).is_file()):
            return super().send_head()
        body = self.gz_cache.get(path)
        if body is None:
            body = self.gz_cache[path] = gzip.compress(Path(path).read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io
        return io.BytesIO(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        self.counter.add(self.path.split("?")[0], len(data))


def serve(directory: Path) -> tuple[ThreadingHTTPServer, Counter, str]:
    counter = Counter()
    handler = type("Handler", (_Handler,), {"counter": counter, "gz_cache": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counter, f"http://127.0.0.1:{server.server_address[1]}"


# --- Pagefind: the index and a minimal search page ---------------------------------------------------------------

def stop_words() -> list[str]:
    """guidance.js's stop words, read from it so that both engines prepare a query alike."""
    js = (REPO / "builder/site/theme/assets/javascripts/guidance.js").read_text(encoding="utf-8")
    block = re.search(r"var STOP = \((.*?)\)\.split", js, re.S).group(1)
    return "".join(re.findall(r'"([^"]*)"', block)).split()


def index_pagefind(site: Path, bundle: str) -> float:
    """Index the entries the lunr index holds into site/<bundle>/; returns the seconds it took.

    pagefind: Pagefind's own way, a record per page (its article), each heading with an id a sub-result, the words
    readers use (lunr's "aka" field) added after their section's heading and weighed like it.
    pagefind-sections: a record per section, made from the lunr index's entry (its title as the record's heading,
    its aka weighed like it, its text, its roles as a Pagefind filter), so that Pagefind ranks sections as lunr
    does, not chapters."""
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    pages = sorted({d["location"].split("#")[0] for d in docs})
    aka: dict[str, dict[str, str]] = {}
    for d in docs:
        if "#" in d["location"] and d.get("aka"):
            page, anchor = d["location"].split("#", 1)
            aka.setdefault(page, {})[anchor] = d["aka"]

    def with_aka(text: str, page: str) -> str:
        for anchor, words in aka.get(page, {}).items():
            text = re.sub(rf'(<h[1-6][^>]* id="{re.escape(anchor)}"[^>]*>.*?</h[1-6]>)',
                          lambda m: f'{m.group(1)}<p data-pagefind-weight="6">{html.escape(words)}</p>', text,
                          count=1, flags=re.S)
        return text

    def record(d: dict) -> str:
        roles = "".join(f'<span data-pagefind-filter="roles">{html.escape(r)}</span>' for r in d.get("roles", []))
        tags = html.escape(" · ".join(d.get("tags", [])))
        link = html.escape("/" + d["location"])
        return (f'<html lang="en"><body><h1>{html.escape(d["title"])}</h1>'
                f'<p data-pagefind-weight="7">{html.escape(d.get("aka", ""))}</p>{d.get("text", "")}'
                f'<div data-pagefind-ignore>{roles}<p data-pagefind-meta="tags">{tags}</p><p data-pagefind-meta="link">{link}</p></div>'
                f'</body></html>')

    # Written as files and indexed by Pagefind's CLI (the Python API's service stalled, idle, part way through
    # 7,000 records). A record per section is a page of its own whose meta "link" holds the section's address.
    staging = site.parent / f"{bundle}-staging"
    shutil.rmtree(staging, ignore_errors=True)
    for d in docs:
        if bundle == "pagefind-sections" and "#" in d["location"]:
            out = staging / d["location"].replace("#", "") / "index.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(record(d), encoding="utf-8")
    if bundle == "pagefind":
        for page in pages:
            out = staging / page / "index.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(with_aka((site / page / "index.html").read_text(encoding="utf-8"), page), encoding="utf-8")
    command = [sys.executable, "-m", "pagefind", "--site", str(staging), "--output-path", str(site / bundle),
               "--force-language", "en", "--quiet"]
    if bundle == "pagefind":
        command += ["--root-selector", "article.md-content__inner"]
        for selector in EXCLUDE:
            command += ["--exclude-selectors", selector]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(staging)
    return seconds


PAGEFIND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Search (Pagefind)</title>
{styles}
</head><body><div class="md-search" style="position:static"><div class="md-search__inner" style="width:auto">
<form class="md-search__form" role="search" onsubmit="return false">
<input class="md-search__input" type="text" aria-label="Search" placeholder="Search" autocomplete="off"></form>
<div class="md-search__output"><div class="md-search-result">
<div class="md-search-result__meta">Type to start searching</div><ol class="md-search-result__list"></ol>
</div></div></div></div>
<script type="module">
const STOP = new Set({stop});
const input = document.querySelector(".md-search__input");
const list = document.querySelector(".md-search-result__list");
const meta = document.querySelector(".md-search-result__meta");
let vocabulary = [];
fetch("/search/vocabulary.json").then(r => r.json()).then(w => {{ vocabulary = w; }});
// Loaded when the page loads, as Material fetches its index then.
const pagefind = import("/{index}/pagefind.js").then(async pf => {{ await pf.init(); return pf; }});
const bare = w => w.toLowerCase().replace(/^[^\\w&]+|[^\\w&]+$/g, "");
function oneEdit(a, b) {{
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1) ||
    (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}}
function corrected(word) {{
  const w = bare(word);
  if (w.length < 4 || !/^[a-z]+$/.test(w) || vocabulary.some(v => v.startsWith(w))) return word;
  return vocabulary.find(v => oneEdit(w, v)) || word;
}}
function meaningful(query) {{
  const kept = query.split(/\\s+/).filter(w => w && !STOP.has(bare(w)));
  return kept.length ? kept.map(corrected).join(" ") : query;
}}
const score = s => (s.weighted_locations || []).reduce((t, l) => t + l.balanced_score, 0);
function render(sections) {{
  const li = document.createElement("li");
  li.className = "md-search-result__item";
  for (const s of sections) {{
    const a = document.createElement("a");
    a.className = "md-search-result__link"; a.href = s.url;
    a.innerHTML = '<article class="md-search-result__article md-typeset"><h2></h2><p></p></article>';
    a.querySelector("h2").textContent = s.title; a.querySelector("p").innerHTML = s.excerpt;
    li.append(a);
  }}
  return li;
}}
let latest = 0;
async function run() {{
  const id = ++latest;
  const query = input.value.trim();
  if (!query) {{ list.replaceChildren(); meta.textContent = "Type to start searching"; return; }}
  const pf = await pagefind;
  const words = meaningful(query);
  const found = await pf.search(words);
  // Pagefind finds only records holding every word; with fewer than three, add those holding any of them, ranked
  // by how many of the words they hold and then by score (lunr ranks any word).
  const each = words.split(/\s+/);
  if ({any_word} && found.results.length < 3 && each.length > 1) {{
    const seen = new Map(found.results.map(r => [r.id, {{r, n: Infinity, s: r.score}}]));
    for (const one of await Promise.all(each.map(w => pf.search(w)))) {{
      for (const r of one.results) {{
        const had = seen.get(r.id);
        if (had) {{ had.n += 1; had.s += r.score; }} else seen.set(r.id, {{r, n: 1, s: r.score}});
      }}
    }}
    found.results = [...seen.values()].sort((a, b) => b.n - a.n || b.s - a.s).map(x => x.r);
  }}
  let items;
  if ({sections}) {{  // a record per section: each page's best two sections, in the order found
    const data = await Promise.all(found.results.slice(0, 10).map(r => r.data()));
    if (id !== latest) return;
    const byPage = new Map();
    for (const s of data) {{
      const page = s.meta.link.split("#")[0];
      if (!byPage.has(page)) byPage.set(page, []);
      if (byPage.get(page).length < 2) byPage.get(page).push({{url: s.meta.link, title: s.meta.title, excerpt: s.excerpt}});
    }}
    items = [...byPage.values()].map(render);
  }} else {{  // a record per page: its best two headed sections
    const pages = await Promise.all(found.results.slice(0, 5).map(r => r.data()));
    if (id !== latest) return;
    items = pages.map(page => render(page.sub_results.filter(s => s.url.includes("#"))
      .sort((a, b) => score(b) - score(a)).slice(0, 2))).filter(li => li.children.length);
  }}
  meta.textContent = items.length ? found.results.length + " matching pages" : "No matching documents";
  list.replaceChildren(...items);
}}
input.addEventListener("input", run);
input.addEventListener("keyup", e => {{ if (e.key === "Enter") run(); }});
</script></body></html>
"""


def write_pagefind_page(site: Path, bundle: str) -> str:
    home = (site / "index.html").read_text(encoding="utf-8")
    styles = "\n".join(re.findall(r'<link rel="stylesheet"[^>]*>', home)).replace('href="', 'href="/')
    styles = styles.replace('href="/http', 'href="http')
    (site / f"gd-{bundle}").mkdir(exist_ok=True)
    (site / f"gd-{bundle}/index.html").write_text(PAGEFIND_PAGE.format(
        styles=styles, stop=json.dumps(stop_words()), index="pagefind-sections" if bundle == "pagefind-any" else bundle,
        sections=json.dumps(bundle != "pagefind"), any_word=json.dumps(bundle == "pagefind-any")),
        encoding="utf-8")
    return f"/gd-{bundle}/"


# --- Chromium -----------------------------------------------------------------------------------------------------

ENGINES = {"lunr": "/", "pagefind": "/gd-pagefind/", "pagefind-sections": "/gd-pagefind-sections/",
           "pagefind-any": "/gd-pagefind-any/"}
BUNDLES = ("pagefind", "pagefind-sections")
# Times the first result in the page's own clock: from the first input to the search box (filled, or a key) to
# the first result item added to the results list.
WATCH = """() => {
  window.__t0 = null; window.__t1 = null;
  const box = document.querySelector('.md-search__input');
  const start = () => { if (window.__t0 === null) window.__t0 = performance.now(); };
  box.addEventListener('input', start, true); box.addEventListener('keydown', start, true);
  const list = document.querySelector('.md-search-result__list');
  new MutationObserver(() => {
    if (window.__t0 !== null && window.__t1 === null && list.querySelector('.md-search-result__item'))
      window.__t1 = performance.now();
  }).observe(list, {childList: true, subtree: true});
}"""


class CpuShare:
    """The whole browser (every process and thread it starts: page, workers, network) held to a share of one CPU
    by a Linux cgroup (v1 cpu controller, as root): Chromium's CPU throttling slows the page's main thread only
    ("Operation is only supported for pages, not workers"), and both engines search in a worker."""
    ROOT = Path("/sys/fs/cgroup/cpu")

    def __init__(self):
        self.group = self.ROOT / f"search-scale-{os.getpid()}"
        try:
            self.group.mkdir()
            (self.group / "cpu.cfs_period_us").write_text("100000")
        except OSError:
            self.group = None

    def enter(self, pids):
        for pid in pids:
            (self.group / "cgroup.procs").write_text(str(pid))

    def set(self, share: float | None):
        (self.group / "cpu.cfs_quota_us").write_text(str(int(100000 * share)) if share else "-1")

    def close(self):
        if self.group:
            for pid in (self.group / "cgroup.procs").read_text().split():
                try:
                    (self.ROOT / "cgroup.procs").write_text(pid)
                except OSError:
                    pass
            self.group.rmdir()


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def chromium_pids() -> list[int]:
    """This process's Chromium processes (not Playwright's driver, whose speed the page's clock does not see)."""
    pids = []
    for pid in descendants(os.getpid()):
        try:
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                pids.append(pid)
        except OSError:
            pass
    return pids


def launch(playwright):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Chromium is needed: apt-get install chromium")
    return playwright.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"])


def first_result(browser, base: str, counter: Counter, engine: str, query: str, slowdown: float,
                 share: CpuShare | None = None):
    """(seconds from input to first result, search bytes, all bytes) for one fresh visit: slowdown through CDP,
    or with share, the whole browser held to 1/slowdown of a CPU."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if share:
        share.set(1 / slowdown)
    else:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    counter.take()
    page.goto(base + ENGINES[engine], wait_until="load")
    page.evaluate(WATCH)
    box = page.locator(".md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # the keyup Material searches on
    page.wait_for_function("window.__t1 !== null", timeout=120_000)
    sent = counter.take()
    seconds = page.evaluate("(window.__t1 - window.__t0) / 1000")
    if share:
        share.set(None)
    context.close()
    search = sum(size for path, size in sent if path.startswith(SEARCH_PATHS))
    return seconds, search, sum(size for _, size in sent)


# --- answer quality on the reader queries ------------------------------------------------------------------------

SHOWN = """() => ({meta: document.querySelector('.md-search-result__meta').textContent,
                   items: document.querySelectorAll('.md-search-result__item').length})"""


def shown_sections(page, query: str) -> list[str]:
    """As tests/browser/test_search.py's search(): empty the box, then enter the whole query with one keyup."""
    box = page.locator(".md-search__input")
    box.fill("")
    box.press("End")
    page.wait_for_function(f"(({SHOWN})()).items === 0")
    placeholder = page.evaluate(SHOWN)["meta"]
    box.fill(query)
    box.press("End")
    page.wait_for_function(f"(({SHOWN})()).meta !== {json.dumps(placeholder)}", timeout=60_000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link",
                                      "els => els.filter(e => e.checkVisibility()).map(e => e.getAttribute('href'))")
    return [h.split("#", 1)[1] for h in hrefs if "#" in h]


def answer_quality(browser, base: str, engine: str) -> tuple[int, int, list[str]]:
    queries = [(p, q["query"], q["answers"]) for p, qs in
               yaml.safe_load((REPO / "tests/reader_queries.yaml").read_text(encoding="utf-8"))["personas"].items()
               for q in qs]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + ENGINES[engine])
    if engine == "lunr":
        page.wait_for_function("!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)")
    page.locator(".md-search__input").click()
    found, missed = 0, []
    for persona, query, answers in queries:
        top = shown_sections(page, query)[:3]
        if {a.split("/", 1)[1] for a in answers} & set(top):
            found += 1
        else:
            missed.append(f"{persona}: {query}")
    context.close()
    return found, len(queries), missed


# --- building --------------------------------------------------------------------------------------------------------

def build(root: Path, cache: Path) -> Path:
    run = subprocess.run(["env", f"GUIDANCE_CACHE_DIR={cache}", sys.executable, "-m", "builder", "build",
                          "--root", str(root)], capture_output=True, text=True, cwd=REPO)
    if run.returncode:
        sys.exit(run.stdout[-3000:] + run.stderr[-3000:])
    return root / "site"


def real_site(work: Path) -> Path:
    root = work / "real"
    if not (root / "site/index.html").is_file():
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(REPO / "content", root / "content")
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        build(root, work / "cache-real")
    return root / "site"


def prepared(site: Path) -> dict[str, float]:
    """Index site with Pagefind both ways (once; kept with --work) and write their search pages; the indexing
    seconds of each (NaN when kept from a run before)."""
    seconds = {}
    for bundle in BUNDLES:
        done = (site / bundle / "pagefind.js").is_file()
        seconds[bundle] = float("nan") if done else index_pagefind(site, bundle)
        write_pagefind_page(site, bundle)
    write_pagefind_page(site, "pagefind-any")  # the sections' index, any word when every word finds too few
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query", default="risk assessment")
    parser.add_argument("--work", type=Path, help="keep the built projects here and reuse them on the next run")
    parser.add_argument("--no-quality", action="store_true", help="leave out the reader queries")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = None if args.work else tempfile.TemporaryDirectory(prefix="search-scale-")
    work = args.work or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    rows, quality, facts = [], {}, []
    share = CpuShare()
    if not share.group:
        print("No cpu cgroup to join (needs root and cgroup v1's cpu controller): the whole-browser column is "
              "left out", file=sys.stderr)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        if share.group:
            share.enter(chromium_pids())
        for size in args.sizes:
            root = work / f"p{size}"
            if not (root / "site/index.html").is_file():
                generate(root, size)
                build(root, work / f"cache{size}")
            site = root / "site"
            indexing = prepared(site)
            lunr_raw = (site / "search/search_index.json").stat().st_size
            fact = (f"{size} sections: lunr index {lunr_raw / 1e6:.1f} MB raw, "
                    f"{len(gzip.compress((site / 'search/search_index.json').read_bytes(), 6)) / 1e6:.2f} MB gzipped")
            for bundle in BUNDLES:
                files = [p for p in (site / bundle).rglob("*") if p.is_file()]
                fact += (f"; {bundle} {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB"
                         + (f", indexed in {indexing[bundle]:.0f} s" if indexing[bundle] == indexing[bundle] else ""))
            facts.append(fact)
            server, counter, base = serve(site)
            try:
                for engine in ENGINES:
                    row = {"engine": engine, "size": size}
                    for slowdown in (1, 4, "4 whole"):
                        if slowdown == "4 whole" and not share.group:
                            continue
                        runs = [first_result(browser, base, counter, engine, args.query,
                                             4 if slowdown == "4 whole" else slowdown,
                                             share if slowdown == "4 whole" else None)
                                for _ in range(args.repeat)]
                        row[slowdown] = statistics.median(r[0] for r in runs)
                        if slowdown == 1:
                            row["search"] = statistics.median(r[1] for r in runs)
                            row["all"] = statistics.median(r[2] for r in runs)
                    rows.append(row)
                    print(f"  measured {engine} at {size}", file=sys.stderr, flush=True)
            finally:
                server.shutdown()
                server.server_close()
        if not args.no_quality:
            site = real_site(work)
            prepared(site)
            server, counter, base = serve(site)
            try:
                for engine in ENGINES:
                    quality[engine] = answer_quality(browser, base, engine)
            finally:
                server.shutdown()
                server.server_close()
        browser.close()
    share.close()

    print(f"Query {args.query!r}; median of {args.repeat} fresh visits; bytes as sent (text gzipped).")
    print(f"Target at 5,000 sections: first result ≤ {TARGET_SECONDS:g} s at 4× slowdown, "
          f"≤ {TARGET_BYTES // 1000} KB for the search before a first result.")
    print()
    print("4× (CDP): Chromium's CPU throttling, which slows the page's main thread only; 4× (whole browser): every "
          "Chromium process held to a quarter of one CPU (cgroup), workers included.")
    print()
    print("| engine | sections | search KB before first result | all KB | first result 1× | 4× (CDP) | "
          "4× (whole browser) | target met |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        slowest = max(r[4], r.get("4 whole", 0))
        met = slowest <= TARGET_SECONDS and r["search"] <= TARGET_BYTES
        whole = f"{r['4 whole']:.2f} s" if "4 whole" in r else "–"
        print(f"| {r['engine']} | {r['size']:,} | {r['search'] / 1000:,.0f} | {r['all'] / 1000:,.0f} | "
              f"{r[1]:.2f} s | {r[4]:.2f} s | {whole} | {'yes' if met else 'no'} |")
    print()
    for fact in facts:
        print(fact)
    if quality:
        print()
        print("Answer quality, real content: reader queries with an answering section in the first three")
        for engine, (found, total, missed) in quality.items():
            print(f"- {engine}: {found} of {total}" + (f"; missed: {'; '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
