"""Parse once, for real (issue 26): one build parses each distinct text once (builder/content/inline.py: the
content's Trees), and validation, the house rules, render, the leak check and the diff all read that parse."""
from builder import pipeline
from builder.content import inline
from builder.content.load import load_tree
from builder.content.model import public_texts
from builder.content.views import visible
from builder.content.validate.schema import reader_fields


def test_one_build_parses_each_distinct_text_once(project, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDANCE_SITE_URL", "https://guidance.example/")
    calls: list[str] = []
    real = inline.parse
    monkeypatch.setattr(inline, "parse", lambda text: calls.append(text) or real(text))
    checked, result = pipeline.build(project, out_dir=tmp_path / "site")
    assert result is not None and result.ok, checked.problems
    distinct = set(calls)
    assert len(calls) == len(distinct), "as many parses as distinct texts: none parsed twice"
    files, _ = load_tree(project)
    written = {text for f in files for _, mode, text in reader_fields(f.kind, f.data) if mode in ("inline", "plain")}
    assert written <= distinct, "every text readers see was parsed, in this build"
    # Beyond those: the other strings readers see, which the glossary's walk reads for term references
    # (content.views.used_terms), and the references render writes itself (a registry table's provisions).
    shown = {str(text) for text in public_texts(visible(checked.content, preview=False)) if text}
    assert {t for t in distinct - written - shown if not t.startswith("[[")} == set()


def test_a_tree_joined_as_the_renderer_reads_it_is_the_tree_of_the_joined_text(project):
    """Trees.joined makes the renderer's tree (the text's lines joined) from the text's own, without parsing again:
    it must be the tree a parse of the joined text gives, for every text of the project and of the real content."""
    from pathlib import Path

    def shape(nodes):
        return [(type(n).__name__, getattr(n, "text", None), getattr(n, "url", None), getattr(n, "kind", None),
                 getattr(n, "target", None), getattr(n, "label", None), getattr(n, "strong", None),
                 shape(getattr(n, "children", ()))) for n in nodes]

    for root in (project, Path(__file__).resolve().parent.parent):
        files, _ = load_tree(root)
        trees = inline.Trees()
        for text in {t for f in files for _, mode, t in reader_fields(f.kind, f.data) if mode == "inline"}:
            assert shape(trees.joined(text).nodes) == shape(inline.parse(" ".join(text.split())).nodes), text
