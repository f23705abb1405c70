"""Tagger benchmark: the tag model (generator/collection/tagger.py) against the taxonomy's rules.

    .venv/bin/python -m benchmarks.tagger                          # the bundled collection, leave-one-out
    .venv/bin/python -m benchmarks.tagger --arxiv-csv arxiv_data.csv   # plus real arXiv records, 5-fold

1. The bundled collection (content/papers/), leave-one-out: each paper's tags as the files have them
   are the truth; the rules tag it from its title and abstract; the model is trained on every other
   paper's tags and proposes tags for it. (The bundled tags were first given by these same rules and
   then checked by a person, so the rules are favoured here.)
2. Real arXiv records whose categories map to tags (``CATEGORY_TAGS``), 5-fold: the model is trained
   on four folds' labels and tags the fifth; the rules tag every record. Only the mapped tags are
   scored (a rule's other tags are ignored). The CSV has columns ``titles``, ``summaries`` and
   ``terms`` (a Python list of arXiv categories), as in the "arXiv Paper Abstracts" data; see
   benchmarks/README.md for the copy measured and where it came from.

For each: micro and macro F1 of the rules on the papers they tag, how many they leave untagged; the
model's F1 on exactly the papers the rules miss (the target: at least the rules' macro F1, leaving
none untagged), and on all papers; and the pipeline the importer runs (rules, else the model).
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator.collection.tagger import Example, TagModel
from generator.collection.taxonomy import load_taxonomy
from generator.collection.validate import load_collection

ROOT = Path(__file__).resolve().parent.parent
# arXiv category -> the bundled taxonomy's tag (categories without a clear tag are not used)
CATEGORY_TAGS = {
    "cs.CV": "vision", "eess.IV": "vision", "cs.RO": "robotics", "cs.CL": "language-models",
    "cs.SD": "speech-audio", "eess.AS": "speech-audio", "cs.SI": "graphs", "cs.MA": "agents",
}
FOLDS = 5


def scores(truth: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]],
           tags: Sequence[str]) -> tuple[float, float]:
    """(micro F1, macro F1 over ``tags`` that occur in the truth or the predictions)."""
    true_pos = false_pos = false_neg = 0
    per_tag = []
    for tag in tags:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if tag in t and tag in p)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if tag not in t and tag in p)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if tag in t and tag not in p)
        true_pos, false_pos, false_neg = true_pos + tp, false_pos + fp, false_neg + fn
        if tp + fp + fn:
            per_tag.append(2 * tp / (2 * tp + fp + fn))
    micro = 2 * true_pos / (2 * true_pos + false_pos + false_neg) if true_pos + false_pos + false_neg else 0.0
    return micro, (statistics.mean(per_tag) if per_tag else 0.0)


def report(name: str, truth, rules, model, tags) -> list[str]:
    """Lines of figures: rules on what they tag, the model on what the rules miss, the pipeline."""
    tagged = [i for i, found in enumerate(rules) if found]
    missed = [i for i, found in enumerate(rules) if not found]

    def pick(values, indexes):
        return [values[i] for i in indexes]

    pipeline = [rules[i] or model[i] for i in range(len(truth))]
    lines = [f"{name}: {len(truth)} papers, {len(tags)} tags scored"]
    micro, macro = scores(pick(truth, tagged), pick(rules, tagged), tags)
    lines.append(f"  rules, on the {len(tagged)} papers they tag: micro F1 {micro:.3f}, macro F1 {macro:.3f}; "
                 f"untagged {len(missed)}")
    if missed:
        micro, macro = scores(pick(truth, missed), pick(model, missed), tags)
        untagged = sum(1 for i in missed if not model[i])
        lines.append(f"  model, on the {len(missed)} papers the rules miss: micro F1 {micro:.3f}, "
                     f"macro F1 {macro:.3f}; untagged {untagged}")
    micro, macro = scores(truth, model, tags)
    lines.append(f"  model alone, all papers: micro F1 {micro:.3f}, macro F1 {macro:.3f}; "
                 f"untagged {sum(1 for found in model if not found)}")
    micro, macro = scores(truth, pipeline, tags)
    lines.append(f"  rules, else model (the importer): micro F1 {micro:.3f}, macro F1 {macro:.3f}; "
                 f"untagged {sum(1 for found in pipeline if not found)}")
    return lines


def suggested(model: TagModel | None, texts: list[tuple[str, str]]) -> list[frozenset[str]]:
    if model is None:
        return [frozenset() for _ in texts]
    return [frozenset(s.tag for s in found) for found in model.suggest(texts)]


def bundled(taxonomy) -> list[str]:
    collection = load_collection(ROOT / "content" / "papers", taxonomy, ROOT)
    papers = sorted(collection.papers, key=lambda p: p.slug)
    names = taxonomy.topic_names
    truth = [frozenset(t for t in p.tags if t in names) for p in papers]
    rules = [frozenset(taxonomy.assign(p.title, p.abstract)) for p in papers]
    model = []
    for index, paper in enumerate(papers):
        examples = [Example(p.title, p.abstract, tuple(truth[i])) for i, p in enumerate(papers) if i != index]
        trained = TagModel.train(examples, names)
        model += suggested(trained, [(paper.title, paper.abstract)])
    return report("bundled collection, leave-one-out", truth, rules, model, names)


def arxiv(taxonomy, path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records = []
    seen = set()
    for row in rows:
        categories = ast.literal_eval(row["terms"])
        tags = frozenset(CATEGORY_TAGS[c] for c in categories if c in CATEGORY_TAGS)
        title = " ".join(row["titles"].split())
        if tags and title.lower() not in seen:  # the data repeats some papers
            seen.add(title.lower())
            records.append((title, " ".join(row["summaries"].split()), tags))
    tags = sorted({t for _, _, found in records for t in found}, key=taxonomy.topic_names.index)
    rules = [frozenset(taxonomy.assign(title, abstract)) & frozenset(tags) for title, abstract, _ in records]
    model: list[frozenset[str]] = [frozenset()] * len(records)
    for fold in range(FOLDS):
        train = [Example(t, a, tuple(sorted(g))) for i, (t, a, g) in enumerate(records) if i % FOLDS != fold]
        trained = TagModel.train(train, tags)
        held = [i for i in range(len(records)) if i % FOLDS == fold]
        for i, found in zip(held, suggested(trained, [records[i][:2] for i in held]), strict=True):
            model[i] = found
    truth = [found for _, _, found in records]
    counts = ", ".join(f"{tag} {sum(1 for t in truth if tag in t)}" for tag in tags)
    return [*report(f"arXiv records ({path.name}), {FOLDS}-fold", truth, rules, model, tags),
            f"  papers per tag: {counts}"]


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--arxiv-csv", type=Path, help="arXiv records with titles, summaries, terms columns")
    args = options.parse_args(argv)
    taxonomy = load_taxonomy(ROOT / "taxonomy.yml")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    start = time.perf_counter()
    for line in bundled(taxonomy):
        print(line)
    print(f"  ({time.perf_counter() - start:.1f} s)")
    if args.arxiv_csv:
        start = time.perf_counter()
        for line in arxiv(taxonomy, args.arxiv_csv):
            print(line)
        print(f"  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
