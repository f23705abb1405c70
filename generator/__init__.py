"""Generate a static website from a collection of paper files: `ingest/` reads dumps into
paper files, `collection/` is the collection on disk and its checks, `site/` builds the website
with MkDocs. See README.md, section Layout."""
