"""`taxonomy propose` measured on real exports: how many papers its rules tag when the dump is imported
with the real importer, how many tags, and how well the tags agree with the source's own categories.

  sample   the deterministic selection the fixtures were made with: distinct ids whose first (primary)
           category starts with --prefix, sorted by id, every k-th so that --count remain; lines verbatim.
  measure  propose a taxonomy from DUMP (JSON Lines with `id` and `categories`, as the daily-arXiv
           crawlers save them; the tests' fixtures and benchmarks/README.md say where they come from),
           import DUMP into a fresh folder under it with `run_import` (no tag model: rule tags only),
           and print as JSON:
             papers, tags, tags with >= 3 papers, share of papers with a rule tag (from the written files),
             agreement of each paper's first (best) tag with its primary arXiv category: adjusted mutual
             information and purity, over the rule-tagged papers, and the seconds taken.

  .venv/bin/python -m benchmarks.propose sample astro_all.jsonl --prefix astro-ph --count 2000 > astro2000.jsonl
  .venv/bin/python -m benchmarks.propose measure astro2000.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def sample(source: Path, prefix: str, count: int | None) -> list[str]:
    lines: dict[str, str] = {}
    prefixes = tuple(prefix.split(","))
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            text = line.strip()
            if not text:
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError:
                continue
            categories = record.get("categories") or []
            if record.get("summary") and categories and categories[0].startswith(prefixes):
                lines.setdefault(str(record["id"]), text)
    ids = sorted(lines)
    if count is not None and count < len(ids):
        step = len(ids) / count
        ids = [ids[int(i * step)] for i in range(count)]
    return [lines[i] for i in ids]


def measure(dump: Path) -> dict:
    from sklearn.metrics import adjusted_mutual_info_score

    from paper_collection.collection.identifiers import arxiv_id
    from paper_collection.collection.identity import load_meta
    from paper_collection.collection.paper import normalize_title
    from paper_collection.collection.propose import propose
    from paper_collection.collection.taxonomy import UNTAGGED, parse_taxonomy
    from paper_collection.ingest.importer import run_import

    primary = {}
    for line in dump.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            primary.setdefault(arxiv_id(str(record["id"])), record["categories"][0])  # "2606.12792v1" too
    started = time.perf_counter()
    proposal = propose([dump])
    proposed = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="propose-bench-") as folder:
        papers = Path(folder) / "papers"
        papers.mkdir()
        started = time.perf_counter()
        run_import([dump], papers, parse_taxonomy(proposal.text), added="2026-12-07", suggest=False)
        imported = time.perf_counter() - started
        files = [load_meta(path)[0] for path in sorted(papers.glob("*.md"))]
    tagged = [meta for meta in files if meta["tags"] != [UNTAGGED]]
    per_tag = Counter(tag for meta in tagged for tag in meta["tags"])
    pairs = [(meta["tags"][0], primary[meta["arxiv"]]) for meta in tagged if meta.get("arxiv") in primary]
    by_tag: dict[str, Counter] = {}
    for tag, category in pairs:
        by_tag.setdefault(tag, Counter())[category] += 1
    purity = sum(max(counter.values()) for counter in by_tag.values()) / len(pairs) if pairs else 0.0
    categories = Counter(category for _, category in pairs)
    # The k-means clusters themselves, every paper (tagged or not): what the rules start from.
    clustered = [(proposal.clusters[normalize_title(meta["title"])], primary[meta["arxiv"]]) for meta in files
                 if meta.get("arxiv") in primary and normalize_title(meta["title"]) in proposal.clusters]
    return {
        "dump": dump.name,
        "papers": len(files),
        "rule_tagged": len(tagged),
        "rule_tagged_share": round(len(tagged) / len(files), 4) if files else 0.0,
        "proposal_says_tagged": proposal.tagged,
        "tags": len(proposal.tag_papers),
        "tags_with_3_papers": sum(1 for count in per_tag.values() if count >= 3),
        "papers_with_a_category": len(pairs),
        "categories": len(categories),
        "largest_category_share": round(categories.most_common(1)[0][1] / len(pairs), 4) if pairs else 0.0,
        "ami_first_tag_vs_primary_category": round(adjusted_mutual_info_score(
            [c for _, c in pairs], [t for t, _ in pairs]), 4) if pairs else 0.0,
        "purity_first_tag": round(purity, 4),
        "ami_clusters_vs_primary_category": round(adjusted_mutual_info_score(
            [c for _, c in clustered], [k for k, _ in clustered]), 4) if clustered else 0.0,
        "seconds_propose": round(proposed, 1),
        "seconds_import": round(imported, 1),
        "tag_names": list(proposal.tag_papers),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.propose", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    take = sub.add_parser("sample")
    take.add_argument("source", type=Path)
    take.add_argument("--prefix", required=True, help="primary category prefix(es), comma-separated: astro-ph")
    take.add_argument("--count", type=int, help="papers to keep (default: all)")
    run = sub.add_parser("measure")
    run.add_argument("dumps", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "sample":
        sys.stdout.write("".join(line + "\n" for line in sample(args.source, args.prefix, args.count)))
        return 0
    for dump in args.dumps:
        print(json.dumps(measure(dump), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":  # the importer's worker processes are spawned: the guard is needed
    sys.exit(main())
