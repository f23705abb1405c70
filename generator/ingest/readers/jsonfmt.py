"""Read JSON and JSON Lines exports of paper lists.

Understood shapes (per item; they may be mixed):

* Hugging Face daily papers: ``{"paper": {"id", "title", "summary", "authors": [{"name"}],
  "publishedAt", "githubRepo", "projectPage"}, "title", "publishedAt", ...}``;
* Hugging Face paper objects and arXiv metadata records (the arXiv Kaggle snapshot shape:
  ``id, authors, title, abstract, categories, doi, journal-ref, versions, update_date,
  authors_parsed``);
* plain objects with ``title`` and ``abstract`` / ``summary`` / ``description``.

The top level may be an array of items, one item, or an object holding the array under some
key (``{"papers": [...]}``). The origin line of a record is the line where its object starts.
"""

from __future__ import annotations

import json
from typing import Any

from generator.collection.identifiers import arxiv_id, clean_doi, parse_date, parse_day, parse_month, parse_year
from generator.collection.links import unique_links
from generator.collection.model import Origin, RawRecord, ReadResult, Rejection
from generator.errors import InputError
from generator.ingest.readers._shared import make_link, split_authors, split_keywords, text_or_empty

_FIX = "check the JSON syntax near here"
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"
_TITLE_KEYS = ("title", "paper")


def read_json(text: str, file: str) -> ReadResult:
    """Read a JSON document: an array of paper objects, one object, or an object wrapping the array."""
    text = text.removeprefix("\ufeff")
    data = _loads(text, file, line_offset=0)
    start = _skip_ws(text, 0)
    if isinstance(data, dict) and not _looks_like_paper(data):
        key = next(k for k, v in data.items() if _is_item_list(v))
        start = _member_offsets(text, start)[key]
        data = data[key]
    if isinstance(data, list):
        offsets = _element_offsets(text, start)
        items = [(_line_at(text, offset), item) for offset, item in zip(offsets, data, strict=True)]
    else:
        items = [(_line_at(text, start), data)]
    return _read_items(items, file, "json")


def read_jsonl(text: str, file: str) -> ReadResult:
    """Read JSON Lines: one paper object per line; blank lines are skipped."""
    items: list[tuple[int, Any]] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if line.strip():
            items.append((number, _loads(line, file, line_offset=number - 1)))
    return _read_items(items, file, "jsonl")


def _loads(text: str, file: str, line_offset: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        at = "" if error.msg.endswith(" at") else " at"
        message = f"invalid JSON: {error.msg}{at} column {error.colno}"
        raise InputError(file, error.lineno + line_offset, message, _FIX) from None
    except RecursionError:
        raise InputError(file, line_offset + 1, "the JSON nests arrays or objects too deeply to be a paper list",
                         "give a list of paper objects") from None


def _read_items(items: list[tuple[int, Any]], file: str, fmt: str) -> ReadResult:
    records: list[RawRecord] = []
    rejected: list[Rejection] = []
    for line, item in items:
        found = _record(item, file, line, fmt)
        (records if isinstance(found, RawRecord) else rejected).append(found)
    return ReadResult(records=tuple(records), rejected=tuple(rejected))


# --- positions: where each array element / object member starts ---------------------------


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _element_offsets(text: str, pos: int) -> list[int]:
    """Offsets of the elements of the (valid) JSON array starting at ``pos``."""
    offsets: list[int] = []
    pos = _skip_ws(text, pos + 1)  # after "["
    while text[pos] != "]":
        offsets.append(pos)
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return offsets


def _member_offsets(text: str, pos: int) -> dict[str, int]:
    """Offsets of the values of the (valid) JSON object starting at ``pos``, by key."""
    offsets: dict[str, int] = {}
    pos = _skip_ws(text, pos + 1)  # after "{"
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # after ":"
        offsets[key] = pos
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return offsets


# --- items ----------------------------------------------------------------------------------


def _is_item_list(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _looks_like_paper(data: dict[str, Any]) -> bool:
    """True for one paper object; False for a wrapper such as ``{"papers": [...]}``."""
    return any(key in data for key in _TITLE_KEYS) or not any(map(_is_item_list, data.values()))


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _authors(data: dict[str, Any]) -> tuple[str, ...]:
    parsed = data.get("authors_parsed")  # arXiv snapshot: [["Last", "First", "Suffix"], ...]
    if isinstance(parsed, list) and parsed and all(isinstance(p, list) for p in parsed):
        names = []
        for parts in parsed:
            last, first, suffix = ([*map(text_or_empty, parts), "", "", ""])[:3]
            names.append(" ".join(p.strip() for p in (first, last, suffix) if p.strip()))
        return tuple(name for name in names if name)
    value = _first(data, "authors", "author")
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, list):
        names = []
        for author in value:
            if isinstance(author, dict):
                name = text_or_empty(author.get("name") or author.get("fullname"))
            else:
                name = text_or_empty(author)
            if name.strip():
                names.append(name.strip())
        return tuple(names)
    return ()


def _date(data: dict[str, Any]) -> tuple[int | None, int | None, int | None]:
    """(year, month, day): explicit ``year``/``month``/``day`` fields win, then the first
    date the item gives (publication date, first version, update date)."""
    year = parse_year(data.get("year"))
    if year is not None:
        month = parse_month(data.get("month"))
        return (year, month, parse_day(data.get("day")) if month else None)
    versions = data.get("versions")
    first_version = None
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        first_version = versions[0].get("created")
    for value in (
        data.get("publishedAt"),
        data.get("published"),
        data.get("date"),
        first_version,
        data.get("update_date"),
        data.get("updated"),
    ):
        found = parse_date(value)
        if found[0] is not None:
            return found
    return (None, None, None)


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [u for item in value for u in _urls(item)]
    if isinstance(value, dict):
        return _urls(value.get("url") or value.get("href"))
    return []


def _record(item: Any, file: str, line: int, fmt: str) -> RawRecord | Rejection:
    if not isinstance(item, dict):
        kind = type(item).__name__ if item is not None else "null"
        kind = {"str": "a string", "list": "an array", "int": "a number", "float": "a number"}.get(kind, kind)
        return Rejection(file, line, f"the item is {kind}, not an object with a title")
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else None
    data: dict[str, Any] = item
    if paper:  # the daily-papers wrapper: the paper's own fields win where it has them
        data = {**item, **{key: value for key, value in paper.items() if value not in (None, "", [], {})}}

    title = text_or_empty(_first(data, "title"))
    if not title.strip():
        return Rejection(file, line, "the item has no title")

    arxiv = arxiv_id(text_or_empty(_first(data, "arxiv", "arxiv_id", "arxivId", "eprint")))
    if arxiv is None:
        arxiv = arxiv_id(text_or_empty(data.get("id")))  # HF and arXiv records: id is arXiv's
    urls = _urls(_first(data, "url", "link", "links", "pdf", "pdf_url"))
    if arxiv is None:
        arxiv = next((found for url in urls if (found := arxiv_id(url))), None)

    links = [make_link(url) for url in urls]
    links.append(make_link(text_or_empty(data.get("githubRepo"))))
    links.append(make_link(text_or_empty(data.get("projectPage"))))
    if paper and arxiv:
        links.append(make_link(f"https://huggingface.co/papers/{arxiv}"))

    year, month, day = _date(data)
    venue = text_or_empty(_first(data, "venue", "journal-ref", "journal_ref", "journal"))
    categories = data.get("categories")
    keywords = split_keywords(_first(data, "keywords", "tags"))
    if isinstance(categories, str):
        keywords += tuple(categories.split())
    elif isinstance(categories, list):
        keywords += split_keywords(categories)

    return RawRecord(
        title=title,
        abstract=text_or_empty(_first(data, "abstract", "summary", "description")),
        origin=Origin(file, line, fmt),
        authors=_authors(data),
        year=year,
        month=month,
        day=day,
        arxiv=arxiv,
        doi=clean_doi(text_or_empty(data.get("doi"))),
        venue=venue.strip() or None,
        keywords=keywords,
        links=unique_links(links),
    )
