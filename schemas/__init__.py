"""One JSON Schema per content file kind. The folder stays here, where editors (.vscode/settings.json) and the README
point, and ships inside the package as builder.schemas (pyproject.toml); code reads it with importlib.resources."""
