"""One build's site model, made once and handed to both MkDocs plugins (`paper-collection`
renders pages and exports, `paper-search` writes the index) through the MkDocs config object
that every hook receives.

- `python -m generator build` has just loaded and checked the collection: it calls `trust`
  with the papers and taxonomy for the config it builds, and nothing is read or checked again.
- `mkdocs build` or `mkdocs serve` alone: the first plugin to ask loads and checks the paper
  files itself; a broken file fails the build instead of being half-rendered.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

from generator.collection.paper import Paper
from generator.collection.taxonomy import Taxonomy, load_taxonomy
from generator.settings import PAPERS, PLUGIN
from generator.site.cache import Memo, cached_related, content_key
from generator.site.model import SiteModel, SiteSettings, build_model


@dataclass(frozen=True)
class Checked:
    """Papers that passed validation, with the taxonomy they were checked against."""

    papers: Sequence[Paper]
    taxonomy: Taxonomy


# id(config) -> (weak reference to the config, value): a config object lives for one build.
_checked: dict[int, tuple[weakref.ref, Checked]] = {}
_models: dict[int, tuple[weakref.ref, SiteModel]] = {}
_memos: dict[int, tuple[weakref.ref, Memo]] = {}


def _get(table: dict, config):
    entry = table.get(id(config))
    if entry is not None and entry[0]() is config:
        return entry[1]
    return None


def _put(table: dict, config, value) -> None:
    for key in [k for k, (ref, _) in table.items() if ref() is None]:
        del table[key]
    table[id(config)] = (weakref.ref(config), value)


def trust(config, papers: Sequence[Paper], taxonomy: Taxonomy) -> None:
    """Hand over a collection the caller has just checked, for the build of `config`."""
    _put(_checked, config, Checked(tuple(papers), taxonomy))


def options(config) -> dict:
    """The paper-collection plugin's validated options (defaults when the plugin is absent)."""
    plugin = config.plugins.get(PLUGIN)
    return dict(plugin.config) if plugin is not None else {}


def site_settings(config) -> SiteSettings:
    opts = options(config)
    keep = {k: opts[k] for k in ("per_page", "latest", "related", "issue_template", "authors_per_page") if k in opts}
    return SiteSettings(name=config.site_name, url=config.site_url or "", description=config.site_description or "",
                        repo_url=config.repo_url or "", directory_urls=bool(config.use_directory_urls), **keep)


def project_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def taxonomy_for(config) -> Taxonomy:
    path = project_root(config) / options(config).get("taxonomy", "taxonomy.yml")
    try:
        return load_taxonomy(path)
    except Exception as error:  # noqa: BLE001 - shown as a build error, not a traceback
        raise PluginError(str(error)) from None


def load_checked(config) -> Checked:
    from generator.collection.validate import load_collection

    taxonomy = taxonomy_for(config)
    collection = load_collection(Path(config.docs_dir) / PAPERS, taxonomy, project_root(config))
    if collection.errors:
        listing = "\n".join(str(p) for p in collection.errors)
        raise PluginError(f"{len(collection.errors)} problem(s) in paper files:\n{listing}\n"
                          "Run 'python -m generator validate' for the same report.")
    return Checked(collection.papers, taxonomy)


def memo_for(config) -> Memo:
    """What earlier builds of this project computed (see cache.py); saved by `save_memo`."""
    memo = _get(_memos, config)
    if memo is None:
        memo = Memo(project_root(config))
        _put(_memos, config, memo)
    return memo


def bibtex_key(model: SiteModel, slug: str) -> str:
    return content_key("bibtex", model.papers[slug], model.keys[slug])


def model_for(config, *, preview: bool = False) -> SiteModel:
    """The build's model: made on the first call for this config, then the same object.
    `preview` (mkdocs serve): related papers may be updated incrementally (cache.py)."""
    model = _get(_models, config)
    if model is None:
        checked = _get(_checked, config) or load_checked(config)
        settings = site_settings(config)
        related = cached_related(project_root(config), checked.papers, settings.related, incremental=preview)
        model = build_model(checked.papers, checked.taxonomy, settings, related=related)
        memo = memo_for(config)
        for slug in model.papers:
            entry = memo.get("bibtex", bibtex_key(model, slug))
            if entry is not None:
                model.bibtex_texts[slug] = entry  # type: ignore[index]
        _put(_models, config, model)
    return model


def save_memo(config) -> None:
    """Remember this build's per-paper results for the next one."""
    memo, model = memo_for(config), _get(_models, config)
    if model is not None:
        for slug, entry in model.bibtex_texts.items():
            memo.put("bibtex", bibtex_key(model, slug), entry)
    memo.save()
