"""One build's site model, made once and handed to both MkDocs plugins (`paper-collection`
renders pages and exports, `paper-search` writes the index) through the MkDocs config object
that every hook receives.

- `paper-collection build` has just loaded and checked the collection: it calls `trust`
  with the papers and taxonomy for the config it builds, and nothing is read or checked again.
- `mkdocs build` or `mkdocs serve` alone: the first plugin to ask loads and checks the paper
  files itself; a broken file fails the build instead of being half-rendered.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from paper_collection import parallel
from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import Taxonomy, load_taxonomy
from paper_collection.settings import PAPERS, PLUGIN
from paper_collection.site.cache import Memo, cached_related, checks_file, content_key
from paper_collection.site.model import SiteModel, SiteSettings, build_model
from paper_collection.site.stopping import Superseded, stop_point, stoppable


@dataclass(frozen=True)
class Checked:
    """Papers that passed validation, with the taxonomy they were checked against."""

    papers: Sequence[Paper]
    taxonomy: Taxonomy


# id(config) -> (weak reference to the config, value): a config object lives for one build.
_checked: dict[int, tuple[weakref.ref, Checked]] = {}
_models: dict[int, tuple[weakref.ref, SiteModel]] = {}
_memos: dict[int, tuple[weakref.ref, Memo]] = {}
_background: dict[int, tuple[weakref.ref, list]] = {}
_deferred: dict[int, tuple[weakref.ref, bool]] = {}
_previous_sites: dict[int, tuple[weakref.ref, Path]] = {}


def _get(table: dict, config):
    entry = table.get(id(config))
    if entry is not None and entry[0]() is config:
        return entry[1]
    return None


def _put(table: dict, config, value) -> None:
    for key in [k for k, (ref, _) in table.items() if ref() is None]:
        del table[key]
    table[id(config)] = (weakref.ref(config), value)


def trust(config, papers: Sequence[Paper], taxonomy: Taxonomy, previous_site: Path | None = None) -> None:
    """Hand over a collection the caller has just checked, for the build of `config`, and the
    site the last build left (whose unchanged pages this build may take over, see plugin.py)."""
    _put(_checked, config, Checked(tuple(papers), taxonomy))
    if previous_site is not None:
        _put(_previous_sites, config, previous_site)


def previous_site(config) -> Path | None:
    return _get(_previous_sites, config)


def options(config) -> dict:
    """The paper-collection plugin's validated options (defaults when the plugin is absent)."""
    plugin = config.plugins.get(PLUGIN)
    return dict(plugin.config) if plugin is not None else {}


def site_settings(config) -> SiteSettings:
    opts = options(config)
    keep = {k: opts[k] for k in ("per_page", "latest", "related", "issue_template", "authors_per_page",
                                "author_pages_min_papers") if k in opts}
    return SiteSettings(name=config.site_name, url=config.site_url or "", description=config.site_description or "",
                        repo_url=config.repo_url or "", directory_urls=bool(config.use_directory_urls), **keep)


def project_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


_taxonomies: dict[Path, tuple[tuple, Taxonomy]] = {}  # file -> (stat signature, taxonomy): read once per change


def taxonomy_for(config) -> Taxonomy:
    path = project_root(config) / options(config).get("taxonomy", "taxonomy.yml")
    from paper_collection.collection.validate import file_signature

    try:
        signature = file_signature(path)
    except OSError:
        signature = None
    known = _taxonomies.get(path)
    if signature is not None and known is not None and known[0] == signature:
        return known[1]
    try:
        taxonomy = load_taxonomy(path)
    except Exception as error:  # noqa: BLE001 - shown as a build error, not a traceback
        raise PluginError(str(error)) from None
    if signature is not None:
        _taxonomies[path] = (signature, taxonomy)
    return taxonomy


_check_memos: dict[Path, object] = {}  # project root -> CheckMemo, for the previews of one `serve`


def load_checked(config, *, preview: bool = False) -> Checked:
    from paper_collection.collection.validate import CheckMemo, load_collection

    taxonomy = taxonomy_for(config)
    root = project_root(config)
    memo = None
    if preview:  # the first preview starts from what the last `build` or `validate` checked
        memo = _check_memos.get(root) or _check_memos.setdefault(root, CheckMemo.load(checks_file(root)))
    collection = load_collection(Path(config.docs_dir) / PAPERS, taxonomy, root, memo)  # type: ignore[arg-type]
    if collection.errors:
        listing = "\n".join(str(p) for p in collection.errors)
        raise PluginError(f"{len(collection.errors)} problem(s) in paper files:\n{listing}\n"
                          "Run 'paper-collection validate' for the same report.")
    return Checked(collection.papers, taxonomy)


_preview_memos: dict[Path, Memo] = {}  # project root -> the page bodies of one `serve`'s previews


def memo_for(config, *, preview: bool = False) -> Memo:
    """What earlier builds of this project computed (see cache.py); saved by `save_memo`. A
    preview's memo stays in memory for the next preview: its pages (served at the preview's own
    address) are not the build's, and must not push the build's out of the cache on disk."""
    memo = _get(_memos, config)
    if memo is None:
        if preview:
            root = project_root(config)
            if root not in _preview_memos:
                # The first preview starts from what the last build kept (search postings and BibTeX
                # entries do not depend on the address the site is served at), and never saves.
                _preview_memos[root] = Memo(root)
                _preview_memos[root].path = None
            memo = _preview_memos[root]
            for kind, entries in memo.used.items():
                memo.old.setdefault(kind, {}).update(entries)
            memo.used, memo.hits = {}, {}
        else:
            memo = Memo(project_root(config))
        _put(_memos, config, memo)
    return memo


def bibtex_key(model: SiteModel, slug: str) -> str:
    return content_key("bibtex", model.digest(slug), model.keys[slug])


def model_for(config, *, preview: bool = False) -> SiteModel:
    """The build's model: made on the first call for this config, then the same object.
    `preview` (mkdocs serve): related papers may be updated incrementally (cache.py)."""
    model = _get(_models, config)
    if model is None:
        checked = _get(_checked, config) or load_checked(config, preview=preview)
        settings = site_settings(config)
        related = _OnFirstUse(lambda: cached_related(
            project_root(config), checked.papers, settings.related, incremental=preview,
            on_fit=lambda: _start(_space_listeners, config)))
        memo = memo_for(config, preview=preview)
        model = build_model(checked.papers, checked.taxonomy, settings, related=related)
        model = dataclasses.replace(model, bibtex_cached=lambda slug: memo.get("bibtex", bibtex_key(model, slug)))
        _put(_models, config, model)
        # Work that needs no related papers (the search index) starts now, in a worker while they
        # are computed; work that needs their TF-IDF space only (the map) as soon as it is fitted.
        # They are computed before anyone else is handed the model.
        _start(_model_listeners, config)
        related.compute()
        _start(_space_listeners, config)  # no space was fitted (related papers from the cache): now
    return model


def _start(table: dict, config) -> None:
    """Call the work registered in `table` for this build, each once."""
    listeners = _get(table, config) or []
    while listeners:
        listeners.pop(0)()


class _OnFirstUse(Mapping):
    """A mapping computed when first read (or by `compute`)."""

    def __init__(self, make: Callable[[], Mapping]):
        self._make, self._value = make, None

    def compute(self) -> Mapping:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __getitem__(self, key):
        return self.compute()[key]

    def __iter__(self):
        return iter(self.compute())

    def __len__(self) -> int:
        return len(self.compute())


_model_listeners: dict[int, tuple[weakref.ref, list]] = {}
_space_listeners: dict[int, tuple[weakref.ref, list]] = {}


def _listen(table: dict, config, start: Callable[[], None]) -> None:
    listeners = _get(table, config)
    if listeners is None:
        listeners = []
        _put(table, config, listeners)
    listeners.append(start)


def when_model_is_made(config, start: Callable[[], None]) -> None:
    """Call `start` as soon as this build's model exists, before its related papers are computed:
    for work that never reads them, which can then run meanwhile (see `in_background`)."""
    _listen(_model_listeners, config, start)


def when_space_is_fitted(config, start: Callable[[], None]) -> None:
    """Call `start` as soon as the related papers' TF-IDF space is fitted (`cache.recent_space`),
    before they are computed from it; or once they are known, when they came from the cache."""
    _listen(_space_listeners, config, start)


def save_memo(config) -> None:
    """Remember this build's per-paper results for the next one."""
    memo, model = memo_for(config), _get(_models, config)
    if model is not None:
        for slug, entry in model.bibtex_texts.items():
            memo.put("bibtex", bibtex_key(model, slug), entry)
    memo.save()


def defer_site_files(config) -> None:
    """For this build (a `serve --dirty` preview): work handed to `in_background` waits for
    `join_background`, which the paper-collection plugin runs after the pages are served."""
    _put(_deferred, config, True)


def in_background(config, what: str, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
    """`then(work())`, for work that only writes files of its own into the site: in a forked worker
    while the build goes on when the collection is large, or later when the preview defers it
    (the paper-collection plugin waits for both in `join_background`); otherwise here and now."""
    model = _get(_models, config)
    deferred = bool(_get(_deferred, config))
    if PLUGIN not in config.plugins or model is None or not (deferred or parallel.worth_forking(len(model.papers))):
        then(work())
        return
    jobs = _get(_background, config)
    if jobs is None:
        jobs = []
        _put(_background, config, jobs)
    jobs.append((None if deferred else parallel.Child(work, what), work, then))


def join_background(config, superseded: threading.Event | None = None) -> None:
    """Finish the work `in_background` handed out for this build; a failure fails the build.
    `superseded` (a preview's): a newer preview has started, the rest is left to it."""
    jobs = _get(_background, config) or []
    _put(_background, config, [])
    try:
        with stoppable(superseded):
            while jobs:
                stop_point()
                child, work, then = jobs[0]
                then(work() if child is None else child.result())
                jobs.pop(0)
    except Superseded:  # a newer preview does it all again
        for child, _, _ in jobs:
            if child is not None:
                child.cancel()
        return
    except BaseException:
        for child, _, _ in jobs:
            if child is not None:
                child.cancel()
        raise
