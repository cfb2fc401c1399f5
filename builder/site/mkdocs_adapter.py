"""Every use of MkDocs from guidance's code, its private functions included, in one module. MkDocs is pinned to a
minor version in pyproject.toml because the live preview (builder/preview/incremental.py, builder/preview/server.py) drives its
build step by step with functions that are not its public API (the names starting with _); an upgrade is checked
here, against mkdocs/commands/build.py, and nowhere else. Importing this module imports MkDocs, so callers import
it where they build, not at the top of a module that `guidance validate` loads."""
from mkdocs.commands.build import (  # noqa: F401
    _build_extra_template,
    _build_theme_template,
    _populate_page,
    build,
    get_context,
)
from mkdocs.config import load_config  # noqa: F401
from mkdocs.exceptions import MkDocsException  # noqa: F401
from mkdocs.livereload import LiveReloadServer, _timestamp  # noqa: F401
from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions  # noqa: F401
from mkdocs.structure.nav import get_navigation  # noqa: F401
from mkdocs.structure.pages import Page  # noqa: F401
