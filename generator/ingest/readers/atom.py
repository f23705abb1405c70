"""Read Atom feeds, in particular arXiv API responses (``export.arxiv.org/api/query``).

Parsed with lxml so that every record knows its source line; entities are never expanded and
nothing is fetched from the network (no DTDs), so hostile files cannot blow up or leak.
"""

from __future__ import annotations

import re

from lxml import etree

from paper_collection.collection.identifiers import arxiv_id, clean_doi, parse_date
from paper_collection.collection.links import unique_links
from paper_collection.collection.model import Origin, RawRecord, ReadResult, Rejection
from paper_collection.errors import InputError
from paper_collection.ingest.readers._shared import make_link

FORMAT = "atom"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_WHERE = re.compile(r",\s*line \d+,\s*column \d+\s*$")  # lxml repeats the position
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


def read_atom(text: str, file: str) -> ReadResult:
    """Read every ``<entry>`` of an Atom feed (or a lone ``<entry>`` document)."""
    # lxml refuses str input that declares an encoding; the text is already decoded, so drop
    # the declaration (it sits on the first line, so line numbers do not move).
    body = _DECLARATION.sub("", text, count=1)
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (error.lineno, 0)
        reason = _WHERE.sub("", error.msg or "syntax error")
        message = f"malformed XML at column {column}: {reason}" if column else f"malformed XML: {reason}"
        raise InputError(file, line or None, message, "check the XML near here") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise InputError(
            file,
            body.count("\n", 0, max(body.find("<!DOCTYPE"), 0)) + 1,
            "the XML declares a DOCTYPE; Atom feeds have none and entities are not expanded",
            "remove the <!DOCTYPE ...> declaration",
        )
    if root.tag == f"{ATOM}entry":
        entries = [root]
    elif root.tag == f"{ATOM}feed":
        entries = root.findall(f"{ATOM}entry")
    else:
        raise InputError(
            file,
            root.sourceline,
            f"not an Atom feed: the document element is <{etree.QName(root).localname}>"
            f" in namespace '{etree.QName(root).namespace or 'none'}'",
            "give an Atom feed such as an arXiv API response (export.arxiv.org/api/query)",
        )
    records: list[RawRecord] = []
    rejected: list[Rejection] = []
    for entry in entries:
        found = _record(entry, file)
        (records if isinstance(found, RawRecord) else rejected).append(found)
    return ReadResult(records=tuple(records), rejected=tuple(rejected))


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _child_text(entry: etree._Element, tag: str) -> str:
    return _text(entry.find(tag)).strip()


def _record(entry: etree._Element, file: str) -> RawRecord | Rejection:
    line = entry.sourceline or 1
    entry_id = _child_text(entry, f"{ATOM}id")
    if "arxiv.org/api/errors" in entry_id:
        raise InputError(
            file,
            line,
            f"the arXiv API answered with an error: {_child_text(entry, f'{ATOM}summary')}",
            "correct the query and download the feed again",
        )
    title = _text(entry.find(f"{ATOM}title"))
    if not title.strip():
        which = f"the Atom entry {entry_id}" if entry_id else "the Atom entry"
        return Rejection(file, line, f"{which} has no title")

    links = []
    for link in entry.findall(f"{ATOM}link"):
        href = link.get("href", "")
        rel = link.get("rel", "alternate")
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            links.append(make_link(href, "pdf"))
        elif link.get("title") == "doi" or rel == "alternate":
            links.append(make_link(href))

    doi = clean_doi(_child_text(entry, f"{ARXIV}doi"))
    year, month, day = parse_date(_child_text(entry, f"{ATOM}published"))
    authors = tuple(
        name
        for author in entry.findall(f"{ATOM}author")
        if (name := " ".join(_child_text(author, f"{ATOM}name").split()))
    )
    keywords = tuple(
        term for category in entry.findall(f"{ATOM}category") if (term := (category.get("term") or "").strip())
    )
    return RawRecord(
        title=title,
        abstract=_text(entry.find(f"{ATOM}summary")),
        origin=Origin(file, line, FORMAT),
        authors=authors,
        year=year,
        month=month,
        day=day,
        arxiv=arxiv_id(entry_id),
        doi=doi,
        venue=_child_text(entry, f"{ARXIV}journal_ref") or None,
        keywords=keywords,
        links=unique_links(links),
    )
