"""Turn what a reader found (`RawRecord`) into a clean `Paper`, or say why it cannot be one."""

from __future__ import annotations

import datetime as dt

from .clean import clean_text
from .links import extract_links
from .model import Link, RawRecord, Rejection
from .paper import Paper, Source, normalize_title

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
MIN_ABSTRACT_WORDS = 8


def listed_on(listed: str | None, year: int | None) -> str | None:
    """The ISO date of a listing date like 'Mar 20' when the maintainer supplied the year."""
    if not listed or not year:
        return None
    parts = listed.replace(",", " ").split()
    if len(parts) >= 2 and parts[0][:3].lower() in MONTHS and parts[1].isdigit():
        try:
            return dt.date(year, MONTHS[parts[0][:3].lower()], int(parts[1])).isoformat()
        except ValueError:
            return None
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


def paper_from_record(raw: RawRecord, taxonomy, *, slug: str, added: str, listed_year: int | None = None,
                      default_tag: str | None = None) -> Paper | Rejection:
    title = clean_text(raw.title)
    if not title:
        return Rejection(raw.origin.file, raw.origin.line, "no title")
    abstract_text, found_links = extract_links(raw.abstract)
    abstract = clean_text(abstract_text)
    problem = abstract_problem(title, abstract)
    if problem == "no abstract":
        return Rejection(raw.origin.file, raw.origin.line, f"'{title[:80]}': no abstract")
    links = _merge_links(raw.links, found_links)
    tags = taxonomy.assign(title, abstract) or ((default_tag,) if default_tag else ())
    if not tags:
        return Rejection(raw.origin.file, raw.origin.line, f"'{title[:80]}': no tag in taxonomy.yml matches; "
                         "add a rule for it, or import with --default-tag NAME")
    source = Source(file=raw.origin.file, line=raw.origin.line, format=raw.origin.format, title=raw.title,
                    listed=raw.listed, listed_on=listed_on(raw.listed, listed_year))
    return Paper(
        slug=slug, title=title, abstract=abstract, tags=tuple(tags), added=added,
        authors=tuple(clean_text(a) for a in raw.authors if clean_text(a)),
        year=raw.year, month=raw.month, day=raw.day, arxiv=raw.arxiv, doi=raw.doi,
        venue=clean_text(raw.venue) if raw.venue else None,
        keywords=tuple(k for k in (clean_text(k) for k in raw.keywords) if k),
        links=links, sources=(source,),
    )


def _merge_links(*groups: tuple[Link, ...]) -> tuple[Link, ...]:
    seen: set[str] = set()
    merged: list[Link] = []
    for group in groups:
        for link in group:
            if link.url not in seen:
                seen.add(link.url)
                merged.append(link)
    return tuple(merged)
