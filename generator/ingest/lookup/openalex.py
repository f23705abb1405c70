"""OpenAlex (JSON): works by DOI. Used when Crossref does not know a DOI or has no abstract."""

from __future__ import annotations

from urllib.parse import quote

from paper_collection.collection.identifiers import arxiv_id, clean_doi, parse_date
from paper_collection.collection.model import Origin, RawRecord
from paper_collection.ingest.lookup.client import LookupClient, LookupFailed
from paper_collection.ingest.lookup.crossref import parse_json

SERVICE = "openalex"
FORMAT = "openalex"


def works_in(data: object) -> list[dict] | None:
    """The works of an OpenAlex response (one work, or a list's results); None if it is not one."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return [item for item in data["results"] if isinstance(item, dict)]
    if isinstance(data, dict) and str(data.get("id", "")).startswith("https://openalex.org/"):
        return [data]
    return None


def abstract_text(inverted: object) -> str:
    """The abstract from OpenAlex's inverted index (word -> positions)."""
    if not isinstance(inverted, dict):
        return ""
    at: dict[int, str] = {}
    for word, positions in inverted.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int):
                at[position] = word
    return " ".join(at[i] for i in sorted(at))


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def record_from_work(work: dict, file: str | None = None) -> RawRecord:
    doi = clean_doi(_text(work.get("doi")) or None)
    year, month, day = parse_date(work.get("publication_date"))
    locations = [loc for loc in work.get("locations") or [] if isinstance(loc, dict)]
    arxiv = next((found for loc in locations if (found := arxiv_id(_text(loc.get("landing_page_url"))))), None)
    primary = work.get("primary_location") if isinstance(work.get("primary_location"), dict) else {}
    source = primary.get("source") if isinstance(primary.get("source"), dict) else {}
    venue = _text(source.get("display_name")) or None
    if venue and venue.lower().startswith("arxiv"):
        venue = None  # a preprint server is not a venue
    return RawRecord(
        title=_text(work.get("title") or work.get("display_name")),
        abstract=abstract_text(work.get("abstract_inverted_index")),
        origin=Origin(file or (f"doi:{doi}" if doi else _text(work.get("id")) or "OpenAlex"), 1, FORMAT),
        authors=tuple(name for a in work.get("authorships") or [] if isinstance(a, dict)
                      and isinstance(a.get("author"), dict) and (name := _text(a["author"].get("display_name")))),
        year=year or (work.get("publication_year") if isinstance(work.get("publication_year"), int) else None),
        month=month, day=day, doi=doi, arxiv=arxiv, venue=venue,
    )


def fetch_doi(client: LookupClient, doi: str) -> RawRecord | None:
    """The work with this DOI, or None when OpenAlex does not know it (HTTP 404)."""
    what = f"doi:{doi}"
    url = f"{client.endpoint(SERVICE)}/works/{quote('https://doi.org/' + doi, safe='/:;()')}"
    response = client.get(SERVICE, url, {}, what)
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise LookupFailed(what, SERVICE, f"answered HTTP {response.status_code}",
                           "check the DOI and the address (--openalex-api)")
    works = works_in(parse_json(response.text, what, SERVICE))
    if not works:
        raise LookupFailed(what, SERVICE, "sent JSON that is not an OpenAlex work",
                           "check the address (--openalex-api)")
    return record_from_work(works[0])
