"""Where things live, read from `mkdocs.yml` only: the docs and site folders, and the
`paper-collection` plugin's options (the taxonomy file). The CLI, the MkDocs plugins and the
tests all ask this module, so a folder renamed in `mkdocs.yml` is renamed everywhere.

`PAPERS` and `TAGS` are URL layout, not settings: paper files live in `<docs_dir>/papers/`
and tag pages are generated under `tags/`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from paper_collection.errors import GeneratorError

CONFIG_FILE = "mkdocs.yml"
PLUGIN = "paper-collection"  # the plugin's name in mkdocs.yml
STATE_DIR = ".paper-collection"  # git-ignored working folder: lock, staging, cache (see generator/atomic.py)
PAPERS = "papers"  # folder of paper files inside the docs dir, and their URL prefix
TAGS = "tags"  # URL prefix of the generated tag pages
DEFAULTS = {"docs_dir": "docs", "site_dir": "site"}  # MkDocs' own defaults
PLUGIN_DEFAULTS = {"taxonomy": "taxonomy.yml"}


@cache
def code_fingerprint() -> str:
    """A hash of the generator's own code: results kept between runs are kept only for the same code."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_config_file(path: Path) -> dict[str, Any]:
    """mkdocs.yml as data, with MkDocs' own loader (`!ENV` tags, `INHERIT`), without loading plugins."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with path.open("rb") as handle:
            data = yaml_load(handle)
    except FileNotFoundError:
        raise GeneratorError(f"{path}: no MkDocs configuration here; run from the project folder or pass --root") \
            from None
    except Exception as error:  # noqa: BLE001 - any YAML problem is the user's file, not a crash
        raise GeneratorError(f"{path}: cannot read it: {error}") from None
    if not isinstance(data, dict):
        raise GeneratorError(f"{path}: expected a mapping of settings")
    return data


def plugin_options(config: dict[str, Any], name: str = PLUGIN) -> dict[str, Any]:
    """One plugin's options from the raw `plugins:` setting (a list of names or of {name: options})."""
    plugins = config.get("plugins") or []
    items = plugins.items() if isinstance(plugins, dict) else (
        next(iter(p.items())) if isinstance(p, dict) else (p, None) for p in plugins)
    for key, options in items:
        if key == name:
            return {**PLUGIN_DEFAULTS, **(options or {})}
    return dict(PLUGIN_DEFAULTS)


@dataclass(frozen=True)
class Layout:
    """The project's folders, as `mkdocs.yml` (in `root`, or `config_file`) declares them."""

    root: Path
    config_file: Path | None = None

    def __post_init__(self) -> None:
        if self.config_file is None:
            object.__setattr__(self, "config_file", self.root / CONFIG_FILE)

    @cached_property
    def config(self) -> dict[str, Any]:
        return read_config_file(self.config_file)

    def _path(self, value: str) -> Path:
        return (self.config_file.parent / value).resolve()

    @property
    def docs_dir(self) -> Path:
        return self._path(self.config.get("docs_dir") or DEFAULTS["docs_dir"])

    @property
    def papers_dir(self) -> Path:
        return self.docs_dir / PAPERS

    @property
    def taxonomy(self) -> Path:
        return self._path(plugin_options(self.config)["taxonomy"])

    @property
    def site_dir(self) -> Path:
        return self._path(self.config.get("site_dir") or DEFAULTS["site_dir"])

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def shown(self, path: Path) -> str:
        """A path as the user sees it: relative to the project folder when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()



def find_root(start: Path) -> Path:
    """The project folder: `start` or the nearest folder above it holding mkdocs.yml, so commands
    work from any folder of the repository (content/papers/ included)."""
    from paper_collection.errors import GeneratorError

    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise GeneratorError(f"no {CONFIG_FILE} in {start} or any folder above it: run the command inside the "
                         "collection's repository, or give its folder with --root")
