"""Why a merged paper makes related papers be computed again in full: how many papers' TF-IDF
rows a new paper changes. A row changes when the IDF of one of its terms changes, and a new paper
changes the IDF of every term it holds (its document count) and, through the smoothed IDF's
number of papers, of every term. Even with the number of papers held fixed, the terms of one
paper reach almost every other paper: this counts them on real papers.

    .venv/bin/python -m benchmarks.merge_reach [--papers 10000] [--samples 8]

The papers are the first N of benchmarks/real_corpus.py (arXiv listings with their authors),
made into papers the way the importer makes them (title and abstract are what TF-IDF reads).
"""

from __future__ import annotations

import argparse
import random
import statistics

import numpy as np

from benchmarks import real_corpus
from paper_collection.collection.paper import Paper
from paper_collection.site import related


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=8)
    args = parser.parse_args(argv)
    records = real_corpus.papers(args.papers)
    papers = sorted((Paper(slug=f"p{i:06d}", title=" ".join(r["title"].split()), abstract=r["summary"], tags=(),
                           added="2026-01-01") for i, r in enumerate(records)), key=lambda p: p.slug)
    space = related.fit(papers)
    columns = space.matrix.tocsc()
    reach = []
    for row in random.Random(1).sample(range(len(papers)), args.samples):
        terms = space.matrix[row].indices
        reach.append(len(np.unique(columns[:, terms].tocoo().row)) - 1)
    middle = statistics.median(reach)
    print(f"{len(papers)} real papers, {len(space.terms)} kept terms; the papers sharing a term with one of "
          f"{args.samples} papers: median {middle:.0f} ({middle / len(papers):.0%}), "
          f"min {min(reach)}, max {max(reach)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
