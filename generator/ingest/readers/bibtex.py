"""Read BibTeX (``.bib``) exports with bibtexparser v2.

Titles, author names and venues are LaTeX: ``M{\\"u}ller`` becomes ``Müller`` and protective
braces are dropped. Abstracts and keywords are kept as in the input (cleaning comes later).
"""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from pylatexenc.latex2text import LatexNodes2Text

from paper_collection.collection.identifiers import (
    arxiv_id,
    arxiv_in_text,
    clean_doi,
    parse_day,
    parse_month,
    parse_year,
)
from paper_collection.collection.links import unique_links
from paper_collection.collection.model import Origin, RawRecord, ReadResult, Rejection
from paper_collection.ingest.readers._shared import make_link, split_keywords

FORMAT = "bibtex"

# bibtexparser logs every malformed block; the reader reports them as Rejections instead,
# so keep Python's last-resort handler from printing them to stderr.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_LATEX = LatexNodes2Text()
_URL_COMMAND = re.compile(r"\\url\{([^{}]+)\}")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def read_bibtex(text: str, file: str) -> ReadResult:
    """Read every ``@entry`` of a BibTeX file; ``@string``s are resolved, comments skipped."""
    library = bibtexparser.parse_string(text)
    found: list[tuple[int, RawRecord | Rejection]] = []
    for entry in library.entries:
        line = _line(entry.start_line)
        found.append((line, _record(entry, file, line)))
    for block in library.failed_blocks:
        line = _line(block.start_line)
        found.append((line, Rejection(file, line, _failure_reason(block))))
    found.sort(key=lambda item: item[0])
    return ReadResult(
        records=tuple(item for _, item in found if isinstance(item, RawRecord)),
        rejected=tuple(item for _, item in found if isinstance(item, Rejection)),
    )


def _line(start_line: int | None) -> int:
    # bibtexparser counts lines from 0; the block starts at its ``@type{`` line.
    return (start_line or 0) + 1


def _failure_reason(block: object) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"duplicate BibTeX key '{block.key}' (an earlier entry has the same key)"
    if isinstance(block, DuplicateFieldKeyBlock):
        keys = ", ".join(sorted(block.duplicate_keys))
        return f"malformed BibTeX entry: the field(s) {keys} appear more than once"
    error = getattr(block, "error", None)
    if isinstance(error, BlockAbortedException):
        reason = error.abort_reason.strip().rstrip(".")
        return f"malformed BibTeX entry: {reason}"
    return f"malformed BibTeX entry: {error}"


def _field(entry: Entry, *names: str) -> str:
    """The first non-empty of the named fields (case-insensitive), as a string."""
    for name in names:
        for field in entry.fields:
            if field.key.lower() == name and field.value is not None and str(field.value).strip():
                return str(field.value).strip()
    return ""


def latex_to_text(value: str) -> str:
    """LaTeX to plain Unicode text: accents decoded, braces and ``~`` removed."""
    if not value:
        return ""
    return _LATEX.latex_to_text(value).replace("\xa0", " ")


def split_authors(value: str) -> tuple[str, ...]:
    """BibTeX ``author`` to display names: split on `` and `` outside braces,
    ``Last, First`` and ``Last, Jr, First`` reordered; ``others`` dropped."""
    names: list[str] = []
    for part in _split_top_level_and(value):
        pieces = [piece.strip() for piece in _split_top_level(part, ",")]
        if len(pieces) == 2:
            pieces = [pieces[1], pieces[0]]
        elif len(pieces) >= 3:
            pieces = [pieces[2], pieces[0], pieces[1]]
        name = " ".join(latex_to_text(piece) for piece in pieces if piece)
        name = " ".join(name.split())
        if name and name.lower() != "others":
            names.append(name)
    return tuple(names)


def _split_top_level(value: str, separator: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _split_top_level_and(value: str) -> list[str]:
    """Split on `` and `` that is not inside braces (``{Barnes and Noble}`` stays one name)."""
    parts: list[str] = []
    start = 0
    for match in _AND.finditer(value):
        prefix = value[: match.start()]
        if prefix.count("{") - prefix.count("}") == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    return [part.strip() for part in parts if part.strip()]


def _record(entry: Entry, file: str, line: int) -> RawRecord | Rejection:
    title = latex_to_text(_field(entry, "title"))
    if not title.strip():
        return Rejection(file, line, f"BibTeX entry '{entry.key}' has no title")

    url = _field(entry, "url")
    extra_urls = _URL_COMMAND.findall(_field(entry, "howpublished") + " " + _field(entry, "note"))
    doi = clean_doi(_field(entry, "doi"))

    arxiv = None
    eprint = _field(entry, "eprint")
    prefix = _field(entry, "archiveprefix", "eprinttype").lower()
    if eprint and prefix == "arxiv":
        arxiv = arxiv_id(eprint)
    if arxiv is None:
        for candidate in (url, *extra_urls):
            arxiv = arxiv_id(candidate)
            if arxiv:
                break
    venue_field = _field(entry, "journal", "booktitle")
    if arxiv is None and re.search(r"\barxiv\b|^corr\b", venue_field, re.IGNORECASE):
        arxiv = arxiv_in_text(venue_field)

    links = [make_link(url), *(make_link(extra) for extra in extra_urls)]

    return RawRecord(
        title=title,
        abstract=_field(entry, "abstract"),
        origin=Origin(file, line, FORMAT),
        authors=split_authors(_field(entry, "author")),
        year=parse_year(_field(entry, "year")),
        month=parse_month(_field(entry, "month") or None),
        day=parse_day(_field(entry, "day")),
        arxiv=arxiv,
        doi=doi,
        venue=latex_to_text(venue_field) or None,
        keywords=split_keywords(_field(entry, "keywords")),
        links=unique_links(links),
    )
