"""Authors: one person per name however sources wrote it, an index page, and a page and a feed for
each person with at least `author_pages_min_papers` papers (`has_page`).

Sources write the same person differently: "Bernd Götz", "Götz, Bernd", "B. Götz", "Gotz, B.".
Names are compared by family name (accents folded, case ignored) and given names, where an
initial matches any given name starting with that letter. A name with initials only joins the one
person whose full name fits it; when several fit ("J. Smith" with "John Smith" and "Jane Smith")
it is kept apart and listed in `AuthorIndex.ambiguous` for `validate` to report.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from paper_collection.collection.paper import Paper
from paper_collection.collection.slugs import address_slug, bounded
from paper_collection.site.citation import description
from paper_collection.site.pagination import paginate
from paper_collection.site.stopping import stop_point
from paper_collection.site.takeover import Made

AUTHORS = "authors"
INDEX_PAGE = f"{AUTHORS}/index.md"
EXPLORE = "explore/"  # explore.PAGE's address (explore.py imports this module)
# Two thirds of real authors have one paper, and one in six has two (benchmarks/README.md, "Author
# pages"): a page of their own would repeat their papers' pages, and at 30,000 papers the pages and
# feeds of people with 2 papers were most of the site. The paper pages and the explorer's author
# filter serve them.
MIN_PAPERS = 3
FEED_SIZE = 10  # papers in a person's feed, newest first (`feed_files`)


# Unicode's control characters (category Cc) but tab, line feed and carriage return.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def xml_text(text: str) -> str:
    """Text XML can hold: control characters (which paper files may carry) dropped."""
    return _NOT_XML.sub("", text)


_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


@functools.lru_cache(maxsize=1 << 16)  # a collection's names are folded many times each (build_index)
def fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: "Götz" and "Gotz" compare equal."""
    if text.isascii():  # nothing to decompose, and casefold() is lower() (most names)
        return _NOT_ALPHANUMERIC.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    return _NOT_ALPHANUMERIC.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)).casefold())


@dataclass(frozen=True)
class Name:
    written: str
    family: str  # as written
    given: tuple[str, ...]  # as written, e.g. ("B.",) or ("Bernd", "K.")

    @functools.cached_property  # asked for again and again while the people are made
    def family_key(self) -> str:
        return fold(self.family)

    @functools.cached_property
    def given_keys(self) -> tuple[str, ...]:
        return tuple(k for k in (fold(g) for g in self.given) if k)

    @functools.cached_property
    def initials_only(self) -> bool:
        return all(len(g) == 1 for g in self.given_keys)

    @property
    def display(self) -> str:
        return " ".join((*self.given, self.family)) if self.given else self.family


def parse_name(written: str) -> Name:
    """"Götz, B." -> family Götz, given (B.); "Bernd Götz" -> family Götz, given (Bernd)."""
    text = " ".join(written.split())
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    else:
        words = text.split(" ")
        family, given = words[-1], " ".join(words[:-1])
    # "B.K." -> "B." "K."
    given_words = [w for w in re.split(r"\s+|(?<=\.)(?=\w)", given) if w]
    return Name(written, family, tuple(given_words))


def compatible(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Given names that may be the same person's: each position equal, or one an initial of the other."""
    for a, b in zip(short, full, strict=False):
        if a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
            continue
        return False
    return True


@dataclass
class Person:
    name: str
    slug: str
    written: tuple[str, ...]  # every spelling met, sorted
    papers: list[str] = field(default_factory=list)  # paper slugs, newest first


@dataclass
class AuthorIndex:
    people: dict[str, Person]  # by slug, sorted by family name
    of_written: dict[str, str]  # a spelling -> its person's slug
    ambiguous: list[tuple[str, tuple[str, ...]]]  # a spelling that fits several people -> their names

    def name_of(self, written: str) -> str:
        return self.people[self.of_written[written]].name

    def person_of(self, written: str) -> Person:
        return self.people[self.of_written[written]]

    def of_paper(self, paper: Paper) -> list[Person]:
        return [self.people[s] for s in dict.fromkeys(self.of_written[a] for a in paper.authors)]


def build_index(papers: Sequence[Paper]) -> AuthorIndex:
    """People of `papers` (given newest first: each person's papers keep that order)."""
    usage = Counter(a for p in papers for a in p.authors)
    names = {written: parse_name(written) for written in sorted(usage)}
    by_family: dict[str, list[Name]] = defaultdict(list)
    for name in names.values():
        by_family[name.family_key or fold(name.written)].append(name)

    groups: list[list[Name]] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    for family in sorted(by_family):
        members = by_family[family]
        full: dict[tuple[str, ...], list[Name]] = defaultdict(list)
        for name in members:
            if not name.initials_only:
                full[name.given_keys].append(name)
        # Full names are one person when their given names are spelled the same (accents aside);
        # "Ada Lovelace" and "Ada K. Lovelace" stay two, as nothing says they are one.
        keys = sorted(full)
        clusters = [list(full[given]) for given in keys]
        initials: dict[tuple[str, ...], list[Name]] = defaultdict(list)
        for name in members:
            if name.initials_only:
                initials[name.given_keys].append(name)
        for given, spellings in sorted(initials.items()):
            fits = [i for i, full_given in enumerate(keys) if compatible(given, full_given)]
            if len(fits) == 1:
                clusters[fits[0]].extend(spellings)
                continue
            if len(fits) > 1:
                choices = tuple(best_display(clusters[i]) for i in fits)
                ambiguous.extend((name.written, choices) for name in spellings)
            clusters.append(list(spellings))
        groups.extend(clusters)

    people: dict[str, Person] = {}
    of_written: dict[str, str] = {}
    for cluster in sorted(groups, key=lambda c: (fold(c[0].family), best_display(c).casefold())):
        display = best_display(cluster, usage)
        slug = base = address_slug(display, "author")
        number = 1
        while slug in people:
            number += 1
            slug = bounded(f"{base}-{number}")
        people[slug] = Person(display, slug, tuple(sorted(n.written for n in cluster)))
        for name in cluster:
            of_written[name.written] = slug
    for paper in papers:
        for slug in dict.fromkeys(of_written[a] for a in paper.authors):
            people[slug].papers.append(paper.slug)
    return AuthorIndex(people, of_written, ambiguous)


def index_data(index: AuthorIndex) -> dict:
    """The index as JSON data (`index_from_data` reads it back): the people in their order, each
    with the spellings met and their papers; the spellings several people fit."""
    return {"people": [[p.name, p.slug, list(p.written), p.papers] for p in index.people.values()],
            "ambiguous": [[written, list(names)] for written, names in index.ambiguous]}


def index_from_data(data) -> AuthorIndex | None:
    """`index_data`'s index again; None for anything else (a damaged or foreign file)."""
    def strings(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    if not isinstance(data, dict) or not isinstance(data.get("people"), list) or not isinstance(
            data.get("ambiguous"), list):
        return None
    people: dict[str, Person] = {}
    of_written: dict[str, str] = {}
    for entry in data["people"]:
        if not (isinstance(entry, list) and len(entry) == 4 and strings(entry[:2]) and strings(entry[2])
                and strings(entry[3])) or entry[1] in people:
            return None
        name, slug, written, papers = entry
        people[slug] = Person(name, slug, tuple(written), papers)
        of_written.update(dict.fromkeys(written, slug))
    ambiguous = []
    for entry in data["ambiguous"]:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and strings(entry[1])):
            return None
        ambiguous.append((entry[0], tuple(entry[1])))
    return AuthorIndex(people, of_written, ambiguous)


def best_display(cluster: Sequence[Name], usage: Mapping[str, int] | None = None) -> str:
    """The fullest spelling, then the most used, then the one with accents (sources that drop
    accents are the lossy ones), as "Given Family"."""
    if len(cluster) == 1:  # most people: one spelling
        return cluster[0].display

    def rank(name: Name):
        return (xml_text(name.written) != name.written, -sum(len(g) for g in name.given_keys),
                -(usage or {}).get(name.written, 0),
                name.display.isascii(), name.display)
    return min(cluster, key=rank).display


# -- pages and feeds -----------------------------------------------------------------------------


def has_page(person: Person, min_papers: int) -> bool:
    """Whether the person gets a page and a feed of their own (`author_pages_min_papers`)."""
    return len(person.papers) >= min_papers


def paged_people(index: AuthorIndex, min_papers: int) -> list[Person]:
    """The people with a page and a feed, in the index's order."""
    return [p for p in index.people.values() if has_page(p, min_papers)]


def explorer_path(person: Person) -> str:
    """The explorer filtered to the person (explore-data.js reads `author=` as the name the
    collection lists them under, `AuthorIndex.name_of`)."""
    return _explorer_path(person.name)


@functools.lru_cache(maxsize=100_000)
def _explorer_path(name: str) -> str:  # a co-author is linked from each of their co-authors' pages
    return EXPLORE + "?" + urlencode({"author": name})


def name_path(person: Person, min_papers: int, url_of: Mapping[str, str], alone: bool = False) -> str | None:
    """Where a person's name links (a site path): their page; below the line, their one paper
    (`url_of`: paper slug -> address) or the explorer filtered to their papers. With `alone`
    (a list that already shows their papers: a paper page, co-authors), a one-paper person is
    plain text (None): a link would lead back to what is shown."""
    if has_page(person, min_papers):
        return f"{AUTHORS}/{person.slug}/"
    if len(person.papers) == 1:
        return None if alone else url_of[person.papers[0]]
    return explorer_path(person)


def page_uris(index: AuthorIndex, min_papers: int) -> dict[str, str | None]:
    """Generated page -> the person's slug (None for the index page); none when no paper names authors."""
    if not index.people:
        return {}
    uris: dict[str, str | None] = {INDEX_PAGE: None}
    for person in paged_people(index, min_papers):
        uris[f"{AUTHORS}/{person.slug}/index.md"] = person.slug
    return uris


def coauthors(index: AuthorIndex, person: Person, papers: Mapping[str, Paper]) -> list[tuple[Person, int]]:
    counts: Counter[str] = Counter()
    for slug in person.papers:
        for other in index.of_paper(papers[slug]):
            if other.slug != person.slug:
                counts[other.slug] += 1
    return [(index.people[s], n) for s, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


@dataclass(frozen=True)
class AuthorIndexPart:
    """One page of the author index: `/authors/`, then `/authors/page/N/` (people A-Z by family name)."""

    number: int
    pages: int
    people: tuple[Person, ...]
    first: int
    initials: tuple[str, ...] = field(default=(), compare=False)  # each person's letter (`initial`)
    # letter -> (the page where its people start, the anchor of the first of them); shared by every part
    jumps: Mapping[str, tuple[int, str]] = field(default_factory=dict, compare=False)

    @property
    def url(self) -> str:
        return index_part_uri(self.number)

    @property
    def src_uri(self) -> str:
        return self.url + "index.md"


def index_part_uri(number: int) -> str:
    return f"{AUTHORS}/" if number == 1 else f"{AUTHORS}/page/{number}/"


def initial(person: Person) -> str:
    """The letter the index files a person under: their family name's first, accents folded ("Ö" -> "O");
    "#" for a digit or none."""
    written = person.written[0]
    key = parse_name(written).family_key or fold(written)
    return key[0].upper() if key[:1].isalpha() else "#"


def index_parts(index: AuthorIndex, per_page: int) -> tuple[AuthorIndexPart, ...]:
    """The author index in pages of `per_page` people (like a tag's papers); none without authors."""
    if not index.people:
        return ()
    parts = paginate(list(index.people.values()), per_page)
    letters = [tuple(initial(p) for p in part.papers) for part in parts]
    jumps: dict[str, tuple[int, str]] = {}
    for part, initials in zip(parts, letters, strict=True):
        for letter in initials:
            jumps.setdefault(letter, (part.number, "letter-other" if letter == "#" else f"letter-{letter.lower()}"))
    return tuple(AuthorIndexPart(*part, initials=initials, jumps=jumps)
                 for part, initials in zip(parts, letters, strict=True))


def link(url: Callable[[str], str], path: str) -> str:
    """`url` (relative to the page) for a site path that may carry a query ("explore/?author=...")."""
    base, mark, query = path.partition("?")
    return url(base) + mark + query


def render_index(env, index: AuthorIndex, part: AuthorIndexPart, url: Callable[[str], str],
                 url_of: Mapping[str, str], min_papers: int) -> str:
    """One page of the author index, with an A-Z jump list to the page and row where each letter starts.
    Every person is listed: with a page, linked to it; else to their one paper or the explorer."""
    people, used = [], set()
    for person, letter in zip(part.people, part.initials, strict=True):
        number, anchor = part.jumps[letter]
        first_here = number == part.number and anchor not in used  # the letter's first person: its anchor
        used.add(anchor)
        people.append({"person": person, "url": link(url, name_path(person, min_papers, url_of)),
                       "count": len(person.papers), "anchor": anchor if first_here else None})
    letters = [{"letter": letter, "url": (url(index_part_uri(number)) if number != part.number else "") + f"#{anchor}"}
               for letter, (number, anchor) in part.jumps.items()]
    return env.get_template("authors.html").render(
        people=people, letters=letters, total=len(index.people), part=part,
        pages=[{"number": n, "url": url(index_part_uri(n))} for n in range(1, part.pages + 1)])


def _name_link(person: Person, min_papers: int, url_of: Mapping[str, str], url: Callable[[str], str]) -> str | None:
    path = name_path(person, min_papers, url_of, alone=True)
    return link(url, path) if path else None


def render_author(env, index: AuthorIndex, person: Person, papers: Mapping[str, Paper],
                  paper_ref: Callable[[Paper], dict], url: Callable[[str], str],
                  url_of: Mapping[str, str], min_papers: int) -> str:
    """A person's page: their papers, then their co-authors who have papers elsewhere (a page or
    the explorer). Co-authors whose only paper is in the list are counted, not named: their
    paper's page names them, and a large team's paper would fill the page (289 names, 24 KB, on
    real arXiv listings)."""
    linked, named_there = [], 0
    for other, count in coauthors(index, person, papers):
        target = _name_link(other, min_papers, url_of, url)
        if target is None:
            named_there += 1
        else:
            linked.append({"person": other, "count": count, "url": target})
    return env.get_template("author.html").render(
        person=person, papers=[paper_ref(papers[s]) for s in person.papers], coauthors=linked,
        single_coauthors=named_there, feed_url=url(f"{AUTHORS}/{person.slug}/feed.xml"),
        index_url=url(f"{AUTHORS}/"))


def author_links(index: AuthorIndex, paper: Paper, url: Callable[[str], str],
                 url_of: Mapping[str, str], min_papers: int) -> list[dict]:
    """The paper's authors as written, each linked to the person's page, or below the line to the
    explorer filtered to them; a person whose only paper this is, as plain text (url None)."""
    return [{"name": a, "url": _name_link(index.person_of(a), min_papers, url_of, url)} for a in paper.authors]


def feed_files(index: AuthorIndex, papers: Mapping[str, Paper], atom_feed: Callable[..., bytes],
               site_name: str, min_papers: int,
               digest: Callable[[str], str] | None = None) -> Iterator[tuple[str, bytes | Made]]:
    """One Atom feed per person with a page, as (path, content) pairs made one at a time
    (`atom_feed` is exports.atom_feed with the site's arguments bound): their newest `FEED_SIZE`
    papers, each summed up by its abstract's first sentence. A feed tells a follower that a person
    has a new paper; the abstracts in full, and every paper, are a link away. (At 50,000 papers
    the feeds of 26,000 people, with up to 50 abstracts each, were a fifth of the site.)
    With `digest` (`SiteModel.digest`: a paper's file as a hash) each feed comes as `Made`, from
    the person's name and their papers' digests: a build takes the feeds whose papers did not
    change over from the last one."""
    safe: dict[str, Paper] = {}  # a paper is in several people's feeds: made XML-safe once
    for person in paged_people(index, min_papers):
        stop_point()  # a superseded preview stops here (stopping.py)
        path, slugs = f"{AUTHORS}/{person.slug}/feed.xml", person.papers[:FEED_SIZE]

        def make(person: Person = person, path: str = path, slugs: Sequence[str] = slugs) -> bytes:
            members = [safe.get(s) or safe.setdefault(s, _xml_safe(papers[s])) for s in slugs]
            name = xml_text(person.name)
            return atom_feed(members, title=f"{site_name}: papers by {name}", subtitle=f"Newest papers by {name}",
                             feed_path=path, home_path=f"{AUTHORS}/{person.slug}/", updated=members[0].added,
                             size=FEED_SIZE, summary=description)

        yield path, (make() if digest is None else Made((site_name, person.name, [digest(s) for s in slugs]), make))


def _xml_safe(paper: Paper) -> Paper:
    return dataclasses.replace(paper, title=xml_text(paper.title), abstract=xml_text(paper.abstract),
                               authors=tuple(xml_text(a) for a in paper.authors))


NAMED_FITS = 5  # people a note names before it counts the rest: "Y. Wang" fits hundreds at 10,000 papers


def ambiguous_notes(index: AuthorIndex, papers: Sequence[Paper], file_of: Callable[[Paper], str]) -> list[str]:
    """Lines for `validate`: spellings kept apart because several people fit them (`index`, the
    people of `papers`), with the files that use them. A note names the first `NAMED_FITS` people
    who fit and files, and counts the others: a list of 400 names is a line nobody reads."""
    written_in: dict[str, list[str]] = {written: [] for written, _ in index.ambiguous}
    for paper in papers:
        for name in set(paper.authors):
            if name in written_in:
                written_in[name].append(file_of(paper))
    notes = []
    for written, fits in index.ambiguous:
        named = ", ".join(repr(c) for c in fits[:NAMED_FITS])
        if len(fits) > NAMED_FITS:
            named = f"{len(fits)} people: {named} and {len(fits) - NAMED_FITS} more"
        files = written_in[written]
        where = ", ".join(files[:NAMED_FITS])
        if len(files) > NAMED_FITS:
            where += f" and {len(files) - NAMED_FITS} more"
        notes.append(f"note: author {written!r} ({where}) could be any of {named}; "
                     "listed as a separate person. Write the full name there to join them.")
    return notes
