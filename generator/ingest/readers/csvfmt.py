"""Read CSV / TSV spreadsheets of papers: one header row, then one paper per row.

Columns are found by name, case-insensitively; unknown columns are ignored. The delimiter
(comma, tab or semicolon) is the one the header line uses most.
"""

from __future__ import annotations

import csv
import io

from paper_collection.collection.identifiers import arxiv_id, clean_doi, parse_date, parse_day, parse_month, parse_year
from paper_collection.collection.links import unique_links
from paper_collection.collection.model import Origin, RawRecord, ReadResult, Rejection
from paper_collection.errors import InputError
from paper_collection.ingest.readers._shared import make_link, split_authors, split_keywords

FORMAT = "csv"

# field -> accepted header names (compared lower-cased, with "_"/"-" read as spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper", "paper title", "article title", "document title", "name of paper"),
    "abstract": ("abstract", "summary", "description", "abstract text", "paper abstract", "abstract note"),
    "authors": ("authors", "author", "author(s)", "authors list", "author names", "creators"),
    "url": ("url", "link", "paper url", "paper link", "pdf", "arxiv link", "arxiv url", "pdf url", "pdf link"),
    "code": ("code", "github", "code url", "repository", "repo", "code link", "github link", "github url"),
    "keywords": ("keywords", "keyword", "tags", "tag"),
    "year": ("year", "publication year"),
    "month": ("month",),
    "day": ("day",),
    "date": ("date", "published", "publication date"),
    "doi": ("doi",),
    "arxiv": ("arxiv", "arxiv id", "arxiv_id", "eprint"),
    "venue": ("venue", "journal", "booktitle", "conference"),
}
TITLE_HEADERS = COLUMNS["title"]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter a header line uses most among comma, tab and semicolon (comma on ties)."""
    return max((",", "\t", ";"), key=header_line.count)


def header_key(cell: str) -> str:
    return " ".join(cell.strip().strip('"').lower().replace("_", " ").replace("-", " ").split())


def read_csv(text: str, file: str, mapping: dict[str, str] | None = None) -> ReadResult:
    """Read a CSV file whose first non-blank line is the header; ``mapping`` (``--map``) names the
    column of a field where its header is not one of ``COLUMNS``."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return ReadResult(records=())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(lines[first]))
    try:
        rows = _rows(reader)
    except csv.Error as error:
        raise InputError(file, reader.line_num, f"malformed CSV: {error}", "check the quotes near here") from None
    if not rows:  # only delimiters and blanks
        return ReadResult(records=())
    header_line, header = rows[0]
    columns = _columns(header, mapping or {}, file, header_line)
    if "title" not in columns:
        found = ", ".join(f"'{cell.strip()}'" for cell in header if cell.strip()) or "none"
        raise InputError(
            file,
            header_line,
            f"the CSV header has no title column (columns found: {found})",
            "name the column of paper titles 'title' (abstracts: 'abstract', authors: 'authors')",
        )
    records: list[RawRecord] = []
    rejected: list[Rejection] = []
    notes = ("columns read: " + ", ".join(f"{name} <- '{header[index].strip()}'"
                                         for name, index in columns.items()),)
    for line, row in rows[1:]:
        if len(row) != len(header):
            rejected.append(
                Rejection(
                    file,
                    line,
                    f"the row has {len(row)} fields but the header has {len(header)}",
                )
            )
            continue
        cells = {name: row[index].strip().replace("\r\n", "\n") for name, index in columns.items()}
        found = _record(cells, file, line)
        (records if isinstance(found, RawRecord) else rejected).append(found)
    return ReadResult(records=tuple(records), rejected=tuple(rejected), notes=notes)


def _rows(reader: csv.Reader) -> list[tuple[int, list[str]]]:
    """Non-empty rows with the physical line each starts on."""
    rows: list[tuple[int, list[str]]] = []
    previous_end = 0
    for row in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if any(cell.strip() for cell in row):
            rows.append((start, row))
    return rows


def _columns(header: list[str], mapping: dict[str, str], file: str, line: int) -> dict[str, int]:
    """Field name -> column index: the column --map names, else the first column matching the field."""
    columns: dict[str, int] = {}
    keys = [header_key(cell) for cell in header]
    for name, column in mapping.items():
        if name not in COLUMNS:
            raise InputError(file, line, f"--map: {name} is not a field a paper has",
                             f"map one of: {', '.join(COLUMNS)}")
        if header_key(column) not in keys:
            found = ", ".join(f"'{cell.strip()}'" for cell in header if cell.strip()) or "none"
            raise InputError(file, line, f"--map {name}={column} matches no column (the columns are: {found})",
                             "give the column's name as the header row writes it")
        columns[name] = keys.index(header_key(column))
    for index, cell in enumerate(header):
        key = header_key(cell)
        for name, aliases in COLUMNS.items():
            if key in aliases and name not in columns and index not in columns.values():
                columns[name] = index
                break
    return columns


def _record(cells: dict[str, str], file: str, line: int) -> RawRecord | Rejection:
    title = cells.get("title", "")
    if not title:
        return Rejection(file, line, "the row has no title")
    url = cells.get("url", "")
    year = parse_year(cells.get("year"))
    month = parse_month(cells.get("month") or None) if year else None
    day = parse_day(cells.get("day")) if month else None
    if year is None:
        year, month, day = parse_date(cells.get("date"))
    return RawRecord(
        title=title,
        abstract=cells.get("abstract", ""),
        origin=Origin(file, line, FORMAT),
        authors=split_authors(cells.get("authors", "")),
        year=year,
        month=month,
        day=day,
        arxiv=arxiv_id(cells.get("arxiv")) or arxiv_id(url),
        doi=clean_doi(cells.get("doi")),
        venue=cells.get("venue") or None,
        keywords=split_keywords(cells.get("keywords")),
        links=unique_links([make_link(url), make_link(cells.get("code"))]),
    )
