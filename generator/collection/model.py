"""The records that flow through the pipeline.

read (``readers/``) -> ``RawRecord`` -> clean + check (``paper``) -> ``Paper`` -> enrich -> render -> write.
Every record remembers where it came from so that errors can name the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LINK_KINDS = ("code", "project", "huggingface", "arxiv", "pdf", "doi", "other")


@dataclass(frozen=True)
class Link:
    kind: str  # one of LINK_KINDS
    url: str  # always http(s)


@dataclass(frozen=True)
class Origin:
    """Where a record was read: the input file's name and the 1-based line (or record number)."""

    file: str
    line: int
    format: str  # e.g. "listing", "bibtex", "json", "atom", "csv"


@dataclass(frozen=True)
class RawRecord:
    """One paper as a reader found it, before cleaning. Text fields are as in the input."""

    title: str
    abstract: str
    origin: Origin
    listed: str | None = None  # the listing date exactly as the input gives it, e.g. "Mar 20"
    authors: tuple[str, ...] = ()
    year: int | None = None
    month: int | None = None
    day: int | None = None
    arxiv: str | None = None
    doi: str | None = None
    venue: str | None = None
    keywords: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """A record an input held that could not become a paper, and why (shown in the import report)."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class ReadResult:
    records: tuple[RawRecord, ...]
    rejected: tuple[Rejection, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. boilerplate lines recognised and skipped
