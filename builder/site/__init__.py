"""Stage 4: pages to a built, sanitised, leak-checked site through MkDocs (or Zensical)."""
