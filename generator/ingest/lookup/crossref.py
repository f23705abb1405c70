"""Crossref's REST API (JSON): works by DOI, and by exact title (``query.title``)."""

from __future__ import annotations

import json
from urllib.parse import quote

from lxml import html

from paper_collection.collection.identifiers import arxiv_id, clean_doi, parse_int, parse_year
from paper_collection.collection.model import Origin, RawRecord
from paper_collection.collection.paper import normalize_title
from paper_collection.ingest.lookup.client import LookupClient, LookupFailed

SERVICE = "crossref"
FORMAT = "crossref"
TITLE_CANDIDATES = 5
_DATES = ("published", "issued", "published-print", "published-online", "posted", "created")


def label(doi: str) -> str:
    return f"doi:{doi}"


def parse_json(text: str, what: str, service: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        raise LookupFailed(what, service, f"sent a response that is not JSON ({error.msg} at line {error.lineno})",
                           "try again later; if it persists, the API may have changed") from None


def works_in(data: object) -> list[dict] | None:
    """The works of a Crossref response (one work, or a list's items); None if it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        return None
    message = data["message"]
    if data.get("message-type") == "work-list":
        return [item for item in message.get("items") or [] if isinstance(item, dict)]
    return [message] if data.get("message-type") == "work" or "DOI" in message else None


def _first(value: object) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value.strip() if isinstance(value, str) else ""


def _date(work: dict) -> tuple[int | None, int | None, int | None]:
    for name in _DATES:
        parts = (work.get(name) or {}).get("date-parts") if isinstance(work.get(name), dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] and parts[0][0]:
            first = parts[0]
            year = parse_year(first[0])
            month = parse_int(first[1], 1, 12) if len(first) > 1 else None
            day = parse_int(first[2], 1, 31) if len(first) > 2 and month else None
            if year:
                return year, month, day
    return None, None, None


def abstract_text(jats: str) -> str:
    """Plain text of a JATS abstract (``<jats:p>...``); its ``<jats:title>Abstract`` heading dropped."""
    if not jats.strip():
        return ""
    root = html.fragment_fromstring(jats, create_parent="div")
    for heading in root.xpath(".//*[local-name()='jats:title' or local-name()='title']"):
        heading.drop_tree()
    return " ".join(" ".join(root.itertext()).split())


def _author(item: object) -> str:
    if not isinstance(item, dict):
        return ""
    name = " ".join(part for part in (item.get("given"), item.get("family")) if isinstance(part, str) and part)
    return " ".join((name or (item.get("name") if isinstance(item.get("name"), str) else "")).split())


def record_from_work(work: dict, file: str | None = None) -> RawRecord:
    doi = clean_doi(work.get("DOI") if isinstance(work.get("DOI"), str) else None)
    year, month, day = _date(work)
    arxiv = arxiv_id(doi.split("arxiv.", 1)[1]) if doi and doi.lower().startswith("10.48550/arxiv.") else None
    abstract = work.get("abstract") if isinstance(work.get("abstract"), str) else ""
    return RawRecord(
        title=_first(work.get("title")),
        abstract=abstract_text(abstract),
        origin=Origin(file or (label(doi) if doi else "Crossref"), 1, FORMAT),
        authors=tuple(name for name in map(_author, work.get("author") or []) if name),
        year=year, month=month, day=day, doi=doi, arxiv=arxiv,
        venue=_first(work.get("container-title")) or None,
    )


def fetch_doi(client: LookupClient, doi: str) -> RawRecord | None:
    """The work with this DOI, or None when Crossref does not know it (HTTP 404)."""
    what = label(doi)
    response = client.get(SERVICE, f"{client.endpoint(SERVICE)}/works/{quote(doi, safe='/:;()')}", {}, what)
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise LookupFailed(what, SERVICE, f"answered HTTP {response.status_code}",
                           "check the DOI and the address (--crossref-api)")
    works = works_in(parse_json(response.text, what, SERVICE))
    if not works:
        raise LookupFailed(what, SERVICE, "sent JSON that is not a Crossref work",
                           "check the address (--crossref-api)")
    return record_from_work(works[0])


def search_title(client: LookupClient, title: str) -> RawRecord | None:
    """The work whose title is exactly `title` (normalised), or None."""
    what = f"the title {title[:80]!r}"
    response = client.get(SERVICE, f"{client.endpoint(SERVICE)}/works",
                          {"query.title": title, "rows": TITLE_CANDIDATES}, what)
    if response.status_code != 200:
        raise LookupFailed(what, SERVICE, f"answered HTTP {response.status_code}",
                           "check the address (--crossref-api) or try again later")
    works = works_in(parse_json(response.text, what, SERVICE))
    if works is None:
        raise LookupFailed(what, SERVICE, "sent JSON that is not a Crossref work list",
                           "check the address (--crossref-api)")
    wanted = normalize_title(title)
    return next((record_from_work(w) for w in works if normalize_title(_first(w.get("title"))) == wanted), None)
