"""The explorer's data bytes at scale with real author lists (issue 25, item 3).

    .venv/bin/python -m benchmarks.explore_bytes [--papers 50000]

Makes Paper objects from the real arXiv records of benchmarks/real_corpus.py (title, authors as
listed, year and month from the arXiv id, up to three categories as tags), writes the explorer's
files with generator/site/explore.py (no site build, no citation chunks) and prints the bytes of
explore/facets.json by key, of the author file, and of the first title chunk: what the explorer
loads before its filters are live, besides the page, theme and scripts.
"""

from __future__ import annotations

import argparse
import json
import re
import time

from benchmarks.real_corpus import papers as real_papers
from paper_collection.collection.paper import Paper
from paper_collection.site import explore

ARXIV = re.compile(r"^(\d{2})(\d{2})\.")


def corpus(count: int) -> tuple[list[Paper], list[tuple[str, str]]]:
    out, tags = [], set()
    for record in real_papers(count):
        arxiv = re.sub(r"v\d+$", "", str(record["id"]))
        match = ARXIV.match(arxiv)
        year, month = (2000 + int(match[1]), int(match[2])) if match else (None, None)
        cats = tuple(dict.fromkeys(str(record.get("categories") or "").replace(",", " ").split()))[:3]
        tags.update(cats)
        authors = tuple(dict.fromkeys(a.strip() for a in record.get("authors") or ()
                                      if isinstance(a, str) and a.strip()))
        out.append(Paper(slug=re.sub(r"[^a-z0-9]+", "-", arxiv.lower()), title=" ".join(record["title"].split()),
                         abstract="", tags=cats, added=f"{year or 2025}-{month or 1:02d}-01", authors=authors,
                         year=year, month=month, arxiv=arxiv))
    out.sort(key=lambda p: (p.added, p.slug), reverse=True)  # newest first, as model.newest
    return out, [(t, t) for t in sorted(tags)]


def sizes(files: dict[str, bytes]) -> dict[str, int]:
    out = {}
    for name, body in files.items():
        if not name.startswith(f"{explore.EXPLORE}/titles/"):
            out.update({f"{name} {key}": len(explore._json(value)) for key, value in json.loads(body).items()})
            out[f"{name} (whole file)"] = len(body)
    out["explore/titles/0.json"] = len(files[f"{explore.EXPLORE}/titles/0.json"])
    out["explore/titles/* (all)"] = sum(len(b) for n, b in files.items() if n.startswith(f"{explore.EXPLORE}/titles/"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=50_000)
    args = parser.parse_args(argv)
    papers, tags = corpus(args.papers)
    print(f"{len(papers)} papers, {len({a for p in papers for a in p.authors})} distinct author names")
    started = time.perf_counter()
    *parts, rows = explore.explore_data(papers, tags)  # (data, rows) before the author file, then 3 parts
    files = {explore.FACETS: explore._json(parts[0])}
    if len(parts) == 2:
        files[explore.AUTHORS] = explore._json(parts[1])
    for start in range(0, len(papers), explore.TITLE_CHUNK):  # as explore_files writes them (no citations)
        files[f"{explore.EXPLORE}/titles/{start // explore.TITLE_CHUNK}.json"] = \
            explore._json(rows[start:start + explore.TITLE_CHUNK])
    print(f"explorer data written in {time.perf_counter() - started:.1f} s")
    for name, size in sizes(files).items():
        print(f"{size:>10,}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
