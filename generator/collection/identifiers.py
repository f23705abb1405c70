"""Identifiers and dates, one rule each: what a paper file may hold (checked by validate.py)
and how readers, import and add find them in looser input.

- arXiv ids: new style `2403.12345` and old style `hep-th/9901001`; a paper file holds the id
  without prefix or version (`ARXIV_ID`); `arxiv_id` finds it in `arXiv:2403.12345v2` or an
  arxiv.org URL, `arxiv_in_text` in free text; `arxiv_month` reads the year and month an id was given.
- DOIs: `10.<registrant>/<suffix>` (`DOI`); `clean_doi` strips `doi:` and doi.org prefixes.
- Dates: month names (`MONTHS`, `parse_month`), the years a paper may have (`YEARS`),
  `parse_date` for the date formats the input formats use, `ISO_DATE` for `added`.
"""

from __future__ import annotations

import re

# -- arXiv ----------------------------------------------------------------------------------
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"^(?:{_ARXIV_NEW}|{_ARXIV_OLD})$")  # as a paper file holds it
_ARXIV_GIVEN = re.compile(rf"^(?:arxiv:)?({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_IN_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(rf"(?:arxiv:\s*|abs/)({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?", re.IGNORECASE)


def arxiv_id(value: str | None) -> str | None:
    """The arXiv identifier (without version) that ``value`` is or contains as a URL, else None."""
    if not value:
        return None
    value = value.strip()
    match = _ARXIV_GIVEN.match(value)
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


def arxiv_month(arxiv: str | None) -> tuple[int, int] | None:
    """(year, month) in which the arXiv id ``arxiv`` (as a paper file holds it) was given, that is
    when its first version was submitted: ``2503.19633`` -> (2025, 3), ``hep-th/9901001`` -> (1999, 1).
    None for anything else, and outside the months each style was given in: old style from August
    1991 to March 2007, new style from April 2007 (https://info.arxiv.org/help/arxiv_identifier.html)."""
    if not arxiv or not ARXIV_ID.match(arxiv):
        return None
    _, slash, number = arxiv.rpartition("/")  # the number starts with YYMM in both styles
    old_style = bool(slash)
    two_digits, month = int(number[:2]), int(number[2:4])
    given = ((1900 if old_style and two_digits >= 91 else 2000) + two_digits, month)
    first, last = ((1991, 8), (2007, 3)) if old_style else ((2007, 4), (2099, 12))
    return given if 1 <= month <= 12 and first <= given <= last else None


# -- DOI ------------------------------------------------------------------------------------
DOI = re.compile(r"^10\.\d{4,9}/\S+$")  # as a paper file holds it
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def clean_doi(value: str | None) -> str | None:
    """A DOI without ``doi:`` or ``https://doi.org/`` prefix, or None if it is not a DOI."""
    if not value or not value.strip():
        return None
    value = _DOI_PREFIX.sub("", value.strip().split()[0])
    return value if DOI.match(value) else None


# -- dates ----------------------------------------------------------------------------------
YEARS = (1000, 2999)  # the publication years a paper file may hold
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # `added`
MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}
_ISO_PREFIX = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T\s].*)?$")
_RFC_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})")  # "Mon, 2 Apr 2007 19:18:42 GMT"


def parse_month(value: object) -> int | None:
    """1-12 from ``3``, ``"03"``, ``"mar"``, ``"March"`` or ``"Sept."``; None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text)


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
    return parse_int(value, *YEARS)


def parse_day(value: object) -> int | None:
    return parse_int(value, 1, 31)


def parse_date(value: object) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from ``2024-03-20``, ``2024-03-20T17:59:01.000Z``, ``2024-03``, ``2024``
    or ``Mon, 2 Apr 2007 19:18:42 GMT``; only the parts the text gives, never invented."""
    if not isinstance(value, str) or not value.strip():
        return (None, None, None)
    match = _ISO_PREFIX.match(value)
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
