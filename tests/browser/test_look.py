"""A GOV.UK-grade look inside Material, as Chromium computes it: GOV.UK's palette, type scale, link colours and
focus style; equal role buttons, full width on a phone; the site title whole at 320 px; the glossary as a definition
list; each role page lists only the bodies that concern it; no dark-mode switch."""
import pytest
import yaml

from builder import pipeline
from tests.browser.conftest import REPO, new_guarded_context

BLACK, BLUE, YELLOW = "rgb(11, 12, 12)", "rgb(29, 112, 184)", "rgb(255, 221, 0)"


def style(locator, prop: str) -> str:
    return locator.evaluate("(el, p) => getComputedStyle(el).getPropertyValue(p)", prop)


@pytest.mark.parametrize("width, body, h1", [(1280, "19px", "48px"), (320, "16px", "32px")])
def test_palette_and_type_scale_are_govuk(browser, base_url, width, body, h1):
    context = new_guarded_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/stalking/introduction/")
    paragraph = page.locator("article .gd-block p").nth(1)
    assert style(paragraph, "color") == BLACK and style(paragraph, "font-size") == body
    assert style(page.locator("article h1"), "font-size") == h1
    assert style(page.locator(".md-header"), "background-color") == BLACK
    assert style(page.locator("article p a[href^='http']").first, "color") == BLUE
    assert "Arial" in style(page.locator("body"), "font-family")
    context.close()
    assert context.foreign_requests == []


def test_keyboard_focus_is_govuk_yellow_with_a_black_bar(page, base_url):
    page.goto(base_url + "/stalking/introduction/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('article p') && document.activeElement.tagName === 'A'"):
            break
    else:
        raise AssertionError("Tab did not reach a link in the text")
    focused = page.locator(":focus")
    page.wait_for_function("([bg, fg]) => { const s = getComputedStyle(document.activeElement);"
                           " return s.backgroundColor === bg && s.color === fg; }", arg=[YELLOW, BLACK], timeout=2000)
    assert BLACK in style(focused, "box-shadow")


@pytest.mark.parametrize("width", [1280, 375, 320])
def test_role_buttons_are_equal_and_full_width_on_a_phone(browser, base_url, width):
    context = new_guarded_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/")
    buttons = page.locator(".gd-roles a")
    roles = len(yaml.safe_load((REPO / "content/audiences.yaml").read_text(encoding="utf-8"))["audiences"])
    assert buttons.count() == roles, "one button for each audience"
    boxes = [buttons.nth(i).bounding_box() for i in range(roles)]
    looks = {(style(buttons.nth(i), "background-color"), style(buttons.nth(i), "color")) for i in range(roles)}
    assert len(looks) == 1, "no role's button stands out"
    assert max(b["width"] for b in boxes) - min(b["width"] for b in boxes) < 1
    assert max(b["height"] for b in boxes) - min(b["height"] for b in boxes) < 1
    column = page.locator(".gd-roles").bounding_box()
    if width < 640:
        assert all(abs(b["width"] - column["width"]) < 1 for b in boxes), "full width on a phone"
    else:
        assert len({round(b["y"]) for b in boxes}) == 1, "side by side on a desktop"
    context.close()
    assert context.foreign_requests == []


def test_the_site_title_is_whole_at_320_px(browser, base_url):
    context = new_guarded_context(browser, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(base_url + "/")
    title = page.locator(".md-header__title .md-header__topic").first.locator(".md-ellipsis")
    assert title.inner_text() == "Statutory guidance on stalking"
    assert title.evaluate("el => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1")
    box = title.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert float(style(title, "font-size").rstrip("px")) >= 14
    context.close()


def test_the_glossary_is_a_definition_list_with_the_words_readers_use(page, base_url):
    page.goto(base_url + "/glossary/")
    terms, definitions = page.locator("dl.gd-glossary > dt"), page.locator("dl.gd-glossary > dd")
    assert terms.count() == definitions.count() > 10
    assert page.locator("article h2").count() == 0, "no heading per one-line term"
    spo = page.locator("#term-spo")
    assert spo.inner_text() == "SPO (stalking protection order)"
    assert "Also searched as: injunction" in spo.locator("xpath=following-sibling::dd[1]").inner_text()


def test_each_role_page_lists_only_the_bodies_that_concern_it(page, base_url):
    stalking = {d.id: d for d in pipeline.check(REPO).content.documents}["stalking"]
    bodies = stalking.must_have_regard
    police, schools, nhs = (next(b for b in bodies if b.startswith(p)) for p in ("Chief officers", "Governing", "NHS"))
    for role, mine, others in [("police", police, (schools, nhs)), ("teachers", schools, (police, nhs)),
                               ("healthcare", nhs, (police, schools))]:
        page.goto(base_url + f"/for/{role}/")
        heading = page.locator("article h3", has_text=stalking.title)
        listed = heading.locator("xpath=following-sibling::ul[1]/li").all_inner_texts()
        assert mine in listed and not set(others) & set(listed), role
    page.goto(base_url + "/stalking/")
    assert set(bodies) <= set(page.locator("article li").all_inner_texts()), "the document lists every body"


def test_there_is_no_dark_mode_switch(page, base_url):
    page.goto(base_url + "/")
    assert page.locator("[data-md-component=palette] label:visible").count() == 0
