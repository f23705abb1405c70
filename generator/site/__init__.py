"""The website: the site model (`model`), its pages (`pages`), the MkDocs plugins (`plugin`,
`search`), exports, the build cache and the build itself."""
