"""Year and venue pages: `/years/` and `/years/<year>/`, `/venues/` and `/venues/<venue-slug>/`,
each listing its papers newest first, paginated like tag pages (pagination.py).

They exist only for what the collection knows: a collection whose papers give no year has no year
pages (and no navigation entry for them); likewise for venues. A venue is the text its papers give,
shown as text; its address is a slug made by the rule paper file names follow
(generator/collection/slugs.py), unique among the collection's venues, the same for the same venues
whatever order papers arrive in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from slugify import slugify

from paper_collection.collection.paper import Paper
from paper_collection.collection.slugs import unique_slug
from paper_collection.site.pagination import paginate

YEARS = "years"
VENUES = "venues"
INDEX = {YEARS: f"{YEARS}/index.md", VENUES: f"{VENUES}/index.md"}


@dataclass(frozen=True)
class Group:
    """A publication year or a venue, and its papers (newest addition first)."""

    kind: str  # YEARS or VENUES
    key: str  # its part of the address: "2024", or the venue's slug
    name: str  # as shown: "2024", or the venue as the papers give it
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class ListingPage:
    """One page of a year's or venue's papers (as TagPage is of a tag's)."""

    group: Group
    number: int  # 1-based
    pages: int
    papers: tuple[Paper, ...]
    first: int

    @property
    def url(self) -> str:
        return listing_uri(self.group.kind, self.group.key, self.number)

    @property
    def src_uri(self) -> str:
        return self.url + "index.md"


def listing_uri(kind: str, key: str, number: int = 1) -> str:
    return f"{kind}/{key}/" if number == 1 else f"{kind}/{key}/page/{number}/"


@dataclass(frozen=True)
class YearsAndVenues:
    years: dict[str, Group]  # by key, newest year first
    venues: dict[str, Group]  # by key, in alphabetical order of the venue
    pages: tuple[ListingPage, ...]  # every year's pages, then every venue's
    year_of: dict[int, str]  # year -> key
    venue_of: dict[str, str]  # venue as written -> key

    def year_url(self, paper: Paper) -> str | None:
        return listing_uri(YEARS, self.year_of[paper.year]) if paper.year in self.year_of else None

    def venue_url(self, paper: Paper) -> str | None:
        return listing_uri(VENUES, self.venue_of[paper.venue]) if paper.venue in self.venue_of else None


def venue_keys(venues: Iterable[str]) -> dict[str, str]:
    """Venue -> its slug: unique, and the same for the same set of venues in any order."""
    taken: set[str] = set()
    keys = {}
    for venue in sorted(set(venues)):
        # A venue of no letters or digits ("???") would get a paper's fallback name: say "venue".
        keys[venue] = unique_slug(venue if slugify(venue) else f"venue {venue}", taken)
        taken.add(keys[venue])
    return keys


def years_and_venues(newest: Sequence[Paper], per_page: int) -> YearsAndVenues:
    """The years and venues of `newest` (every paper, newest addition first) and their pages."""
    year_of = {year: str(year) for year in sorted({p.year for p in newest if p.year}, reverse=True)}
    venue_of = venue_keys(p.venue for p in newest if p.venue)
    years = {key: Group(YEARS, key, key, tuple(p for p in newest if p.year == year)) for year, key in year_of.items()}
    by_venue: dict[str, list[Paper]] = {venue: [] for venue in venue_of}
    for paper in newest:
        if paper.venue:
            by_venue[paper.venue].append(paper)
    venues = {venue_of[v]: Group(VENUES, venue_of[v], v, tuple(by_venue[v]))
              for v in sorted(venue_of, key=lambda v: (v.casefold(), v))}
    pages = tuple(ListingPage(group, *part) for group in (*years.values(), *venues.values())
                  for part in paginate(group.papers, per_page))
    return YearsAndVenues(years, venues, pages, year_of, venue_of)


def index_rows(groups: dict[str, Group], link: Callable[[str], str]) -> list[dict]:
    """The rows of a year or venue index page: name, address, how many papers."""
    return [{"name": g.name, "url": link(listing_uri(g.kind, g.key)), "count": len(g.papers)} for g in groups.values()]
