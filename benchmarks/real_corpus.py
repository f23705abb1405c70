"""Real papers for the scale benchmarks (issue 25): arXiv daily listings with their titles,
abstracts and author lists, as public repositories keep them.

Sources, read in this order from git snapshots fetched with the library's `fetch` tool (each is a
`daily-arXiv-ai-enhanced` crawl: one JSON Lines file per day, `data/YYYY-MM-DD.jsonl`, one arXiv
record per line with `id`, `title`, `authors`, `summary`, `categories`; the `*_AI_enhanced_*`
files are the same records with generated summaries and are skipped):

- github.com/dw-dengwei/daily-arXiv-ai-enhanced, branch `data`: cs.* listings, 2025-03 to 2026-07,
  410 days, 120,405 records, 74,728 distinct papers;
- github.com/Straw674/daily-arXiv-astro-ph, branch `data`: astro-ph listings from 2025-04;
- github.com/xmkxabc/daily-arXiv-ai-enhanced, branch `main`, and
  github.com/Jiayihua2001/daily-arXiv-ai-enhanced, branch `data`: further cs listings.

A paper is kept once, by its arXiv id without version, in the order above (day by day), so the
first N papers are the same set for every N and a larger corpus contains a smaller one.

    .venv/bin/python -m benchmarks.real_corpus --papers 50000 OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

MIRRORS = Path("/work/.mirror")
SNAPSHOTS = [  # (git dir, branch)
    (MIRRORS / "dw-dengwei+daily-arXiv-ai-enhanced" / "repo", "data"),
    (MIRRORS / "Straw674+daily-arXiv-astro-ph" / "repo", "data"),
    (MIRRORS / "xmkxabc+daily-arXiv-ai-enhanced" / "repo", "main"),
    (MIRRORS / "Jiayihua2001+daily-arXiv-ai-enhanced" / "repo", "data"),
]
DAY_FILE = re.compile(r"^data/\d{4}-\d{2}-\d{2}\.jsonl$")
VERSION = re.compile(r"v\d+$")


def _git(git_dir: Path, *args: str) -> str:
    """A git command's output; empty when it fails (a snapshot may list a file it does not hold)."""
    result = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""


def records(snapshots=SNAPSHOTS) -> Iterator[dict]:
    """Every usable record of the snapshots, in order; missing snapshots are skipped."""
    for git_dir, branch in snapshots:
        if not git_dir.exists():
            continue
        names = sorted(n for n in _git(git_dir, "ls-tree", "--name-only", branch, "data/").splitlines()
                       if DAY_FILE.match(n))
        for name in names:
            for line in _git(git_dir, "show", f"{branch}:{name}").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("id") and record.get("title") and record.get("summary"):
                    yield record


def papers(count: int, snapshots=SNAPSHOTS) -> list[dict]:
    """The first `count` distinct papers (by versionless arXiv id), as arXiv records the importer
    reads (`id`, `title`, `authors`, `summary`, `categories`, `abs`, `pdf`)."""
    seen: set[str] = set()
    out: list[dict] = []
    for record in records(snapshots):
        key = VERSION.sub("", str(record["id"]))
        if key in seen:
            continue
        seen.add(key)
        out.append({k: record[k] for k in ("id", "title", "authors", "summary", "categories", "abs", "pdf")
                    if k in record})
        if len(out) == count:
            break
    if len(out) < count:
        raise SystemExit(f"the snapshots hold {len(out)} distinct papers, fewer than the {count} asked for; "
                         f"fetch the repositories named in benchmarks/real_corpus.py into {MIRRORS}")
    return out


def write(count: int, target: Path) -> list[dict]:
    chosen = papers(count)
    target.write_text("".join(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n" for p in chosen),
                      encoding="utf-8")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    chosen = write(args.papers, args.out)
    authors = {a for p in chosen for a in p.get("authors") or []}
    print(f"wrote {len(chosen)} papers ({len(authors)} distinct author names) to {args.out}")


if __name__ == "__main__":
    main()
