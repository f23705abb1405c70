"""The explorer page's data and the reading list's citations, made at build time.

The explorer must be usable before much is transferred, so its data comes in two parts:

- `explore/facets.json`: everything filtering, counting and sorting need, and nothing else: the
  tables of tags, venues and dates added, and per paper its year, venue, tags, code bit and day
  added, as columns of fixed-width base-64 digits (`encode_column`, `encode_lists`), plus the
  papers' order by title, so that sorting needs no titles.
- `explore/authors.json`: the author table and per paper its authors (a column like the others).
  With real author lists it is most of the data (50,000 arXiv papers: about 135,000 names, several
  MB), so it is apart, and the browser loads it only for the author filter (the facet or an
  `?author=` address); facets.json says how many authors there are (`authorCount`).
- `explore/titles/N.json`: the titles, slugs and author names of `TITLE_CHUNK` papers each (default
  order); the browser fetches the chunks of the rows on screen, and all of them only when it needs
  every title (the text filter, the reading list). A slug is left out (0) when the browser can
  derive it from the title with `simple_slug`; Python checks that it would get the same slug. The
  names are there so that rows and the text filter ("title or authors") need no author table.

The reading list exports exactly the entries made here: BibTeX as on the paper page
(citation.py), RIS written by rispy, CSL-JSON as JSON. The browser only concatenates them, and
loads only the chunks (`explore/cite/N.json`) that hold the papers it exports.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import rispy

from paper_collection.collection.paper import Paper
from paper_collection.site import citation
from paper_collection.site.tex import to_plain

EXPLORE = "explore"
PAGE = f"{EXPLORE}/index.md"
FACETS = f"{EXPLORE}/facets.json"
AUTHORS = f"{EXPLORE}/authors.json"
FIRST_ROWS = 50  # rows in the page itself: visible before the data arrives, and without JavaScript
CITE_CHUNK = 200  # papers per citation file: an export of a few papers loads a few hundred KB at most
TITLE_CHUNK = 100  # papers per title file: the 50 rows on screen touch few of them in the default order
# The digits of the facet columns: URL-safe base 64, none of which JSON has to escape.
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
LIST_END = "."  # ends each paper's ids in a list column
RIS_TYPES = {"article": "JOUR", "inproceedings": "CPAPER", "misc": "GEN"}
CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "misc": "article"}


def simple_slug(title: str) -> str:
    """The slug explore.js derives from a title (the same regular expression in both languages)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def has_code(paper: Paper) -> bool:
    return any(link.kind == "code" for link in paper.links)


def width_for(largest: int) -> int:
    """Base-64 digits needed for every number up to `largest`."""
    width = 1
    while largest >= 64 ** width:
        width += 1
    return width


def encode_number(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 64)
        digits.append(DIGITS[digit])
    return "".join(reversed(digits))


def encode_column(values: Sequence[int]) -> dict:
    """Non-negative numbers, one per paper, as one string of fixed-width digits (width 0 and no
    data when all are 0, as years and venues are for a listing)."""
    if not any(values):
        return {"width": 0, "data": ""}
    width = width_for(max(values))
    return {"width": width, "data": "".join(encode_number(v, width) for v in values)}


def encode_lists(lists: Sequence[Sequence[int]]) -> dict:
    """A list of numbers per paper: fixed-width digits, each paper's list ended by LIST_END (width
    0 and no data when every list is empty)."""
    if not any(lists):
        return {"width": 0, "data": ""}
    width = width_for(max((v for values in lists for v in values), default=0))
    return {"width": width, "data": "".join("".join(encode_number(v, width) for v in values) + LIST_END
                                            for values in lists)}


def decode_column(column: dict, count: int) -> list[int]:
    """The inverse of encode_column, for `count` papers (explore.js does the same; tests use this)."""
    width, data = column["width"], column["data"]
    if not width:
        return [0] * count
    return [_decode(data[i:i + width]) for i in range(0, len(data), width)]


def decode_lists(column: dict, count: int) -> list[list[int]]:
    width = column["width"]
    if not width:
        return [[] for _ in range(count)]
    return [[_decode(part[i:i + width]) for i in range(0, len(part), width)]
            for part in column["data"].split(LIST_END)[:-1]]


def _decode(digits: str) -> int:
    number = 0
    for digit in digits:
        number = number * 64 + DIGITS.index(digit)
    return number


def title_sort_key(title: str) -> tuple:
    """Titles as a reader sorts them: accents and case ignored, numbers by value ("2 bits" < "10 bits")."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c)).casefold()
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", folded) if part)


def explore_data(papers: Sequence[Paper], tags: Sequence[tuple[str, str]],
                 author_name: Callable[[str], str] = lambda name: name) -> tuple[dict, dict, list[list]]:
    """The explorer's facet data for `papers` in their default order (newest first), its author
    data, and their [title, slug, names] rows (the title chunks; names left out when there are
    none). `tags` are (name, title) in the taxonomy's order; `author_name` maps a name as written
    to the name under which the collection lists that person (authors.py)."""
    tag_index = {name: i for i, (name, _) in enumerate(tags)}
    venues = sorted({p.venue for p in papers if p.venue}, key=lambda v: (v.casefold(), v))
    venue_index = {v: i for i, v in enumerate(venues)}
    authors = sorted({author_name(a) for p in papers for a in p.authors}, key=lambda a: (a.casefold(), a))
    author_index = {a: i for i, a in enumerate(authors)}
    dates = sorted({p.added for p in papers})
    date_index = {d: i for i, d in enumerate(dates)}
    years = [p.year for p in papers if p.year]
    year_base = min(years) - 1 if years else 0  # a stored 0 is "year unknown"
    titles = [to_plain(p.title) for p in papers]
    names = [list(dict.fromkeys(author_name(a) for a in p.authors)) for p in papers]  # as listed, once each
    rows = []
    for paper, title, listed in zip(papers, titles, names, strict=True):
        derivable = title == paper.title and title.isascii() and simple_slug(title) == paper.slug
        rows.append([title, 0 if derivable else paper.slug] + ([listed] if listed else []))
    by_title = sorted(range(len(papers)), key=lambda i: (title_sort_key(titles[i]), i))
    data = {
        "count": len(papers), "chunk": CITE_CHUNK, "titleChunk": TITLE_CHUNK,
        "tags": [list(t) for t in tags], "venues": venues, "authorCount": len(authors), "dates": dates,
        "yearBase": year_base,
        "year": encode_column([p.year - year_base if p.year else 0 for p in papers]),
        "venue": encode_column([venue_index[p.venue] + 1 if p.venue else 0 for p in papers]),  # 0: unknown
        "code": encode_column([1 if has_code(p) else 0 for p in papers]),
        "added": encode_column([date_index[p.added] for p in papers]),
        "tagIds": encode_lists([[tag_index[t] for t in p.tags if t in tag_index] for p in papers]),
        "titleOrder": encode_column(by_title),
    }
    author_data = {"authors": authors,
                   "authorIds": encode_lists([[author_index[a] for a in listed] for listed in names])}
    # One version for all the files: the browser asks for the author file and the title chunks of
    # the facet data it has (?v=), so a cached file of another build is never mixed in.
    data["version"] = hashlib.sha256(_json(data) + _json(author_data) + _json(rows)).hexdigest()[:12]
    return data, author_data, rows


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


# -- citations -------------------------------------------------------------------------------


def split_name(author: str) -> dict:
    """CSL name parts: "Lovelace, Ada" and "Ada Lovelace" -> family Lovelace, given Ada; a single
    word stays a literal name."""
    if "," in author:
        family, given = (part.strip() for part in author.split(",", 1))
    else:
        words = author.split()
        if len(words) < 2:
            return {"literal": author}
        family, given = words[-1], " ".join(words[:-1])
    return {"family": family, "given": given} if given else {"literal": family}


def ris_record(paper: Paper, entry_type: str, url: str | None) -> dict:
    record: dict = {"type_of_reference": RIS_TYPES.get(entry_type, "GEN"), "title": to_plain(paper.title)}
    if paper.authors:
        record["authors"] = list(paper.authors)
    if paper.year:
        record["year"] = str(paper.year)
        date = citation.publication_date(paper, "/")
        if date:
            record["date"] = date
    if paper.venue:
        record["secondary_title"] = paper.venue
    if paper.doi:
        record["doi"] = paper.doi
    if url:
        record["urls"] = [url]
    if paper.arxiv:
        record["notes"] = [f"arXiv:{paper.arxiv}"]
    return record


def csl_record(paper: Paper, key: str, entry_type: str, url: str | None) -> dict:
    record: dict = {"id": key, "type": CSL_TYPES.get(entry_type, "article"), "title": to_plain(paper.title)}
    if paper.authors:
        record["author"] = [split_name(a) for a in paper.authors]
    if paper.year:
        record["issued"] = {"date-parts": [[p for p in (paper.year, paper.month, paper.day) if p]]}
    if paper.venue:
        record["container-title"] = paper.venue
    if paper.doi:
        record["DOI"] = paper.doi
    if url:
        record["URL"] = url
    if paper.arxiv:
        record["number"] = f"arXiv:{paper.arxiv}"
    return record


def citations(paper: Paper, key: str) -> list:
    """[BibTeX, RIS, CSL-JSON] of one paper: the BibTeX entry exactly as on its page."""
    entry = citation.bibtex_entry(paper, key)
    url = citation.paper_url(paper)
    bib = citation.bibtex([entry]).strip() + "\n"
    ris = rispy.dumps([ris_record(paper, entry.entry_type, url)])
    return [bib, ris, csl_record(paper, key, entry.entry_type, url)]


def explore_files(papers: Sequence[Paper], tags: Sequence[tuple[str, str]], keys: Mapping[str, str],
                  author_name: Callable[[str], str] = lambda name: name) -> dict[str, bytes]:
    """{path inside the site: bytes} for the explorer and the reading list."""
    data, author_data, rows = explore_data(papers, tags, author_name)
    files = {FACETS: _json(data), AUTHORS: _json(author_data)}
    for start in range(0, len(papers), TITLE_CHUNK):
        files[f"{EXPLORE}/titles/{start // TITLE_CHUNK}.json"] = _json(rows[start : start + TITLE_CHUNK])
    for start in range(0, len(papers), CITE_CHUNK):
        chunk = [citations(p, keys[p.slug]) for p in papers[start : start + CITE_CHUNK]]
        files[f"{EXPLORE}/cite/{start // CITE_CHUNK}.json"] = _json(chunk)
    return files


def render_page(env, papers: Sequence[Paper], tag_titles: Mapping[str, str], url: Callable[[str], str]) -> str:
    """The explorer page: its first rows in the default order (newest first), which explore.js
    replaces with the filtered list once facets.json has arrived."""
    rows = [{"paper": p, "title": to_plain(p.title), "url": url(f"papers/{p.slug}/"), "code": has_code(p),
             "tags": [{"title": tag_titles[t], "url": url(f"tags/{t}/")} for t in p.tags if t in tag_titles]}
            for p in papers[:FIRST_ROWS]]
    return env.get_template("explore.html").render(rows=rows, count=len(papers))
