"""MkDocs plugin `paper-collection`: hook wiring only. The site model (`model.py`, obtained once
per build through `session.py`) decides what the site holds; the page types (`pages.py`)
render it; `exports.py` writes papers.json, BibTeX and feeds.

- on_files: add the generated pages (home, all tags, each tag's pages). Nothing derived is
  written into the docs folder.
- on_nav: the collection's pages become `CollectionPage`s, which skip Markdown (their body
  comes from our templates).
- on_page_read_source / on_page_markdown / on_page_content / on_page_context: a page the
  collection owns gets its title, body (sanitised) and head metadata from its page type. A
  paper page's body is made when the page is written (on_page_context), not when it is read.
- on_env (`build` of a large collection): the paper pages are shared out between this process
  and forked children (parallel.py), which write theirs into the site folder; MkDocs' loop
  then passes over the children's pages (an empty template, so nothing is written twice).
- on_post_build: the children's results, then the exports, into the site.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import posixpath
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import jinja2
from markupsafe import Markup, escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from paper_collection import parallel
from paper_collection.collection.slugs import check_addresses
from paper_collection.errors import GeneratorError
from paper_collection.settings import code_fingerprint
from paper_collection.site import authors, collection_map, explore, session
from paper_collection.site.cache import cache_dir, content_key
from paper_collection.site.compact import CompactTemplates2
from paper_collection.site.exports import atom_feed, each_export_file, write_exports
from paper_collection.site.pages import PaperPage, Renderer, SitePage, Where, optional_nav, sanitize, site_pages
from paper_collection.site.redirects import redirect_files
from paper_collection.site.render import environment, keep_compiled_templates
from paper_collection.site.takeover import TakeOver, hard_link

log = logging.getLogger("mkdocs.plugins.paper-collection")


def template_fingerprint(folder: Path) -> str:
    """The page templates: a cached page body is only reused when they did not change (the keys
    that use this hold the code too, `code_fingerprint`)."""
    files = sorted(p for p in folder.glob("*") if p.is_file())
    return content_key(*((p.name, p.read_bytes()) for p in files))


class CollectionPage(Page):
    """A page whose body the collection renders: no Markdown to convert. (What Markdown would
    make of the empty source: no content, no table of contents, no anchors.)"""

    def render(self, config, files) -> None:
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


SKIP_TEMPLATE = "paper-collection/written-by-a-worker.html"  # renders nothing: MkDocs then writes nothing
# Threads that link the pages taken over while the keys are made: links into one folder wait on its
# lock (2 link 14,000 pages as fast as 8 here), and more threads take the interpreter from the keys.
LINKERS = 2
LINK_BATCH = 64  # pages taken over (linked) by one task of `_reuse_pages`'s threads


class _QuietSkips(logging.Filter):
    """MkDocs says "Page skipped" for each page written by a worker instead: not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Page skipped: ")


def _always() -> bool:
    return True


def _never() -> bool:
    return False


class _DirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


# The generator's templates, styles and scripts, installed with the package: a site's mkdocs.yml names
# only `theme: material` and this plugin, and may layer its own `custom_dir` on top.
THEME_DIR = Path(__file__).resolve().parent.parent / "theme"


def _add_theme(config) -> None:
    """Put the generator's theme between the site's own overrides (custom_dir, first) and Material."""
    dirs = config.theme.dirs
    if str(THEME_DIR) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))


def _theme_fingerprint(folder: Path) -> str:
    if not folder.is_dir():
        return ""
    return content_key(*((p.relative_to(folder).as_posix(), p.read_bytes())
                         for p in sorted(folder.rglob("*")) if p.is_file()))


def _build_date_shown(config) -> str:
    """SOURCE_DATE_EPOCH (the newest paper's date, see build.py) when a theme template shows the
    build date (`build_date_utc`), else "": neither our templates nor Material's do, and a merged
    paper with a newer date must not make every page look changed (a deploy takes them over)."""
    for folder in config.theme.dirs:
        for path in Path(folder).rglob("*.html"):
            try:
                if b"build_date_utc" in path.read_bytes():
                    return os.environ.get("SOURCE_DATE_EPOCH", "")
            except OSError:
                continue
    return ""


class PaperCollectionConfig(Config):
    taxonomy = c.Type(str, default="taxonomy.yml")
    per_page = c.Type(int, default=100)
    authors_per_page = c.Type(int, default=500)  # names a page of the author index (/authors/, /authors/page/N/)
    author_pages_min_papers = c.Type(int, default=authors.MIN_PAPERS)  # papers for a page and feed of their own
    latest = c.Type(int, default=12)
    related = c.Type(int, default=5)
    issue_template = c.Type(str, default="paper-problem.yml")
    escape_text = c.Type(bool, default=True)  # tests switch this off to prove the sanitiser alone holds


class PaperCollectionPlugin(BasePlugin[PaperCollectionConfig]):
    supports_multiple_instances = False

    command = "build"

    def __init__(self) -> None:
        super().__init__()
        self.session: session.BuildSession | None = None  # the current build's state (session.of)
        # What the builds of one project share across `serve`'s rebuilds (MkDocs keeps this instance
        # across them, and for every config loaded in the process: hence by project folder).
        self.projects: dict[Path, session.Project] = {}
        self.finishing: threading.Thread | None = None  # the last preview's late work (`_finish_preview`)

    def on_startup(self, *, command, dirty):
        # Defining on_startup also keeps this plugin across `mkdocs serve` rebuilds.
        self.command = command
        # `serve --dirty` (what `paper-collection serve` runs): each preview writes only the pages
        # whose content changed (see `_mark_stale`) and writes the exports and the search index
        # after the pages are served. MkDocs warns that a dirty build may leave other pages stale:
        # for the collection's pages this plugin decides, so the warning would only stop a strict preview.
        self.incremental = command == "serve" and dirty
        self.previous: tuple[tuple, dict, dict] | None = None  # the last preview's fingerprint, inputs, pages
        self.finishing: threading.Thread | None = None
        if self.incremental:
            logging.getLogger("mkdocs.commands.build").addFilter(_DirtyWarning())

    def _wait_for_previous_preview(self) -> None:
        """A new preview starts: the last one's exports are out of date already; stop them at the
        next step (a file being written is finished) and wait."""
        if self.finishing is not None:
            self.superseded.set()
            self.finishing.join()
            self.finishing = None

    def on_config(self, config):
        # The first event of a build: the last preview's late work, which reads this instance's
        # session, model and templates, is stopped before they are replaced.
        self._wait_for_previous_preview()
        # This build's session: the one `paper-collection build` started for this config, or a new one.
        build = self.session = session.of(config)
        session.taxonomy_for(config)  # a broken taxonomy fails the build before anything else
        overrides = [Path(config.theme.custom_dir)] if config.theme.custom_dir else []
        _add_theme(config)
        self.env = environment(*(folder / "collection" for folder in [*overrides, THEME_DIR]))
        if not self.config.escape_text:
            self.env.autoescape = False
        keep_compiled_templates(self.env, cache_dir(session.project_root(config)))
        self.templates = content_key(*(template_fingerprint(folder / "collection")
                                       for folder in [*overrides, THEME_DIR]))
        self.theme = content_key(*(_theme_fingerprint(folder) for folder in [*overrides, THEME_DIR]))
        if self.incremental:
            build.defer_site_files()
        # The explorer's data, the reading list's citations and the map need the papers and the
        # related papers' TF-IDF space only: started as soon as it is fitted, while the related
        # papers are computed from it and the pages are written.
        build.when_space_is_fitted(functools.partial(self._start_explorer, build, config))
        return config

    def _start_explorer(self, build: session.BuildSession, config) -> None:
        build.in_background("the explorer's data and the map",
                            functools.partial(self._write_explorer, build, config), lambda _: None)

    def on_files(self, files: Files, config):
        self.model = self.session.model(preview=self.command == "serve")
        self.pages: dict[str, SitePage] = site_pages(self.model)
        try:
            check_addresses(self.pages)  # a name too long for a file fails here, before any page is written
        except GeneratorError as error:
            raise PluginError(str(error)) from None
        self.renderer = Renderer(self.model, self.env)
        # What every page body's key holds, hashed once (the settings' repr was a tenth of a key's cost).
        # The code too: a body is made by the templates and by Python in several modules.
        self._body_key_base = content_key("page", self.templates, code_fingerprint(), self.config.escape_text,
                                          self.model.settings)
        self.memo = self.session.memo_for(preview=self.command == "serve")
        # Page cache entries made (or, None, found) by this worker process in this build.
        self.bodies: dict[str, str | None] = {}
        self.collect_bodies = False
        self.workers: list[parallel.Child] = []
        self.worker_spills: list = []  # each worker's spill file (Memo.spill_file_for_worker), or None
        self.shared: list[str] = []  # pages shared with worker processes (see on_env): none unless they are forked
        self.quiet = _QuietSkips()
        self.reused: set[str] = set()
        self.body_keys: dict[str, str] = {}  # by page; made once by `_reuse_pages`, read when the page is written
        for uri, page in self.pages.items():
            if page.generated and files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, content=""))
        return files

    def on_nav(self, nav, config, files):
        self.nav = nav
        # The author, year and venue indexes exist only when the papers give those: listed when they do,
        # after the entries of mkdocs.yml (unless mkdocs.yml lists them itself).
        listed = {page.file.src_uri for page in nav.pages}
        for title, uri in optional_nav(self.pages):
            file = files.get_file_from_path(uri)
            if file is not None and uri not in listed:
                nav.items.append(Page(title, file, config))
        # Pages are compared by identity here (MkDocs' Page defines equality, not a hash).
        in_nav = [*nav.pages, *(item for item in nav.items if isinstance(item, Page))]
        self.nav_pages = {id(page) for page in in_nav}
        self.nav_urls = {page.url for page in in_nav}
        for uri in self.pages:
            file = files.get_file_from_path(uri)
            if file is not None and type(file.page) is Page:
                # MkDocs made every page already (nav or not); the same object, without Markdown.
                file.page.__class__ = CollectionPage
        if self.incremental:
            self._mark_stale(files)
        return nav

    def _mark_stale(self, files: Files) -> None:
        """A preview writes a page again only when what it shows changed (`SitePage.preview_inputs`:
        for a paper, the paper, its related papers and its authors' addresses), or the templates,
        theme, taxonomy or settings did. (MkDocs' dirty build would look only at file dates.)"""
        model = self.model
        fingerprint = (self.templates, self.theme, model.settings, model.taxonomy, self.config.escape_text)
        inputs = {uri: page.preview_inputs(model) for uri, page in self.pages.items()}
        destinations = {uri: file.dest_uri for uri in self.pages if (file := files.get_file_from_path(uri))}
        previous, self.previous = self.previous, (fingerprint, inputs, destinations)
        self.gone = [dest for uri, dest in previous[2].items() if uri not in destinations] if previous else []
        before = previous[1] if previous is not None and previous[0] == fingerprint else None
        count = papers = 0
        for uri, page in self.pages.items():
            file = files.get_file_from_path(uri)
            if file is None:
                continue
            now = inputs[uri]
            stale = now is None or before is None or uri not in before or before[uri] != now
            # Decided here for every page of ours: no file dates are looked at.
            file.is_modified = _always if stale else _never  # type: ignore[method-assign]
            if isinstance(page, PaperPage):
                papers += 1
                count += stale
        log.info("paper-collection: preview: %d of %d paper pages to write again", count, papers)

    def on_env(self, env, config, files):
        env.add_extension(CompactTemplates2)  # the theme's indentation stays out of the pages (compact.py)
        keep_compiled_templates(env, cache_dir(session.project_root(config)))
        self.fragments: dict[tuple[str, str], Markup] = {}
        env.globals["shared_fragment"] = self._shared_fragment
        # The exports depend on the model only: written while the pages are (by a worker for a
        # large collection; see BuildSession.in_background). Their split is planned first, once: the
        # home and exports pages link its files, and forked workers inherit it.
        self.model.export_plan  # noqa: B018
        self.session.in_background("the exports and feeds", functools.partial(self._write_exports, config),
                                   self._files_made)
        if self.command != "build":
            return env
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({SKIP_TEMPLATE: ""}), env.loader])
        logging.getLogger("mkdocs.commands.build").addFilter(self.quiet)
        self.reused = self._reuse_pages(config, files)
        ours = [uri for uri in self.pages if files.get_file_from_path(uri) is not None and uri not in self.reused]
        if not parallel.worth_forking(len(ours)):
            return env
        # What the children need and would otherwise each compute again.
        self.model.authors  # noqa: B018
        self.model.tag_titles  # noqa: B018
        documentation = files.documentation_pages(inclusion=InclusionLevel.is_included)
        # This process writes them from the front, the workers from the back, until they meet:
        # other workers (search, map, exports) share the CPUs meanwhile, so fixed shares would
        # leave one side waiting for the other. MkDocs' own loop then passes over them.
        listed = set(ours)
        self.shared = [file.src_uri for file in documentation if file.src_uri in listed]
        self.meeting = parallel.Meeting(len(self.shared))
        self.hits_at_fork = self.memo.hits_of("page")
        for number in range(parallel.workers() - 1):
            spill = self.memo.spill_file_for_worker("page")
            child = parallel.Child(functools.partial(self._write_pages, config, documentation, env, "back", spill),
                                   f"paper pages (worker {number + 1})")
            self.workers.append(child)
            self.worker_spills.append(spill)
        self._write_pages(config, documentation, env, "front")
        for file in documentation:
            if file.src_uri in listed:
                file.page.meta["template"] = SKIP_TEMPLATE  # written by now, here or by a worker
        return env

    def _reuse_pages(self, config, files: Files) -> set[str]:
        """`build` only: the pages whose written file would be byte for byte the one the last build
        wrote are taken over from it (a hard link) instead of being written again: paper, author,
        tag and listing pages (the kinds whose body is kept, `inputs`) outside the navigation. A
        page's file depends on its own inputs (those of its body), its title, description and
        theme context, its addresses, and what every page shares: the navigation, mkdocs.yml, the
        theme and templates, the code and the versions of MkDocs and Material, and the date the
        build stands for. A page in the navigation, or above a page that is, shows where the
        reader is in it: always written. Returns the pages taken over."""
        import material
        import mkdocs

        old_site = self.session.previous_site
        shared = content_key("written page", self.templates, self.theme, self.config.escape_text,
                             Path(config.config_file_path).read_bytes(), mkdocs.__version__,
                             getattr(material, "__version__", ""), _build_date_shown(config), code_fingerprint(),
                             [(item.title, getattr(item, "url", None)) for item in self.nav.items])
        staging = Path(config.site_dir)
        model = self.model

        def take_over(uris: list[str]) -> list[bool]:
            return [hard_link(old_site, staging, files.get_file_from_path(uri).dest_uri) for uri in uris]

        # Threads: making folders and links waits on the disk, not the CPU (see atomic.remove_tree), so
        # pages are linked, a batch at a time, while the keys of the pages after them are made.
        self.reusable: set[str] = set()  # pages that could be taken over (the message counts them)
        same: list[tuple[str, str]] = []  # (page, its body's key) whose last written file is still right
        links: list[Future] = []  # each batch of `same` in order: whether each page was linked
        with ThreadPoolExecutor(LINKERS, thread_name_prefix="take-over") as pool:
            for uri, ours in self.pages.items():
                file = files.get_file_from_path(uri)
                if not hasattr(ours, "inputs") or file is None or not self._outside_nav(file.page):
                    continue
                self.reusable.add(uri)
                page = file.page
                where = Where(page.url, page.canonical_url, page.edit_url)
                body = self.body_keys[uri] = self._body_key(ours, where)
                key = content_key(shared, body, where, ours.shown_around(model, where))
                self.memo.put("written", uri, key)
                if old_site is not None and self.memo.old.get("written", {}).get(uri) == key:
                    same.append((uri, body))
                    if len(same) % LINK_BATCH == 0:
                        links.append(pool.submit(take_over, [u for u, _ in same[-LINK_BATCH:]]))
            if len(same) % LINK_BATCH:
                links.append(pool.submit(take_over, [u for u, _ in same[-(len(same) % LINK_BATCH):]]))
        reused: set[str] = set()
        for (uri, body), done in zip(same, (d for batch in links for d in batch.result()), strict=True):
            if done:
                self.memo.keep("page", body, hit=True)  # its body stays in the cache for a later build, unread
                files.get_file_from_path(uri).page.meta["template"] = SKIP_TEMPLATE
                reused.add(uri)
        return reused

    def _write_exports(self, config) -> tuple[dict[str, str], int]:
        """Write the exports, the feeds and the redirects; return the keys of the files that may be
        taken over by the next build (`TakeOver`), and how many this build took over."""
        model, site = self.model, Path(config.site_dir)
        write_exports(site, each_export_file(model))  # written as made: at 50,000 papers they are 250 MB
        # One Atom feed per author: a person's feed whose papers did not change is the last build's.
        take_over = TakeOver(self.session.previous_site if self.command == "build" else None,
                             self.memo.old.get("written", {}),
                             content_key("made file", code_fingerprint(), model.settings, model.tag_titles,
                                         metadata.version("feedgen"), metadata.version("lxml")))
        write_exports(site, authors.feed_files(
            model.authors, model.papers, functools.partial(atom_feed, model), model.settings.name,
            model.settings.author_pages_min_papers, digest=model.digest), take_over)
        # Old addresses of renamed papers: redirect pages, outside MkDocs' files (so not in the sitemap).
        write_exports(site, redirect_files(model.papers.values(), model.urls, model.settings))
        return take_over.keys, take_over.taken

    def _files_made(self, made: tuple[dict[str, str], int]) -> None:
        keys, taken = made
        for path, key in keys.items():
            self.memo.put("written", path, key)
        if taken:
            log.info("paper-collection: %d of %d author feeds unchanged since the last build, taken over from it",
                     taken, len(keys))

    def _write_explorer(self, build: session.BuildSession, config) -> None:
        model, site = build.model(), Path(config.site_dir)  # called while the model is made
        explorer = explore.explore_files(
            model.newest, [(t.name, t.title) for t in model.tags], model.keys, model.authors.name_of)
        write_exports(site, explorer)
        # The map: coordinates in the explorer data's order (cached while no title or abstract changes).
        write_exports(site, collection_map.map_files(
            session.project_root(config), model.newest, [t.name for t in model.tags],
            json.loads(explorer[explore.FACETS])["version"],
            preview=self.command == "serve", related=model.related))

    def _write_pages(self, config, documentation, env, side: str, spill=None) -> tuple[int, dict, dict, int]:
        """Write pages of the shared list as MkDocs would, from the front (this process) or the back
        (a worker), until the two sides meet; return what a worker hands back to the parent."""
        from mkdocs.commands.build import _build_page  # MkDocs' own page writer (pinned mkdocs<2)

        files = {file.src_uri: file for file in documentation}
        written: list[str] = []

        def write(uri: str) -> None:
            _build_page(files[uri].page, config, documentation, self.nav, env)
            written.append(uri)

        if side == "back":  # in a forked worker: its bodies go back to the parent's memo, through `spill`
            self.collect_bodies = True
            self.memo.spill_into(spill)
        if side == "front":
            for item, uri in enumerate(self.shared):
                if not self.meeting.take_front(item):
                    break
                write(uri)
            return len(written), {}, {}, 0
        while taken := self.meeting.take_back():
            for item in taken:
                write(self.shared[item])
        slugs = [page.paper.slug for uri in written if isinstance(page := self.pages[uri], PaperPage)]
        return len(written), self.bodies, {slug: self.model.bibtex(slug) for slug in slugs}, \
            self.memo.hits_of("page") - self.hits_at_fork

    def _shared_fragment(self, part: str, render, key: str | None) -> Markup:
        """A part of the theme's page (main.html), the same for every page with this `key`: rendered
        once per build. No key (or PAPER_COLLECTION_NO_CACHE): rendered for this page."""
        if key is None or os.environ.get("PAPER_COLLECTION_NO_CACHE"):
            return Markup(render())
        found = self.fragments.get((part, key))
        if found is None:
            found = self.fragments[(part, key)] = Markup(render())
        return found

    def _page(self, page) -> SitePage | None:
        return self.pages.get(page.file.src_uri)

    def on_page_read_source(self, page, config):
        # A paper page's body comes from our templates and its front matter was parsed and checked
        # already: MkDocs need not parse either again (its pure-Python YAML was a third of a build).
        return "" if self._page(page) is not None else None

    def on_page_markdown(self, markdown, page, config, files):
        ours = self._page(page)
        if ours is None:
            return markdown
        # Material prints the title and description unescaped in the header and <meta>, where no
        # sanitiser runs: always escaped (`escape_text` only concerns our templates, which nh3 backs up).
        page.meta["title"] = Markup(escape(ours.title(self.model)))
        if not isinstance(ours, PaperPage):
            self._describe(ours, page)
        if not ours.editable:
            page.edit_url = None
        return ""  # the body comes from the page type in on_page_content

    def _describe(self, ours: SitePage, page) -> None:
        description = ours.description(self.model)
        if description is not None:
            page.meta["description"] = Markup(escape(description))

    def _body(self, ours: SitePage, page) -> str:
        if hasattr(ours, "inputs"):
            return self._kept_body(ours, page)
        html = ours.render(self.renderer, Where(page.url, page.canonical_url, page.edit_url))
        return html if getattr(ours, "sanitized", False) else sanitize(html)

    def _body_key(self, ours: SitePage, where: Where) -> str:
        return content_key(self._body_key_base, type(ours).__name__, where.url, where.canonical_url, where.edit_url,
                           *ours.inputs(self.model))  # type: ignore[attr-defined]


    def _kept_body(self, ours: SitePage, page) -> str:
        """A page's body, kept between builds, keyed by everything it shows."""
        where = Where(page.url, page.canonical_url, page.edit_url)
        key = self.body_keys.get(page.file.src_uri) or self._body_key(ours, where)
        body = self.memo.get("page", key)
        if body is None:
            body = ours.render(self.renderer, where)
            body = body if getattr(ours, "sanitized", False) else sanitize(body)
            self.memo.put("page", key, body)
            if self.collect_bodies:  # what a worker hands back, for the cache: where it spilled it, or the body
                self.bodies[key] = self.memo.spilled_at("page", key) or body
        elif self.collect_bodies:
            self.bodies[key] = None  # found in the cache file: the parent keeps it from there
        return body

    def on_page_content(self, html, page, config, files):
        ours = self._page(page)
        if ours is not None:
            return ""  # made when the page is written (on_page_context), perhaps by a worker process
        return sanitize(html)

    def on_post_page(self, output, page, config):
        if self._page(page) is not None:
            # Written: the body is in the memo's spill file, and nothing reads it again. Kept, every
            # body would stay in memory to the end of the build.
            page.content = None
        return output

    def _outside_nav(self, page) -> bool:
        """Whether the theme's navigation looks the same on this page as on any other page of its
        folder: it is not in the navigation, has no table of contents, and no page of the
        navigation is below it."""
        url = page.url
        return id(page) not in self.nav_pages and not page.toc and not any(u.startswith(url) for u in self.nav_urls)

    def on_page_context(self, context, page, config, nav):
        ours = self._page(page)
        if ours is None or page.meta.get("template") == SKIP_TEMPLATE:
            return context  # not ours, or written already (by on_env or a worker) or taken over from the last build
        page.content = self._body(ours, page)
        if isinstance(ours, PaperPage):
            self._describe(ours, page)
        url = page.url
        if self._outside_nav(page):
            # Outside the navigation, with no table of contents and nothing of the navigation below
            # it: the theme's navigation (relative links) is that of any page in the same folder.
            context["shared_key"] = f"{posixpath.dirname(url.rstrip('/'))}/ {page.meta.get('hide')!r}"
        context.update(ours.context(self.model, Where(page.url, page.canonical_url, page.edit_url)))
        return context

    def on_post_build(self, config):
        model = self.model
        workers, self.workers = self.workers, []
        spills, self.worker_spills = self.worker_spills, []
        logging.getLogger("mkdocs.commands.build").removeFilter(self.quiet)
        by_workers = 0
        try:
            for child, spill in zip(workers, spills, strict=True):
                count, bodies, bibtex, hits = child.result()
                by_workers += count
                for key, body in bodies.items():
                    if body is None:
                        self.memo.keep("page", key)
                    elif isinstance(body, tuple):
                        self.memo.adopt("page", key, spill, *body)
                    else:
                        self.memo.put("page", key, body)
                self.memo.hits["page"] = self.memo.hits_of("page") + hits
                model.bibtex_memo.add(bibtex)
        except BaseException:
            for child in workers:
                child.cancel()
            raise
        if workers:
            log.info("paper-collection: %d of %d pages written by %d worker process(es)",
                     by_workers, len(self.pages), len(workers))
        if self.reused:
            papers = sum(1 for uri in self.reused if isinstance(self.pages[uri], PaperPage))
            others = sum(1 for uri in self.reusable if not isinstance(self.pages[uri], PaperPage))
            log.info("paper-collection: %d of %d paper pages and %d of %d author, tag and listing pages unchanged "
                     "since the last build, taken over from it", papers, len(model.papers), len(self.reused) - papers,
                     others)
        if self.incremental:
            # The pages are written: the preview shows them now, and the rest follows in a moment.
            self.superseded = threading.Event()
            self.finishing = threading.Thread(target=self._finish_preview, args=(config, self.session),
                                              name="paper-collection preview", daemon=True)
            self.finishing.start()
        else:
            self._write_site_files(config, self.session)

    def _finish_preview(self, config, build: session.BuildSession) -> None:
        try:
            for dest in self.gone:  # a page gone since the last preview (a paper removed or renamed)
                (Path(config.site_dir) / dest).unlink(missing_ok=True)
            self._write_site_files(config, build, self.superseded)
        except Exception as error:  # noqa: BLE001 - a preview goes on; the message says what failed
            log.error("paper-collection: the preview's exports and search index failed: %s", error)

    def _write_site_files(self, config, build: session.BuildSession, superseded: threading.Event | None = None) -> None:
        """Wait for the exports, the explorer's data, the author feeds, the redirects and the search
        index (written by workers, or left by the preview for now); `superseded` stops a preview's
        between steps."""
        # written by workers meanwhile, or deferred by the preview until now
        build.join_background(superseded)
        if superseded is not None and superseded.is_set():
            return
        memo = self.memo
        log.info("paper-collection: %d of %d paper, tag, author and listing page bodies reused from the cache",
                 memo.hits_of("page"), sum(hasattr(page, "inputs") for page in self.pages.values()))
        build.save_memo()

    def on_build_error(self, error):
        parallel.stop_children()

    def on_shutdown(self):
        self._wait_for_previous_preview()
        parallel.stop_children()
