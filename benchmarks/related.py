"""Time `related_papers` on a synthetic 10,000-paper collection.

Each synthetic paper takes a seed paper from the bundled collection as its topic: its title is
words drawn from the seed's title, its abstract 70% words of the seed's abstract and 30% words
of the whole collection, so the collection has clusters, as a real one does.

    .venv/bin/python -m benchmarks.related [--papers 10000] [--runs 3] [-k 5]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from pathlib import Path

from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.site.related import related_papers

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[A-Za-z][\w\-]*")


def seed_papers() -> list[Paper]:
    collection = load_collection(ROOT / "content" / "papers", load_taxonomy(ROOT / "taxonomy.yml"), ROOT)
    return list(collection.papers)


def synthetic(seeds: list[Paper], count: int, rng: random.Random) -> list[Paper]:
    pool = [w for p in seeds for w in WORD.findall(p.abstract)]
    papers = []
    for i in range(count):
        seed = rng.choice(seeds)
        own = WORD.findall(seed.abstract)
        title_words = WORD.findall(seed.title) + own[:20]
        title = " ".join(rng.choices(title_words, k=rng.randint(5, 12))).capitalize()
        length = rng.randint(120, 260)
        words = [rng.choice(own) if rng.random() < 0.7 else rng.choice(pool) for _ in range(length)]
        papers.append(Paper(slug=f"paper-{i:05d}", title=title, abstract=" ".join(words) + ".",
                            tags=seed.tags, added=seed.added))
    return papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    papers = synthetic(seed_papers(), args.papers, random.Random(4))
    times, cpu = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = related_papers(papers, args.k)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert len(result) == len(papers)
    print(f"related_papers: {args.papers} papers, k={args.k}: median {statistics.median(times):.2f} s "
          f"over {args.runs} runs ({', '.join(f'{t:.2f}' for t in times)}); "
          f"CPU time median {statistics.median(cpu):.2f} s")


if __name__ == "__main__":
    main()
