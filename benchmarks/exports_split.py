"""The whole-collection exports at scale (issue #25): how a collection of N papers is split by year
below exports.LIMIT, the largest file, and the time the plan and the files take.

    python -m benchmarks.exports_split --papers 50000

Generated papers: abstracts of about 1,400 characters and six authors (about the 2.8 KB per paper of
papers.json measured on real data), 60 % of them from the newest year so that year is cut, 5 % without
a year."""

from __future__ import annotations

import argparse
import random
import time

from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.site import exports
from paper_collection.site.model import SiteSettings, build_model
from tests.helpers import SEED_TAXONOMY

WORDS = ("neural operator segmentation benchmark diffusion transformer language model scaling graph "
         "reinforcement learning policy medical image retrieval attention sparse mixture experts").split()


def papers(count: int, seed: int = 0) -> list[Paper]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        roll = rng.random()
        year = None if roll < 0.05 else 2024 if roll < 0.65 else rng.randint(2010, 2023)
        words = [rng.choice(WORDS) for _ in range(180)]
        out.append(Paper(slug=f"paper-{i:06d}", title=" ".join(words[:8]).title(), abstract=" ".join(words) + ".",
                         tags=("benchmarks",), added=f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                         authors=tuple(f"Author {rng.randint(0, 99999)}" for _ in range(6)), year=year,
                         arxiv=f"24{rng.randint(1, 12):02d}.{i % 100000:05d}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=50_000)
    args = parser.parse_args()
    model = build_model(papers(args.papers), load_taxonomy(SEED_TAXONOMY),
                        SiteSettings(name="Scale", url="https://example.org/s"), related={})
    start = time.process_time()  # CPU time: the machine may be shared
    plan = exports.export_plan(model)
    planned = time.process_time() - start
    start = time.process_time()
    files = exports.year_files(model, plan)
    written = time.process_time() - start
    sizes = {path: len(content) for path, content in files.items()}
    assert all(part.json_bytes == sizes[part.json_path] for part in plan.parts)
    largest = max(sizes, key=sizes.get)
    print(f"{args.papers:,} papers: papers.json would be {plan.whole_bytes / 2**20:.1f} MiB "
          f"({'written' if plan.whole else 'not written'}); {len(plan.parts)} parts: "
          f"{', '.join(p.name for p in plan.parts)}")
    print(f"largest file {largest}: {sizes[largest] / 2**20:.2f} MiB (limit {exports.LIMIT / 2**20:.0f} MiB); "
          f"all exports {sum(sizes.values()) / 2**20:.1f} MiB in {len(sizes)} files")
    print(f"CPU time: plan {planned:.2f} s, files (JSON, BibTeX, index) {written:.2f} s")


if __name__ == "__main__":
    main()
