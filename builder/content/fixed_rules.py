"""The checks that always apply (in load.py and validate.py), described for docs/rules.md with examples."""

_HEAD = "- id: {id}\n  title: {title}\n  audiences: [{aud}]\n  status: published\n  blocks:\n    - id: {bid}\n"


def _para(text: str, sid: str = "orders", title: str = "Orders", aud: str = "police", bid: str = "f1a1") -> str:
    return _HEAD.format(id=sid, title=title, aud=aud, bid=bid) + f"      para: {text}\n"


# (code, severity, title, why, passing section, failing section)
FIXED = [
    ("ref.law", "error", "Legislation references resolve",
     """`[[law:act/provision]]` must name a provision in content/legislation.yaml, so that every citation links to
     legislation.gov.uk and shows the provision's name.""",
     _para("Stalking is an offence under [[law:pha-1997/s2A]]."),
     _para("Stalking is an offence under [[law:pha-1997/s99]].")),
    ("ref.term", "error", "Glossary references resolve",
     """`[[term:ID]]` must name an entry in content/glossary.yaml: readers get its expansion and a link to it.""",
     _para("The court can make an [[term:SPO]]."),
     _para("The court can make an [[term:SPOO]].")),
    ("ref.section", "error", "Section references resolve",
     """`[[section:id]]` must name a section of the same document (`[[section:doc/id]]` for the other one), by its
     id, not its title. The link shows the section's number and title.""",
     _para("See [[section:beta-one]]."),
     _para("See [[section:the-one-section]].")),
    ("ref.unpublished", "error", "Published text refers only to published sections",
     """A published section may refer to another section only once that one is published too: until then the
     public site cannot link to it and would show its id as words. Publish the two in the same edition.""",
     _para("See [[section:beta-one]]."),
     _para("See [[section:alpha/secret-draft]].")),
    ("ref.service", "error", "Service references resolve",
     """`[[service:id]]` must name a service in content/services.yaml, so that its phone number is always the
     current one.""",
     _para("Victims can call the [[service:helpline]]."),
     _para("Victims can call the [[service:stalking-line]].")),
    ("ref.syntax", "error", "References are written [[kind:id]]",
     """A reference is `[[law:…]]`, `[[term:…]]`, `[[section:…]]` or `[[service:…]]`, optionally with
     `|words to show`.""",
     _para("Read [[section:beta-one|the first section]] first."),
     _para("Read [[what-it-is]] first.")),
    ("ref.audience", "error", "Audiences are known",
     """`audiences` and audience notes name readers from content/audiences.yaml (or `all`), because each audience
     has its own view of the site.""",
     _para("Officers should record the report.", aud="police"),
     _para("Officers should record the report.", aud="officers")),
    ("audience.all-and-more", "warning", "`all` stands alone",
     """`[all]` already includes every audience; listing others beside it suggests a mistake.""",
     _para("Everyone should take reports seriously.", aud="all"),
     _para("Everyone should take reports seriously.", aud="all, police")),
    ("ids.duplicate", "error", "Ids are unique",
     """Section ids are link anchors and block ids are paragraph anchors; both must be unique across the guidance,
     because audience views put both documents on one page. Chapter ids are unique in their document. Glossary
     ids are unique ignoring letter case, because they are anchors of the glossary page.

     Of two sections or blocks with one id, the problem is on the one that is new since the base branch (the merge
     base with main, from git): the copy, never the published original, whose id readers' links and citations use.
     Without git history it is on the later one, unless that one is published and the other is not; no hint asks
     you to change the id of a published section or block. Until it is fixed the copy is left out of the other
     checks, and `[[section:…]]` references keep meaning the original: the collision is the one problem.""",
     _para("A new paragraph with its own id.", bid="f1a2"),
     _para("A new paragraph reusing another block's id.", bid="aaa1")),
    ("ids.missing", "error", "Every block has an id",
     """The block id is the paragraph's permanent anchor (`#p-k3v9`). `guidance fmt` assigns missing ones; never
     write or change them by hand.""",
     _para("A paragraph with an id."),
     "- id: orders\n  title: Orders\n  audiences: [police]\n  status: published\n  blocks:\n"
     "    - para: A paragraph without an id.\n"),
    ("table.width", "error", "Table rows match the header",
     """Every row of a table has one cell per column heading, so that screen readers announce the right heading.""",
     "- id: orders\n  title: Orders\n  audiences: [police]\n  status: published\n  blocks:\n    - id: f1a1\n"
     "      table:\n        caption: Orders\n        header: [Order, Made by]\n        rows:\n"
     "          - [Stalking protection order, Magistrates' court]\n",
     "- id: orders\n  title: Orders\n  audiences: [police]\n  status: published\n  blocks:\n    - id: f1a1\n"
     "      table:\n        caption: Orders\n        header: [Order, Made by]\n        rows:\n"
     "          - [Stalking protection order, Magistrates' court, 2 years]\n"),
    ("text.html", "error", "No HTML in text",
     """Text is plain sentences with a little Markdown. Raw HTML or HTML entities could inject scripts into the
     public site, so they are refused; the theme does all styling.""",
     _para("Call 999 *now* if the victim is in danger."),
     _para("Call 999 <b>now</b> if the victim is in danger.")),
    ("text.link", "error", "Links go to https:// or mailto: addresses",
     """Links must point at public https:// pages (or mailto:). `javascript:` and other schemes can run code, and
     reference-style link definitions (`[1]: …`) are refused because they escape this check. Link to sections with
     `[[section:id]]`.""",
     _para("Read the [Crown Prosecution Service guidance](https://www.cps.gov.uk/legal-guidance/stalking)."),
     _para("Read the [guidance](javascript:alert(1)).")),
    ("text.attributes", "error", "No attribute syntax in text",
     """Curly-brace attribute syntax (`{: onclick=…}`) can attach event handlers that run scripts, so braces are
     refused in text.""",
     _para("Stalking is a pattern of behaviour."),
     _para("Stalking is a pattern of behaviour. { onclick=alert(1) }")),
    ("text.snippet", "error", "No file-inclusion markers",
     """`--8<--` includes a file in some Markdown setups; content can never include files.""",
     _para("See the annex."),
     _para("--8<-- \"/etc/passwd\"")),
    ("text.image", "error", "No images in text",
     """Images in text (`![…](…)`) would load from other sites and have no reviewed alternative text; the guidance
     has none.""",
     _para("The form is in the annex."),
     _para("Fill in the form ![form](https://example.org/form.png) with the victim.")),
    ("text.plain", "error", "Titles and names are plain words",
     """Titles, names, captions and other fields readers see exactly as written cannot hold references, links or
     *emphasis*: they would be shown as typed. Every field readers see is declared in the schemas (`x-reader`:
     inline, plain or url) and checked here, so none escapes the checks that paragraphs get.""",
     _para("Orders under section 2A.", title="Orders under section 2A"),
     _para("Orders under section 2A.", title="Orders under **section 2A**")),
]

# Problems with a file as a whole; each is an error and stops the build.
FILE_PROBLEMS = {
    "load.no-content": "there is no content/ folder where guidance was run",
    "load.unexpected-file": "a YAML file sits where the content model has no place for it",
    "load.unreadable": "the file cannot be read (permissions, a broken link)",
    "load.too-large": "the file is over 1 MB: split the chapter",
    "load.encoding": "the file is not UTF-8",
    "load.bom": "a byte-order mark (U+FEFF) in the middle of the file",
    "load.bidi": "a bidirectional control character (such as U+202E) that can make text read differently from how it "
                 "is stored",
    "load.invisible": "an invisible character: zero-width space or joiner, line or paragraph separator, or any other "
                      "format character (Unicode category Cf: soft hyphen, tag characters that can carry hidden "
                      "text), a Hangul filler or a variation selector",
    "load.control-char": "an invisible control character",
    "load.tab": "a tab character: use spaces",
    "load.syntax": "the YAML cannot be read (indentation, quoting)",
    "load.indentation": "a field is indented more than the field above it, whose value is already given (YAML would "
                        "say that mapping values are not allowed here): indent it as the field above",
    "load.conflict": "git's merge-conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`): two branches changed the same "
                     "lines; keep what should stay and delete the markers",
    "load.duplicate-key": "the same key twice in one mapping (`1:` and `true:` count as the same)",
    "load.key-type": "a key that is not text, such as a number or a date",
    "load.anchor": "a YAML anchor (`&name`): content never reuses values",
    "load.alias": "a YAML alias (`*name`): refused before it is expanded, so an alias bomb costs nothing",
    "load.tag": "an explicit YAML tag (`!!python/object/apply:…`, `!!str`)",
    "load.merge-key": "a YAML merge key (`<<`), which adds fields that cannot be seen where they land",
    "load.directive": "a `%YAML` or `%TAG` directive, which changes how the file is read",
    "load.multiple-documents": "more than one YAML document (a `---` line)",
    "load.too-deep": "data nested more than 40 levels deep",
    "load.number": "a number longer than 30 characters (quote it if it is text)",
    "load.not-a-file": "a path in content/ that is not a plain file or folder: a symbolic link, a named pipe, a "
                       "device, a socket, a submodule or a folder named like a YAML file. Every command refuses it, "
                       "in the working tree and in a git revision alike, so nothing is read from outside the "
                       "repository and what is built is what the diff shows",
    "load.file-name": "a file or folder name that is not plain UTF-8 text (bytes that are not UTF-8, control or "
                      "invisible characters); it is printed with those characters escaped",
    "schema.*": "a field is missing, unknown, of the wrong type or not in the expected form (the message names it "
                "and the hint quotes the schema's description); `schema.date` is a date that does not exist; "
                "`schema.indentation` is a field written at the indent of the empty field it belongs under "
                "(`teachers:` beside `notes:` instead of under it)",
    "status.withdrawn-reason": "a withdrawn section does not say when and why (`withdrawn: {date: …, reason: …}`), "
                               "which readers see in its place",
    "document.id": "a document's id differs from its folder name",
    "document.version": "a document's version is not one of its editions",
    "rules.unused-exception": "a section waives a rule that finds nothing in it (info)",
    "config.*": "a mistake in `[tool.guidance]` in pyproject.toml (unknown rule or setting, wrong severity)",
}

# Problems `guidance build` reports after validation passed: faults in the builder, not in the content.
BUILD_PROBLEMS = {
    "build.mkdocs": "MkDocs reported a broken link or anchor in the generated site (error)",
    "build.draft-leak": "text of a draft, ready or withdrawn section was found in a built file: the build stops and "
                        "the previous site stays (error)",
    "build.unsafe-html": "the parts of a page around the content (title, navigation) hold something that could run "
                         "code: the build stops and the previous site stays (error)",
    "build.sanitised": "the HTML sanitiser removed markup from a built page or the search index; the site is safe "
                       "but validation missed something (warning)",
    "build.zensical": "with `--engine zensical`: Zensical reported a broken link or anchor in the generated site, or "
                      "stopped (error)",
    "build.out": "`--out` names a folder the build will not replace: the project or a folder holding it, one of "
                 "its source folders, a link, or a folder that is not empty and was not built by guidance (error)",
    "build.site-url": "a public build has no site address (site_url in mkdocs.yml or GUIDANCE_SITE_URL), or it is not "
                      "a web address: citations, canonical links and the sitemap need it (error)",
    "build.write": "the output folder or build/ cannot be written, or build/ is a link or a file; the previous "
                   "site stays (error)",
    "build.engine-missing": "with `--engine zensical`: Zensical is not installed; `pip install -e '.[zensical]'` "
                            "installs it (error)",
    "build.offline-engine": "`--offline` with `--engine zensical`: an offline build is made with Material for "
                            "MkDocs' offline plugin; build it with the default engine. Refused before anything is "
                            "built (error)",
    "build.worker-stopped": "the process that checks each built page stopped before it had finished: the system "
                            "ended it (out of memory, or killed). The previous site stays; build again (error)",
    "build.open-data": "a JSON file of the open data (`/<doc>/guidance.json`, an archived edition's) does not match "
                       "`schemas/guidance.schema.json`, at the JSON Pointer given: the build stops and the previous "
                       "site stays (error)",
}

# Problems with one text (a paragraph, a note, a definition), whatever file it is in.
TEXT_PROBLEMS = {
    "text.too-long": "a text field holds more than 10,000 characters (about 1,500 words, several times the longest "
                     "paragraph of the guidance): it is reported at its first character, left out of every other "
                     "check and stops the build. Split it into paragraphs, list items or sections (error)",
}

# Problems with the files and folders a command reads or writes, reported where the command would have written;
# nothing is left half-written.
IO_PROBLEMS = {
    "io.read-only": "a file or folder the command must write is read-only (its permissions, or a read-only file "
                    "system); the file is named and nothing was changed (error)",
    "io.no-space": "the disk, or your quota on it, is full, or a file would pass the size limit set for the "
                   "command (`ulimit -f`); the file is named, and it was left as it was, with no temporary file "
                   "beside it (error)",
    "io.cwd-missing": "the folder the command was started in has been deleted or moved: `cd` into the project again "
                      "(error)",
    "io.error": "the system refused to read or write a file for another reason, which the message quotes (error)",
    "cache.unusable": "`guidance validate`'s cache folder (`~/.cache/guidance`, or `$GUIDANCE_CACHE_DIR`) cannot be "
                      "used: it is a file or a device, or cannot be written. Validate runs in full without it "
                      "(a warning on stderr: it never changes the problems or the exit code; `--no-cache` skips the "
                      "cache, as CI does)",
}

# Problems of the editing commands (guidance new section, status, fmt): each changes nothing.
COMMAND_PROBLEMS = {
    "new.no-document": "`guidance new section`: there is no such document folder",
    "new.no-chapter": "`guidance new section`: no chapter of the document has that id, file name or path",
    "new.title": "`guidance new section`: the title is not one line of plain text (no `<`, `>`, `{`, `}`; at most "
                 "200 characters)",
    "new.id": "`guidance new section --id`: the id is not lower-case letters, digits and hyphens, or another section "
              "already has it",
    "new.unreadable-chapter": "`guidance new section`: the chapter file has a problem of its own to fix first",
    "status.value": "`guidance status`: a status that cannot be set by hand (sections are published by "
                    "`guidance publish`)",
    "status.no-section": "`guidance status`: no section has that id, title or start of an id (or it starts more "
                         "than one id); the hint names the nearest",
    "status.published": "`guidance status`: a published section cannot go back to draft or ready (withdraw it, or "
                        "publish a new edition)",
    "edit.link": "a file to be written is a link, or reached through one: guidance never writes through a link",
    "edit.round-trip": "the change would not read back as written (a fault in guidance: report it)",
}
