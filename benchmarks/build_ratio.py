"""Build time against plain MkDocs, measured in alternation on a shared, noisy machine (issue 13).

    .venv/bin/python -m benchmarks.scale --papers 10000 --with-seed --runs 1 --no-browser --keep WORK
    .venv/bin/python -m benchmarks.build_ratio WORK [--pairs 3] [--json OUT]

WORK is a folder `benchmarks.scale --keep` left: `project/` (the collection) and `plain/` (the
same paper files under plain MkDocs + Material). Each pair runs plain MkDocs, then
`python -m generator build` from a clean checkout (no `.paper-collection/`, no `site/`), then a
build after editing one paper's abstract (warm cache), so that the three see about the same load;
the ratios of each pair and their medians are printed, with the load average before each run.
The edited paper is put back after each pair.

Before plain MkDocs and before the clean build, the file system is given `--settle` seconds
(default 35) after the benchmark's own deletions: on ext4, inodes deleted in the last 30 seconds
are skipped, one by one, when new ones are allocated, and a build writing 20,000 files right
after 20,000 were deleted spent twice the system time (a clean build here: 30.8 s after a
pause, 40.3 s right after the deletion, sys 10.3 s against 20.4 s). A clean checkout has no
such deletions behind it; plain MkDocs still deletes its own last site as it starts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

from benchmarks.scale import timed


def load() -> float:
    return os.getloadavg()[0]


def settle(seconds: float) -> None:
    """Let the file system forget the files just deleted (see the module's text)."""
    os.sync()
    time.sleep(seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--settle", type=float, default=35.0, help="seconds after the deletions (see above)")
    args = parser.parse_args(argv)
    project, plain = args.work / "project", args.work / "plain"
    py = sys.executable
    papers = sorted((project / "content" / "papers").glob("*.md"))
    edited = papers[len(papers) // 2]
    original = edited.read_bytes()
    rows = []
    try:
        for pair in range(args.pairs):
            row = {"pair": pair + 1}
            settle(args.settle)
            row["load_plain"] = load()
            row["plain_s"], row["plain_mb"] = timed([py, "-m", "mkdocs", "build", "-q", "-f",
                                                    str(plain / "mkdocs.yml"), "-d", str(plain / "site")], plain)
            for leftover in (project / ".paper-collection", project / "site"):
                shutil.rmtree(leftover, ignore_errors=True)
            settle(args.settle)
            row["load_build"] = load()
            row["build_s"], row["build_mb"] = timed([py, "-m", "paper_collection", "build"], project)
            edited.write_bytes(original.replace(b"\n---\n", b"\n---\nEdited for the benchmark. ", 1))
            row["load_edit"] = load()
            row["edit_s"], _ = timed([py, "-m", "paper_collection", "build"], project)
            edited.write_bytes(original)
            row["build_vs_plain"] = round(row["build_s"] / row["plain_s"], 3)
            row["edit_vs_build"] = round(row["edit_s"] / row["build_s"], 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        edited.write_bytes(original)
    summary = {
        "machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}",
        "papers": len(papers), "pairs": rows,
        "median_plain_s": statistics.median(r["plain_s"] for r in rows),
        "median_build_s": statistics.median(r["build_s"] for r in rows),
        "median_edit_s": statistics.median(r["edit_s"] for r in rows),
        "median_build_vs_plain": statistics.median(r["build_vs_plain"] for r in rows),
        "median_edit_vs_build": statistics.median(r["edit_vs_build"] for r in rows),
        "peak_build_mb": max(r["build_mb"] for r in rows),
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "pairs"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
