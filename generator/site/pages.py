"""The kinds of page the collection adds to a site, as types: `PaperPage`, `HomePage`,
`TagsPage` and `TagIndexPage`. Each knows its source path, its title, its HTML body (from our
autoescaping templates) and what it adds to the page's template context; `site_pages` lists
every page of a `SiteModel`. The MkDocs plugin only looks pages up here and calls them.

Every body then passes an allow-list sanitiser (`sanitize`): even if escaping were missed
somewhere, no script, handler or javascript: URL reaches a page.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from urllib.parse import urlencode

import jinja2
import nh3
from markupsafe import Markup
from mkdocs.utils import get_relative_url

from paper_collection.collection.links import paper_links
from paper_collection.collection.paper import Paper
from paper_collection.settings import PAPERS, TAGS
from paper_collection.site import authors, citation, collection_map, explore, exports, latest, stats, years_venues
from paper_collection.site.model import SiteModel, TagPage, tag_page_uri
from paper_collection.site.pagination import Slice
from paper_collection.site.render import abstract_html
from paper_collection.site.tex import to_plain

LINK_LABELS = {"code": "Code", "project": "Project page", "huggingface": "Hugging Face", "arxiv": "arXiv",
               "pdf": "PDF", "doi": "DOI", "other": "Link"}
FORMAT_NAMES = {"listing": "a paper listing", "bibtex": "a BibTeX file", "json": "a JSON export",
                "jsonl": "a JSON Lines export", "atom": "an arXiv Atom feed", "csv": "a CSV file",
                "add": "a contributor (generator add)", "arxiv-api": "the arXiv API",
                "huggingface": "the Hugging Face daily papers", "rss": "an RSS feed"}

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


_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                       link_rel=None, strip_comments=True)


def sanitize(html: str) -> str:
    """Second defence: even if escaping were missed somewhere, no script, handler or
    javascript: URL survives into a page."""
    return _CLEANER.clean(html)


@dataclass(frozen=True)
class Where:
    """Where a page is being rendered: its own path (for relative links) and its absolute URL."""

    url: str  # the page's path inside the site, as MkDocs gives it ("papers/x/")
    canonical_url: str | None = None
    edit_url: str | None = None

    def link(self, target: str) -> str:
        return get_relative_url(target, self.url) or "./"


class Renderer:
    """The templates and the model, shared by every page of one build."""

    def __init__(self, model: SiteModel, env: jinja2.Environment):
        self.model, self.env = model, env

    def tag_refs(self, where: Where, tags) -> list[dict]:
        taxonomy = self.model.taxonomy
        return [{"name": t, "title": taxonomy.get(t).title, "url": where.link(tag_page_uri(t))}
                for t in tags if taxonomy.get(t)]

    def paper_ref(self, where: Where, paper: Paper) -> dict:
        return {"paper": paper, "url": where.link(self.model.urls[paper.slug]),
                "tags": self.tag_refs(where, paper.tags)}

    def tag_summaries(self, where: Where) -> list[dict]:
        return [{"tag": t, "count": len(self.model.by_tag[t.name]), "url": where.link(tag_page_uri(t.name))}
                for t in self.model.tags]


def _listed(model: SiteModel, papers) -> tuple:
    """What a list of papers shows of each (`paper_ref`): the paper, its address and its tags' titles."""
    tags = {t for p in papers for t in p.tags}
    return (tuple((model.digest(p.slug), model.urls[p.slug]) for p in papers),
            tuple(sorted((t, model.tag_titles.get(t)) for t in tags)))


class SitePage:
    """A page the collection renders. `src_uri` is its path among MkDocs' files. A page kind with
    an `inputs(model)` method (everything its body reads but the templates and `Where`) has its
    body kept between builds."""

    src_uri: str
    editable = False  # generated pages have no source file to edit
    generated = True  # added to MkDocs' files (paper pages are files already)

    def title(self, model: SiteModel) -> str:
        raise NotImplementedError

    def description(self, model: SiteModel) -> str | None:
        return None

    def render(self, renderer: Renderer, where: Where) -> str:
        raise NotImplementedError

    def context(self, model: SiteModel, where: Where) -> dict:
        """What the page adds to the theme's template context."""
        return {}

    def shown_around(self, model: SiteModel, where: Where) -> tuple:
        """What the theme shows of the page besides its body (title, description, context): with
        its body's key, the key of its written file (plugin.py, `_reuse_pages`)."""
        return self.title(model), self.description(model), self.context(model, where)

    def preview_inputs(self, model: SiteModel) -> tuple | None:
        """What the page shows that can change between two previews of one `serve` (templates,
        theme, taxonomy and settings aside): the preview writes the page again only when this
        changed. None: always."""
        return None


@dataclass(frozen=True)
class PaperPage(SitePage):
    paper: Paper
    editable = True
    generated = False

    @property
    def src_uri(self) -> str:
        return f"{PAPERS}/{self.paper.slug}.md"

    def title(self, model):
        return to_plain(self.paper.title)

    def description(self, model):
        return citation.description(self.paper)

    def shown_around(self, model: SiteModel, where: Where) -> tuple:
        return ()  # title, description, citation metadata: all made from the paper, in `inputs`

    def inputs(self, model: SiteModel) -> tuple:
        """Everything `render` reads besides the templates and `where` (the page cache's key)."""
        slug = self.paper.slug
        related = model.related.get(slug, ())
        tags = {t for s in (slug, *related) for t in model.papers[s].tags}
        people = _name_links(model, self.paper)  # where each author's name links
        groups = (model.years_venues.year_url(self.paper), model.years_venues.venue_url(self.paper))
        # The BibTeX entry is made from the paper and its key (by citation.py, part of the templates'
        # fingerprint): the key stands for it, so that no entry is made for a page that is not written.
        return (model.digest(slug), tuple((s, model.digest(s)) for s in related),
                tuple(sorted((t, model.tag_titles.get(t)) for t in tags)), model.keys[slug], people, groups)

    def preview_inputs(self, model):
        slug = self.paper.slug
        return (self.paper, tuple(model.papers[s] for s in model.related.get(slug, ())), _name_links(model, self.paper))

    def render(self, renderer, where):
        model, paper = renderer.model, self.paper
        issue_url = None
        if model.settings.repo_url:
            query = urlencode({"template": model.settings.issue_template,
                               "title": f"Problem with: {paper.title[:150]}",
                               "page-url": where.canonical_url or where.url})
            issue_url = f"{model.settings.repo_url}/issues/new?{query}"
        related = [renderer.paper_ref(where, model.papers[s]) for s in model.related.get(paper.slug, ())]
        return renderer.env.get_template("paper.html").render(
            paper=paper, abstract=abstract_html(paper.abstract), tags=renderer.tag_refs(where, paper.tags),
            links=[{"label": LINK_LABELS.get(link.kind, "Link"), "kind": link.kind, "url": link.url}
                   for link in paper_links(paper)],
            sources=[{"source": s, "format_name": FORMAT_NAMES.get(s.format, s.format)} for s in paper.sources],
            edit_url=where.edit_url, issue_url=issue_url, related=related, bibtex=model.bibtex(paper.slug).strip(),
            authors=authors.author_links(model.authors, paper, where.link, model.urls,
                                         model.settings.author_pages_min_papers),
            year_url=_link_or_none(where, model.years_venues.year_url(paper)),
            venue_url=_link_or_none(where, model.years_venues.venue_url(paper)),
        )

    def context(self, model, where):
        paper = self.paper
        tag_titles = [model.tag_titles[t] for t in paper.tags if t in model.tag_titles]
        url = where.canonical_url
        return {"paper": paper, "paper_meta": {
            # text the template escapes, and JSON-LD already made safe for a <script> element
            "names": citation.highwire(paper, url) + citation.twitter(paper),
            "properties": citation.opengraph(paper, url, model.settings.name),
            "json_ld": Markup(citation.script_json(citation.json_ld(paper, url, tag_titles))),
        }}


def _contributing_url(model: SiteModel) -> str | None:
    """Where an empty collection's home page sends people who want to add papers: the repository's
    CONTRIBUTING.md on its default branch (repo_url is a GitHub repository, as for the issue links)."""
    return f"{model.settings.repo_url}/blob/HEAD/CONTRIBUTING.md" if model.settings.repo_url else None


@dataclass(frozen=True)
class HomePage(SitePage):
    src_uri = "index.md"

    def title(self, model):
        return model.settings.name

    def render(self, renderer, where):
        model = renderer.model
        return renderer.env.get_template("home.html").render(
            site_name=model.settings.name, count=len(model.papers), tags=renderer.tag_summaries(where),
            latest=[renderer.paper_ref(where, p) for p in model.latest], all_tags_url=where.link(f"{TAGS}/"),
            explore_url=where.link(f"{explore.EXPLORE}/"), stats_url=where.link(f"{stats.STATS}/"),
            map_url=where.link(f"{collection_map.MAP}/"), latest_url=where.link(latest.latest_uri()),
            authors_url=where.link(f"{authors.AUTHORS}/") if model.authors.people else None,
            exports={"feed": where.link("feed.xml"), "by_year": where.link(f"{exports.EXPORTS}/"),
                     # the whole-collection files exist while they fit a host's file limit (exports.py)
                     **({"bib": where.link("papers.bib"), "json": where.link("papers.json")}
                        if model.export_plan.whole else {"bib": None, "json": None})},
            contributing_url=_contributing_url(model),
        )


@dataclass(frozen=True)
class TagsPage(SitePage):
    src_uri = f"{TAGS}/index.md"

    def title(self, model):
        return "All tags"

    def render(self, renderer, where):
        return renderer.env.get_template("tags.html").render(tags=renderer.tag_summaries(where),
                                                             count=len(renderer.model.papers))


@dataclass(frozen=True)
class TagIndexPage(SitePage):
    page: TagPage

    @property
    def src_uri(self) -> str:
        return self.page.src_uri

    def title(self, model):
        return self.page.tag.title + (f" (page {self.page.number})" if self.page.number > 1 else "")

    def preview_inputs(self, model):
        return self.page, len(model.by_tag[self.page.tag.name])

    def inputs(self, model: SiteModel) -> tuple:
        """Everything `render` reads besides the templates and `where` (the page cache's key)."""
        page = self.page
        return (page.tag, page.number, page.pages, page.first, len(model.by_tag[page.tag.name]),
                _listed(model, page.papers))

    def render(self, renderer, where):
        tag, page = self.page.tag, self.page
        return renderer.env.get_template("tag.html").render(
            tag=tag, page=page, total=len(renderer.model.by_tag[tag.name]),
            papers=[renderer.paper_ref(where, p) for p in page.papers],
            pages=[{"number": n, "url": where.link(tag_page_uri(tag.name, n))} for n in range(1, page.pages + 1)],
            all_tags_url=where.link(f"{TAGS}/"), start=page.first,
            exports={"feed": where.link(f"{TAGS}/{tag.name}/feed.xml"),
                     "bib": where.link(f"{TAGS}/{tag.name}/papers.bib")},
        )

    def context(self, model, where):
        tag = self.page.tag
        return {"tag_feed": {"title": f"{model.settings.name}: {tag.title}", "url": f"{TAGS}/{tag.name}/feed.xml"}}


@dataclass(frozen=True)
class ExplorePage(SitePage):
    """Every paper with facets, sorting and the reading list (explore.js reads explore/facets.json and title chunks)."""

    src_uri = explore.PAGE

    def title(self, model):
        return "Explore the papers"

    def render(self, renderer, where):
        model = renderer.model
        return explore.render_page(renderer.env, model.newest, model.tag_titles, where.link)

    def context(self, model, where):
        return {"page_scripts": ["assets/javascripts/explore-data.js", "assets/javascripts/explore.js",
                                 "assets/javascripts/map-link.js"]}


@dataclass(frozen=True)
class StatsPage(SitePage):
    """Charts of the collection, as SVG made at build time."""

    src_uri = stats.PAGE
    sanitized = True  # the template's HTML is sanitised inside, then the lxml-built charts are placed

    def title(self, model):
        return "Statistics"

    def render(self, renderer, where):
        model, groups = renderer.model, renderer.model.years_venues
        links = {"tags": {t.title: where.link(tag_page_uri(t.name)) for t in model.tags},
                 "years": {g.name: where.link(years_venues.listing_uri(g.kind, g.key)) for g in groups.years.values()},
                 "venues": {g.name: where.link(years_venues.listing_uri(g.kind, g.key))
                            for g in groups.venues.values()}}
        index_links = {"tags": {"url": where.link(f"{TAGS}/"), "text": "All tags"}}
        if groups.years:
            index_links["years"] = {"url": where.link(f"{years_venues.YEARS}/"), "text": "All years"}
        if groups.venues:
            index_links["venues"] = {"url": where.link(f"{years_venues.VENUES}/"), "text": "All venues"}
        return stats.render_page(renderer.env, list(model.papers.values()), model.tag_titles, sanitize,
                                 links, index_links)


@dataclass(frozen=True)
class ExportsPage(SitePage):
    """The whole collection's exports: papers.json and papers.bib while they fit, and the parts by year."""

    src_uri = exports.PAGE

    def title(self, model):
        return "Exports"

    def render(self, renderer, where):
        model = renderer.model
        plan = model.export_plan
        parts = [{"label": part.label, "name": part.name, "year": part.year, "count": len(part.papers),
                  "json": where.link(part.json_path), "bib": where.link(part.bib_path)} for part in plan.parts]
        return renderer.env.get_template("exports.html").render(
            count=len(model.papers), parts=parts, whole=plan.whole, whole_bytes=plan.whole_bytes,
            limit=exports.LIMIT, json=where.link("papers.json"), bib=where.link("papers.bib"),
            index=where.link(exports.INDEX), schema=where.link("papers.schema.json"),
            index_schema=where.link(f"{exports.EXPORTS}/index.schema.json"), feed=where.link("feed.xml"))


@dataclass(frozen=True)
class MapPage(SitePage):
    """Every paper as a point placed by similarity (map.js draws map/points.json on the explorer's data)."""

    src_uri = collection_map.PAGE

    def title(self, model):
        return "Map of the papers"

    def render(self, renderer, where):
        return collection_map.render_page(renderer.env, len(renderer.model.papers), where.link)

    def context(self, model, where):
        return {"page_scripts": ["assets/javascripts/explore-data.js", "assets/javascripts/map.js"]}


@dataclass(frozen=True)
class AuthorsPage(SitePage):
    """A page of the author index (A-Z, `authors_per_page` people a page, with a jump list by letter)."""

    part: authors.AuthorIndexPart

    @property
    def src_uri(self) -> str:
        return self.part.src_uri

    def title(self, model):
        return "Authors" + (f" (page {self.part.number})" if self.part.number > 1 else "")

    def inputs(self, model: SiteModel) -> tuple:
        """Everything `render` reads besides the templates and `where`: the part's place, the A-Z
        jumps, and each person listed with where their name leads (a page in the navigation is
        always written, but its body is kept: 21 pages listed 40,000 people at 10,000 papers)."""
        part, line = self.part, model.settings.author_pages_min_papers
        return (part.number, part.pages, part.first, len(model.authors.people), part.initials,
                tuple(part.jumps.items()),
                tuple((p.slug, p.name, len(p.papers), authors.name_path(p, line, model.urls)) for p in part.people))

    def render(self, renderer, where):
        model = renderer.model
        return authors.render_index(renderer.env, model.authors, self.part, where.link, model.urls,
                                    model.settings.author_pages_min_papers)


@dataclass(frozen=True)
class AuthorPage(SitePage):
    person_slug: str

    @property
    def src_uri(self) -> str:
        return f"{authors.AUTHORS}/{self.person_slug}/index.md"

    def title(self, model):
        return model.authors.people[self.person_slug].name

    def preview_inputs(self, model):
        return self.inputs(model)

    def inputs(self, model: SiteModel) -> tuple:
        person = model.authors.people[self.person_slug]
        line, urls = model.settings.author_pages_min_papers, model.urls
        # The person's fields as a tuple: a dataclass's repr, made in Python, was a third of this key's cost.
        return ((person.name, person.slug, person.written, tuple(person.papers)),
                _listed(model, [model.papers[s] for s in person.papers]),
                tuple((p.slug, p.name, n, authors.name_path(p, line, urls, alone=True))
                      for p, n in authors.coauthors(model.authors, person, model.papers)))

    def render(self, renderer, where):
        model = renderer.model
        person = model.authors.people[self.person_slug]
        return authors.render_author(renderer.env, model.authors, person, model.papers,
                                     lambda paper: renderer.paper_ref(where, paper), where.link, model.urls,
                                     model.settings.author_pages_min_papers)

    def context(self, model, where):
        person = model.authors.people[self.person_slug]
        return {"tag_feed": {"title": f"{model.settings.name}: papers by {person.name}",
                             "url": f"{authors.AUTHORS}/{person.slug}/feed.xml"}}


def _name_links(model: SiteModel, paper: Paper) -> tuple:
    """Where each of the paper's author names links (a page, the explorer, or nowhere), with the
    person's name (an explorer link carries it): a page's cache key."""
    line = model.settings.author_pages_min_papers
    people = (model.authors.person_of(a) for a in paper.authors)
    return tuple((p.slug, p.name, authors.name_path(p, line, model.urls, alone=True)) for p in people)


def _link_or_none(where: Where, target: str | None) -> str | None:
    return where.link(target) if target else None


GROUP_WORDS = {  # kind -> (index title, column, what a page lists, link back to the index)
    years_venues.YEARS: ("Years", "Year", "Papers from {}", "All years"),
    years_venues.VENUES: ("Venues", "Venue", "Papers in {}", "All venues"),
}


@dataclass(frozen=True)
class GroupsPage(SitePage):
    """/years/ or /venues/: every year (newest first) or venue (A-Z) with its number of papers."""

    kind: str

    @property
    def src_uri(self) -> str:
        return years_venues.INDEX[self.kind]

    def title(self, model):
        return GROUP_WORDS[self.kind][0]

    def render(self, renderer, where):
        model = renderer.model
        groups = model.years_venues.years if self.kind == years_venues.YEARS else model.years_venues.venues
        given = sum(len(g.papers) for g in groups.values())
        what = "a publication year" if self.kind == years_venues.YEARS else "a venue"
        return renderer.env.get_template("groups.html").render(
            heading=self.title(model), column=GROUP_WORDS[self.kind][1],
            intro=f"{given} of {len(model.papers)} papers give {what}.",
            rows=years_venues.index_rows(groups, where.link))


@dataclass(frozen=True)
class ListingIndexPage(SitePage):
    """One page of a year's or venue's papers, newest first (like a tag's)."""

    page: years_venues.ListingPage

    @property
    def src_uri(self) -> str:
        return self.page.src_uri

    def title(self, model):
        heading = GROUP_WORDS[self.page.group.kind][2].format(self.page.group.name)
        return heading + (f" (page {self.page.number})" if self.page.number > 1 else "")

    def inputs(self, model: SiteModel) -> tuple:
        page, group = self.page, self.page.group
        return (group.kind, group.key, group.name, page.number, page.pages, page.first, len(group.papers),
                _listed(model, page.papers))

    def render(self, renderer, where):
        page, group = self.page, self.page.group
        return renderer.env.get_template("listing.html").render(
            heading=GROUP_WORDS[group.kind][2].format(group.name), page=page, total=len(group.papers),
            papers=[renderer.paper_ref(where, p) for p in page.papers], start=page.first,
            pages=[{"number": n, "url": where.link(years_venues.listing_uri(group.kind, group.key, n))}
                   for n in range(1, page.pages + 1)],
            pages_label=f"Pages of {group.name}", index_url=where.link(f"{group.kind}/"),
            index_text=GROUP_WORDS[group.kind][3])


@dataclass(frozen=True)
class LatestPage(SitePage):
    """/latest/ (and /latest/page/N/): every paper, newest addition first, grouped by the day it was added."""

    part: Slice

    @property
    def src_uri(self) -> str:
        return latest.latest_uri(self.part.number) + "index.md"

    def title(self, model):
        return "Latest papers" + (f" (page {self.part.number})" if self.part.number > 1 else "")

    def render(self, renderer, where):
        model, part = renderer.model, self.part
        days = [{"date": day, "label": _long_date(day), "papers": [renderer.paper_ref(where, p) for p in papers]}
                for day, papers in latest.by_day(part.papers)]
        return renderer.env.get_template("latest.html").render(
            days=days, page=part, total=len(model.newest), home_url=where.link(""),
            pages=[{"number": n, "url": where.link(latest.latest_uri(n))} for n in range(1, part.pages + 1)],
            feed_url=where.link("feed.xml"),
            feeds=[{"name": name, "url": where.link(latest.watch_feed_path(name))}
                   for name in model.watch_papers])

    def context(self, model, where):
        return {"tag_feed": {"title": f"{model.settings.name}: newest papers", "url": "feed.xml"}}


def _long_date(day: str) -> str:
    """'2026-12-07' -> '7 December 2026' (English month names, whatever the machine's locale)."""
    try:
        year, month, number = (int(part) for part in day.split("-"))
        return f"{number} {calendar.month_name[month]} {year}"
    except (ValueError, IndexError):
        return day


def site_pages(model: SiteModel) -> dict[str, SitePage]:
    """Every page the collection renders, by source path."""
    groups, line = model.years_venues, model.settings.author_pages_min_papers
    pages: list[SitePage] = [HomePage(), TagsPage(), *(TagIndexPage(p) for p in model.tag_pages),
                             ExplorePage(), StatsPage(), MapPage(), ExportsPage(),
                             *(LatestPage(part) for part in latest.latest_pages(model)),
                             *(AuthorsPage(part) for part in model.author_index_pages),
                             *(AuthorPage(p.slug) for p in authors.paged_people(model.authors, line)),
                             *([GroupsPage(years_venues.YEARS)] if groups.years else []),
                             *([GroupsPage(years_venues.VENUES)] if groups.venues else []),
                             *(ListingIndexPage(p) for p in model.listing_pages),
                             *(PaperPage(p) for p in model.papers.values())]
    return {page.src_uri: page for page in pages}


def optional_nav(pages: dict[str, SitePage]) -> list[tuple[str, str]]:
    """(title, source path) of the index pages a collection has (`site_pages`) only when its papers
    give authors, years or venues: the plugin adds these to the navigation (short: never one entry
    per paper, person, year or venue)."""
    wanted = [("Authors", authors.INDEX_PAGE), ("Years", years_venues.INDEX[years_venues.YEARS]),
              ("Venues", years_venues.INDEX[years_venues.VENUES])]
    return [(title, uri) for title, uri in wanted if uri in pages]
