"""The explorer page's data (`explore/papers.json`) and the reading list's citations
(`explore/cite/N.json`), made at build time.

papers.json is compact because the explorer loads all of it: names of tags, venues and authors
are tables, and each paper is one array of indices into them (see `ROW_FIELDS`). A paper's slug is
left out (0) when the browser can derive it from the title with `simple_slug`; Python checks that
it would get the same slug, so a slug is never guessed wrong.

The reading list exports exactly the entries made here: BibTeX as on the paper page
(citation.py), RIS written by rispy, CSL-JSON as JSON. The browser only concatenates them, and
loads only the chunks that hold the papers it exports.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence

import rispy

from generator.collection.paper import Paper
from generator.site import citation
from generator.site.render import plain_title

EXPLORE = "explore"
PAGE = f"{EXPLORE}/index.md"
FIRST_ROWS = 50  # rows in the page itself: visible before the data arrives, and without JavaScript
CITE_CHUNK = 200  # papers per citation file: an export of a few papers loads a few hundred KB at most
# The order of the values in each row of papers.json (documented for the JavaScript that reads it).
ROW_FIELDS = ("title", "slug", "year", "venue", "tags", "authors", "code", "added")
RIS_TYPES = {"article": "JOUR", "inproceedings": "CPAPER", "misc": "GEN"}
CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "misc": "article"}


def simple_slug(title: str) -> str:
    """The slug explore.js derives from a title (the same regular expression in both languages)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def has_code(paper: Paper) -> bool:
    return any(link.kind == "code" for link in paper.links)


def explore_data(papers: Sequence[Paper], tags: Sequence[tuple[str, str]],
                 author_name: Callable[[str], str] = lambda name: name) -> dict:
    """The explorer's data for `papers` in their default order (newest first). `tags` are
    (name, title) in the taxonomy's order; `author_name` maps a name as written to the name
    under which the collection lists that person (authors.py)."""
    tag_index = {name: i for i, (name, _) in enumerate(tags)}
    venues = sorted({p.venue for p in papers if p.venue}, key=lambda v: (v.casefold(), v))
    venue_index = {v: i for i, v in enumerate(venues)}
    authors = sorted({author_name(a) for p in papers for a in p.authors}, key=lambda a: (a.casefold(), a))
    author_index = {a: i for i, a in enumerate(authors)}
    dates = sorted({p.added for p in papers})
    date_index = {d: i for i, d in enumerate(dates)}
    rows = []
    for paper in papers:
        title = plain_title(paper.title)
        derivable = title == paper.title and title.isascii() and simple_slug(title) == paper.slug
        rows.append([
            title,
            0 if derivable else paper.slug,
            paper.year or 0,
            venue_index[paper.venue] if paper.venue else -1,
            [tag_index[t] for t in paper.tags if t in tag_index],
            list(dict.fromkeys(author_index[author_name(a)] for a in paper.authors)),
            1 if has_code(paper) else 0,
            date_index[paper.added],
        ])
    data = {"fields": list(ROW_FIELDS), "tags": [list(t) for t in tags], "venues": venues, "authors": authors,
            "dates": dates, "chunk": CITE_CHUNK, "papers": rows}
    data["version"] = hashlib.sha256(_json(data)).hexdigest()[:12]
    return data


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
    record: dict = {"type_of_reference": RIS_TYPES.get(entry_type, "GEN"), "title": plain_title(paper.title)}
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
    record: dict = {"id": key, "type": CSL_TYPES.get(entry_type, "article"), "title": plain_title(paper.title)}
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
    data = explore_data(papers, tags, author_name)
    files = {f"{EXPLORE}/papers.json": _json(data)}
    for start in range(0, len(papers), CITE_CHUNK):
        chunk = [citations(p, keys[p.slug]) for p in papers[start : start + CITE_CHUNK]]
        files[f"{EXPLORE}/cite/{start // CITE_CHUNK}.json"] = _json(chunk)
    return files


def render_page(env, papers: Sequence[Paper], tag_titles: Mapping[str, str], url: Callable[[str], str]) -> str:
    """The explorer page: its first rows in the default order (newest first), which explore.js
    replaces with the filtered list once papers.json has arrived."""
    rows = [{"paper": p, "title": plain_title(p.title), "url": url(f"papers/{p.slug}/"), "code": has_code(p),
             "tags": [{"title": tag_titles[t], "url": url(f"tags/{t}/")} for t in p.tags if t in tag_titles]}
            for p in papers[:FIRST_ROWS]]
    return env.get_template("explore.html").render(rows=rows, count=len(papers))
