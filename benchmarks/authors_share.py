"""How many authors have how many papers, on real author lists: the daily arXiv listings of a
fetched github.com/dw-dengwei/daily-arXiv-ai-enhanced snapshot (branch `data`, the English files
`data/YYYY-MM-DD.jsonl`, not `*_AI_enhanced_*`), read day by day in date order, keeping the first
`--papers` distinct arXiv ids. People are counted as the site counts them (authors.py's
`build_index`: spellings matched across sources). Prints a Markdown table: people and authorships
by number of papers (1, 2, 3-5, 6+), and how many author pages each `author_pages_min_papers`
line keeps.

    .venv/bin/python -m benchmarks.authors_share --snapshot /work/.mirror/dw-dengwei+daily-arXiv-ai-enhanced/repo
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from paper_collection.collection.paper import Paper
from paper_collection.site.authors import build_index

BUCKETS = (("1", 1, 1), ("2", 2, 2), ("3-5", 3, 5), ("6+", 6, None))


def day_files(snapshot: Path) -> list[str]:
    names = subprocess.run(["git", "--git-dir", str(snapshot), "ls-tree", "--name-only", "data", "data/"],
                           check=True, capture_output=True, text=True).stdout.split()
    return sorted(n for n in names if n.endswith(".jsonl") and "_AI_enhanced_" not in n)


def read_papers(snapshot: Path, limit: int) -> list[Paper]:
    """The first `limit` distinct arXiv ids, in the order the days listed them (oldest day first)."""
    papers: dict[str, Paper] = {}
    for name in day_files(snapshot):
        text = subprocess.run(["git", "--git-dir", str(snapshot), "show", f"data:{name}"],
                              check=True, capture_output=True, text=True).stdout
        day = Path(name).stem
        for line in text.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            arxiv = str(record.get("id") or "").strip()
            if not arxiv or arxiv in papers:
                continue
            # as the JSON reader keeps them (jsonfmt._authors): stripped, empty ones dropped
            authors = tuple(a.strip() for a in record.get("authors") or () if isinstance(a, str) and a.strip())
            papers[arxiv] = Paper(slug=arxiv, title=arxiv, abstract="", tags=(), added=day, authors=authors)
            if len(papers) == limit:
                return list(papers.values())
    return list(papers.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, required=True, help="git dir of a daily-arXiv-ai-enhanced snapshot")
    parser.add_argument("--papers", type=int, default=50_000)
    args = parser.parse_args()
    started = time.perf_counter()
    papers = read_papers(args.snapshot, args.papers)
    read = time.perf_counter()
    # newest first, as the site model hands them (the order does not change the counts)
    index = build_index(list(reversed(papers)))
    indexed = time.perf_counter()
    counts = [len(p.papers) for p in index.people.values()]
    people, authorships = len(counts), sum(counts)
    print(f"{len(papers):,} papers ({papers[0].added} to {papers[-1].added}), {people:,} people, "
          f"{authorships:,} authorships; read {read - started:.1f} s, index {indexed - read:.1f} s\n")
    print("| papers per author | people | share of people | authorships | share of authorships |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, low, high in BUCKETS:
        here = [n for n in counts if n >= low and (high is None or n <= high)]
        print(f"| {label} | {len(here):,} | {len(here) / people:.1%} | {sum(here):,} | "
              f"{sum(here) / authorships:.1%} |")
    print("\n| `author_pages_min_papers` | author pages (and feeds) | share of people |")
    print("| ---: | ---: | ---: |")
    for line in (1, 2, 3, 6):
        kept = sum(1 for n in counts if n >= line)
        print(f"| {line} | {kept:,} | {kept / people:.1%} |")


if __name__ == "__main__":
    main()
