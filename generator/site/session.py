"""One build's state, in one `BuildSession` owned by the `paper-collection` plugin instance: the
checked collection, the site model made once from it and handed to both MkDocs plugins
(`paper-collection` renders pages and exports, `paper-search` writes the index), the memo of
earlier builds, and the work handed to background workers.

- `paper-collection build` has just loaded and checked the collection: it hands it over with
  `start(config, papers, taxonomy, previous_site=...)` before the build, and nothing is read or
  checked again.
- `mkdocs build` or `mkdocs serve` alone: the first plugin to ask loads and checks the paper
  files itself; a broken file fails the build instead of being half-rendered.

A session lives for one build (one MkDocs config object): `of(config)` gives the session of that
config, and a new config (the next build, or a `serve` rebuild, which loads the config again)
gets a new one. What `serve`'s previews of one project share from one rebuild to the next (the
taxonomy read once per change, the check memo, the page bodies) is a `Project`, kept by the plugin
instance, which MkDocs keeps across rebuilds (`on_startup`, see plugin.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from mkdocs.exceptions import PluginError

from paper_collection import parallel
from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import Taxonomy, load_taxonomy
from paper_collection.settings import PAPERS, PLUGIN, code_fingerprint
from paper_collection.site.authors import AuthorIndex
from paper_collection.site.cache import Memo, cached_related, checks_file, content_key
from paper_collection.site.exports import SizeMemo
from paper_collection.site.model import SiteModel, SiteSettings, build_model
from paper_collection.site.stopping import Superseded, stop_point, stoppable

if TYPE_CHECKING:  # for the annotations only: the functions below import validate.py when they need it
    from paper_collection.collection.validate import CheckMemo


@dataclass(frozen=True)
class Checked:
    """Papers that passed validation, with the taxonomy they were checked against."""

    papers: Sequence[Paper]
    taxonomy: Taxonomy
    people: AuthorIndex | None = None  # their authors (`model.people_of`), when the caller made them already


@dataclass
class Project:
    """What the builds of one project in one process share (the previews of one `serve`)."""

    taxonomies: dict[Path, tuple[tuple, Taxonomy]] = field(default_factory=dict)  # file -> (stat signature, taxonomy)
    check_memo: CheckMemo | None = None  # the first preview starts from what the last build checked
    preview_memo: Memo | None = None  # the page bodies of the previews


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


class Owner(Protocol):
    """A plugin instance that keeps the sessions (`PaperCollectionPlugin`, or `PaperSearchPlugin`
    on a site without it)."""

    session: BuildSession | None
    projects: dict[Path, Project]


def _owner(config, fallback: Owner | None = None) -> Owner | None:
    """The plugin instance that keeps this build's session: the paper-collection plugin's, or
    (a site without it) `fallback`, the paper-search plugin asking."""
    plugin = config.plugins.get(PLUGIN)
    return cast(Owner, plugin) if plugin is not None else fallback


def project(config, fallback: Owner | None = None) -> Project:
    """The project's state kept by its plugin instance; a new one when no plugin keeps it.
    MkDocs keeps one instance per process for every config it loads (mkdocs.config.config_options.
    Plugins.plugin_cache), so the instance holds one `Project` per project folder: two projects
    built in one process (the tests) never share a taxonomy or a preview's memo."""
    owner = _owner(config, fallback)
    if owner is None:
        return Project()
    return owner.projects.setdefault(project_root(config), Project())


def of(config, fallback: Owner | None = None) -> BuildSession:
    """The session of the build of `config`: made on first use, then the same object until a
    build of another config asks. (One build at a time per process: MkDocs' plugin instance, which
    keeps it, is shared by every config loaded in the process anyway.)"""
    owner = _owner(config, fallback)
    found = getattr(owner, "session", None)
    if found is None or found.config is not config:
        found = BuildSession(config, project(config, fallback))
        if owner is not None:
            owner.session = found
    return found


def start(config, papers: Sequence[Paper], taxonomy: Taxonomy, *,
          previous_site: Path | None = None, people: AuthorIndex | None = None) -> BuildSession:
    """`paper-collection build`: hand over a collection the caller has just checked, for the build
    of `config`, and the site the last build left (whose unchanged pages this build may take over,
    see plugin.py), and the papers' people if the caller has made them (`model.people_of`). Call
    after loading the config, before building it."""
    found = of(config)
    found.checked = Checked(tuple(papers), taxonomy, people)
    found.previous_site = previous_site
    return found


def taxonomy_for(config) -> Taxonomy:
    """The taxonomy, read again only when its file changed since the last build of this project."""
    from paper_collection.collection.validate import file_signature

    path = project_root(config) / options(config).get("taxonomy", "taxonomy.yml")
    known_taxonomies = project(config).taxonomies
    try:
        signature = file_signature(path)
    except OSError:
        signature = None
    known = known_taxonomies.get(path)
    if signature is not None and known is not None and known[0] == signature:
        return known[1]
    try:
        taxonomy = load_taxonomy(path)
    except Exception as error:  # noqa: BLE001 - shown as a build error, not a traceback
        raise PluginError(str(error)) from None
    if signature is not None:
        known_taxonomies[path] = (signature, taxonomy)
    return taxonomy


def load_checked(config, *, preview: bool = False) -> Checked:
    from paper_collection.collection.validate import CheckMemo, load_collection

    taxonomy = taxonomy_for(config)
    root = project_root(config)
    memo: CheckMemo | None = None
    if preview:  # the first preview starts from what the last `build` or `validate` checked
        state = project(config)
        if state.check_memo is None:
            state.check_memo = CheckMemo.load(checks_file(root))
        memo = state.check_memo
    collection = load_collection(Path(config.docs_dir) / PAPERS, taxonomy, root, memo)
    if collection.errors:
        listing = "\n".join(str(p) for p in collection.errors)
        raise PluginError(f"{len(collection.errors)} problem(s) in paper files:\n{listing}\n"
                          "Run 'paper-collection validate' for the same report.")
    return Checked(collection.papers, taxonomy)


def bibtex_key(model: SiteModel, slug: str) -> str:
    """An entry is made by citation.py from the paper and its key: the code stands for citation.py."""
    return content_key("bibtex", code_fingerprint(), model.digest(slug), model.keys[slug])


class BuildSession:
    """The state of the build of one MkDocs config (see the module's docstring)."""

    def __init__(self, config, project: Project):
        self.config = config
        self.project = project
        self.checked: Checked | None = None  # handed over by `start`, or loaded by `model`
        self.previous_site: Path | None = None
        self.site_model: SiteModel | None = None
        self.memo: Memo | None = None
        self.deferred = False  # a `serve --dirty` preview: background work waits for `join_background`
        self.background: list[tuple[parallel.Child | None, Callable[[], Any], Callable[[Any], None]]] = []
        self.model_listeners: list[Callable[[], None]] = []
        self.space_listeners: list[Callable[[], None]] = []

    def memo_for(self, *, preview: bool = False) -> Memo:
        """What earlier builds of this project computed (see cache.py); saved by `save_memo`. A
        preview's memo stays in memory for the next preview: its pages (served at the preview's own
        address) are not the build's, and must not push the build's out of the cache on disk."""
        if self.memo is not None:
            return self.memo
        root = project_root(self.config)
        if preview:
            memo = self.project.preview_memo
            if memo is None:
                # The first preview starts from what the last build kept (search postings and BibTeX
                # entries do not depend on the address the site is served at), and never saves.
                memo = self.project.preview_memo = Memo(root)
                memo.path = None
            for kind, entries in memo.used.items():
                memo.old.setdefault(kind, {}).update(entries)
            memo.used, memo.hits = {}, {}
        else:
            memo = Memo(root)
        self.memo = memo
        return memo

    def model(self, *, preview: bool = False) -> SiteModel:
        """The build's model: made on the first call, then the same object.
        `preview` (mkdocs serve): related papers may be updated incrementally (cache.py)."""
        if self.site_model is not None:
            return self.site_model
        config = self.config
        checked = self.checked = self.checked or load_checked(config, preview=preview)
        settings = site_settings(config)
        related = _OnFirstUse(lambda: cached_related(
            project_root(config), checked.papers, settings.related, incremental=preview,
            on_fit=lambda: _start(self.space_listeners)))
        memo = self.memo_for(preview=preview)
        model = self.site_model = build_model(
            checked.papers, checked.taxonomy, settings, related=related,
            bibtex_cached=lambda model, slug: memo.get("bibtex", bibtex_key(model, slug)), people=checked.people,
            export_sizes=SizeMemo(memo))
        # Work that needs no related papers (the search index) starts now, in a worker while they
        # are computed; work that needs their TF-IDF space only (the map) as soon as it is fitted.
        # They are computed before anyone else is handed the model.
        _start(self.model_listeners)
        # The people (build_index): the pages, the feeds and the explorer's data all read them, and
        # the workers forked from here on inherit them instead of each making them again.
        model.authors  # noqa: B018
        related.compute()
        _start(self.space_listeners)  # no space was fitted (related papers from the cache): now
        return model

    def when_model_is_made(self, start: Callable[[], None]) -> None:
        """Call `start` as soon as this build's model exists, before its related papers are computed:
        for work that never reads them, which can then run meanwhile (see `in_background`)."""
        self.model_listeners.append(start)

    def when_space_is_fitted(self, start: Callable[[], None]) -> None:
        """Call `start` as soon as the related papers' TF-IDF space is fitted (`cache.recent_space`),
        before they are computed from it; or once they are known, when they came from the cache."""
        self.space_listeners.append(start)

    def save_memo(self) -> None:
        """Remember this build's per-paper results for the next one."""
        memo, model = self.memo_for(), self.site_model
        if model is not None:
            made = model.bibtex_texts
            for slug in model.papers:
                if slug in made:
                    memo.put("bibtex", bibtex_key(model, slug), made[slug])
                else:  # not asked for here (its page taken over; the exports asked in a worker): kept
                    memo.keep("bibtex", bibtex_key(model, slug))
        memo.save()

    def defer_site_files(self) -> None:
        """For this build (a `serve --dirty` preview): work handed to `in_background` waits for
        `join_background`, which the paper-collection plugin runs after the pages are served."""
        self.deferred = True

    def in_background(self, what: str, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """`then(work())`, for work that only writes files of its own into the site: in a forked worker
        while the build goes on when the collection is large, or later when the preview defers it
        (the paper-collection plugin waits for both in `join_background`); otherwise here and now."""
        model, deferred = self.site_model, self.deferred
        if PLUGIN not in self.config.plugins or model is None \
                or not (deferred or parallel.worth_forking(len(model.papers))):
            then(work())
            return
        self.background.append((None if deferred else parallel.Child(work, what), work, then))

    def join_background(self, superseded: threading.Event | None = None) -> None:
        """Finish the work `in_background` handed out for this build; a failure fails the build.
        `superseded` (a preview's): a newer preview has started, the rest is left to it."""
        jobs, self.background = self.background, []
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


def _start(listeners: list[Callable[[], None]]) -> None:
    """Call the work registered in `listeners`, each once."""
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
