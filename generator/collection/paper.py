"""The `Paper` record, its declared schema, and conversion to and from paper files.

The schema is declared once (`FIELDS`) and drives both writing and checking, in the manner
of MkDocs' config schema: every problem is collected and reported at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import string
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from paper_collection.collection.identifiers import ISO_DATE
from paper_collection.collection.model import LINK_KINDS, Link


@dataclass(frozen=True)
class Source:
    """What one import read: the input's file name, the line, its format, the listing date."""

    file: str
    line: int
    format: str
    title: str  # the title exactly as read: recognises the paper after a person fixes `title`
    listed: str | None = None  # as given, e.g. "Mar 20"; never completed with an invented year
    listed_on: str | None = None  # ISO date, only when the maintainer supplied the year


@dataclass(frozen=True)
class SuggestedTag:
    tag: str
    confidence: float  # the model's probability, rounded to 2 decimals in the file


@dataclass(frozen=True)
class Paper:
    slug: str
    title: str
    abstract: str
    tags: tuple[str, ...]
    added: str  # ISO date the paper joined the collection
    authors: tuple[str, ...] = ()
    year: int | None = None
    month: int | None = None
    day: int | None = None
    arxiv: str | None = None
    doi: str | None = None
    venue: str | None = None
    keywords: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    sources: tuple[Source, ...] = field(default=())
    aliases: tuple[str, ...] = ()  # earlier addresses (slugs) of the paper, which redirect to it
    # Tags the tag model proposed, best first, with its confidence (0-1): for maintainers to
    # review (`tags review`), never shown to visitors; accepting one moves it into `tags`.
    tags_suggested: tuple[SuggestedTag, ...] = ()
    # The input had no usable abstract (empty, the title again, a few words); `enrich` may fill it.
    abstract_missing: bool = False



# Front matter keys in the order they are written. (name, expected type, required, help)
FIELDS: tuple[tuple[str, str, bool, str], ...] = (
    ("title", "text", True, "the paper's title"),
    ("authors", "list of text", False, "author names in order"),
    ("year", "integer", False, "publication year"),
    ("month", "integer", False, "publication month, 1-12"),
    ("day", "integer", False, "publication day, 1-31"),
    ("venue", "text", False, "journal or conference"),
    ("arxiv", "text", False, "arXiv identifier such as '2401.10010'"),
    ("doi", "text", False, "DOI such as '10.1000/xyz'"),
    ("tags", "list of text", True, "tag names from taxonomy.yml"),
    ("tags_suggested", "list of suggested tags", False,
     "tags the tag model proposed ('tag' and 'confidence'); accept them with paper-collection tags review"),
    ("keywords", "list of text", False, "keywords from the source"),
    ("links", "list of links", False, "links with 'kind' and 'url'"),
    ("added", "text", True, "date the paper joined the collection, 'YYYY-MM-DD' in quotes"),
    ("aliases", "list of text", False, "earlier file names (without '.md') whose addresses redirect here"),
    ("sources", "list of sources", False, "what each import read; written by the importer"),
    ("abstract_missing", "yes/no", False, "true when the input had no abstract; remove it once the abstract is in"),
)
FIELD_NAMES = tuple(name for name, *_ in FIELDS)


# `added` may be at most this far ahead of the checking machine's date: the contributor's "today"
# may already be tomorrow in UTC.
ADDED_GRACE = dt.timedelta(days=1)


def added_problem(added: str) -> str | None:
    """Why `added` (the date a paper joins the collection) cannot be, or None."""
    try:
        if not ISO_DATE.match(added):
            raise ValueError
        day = dt.date.fromisoformat(added)
    except ValueError:
        return f"'{added}' is not a date like '2024-01-05'"
    if day > dt.date.today() + ADDED_GRACE:
        return f"'{added}' is in the future; write the date the paper joins the collection (today, for a new paper)"
    return None


def day_problem(year: int | None, month: int | None, day: int | None) -> str | None:
    """Why a publication day cannot be (no month, or not in that month), or None. Each value is
    None or already in range. Without a year, a leap year allows 29 February."""
    if day is None:
        return None
    if month is None:
        return "a day without a month; add month: (1-12) or remove day"
    if not 1 <= month <= 12:
        return None  # reported by the range check
    days = calendar.monthrange(year if year and 1 <= year <= 9999 else 2000, month)[1]
    if day > days:
        when = f"{calendar.month_name[month]} {year}" if year else calendar.month_name[month]
        return f"{when} has {days} days, not {day}; check day and month"
    return None


def normalize_title(title: str) -> str:
    """The key under which two titles count as the same paper."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


# ASCII punctuation -> space. Abstracts are long: translating is about seven times faster than the
# titles' regular expression, which made duplicate checks a visible part of a 10,000-paper build.
_PUNCTUATION = str.maketrans({mark: " " for mark in string.punctuation})


def normalize_abstract(abstract: str) -> str:
    """The key under which two abstracts count as the same: case, spacing and punctuation ignored."""
    return " ".join(unicodedata.normalize("NFKC", abstract).casefold().translate(_PUNCTUATION).split())


# An author entry holding several people: names glued where a list's " and " lost a space
# ("Xiangyu Kongand Xiaoxia Xing"), a whole list in one entry, or simply too many words for a name.
_GLUED_AND = re.compile(r"(?<=\w\w)and (?=[A-Z])")
_LISTED_AND = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
MAX_NAME_WORDS = 7


def author_problem(name: str) -> str | None:
    """Why an author entry is not one person's name (with the fix), or None."""
    words = name.split()
    parts = _GLUED_AND.split(name)
    if len(parts) > 1 and all(len(part.split()) >= 2 for part in parts):  # not "Roland Brand Meier"
        return (f"looks like {len(parts)} names glued with 'and' ('{name[:40]}...'); "
                "write one entry per person")
    if _LISTED_AND.search(name) and len(words) >= 4:
        return "holds several names joined with 'and'; write one entry per person"
    commas = name.count(",")
    if commas >= 2 or (commas == 1 and all(len(part.split()) >= 2 for part in name.split(","))):
        return "holds a comma-separated list of names; write one entry per person ('Surname, Given' is fine)"
    if len(words) > MAX_NAME_WORDS:
        return f"has {len(words)} words, more than a name; write one entry per person"
    return None


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL that browsers and the HTML sanitiser accept as a link target."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range or not a number
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and not any(
        ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url
    )


def paper_fields(paper: Paper) -> dict[str, Any]:
    """The paper's own fields as plain data, in declared order (paper files and papers.json)."""
    return {
        "title": paper.title,
        "authors": list(paper.authors),
        "year": paper.year,
        "month": paper.month,
        "day": paper.day,
        "venue": paper.venue,
        "arxiv": paper.arxiv,
        "doi": paper.doi,
        "tags": list(paper.tags),
        "keywords": list(paper.keywords),
        "links": [{"kind": link.kind, "url": link.url} for link in paper.links],
        "added": paper.added,
    }


def to_front_matter(paper: Paper) -> dict[str, Any]:
    """The paper's fields as written to its file, in declared order, empty ones left out."""
    values = {**paper_fields(paper), "aliases": list(paper.aliases),
              "sources": [_source_data(s) for s in paper.sources],
              "tags_suggested": [{"tag": s.tag, "confidence": round(s.confidence, 2)} for s in paper.tags_suggested],
              "abstract_missing": True if paper.abstract_missing else None}
    values = {name: values[name] for name in FIELD_NAMES}
    always = {"title", "tags", "added"}
    return {k: v for k, v in values.items() if k in always or v not in (None, [], "")}


def _source_data(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"file": source.file, "line": source.line, "format": source.format}
    if source.listed:
        data["listed"] = source.listed
    if source.listed_on:
        data["listed_on"] = source.listed_on
    data["title"] = source.title
    return data


def from_front_matter(slug: str, meta: dict[str, Any], body: str) -> Paper:
    """Build a Paper from already-validated front matter (see `validate.check_paper`)."""
    return Paper(
        slug=slug,
        title=meta["title"],
        abstract=body.strip(),
        tags=tuple(meta.get("tags") or ()),
        added=meta["added"],
        authors=tuple(meta.get("authors") or ()),
        year=meta.get("year"),
        month=meta.get("month"),
        day=meta.get("day"),
        arxiv=meta.get("arxiv"),
        doi=meta.get("doi"),
        venue=meta.get("venue"),
        keywords=tuple(meta.get("keywords") or ()),
        links=tuple(Link(kind=item["kind"], url=item["url"]) for item in meta.get("links") or ()),
        aliases=tuple(meta.get("aliases") or ()),
        sources=tuple(
            Source(
                file=str(s.get("file", "")),
                line=int(s.get("line", 0)),
                format=str(s.get("format", "")),
                title=str(s.get("title", meta["title"])),
                listed=s.get("listed"),
                listed_on=s.get("listed_on"),
            )
            for s in meta.get("sources") or ()
        ),
        tags_suggested=tuple(SuggestedTag(str(s["tag"]), float(s["confidence"]))
                             for s in meta.get("tags_suggested") or ()),
        abstract_missing=meta.get("abstract_missing") is True,
    )


__all__ = ["FIELDS", "FIELD_NAMES", "LINK_KINDS", "Paper", "Source", "SuggestedTag", "normalize_title",
           "author_problem",
           "is_web_url", "paper_fields", "to_front_matter", "from_front_matter", "day_problem",
           "added_problem"]
