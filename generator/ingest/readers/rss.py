"""Read RSS 2.0 feeds of papers: arXiv's category feeds (rss.arxiv.org/rss/cs.LG), journal tables of
contents, mirrors. The Atom reader (`atom.py`) reads Atom feeds; `read_feed` picks between them.

arXiv's items carry the id in the link, "arXiv:ID Announce Type: new Abstract: ..." as the
description and the authors in one ``dc:creator``; other feeds give HTML in the description. Parsed
with lxml as the Atom reader does: entities never expanded, nothing fetched, every record knows its line.
"""

from __future__ import annotations

import re

from lxml import etree, html

from paper_collection.collection.identifiers import arxiv_id, parse_date
from paper_collection.collection.links import unique_links
from paper_collection.collection.model import Origin, RawRecord, ReadResult, Rejection
from paper_collection.errors import InputError
from paper_collection.ingest.readers._shared import make_link
from paper_collection.ingest.readers.atom import ATOM, read_atom

FORMAT = "rss"
DC = "{http://purl.org/dc/elements/1.1/}"
_ARXIV_PREFIX = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.IGNORECASE)
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


def read_feed(text: str, file: str) -> tuple[str, ReadResult]:
    """An RSS 2.0 or Atom feed: ("rss" or "atom", what was read)."""
    body = _DECLARATION.sub("", text, count=1)
    if re.match(r"\s*(<!--.*?-->\s*)*<(\w+:)?feed[\s>]", body, re.DOTALL):
        return "atom", read_atom(text, file)
    return FORMAT, read_rss(text, file)


def read_rss(text: str, file: str) -> ReadResult:
    """Every ``<item>`` of an RSS 2.0 feed."""
    body = _DECLARATION.sub("", text, count=1)
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else error.lineno
        raise InputError(file, line or None, f"malformed XML: {error.msg}", "check the feed's address") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise InputError(file, 1, "the XML declares a DOCTYPE; feeds have none and entities are not expanded")
    if root.tag == f"{ATOM}feed":
        return read_atom(text, file)
    if root.tag != "rss" or root.find("channel") is None:
        raise InputError(file, root.sourceline, f"not an RSS or Atom feed: the document element is "
                                                f"<{etree.QName(root).localname}>", "check the feed's address")
    records: list[RawRecord] = []
    rejected: list[Rejection] = []
    for item in root.find("channel").findall("item"):
        found = _record(item, file)
        (records if isinstance(found, RawRecord) else rejected).append(found)
    return ReadResult(records=tuple(records), rejected=tuple(rejected))


def _child(item, tag: str) -> str:
    element = item.find(tag)
    return "".join(element.itertext()).strip() if element is not None else ""


def _plain(text: str) -> str:
    """A description's text: HTML tags dropped (a journal's table of contents sends HTML)."""
    if "<" in text and ">" in text:
        try:
            return html.fromstring(f"<div>{text}</div>").text_content()
        except (etree.ParserError, ValueError):
            return text
    return text


def _record(item, file: str) -> RawRecord | Rejection:
    line = item.sourceline or 1
    title = _child(item, "title")
    if not title:
        return Rejection(file, line, "the RSS item has no title")
    link = _child(item, "link")
    guid = _child(item, "guid")
    description = _child(item, "description")
    found_id = arxiv_id(link) or arxiv_id(guid.removeprefix("oai:arXiv.org:")) or (
        arxiv_id(description.split()[0]) if description.startswith("arXiv:") else None)
    abstract = _plain(_ARXIV_PREFIX.sub("", description)).strip()
    creators = [_child(element, ".") for element in item.findall(f"{DC}creator")]
    authors = tuple(name.strip() for creator in creators for name in creator.split(",") if name.strip())
    year, month, day = parse_date(_child(item, "pubDate") or _child(item, f"{DC}date"))
    keywords = tuple(term for element in item.findall("category") if (term := "".join(element.itertext()).strip()))
    return RawRecord(title=title, abstract=abstract, origin=Origin(file, line, FORMAT), authors=authors,
                     year=year, month=month, day=day, arxiv=found_id, keywords=keywords,
                     links=unique_links(tuple(filter(None, [make_link(link)]))))
