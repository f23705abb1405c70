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


CONFIG = "mkdocs.yml"  # marks the project folder


def find_root(start: Path) -> Path:
    """The project folder: `start` or the nearest folder above it holding mkdocs.yml, so commands
    work from any folder of the repository (content/papers/ included)."""
    from generator.errors import GeneratorError

    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG).is_file():
            return folder
    raise GeneratorError(f"no {CONFIG} in {start} or any folder above it: run the command inside the "
                         "collection's repository, or give its folder with --root")
