"""The collection: the paper record (`model`, `paper`), identifiers and links, paper files
(`frontmatter`, `slugs`), the taxonomy, and the checks `validate` runs (`validate`, `similar`)."""
