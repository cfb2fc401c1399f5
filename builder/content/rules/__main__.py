"""`python -m builder.content.rules`: rewrite docs/rules.md; with --check, exit 1 when it is out of date."""
import sys
from pathlib import Path

from builder.content.rules import DOCS, markdown

if sys.argv[1:] == ["--check"]:
    sys.exit(0 if DOCS.is_file() and DOCS.read_text(encoding="utf-8") == markdown() else 1)
DOCS.parent.mkdir(exist_ok=True)
DOCS.write_text(markdown(), encoding="utf-8")
print(f"wrote {DOCS.relative_to(Path.cwd()) if DOCS.is_relative_to(Path.cwd()) else DOCS}")
