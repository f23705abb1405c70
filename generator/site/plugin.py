"""MkDocs plugin: the paper collection's derived pages, page layouts and safety net.

- on_files: load and validate every paper file (a broken file fails the build instead of
  being silently half-rendered), then add generated pages: home, all tags, one paginated
  index per tag. Nothing derived is written into `content/`.
- on_page_markdown / on_page_content: paper and generated pages get their HTML from our own
  autoescaping templates; every page's content then passes an allow-list sanitiser.
- on_page_context: citation metadata for a paper page's <head> (partials/paper-meta.html).
- on_post_build: the exports (papers.json, BibTeX, Atom feeds; see exports.py) into the site.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import nh3
from markupsafe import Markup, escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from generator.site import citation
from generator.site.exports import Site, export_files, newest_first, write_exports
from generator.collection.model import Link
from generator.collection.paper import Paper
from generator.site.related import related_papers
from generator.site.render import abstract_html, environment, plain_title
from generator.settings import PAPERS, TAGS
from generator.collection.taxonomy import load_taxonomy
from generator.collection.validate import load_collection

LINK_LABELS = {"code": "Code", "project": "Project page", "huggingface": "Hugging Face", "arxiv": "arXiv",
               "pdf": "PDF", "doi": "DOI", "other": "Link"}
FORMAT_NAMES = {"listing": "a paper listing", "bibtex": "a BibTeX file", "json": "a JSON export",
                "jsonl": "a JSON Lines export", "atom": "an arXiv Atom feed", "csv": "a CSV file",
                "add": "a contributor (generator add)"}

# What page content may contain after rendering: our templates' markup and Material's.
ALLOWED_TAGS = {"a", "abbr", "article", "aside", "b", "blockquote", "br", "button", "code", "dd", "del", "details",
                "div", "dl", "dt", "em", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
                "img", "kbd", "li", "mark", "nav", "ol", "p", "pre", "s", "section", "small", "span", "strong",
                "sub", "summary", "sup", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr",
                "u", "ul"}
ALLOWED_ATTRIBUTES = {"*": {"class", "id", "title", "lang", "dir", "aria-label", "aria-hidden", "role"},
                      "a": {"href", "hreflang", "type", "download", "rel"},  # rel: tex.py's nofollow noopener
                      "img": {"src", "alt", "width", "height", "loading"},
                      "time": {"datetime"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
                      "button": {"type", "data-clipboard-target"}, "textarea": {"readonly", "rows"},
                      "ol": {"start"}}


def sanitize(html: str) -> str:
    """Second defence: even if escaping were missed somewhere, no script, handler or
    javascript: URL survives into a page."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel=None, strip_comments=True)


class PaperCollectionConfig(Config):
    taxonomy = c.Type(str, default="taxonomy.yml")
    per_page = c.Type(int, default=100)
    latest = c.Type(int, default=12)
    related = c.Type(int, default=5)
    issue_template = c.Type(str, default="paper-problem.yml")
    escape_text = c.Type(bool, default=True)  # tests switch this off to prove the sanitiser alone holds


@dataclass(frozen=True)
class TagPage:
    tag: str
    number: int  # 1-based page number
    pages: int
    papers: tuple[Paper, ...]

    @property
    def src_uri(self) -> str:
        return f"{TAGS}/{self.tag}/index.md" if self.number == 1 else f"{TAGS}/{self.tag}/page/{self.number}/index.md"


class PaperCollectionPlugin(BasePlugin[PaperCollectionConfig]):
    supports_multiple_instances = False

    def on_config(self, config):
        self.root = Path(config.config_file_path).resolve().parent
        try:
            self.taxonomy = load_taxonomy(self.root / self.config.taxonomy)
        except Exception as error:  # noqa: BLE001 - shown as a build error, not a traceback
            raise PluginError(str(error)) from None
        template_dir = Path(config.theme.custom_dir or self.root / "theme_overrides") / "collection"
        self.env = environment(template_dir)
        if not self.config.escape_text:
            self.env.autoescape = False
        self.site_name = config.site_name
        site_url = config.site_url or ""
        if site_url and not site_url.endswith("/"):
            site_url += "/"
        self.site = Site(name=config.site_name, url=site_url, description=config.site_description or "")
        self.repo_url = (config.repo_url or "").rstrip("/")
        return config

    # -- files ---------------------------------------------------------------------------
    def on_files(self, files: Files, config):
        docs = Path(config.docs_dir)
        collection = load_collection(docs / PAPERS, self.taxonomy, self.root)
        if collection.errors:
            listing = "\n".join(str(p) for p in collection.errors)
            raise PluginError(f"{len(collection.errors)} problem(s) in paper files:\n{listing}\n"
                              "Run 'python -m generator validate' for the same report.")
        self.papers = {p.slug: p for p in collection.papers}
        self.by_tag: dict[str, list[Paper]] = defaultdict(list)
        for paper in newest_first(collection.papers):
            for tag in paper.tags:
                self.by_tag[tag].append(paper)
        self.tag_pages: dict[str, TagPage] = {}
        for tag in self.taxonomy.names:
            members = tuple(self.by_tag.get(tag, ()))
            pages = max(1, math.ceil(len(members) / self.config.per_page))
            for number in range(1, pages + 1):
                chunk = members[(number - 1) * self.config.per_page : number * self.config.per_page]
                page = TagPage(tag, number, pages, chunk)
                self.tag_pages[page.src_uri] = page
        self.related = self.compute_related(collection.papers)
        self.keys = citation.bibtex_keys(collection.papers)
        self.paper_urls = {}
        for slug in self.papers:
            file = files.get_file_from_path(f"{PAPERS}/{slug}.md")
            self.paper_urls[slug] = file.url if file else f"{PAPERS}/{slug}/"
        generated = ["index.md", f"{TAGS}/index.md", *self.tag_pages]
        for uri in generated:
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, content=""))
        return files

    def compute_related(self, papers) -> dict[str, tuple[str, ...]]:
        return related_papers(papers, self.config.related)

    # -- pages ---------------------------------------------------------------------------
    def kind(self, page) -> str:
        uri = page.file.src_uri
        if uri.startswith(f"{PAPERS}/") and Path(uri).stem in self.papers:
            return "paper"
        if uri == "index.md":
            return "home"
        if uri == f"{TAGS}/index.md":
            return "tags"
        if uri in self.tag_pages:
            return "tag"
        return "other"

    def on_page_read_source(self, page, config):
        # A paper page's body comes from our templates and its front matter was parsed and checked
        # in on_files: MkDocs need not parse either again (its pure-Python YAML was a third of a
        # 10,000-paper build).
        if self.kind(page) == "paper":
            return ""
        return None

    def on_page_markdown(self, markdown, page, config, files):
        kind = self.kind(page)
        if kind == "paper":
            paper = self.papers[Path(page.file.src_uri).stem]
            title = plain_title(paper.title)
            # Material prints the description unescaped in <meta name="description">, where no
            # sanitiser runs: escaped whatever `escape_text` says.
            page.meta["description"] = Markup(escape(citation.description(paper)))
        elif kind == "home":
            title = self.site_name
        elif kind == "tags":
            title = "All tags"
        elif kind == "tag":
            tag_page = self.tag_pages[page.file.src_uri]
            title = f"{self.taxonomy.get(tag_page.tag).title}"
            if tag_page.number > 1:
                title += f" (page {tag_page.number})"
        else:
            return markdown
        # Material prints page titles unescaped in its header, where no sanitiser runs: always hand
        # it escaped text (`escape_text` only concerns our content templates, which nh3 backs up).
        page.meta["title"] = Markup(escape(title))
        if kind != "paper":
            page.edit_url = None
        page.meta["collection_kind"] = kind
        return ""  # the body comes from our templates in on_page_content

    def on_page_content(self, html, page, config, files):
        kind = page.meta.get("collection_kind")
        if kind == "paper":
            html = self.render_paper(page, config)
        elif kind == "home":
            html = self.render_home(page)
        elif kind == "tags":
            html = self.render_tags(page)
        elif kind == "tag":
            html = self.render_tag(page)
        return sanitize(html)

    def on_page_context(self, context, page, config, nav):
        kind = page.meta.get("collection_kind")
        if kind == "paper":
            paper = self.papers[Path(page.file.src_uri).stem]
            context["paper"] = paper
            context["paper_meta"] = self.paper_meta(paper, page.canonical_url)
        elif kind == "tag":
            tag = self.taxonomy.get(self.tag_pages[page.file.src_uri].tag)
            context["tag_feed"] = {"title": f"{self.site_name}: {tag.title}", "url": f"{TAGS}/{tag.name}/feed.xml"}
        return context

    def paper_meta(self, paper: Paper, page_url: str | None) -> dict:
        """Values for partials/paper-meta.html: text the template escapes, and JSON-LD already
        made safe for a <script> element."""
        tag_titles = [self.taxonomy.get(t).title for t in paper.tags if self.taxonomy.get(t)]
        return {
            "names": citation.highwire(paper, page_url) + citation.twitter(paper),
            "properties": citation.opengraph(paper, page_url, self.site_name),
            "json_ld": Markup(citation.script_json(citation.json_ld(paper, page_url, tag_titles))),
        }

    def on_post_build(self, config):
        files = export_files(list(self.papers.values()), site=self.site, urls=self.paper_urls, keys=self.keys,
                             related=self.related, tag_titles={t.name: t.title for t in self.taxonomy.tags})
        write_exports(Path(config.site_dir), files)

    # -- rendering -----------------------------------------------------------------------
    def url(self, page, target_uri: str) -> str:
        return get_relative_url(target_uri, page.url) or "./"

    def tag_refs(self, page, tags) -> list[dict]:
        return [{"name": t, "title": self.taxonomy.get(t).title, "url": self.url(page, f"{TAGS}/{t}/")}
                for t in tags if self.taxonomy.get(t)]

    def paper_ref(self, page, paper: Paper) -> dict:
        return {"paper": paper, "url": self.url(page, f"{PAPERS}/{paper.slug}/"),
                "tags": self.tag_refs(page, paper.tags)}

    def render_paper(self, page, config) -> str:
        paper = self.papers[Path(page.file.src_uri).stem]
        issue_url = None
        if self.repo_url:
            query = urlencode({"template": self.config.issue_template, "title": f"Problem with: {paper.title[:150]}",
                               "page-url": page.canonical_url or page.url})
            issue_url = f"{self.repo_url}/issues/new?{query}"
        related = [self.paper_ref(page, self.papers[s]) for s in self.related.get(paper.slug, ())]
        entry = citation.bibtex([citation.bibtex_entry(paper, self.keys[paper.slug])])
        return self.env.get_template("paper.html").render(
            paper=paper, abstract=abstract_html(paper.abstract), tags=self.tag_refs(page, paper.tags),
            links=[{"label": LINK_LABELS.get(link.kind, "Link"), **_link(link)} for link in paper.links],
            sources=[{"source": s, "format_name": FORMAT_NAMES.get(s.format, s.format)} for s in paper.sources],
            edit_url=page.edit_url, issue_url=issue_url, related=related, bibtex=entry.strip(),
        )

    def render_home(self, page) -> str:
        latest = newest_first(self.papers.values())[: self.config.latest]
        return self.env.get_template("home.html").render(
            site_name=self.site_name, count=len(self.papers), tags=self.tag_summaries(page),
            latest=[self.paper_ref(page, p) for p in latest], all_tags_url=self.url(page, f"{TAGS}/"),
            exports={"feed": self.url(page, "feed.xml"), "bib": self.url(page, "papers.bib"),
                     "json": self.url(page, "papers.json")},
        )

    def render_tags(self, page) -> str:
        return self.env.get_template("tags.html").render(tags=self.tag_summaries(page), count=len(self.papers))

    def render_tag(self, page) -> str:
        tag_page = self.tag_pages[page.file.src_uri]
        tag = self.taxonomy.get(tag_page.tag)

        def page_url(number: int) -> str:
            uri = f"{TAGS}/{tag.name}/" if number == 1 else f"{TAGS}/{tag.name}/page/{number}/"
            return self.url(page, uri)

        return self.env.get_template("tag.html").render(
            tag=tag, page=tag_page, total=len(self.by_tag.get(tag.name, ())),
            papers=[self.paper_ref(page, p) for p in tag_page.papers],
            pages=[{"number": n, "url": page_url(n)} for n in range(1, tag_page.pages + 1)],
            all_tags_url=self.url(page, f"{TAGS}/"),
            start=(tag_page.number - 1) * self.config.per_page + 1,
            exports={"feed": self.url(page, f"{TAGS}/{tag.name}/feed.xml"),
                     "bib": self.url(page, f"{TAGS}/{tag.name}/papers.bib")},
        )

    def tag_summaries(self, page) -> list[dict]:
        return [{"tag": t, "count": len(self.by_tag.get(t.name, ())), "url": self.url(page, f"{TAGS}/{t.name}/")}
                for t in self.taxonomy.tags]


def _link(link: Link) -> dict:
    return {"kind": link.kind, "url": link.url}

