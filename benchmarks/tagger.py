"""Tagger benchmark: the tag model (generator/collection/tagger.py) against the taxonomy's rules.

    .venv/bin/python -m benchmarks.tagger                          # the bundled collection, leave-one-out
    .venv/bin/python -m benchmarks.tagger --arxiv-csv arxiv_data.csv   # plus real arXiv records, 5-fold
    .venv/bin/python -m benchmarks.tagger --no-bundled --arxiv-jsonl arxiv_daily.jsonl --sample 5000 --variant current

1. The bundled collection (content/papers/), leave-one-out: each paper's tags as the files have them
   are the truth; the rules tag it from its title and abstract; the model is trained on every other
   paper's tags and proposes tags for it. (The bundled tags were first given by these same rules and
   then checked by a person, so the rules are favoured here.)
2. Real arXiv records whose categories map to tags (``CATEGORY_TAGS``), 5-fold: the model is trained
   on four folds' labels and tags the fifth; the rules tag every record. Only the mapped tags are
   scored (a rule's other tags are ignored). The CSV has columns ``titles``, ``summaries`` and
   ``terms`` (a Python list of arXiv categories), as in the "arXiv Paper Abstracts" data. JSON Lines
   (``--arxiv-jsonl``) have one arXiv record a line with ``id``, ``title``, ``summary`` (or
   ``abstract``) and ``categories`` (a list, or a space-separated string). ``--sample N`` takes a
   fixed, seeded, stratified subset: records are grouped by their rarest mapped tag, each group gives
   an equal share of N (small groups give all they have, the rest is shared among the others), so
   rare tags get as many papers as the data has up to their share. See benchmarks/README.md for the
   copies measured and where they came from.

For each: micro and macro F1 of the rules on the papers they tag, how many they leave untagged; the
model's F1 on exactly the papers the rules miss (the target: at least the rules' macro F1, leaving
none untagged), and on all papers; and the pipeline the importer runs (rules, else the model). Per
tag: right / wrong / missed of the rules on the papers they tag and of the model on those they miss.

``--variant`` trains with other settings than ``tagger.py``'s, to compare: named variants
(``VARIANTS``: ``previous`` = the settings before the third pass, ``rule-docs``/``no-rule-docs``,
``min-df-1``/``min-df-2``, ``even-sample``/``tag-sample``, ``unbalanced`` = no class weights at all),
``NAME=value`` for any setting of tagger.py, and ``cv-thresholds`` (each tag's threshold chosen on
out-of-fold probabilities of a 3-fold split of the training papers, grid 0.10-0.90; the best tag is
proposed when none passes), joined by ``+``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from paper_collection.collection import tagger
from paper_collection.collection.tagger import Example, TagModel
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection

ROOT = Path(__file__).resolve().parent.parent
# arXiv category -> the bundled taxonomy's tag (categories without a clear tag are not used)
CATEGORY_TAGS = {
    "cs.CV": "vision", "eess.IV": "vision", "cs.RO": "robotics", "cs.CL": "language-models",
    "cs.SD": "speech-audio", "eess.AS": "speech-audio", "cs.SI": "graphs", "cs.MA": "agents",
}
# More categories whose meaning matches a tag's description (``--more-categories``): Software
# Engineering and Programming Languages -> "Code and software"; Computers and Society -> "societal
# impacts of AI"; Medical Physics -> "Clinical, biomedical and medical-imaging applications".
MORE_CATEGORY_TAGS = {"cs.SE": "code", "cs.PL": "code", "cs.CY": "society-ethics", "physics.med-ph": "medicine"}
FOLDS = 5
# Named variants: tagger.py settings changed for a run (``NAME=value`` parts may be given too).
# "previous" = the settings before the third pass (benchmarks/README.md).
VARIANTS = {
    "current": {},
    "previous": {"TRAINING_SAMPLE": "even", "MIN_DF": 1, "RULE_DOCUMENTS": False},
    "rule-docs": {"RULE_DOCUMENTS": True}, "no-rule-docs": {"RULE_DOCUMENTS": False},
    "min-df-1": {"MIN_DF": 1}, "min-df-2": {"MIN_DF": 2},
    "even-sample": {"TRAINING_SAMPLE": "even"}, "tag-sample": {"TRAINING_SAMPLE": "by-tag"},
    "unbalanced": {"CLASS_WEIGHT": None, "SAMPLED_CLASS_WEIGHT": None},
    "cv-thresholds": {},
}
THRESHOLD_GRID = [round(0.1 * step, 2) for step in range(1, 10)]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    if not missed:  # nothing to break down: the rules tag every paper
        return lines
    lines.append("  per tag: true papers among the missed | model on the missed: right / wrong / missed, F1 "
                 "| rules on those they tag: right / wrong / missed, F1")
    for tag in tags:
        model_counts = tag_counts(pick(truth, missed), pick(model, missed), tag)
        rule_counts = tag_counts(pick(truth, tagged), pick(rules, tagged), tag)
        lines.append(f"    {tag}: {sum(1 for i in missed if tag in truth[i])} | {format_counts(model_counts)} "
                     f"| {format_counts(rule_counts)}")
    return lines


def tag_counts(truth, predicted, tag) -> tuple[int, int, int]:
    """(right, wrong, missed) for one tag."""
    right = sum(1 for t, p in zip(truth, predicted, strict=True) if tag in t and tag in p)
    wrong = sum(1 for t, p in zip(truth, predicted, strict=True) if tag not in t and tag in p)
    missed = sum(1 for t, p in zip(truth, predicted, strict=True) if tag in t and tag not in p)
    return right, wrong, missed


def format_counts(counts: tuple[int, int, int]) -> str:
    right, wrong, missed = counts
    f1 = 2 * right / (2 * right + wrong + missed) if right + wrong + missed else float("nan")
    return f"{right} / {wrong} / {missed}, {f1:.2f}"


def suggested(model, texts: list[tuple[str, str]]) -> list[frozenset[str]]:
    if model is None:
        return [frozenset() for _ in texts]
    return [frozenset(s.tag for s in found) for found in model.suggest(texts)]


@contextlib.contextmanager
def settings(**values):
    """``tagger``'s module settings changed for the duration (a variant's training)."""
    saved = {name: getattr(tagger, name) for name in values}
    for name, value in values.items():
        setattr(tagger, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(tagger, name, value)


class ThresholdedModel:
    """A trained model with one threshold per tag; proposes the best tag when none passes (at most
    ``MAX_SUGGESTED``), like ``TagModel.suggest`` with ``FLOOR`` 0."""

    def __init__(self, model: TagModel, thresholds: dict[str, float]) -> None:
        self.model = model
        self.thresholds = np.array([thresholds.get(tag, tagger.THRESHOLD) for tag in model.tags])

    def suggest(self, texts):
        found = []
        for row in self.model.probabilities(texts):
            order = sorted(range(len(row)), key=lambda i: (-row[i], i))
            chosen = [i for i in order[:tagger.MAX_SUGGESTED] if row[i] >= self.thresholds[i]] or order[:1]
            found.append(tuple(tagger.SuggestedTag(self.model.tags[i], round(float(row[i]), 2)) for i in chosen))
        return found


def variant_settings(variant: str) -> dict[str, object]:
    """The tagger.py settings a variant changes: named parts (``VARIANTS``) and ``NAME=value`` parts."""
    changed: dict[str, object] = {}
    for part in variant.split("+"):
        if "=" in part:
            name, value = part.split("=", 1)
            if not hasattr(tagger, name):
                raise SystemExit(f"tagger.py has no setting {name}")
            with contextlib.suppress(ValueError, SyntaxError):
                value = ast.literal_eval(value)
            changed[name] = value
        elif part in VARIANTS:
            changed.update(VARIANTS[part])
        else:
            raise SystemExit(f"unknown variant {part}; choose from {', '.join(VARIANTS)} or NAME=value")
    return changed


def train_variant(variant: str, examples: list[Example], tags: Sequence[str], taxonomy):
    """The model of ``variant`` (parts joined by +) trained on ``examples``, as the importer trains it
    (``tagger.train_on``: the taxonomy's pseudo-papers of the scored tags when RULE_DOCUMENTS)."""
    with settings(**variant_settings(variant)):
        extra = [e for e in tagger.rule_examples(taxonomy) if e.tags[0] in tags] if tagger.RULE_DOCUMENTS else []
        model = TagModel.train(examples, tags, extra=extra)
        if model is None or "cv-thresholds" not in variant.split("+"):
            return model
        probabilities = np.zeros((len(examples), len(model.tags)))
        for inner in range(3):
            train = [e for i, e in enumerate(examples) if i % 3 != inner]
            held = [i for i in range(len(examples)) if i % 3 == inner]
            fold_model = TagModel.train(train, tags, extra=extra)
            if fold_model is None or not held:
                continue
            found = fold_model.probabilities([(examples[i].title, examples[i].abstract) for i in held])
            for column, tag in enumerate(model.tags):
                if tag in fold_model.tags:
                    probabilities[held, column] = found[:, fold_model.tags.index(tag)]
    thresholds = {}
    for column, tag in enumerate(model.tags):
        labels = np.array([tag in e.tags for e in examples])

        def f1(threshold, column=column, labels=labels):
            predicted = probabilities[:, column] >= threshold
            right = int((predicted & labels).sum())
            return 2 * right / (predicted.sum() + labels.sum()) if predicted.sum() + labels.sum() else 0.0

        thresholds[tag] = max(THRESHOLD_GRID, key=lambda threshold: (f1(threshold), -abs(threshold - 0.5)))
    return ThresholdedModel(model, thresholds)


def bundled(taxonomy, variant: str = "current") -> list[str]:
    collection = load_collection(ROOT / "content" / "papers", taxonomy, ROOT)
    papers = sorted(collection.papers, key=lambda p: p.slug)
    names = taxonomy.topic_names
    truth = [frozenset(t for t in p.tags if t in names) for p in papers]
    rules = [frozenset(taxonomy.assign(p.title, p.abstract)) for p in papers]
    model = []
    for index, paper in enumerate(papers):
        if index % 10 == 0:
            progress(f"bundled: paper {index + 1} of {len(papers)}")
        examples = [Example(p.title, p.abstract, tuple(truth[i])) for i, p in enumerate(papers) if i != index]
        trained = train_variant(variant, examples, names, taxonomy)
        model += suggested(trained, [(paper.title, paper.abstract)])
    return report(f"bundled collection, leave-one-out, variant {variant}", truth, rules, model, names)


def csv_records(path: Path, category_tags: dict[str, str]) -> list[tuple[str, str, frozenset[str]]]:
    """(title, abstract, tags) of the "arXiv Paper Abstracts" CSV (titles, summaries, terms)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records = []
    seen = set()
    for row in rows:
        categories = ast.literal_eval(row["terms"])
        tags = frozenset(category_tags[c] for c in categories if c in category_tags)
        title = " ".join(row["titles"].split())
        if tags and title.lower() not in seen:  # the data repeats some papers
            seen.add(title.lower())
            records.append((title, " ".join(row["summaries"].split()), tags))
    return records


def jsonl_records(path: Path, category_tags: dict[str, str]) -> list[tuple[str, str, frozenset[str]]]:
    """(title, abstract, tags) of arXiv records in JSON Lines (id, title, summary or abstract,
    categories), first occurrence of each id and title kept."""
    records = []
    seen = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: not JSON ({error.msg}); "
                                 "each line must be one arXiv record") from None
            categories = row.get("categories") or []
            if isinstance(categories, str):
                categories = categories.split()
            tags = frozenset(category_tags[c] for c in categories if c in category_tags)
            title = " ".join(str(row.get("title") or "").split())
            abstract = " ".join(str(row.get("summary") or row.get("abstract") or "").split())
            keys = {("title", title.lower()), ("id", str(row.get("id") or title.lower()))}
            if tags and title and abstract and not keys & seen:
                seen.update(keys)
                records.append((title, abstract, tags))
    return records


def stratified_sample(records, size: int, seed: int):
    """``size`` records (all when fewer), grouped by each record's rarest tag; every group gives an
    equal share, small groups all they have. Seeded and in a seeded order (the folds are i % 5)."""
    counts = Counter(tag for _, _, tags in records for tag in tags)
    groups = defaultdict(list)
    for record in records:
        groups[min(record[2], key=lambda tag: (counts[tag], tag))].append(record)
    generator = random.Random(seed)
    chosen = []
    remaining = min(size, len(records))
    ordered = sorted(groups, key=lambda tag: (len(groups[tag]), tag))
    for position, tag in enumerate(ordered):
        share = min(len(groups[tag]), remaining // (len(ordered) - position))
        chosen += generator.sample(groups[tag], share)
        remaining -= share
    generator.shuffle(chosen)
    return chosen


def arxiv(taxonomy, records, name: str, variant: str = "current") -> list[str]:
    tags = sorted({t for _, _, found in records for t in found}, key=taxonomy.topic_names.index)
    rules = [frozenset(taxonomy.assign(title, abstract)) & frozenset(tags) for title, abstract, _ in records]
    model: list[frozenset[str]] = [frozenset()] * len(records)
    for fold in range(FOLDS):
        progress(f"{name}: fold {fold + 1} of {FOLDS}")
        train = [Example(t, a, tuple(sorted(g))) for i, (t, a, g) in enumerate(records) if i % FOLDS != fold]
        trained = train_variant(variant, train, tags, taxonomy)
        held = [i for i in range(len(records)) if i % FOLDS == fold]
        for i, found in zip(held, suggested(trained, [records[i][:2] for i in held]), strict=True):
            model[i] = found
    truth = [found for _, _, found in records]
    counts = ", ".join(f"{tag} {sum(1 for t in truth if tag in t)}" for tag in tags)
    return [*report(f"arXiv records ({name}), {FOLDS}-fold, variant {variant}", truth, rules, model, tags),
            f"  papers per tag: {counts}"]


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--arxiv-csv", type=Path, help="arXiv records with titles, summaries, terms columns")
    options.add_argument("--arxiv-jsonl", type=Path, help="arXiv records, one JSON object a line "
                         "(title, summary or abstract, categories)")
    options.add_argument("--sample", type=int, default=0, help="score a stratified sample of this many arXiv "
                         "records (0: all)")
    options.add_argument("--seed", type=int, default=0, help="the sample's random seed")
    options.add_argument("--more-categories", action="store_true",
                         help="also map " + ", ".join(f"{c} -> {t}" for c, t in MORE_CATEGORY_TAGS.items()))
    options.add_argument("--variant", action="append", help="model variant(s) to measure: " + ", ".join(VARIANTS)
                         + " or NAME=value (a tagger.py setting), several joined by + (repeat the option for "
                         "several runs; default current)")
    options.add_argument("--no-bundled", action="store_true", help="skip the bundled collection's leave-one-out")
    args = options.parse_args(argv)
    taxonomy = load_taxonomy(ROOT / "taxonomy.yml")
    category_tags = {**CATEGORY_TAGS, **(MORE_CATEGORY_TAGS if args.more_categories else {})}
    datasets = []
    for path, read in ((args.arxiv_csv, csv_records), (args.arxiv_jsonl, jsonl_records)):
        if path:
            records = read(path, category_tags)
            name = path.name
            if args.sample:
                records = stratified_sample(records, args.sample, args.seed)
                name += f", stratified sample of {len(records)}, seed {args.seed}"
            datasets.append((records, name))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    for variant in args.variant or ["current"]:
        runs = [] if args.no_bundled else [lambda variant=variant: bundled(taxonomy, variant)]
        runs += [lambda r=records, n=name, variant=variant: arxiv(taxonomy, r, n, variant)
                 for records, name in datasets]
        for run in runs:
            start = time.perf_counter()
            for line in run():
                print(line, flush=True)
            print(f"  ({time.perf_counter() - start:.1f} s; load average {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
