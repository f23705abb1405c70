"""Whole-collection exports, written next to the site's pages after each build:

- `papers.json` (described by `schemas/papers.schema.json`, copied beside it as `papers.schema.json`),
- `papers.bib` and `tags/<tag>/papers.bib`,
- `feed.xml` and `tags/<tag>/feed.xml`: Atom feeds of the newest additions.

Every file is a pure function of the collection and the site settings: two builds of the same
collection give byte-identical files (the feeds' `updated` is the newest paper's `added` date,
never the time of the build).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from generator.collection.links import paper_links
from generator.site.citation import bibtex, bibtex_entry
from generator.collection.paper import Paper, paper_fields
from generator.site.render import plain_title
from generator.settings import TAGS

FORMAT_VERSION = 1
FEED_SIZE = 50
SCHEMA = Path(__file__).parent / "schemas" / "papers.schema.json"
EPOCH = "1970-01-01"


@dataclass(frozen=True)
class Site:
    name: str
    url: str  # the site's root URL, ending in "/"; "" when the site has no site_url
    description: str = ""

    def absolute(self, path: str) -> str:
        """A site path such as "papers/x/" as a URL: absolute when the site URL is known."""
        return urljoin(self.url, path) if self.url else path


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Newest additions first; within a day, the order the source listed them, then title."""
    def listing_order(paper: Paper):
        first = paper.sources[0] if paper.sources else None
        return (first.file if first else "", first.line if first else 0, paper.title.casefold(), paper.slug)

    return sorted(sorted(papers, key=listing_order), key=lambda p: p.added, reverse=True)


# -- papers.json ---------------------------------------------------------------------------


def paper_record(paper: Paper, url: str, key: str, related: Sequence[str]) -> dict:
    return {
        "slug": paper.slug,
        **paper_fields(paper),
        "links": [{"kind": link.kind, "url": link.url} for link in paper_links(paper)],
        "title_plain": plain_title(paper.title),
        "url": url,
        "bibtex_key": key,
        "related": list(related),
        "abstract": paper.abstract,
    }


def papers_json(papers: Iterable[Paper], site: Site, urls: Mapping[str, str], keys: Mapping[str, str],
                related: Mapping[str, Sequence[str]]) -> str:
    ordered = sorted(papers, key=lambda p: p.slug)
    data = {
        "format_version": FORMAT_VERSION,
        "site": {"name": site.name, "url": site.url or None},
        "updated": max((p.added for p in ordered), default=None),
        "count": len(ordered),
        "papers": [paper_record(p, site.absolute(urls[p.slug]), keys[p.slug], related.get(p.slug, ()))
                   for p in ordered],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# -- BibTeX --------------------------------------------------------------------------------


def papers_bib(papers: Iterable[Paper], keys: Mapping[str, str]) -> str:
    """One entry per paper, in key order."""
    return bibtex([bibtex_entry(p, keys[p.slug]) for p in sorted(papers, key=lambda p: keys[p.slug])])


# -- Atom ----------------------------------------------------------------------------------


def _day(date: str) -> datetime:
    return datetime.fromisoformat(date).replace(tzinfo=UTC)


def atom_feed(newest: Sequence[Paper], *, site: Site, title: str, subtitle: str, feed_path: str, home_path: str,
              urls: Mapping[str, str], tag_titles: Mapping[str, str], updated: str) -> bytes:
    """An Atom feed of the first FEED_SIZE papers of `newest` (already newest first)."""
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
        url = site.absolute(urls[paper.slug])
        entry = feed.add_entry(order="append")
        entry.id(url if site.url else f"urn:paper-collection:{paper.slug}")
        entry.title(plain_title(paper.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.summary(plain_title(" ".join(paper.abstract.split())))
        entry.published(_day(paper.added))
        entry.updated(_day(paper.added))
        for author in paper.authors:
            entry.author({"name": author})
        for tag in paper.tags:
            entry.category(term=tag, label=tag_titles.get(tag, tag), scheme=site.absolute(f"{TAGS}/"))
    return feed.atom_str(pretty=True)


# -- writing -------------------------------------------------------------------------------


def export_files(papers: Sequence[Paper], *, site: Site, urls: Mapping[str, str], keys: Mapping[str, str],
                 related: Mapping[str, Sequence[str]], tag_titles: Mapping[str, str]) -> dict[str, bytes]:
    """Every export as {path inside the site: content}. `tag_titles` lists the tags (in order)."""
    newest = newest_first(papers)
    latest = newest[0].added if newest else EPOCH
    files = {
        "papers.json": papers_json(papers, site, urls, keys, related).encode(),
        "papers.schema.json": SCHEMA.read_bytes(),
        "papers.bib": papers_bib(papers, keys).encode(),
        "feed.xml": atom_feed(newest, site=site, title=site.name, subtitle=f"Newest papers in {site.name}",
                              feed_path="feed.xml", home_path="", urls=urls, tag_titles=tag_titles,
                              updated=latest),
    }
    for tag, tag_title in tag_titles.items():
        members = [p for p in newest if tag in p.tags]
        files[f"{TAGS}/{tag}/papers.bib"] = papers_bib(members, keys).encode()
        files[f"{TAGS}/{tag}/feed.xml"] = atom_feed(
            members, site=site, title=f"{site.name}: {tag_title}", subtitle=f"Newest papers tagged {tag_title}",
            feed_path=f"{TAGS}/{tag}/feed.xml", home_path=f"{TAGS}/{tag}/", urls=urls, tag_titles=tag_titles,
            updated=members[0].added if members else latest)
    return files


def write_exports(site_dir: Path, files: Mapping[str, bytes]) -> None:
    for path, content in files.items():
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
