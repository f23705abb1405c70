"""Small helpers shared by the structured-format readers (BibTeX, JSON, Atom, CSV)."""

from __future__ import annotations

import re

from generator.collection.links import classify, unique_links  # noqa: F401 - readers import it from here
from generator.collection.model import Link
from generator.collection.paper import is_web_url

# New-style (2403.12345, optional version) and old-style (hep-th/9901001) arXiv identifiers.
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"^(?:arxiv:)?({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_IN_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(rf"(?:arxiv:\s*|abs/)({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?", re.IGNORECASE)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T\s].*)?$")
_RFC_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})")  # "Mon, 2 Apr 2007 19:18:42 GMT"


def arxiv_id(value: str | None) -> str | None:
    """The arXiv identifier (without version) that ``value`` is or contains as a URL, else None."""
    if not value:
        return None
    value = value.strip()
    match = ARXIV_ID.match(value)
    if match:
        return match.group(1)
    match = _ARXIV_IN_URL.search(value)
    return match.group(1) if match else None


def arxiv_in_text(value: str | None) -> str | None:
    """An arXiv identifier mentioned in free text such as ``arXiv preprint arXiv:2403.12345``."""
    if not value:
        return None
    found = arxiv_id(value)
    if found:
        return found
    match = _ARXIV_IN_TEXT.search(value)
    return match.group(1) if match else None


def clean_doi(value: str | None) -> str | None:
    """A DOI without ``doi:`` or ``https://doi.org/`` prefix, or None if it is not a DOI."""
    if not value:
        return None
    value = value.strip().split()[0] if value.strip() else ""
    value = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", value, flags=re.IGNORECASE)
    return value if value.startswith("10.") and "/" in value else None


def make_link(url: str | None, kind: str | None = None) -> Link | None:
    """A ``Link`` for an http(s) URL, or None for anything else (empty, relative, mailto:...).

    ``kind`` is for when the input says what the link is (an arXiv feed's ``title="pdf"``);
    otherwise the kind comes from the URL, as everywhere else (``generator.collection.links.classify``)."""
    if not url:
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE) or not is_web_url(url):
        return None
    return Link(kind or classify(url), url)


def parse_month(value: object) -> int | None:
    """1-12 from ``3``, ``"03"``, ``"mar"``, ``"March"`` or ``"Sept."``; None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text)


def parse_int(value: object, low: int, high: int) -> int | None:
    """An integer in [low, high] from an int or a string of digits, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isdigit():
            return None
        number = int(text)
    return number if low <= number <= high else None


def parse_year(value: object) -> int | None:
    return parse_int(value, 1000, 2999)


def parse_day(value: object) -> int | None:
    return parse_int(value, 1, 31)


def parse_date(value: object) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from ``2024-03-20``, ``2024-03-20T17:59:01.000Z``, ``2024-03``, ``2024``
    or ``Mon, 2 Apr 2007 19:18:42 GMT``; only the parts the text gives, never invented."""
    if not isinstance(value, str) or not value.strip():
        return (None, None, None)
    match = _ISO_DATE.match(value)
    if match:
        year = parse_year(match.group(1))
        month = parse_int(match.group(2), 1, 12) if match.group(2) else None
        day = parse_day(match.group(3)) if match.group(3) and month else None
        return (year, month, day)
    match = _RFC_DATE.search(value)
    if match:
        month = parse_month(match.group(2))
        if month:
            return (parse_year(match.group(3)), month, parse_day(match.group(1)))
    return (None, None, None)


def split_keywords(value: object) -> tuple[str, ...]:
    """Keywords from a list or from a string separated by ``,`` or ``;``."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        items = [str(item) for item in value if item is not None and not isinstance(item, dict)]
    else:
        items = re.split(r"[;,]", str(value))
    return tuple(item.strip() for item in items if item.strip())


def text_or_empty(value: object) -> str:
    """A string field's text; numbers become text; anything else (None, lists, objects) is empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""
