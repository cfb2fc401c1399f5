"""Reachable and visible, as a keyboard user and a phone reader meet the site: tabbing through one page of every type
at 1280 and 320 px, each element that takes focus is on screen, not covered, and marked as focused (WCAG 2.4.7,
2.4.11), and nothing invisible takes focus; no page scrolls sideways at 320 px (WCAG 1.4.10)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import new_guarded_context, site_pages

# One page of each type the site builds (README "For readers"), each chosen for the most it holds of that type:
# chapter 9 holds Annex A, the widest table.
PAGE_TYPES = {
    "home": "/",
    "document": "/right-to-know/",
    "chapter": "/stalking/annexes/",
    "role landing": "/for/teachers/",
    "role view": "/for/teachers/right-to-know/",
    "print": "/right-to-know/print/",
    "role print": "/for/healthcare/right-to-know/print/",
    "role print choice": "/for/police/print/",
    "change history": "/stalking/changes/",
    "glossary": "/glossary/",
    "accessibility": "/accessibility/",
}
MAX_TABS = 400  # more than any of these pages has stops: the walk ends when focus comes back round

# Why the focused element cannot be seen, or "" when it can: it has a size, lies inside the viewport, nothing
# hides it (visibility, opacity, display), the element at its centre is itself or inside it (not the sticky header
# or anything else over it), and it shows a focus mark (an outline, a box shadow or the focus yellow).
FOCUS_PROBLEM = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + " " + JSON.stringify((el.textContent || el.value || "").trim().slice(0, 40));
  const box = el.getBoundingClientRect();
  if (box.width < 1 || box.height < 1) return name + ": no size";
  if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) return name + ": off screen";
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.visibility !== "visible" || s.display === "none" || parseFloat(s.opacity) < 0.1)
      return name + ": hidden by " + e.tagName.toLowerCase() + "." + e.className;
  }
  // the middle of a link's first line (a link may wrap), or of the part of a larger box that is on screen
  const big = box.height > 60 && getComputedStyle(el).display !== "inline";
  const part = big ? {left: Math.max(box.left, 0), width: Math.min(box.right, innerWidth) - Math.max(box.left, 0),
    top: Math.max(box.top, 0), height: Math.min(box.bottom, innerHeight) - Math.max(box.top, 0)} : (el.getClientRects()[0] || box);
  const x = Math.min(Math.max(part.left + part.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(part.top + Math.min(part.height, big ? part.height : 20) / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  if (top && top !== el && !el.contains(top) && !(el.labels && [...el.labels].some(l => l.contains(top))))
    return name + ": covered by " + top.tagName.toLowerCase() + "." + top.className;
  const s = getComputedStyle(el);
  const marked = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none"
    || s.backgroundColor === "rgb(255, 221, 0)";
  return marked ? "" : name + ": no focus mark";
}"""


def settled(page) -> None:
    """Wait until nothing moves: no transition runs (search fading out, the drawer sliding) and the page has not
    scrolled since the last frame (focus scrolls smoothly): what a reader sees once it has come to rest."""
    page.wait_for_function("""() => {
      const at = scrollX + "," + scrollY, still = window.__gdAt === at;
      window.__gdAt = at;
      return still && document.getAnimations().every(a => a.playState !== "running");
    }""", polling="raf")


def tab_through(page) -> tuple[int, list[str]]:
    """Press Tab until focus comes back to where it started; return the number of stops and the problems seen."""
    page.locator("body").focus()
    problems, seen = [], []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        settled(page)
        here = page.evaluate("() => { const e = document.activeElement; return e === document.body ? null :"
                             " [e.tagName, e.id, e.getAttribute('href'), e.textContent.slice(0, 30), e.getBoundingClientRect().top + scrollY].join('|'); }")
        if here is None or (seen and here == seen[0]):
            break
        seen.append(here)
        if problem := page.evaluate(FOCUS_PROBLEM):
            problems.append(problem)
    return len(seen), problems


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_focus_stop_is_visible(browser, base_url, kind, width):
    context = new_guarded_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base_url + PAGE_TYPES[kind])
    page.wait_for_function("!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)")
    stops, problems = tab_through(page)
    context.close()
    assert stops >= 3, "the walk went through the page's controls"
    assert problems == []
    assert context.foreign_requests == []


def test_every_page_type_has_been_chosen(built_site):
    """The list above covers every kind of page the site builds (an archived edition only once git has one)."""
    pages = site_pages(built_site)
    for path in PAGE_TYPES.values():
        assert path in pages


@pytest.mark.parametrize("width", [1280, 320])
def test_search_opened_by_keyboard_shows_every_control(browser, base_url, width):
    """Opening search and tabbing through it: the box, the results area and the role filter are each visible and
    legible when focused; closed again, none of them takes focus."""
    context = new_guarded_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/stalking/")
    page.wait_for_function("!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)")
    if width < 960:
        page.click("label.md-header__button[for=__search]")
    else:
        page.click(".md-search__input")
    page.keyboard.type("stalking protection order")
    page.wait_for_selector(".md-search-result__item")
    problems = []
    for _ in range(12):
        page.keyboard.press("Tab")
        settled(page)
        if problem := page.evaluate(FOCUS_PROBLEM):
            problems.append(problem)
    assert problems == []
    legend = page.locator(".gd-search-roles legend")
    assert contrast(page, ".gd-search-roles legend") >= 4.5, legend.inner_text()
    assert contrast(page, ".gd-search-roles label") >= 4.5
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('[data-md-toggle=search]').checked")
    page.locator("body").focus()
    stops, problems = tab_through(page)
    context.close()
    assert problems == []


def contrast(page, selector: str) -> float:
    """The contrast ratio of an element's text against the background it is drawn on (the first opaque one)."""
    return page.eval_on_selector(selector, """el => {
      const rgb = c => c.match(/[\\d.]+/g).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
      let bg = null;
      for (let e = el; e && !bg; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0.99) { if (c.length < 4 || c[3]) bg = c; } }
      bg = bg || [255, 255, 255];
      const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""")


def test_no_page_scrolls_sideways_on_a_phone(browser, built_site, base_url):
    """At 320 px (a phone, or a desktop zoomed to 400%) no page is wider than the screen."""
    context = new_guarded_context(browser, viewport={"width": 320, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = {}
    for path in site_pages(built_site):
        page.goto(base_url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            wide[path] = width
    context.close()
    assert wide == {}


def test_a_wide_table_scrolls_in_its_own_box_by_keyboard(browser, base_url):
    context = new_guarded_context(browser, viewport={"width": 320, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "/stalking/annexes/")
    box = page.locator(".gd-table-scroll").first
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-labelledby")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "Annex A is wider than a phone"
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    context.close()


def test_headings_keep_their_permalink_sign_on_their_last_line(browser, base_url):
    """On a phone the "¶" after a heading sits on the line of the heading's last word, never on a line alone."""
    context = new_guarded_context(browser, viewport={"width": 320, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    alone = []
    for path in ("/stalking/what-each-agency-should-do/", "/right-to-know/the-decision/"):
        page.goto(base_url + path)
        alone += page.evaluate("""() => [...document.querySelectorAll('.md-typeset :is(h2, h3) > .headerlink')].filter(link => {
            const text = link.previousSibling;
            if (!text || text.nodeType !== 3 || !text.textContent.trim()) return false;
            const range = document.createRange();
            range.setStart(text, text.textContent.trimEnd().length - 1);
            range.setEnd(text, text.textContent.trimEnd().length);
            const last = range.getClientRects()[0], sign = link.getClientRects()[0];
            return sign.top > last.bottom - 2;
          }).map(l => l.parentElement.textContent)""")
    context.close()
    assert alone == []


def test_a_chapter_opens_with_its_contents_on_a_phone(browser, base_url):
    context = new_guarded_context(browser, viewport={"width": 320, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "/stalking/what-each-agency-should-do/")
    contents = page.get_by_role("navigation", name="On this page")
    assert contents.is_visible()
    links = contents.get_by_role("link").all_inner_texts()
    sections = page.locator("h2[id][data-audiences]").count()
    assert len([t for t in links if t[0].isdigit()]) == sections > 10
    # it comes before the first section, within the first two screens
    assert contents.bounding_box()["y"] < page.locator("h2[data-audiences]").first.bounding_box()["y"]
    assert contents.bounding_box()["y"] < 2 * 800
    contents.get_by_role("link", name="Print or save the whole guidance").click()
    page.wait_for_url("**/stalking/print/")
    context.close()
