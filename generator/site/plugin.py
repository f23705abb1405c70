"""MkDocs plugin `paper-collection`: hook wiring only. The site model (`model.py`, obtained once
per build through `session.py`) decides what the site holds; the page types (`pages.py`)
render it; `exports.py` writes papers.json, BibTeX and feeds.

- on_files: add the generated pages (home, all tags, each tag's pages). Nothing derived is
  written into the docs folder.
- on_page_read_source / on_page_markdown / on_page_content / on_page_context: a page the
  collection owns gets its title, body (sanitised) and head metadata from its page type.
- on_post_build: the exports, into the site.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from markupsafe import Markup, escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.site import authors, explore, session
from generator.site.exports import atom_feed, export_files, write_exports
from generator.site.cache import content_key
from generator.site.pages import PaperPage, Renderer, SitePage, Where, optional_nav, sanitize, site_pages
from generator.site.render import environment
from generator.site.redirects import redirect_files

log = logging.getLogger("mkdocs.plugins.paper-collection")


def template_fingerprint(folder: Path) -> str:
    """The page templates and the code that fills them: a cached page body is only reused
    when neither changed."""
    code = Path(__file__).parent
    files = [*sorted(p for p in folder.glob("*") if p.is_file()),
             *(code / name for name in ("pages.py", "render.py", "citation.py", "model.py"))]
    return content_key(*((p.name, p.read_bytes()) for p in files))


class PaperCollectionConfig(Config):
    taxonomy = c.Type(str, default="taxonomy.yml")
    per_page = c.Type(int, default=100)
    authors_per_page = c.Type(int, default=500)  # names a page of the author index (/authors/, /authors/page/N/)
    latest = c.Type(int, default=12)
    related = c.Type(int, default=5)
    issue_template = c.Type(str, default="paper-problem.yml")
    escape_text = c.Type(bool, default=True)  # tests switch this off to prove the sanitiser alone holds


class PaperCollectionPlugin(BasePlugin[PaperCollectionConfig]):
    supports_multiple_instances = False

    command = "build"

    def on_startup(self, *, command, dirty):
        # Defining on_startup also keeps this plugin across `mkdocs serve` rebuilds.
        self.command = command

    def on_config(self, config):
        session.taxonomy_for(config)  # a broken taxonomy fails the build before anything else
        template_dir = Path(config.theme.custom_dir or session.project_root(config) / "theme_overrides")
        self.env = environment(template_dir / "collection")
        if not self.config.escape_text:
            self.env.autoescape = False
        self.templates = template_fingerprint(template_dir / "collection")
        return config

    def on_files(self, files: Files, config):
        self.model = session.model_for(config, preview=self.command == "serve")
        self.pages: dict[str, SitePage] = site_pages(self.model)
        self.renderer = Renderer(self.model, self.env)
        self.memo = session.memo_for(config)
        for uri, page in self.pages.items():
            if page.generated and files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, content=""))
        return files

    def on_nav(self, nav, config, files):
        # The author, year and venue indexes exist only when the papers give those: listed when they do,
        # after the entries of mkdocs.yml (unless mkdocs.yml lists them itself).
        listed = {page.file.src_uri for page in nav.pages}
        for title, uri in optional_nav(self.model):
            file = files.get_file_from_path(uri)
            if file is not None and uri not in listed:
                nav.items.append(Page(title, file, config))
        return nav

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
        description = ours.description(self.model)
        if description is not None:
            page.meta["description"] = Markup(escape(description))
        if not ours.editable:
            page.edit_url = None
        return ""  # the body comes from the page type in on_page_content

    def on_page_content(self, html, page, config, files):
        ours = self._page(page)
        where = Where(page.url, page.canonical_url, page.edit_url)
        if isinstance(ours, PaperPage):
            # A paper page's body is kept between builds, keyed by everything it shows.
            key = content_key("page", self.templates, self.config.escape_text, where, *ours.inputs(self.model))
            body = self.memo.get("page", key)
            if body is None:
                body = sanitize(ours.render(self.renderer, where))
                self.memo.put("page", key, body)
            return body
        if ours is not None:
            html = ours.render(self.renderer, where)
            if getattr(ours, "sanitized", False):
                return html
        return sanitize(html)

    def on_page_context(self, context, page, config, nav):
        ours = self._page(page)
        if ours is not None:
            context.update(ours.context(self.model, Where(page.url, page.canonical_url, page.edit_url)))
        return context

    def on_post_build(self, config):
        model = self.model
        write_exports(Path(config.site_dir), export_files(model))
        # The explorer's data and the reading list's citations; one Atom feed per author.
        write_exports(Path(config.site_dir), explore.explore_files(
            model.newest, [(t.name, t.title) for t in model.tags], model.keys, model.authors.name_of))
        write_exports(Path(config.site_dir), authors.feed_files(
            model.authors, model.papers, functools.partial(atom_feed, model), model.settings.name))
        # Old addresses of renamed papers: redirect pages, outside MkDocs' files (so not in the sitemap).
        write_exports(Path(config.site_dir), redirect_files(self.model.papers.values(), self.model.urls,
                                                            self.model.settings))
        memo = self.memo
        log.info("paper-collection: %d of %d paper page bodies reused from the cache", memo.hits_of("page"),
                 len(self.model.papers))
        session.save_memo(config)
