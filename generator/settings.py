"""Where things live. The CLI and the MkDocs plugin share these defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def docs_dir(self) -> Path:
        return self.root / "content"

    @property
    def papers_dir(self) -> Path:
        return self.docs_dir / PAPERS

    @property
    def taxonomy(self) -> Path:
        return self.root / "taxonomy.yml"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"


PAPERS = "papers"  # folder of paper files inside the docs dir, and their URL prefix
TAGS = "tags"  # URL prefix of the generated tag pages
