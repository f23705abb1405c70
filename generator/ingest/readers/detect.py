"""Tell input formats apart by their content, and dispatch to the matching reader."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from paper_collection.collection.model import ReadResult
from paper_collection.errors import InputError
from paper_collection.ingest.readers.atom import read_atom
from paper_collection.ingest.readers.bibtex import read_bibtex
from paper_collection.ingest.readers.csvfmt import TITLE_HEADERS, header_key, read_csv, sniff_delimiter
from paper_collection.ingest.readers.jsonfmt import read_json, read_jsonl
from paper_collection.ingest.readers.listing import read_listing
from paper_collection.ingest.readers.text import decoded_chunks, lines_of

FORMATS = ("listing", "bibtex", "json", "jsonl", "atom", "csv")

_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
_BIB_KNOWN = re.compile(
    r"^\s*@\s*(?:article|inproceedings|conference|misc|book|incollection|inbook|phdthesis|"
    r"mastersthesis|techreport|unpublished|online|proceedings|manual|report|software)\s*[{(]",
    re.IGNORECASE | re.MULTILINE,
)
# "[" or "{" followed by what JSON can hold there; not "[1] arXiv:2403.12345 ..." in a listing.
_JSON_START = re.compile(r'^(?:\[\s*[{\["\]]|\{\s*["}])')
_ATOM_NS = "http://www.w3.org/2005/Atom"


READERS: dict[str, Callable[[str, str], ReadResult]] = {
    "listing": read_listing,
    "bibtex": read_bibtex,
    "json": read_json,
    "jsonl": read_jsonl,
    "atom": read_atom,
    "csv": read_csv,
}


def detect_format(text: str) -> str:
    """One of ``FORMATS``, judged from the content alone (file names are not consulted)."""
    body = text.removeprefix("\ufeff").lstrip()
    if not body:
        return "listing"
    if body.startswith("<"):
        head = body[:4000]
        if _ATOM_NS in head or re.match(r"<(\?xml|feed[\s>])", head):
            return "atom"
    if _JSON_START.match(body):
        return _json_kind(body)
    lines = [line for line in body.splitlines() if line.strip()]
    significant = [line for line in lines if not line.lstrip().startswith("%")]
    if significant and _BIB_ENTRY.match(significant[0]):
        return "bibtex"
    if _BIB_KNOWN.search(body):
        # Text before the first entry is a comment to BibTeX, but one '@misc{' line quoted in a
        # listing must not turn the listing into BibTeX: keep the reading that finds more papers.
        return _more_papers(body, ("bibtex", "listing"))
    if _is_csv_header(lines[0]):
        return "csv"
    return "listing"


def _more_papers(body: str, formats: tuple[str, ...]) -> str:
    counts = {}
    for fmt in formats:
        try:
            counts[fmt] = len(READERS[fmt](body, "input").records)
        except InputError:
            counts[fmt] = -1
    return max(formats, key=lambda fmt: counts[fmt])


def _json_kind(body: str) -> str:
    try:
        json.loads(body)
        return "json"
    except RecursionError:
        return "json"  # nested too deeply: the JSON reader says so
    except json.JSONDecodeError:
        pass
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) >= 2 and all(line.startswith("{") for line in lines[:2]):
        try:
            json.loads(lines[0])
        except json.JSONDecodeError:
            return "json"  # e.g. a pretty-printed object that is broken: report it as JSON
        return "jsonl"
    return "json"


def _is_csv_header(line: str) -> bool:
    delimiter = sniff_delimiter(line)
    if delimiter not in line:
        return False
    return any(header_key(cell) in TITLE_HEADERS for cell in line.split(delimiter))


MAPPABLE_FORMATS = ("json", "jsonl", "csv")


def read_input(text: str, file: str, fmt: str | None = None,
               mapping: dict[str, str] | None = None) -> tuple[str, ReadResult]:
    """Read ``text`` (the decoded content of ``file``) as ``fmt``, or as the detected format.
    ``mapping`` (``--map``): field -> JSON path or CSV column, for JSON, JSON Lines and CSV.

    Returns the format used and what its reader found."""
    if fmt is None:
        fmt = detect_format(text)
    elif fmt not in READERS:
        raise InputError(
            file,
            None,
            f"unknown input format '{fmt}'",
            f"use one of: {', '.join(FORMATS)}",
        )
    if mapping:
        if fmt not in MAPPABLE_FORMATS:
            raise InputError(file, None, f"--map applies to JSON, JSON Lines and CSV inputs, and this is {fmt}",
                             "leave out --map for this input, or import it separately")
        return fmt, READERS[fmt](text, file, mapping)
    return fmt, READERS[fmt](text, file)


def streams_as_listing(path: Path, file: str, fmt: str | None = None, mapping: dict[str, str] | None = None) -> bool:
    """Whether `read_input` reads this file as a listing, told without holding the file: then the
    importer reads it as it streams (`listing.iter_listing`). False when in doubt (the file starts
    like JSON, Atom or CSV, or a line starts with "@", which BibTeX may claim): such a file is read
    whole, by `read_input`, as before."""
    if mapping or fmt is not None:
        return fmt == "listing" and not mapping
    first = True  # no content seen yet
    for number, line in enumerate(lines_of(decoded_chunks(path, file)), start=1):
        if number == 1:
            line = line.removeprefix("\ufeff")  # as `detect_format` removes it from the text
        if first:
            content = next((sub.lstrip() for sub in line.splitlines() if sub.strip()), None)
            if content is not None:
                first = False
                if content.startswith(("<", "[", "{")) or _is_csv_header(content):
                    return False
        if "@" in line and any(sub.lstrip().startswith("@") for sub in line.splitlines()):
            return False
    return True
