"""How far the incremental related-papers update (`related.update`, used by the `serve`
preview) is from a full recomputation, and how much faster it is.

On the synthetic collection of benchmarks/related.py: fit once, then change m papers (a new
abstract drawn from another topic: the hardest case, the paper moves), then compute the related
papers both ways and compare every paper's list.

    .venv/bin/python -m benchmarks.related_incremental [--papers 10000] [--changed 1 10 100] [-k 5]

Reported per m: papers whose list is identical, mean overlap of the two lists (|A ∩ B| / k),
whether the changed papers' own lists agree, and the time of each way.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace

from benchmarks.related import seed_papers, synthetic
from paper_collection.site.related import related_with_space, update


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--changed", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(4)
    papers = synthetic(seed_papers(), args.papers, rng)
    started = time.perf_counter()
    first, space = related_with_space(papers, args.k)
    print(f"{args.papers} papers, k={args.k}: full computation {time.perf_counter() - started:.2f} s")
    donors = synthetic(seed_papers(), max(args.changed), random.Random(99))
    for m in args.changed:
        picked = rng.sample(range(len(papers)), m)
        now = list(papers)
        for donor, i in zip(donors, picked, strict=False):
            now[i] = replace(now[i], abstract=donor.abstract)
        changed = {now[i].slug for i in picked}
        started = time.perf_counter()
        incremental, _ = update(space, first, now, changed, args.k)
        update_s = time.perf_counter() - started
        started = time.perf_counter()
        full, _ = related_with_space(now, args.k)
        full_s = time.perf_counter() - started
        same = sum(1 for slug in full if full[slug] == incremental[slug])
        overlap = sum(len(set(full[s]) & set(incremental[s])) / args.k for s in full) / len(full)
        own = sum(1 for s in changed if full[s] == incremental[s])
        moved = sum(1 for s in full if full[s] != first[s])
        print(f"m={m}: identical lists {same}/{len(full)} ({100 * same / len(full):.2f}%), mean overlap "
              f"{overlap:.4f}; changed papers' own lists identical {own}/{m}; lists a full recomputation "
              f"changed {moved}; update {update_s:.2f} s, full {full_s:.2f} s")


if __name__ == "__main__":
    main()
