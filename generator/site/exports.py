"""Whole-collection exports, written next to the site's pages after each build:

- `papers.json` (described by `schemas/papers.schema.json`, copied beside it as `papers.schema.json`),
- `papers.bib` and `tags/<tag>/papers.bib`,
- `feed.xml` and `tags/<tag>/feed.xml`: Atom feeds of the newest additions.

Every file is a pure function of the site model (`model.py`): two builds of the same
collection give byte-identical files (the feeds' `updated` is the newest paper's `added` date,
never the time of the build).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from feedgen.feed import FeedGenerator

from paper_collection.collection.links import paper_links
from paper_collection.collection.paper import Paper, paper_fields
from paper_collection.settings import TAGS
from paper_collection.site.latest import feed_files as watch_feed_files
from paper_collection.site.model import SiteModel
from paper_collection.site.stopping import stop_point
from paper_collection.site.tex import to_plain

FORMAT_VERSION = 1
FEED_SIZE = 50
SCHEMA = Path(__file__).parent / "schemas" / "papers.schema.json"
EPOCH = "1970-01-01"


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


def papers_json(model: SiteModel) -> str:
    site = model.settings
    data = {
        "format_version": FORMAT_VERSION,
        "site": {"name": site.name, "url": site.url or None},
        "updated": max((p.added for p in model.papers.values()), default=None),
        "count": len(model.papers),
        "papers": [paper_record(model, p) for p in model.papers.values()],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# -- Atom ----------------------------------------------------------------------------------


def _day(date: str) -> datetime:
    return datetime.fromisoformat(date).replace(tzinfo=UTC)


def atom_feed(model: SiteModel, newest: Sequence[Paper], *, title: str, subtitle: str, feed_path: str,
              home_path: str, updated: str) -> bytes:
    """An Atom feed of the first FEED_SIZE papers of `newest` (already newest first)."""
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
    for paper in newest[:FEED_SIZE]:
        url = site.absolute(model.urls[paper.slug])
        entry = feed.add_entry(order="append")
        entry.id(url if site.url else f"urn:paper-collection:{paper.slug}")
        entry.title(to_plain(paper.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.summary(to_plain(" ".join(paper.abstract.split())))
        entry.published(_day(paper.added))
        entry.updated(_day(paper.added))
        for author in paper.authors:
            entry.author({"name": author})
        for tag in paper.tags:
            entry.category(term=tag, label=model.tag_titles.get(tag, tag), scheme=site.absolute(f"{TAGS}/"))
    return feed.atom_str(pretty=True)


# -- writing -------------------------------------------------------------------------------


def export_files(model: SiteModel) -> dict[str, bytes]:
    """Every export as {path inside the site: content}."""
    site = model.settings
    latest = model.updated or EPOCH
    files = {
        "papers.json": papers_json(model).encode(),
        "papers.schema.json": SCHEMA.read_bytes(),
        "papers.bib": model.bibliography(model.papers.values()).encode(),
        "feed.xml": atom_feed(model, model.newest, title=site.name, subtitle=f"Newest papers in {site.name}",
                              feed_path="feed.xml", home_path="", updated=latest),
    }
    files.update(watch_feed_files(model, atom_feed))  # one per watch of watch.yml
    for tag in model.tags:
        stop_point()
        members = model.by_tag[tag.name]
        files[f"{TAGS}/{tag.name}/papers.bib"] = model.bibliography(members).encode()
        files[f"{TAGS}/{tag.name}/feed.xml"] = atom_feed(
            model, members, title=f"{site.name}: {tag.title}", subtitle=f"Newest papers tagged {tag.title}",
            feed_path=f"{TAGS}/{tag.name}/feed.xml", home_path=f"{TAGS}/{tag.name}/",
            updated=members[0].added if members else latest)
    return files


def write_exports(site_dir: Path, files: dict[str, bytes]) -> None:
    for path, content in files.items():
        stop_point()  # a superseded preview stops here (stopping.py)
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
