"""Reading, switching audience, citing and printing, as a reader does it in Chromium."""
import re

from tests.browser.conftest import heading, new_guarded_context


def test_home_page_picks_a_role_in_one_click(page, base_url):
    page.goto(base_url + "/")
    page.get_by_role("link", name="Teachers and school staff").first.click()
    assert page.url == base_url + "/for/teachers/"
    assert heading(page) == "Guidance for teachers and school staff"


def test_audience_view_filters_sections_and_notes(page, base_url, built_site):
    page.goto(base_url + "/for/teachers/stalking/")
    text = page.locator("article").inner_text()
    assert re.search(r"leaves out \d+ sections written for other roles", text)
    notes = page.locator(".gd-note")
    assert notes.count() > 0
    assert set(notes.evaluate_all("els => els.map(e => e.dataset.audience)")) == {"teachers"}
    audiences = page.locator("h3[data-audiences]").evaluate_all("els => els.map(e => e.dataset.audiences)")
    assert audiences and all("teachers" in a.split() or a == "all" for a in audiences)
    full = (built_site / "stalking/what-each-agency-should-do/index.html").read_text()
    assert 'data-audience="police"' in full, "the full guidance keeps every audience's notes"


def test_switching_audience_works_without_javascript_cookies_or_storage(browser, base_url):
    context = new_guarded_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/stalking/supporting-victims/")
    switch = page.get_by_role("navigation", name="Show this guidance for a role")
    switch.get_by_role("link", name="Healthcare staff").click()
    assert page.url.startswith(base_url + "/for/healthcare/stalking/#stalking--supporting-victims")
    assert "Healthcare staff (showing)" in page.get_by_role("navigation", name="Show this guidance for a role").inner_text()
    page.get_by_role("navigation", name="Show this guidance for a role").get_by_role("link", name="Everyone").click()
    assert page.url == base_url + "/stalking/"
    assert context.cookies() == []
    assert context.storage_state()["origins"] == []
    assert context.foreign_requests == []
    context.close()


def test_keyboard_reaches_a_paragraph_permalink_and_shows_its_citation(page, base_url):
    page.goto(base_url + "/right-to-know/the-decision/")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.gd-pnum') !== null"):
            break
    else:
        raise AssertionError("no paragraph number was reachable with Tab")
    number = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    block_id = page.evaluate("location.hash").lstrip("#")
    assert block_id.startswith("p-")
    cite = page.locator(f"#{block_id} > .gd-cite")
    assert cite.is_visible()
    assert f"paragraph {number}" in cite.inner_text()
    assert f"/right-to-know/the-decision/#{block_id}" in cite.inner_text()


def test_citations_are_hidden_until_a_paragraph_is_targeted(page, base_url):
    page.goto(base_url + "/stalking/introduction/")
    assert page.locator(".gd-cite").first.is_hidden()


def test_legislation_and_glossary_links(page, base_url):
    page.goto(base_url + "/stalking/understanding-stalking/")
    law = page.locator('a[href^="https://www.legislation.gov.uk/ukpga/1997/40/section/2A"]').first
    assert law.inner_text() == "section 2A of the Protection from Harassment Act 1997"
    abbr = page.locator("abbr[title]").first
    assert abbr.get_attribute("title")
    href = abbr.locator("xpath=..").get_attribute("href")
    page.goto(base_url + "/stalking/understanding-stalking/" + href)
    assert page.url.startswith(base_url + "/glossary/#term-")


def test_print_pages_are_one_page_stamped_and_without_navigation(page, base_url):
    for path, title in [("/stalking/print/", "Multi-agency statutory guidance on stalking"),
                          ("/for/police/print/", "Statutory guidance on stalking for police officers and staff")]:
        page.goto(base_url + path)
        page.emulate_media(media="print")
        assert heading(page) == title
        assert "Version 0.1" in page.locator(".gd-stamp").first.inner_text()
        assert page.locator(".md-sidebar--primary").is_hidden()
        assert page.locator(".md-header").is_hidden()
        assert page.locator(".gd-block").count() > 50
