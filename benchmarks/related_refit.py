"""What a rebuild after one new paper costs the related papers, on a project's own paper files
(for example the 10,000 or 50,000 real papers `benchmarks.scale --real --keep DIR` leaves):

- the TF-IDF space fitted from nothing (a clean build), then with the papers' kept term counts
  (`related-counts.npz`) when one paper (the last by slug) is new: reading the counts, fitting,
  keeping the new ones;
- every row's related papers from the fitted space, in the build's processes
  (`PAPER_COLLECTION_WORKERS`).

    .venv/bin/python -m benchmarks.related_refit --project DIR [--runs 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from paper_collection.collection import frontmatter
from paper_collection.collection.paper import from_front_matter
from paper_collection.site import cache, related


def read_papers(project: Path) -> list:
    papers = []
    for path in sorted((project / "content" / "papers").glob("*.md")):
        parsed = frontmatter.parse(path.read_text(encoding="utf-8"), path.name)
        papers.append(from_front_matter(path.stem, parsed.meta, parsed.body))
    return sorted(papers, key=lambda p: p.slug)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    papers = read_papers(args.project)
    before = papers[:-1]
    path = Path(tempfile.mkdtemp()) / "related-counts.npz"
    for run in range(1, args.runs + 1):
        kept: list = []
        start = time.perf_counter()
        related.fit(before, on_counts=kept.append)
        from_nothing = time.perf_counter() - start
        cache._store_counts(path, kept[0])
        start = time.perf_counter()
        counted = cache._load_counts(path)
        read = time.perf_counter() - start
        start = time.perf_counter()
        fitted = related.fit(papers, counted, on_counts=lambda counts: cache._store_counts(path, counts))
        refit = time.perf_counter() - start
        start = time.perf_counter()
        related._all_rows(fitted, 10)
        rows = time.perf_counter() - start
        print(f"run {run}: {len(papers)} papers; fit from nothing {from_nothing:.2f} s; with the counts "
              f"{read:.2f} s to read them + {refit:.2f} s to fit and keep; every row's related papers {rows:.2f} s; "
              f"counts file {path.stat().st_size / 1e6:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
