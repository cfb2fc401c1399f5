"""Reading, switching audience, citing and printing, as a reader does it in Chromium."""
import re
from datetime import date

from tests.browser.conftest import heading, new_guarded_context, phone_context, site_pages


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
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical.startswith("https://") and canonical.endswith("/right-to-know/the-decision/")
    assert cite.locator("code").inner_text() == f"{canonical}#{block_id}", "a citation is the paragraph's full URL"


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


def test_print_pages_are_one_per_document_and_role_with_contents_and_a_stamp(page, base_url):
    today = date.today()
    for path, title, chapters in [
            ("/stalking/print/", "Multi-agency statutory guidance on stalking", 9),
            ("/for/police/stalking/print/", "Multi-agency statutory guidance on stalking: for police officers and staff", 9),
            ("/for/healthcare/right-to-know/print/", "Right to Know guidance: for healthcare staff", None)]:
        page.goto(base_url + path)
        assert heading(page) == title
        stamp = page.locator(".gd-stamp")
        assert re.search(r"Version \d+\.\d+", stamp.inner_text())
        assert f"This page was generated on {today.day} {today:%B %Y}." in stamp.inner_text()
        assert "Printed on" not in stamp.inner_text(), "the printing date appears only when the page is printed"
        page.emulate_media(media="print")
        page.wait_for_function("document.querySelector('.gd-stamp').innerText.includes('Printed on')")
        assert f"Printed on {today.day} {today:%B %Y}." in stamp.inner_text()
        assert page.locator(".md-sidebar--primary").is_hidden() and page.locator(".md-header").is_hidden()
        contents = page.get_by_role("navigation", name="Contents", exact=True)
        assert contents.is_visible(), "the contents list is printed too"
        assert re.search(r"paragraphs \d+\.\d+\.1 to \d+\.\d+\.\d+", contents.inner_text())
        n = page.locator(".gd-chapter").count()
        assert n == page.locator(".gd-chapter:visible").count() and (chapters is None or n == chapters)
        assert page.locator(".gd-chapter-nav").first.is_hidden()
        assert contents.locator(":scope > ul > li").count() == n
        page.emulate_media(media="screen")
    page.goto(base_url + "/for/police/stalking/print/")
    assert "Right to Know" not in page.locator("article h2").all_inner_texts().__str__(), "one document per print page"


def test_a_roles_print_page_lists_one_print_page_per_document(page, base_url):
    page.goto(base_url + "/for/teachers/print/")
    links = page.locator("article").get_by_role("link", name=re.compile("^Print "))
    assert links.count() == 2
    links.first.click()
    assert page.url == base_url + "/for/teachers/stalking/print/"


def test_role_views_start_with_contents_with_paragraph_numbers(page, base_url):
    page.goto(base_url + "/for/teachers/stalking/")
    contents = page.get_by_role("navigation", name="Contents", exact=True)
    first_chapter = page.locator(".gd-chapter").first
    assert contents.bounding_box()["y"] < first_chapter.bounding_box()["y"], "the contents come before the text"
    items = contents.locator("ul ul li")
    sections = page.locator(".gd-chapter h3[data-audiences]")
    assert items.count() == sections.count() > 20
    assert re.fullmatch(r"\d+\.\d+ .+ paragraphs? \d+\.\d+\.\d+( to \d+\.\d+\.\d+)?", items.first.inner_text())
    link = items.nth(5).locator("a")
    target = link.get_attribute("href")
    assert target.startswith("#"), target
    link.click()
    page.wait_for_function("hash => location.hash === hash", arg=target)  # the jump, within Playwright's timeout
    assert page.locator(target).is_visible() and page.locator(target).evaluate("h => h.getBoundingClientRect().top < 200")


def test_a_phone_shows_a_role_view_a_chapter_at_a_time(browser, base_url):
    context = phone_context(browser)
    page = context.new_page()
    page.goto(base_url + "/for/teachers/stalking/")
    chapters = page.locator(".gd-chapter")
    total = chapters.count()
    assert total > 5 and page.locator(".gd-chapter:visible").count() == 1
    assert chapters.first.is_visible()
    one = page.evaluate("document.documentElement.scrollHeight")
    whole = page.evaluate("""() => { const s = document.createElement('style');
        s.textContent = '.gd-chapter { display: block !important }'; document.head.append(s);
        const h = document.documentElement.scrollHeight; s.remove(); return h; }""")
    assert one < whole / 3, f"one chapter at a time: {one} px against {whole} px for them all"
    contents = page.get_by_role("navigation", name="Contents", exact=True)
    contents.locator(":scope > ul > li > a").nth(3).click()
    visible = page.locator(".gd-chapter:visible")
    assert visible.count() == 1 and visible.locator("h2").inner_text().startswith("4.")
    visible.get_by_role("link", name=re.compile("^Next chapter: 5")).click()
    assert page.locator(".gd-chapter:visible h2").inner_text().startswith("5.")
    paragraph = chapters.nth(5).locator(".gd-block").nth(2).get_attribute("id")
    page.goto(base_url + f"/for/teachers/stalking/#{paragraph}")
    assert page.locator(".gd-chapter:visible").count() == 1 and page.locator(f"#{paragraph}").is_visible()
    context.close()
    assert context.foreign_requests == []

    wide = new_guarded_context(browser, viewport={"width": 1280, "height": 900})
    page = wide.new_page()
    page.goto(base_url + "/for/teachers/stalking/")
    assert page.locator(".gd-chapter:visible").count() == total, "a wider screen shows every chapter"
    wide.close()


def test_keyboard_alone_reads_a_role_view_on_a_phone(browser, base_url):
    context = phone_context(browser)
    page = context.new_page()
    page.goto(base_url + "/for/police/stalking/")
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href') === '#stalking--supporting-victims'"):
            break
    else:
        raise AssertionError("Tab did not reach the contents list")
    page.keyboard.press("Enter")
    chapter = page.locator(".gd-chapter:visible")
    assert chapter.locator("h2").inner_text().startswith("4. Supporting victims")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.gd-chapter') !== null")
    assert chapter.evaluate("(c, el) => c.contains(document.activeElement)", None)
    context.close()
    assert context.foreign_requests == []


def test_every_page_is_in_the_sitemap_with_its_full_address(page, base_url, built_site):
    page.goto(base_url + "/")
    root = page.locator('link[rel="canonical"]').get_attribute("href")
    assert root.startswith("https://")
    locations = set(re.findall(r"<loc>([^<]+)</loc>", (built_site / "sitemap.xml").read_text()))
    pages = {root + path.lstrip("/") for path in site_pages(built_site) if path != "/404/"}
    assert pages <= locations
    page.goto(base_url + "/for/police/stalking/print/")
    assert page.locator('link[rel="canonical"]').get_attribute("href") == root + "for/police/stalking/print/"
