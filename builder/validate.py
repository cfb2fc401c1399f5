"""Validate stage: JSON Schema per file, then the model is built and cross-references are checked."""
from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from builder import rules
from builder.config import Config
from builder.load import SourceFile, locator
from builder.model import Block, Chapter, Content, Document, Edition, Pos, Problem, Section

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
BLOCK_KINDS = ("para", "list", "steps", "callout", "table")
REGISTRY_TABLE_WIDTH = 4  # offence or order, provision, maximum penalty, time limit (builder/templates/macros.md.j2)
REGISTRY_TEXTS = ("offence", "max_penalty", "time_limit")
REF = re.compile(r"\[\[([^\]\n]*)\]\]")
REF_PARTS = re.compile(r"^(law|term|section|service):([^|\]]+?)(?:\|([^|\]]+))?$")
RAW_HTML = re.compile(r"<\s*[A-Za-z/!?]|&#|&[A-Za-z]+;")
LINK = re.compile(r"\]\(\s*([^)\s]*)[^)]*\)")
ATTR_LIST = re.compile(r"\{[^{}\n]*\}")  # any braces: attr_list reads {: …}, { #id }, { data-x=… onclick=… }
IMAGE = re.compile(r"!\[")
LINK_DEF = re.compile(r"^\s*\[[^\]\n]*\]:")  # "[1]: javascript:…" defines a link for the whole page
SNIPPET = re.compile(r"-{1,2}8<-{1,2}|;-{1,2}8<-{1,2}")


@functools.cache
def schema(kind: str) -> Draft202012Validator:
    spec = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(spec, format_checker=FormatChecker())


def validate(files: list[SourceFile], config: Config | None = None,
             complete: bool = True) -> tuple[Content, list[Problem]]:
    """Check every file against its schema, build the model from the files that pass, and check references."""
    content, sources, problems = _schema_and_model(files)
    valid = list(sources.values())
    problems.extend(reference_problems(content, sources, _all_section_ids(files)))
    problems.extend(rules.check(content, sources, config or Config(), complete=complete and len(valid) == len(files)))
    return content, problems


def model(files: list[SourceFile]) -> tuple[Content, list[Problem]]:
    """The content model and the schema problems that kept files out of it, without references or house rules:
    what a diff or an archived edition needs."""
    content, _, problems = _schema_and_model(files)
    return content, problems


def _schema_and_model(files: list[SourceFile]):
    problems: list[Problem] = []
    valid: list[SourceFile] = []
    for source in files:
        if source.schema_problems is None:  # load_entries' cache gives a blob read at two revisions one SourceFile
            source.schema_problems = schema_problems(source)
        found = source.schema_problems
        problems.extend(found)
        if not found:
            valid.append(source)
    content, sources = build_content(valid)
    return content, sources, problems


def _all_section_ids(files: list[SourceFile]) -> dict[str, set[str]]:
    """Section ids by document folder, including files that failed their schema, so that one broken chapter
    does not turn every link into it into a second, misleading problem."""
    out: dict[str, set[str]] = {}
    for f in files:
        if f.kind == "chapter" and isinstance(f.data, dict) and isinstance(f.data.get("sections"), list):
            ids = {s["id"] for s in f.data["sections"] if isinstance(s, dict) and isinstance(s.get("id"), str)}
            out.setdefault(f.path.split("/")[1], set()).update(ids)
    return out


def schema_problems(source: SourceFile) -> list[Problem]:
    errors = sorted(schema(source.kind).iter_errors(source.data), key=lambda e: list(map(str, e.absolute_path)))
    return [_explain(source, e) for e in errors]


def _context(source: SourceFile, path: tuple) -> str:
    """Name the thing at path for a message: "section 'sdash'", "block 3 of section 'sdash'", "the file"."""
    data, names = source.data, []
    for i, step in enumerate(path):
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            break
        parent = path[i - 1] if i else None
        if isinstance(data, dict):
            if parent == "sections":
                names.append(f"section '{data.get('id', step + 1)}'")
            elif parent == "blocks":
                names.append(f"block {step + 1}")
            elif parent == "sources":
                names.append(f"source {step + 1}")
            elif isinstance(step, int):
                names.append(f"entry '{data.get('id', step + 1)}'")
    return " of ".join(reversed(names)) or "the file"


def _explain(source: SourceFile, e) -> Problem:
    """Turn a jsonschema error into a positioned problem in the editor's words."""
    path = tuple(e.absolute_path)
    where = _context(source, path)
    field = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
    code = f"schema.{e.validator}"
    desc = e.schema.get("description", "") if isinstance(e.schema, dict) else ""
    if e.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", e.message)
        name = missing.group(1) if missing else "a field"
        sub = e.schema.get("properties", {}).get(name, {}).get("description") or _describe(source.kind, name)
        return Problem(source.pos(path), "error", code, f"{where} has no '{name}'",
                       f"Add '{name}:'. {sub}".strip())
    if e.validator == "additionalProperties":
        allowed = sorted(e.schema.get("properties", {}))
        extra = [k for k in e.instance if k not in allowed]
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        return Problem(source.pos(path + (key,), key=True), "error", code,
                       f"{where} has an unknown field '{key}'", f"{hint}Allowed fields: {', '.join(allowed)}.")
    if e.validator == "oneOf" and path and isinstance(e.instance, dict) and "para" in str(e.schema.get("oneOf")):
        present = [k for k in BLOCK_KINDS if k in e.instance]
        what = "none" if not present else " and ".join(present)
        return Problem(source.pos(path), "error", "schema.block-kind",
                       f"{where} has {what} of para, list, steps, callout, table; it needs exactly one",
                       "Split it into one block per kind, each starting with '- ' in the blocks list.")
    if e.validator == "enum":
        options = ", ".join(map(str, e.validator_value))
        close = difflib.get_close_matches(str(e.instance), [str(v) for v in e.validator_value], n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        return Problem(source.pos(path), "error", code, f"{field} of {where} is '{e.instance}'; it must be one of: {options}",
                       f"{hint}{desc}".strip())
    if e.validator == "format":
        return Problem(source.pos(path), "error", "schema.date", f"{field} of {where} is '{e.instance}', not a real date",
                       "Write dates as YYYY-MM-DD, for example 2027-03-31.")
    if e.validator == "type":
        want = e.validator_value if isinstance(e.validator_value, str) else " or ".join(e.validator_value)
        words = {"string": "text", "array": "a list", "object": "a mapping of fields", "boolean": "true or false",
                 "integer": "a whole number"}
        got = {str: "text", list: "a list", dict: "a mapping", bool: "true/false", int: "a number",
               float: "a number", type(None): "empty"}.get(type(e.instance), type(e.instance).__name__)
        return Problem(source.pos(path), "error", code, f"{field} of {where} should be {words.get(want, want)}, not {got}",
                       desc or "Check the indentation: a list item starts with '- '.")
    if e.validator == "pattern":
        return Problem(source.pos(path), "error", code, f"{field} of {where} ({_short(e.instance)}) is not in the expected form",
                       desc or f"It must match {e.validator_value}.")
    if e.validator == "minLength" and e.validator_value > 1 and e.instance:
        return Problem(source.pos(path), "error", code,
                       f"{field} of {where} is too short (at least {e.validator_value} characters)", desc)
    if e.validator in ("minItems", "minLength", "minProperties"):
        return Problem(source.pos(path), "error", code, f"{field} of {where} is empty", desc or "Fill it in or remove it.")
    if e.validator == "uniqueItems":
        return Problem(source.pos(path), "error", code, f"{field} of {where} lists the same value twice", "Remove the repeat.")
    return Problem(source.pos(path), "error", code, f"{field} of {where}: {e.message}", desc)


def _describe(kind: str, name: str) -> str:
    """The description of property `name` anywhere in the kind's schema (for rules written in if/then)."""
    def walk(node):
        if isinstance(node, dict):
            prop = node.get("properties", {}).get(name)
            if isinstance(prop, dict) and prop.get("description"):
                return prop["description"]
            for value in node.values():
                if (found := walk(value)):
                    return found
        elif isinstance(node, list):
            for value in node:
                if (found := walk(value)):
                    return found
        return ""
    return walk(schema(kind).schema)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def build_content(files: list[SourceFile]) -> tuple[Content, dict[str, SourceFile]]:
    """Assemble the content tree from schema-valid files. Returns it with the files keyed by path."""
    by_path = {f.path: f for f in files}
    registry = {f.kind: f.data for f in files if f.kind in ("audiences", "legislation", "glossary", "services")}
    documents = []
    for doc_file in (f for f in files if f.kind == "document"):
        folder = doc_file.path.rsplit("/", 1)[0]
        chapters = [_chapter(f) for f in files if f.kind == "chapter" and f.path.rsplit("/", 1)[0] == folder]
        d = doc_file.data
        documents.append(Document(
            id=d["id"], title=d["title"], short_title=d["short_title"], summary=d["summary"],
            status_note=d["status_note"], issued_under=d["issued_under"], must_have_regard=d["must_have_regard"],
            extent=d["extent"], version=d["version"], editions=[Edition(**e) for e in d["editions"]],
            chapters=chapters, pos=doc_file.pos(()), order=d.get("order", 100),
            regard_audiences=d.get("regard_audiences"),
        ))
    documents.sort(key=lambda d: (d.order, d.id))
    content = Content(
        documents=documents,
        audiences=registry.get("audiences", {}).get("audiences", []),
        acts=registry.get("legislation", {}).get("acts", []),
        terms=registry.get("glossary", {}).get("terms", []),
        services=registry.get("services", {}).get("services", []),
    )
    return content, by_path


def _chapter(f: SourceFile) -> Chapter:
    sections = []
    for si, s in enumerate(f.data["sections"]):
        blocks = []
        for bi, b in enumerate(s["blocks"]):
            kind = next(k for k in BLOCK_KINDS if k in b)
            path = ("sections", si, "blocks", bi)
            blocks.append(Block(id=b.get("id"), kind=kind, value=b[kind], notes=b.get("notes", {}),
                                pos=f.pos(path), path=path))
        sections.append(Section(
            id=s["id"], title=s["title"], audiences=s["audiences"], status=s["status"], blocks=blocks,
            pos=f.pos(("sections", si)), legal_basis=s.get("legal_basis", []), sources=s.get("sources", []),
            review_by=s.get("review_by"), withdrawn=s.get("withdrawn"), path=("sections", si),
        ))
    return Chapter(id=f.data["id"], title=f.data["title"], summary=f.data.get("summary"), sections=sections,
                   pos=f.pos(()))


def reference_problems(content: Content, sources: dict[str, SourceFile],
                       section_ids: dict[str, set[str]]) -> list[Problem]:
    """Ids unique, audiences known, every reference resolves, no markup that could inject HTML."""
    out: list[Problem] = []
    audiences = {a["id"] for a in content.audiences}
    provisions = content.provisions()
    terms = {t["id"] for t in content.terms}
    services = {s["id"] for s in content.services}

    def err(pos, code, message, hint="", severity="error"):
        out.append(Problem(pos, severity, code, message, hint))

    def check_law(ref, pos):
        """pos may be a callable: working out a position in text reads the source, so only do it for a problem."""
        if ref not in provisions:
            pos = pos() if callable(pos) else pos
            close = difflib.get_close_matches(ref, provisions, n=1)
            err(pos, "ref.law", f"'{ref}' is not in legislation.yaml",
                f"Did you mean '{close[0]}'?" if close else "Add the Act and provision to content/legislation.yaml.")

    def check_text(text, at, doc_id):
        """Check one piece of inline text; at(offset) gives the position of a character in it."""
        for m in REF.finditer(text):
            where = functools.partial(at, m.start())
            parts = REF_PARTS.match(m.group(1).strip())
            if not parts:
                err(where(), "ref.syntax", f"reference [[{m.group(1)}]] is not in the form [[kind:id]]",
                    "Use [[law:act/provision]], [[term:ID]], [[section:id]] or [[service:id]].")
                continue
            kind, target, _ = parts.groups()
            if kind == "law":
                check_law(target, where)
            elif kind == "term" and target not in terms:
                close = difflib.get_close_matches(target, terms, n=1)
                err(where(), "ref.term", f"glossary term '{target}' is not defined",
                    f"Did you mean '{close[0]}'?" if close else "Add it to content/glossary.yaml.")
            elif kind == "service" and target not in services:
                err(where(), "ref.service", f"service '{target}' is not in services.yaml", "Add it to content/services.yaml.")
            elif kind == "section":
                doc, _, sid = target.rpartition("/")
                if sid not in section_ids.get(doc or doc_id, set()):
                    err(where(), "ref.section", f"section '{target}' does not exist",
                        "Check the section id (not its title); for the other document write [[section:DOC/ID]].")
        masked = REF.sub(lambda m: " " * len(m.group(0)), text)
        if (m := RAW_HTML.search(masked)):
            err(at(m.start()), "text.html", "raw HTML or an HTML entity in text",
                "Write plain text; use *emphasis* and [link](https://…) for formatting. This is disallowed because "
                "markup in content could inject scripts into the public site.")
        for m in LINK.finditer(masked):
            url = m.group(1)
            if not re.match(r"^(https://|mailto:)", url):
                err(at(m.start(1)), "text.link", f"link target '{url.split(':')[0] + ':' if ':' in url else url}…' "
                    "is not an https:// or mailto: address",
                    "Link to public https:// pages; link to sections with [[section:id]].")
        if (m := ATTR_LIST.search(masked)):
            err(at(m.start()), "text.attributes", "attribute syntax {…} in text",
                "Remove the braces; styling comes from the theme. This is disallowed because attributes can carry "
                "event handlers that run scripts.")
        if (m := SNIPPET.search(masked)):
            err(at(m.start()), "text.snippet", "a file-inclusion marker (--8<--) in text",
                "Remove it; content cannot include files.")
        if (m := IMAGE.search(masked)):
            err(at(m.start()), "text.image", "an image ![…](…) in text",
                "Remove it; the guidance has no images, which would load from other sites without reviewed alt text.")
        if (m := LINK_DEF.search(masked)):
            err(at(m.end() - 1), "text.link", "a reference-style link definition [id]: … in text",
                "Write links inline as [words](https://…). This is disallowed because a definition escapes the "
                "link check and applies to the whole page.")

    for doc in content.documents:
        doc_source = sources.get(doc.pos.file)
        folder = doc.pos.file.split("/")[1]
        if doc.id != folder:
            err(doc_source.pos(("id",)) if doc_source else doc.pos, "document.id",
                f"document id '{doc.id}' differs from its folder name '{folder}'",
                "Rename the folder or the id so that they match: the id is the document's URL.")
        check_law(doc.issued_under, doc_source.pos(("issued_under",)) if doc_source else doc.pos)
        versions = [e.version for e in doc.editions]
        if doc.version not in versions:
            err(doc_source.pos(("version",)) if doc_source else doc.pos, "document.version",
                f"version {doc.version} is not one of the editions ({', '.join(versions)})",
                "Add an edition for it, or set version to the newest edition.")
        check_text(doc.summary, locator(doc_source, ("summary",), doc.summary), doc.id)
        for i, a in enumerate(doc.regard_audiences or []):
            if a not in audiences:
                err(doc_source.pos(("regard_audiences", i)) if doc_source else doc.pos, "ref.audience",
                    f"audience '{a}' is not in audiences.yaml", f"Use one of: {', '.join(sorted(audiences))}.")
        for chapter in doc.chapters:
            for section in chapter.sections:
                src = sources.get(section.pos.file)
                at = (lambda *p: src.pos(section.path + p)) if src else (lambda *p: section.pos)
                for i, a in enumerate(section.audiences):
                    if a != "all" and a not in audiences:
                        err(at("audiences", i), "ref.audience", f"audience '{a}' is not in audiences.yaml",
                            f"Use one of: all, {', '.join(sorted(audiences))}.")
                if "all" in section.audiences and len(section.audiences) > 1:
                    err(at("audiences"), "audience.all-and-more", "audiences lists 'all' with other audiences",
                        "Write [all] alone, or list the audiences it is for.", "warning")
                for i, ref in enumerate(section.legal_basis):
                    check_law(ref, at("legal_basis", i))
                if section.withdrawn:
                    reason = section.withdrawn["reason"]
                    check_text(reason, locator(src, section.path + ("withdrawn", "reason"), reason), doc.id)
                for block in section.blocks:
                    for a in block.notes:
                        if a not in audiences:
                            err(src.pos(block.path + ("notes", a), key=True) if src else block.pos, "ref.audience",
                                f"note for unknown audience '{a}'", f"Use one of: {', '.join(sorted(audiences))}.")
                    if block.kind == "table":
                        width = len(block.value["header"])
                        if block.value.get("registry") and width != REGISTRY_TABLE_WIDTH:
                            err(src.pos(block.path + ("table", "header")) if src else block.pos, "table.width",
                                f"the header has {width} cells; a table with registry: {block.value['registry']} "
                                f"has {REGISTRY_TABLE_WIDTH} columns",
                                "Name the columns: offence or order, provision, maximum penalty, time limit.")
                        for r, row in enumerate(block.value["rows"]):
                            if len(row) != width:
                                err(src.pos(block.path + ("table", "rows", r)) if src else block.pos, "table.width",
                                    f"row {r + 1} has {len(row)} cells; the header has {width}",
                                    "Give every row one cell per column.")
                    for text, sub in block.texts_at():
                        check_text(text, locator(src, block.path + sub, text), doc.id)
    out.extend(_id_problems(content.documents))
    glossary = next((s for s in sources.values() if s.kind == "glossary"), None)
    legislation = next((s for s in sources.values() if s.kind == "legislation"), None)
    for ai, act in enumerate(content.acts):
        for pi, prov in enumerate(act["provisions"]):
            for key in REGISTRY_TEXTS:  # readers see these in the table that registry: offences generates
                if prov.get(key):
                    path = ("acts", ai, "provisions", pi, key)
                    check_text(prov[key], locator(legislation, path, prov[key]), "")
    for i, term in enumerate(content.terms):
        path = ("terms", i, "definition")
        check_text(term["definition"], locator(glossary, path, term["definition"]), "")
    return out


def _id_problems(documents: list[Document]) -> list[Problem]:
    """Chapter ids unique in their document; section and block ids unique across all documents, because audience
    views and print pages put both documents on one page; every block has an id."""
    out = []
    sections: dict[str, Pos] = {}
    blocks: dict[str, Pos] = {}

    def once(seen, kind, ident, pos, why):
        if ident in seen:
            out.append(Problem(pos, "error", "ids.duplicate", f"{kind} id '{ident}' is also used at {seen[ident]}", why))
        seen.setdefault(ident, pos)

    for doc in documents:
        chapters: dict[str, Pos] = {}
        for chapter in doc.chapters:
            once(chapters, "chapter", chapter.id, chapter.pos, "Chapter ids are URLs and must be unique in the document.")
            for section in chapter.sections:
                once(sections, "section", section.id, section.pos,
                     "Section ids are anchors and must be unique across the guidance; rename the new one.")
                for n, block in enumerate(section.blocks, 1):
                    if block.id is None:
                        out.append(Problem(block.pos, "error", "ids.missing",
                                           f"block {n} of section '{section.id}' has no id",
                                           "Run `guidance fmt` to assign paragraph ids."))
                    else:
                        once(blocks, "block", block.id, block.pos,
                             "Block ids must be unique across the guidance; delete this id and run `guidance fmt`.")
    return out
