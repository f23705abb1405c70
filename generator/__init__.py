"""Generate a static website from a collection of paper files: `ingest/` reads dumps into
paper files, `collection/` is the collection on disk and its checks, `site/` builds the website
with MkDocs. See README.md, section Layout.

Installed as the import package `paper_collection` (the folder is `generator/` in the repository)."""

# The one place the version is set: pyproject.toml reads it, `paper-collection --version` shows it,
# and `paper-collection new` pins a new collection to it.
__version__ = "0.2.0"
