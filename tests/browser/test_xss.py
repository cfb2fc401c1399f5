"""XSS probes rendered in Chromium: payloads that slip past validation (written straight into the generated
Markdown) and tricky text that validation accepts are built into a real site, served on 127.0.0.1 and opened in
Chromium. None may run, and the page still reads normally."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder import pipeline
from builder.render.pages import Options, render
from builder.site.build import build_site
from tests.browser.conftest import served

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"

# Each payload calls alert(<its number>) if it runs; alert, confirm and prompt are recorded, not shown.
INJECTED = [
    '<script>alert(1)</script>',
    '<img src="x" onerror="alert(2)">',
    '<svg onload="alert(3)"><circle r="1"></circle></svg>',
    '<a href="javascript:alert(4)">four</a>',
    '[five](javascript:alert(5))',
    '*six*{: onclick="alert(6)" }',
    '<div markdown onmouseover="alert(7)">seven</div>',
    '<details open ontoggle="alert(8)"><summary>eight</summary>8</details>',
    '<input autofocus onfocus="alert(9)">',
    '<iframe src="javascript:alert(10)"></iframe>',
    '<object data="javascript:alert(11)"></object>',
    '<embed src="javascript:alert(12)">',
    '<form action="javascript:alert(13)"><button id="thirteen">go</button></form>',
    '<math><mtext><table><mglyph><style><img src="x" onerror="alert(14)"></style></mglyph></table></mtext></math>',
    '<a href="&#106;avascript:alert(15)">fifteen</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(16)>"></p></noscript>',
    '<template><script>alert(17)</script></template>',
    '<body onload="alert(18)">',
    '<p style="background:url(javascript:alert(19))">nineteen</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(20)">',
    '<base href="javascript:alert(21)//">',
    '<img src="https://example.org/track.png" alt="a request to another site">',
]
# Text that validation accepts and that must still render as text.
ACCEPTED = [
    'Read [the report](https://www.gov.uk/report "x\\" onmouseover=\\"alert(31)") now.',
    "Risks rise when 1 < 2 and 3 > 2 & nothing else; it's \"quoted\" text.",
    "Ask about *[[term:SPO]] orders* and ** stray stars or a [bracket] carefully.",
]


@pytest.fixture(scope="module")
def probe_site(tmp_path_factory):
    """The fixture project with accepted tricky text in its content and payloads injected after validation."""
    root = tmp_path_factory.mktemp("xss")
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copy(FIXTURE / "mkdocs.yml", root / "mkdocs.yml")
    glossary = root / "content/glossary.yaml"
    glossary.write_text(glossary.read_text().replace(
        "expansion: stalking protection order", "expansion: 'stalking protection order\" onmouseover=\"alert(33)'"))
    chapter = root / "content/alpha/02-schools.yaml"
    chapter.write_text(chapter.read_text() + "".join(
        f"  - id: probe-{i}\n    title: Probe {i} \"quoted\" & 'single'\n    audiences: [teachers]\n"
        f"    status: published\n    blocks:\n      - id: prb{i}\n        para: '{text.replace(chr(39), chr(39) * 2)}'\n"
        for i, text in enumerate(ACCEPTED, 1)))
    checked = pipeline.check(root)
    assert checked.problems == [], [str(p.pos) + " " + p.code for p in checked.problems]
    site = render(checked.content, Options())
    site.pages["alpha/basics.md"] += "\n\n" + "\n\n".join(INJECTED) + "\n"
    result = build_site(root, site, root / "site", preview=False)
    assert result.ok, result.problems
    assert [p.code for p in result.problems] == ["build.sanitised"]
    with served(root / "site") as url:
        yield url


RECORD_DIALOGS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__ran.push(name + "(" + args.join(",") + ")"); };
}
"""

ACTIVE_MARKUP = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(el.tagName + " " + attr.name);
      if (/^\\s*(javascript|data|vbscript):/i.test(attr.value) && /href|src|action|data/.test(attr.name))
        found.push(el.tagName + " " + attr.name + "=" + attr.value);
    }
  }
  const article = document.querySelector("article");
  for (const el of article.querySelectorAll("script, iframe, object, embed, form, base, meta, style, svg, img"))
    found.push("article " + el.tagName);
  return found;
}
"""


@pytest.mark.parametrize("path", ["/alpha/basics/", "/alpha/schools/", "/glossary/"])
def test_no_probe_runs_and_the_page_still_reads(context, probe_site, path):
    context.add_init_script(RECORD_DIALOGS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(probe_site + path)
    page.wait_for_load_state("load")
    # Hover everything a reader might point at (a page title's permalink is not shown, so it cannot be pointed at).
    for link in page.locator("article a:visible, article abbr:visible").all():
        link.hover()
    # Open or close every details element and wait until each has fired its toggle event (after any ontoggle=).
    page.evaluate("""() => Promise.all([...document.querySelectorAll('article details')].map(d => new Promise(done => {
        d.addEventListener('toggle', done, {once: true});
        d.open = !d.open;
    })))""")
    assert page.evaluate("window.__ran") == []
    assert page.evaluate(ACTIVE_MARKUP) == []
    assert errors == []
    text = page.locator("article").inner_text()
    if path == "/alpha/basics/":
        assert "1.1 What stalking is" in text and "four" in text and "seven" in text
    elif path == "/alpha/schools/":
        assert "1 < 2 and 3 > 2 & nothing else; it's \"quoted\" text." in text
        assert "stray stars or a [bracket] carefully" in text
        assert 'Probe 1 "quoted" & \'single\'' in text

