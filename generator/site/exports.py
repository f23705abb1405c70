"""Whole-collection exports, written next to the site's pages after each build:

- `papers.json` (described by `schemas/papers.schema.json`, copied beside it as `papers.schema.json`)
  and `papers.bib`, while `papers.json` is at most LIMIT bytes (see `export_plan`);
- always, the same split by publication year: `exports/papers-<year>.json` and `.bib`
  (`papers-undated.*` for papers without a year; `papers-<year>-1.*`, `-2.*`, ... when one year
  alone passes LIMIT), listed by `exports/index.json` (schema `schemas/exports-index.schema.json`)
  and by the page `exports/`;
- `tags/<tag>/papers.bib`,
- `feed.xml` and `tags/<tag>/feed.xml`: Atom feeds of the newest additions.

Every file is a pure function of the site model (`model.py`): two builds of the same
collection give byte-identical files (the feeds' `updated` is the newest paper's `added` date,
never the time of the build).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feedgen.feed import FeedGenerator

from paper_collection.collection.links import paper_links
from paper_collection.collection.paper import Paper, paper_fields
from paper_collection.settings import TAGS, code_fingerprint
from paper_collection.site.cache import content_key
from paper_collection.site.latest import feed_files as watch_feed_files
from paper_collection.site.model import SiteModel
from paper_collection.site.stopping import stop_point
from paper_collection.site.takeover import Made, TakeOver
from paper_collection.site.tex import to_plain

FORMAT_VERSION = 1
FEED_SIZE = 50
SCHEMA = Path(__file__).parent / "schemas" / "papers.schema.json"
INDEX_SCHEMA = Path(__file__).parent / "schemas" / "exports-index.schema.json"
EPOCH = "1970-01-01"
# No published file may be larger: Cloudflare Pages refuses files over 25 MiB.
LIMIT = 25 * 1024 * 1024
EXPORTS = "exports"
INDEX = f"{EXPORTS}/index.json"
PAGE = f"{EXPORTS}/index.md"
UNDATED = "undated"


class ExportError(Exception):
    """A paper too large for any export part (its message names the file and the fix)."""


# -- papers.json ---------------------------------------------------------------------------


def paper_record(model: SiteModel, paper: Paper) -> dict:
    return {
        "slug": paper.slug,
        **paper_fields(paper),
        "links": [{"kind": link.kind, "url": link.url} for link in paper_links(paper)],
        "title_plain": to_plain(paper.title),
        "url": model.settings.absolute(model.urls[paper.slug]),
        "bibtex_key": model.keys[paper.slug],
        "related": list(model.related.get(paper.slug, ())),
        "abstract": paper.abstract,
    }


def _document(model: SiteModel, papers: Sequence[Paper], records: Sequence[dict], part: dict | None = None) -> dict:
    site = model.settings
    data = {
        "format_version": FORMAT_VERSION,
        "site": {"name": site.name, "url": site.url or None},
        "updated": max((p.added for p in papers), default=None),
        "count": len(papers),
    }
    if part is not None:
        data["part"] = part
    data["papers"] = list(records)
    return data


def _dump(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def papers_json(model: SiteModel) -> str:
    papers = list(model.papers.values())
    return _dump(_document(model, papers, [paper_record(model, p) for p in papers])).decode()


# -- the split by year ---------------------------------------------------------------------
#
# The sizes are known before anything is written (the exports page links and sizes each part while
# the files are written by another process): json.dumps with indent=2 writes exactly the compact
# text with separators (",", ": ") plus, in every non-empty list or object at depth d, a newline
# and 2(d+1) spaces before each item and a newline and 2d spaces before the closing bracket. The
# compact text comes from the C encoder: an indented dump of every record would take seconds.


def _whitespace(value, depth: int) -> int:
    """What indent=2 adds to the compact text of a list or object at `depth` (0 for other values)."""
    if type(value) not in _CONTAINERS or not value:
        return 0
    total = len(value) * (2 * depth + 3) + 2 * depth + 1
    for item in (value.values() if type(value) is dict else value):
        if type(item) in _CONTAINERS and item:  # only containers add whitespace
            total += _whitespace(item, depth + 1)
    return total


_CONTAINERS = (dict, list)


def json_size(value, depth: int = 0) -> int:
    """Bytes of `json.dumps(value, ensure_ascii=False, indent=2)` nested at `depth`, UTF-8."""
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ": "))
    return len(compact.encode()) + _whitespace(value, depth)


def _document_size(head: int, sizes: Sequence[int]) -> int:
    """A document's bytes from its size with `papers: []` (`head`) and its records' sizes at depth 2."""
    if not sizes:
        return head
    # "[]" becomes "[", each record after a newline and 4 spaces, commas between, "\n  ]":
    # head + sum(sizes) + 5n + (n - 1) + 3 (export_plan uses this in closed form too).
    return head + sum(sizes) + 6 * len(sizes) + 2


@dataclass(frozen=True)
class Part:
    name: str  # "2024", "2024-2", "undated"
    year: int | None
    papers: tuple[Paper, ...]  # in slug order
    json_bytes: int  # exact size of its JSON file

    @property
    def json_path(self) -> str:
        return f"{EXPORTS}/papers-{self.name}.json"

    @property
    def bib_path(self) -> str:
        return f"{EXPORTS}/papers-{self.name}.bib"

    @property
    def label(self) -> str:
        """For people: "2024", "2024, part 2", "No year"."""
        year, _, number = self.name.partition("-")
        return ("No year" if self.year is None else year) + (f", part {number}" if number else "")

    def meta(self) -> dict:
        return {"name": self.name, "year": self.year}


@dataclass(frozen=True)
class ExportPlan:
    parts: tuple[Part, ...]  # years ascending, then the undated part
    whole_bytes: int  # size papers.json has (written only when `whole`)
    records: Mapping[str, dict] = field(compare=False)  # slug -> its papers.json record (`Records`)

    @property
    def whole(self) -> bool:
        """papers.json and papers.bib are written while papers.json fits in LIMIT."""
        return self.whole_bytes <= LIMIT


class Records(Mapping):
    """slug -> the paper's papers.json record, made when first asked for: the plan's sizes may
    come from the build cache (`SizeMemo`), and then only the exports' worker makes the records."""

    def __init__(self, model: SiteModel):
        self.model, self.made = model, {}

    def __getitem__(self, slug: str) -> dict:
        record = self.made.get(slug)
        if record is None:
            record = self.made[slug] = paper_record(self.model, self.model.papers[slug])
        return record

    def __iter__(self) -> Iterator[str]:
        return iter(self.model.papers)

    def __len__(self) -> int:
        return len(self.model.papers)


class SizeMemo:
    """Each paper's record size (bytes at depth 2) kept between builds (a `cache.Memo`, kind
    "export-size"), keyed by what the record is made of: the paper, its address, BibTeX key and
    related papers, the site's URL and the code. Measuring every record was a second of each
    10,000-paper build before its pages."""

    KIND = "export-size"

    def __init__(self, memo):
        self.memo = memo

    def size(self, model: SiteModel, slug: str, records: Records) -> int:
        base = content_key("export size", FORMAT_VERSION, code_fingerprint(), model.settings.url)
        key = content_key(base, model.digest(slug), model.urls[slug], model.keys[slug], model.related.get(slug, ()))
        found = self.memo.get(self.KIND, key)
        if found is None:
            found = json_size(records[slug], 2)
            self.memo.put(self.KIND, key, found)
        return found


def export_plan(model: SiteModel, limit: int | None = None, sizes: SizeMemo | None = None) -> ExportPlan:
    """The parts, each year's papers cut in slug order so that no JSON part passes `limit`
    (default LIMIT); a cut year's parts are numbered from 1. Deterministic: sizes and slugs only.
    `sizes`: the record sizes an earlier build measured."""
    limit = LIMIT if limit is None else limit
    papers = list(model.papers.values())  # slug order
    records = Records(model)
    sizes = {p.slug: (json_size(records[p.slug], 2) if sizes is None else sizes.size(model, p.slug, records))
             for p in papers}
    whole = _document_size(json_size(_document(model, papers, [])), [sizes[p.slug] for p in papers]) + 1
    years = sorted({p.year for p in papers if p.year})
    groups = [(y, [p for p in papers if p.year == y]) for y in years]
    undated = [p for p in papers if not p.year]
    if undated:
        groups.append((None, undated))
    parts: list[Part] = []
    for year, members in groups:
        name = str(year) if year else UNDATED
        # The largest head a part of this year can have (a long name, a date, a large count).
        head = json_size(_document(model, [], [], {"name": f"{name}-{10 ** 6}", "year": year}))
        head += len('"0000-00-00"') - len("null") + 9
        chunks: list[list[Paper]] = []
        total = 0  # bytes of the last chunk's records
        for paper in members:
            size = sizes[paper.slug]
            if _document_size(head, [size]) + 1 > limit:
                raise ExportError(
                    f"paper {paper.slug!r} (file {paper.slug}.md) needs {size:,} bytes in the JSON export, more "
                    f"than a published file may hold ({limit:,} bytes). Fix: shorten its abstract.")
            # _document_size of the chunk with this paper, in closed form (a list per paper is quadratic)
            if chunks and head + total + size + 6 * (len(chunks[-1]) + 1) + 2 + 1 <= limit:
                chunks[-1].append(paper)
                total += size
            else:
                chunks.append([paper])
                total = size
        for number, chunk in enumerate(chunks, 1):
            part_name = name if len(chunks) == 1 else f"{name}-{number}"
            meta = {"name": part_name, "year": year}
            head_exact = json_size(_document(model, chunk, [], meta))
            parts.append(Part(part_name, year, tuple(chunk),
                              _document_size(head_exact, [sizes[p.slug] for p in chunk]) + 1))
    return ExportPlan(tuple(parts), whole, records)


def _digest(content: bytes) -> dict:
    return {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def year_files(model: SiteModel, plan: ExportPlan) -> dict[str, bytes]:
    """papers.json and papers.bib when they fit, every part, and exports/index.json."""
    return dict(each_year_file(model, plan))


def each_year_file(model: SiteModel, plan: ExportPlan) -> Iterator[tuple[str, bytes]]:
    """`year_files` one file at a time: at 50,000 papers they are 160 MB, held at once before."""
    digests: dict[str, dict] = {}
    parts = []

    def checked(path: str, content: bytes) -> tuple[str, bytes]:
        if len(content) > LIMIT:  # the plan's sizes make this impossible for JSON; BibTeX is far smaller
            raise ExportError(f"{path} would be {len(content):,} bytes, more than a published file may hold "
                              f"({LIMIT:,}); this is a bug in paper-collection's export split, please report it.")
        digests[path] = _digest(content)
        return path, content

    if plan.whole:
        papers = list(model.papers.values())
        yield checked("papers.json", _dump(_document(model, papers, [plan.records[p.slug] for p in papers])))
        yield checked("papers.bib", model.bibliography(papers).encode())
    for part in plan.parts:
        stop_point()
        yield checked(part.json_path, _dump(_document(model, part.papers, [plan.records[p.slug] for p in part.papers],
                                                      part.meta())))
        yield checked(part.bib_path, model.bibliography(part.papers).encode())
        parts.append({**part.meta(), "count": len(part.papers),
                      "updated": max(p.added for p in part.papers),
                      "json": {"path": part.json_path.removeprefix(f"{EXPORTS}/"), **digests[part.json_path]},
                      "bib": {"path": part.bib_path.removeprefix(f"{EXPORTS}/"), **digests[part.bib_path]}})
    whole = {kind: ({"path": f"../papers.{kind}", **digests[f"papers.{kind}"]} if plan.whole else None)
             for kind in ("json", "bib")}
    index = {"format_version": FORMAT_VERSION,
             "site": {"name": model.settings.name, "url": model.settings.url or None},
             "updated": model.updated, "count": len(model.papers), "limit": LIMIT,
             "whole": whole, "parts": parts}
    yield checked(INDEX, _dump(index))
    yield checked(f"{EXPORTS}/index.schema.json", INDEX_SCHEMA.read_bytes())


# -- Atom ----------------------------------------------------------------------------------


def _day(date: str) -> datetime:
    return datetime.fromisoformat(date).replace(tzinfo=UTC)


def atom_feed(model: SiteModel, newest: Sequence[Paper], *, title: str, subtitle: str, feed_path: str,
              home_path: str, updated: str, size: int = FEED_SIZE,
              summary: Callable[[Paper], str] | None = None) -> bytes:
    """An Atom feed of the first `size` papers of `newest` (already newest first); each entry's
    summary is the abstract, or what `summary` makes of the paper."""
    site = model.settings
    feed = FeedGenerator()
    feed_url = site.absolute(feed_path)
    feed.id(feed_url if site.url else f"urn:paper-collection:{feed_path}")
    feed.title(title)
    feed.subtitle(subtitle or title)
    feed.author({"name": site.name})
    feed.link(href=site.absolute(home_path), rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.language("en")
    feed.generator("paper-collection")
    feed.updated(_day(updated))
    for paper in newest[:size]:
        url = site.absolute(model.urls[paper.slug])
        entry = feed.add_entry(order="append")
        entry.id(url if site.url else f"urn:paper-collection:{paper.slug}")
        entry.title(to_plain(paper.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.summary(summary(paper) if summary else to_plain(" ".join(paper.abstract.split())))
        entry.published(_day(paper.added))
        entry.updated(_day(paper.added))
        for author in paper.authors:
            entry.author({"name": author})
        for tag in paper.tags:
            entry.category(term=tag, label=model.tag_titles.get(tag, tag), scheme=site.absolute(f"{TAGS}/"))
    return feed.atom_str(pretty=False)  # indentation was a tenth of every feed, read by no feed reader


# -- writing -------------------------------------------------------------------------------


def export_files(model: SiteModel) -> dict[str, bytes]:
    """Every export as {path inside the site: content}."""
    return dict(each_export_file(model))


def each_export_file(model: SiteModel) -> Iterator[tuple[str, bytes]]:
    """`export_files` one file at a time, for `write_exports`."""
    site = model.settings
    latest = model.updated or EPOCH
    yield from each_year_file(model, model.export_plan)
    yield "papers.schema.json", SCHEMA.read_bytes()
    yield "feed.xml", atom_feed(model, model.newest, title=site.name, subtitle=f"Newest papers in {site.name}",
                                feed_path="feed.xml", home_path="", updated=latest)
    yield from watch_feed_files(model, atom_feed).items()  # one per watch of watch.yml
    for tag in model.tags:
        stop_point()
        members = model.by_tag[tag.name]
        yield f"{TAGS}/{tag.name}/papers.bib", model.bibliography(members).encode()
        yield f"{TAGS}/{tag.name}/feed.xml", atom_feed(
            model, members, title=f"{site.name}: {tag.title}", subtitle=f"Newest papers tagged {tag.title}",
            feed_path=f"{TAGS}/{tag.name}/feed.xml", home_path=f"{TAGS}/{tag.name}/",
            updated=members[0].added if members else latest)


def write_exports(site_dir: Path, files: Mapping[str, bytes | Made] | Iterable[tuple[str, bytes | Made]],
                  take_over: TakeOver | None = None) -> None:
    """Write {path inside the site: content}, or (path, content) pairs as they are made. A `Made`
    content is taken over from the last site when `take_over` finds it unchanged, else made now."""
    for path, content in files.items() if isinstance(files, Mapping) else files:
        stop_point()  # a superseded preview stops here (stopping.py)
        if isinstance(content, Made):
            if take_over is not None and take_over.link(site_dir, path, content.inputs):
                continue
            content = content.make()
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
