"""Live preview (`guidance serve`): builder/preview/incremental.py keeps the preview up to date; MkDocs' LiveReloadServer
serves it on 127.0.0.1 and reloads the browser after each update.

The content files are polled every POLL seconds. On a save the edited pages and the search index are rewritten
first and the browser reloads; the aggregated pages (print pages, audience views) follow, and after a change of
navigation the other pages' new navigation, unless another save arrives first (a page asked for before its turn
is given its new navigation as it is served). An update that fails half way is followed by a full build. Problems are printed in the text format and the last good preview stays; every page served also
shows them, with their file:line:col, in a panel at the foot of the window (added as the page is served, so no
built file changes), which goes when they are fixed. The terminal says when they are.
"""
from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Callable

from jinja2 import Environment

from builder.content.model import Problem
from builder.preview import languages
from builder.history.base import at_base
from builder.preview.incremental import Preview
from builder.preview.plan import Update
from builder.report import as_text, sort_problems
from builder.site.mkdocs_adapter import LiveReloadServer, _timestamp

MAX_CONNECTIONS = 64  # open at once (a page, its assets, a long-poll per tab); more are answered 503 and closed
IDLE = 30  # seconds a connection may wait to send its request, or to take a reply, before it is closed
_LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
POLL = 0.05  # seconds between looks at the watched files (a stat of each: about a millisecond)
SETTLE = 0.05  # how long a change must rest before it is read, for editors that save in two writes
PAUSE = 0.3  # after the reload, the browser fetches the page and its assets before the aggregated pages start


_PANEL = Environment(autoescape=True).from_string("""\
<details id="guidance-problems" {{ 'open' if errors }} role="{{ 'alert' if errors else 'status' }}" style="position:fixed;\
left:0;right:0;bottom:0;z-index:1000;max-height:45vh;overflow:auto;margin:0;padding:.6em 1em;font:15px/1.4 system-ui,\
sans-serif;color:#0b0c0c;background:{{ '#fdf0f0' if errors else '#fff7e0' }};border-top:5px solid \
{{ '#d4351c' if errors else '#f47738' }};box-shadow:0 -2px 8px rgba(0,0,0,.2)">
<summary style="cursor:pointer;font-weight:700">
{%- if errors %}{{ errors }} error{{ 's' if errors != 1 }}{% if warnings %} and {{ warnings }} warning{{ 's' if warnings != 1 }}{% endif %}: {{ 'the preview is built when' if waiting else 'this preview shows the last good version until' }} {{ 'it is' if errors == 1 else 'they are' }} fixed
{%- else %}{{ warnings }} warning{{ 's' if warnings != 1 }} in the content (guidance validate --strict fails on {{ 'it' if warnings == 1 else 'them' }}){% endif -%}
</summary>
<ol style="margin:.5em 0 0;padding-left:1.5em">
{%- for p in problems %}
<li style="margin:.4em 0"><code style="font-weight:700">{{ p.pos }}</code> {{ p.severity }} [{{ p.code }}] {{ p.message }}
{%- if p.hint %}{% set first, rest = p.hint.split('\n', 1)[0], p.hint.split('\n', 1)[1:] %}
<div style="color:#505a5f">{{ first }}</div>
{%- for snippet in rest %}<pre style="margin:.2em 0;font:14px/1.4 ui-monospace,monospace;color:#505a5f;white-space:pre-wrap">{{ snippet }}</pre>{% endfor %}
{%- endif %}</li>
{%- endfor %}
</ol>
</details>
""")


_WAITING = Environment(autoescape=True).from_string("""\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Preview not built yet</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font:19px/1.5 system-ui,sans-serif;color:#0b0c0c;margin:2em auto;max-width:40em;padding:0 1em">
<h1>The preview is not built yet</h1>
<p>The content has problems, listed below, that stop the preview being built. Fix them and save: guidance serve
builds the preview then, and this page reloads by itself.</p>
</body></html>
""")


def problem_panel(problems: list[Problem], waiting: bool = False) -> str:
    """The panel listing problems that every preview page shows while there are any ("" when there are none);
    waiting: no preview has been built yet."""
    shown = [p for p in sort_problems(problems) if p.severity in ("error", "warning")]
    if not shown:
        return ""
    errors = sum(p.severity == "error" for p in shown)
    return _PANEL.render(problems=shown, errors=errors, warnings=len(shown) - errors, waiting=waiting)


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server for site_dir, driven by us rather than by its own file watcher. Its
    show_problems(problems) puts the problem panel on every page it serves and reloads open pages."""

    panel = b""
    waiting = False  # no preview built yet: every page is the waiting page
    refresh: Callable[[str], object] | None = None  # brings a page up to date before it is served

    def __init__(self, site_dir: Path, port: int, host: str):
        super().__init__(builder=lambda: None, host=host, port=port, root=str(site_dir))
        self.site_dir = site_dir
        self.listen_host, self.listen_port = host, port  # as asked (port 0: the system chooses one, listen says)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        # LiveReloadServer adds its reload script to pages only while it watches something; its watcher is never
        # started (we poll ourselves, faster), so this only switches the script on.
        self.watch(str(site_dir))
        self.error_handler = self.error_page

    def error_page(self, code: int) -> bytes | None:
        page = self.site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    def show_problems(self, problems: list[Problem], waiting: bool = False) -> None:
        panel = problem_panel(problems, waiting).encode("utf-8")
        if (panel, waiting) != (self.panel, self.waiting):
            with self.writing():
                self.panel, self.waiting = panel, waiting

    def serve_request(self, environ, start_response):
        """Only for the editor: a request that names another host (a web page the editor visits, reaching
        127.0.0.1 through DNS rebinding) is refused, and a path that is not text is a bad request."""
        if environ.get("HTTP_HOST", "").strip().lower() not in self.hosts():
            return _plain(start_response, "403 Forbidden", "This preview answers only requests to the address "
                          "it listens on, " + self.url + "\n")
        try:
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            path = "\x00"
        if any(ord(c) < 32 or ord(c) == 127 for c in path):
            return _plain(start_response, "400 Bad Request", "The address holds characters no page has.\n")
        return super().serve_request(environ, start_response)

    def hosts(self) -> set[str]:
        """The Host headers a browser sends for this server: its own name or address and the port."""
        port, host = self.server_address[1], self.listen_host
        names = {*_LOCAL_NAMES, f"[{host}]" if ":" in host else host.lower()}
        return {f"{name}:{port}" for name in names} | (names if port == 80 else set())

    def get_request(self):
        request, address = super().get_request()
        request.settimeout(IDLE)  # a connection that sends nothing does not hold a thread for ever
        return request, address

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):  # bounded: one thread for each connection held open
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def _serve_request(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.refresh is not None and not self.waiting and path.endswith(("/", ".html")):
            self.refresh(path)  # a page still waiting for a new navigation gets it now
        if self.waiting and not path.startswith("/livereload/") and path.endswith(("/", ".html")):
            with self._epoch_cond:
                epoch = self._visible_epoch
            body = self._inject_js_into_html(_WAITING.render().encode("utf-8"), epoch)
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return super()._serve_request(environ, start_response)

    def _inject_js_into_html(self, content, epoch):
        content = super()._inject_js_into_html(content, epoch)
        panel = self.panel
        if not panel:
            return content
        at = content.rfind(b"<script>")  # the live-reload script, just before </body>
        at = len(content) if at < 0 else at
        return content[:at] + panel + content[at:]

    @contextlib.contextmanager
    def writing(self):
        """Hold page requests while the preview's files change; then tell open pages to reload."""
        with self._epoch_cond:
            self._wanted_epoch = max(_timestamp(), self._visible_epoch + 1)
        try:
            yield
        finally:
            with self._epoch_cond:
                self._visible_epoch = self._wanted_epoch
                self._epoch_cond.notify_all()

    def listen(self) -> None:
        self.server_bind()
        self.server_activate()
        port = self.listen_port
        if self.server_address[1] != port:  # port 0: the system chose one
            self.url = self.url.replace(f":{port}/", f":{self.server_address[1]}/", 1)

    def start(self) -> None:
        self.serve_thread.start()

    def stop(self) -> None:
        self.shutdown()
        if self.serve_thread.ident is not None:  # started
            self.serve_thread.join(timeout=5)


def make_server(site_dir: Path, port: int, host: str = "127.0.0.1") -> PreviewServer:
    """The preview's server for site_dir on host:port (PreviewServer), not yet listening: listen() binds it."""
    return PreviewServer(site_dir, port, host)


def _plain(start_response, status: str, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def watch(preview: Preview, echo: Callable[[str], None], stop: threading.Event,
          show: Callable[[list[Problem], bool], None] = lambda problems, waiting: None, failing: bool = False) -> None:
    """Apply each save to the preview until stop is set; show(problems, waiting) gives the browser the latest
    problems, and whether there is still no preview to show under them. failing: the last update failed."""
    while not stop.is_set():
        if not preview.changed_on_disk() and not (preview.stale and not failing):  # stale: rebuild it all once
            if preview.has_rest():  # aggregated pages left by an update another save interrupted
                finish(preview, echo, time.perf_counter())
            stop.wait(POLL)
            continue
        stop.wait(SETTLE)
        update = preview.apply_change(rest=False)
        if update.problems:
            echo(as_text(update.problems))
        fixed = failing and update.ok
        failing = not update.ok
        show(update.problems, preview.state is None)
        more = None
        if update.ok and preview.has_rest():
            stop.wait(PAUSE)  # rebuilding holds the interpreter: let the reloading browser be served first
            more = finish(preview, echo, update.started, say=False)
        echo(save_line(update, more, fixed))  # one line per save, once its pages are all built (or another came)
        if update.ok:
            preview_languages(preview, echo)


def preview_languages(preview: Preview, echo: Callable[[str], None]) -> None:
    """Each other language's pages (builder/preview/languages.py), after the English ones are served."""
    with preview.publish():
        found = languages.build(preview.root, preview.build_dir, preview.site_dir)
    if found:
        echo(as_text(found))


def finish(preview: Preview, echo: Callable[[str], None], started: float, say: bool = True) -> Update:
    """The aggregated pages, stopped early by another save. say: print a line for the pages it updated."""
    more = preview.build_rest(should_stop=preview.changed_on_disk, started=started)
    if more.problems:
        echo(as_text(more.problems))
    if say and more.kind != "none":
        echo(save_line(more, None, False))
    return more


def _pages(n: int) -> str:
    return f"{n} page{'s' if n != 1 else ''}"


def save_line(update: Update, more: Update | None, fixed: bool) -> str:
    """The one line a save prints: what was updated, how soon, and what still follows; after problems were fixed,
    that they were (and nothing about an earlier state)."""
    t = update.timings
    head = ""
    if fixed:
        clean = not any(p.severity == "warning" for p in update.problems)
        head = "Problems fixed: the preview shows your content again" + (", and it has no problems" if clean else "")
    if update.kind == "failed":
        return ("preview not updated: fix the problems above (the browser lists them at the foot of every page); "
                "the last good preview is still shown")
    if more is not None and more.kind == "full":
        update, more, t = more, None, more.timings
    if update.kind == "full":
        said = f"preview rebuilt in full in {t['preview']:.2f} s ({update.reason})"
        return f"{head}; {said}." if head else said
    said = []
    if update.first:
        said.append(f"preview updated in {t['preview']:.2f} s: "
                    + ", ".join(p.removesuffix(".md") for p in update.first))
    rest = list(update.rest) + (list(more.rest) if more else [])
    relinked = list(update.relinked) + (list(more.relinked) if more else [])
    done = (more.timings if more else t).get("complete")
    others = []
    if rest:
        others.append(f"{_pages(len(rest))} that show it (print pages, audience views)")
    if relinked:
        others.append(f"the navigation of {_pages(len(relinked))}")
    if others:
        said.append(("then " if said else "preview updated: ") + " and ".join(others)
                    + (f", all by {done:.2f} s" if done is not None else ""))
    owed = (more.owed if more is not None else update.owed)
    if more is not None and more.kind == "failed":
        said.append("the other pages were not updated (see the problem above); the next save tries again")
    elif owed:
        said.append("print pages, audience views and other pages' navigation follow")
    if not said:
        if head:
            return head + "."
        return f"content changed: no page changed (checked in {t.get('total', 0):.2f} s)"
    line = "; ".join(said)
    return f"{head}; {line}." if head else line


def serve(root: Path, port: int, echo=print, *, stop: threading.Event | None = None,
          on_ready: Callable[[str], None] | None = None, host: str = "127.0.0.1") -> int:
    """Build the preview, serve it on host:port (0: any free port) and keep it up to date until Ctrl+C
    (or until stop is set). Content with problems is served as a page listing them until they are fixed. Returns
    the exit code: 2 when the port is taken, else 0."""
    preview = Preview(Path(root))
    preview.checker.base_of = at_base  # of two sections or blocks with one id, blame the one new since main
    preview.prune()  # folders of previews that were killed rather than stopped
    server = make_server(preview.site_dir, port, host)
    try:
        server.listen()  # first, so that a second serve on the same port stops before it builds anything
    except OSError as err:
        server.server_close()
        echo(f"error: cannot serve on {host}:{port} ({err.strerror or err})\n"
             "    hint: Another program (or another guidance serve) uses that port: choose one with --port.")
        return 2
    stop = stop or threading.Event()
    try:
        first = preview.start()
        if first.problems:
            echo(as_text(first.problems))
        server.show_problems(first.problems, waiting=not first.ok)
        preview.publish = server.writing
        server.refresh = preview.refresh
        server.start()
        if first.ok:
            echo(f"Previewing drafts on {server.url} (built in {first.timings['total']:.1f} s). "
                 "Pages update when you save a content file; Ctrl+C stops.")
        else:
            echo(f"The preview is built as soon as these problems are fixed; {server.url} lists them meanwhile. "
                 "Ctrl+C stops.")
        if first.ok:
            preview_languages(preview, echo)
        if on_ready is not None:
            on_ready(server.url)
        watch(preview, echo, stop, show=server.show_problems, failing=not first.ok)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        preview.close()
        preview.discard()
    return 0
