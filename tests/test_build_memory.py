"""What guidance build lets go of to hold less memory (the rendered Markdown once written, MkDocs' copy of each
page's Markdown and HTML once used) changes nothing in the site it builds."""
import shutil
from pathlib import Path

from builder import pipeline
from builder.site import build as site
from builder.site import engines


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_site_is_the_same_byte_for_byte_with_and_without_letting_go(project, tmp_path, monkeypatch):
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    checked, lean = pipeline.build(project)
    assert lean is not None and lean.ok
    with monkeypatch.context() as m:
        m.setattr(engines._ReleaseMarkdown, "on_page_content", lambda self, html, **kw: html)
        m.setattr(engines._ReleaseMarkdown, "on_post_page", lambda self, output, **kw: output)
        real = site.build_site  # pipeline.build imports it from builder.site.build when it runs
        m.setattr(site, "build_site", lambda *a, **kw: real(*a, **{**kw, "keep_pages": True}))
        checked, kept = pipeline.build(twin)
    assert kept is not None and kept.ok
    lean_tree, kept_tree = tree(project / "site"), tree(twin / "site")
    assert lean_tree.keys() == kept_tree.keys() and len(lean_tree) > 20
    assert [p for p in lean_tree if lean_tree[p] != kept_tree[p]] == []


def test_the_rendered_markdown_is_let_go_only_when_the_caller_says_so(project):
    from builder.render.pages import Options, render

    content = pipeline.check(project).content
    kept, lean = render(content, Options()), render(content, Options())
    assert site.build_site(project, kept, project / "site", preview=False).ok and kept.pages
    assert site.build_site(project, lean, project / "site", preview=False, keep_pages=False).ok and not lean.pages
