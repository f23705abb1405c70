"""`paper-collection check` on a new collection of N papers (issue 22: at most 2 minutes for 1,000).

A collection made by `paper-collection new`, with this repository's taxonomy and N distinct
generated papers (benchmarks.scale.generate: titles and abstracts recombined from the seed listing)
imported into it as JSON Lines, each with 1-6 authors drawn from a pool of N names and a year
(2019-2025), so the site has author and year pages and their feeds as a real collection does; then
`check` (validate, the strict build, links, search index, feeds, axe-core on 8 pages when Chromium
is present) timed from a clean state (no site, no cache), as in a collection's CI, `--runs` times;
and `check --no-build` (the site checks alone) once. Prints the medians and every run.

    .venv/bin/python -m benchmarks.check --papers 1000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.scale import DEFAULT_TAG, generate

ROOT = Path(__file__).resolve().parent.parent


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "paper_collection", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"paper-collection {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                         f"{result.stderr}")
    return result


def run(papers: int, runs: int, work: Path) -> dict:
    command("new", "collection", "--title", "Benchmark collection", cwd=work)
    root = work / "collection"
    shutil.copyfile(ROOT / "taxonomy.yml", root / "taxonomy.yml")
    _, generated = generate(papers)
    rng = random.Random(22)
    syllables = ["ka", "ren", "so", "mi", "lo", "ta", "vi", "ne", "dar", "po", "shi", "lu", "ber", "ga", "fen"]
    people = sorted({f"{''.join(rng.choices(syllables, k=2)).capitalize()} "
                     f"{''.join(rng.choices(syllables, k=3)).capitalize()}" for _ in range(papers)})
    lines = [json.dumps({"title": title, "abstract": abstract, "authors": rng.sample(people, rng.randint(1, 6)),
                         "year": rng.randint(2019, 2025)}) for title, abstract in generated]
    (work / "papers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    command("import", str(work / "papers.jsonl"), "--added", "2026-01-01", "--default-tag", DEFAULT_TAG, cwd=root)
    seconds, last = [], ""
    for _ in range(runs):
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".paper-collection", ignore_errors=True)
        start = time.perf_counter()
        last = command("check", cwd=root).stdout
        seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    command("check", "--no-build", cwd=root)
    site_only = time.perf_counter() - start
    return {"papers": len(list((root / "content" / "papers").glob("*.md"))), "seconds": seconds,
            "median": statistics.median(seconds), "report": last, "site_only": site_only}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="check-bench-") as work:
        result = run(args.papers, args.runs, Path(work))
    print("\n".join(line for line in result["report"].splitlines() if not line.startswith("ok: the site")))
    print(f"check on {result['papers']} papers: median {result['median']:.1f} s "
          f"(runs: {', '.join(f'{s:.1f}' for s in result['seconds'])}); the site checks alone (--no-build): "
          f"{result['site_only']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
