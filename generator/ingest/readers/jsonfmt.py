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

import contextvars
import json
from typing import Any

from paper_collection.collection.identifiers import arxiv_id, clean_doi, parse_date, parse_day, parse_month, parse_year
from paper_collection.collection.links import unique_links
from paper_collection.collection.model import Origin, RawRecord, ReadResult, Rejection
from paper_collection.errors import InputError
from paper_collection.ingest.readers._shared import make_link, split_authors, split_keywords, text_or_empty

_FIX = "check the JSON syntax near here"
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"
_TITLE_KEYS = ("title", "paper")


def read_json(text: str, file: str, mapping: dict[str, str] | None = None) -> ReadResult:
    """Read a JSON document: paper objects in an array, in an object keyed by id, under a key such
    as ``papers`` at any depth, or one paper object."""
    text = text.removeprefix("\ufeff")
    data = _loads(text, file, line_offset=0)
    token = _title_names.set(_TITLE_NAMES | {_norm(mapping["title"].split(".")[-1].replace("[]", ""))}
                             if mapping and "title" in mapping else _TITLE_NAMES)
    try:
        path, kind = _find_records(data, ())
    finally:
        _title_names.reset(token)
    container = _offset_of(text, path)
    if kind == "one":
        items = [(_line_at(text, container), None, _at(data, path))]
    elif kind == "list":
        values = _at(data, path)
        offsets = _element_offsets(text, container)
        items = [(_line_at(text, offset), None, item) for offset, item in zip(offsets, values, strict=True)]
    else:  # an object keyed by id
        values = _at(data, path)
        offsets = _member_offsets(text, container)
        items = [(_line_at(text, offsets[key]), key, item) for key, item in values.items()]
    return _read_items(items, file, "json", mapping)


def read_jsonl(text: str, file: str, mapping: dict[str, str] | None = None) -> ReadResult:
    """Read JSON Lines: one paper object per line; blank lines are skipped."""
    items: list[tuple[int, str | None, Any]] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if line.strip():
            items.append((number, None, _loads(line, file, line_offset=number - 1)))
    return _read_items(items, file, "jsonl", mapping)


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


def _read_items(items: list[tuple[int, str | None, Any]], file: str, fmt: str,
               mapping: dict[str, str] | None) -> ReadResult:
    mapping = _check_mapping(mapping or {}, file)
    records: list[RawRecord] = []
    rejected: list[Rejection] = []
    used: set[str] = set()  # mapped fields that matched in some record
    first_sources: dict[str, str] | None = None
    for line, key, item in items:
        sources: dict[str, str] = {}
        found = _record(item, key, file, line, fmt, mapping, sources)
        used.update(field for field in mapping if field in sources)
        if first_sources is None and isinstance(found, RawRecord):
            first_sources = sources
        (records if isinstance(found, RawRecord) else rejected).append(found)
    missing = [field for field in mapping if field not in used]
    if missing and items:
        fields = _paths_of(next((item for _, _, item in items if isinstance(item, dict)), {}))
        shown = ", ".join(f"{name}={mapping[name]}" for name in missing)
        raise InputError(file, None, f"--map {shown} matches no record (the records have: "
                                     f"{', '.join(fields[:60]) or 'no fields'})",
                         "give the path of a field listed here, e.g. --map abstract=details.abstract")
    if not records and items:
        fields = _paths_of(next((item for _, _, item in items if isinstance(item, dict)), {}))
        if fields:
            raise InputError(file, None, f"no record has a title (the first record's fields: "
                                         f"{', '.join(fields[:60])})",
                             "say which fields hold the title and abstract, e.g. --map title=headline "
                             "--map abstract=body.text")
    notes = ()
    if first_sources:
        notes = ("fields read from the first record: "
                 + ", ".join(f"{name} <- {path}" for name, path in first_sources.items()),)
    return ReadResult(records=tuple(records), rejected=tuple(rejected), notes=notes)


# --- where the records are -----------------------------------------------------------------

RECORD_KEYS = ("papers", "data", "results", "items", "entries", "records", "documents", "hits", "rows", "list")
MAX_SEARCH_DEPTH = 8


def _at(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def _has_title(value: Any, depth: int = 2, names: frozenset[str] | None = None) -> bool:
    """An object that holds a title (itself, or in a nested object up to ``depth`` levels down)."""
    names = _title_names.get() if names is None else names
    if not isinstance(value, dict) or depth < 0:
        return False
    if any(_norm(key) in names and isinstance(item, str) for key, item in value.items()):
        return True
    return any(_has_title(item, depth - 1, names) for item in value.values() if isinstance(item, dict))


def _paper_list(value: Any) -> bool:
    return isinstance(value, list) and any(_has_title(item) for item in value)


_WRAPPER_NAMES = frozenset({"paper", "details", "metadata", "meta", "item", "record", "attributes", "fields"})


def _paper_map(value: Any) -> bool:
    """An object keyed by id whose values are papers: ``{"2312.17653": {"title": ...}, ...}`` (not one
    paper whose fields sit in a nested object, ``{"paper": {"title": ...}, "upvotes": 3}``)."""
    if not isinstance(value, dict) or not value or not all(isinstance(v, dict | None) for v in value.values()):
        return False
    papers = sum(1 for item in value.values() if _has_title(item))
    if len(value) == 1 and _norm(next(iter(value))) in _WRAPPER_NAMES:
        return False
    return papers >= 1 and papers * 2 >= len(value)


def _find_records(data: Any, path: tuple, depth: int = 0) -> tuple[tuple, str]:
    """(path to the records, "list" | "map" | "one"): the first array or keyed object of papers,
    looking under the usual record keys first, then under any key, at any depth."""
    found = _search(data, path, depth)
    if found is not None:
        return found
    return path, "list" if isinstance(data, list) else "one"


def _search(data: Any, path: tuple, depth: int) -> tuple[tuple, str] | None:
    if depth > MAX_SEARCH_DEPTH:
        return None
    if isinstance(data, list):
        under_record_key = bool(path) and _norm(str(path[-1])) in RECORD_KEYS
        if _paper_list(data) or ((depth == 0 or under_record_key) and any(isinstance(item, dict) for item in data)):
            return path, "list"
        return None
    if not isinstance(data, dict):
        return None
    wrapped = [key for key in data if _norm(key) in RECORD_KEYS and isinstance(data[key], list | dict)]
    if depth == 0 or wrapped or not _has_title(data, 0):
        for key in sorted(wrapped, key=lambda k: RECORD_KEYS.index(_norm(k))):
            found = _search(data[key], (*path, key), depth + 1)
            if found is not None:
                return found
    if _has_title(data, 0) or (_has_title(data, 1) and not _paper_map(data)):
        return path, "one"
    if _paper_map(data):
        return path, "map"
    for key, value in data.items():
        if isinstance(value, list | dict):
            found = _search(value, (*path, key), depth + 1)
            if found is not None:
                return found
    return None


def _offset_of(text: str, path: tuple) -> int:
    """The offset where the value at ``path`` (keys and indexes) starts in the JSON text."""
    pos = _skip_ws(text, 0)
    for step in path:
        pos = (_element_offsets(text, pos)[step] if isinstance(step, int) else _member_offsets(text, pos)[step])
    return pos


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


def split_author_string(value: str) -> tuple[str, ...]:
    """``"A. One, B. Two and C. Three"`` (arXiv style) or ``"A; B"`` to a tuple of names."""
    value = " ".join(value.split())
    if ";" in value:
        parts = value.split(";")
    else:
        parts = value.replace(", and ", ", ").replace(" and ", ", ").split(",")
    return tuple(part.strip() for part in parts if part.strip())




# --- fields: known names wherever they sit, or where --map says -----------------------------


def _norm(name: str) -> str:
    """A field name compared loosely: ``arxiv_page_url``, ``arxivPageUrl`` and ``arxiv-page-url`` agree."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum() or ch in ".[]")


_TITLE_NAMES = frozenset({"title", "papertitle"})
# The names a title may have while one file is read: the usual ones, plus the last part of --map title=...
_title_names: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("title_names", default=_TITLE_NAMES)
# canonical field -> names it may have (compared with _norm, on the end of the field's path), best first
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title"),
    "abstract": ("abstract", "summary", "abstract_text", "paper_abstract", "description"),
    "authors": ("authors_parsed", "authors[].name", "authors[].fullname", "authors", "author", "author_names",
                "creators"),
    "arxiv": ("arxiv", "arxiv_id", "arxivId", "eprint", "arxiv_url", "arxiv_page_url", "arxiv_link", "arxiv_pdf_url"),
    "id": ("id", "paper_id"),
    "doi": ("doi",),
    "year": ("year",),
    "month": ("month",),
    "day": ("day",),
    "date": ("publishedAt", "published", "publication_date", "published_date", "date", "submitted",
             "versions[].created", "created", "update_date", "updated"),
    "venue": ("venue", "journal-ref", "journal_ref", "journal", "conference", "booktitle"),
    "keywords": ("keywords", "tags", "categories", "subjects"),
    "url": ("url", "paper_url", "link", "links", "links[].url", "links[].href", "pdf", "pdf_url", "html_url"),
    "code": ("githubRepo", "github", "github_url", "github_link", "github_links", "code", "code_url", "code_links",
             "repo", "repository", "repo_url"),
    "project": ("projectPage", "project_page", "project_url", "project", "homepage", "website"),
}
MAPPABLE = tuple(name for name in KNOWN_NAMES if name != "id")
_NAME_KEYS = {field: tuple(_norm(name) for name in names) for field, names in KNOWN_NAMES.items()}


def _flatten(value: Any, prefix: str = "", out: dict[str, Any] | None = None, depth: int = 0) -> dict[str, Any]:
    """Every field of a record by path: ``details.abstract``, ``metadata.authors[].name`` (the list of
    each author's name), ``details.github_links`` (the list itself). Shallower paths come first."""
    out = {} if out is None else out
    if not isinstance(value, dict) or depth > 6:
        return out
    nested: list[tuple[str, dict]] = []
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out[path] = item
        if isinstance(item, dict):
            nested.append((path, item))
        elif isinstance(item, list) and item and all(isinstance(element, dict) for element in item):
            for sub in dict.fromkeys(k for element in item for k in element):
                out[f"{path}[].{sub}"] = [element.get(sub) for element in item]
    for path, item in nested:
        _flatten(item, path, out, depth + 1)
    return out


def _paths_of(item: Any) -> list[str]:
    return list(_flatten(item)) if isinstance(item, dict) else []


class _Flat(dict):
    """A flattened record, whose paths are compared loosely (`_norm`) once, not once per field, and
    found by the last part of their name (a name can only end a path that ends as it does)."""

    __slots__ = ("_by_end",)

    def ending_as(self, name: str) -> list[tuple[str, str]]:
        """(path, its `_norm`) of the paths that end as `name` (normalised) does, in the record's order."""
        try:
            by_end = self._by_end
        except AttributeError:
            by_end = self._by_end = {}
            for path in self:
                key = _norm(path)
                by_end.setdefault(key.rsplit(".", 1)[-1], []).append((path, key))
        return by_end.get(name.rsplit(".", 1)[-1], [])


def _find(flat: dict[str, Any], field: str, mapping: dict[str, str]) -> tuple[str, Any] | None:
    """(path, value) of ``field`` in a flattened record: where --map says, else the first known name
    (in the order of KNOWN_NAMES) that ends a path with a value, shallowest first."""
    if field in mapping:
        wanted = _norm(mapping[field])
        for path, value in flat.items():
            if _norm(path) == wanted and _present(value):
                return path, value
        return None
    names = _NAME_KEYS[field]
    normalised = None if isinstance(flat, _Flat) else [(path, _norm(path)) for path in flat]
    for name in names:
        for path, key in flat.ending_as(name) if normalised is None else normalised:
            if (key == name or key.endswith("." + name)) and _present(flat[path]):
                return path, flat[path]
    return None


def _present(value: Any) -> bool:
    if isinstance(value, list):
        return any(_present(item) for item in value)
    return value not in (None, "", {})


def _check_mapping(mapping: dict[str, str], file: str) -> dict[str, str]:
    unknown = [name for name in mapping if name not in MAPPABLE]
    if unknown:
        raise InputError(file, None, f"--map: {', '.join(unknown)} is not a field a paper has",
                         f"map one of: {', '.join(MAPPABLE)}")
    return mapping


def _authors(found: tuple[str, Any] | None) -> tuple[str, ...]:
    if found is None:
        return ()
    path, value = found
    if _norm(path).endswith("authorsparsed") and isinstance(value, list):  # arXiv: [["Last", "First", ""], ...]
        names = []
        for parts in value:
            if isinstance(parts, list):
                last, first, suffix = ([*map(text_or_empty, parts), "", "", ""])[:3]
                names.append(" ".join(p.strip() for p in (first, last, suffix) if p.strip()))
        return tuple(name for name in names if name)
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


def _date(flat: dict[str, Any], mapping: dict[str, str],
          sources: dict[str, str]) -> tuple[int | None, int | None, int | None]:
    """(year, month, day): explicit year/month/day fields win, then the first date the record gives."""
    year_found = _find(flat, "year", mapping)
    year = parse_year(year_found[1]) if year_found else None
    if year is not None:
        sources["year"] = year_found[0]
        month_found = _find(flat, "month", mapping)
        month = parse_month(month_found[1]) if month_found else None
        day_found = _find(flat, "day", mapping)
        return (year, month, parse_day(day_found[1]) if month and day_found else None)
    date_found = _find(flat, "date", mapping)
    if date_found:
        value = date_found[1]
        found = parse_date(value[0] if isinstance(value, list) and value else value)
        if found[0] is not None:
            sources["date"] = date_found[0]
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


def _record(item: Any, key: str | None, file: str, line: int, fmt: str, mapping: dict[str, str],
            sources: dict[str, str]) -> RawRecord | Rejection:
    """One record; ``sources`` is filled with the path each field was read from."""
    if not isinstance(item, dict):
        kind = type(item).__name__ if item is not None else "null"
        kind = {"str": "a string", "list": "an array", "int": "a number", "float": "a number"}.get(kind, kind)
        return Rejection(file, line, f"the item is {kind}, not an object with a title")
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else None
    data: dict[str, Any] = item
    if paper:  # the daily-papers wrapper: the paper's own fields win where it has them
        data = {**item, **{k: v for k, v in paper.items() if v not in (None, "", [], {})}}
    flat = _Flat(_flatten(data))

    def shown(path: str) -> str:  # the path in the record as written (the daily-papers wrapper merged)
        return f"paper.{path}" if paper and path.split(".")[0].split("[")[0] in paper else path

    def take(field: str) -> Any:
        found = _find(flat, field, mapping)
        if found is None:
            return None
        sources[field] = shown(found[0])
        return found[1]

    title = text_or_empty(take("title"))
    if not title.strip():
        return Rejection(file, line, "the item has no title")
    abstract = text_or_empty(take("abstract"))

    urls = _urls(take("url"))
    arxiv_value = take("arxiv")
    arxiv = arxiv_id(text_or_empty(arxiv_value))
    urls.extend(url for url in _urls(arxiv_value) if url.startswith("http"))
    if arxiv is None:  # HF and arXiv records: id is arXiv's; objects keyed by arXiv id
        id_found = _find(flat, "id", {})
        arxiv = arxiv_id(text_or_empty(id_found[1])) if id_found else None
        if arxiv:
            sources["arxiv"] = shown(id_found[0])
        elif (arxiv := arxiv_id(key)) is not None:
            sources["arxiv"] = "the record's key"
    if arxiv is None:
        arxiv = next((found for url in urls if (found := arxiv_id(url))), None)

    links = [make_link(url) for url in urls]
    links += [make_link(url, "code") for url in _urls(take("code"))]
    links += [make_link(url) for url in _urls(take("project"))]
    if paper and arxiv:
        links.append(make_link(f"https://huggingface.co/papers/{arxiv}"))

    year, month, day = _date(flat, mapping, sources)
    venue = text_or_empty(take("venue"))
    keywords_value = take("keywords")
    if isinstance(keywords_value, str) and sources["keywords"].lower().endswith("categories"):
        keywords = tuple(keywords_value.split())  # arXiv: "cs.CL cs.AI"
    else:
        keywords = split_keywords(keywords_value)
    authors_found = _find(flat, "authors", mapping)
    if authors_found:
        sources["authors"] = shown(authors_found[0])
    return RawRecord(
        title=title,
        abstract=abstract,
        origin=Origin(file, line, fmt),
        authors=_authors(authors_found),
        year=year,
        month=month,
        day=day,
        arxiv=arxiv,
        doi=clean_doi(text_or_empty(take("doi"))),
        venue=venue.strip() or None,
        keywords=keywords,
        links=unique_links(links),
    )
