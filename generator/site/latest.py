"""The "Latest papers" pages and the watches' feeds.

`/latest/` lists every paper, newest addition first, grouped by the day it was added (`added:`),
`per_page` papers a page (`/latest/page/2/`, ...); the home page links to it. Each watch of
`watch.yml` that brought papers (`sources[].file` is ``watch:NAME``, see `ingest/update.py`) gets an
Atom feed of them at `watches/NAME/feed.xml`, listed on the Latest page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from paper_collection.collection.paper import Paper
from paper_collection.ingest.watch import watch_of
from paper_collection.site.model import SiteModel
from paper_collection.site.pagination import Slice, paginate

LATEST = "latest"
WATCHES = "watches"


def latest_uri(number: int = 1) -> str:
    return f"{LATEST}/" if number == 1 else f"{LATEST}/page/{number}/"


def latest_pages(model: SiteModel) -> list[Slice]:
    return paginate(model.newest, model.settings.per_page)


def by_day(papers) -> list[tuple[str, list[Paper]]]:
    """(added date, its papers) in the order given (newest first)."""
    return [(day, list(group)) for day, group in itertools.groupby(papers, key=lambda p: p.added)]


def watch_papers(newest: Iterable[Paper]) -> dict[str, tuple[Paper, ...]]:
    """Each watch that brought papers -> its papers (given newest first); watches in name order.
    Read through `SiteModel.watch_papers`, made once a build: every page of /latest/ names the
    watches, and going through every paper for each page cost the square of the collection
    (94,000 papers: 940 pages, 67 s)."""
    found: dict[str, list[Paper]] = {}
    for paper in newest:
        for name in dict.fromkeys(w for s in paper.sources if (w := watch_of(s.file))):
            found.setdefault(name, []).append(paper)
    return {name: tuple(found[name]) for name in sorted(found)}


def watch_feed_path(name: str) -> str:
    return f"{WATCHES}/{name}/feed.xml"


def feed_files(model: SiteModel, atom_feed: Callable[..., bytes]) -> dict[str, bytes]:
    """One Atom feed per watch (`exports.atom_feed`), as {path inside the site: content}."""
    site = model.settings
    return {watch_feed_path(name): atom_feed(model, papers, title=f"{site.name}: new papers from the watch {name}",
                                             subtitle=f"Papers the watch '{name}' brought to {site.name}",
                                             feed_path=watch_feed_path(name), home_path=f"{LATEST}/",
                                             updated=papers[0].added)
            for name, papers in model.watch_papers.items()}
