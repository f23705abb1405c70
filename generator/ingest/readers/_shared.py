"""Small helpers shared by the structured-format readers (BibTeX, JSON, Atom, CSV): links from
URLs, keywords, author lists, text fields. Identifiers and dates are in collection/identifiers.py."""

from __future__ import annotations

import re

from paper_collection.collection.links import classify
from paper_collection.collection.model import Link
from paper_collection.collection.paper import is_web_url


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


def split_authors(value: str) -> tuple[str, ...]:
    """Authors from one string (a CSV cell, a JSON field): split on ``;``; else on `` and `` and
    on commas when every comma-separated part is a multi-word name (``Smith, John`` stays one
    name). BibTeX's ``author`` field has its own syntax (readers/bibtex.py)."""
    value = " ".join(value.split())
    if not value:
        return ()
    if ";" in value:
        return tuple(part.strip() for part in value.split(";") if part.strip())
    parts = [p.strip() for p in value.replace(", and ", ", ").replace(" and ", ", ").split(",")]
    parts = [p for p in parts if p]
    if all(len(part.split()) >= 2 for part in parts):
        return tuple(parts)
    return tuple(part.strip() for part in value.split(" and ") if part.strip())
