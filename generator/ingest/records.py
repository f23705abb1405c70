"""Turn what a reader found (`RawRecord`) into a clean `Paper`, or say why it cannot be one.

The paper this returns has no tags and no slug yet, and its abstract may be empty: a record
that only enriches a paper already in the collection needs neither (see ``importer``).
"""

from __future__ import annotations

import datetime as dt
import re

from paper_collection.collection.identifiers import MONTHS, arxiv_month
from paper_collection.collection.links import derived_links, extract_links, unique_links
from paper_collection.collection.model import RawRecord, Rejection
from paper_collection.collection.paper import Paper, Source, day_problem, normalize_title
from paper_collection.ingest.clean import clean_text

MIN_ABSTRACT_WORDS = 8

_NUMERIC_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
# BibTeX's protective braces around plain words ("sparse {MoE} layers"); not math ("x^{2}", "\\frac{a}{b}").
_PROTECTIVE_BRACES = re.compile(r"(?<![\w\\_^$}])\{([\w\s-]+)\}")


def listed_on(listed: str | None, year: int | None) -> str | None:
    """The ISO date of a listing date: 'March 20, 2024', '20 Mar 2024' and '2024-03-20' carry
    their year; 'Mar 20' needs the year the maintainer supplied (never guessed). None otherwise."""
    if not listed:
        return None
    text = listed.strip()
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        return _iso(int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)))
    parts = text.replace(",", " ").replace(".", " ").split()
    month = next((MONTHS[p[:3].lower()] for p in parts if p[:3].lower() in MONTHS and p.isalpha()), None)
    days = [int(m.group(1)) for p in parts if (m := _DAY.match(p))]
    years = [int(p) for p in parts if _YEAR.match(p)]
    if month is None or len(days) != 1 or len(years) > 1:
        return None
    found_year = years[0] if years else year
    return _iso(found_year, month, days[0]) if found_year else None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def abstract_problem(title: str, abstract: str) -> str | None:
    """Why an abstract is not an abstract (empty, the title again, a few words), or None."""
    if not abstract.strip():
        return "no abstract"
    if normalize_title(abstract) == normalize_title(title):
        return "the abstract repeats the title"
    if len(abstract.split()) < MIN_ABSTRACT_WORDS:
        return f"the abstract has fewer than {MIN_ABSTRACT_WORDS} words"
    return None


def paper_from_record(raw: RawRecord, *, added: str = "", listed_year: int | None = None) -> Paper | Rejection:
    """A clean paper from a raw record: text cleaned, links found in the abstract and derived
    from the arXiv id and DOI. Only a record without a title is rejected here."""
    title = clean_text(raw.title)
    if not title:
        return Rejection(raw.origin.file, raw.origin.line, "no title")
    abstract = _unbrace(raw.abstract) if raw.origin.format == "bibtex" else raw.abstract
    abstract_text, found_links = extract_links(abstract)
    source = Source(file=raw.origin.file, line=raw.origin.line, format=raw.origin.format, title=raw.title,
                    listed=raw.listed, listed_on=listed_on(raw.listed, listed_year))
    return Paper(
        slug="", title=title, abstract=clean_text(abstract_text), tags=(), added=added,
        authors=tuple(name for name in (clean_text(a).replace("{", "").replace("}", "") for a in raw.authors)
                      if name),
        **_date(raw),
        arxiv=raw.arxiv, doi=raw.doi,
        venue=clean_text(raw.venue) or None if raw.venue else None,
        keywords=tuple(dict.fromkeys(k for k in map(clean_text, raw.keywords) if k)),
        links=unique_links(raw.links + found_links + derived_links(raw.arxiv, raw.doi, raw.links + found_links)),
        sources=(source,),
    )


def _date(raw: RawRecord) -> dict[str, int | None]:
    """The record's year, month and day. A record without a year but with an arXiv id is dated by the
    id: the month its first version was submitted (arXiv's own exports and listings carry no date).
    A day that cannot be (no month, 31 February) is dropped rather than written into a file that
    `validate` would refuse."""
    year, month, day = raw.year, raw.month, raw.day
    if year is None and (given := arxiv_month(raw.arxiv)):
        year, month, day = given[0], month or given[1], None
    return {"year": year, "month": month, "day": None if day_problem(year, month, day) else day}


def _unbrace(text: str) -> str:
    while (unbraced := _PROTECTIVE_BRACES.sub(r"\1", text)) != text:
        text = unbraced
    return text
