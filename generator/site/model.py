"""The site model: everything the site shows, computed once per build from the checked papers,
the taxonomy and the settings, and read by every consumer (page rendering in `pages.py`, the
search index in `search.py`, the exports in `exports.py`).

`build_model` is pure: no MkDocs, no files. It decides the tags' pages (pagination), the URLs,
the BibTeX keys and entries, the related papers and the search documents; consumers only
format them. (Related papers may be handed in from the cache, see `cache.py` and `session.py`.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urljoin

from paper_collection import datafile
from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import Tag, Taxonomy
from paper_collection.settings import PAPERS, TAGS, code_fingerprint
from paper_collection.site import citation
from paper_collection.site.authors import MIN_PAPERS, AuthorIndex, AuthorIndexPart, build_index, index_parts
from paper_collection.site.authors import index_data as people_data
from paper_collection.site.authors import index_from_data as people_from_data
from paper_collection.site.cache import cache_dir, content_key
from paper_collection.site.pagination import paginate
from paper_collection.site.related import related_papers
from paper_collection.site.tex import math_words, to_plain
from paper_collection.site.years_venues import ListingPage, YearsAndVenues, years_and_venues


@dataclass(frozen=True)
class SiteSettings:
    """What the model needs from `mkdocs.yml` (site name and URL, the plugin's options)."""

    name: str
    url: str = ""  # the site's root URL, ending in "/"; "" when the site has no site_url
    description: str = ""
    repo_url: str = ""  # without a trailing "/"; "" when unknown
    per_page: int = 100  # papers per tag page
    authors_per_page: int = 500  # people per page of the author index
    author_pages_min_papers: int = MIN_PAPERS  # papers a person needs for a page and feed of their own (authors.py)
    latest: int = 12  # newest papers on the home page
    related: int = 5  # related papers per paper
    issue_template: str = "paper-problem.yml"
    directory_urls: bool = True

    def __post_init__(self) -> None:
        if self.url and not self.url.endswith("/"):
            object.__setattr__(self, "url", self.url + "/")
        object.__setattr__(self, "repo_url", self.repo_url.rstrip("/"))

    def absolute(self, path: str) -> str:
        """A site path such as "papers/x/" as a URL: absolute when the site URL is known."""
        return urljoin(self.url, path) if self.url else path


@dataclass(frozen=True)
class TagPage:
    """One page of a tag's paper list (newest first, `per_page` papers a page)."""

    tag: Tag
    number: int  # 1-based
    pages: int  # how many pages the tag has
    papers: tuple[Paper, ...]
    first: int  # 1-based position of this page's first paper in the tag's list

    @property
    def src_uri(self) -> str:
        return tag_page_uri(self.tag.name, self.number) + "index.md"

    @property
    def url(self) -> str:
        return tag_page_uri(self.tag.name, self.number)


def tag_page_uri(tag: str, number: int = 1) -> str:
    return f"{TAGS}/{tag}/" if number == 1 else f"{TAGS}/{tag}/page/{number}/"


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Newest additions first; within a day, the order the source listed them, then title."""
    def listing_order(paper: Paper):
        first = paper.sources[0] if paper.sources else None
        return (first.file if first else "", first.line if first else 0, paper.title.casefold(), paper.slug)

    return sorted(sorted(papers, key=listing_order), key=lambda p: p.added, reverse=True)


PEOPLE_FILE = "people.json"  # in the project's cache folder: the last index made, and of which papers
PEOPLE_VERSION = 1


def people_of(papers: Iterable[Paper], root: Path | None = None) -> AuthorIndex:
    """The people who wrote `papers`, each person's papers newest first: `SiteModel.authors`, made
    before the model when `paper-collection build` needs them first (validate's notes). With the
    project's `root`, the index is kept in its cache, keyed by every paper's slug and authors in
    that order (a third of a rebuild's first seconds at 10,000 papers went into making it again)."""
    newest = newest_first(papers)
    if root is None:
        return build_index(newest)
    path, code = cache_dir(root) / PEOPLE_FILE, code_fingerprint()
    key = content_key([(p.slug, p.authors) for p in newest])
    kept = datafile.read(path, "people", PEOPLE_VERSION, code)
    index = people_from_data(kept.get("index")) if isinstance(kept, dict) and kept.get("key") == key else None
    if index is None:
        index = build_index(newest)
        datafile.write(path, "people", PEOPLE_VERSION, {"key": key, "index": people_data(index)}, code)
    return index


class BibtexMemo:
    """The BibTeX entries of one build's model, made on first use: the one part of the frozen model
    that is filled in as the build goes (an entry depends only on its paper and key, so when it is
    made changes nothing). Worker processes hand theirs back with `add`."""

    def __init__(self, cached: Callable[[SiteModel, str], str | None] | None = None):
        self.texts: dict[str, str] = {}  # slug -> its entry
        # (model, slug) -> the entry an earlier build made for the same paper and key, or None (session.py's cache)
        self.cached = cached

    def add(self, texts: Mapping[str, str]) -> None:
        self.texts.update(texts)


@dataclass(frozen=True)
class SiteModel:
    settings: SiteSettings
    taxonomy: Taxonomy
    papers: Mapping[str, Paper]  # by slug, in slug order
    newest: tuple[Paper, ...]  # every paper, newest addition first
    by_tag: Mapping[str, tuple[Paper, ...]]  # every tag of the taxonomy (in its order) -> its papers, newest first
    tag_pages: tuple[TagPage, ...]
    urls: Mapping[str, str]  # slug -> the paper page's path inside the site
    keys: Mapping[str, str]  # slug -> BibTeX key
    related: Mapping[str, tuple[str, ...]]  # slug -> related slugs, best first
    bibtex_memo: BibtexMemo = field(default_factory=BibtexMemo, compare=False, repr=False)
    people: AuthorIndex | None = field(default=None, compare=False, repr=False)  # `people_of` these papers, if made
    export_sizes: object = field(default=None, compare=False, repr=False)  # exports.SizeMemo: sizes kept, if any

    @property
    def tags(self) -> tuple[Tag, ...]:
        return self.taxonomy.tags

    @cached_property
    def tag_titles(self) -> dict[str, str]:
        return {tag.name: tag.title for tag in self.taxonomy.tags}

    @property
    def latest(self) -> tuple[Paper, ...]:
        return self.newest[: self.settings.latest]

    @property
    def updated(self) -> str | None:
        """The newest `added` date: stands in for the build time wherever a date is written."""
        return self.newest[0].added if self.newest else None

    @cached_property
    def export_plan(self):
        """How the whole-collection exports are split (exports.py): made once per build, as the home
        page, the exports page and the exports themselves read it."""
        from paper_collection.site.exports import export_plan  # exports.py imports this module

        return export_plan(self, sizes=self.export_sizes)  # type: ignore[arg-type]

    @cached_property
    def _digests(self) -> dict[str, str]:
        return {}

    def digest(self, slug: str) -> str:
        """A hash of everything the paper's file says, made once per build: it stands for the paper
        in cache keys (hashing the repr of a page's paper and its related papers for every key was
        a tenth of a build's own work)."""
        found = self._digests.get(slug)
        if found is None:
            found = self._digests[slug] = content_key(self.papers[slug])
        return found

    @property
    def bibtex_texts(self) -> Mapping[str, str]:
        """slug -> its BibTeX entry, for the entries made (or taken from the cache) so far."""
        return self.bibtex_memo.texts

    def bibtex(self, slug: str) -> str:
        """The paper's BibTeX entry, made once per build (page, papers.bib and tag files share it)."""
        memo = self.bibtex_memo
        text = memo.texts.get(slug)
        if text is None and memo.cached is not None:
            text = memo.cached(self, slug)
        if text is None:
            paper = self.papers[slug]
            text = citation.bibtex([citation.bibtex_entry(paper, self.keys[slug])])
        memo.texts[slug] = text
        return text

    def bibliography(self, papers: Iterable[Paper]) -> str:
        """One entry per paper, in key order, separated by a blank line (as bibtexparser writes a library)."""
        texts = [self.bibtex(p.slug) for p in sorted(papers, key=lambda p: self.keys[p.slug])]
        return "\n".join(texts)

    @cached_property
    def authors(self) -> AuthorIndex:
        """The people who wrote the papers, spellings matched across sources (generator/site/authors.py);
        each person's papers newest first."""
        return self.people if self.people is not None else build_index(self.newest)

    @cached_property
    def author_index_pages(self) -> tuple[AuthorIndexPart, ...]:
        """The author index's pages (A-Z by family name), `authors_per_page` people each; none without authors."""
        return index_parts(self.authors, self.settings.authors_per_page)

    @cached_property
    def watch_papers(self) -> dict[str, tuple[Paper, ...]]:
        """Each watch of watch.yml that brought papers -> its papers, newest first (latest.py)."""
        from paper_collection.site.latest import watch_papers  # latest.py reads the model

        return watch_papers(self.newest)

    @cached_property
    def years_venues(self) -> YearsAndVenues:
        """The publication years and venues the papers give, each with its papers newest first and its
        pages (generator/site/years_venues.py); empty for a collection that knows neither."""
        return years_and_venues(self.newest, self.settings.per_page)

    @property
    def listing_pages(self) -> tuple[ListingPage, ...]:
        return self.years_venues.pages

    @cached_property
    def search_documents(self) -> list[dict[str, str]]:
        """What the search index reads per paper (slug order): title, tags, authors, abstract."""
        return [self.search_document(p) for p in self.papers.values()]

    def search_inputs(self, paper: Paper) -> tuple:
        """Everything `search_document` reads (the key of its cached postings)."""
        return (paper.title, paper.abstract, paper.tags, tuple(self.tag_titles.get(t, "") for t in paper.tags),
                paper.authors)

    def search_document(self, paper: Paper) -> dict[str, str]:
        titles = self.tag_titles

        def words(text: str) -> str:
            # Words as readers see them ("$\\sigma$-rank" -> "σ-rank"), plus the names of Greek letters
            # ("sigma"), which lunr's trimmer would otherwise drop.
            return f"{to_plain(text)} {math_words(text)}".strip()

        return {"slug": paper.slug, "title": words(paper.title),
                "tags": " ".join(f"{t} {titles.get(t, '')}" for t in paper.tags),
                "authors": " ".join(paper.authors), "abstract": words(paper.abstract)}


def paper_path(slug: str, directory_urls: bool = True) -> str:
    return f"{PAPERS}/{slug}/" if directory_urls else f"{PAPERS}/{slug}.html"


def build_model(papers: Iterable[Paper], taxonomy: Taxonomy, settings: SiteSettings, *,
                related: Mapping[str, tuple[str, ...]] | None = None,
                bibtex_cached: Callable[[SiteModel, str], str | None] | None = None,
                people: AuthorIndex | None = None, export_sizes: object = None) -> SiteModel:
    """The whole site, from checked papers. `related` may be handed in when already known (cache);
    `bibtex_cached` looks up a BibTeX entry an earlier build made (see `BibtexMemo`); `people`, the
    papers' `people_of`, when the caller has made it already; `export_sizes`, an `exports.SizeMemo`."""
    ordered = sorted(papers, key=lambda p: p.slug)
    by_slug = {p.slug: p for p in ordered}
    newest = tuple(newest_first(ordered))
    members: dict[str, list[Paper]] = {tag.name: [] for tag in taxonomy.tags}
    for paper in newest:
        for tag in paper.tags:
            if tag in members:
                members[tag].append(paper)
    by_tag = {name: tuple(papers) for name, papers in members.items()}
    tag_pages = [TagPage(tag, *part) for tag in taxonomy.tags for part in paginate(by_tag[tag.name], settings.per_page)]
    if related is None:
        related = related_papers(ordered, settings.related)
    return SiteModel(
        settings=settings, taxonomy=taxonomy, papers=by_slug, newest=newest, by_tag=by_tag,
        tag_pages=tuple(tag_pages), urls={slug: paper_path(slug, settings.directory_urls) for slug in by_slug},
        keys=citation.bibtex_keys(ordered), related=related, bibtex_memo=BibtexMemo(bibtex_cached),
        people=people, export_sizes=export_sizes,
    )
