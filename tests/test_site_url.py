"""The public site's address (site_url): citations, canonical links and the sitemap are full URLs under it; a public
build without one stops with a hint and changes nothing, and a preview may run without it."""
import re

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.cli import main


def without_site_url(root):
    config = root / "mkdocs.yml"
    text = config.read_text()
    assert re.search(r"^site_url: ", text, re.M)
    config.write_text(re.sub(r"^site_url: .*\n", "", text, flags=re.M))


def test_public_build_without_an_address_stops_with_a_hint_and_writes_nothing(project, monkeypatch):
    monkeypatch.delenv("GUIDANCE_SITE_URL", raising=False)
    without_site_url(project)
    run = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert run.exit_code == 1
    assert "mkdocs.yml: error [build.site-url] the public site has no address" in run.output
    assert "GUIDANCE_SITE_URL=https://" in run.output and "A preview build needs neither" in run.output
    assert "Traceback" not in run.output
    assert not (project / "site").exists()


@pytest.mark.slow
def test_preview_build_runs_without_an_address_and_cites_paths(project, monkeypatch):
    monkeypatch.delenv("GUIDANCE_SITE_URL", raising=False)
    without_site_url(project)
    checked, result = pipeline.build(project, preview=True)
    assert result is not None and result.ok, result.problems if result else checked.problems
    page = (project / "site-preview/alpha/basics/index.html").read_text()
    assert re.search(r"<code>/alpha/basics/#p-\w+</code>", page)
    assert 'rel="canonical"' not in page


@pytest.mark.slow
def test_the_workflow_address_wins_and_every_url_is_full(project, monkeypatch):
    monkeypatch.setenv("GUIDANCE_SITE_URL", "https://home-office.github.io/stalking-guidance")
    checked, result = pipeline.build(project)
    assert result is not None and result.ok, result.problems if result else checked.problems
    site = project / "site"
    page = (site / "alpha/basics/index.html").read_text()
    assert '<link rel="canonical" href="https://home-office.github.io/stalking-guidance/alpha/basics/">' in page
    cites = re.findall(r"<code>([^<]+)</code></p>", page)
    assert cites and all(c.startswith("https://home-office.github.io/stalking-guidance/alpha/basics/#p-") for c in cites)
    sitemap = (site / "sitemap.xml").read_text()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://home-office.github.io/stalking-guidance/alpha/basics/" in locations
    assert all(loc.startswith("https://home-office.github.io/stalking-guidance/") for loc in locations)
    stamp = (site / "for/police/alpha/print/index.html").read_text()
    assert "check <span class=\"gd-url\">https://home-office.github.io/stalking-guidance/for/police/alpha/</span>" in stamp


def test_an_address_that_is_not_a_web_address_is_refused(project, monkeypatch):
    monkeypatch.setenv("GUIDANCE_SITE_URL", "guidance.example/ with spaces")
    checked, result = pipeline.build(project)
    assert not result.ok
    [problem] = result.problems
    assert problem.code == "build.site-url" and "GUIDANCE_SITE_URL is not a web address" in problem.message
    assert not (project / "site").exists()


@pytest.mark.parametrize("url", ['https://x.example/"onmouseover="alert(1)', "https://x.example/<script>",
                                 "https://x.example/`x`", "https://x.example/%3Cscript%3E", "https://x.example/a'b",
                                 "https://x.example/a&b", "https://-/", "https://a..b/", "https://x_y.example/",
                                 "https://user:pw@x.example/", "javascript:alert(1)//", "https://x.example/?q=1",
                                 "https://x.example:99999/", "https:///nohost", "ftp://x.example/",
                                 "https://1.2.3.4:0/", "https://x.example/%zz", "https://x.example/a%2"])
def test_an_address_with_anything_html_or_xml_must_escape_or_no_real_host_is_refused_first(project, monkeypatch, url):
    monkeypatch.setenv("GUIDANCE_SITE_URL", url)
    run = CliRunner().invoke(main, ["build", "--root", str(project)])
    assert run.exit_code == 1
    lines = [line for line in run.output.splitlines() if "error [" in line]
    assert lines == [lines[0]] and lines[0].startswith("mkdocs.yml: error [build.site-url] the environment variable "
                                                       "GUIDANCE_SITE_URL is not a web address"), run.output
    assert "hint: Write the address readers open" in run.output
    assert "unsafe-html" not in run.output and "Report this" not in run.output
    assert not (project / "site").exists() and not (project / "build").exists(), "refused before anything is built"


@pytest.mark.parametrize("url, address", [
    ("HTTPS://X.EXAMPLE/", "https://x.example/"),
    ("https://bücher.example/guide", "https://xn--bcher-kva.example/guide/"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ("https://x.example:443/guide", "https://x.example/guide/"),  # the default port is the address without one
    ("http://x.example:80", "http://x.example/"),
    ("https://x.example:80/", "https://x.example:80/"),
    ("https://home-office.github.io/stalking-guidance", "https://home-office.github.io/stalking-guidance/"),
])
def test_an_address_is_read_as_an_address(project, monkeypatch, url, address):
    from builder.site.build import site_url

    monkeypatch.setenv("GUIDANCE_SITE_URL", url)
    assert site_url(project, preview=False) == (address, None)
