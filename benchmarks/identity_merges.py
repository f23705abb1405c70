"""Identity on real exports: import them, one after another, into one empty collection and count
what the identity rule (generator/collection/identity.py) decided: records merged into a file (or
found unchanged, or repeated) by which reason, papers kept apart with a "possible duplicate" note,
records refused because their identifiers name two papers. Prints the counts and, for a spot
check, up to `--show` merges and `--show` possible-duplicate notes as the import reported them.

    .venv/bin/python -m benchmarks.identity_merges INPUT... [--show 50]
    .venv/bin/python -m benchmarks.identity_merges --snapshot /work/.mirror/dw-dengwei+daily-arXiv-ai-enhanced/repo

The inputs are read in the order given (a later input meets the papers of the earlier ones), each
by its own `import` run. ``--snapshot GITDIR``: the daily arXiv listings of a fetched
github.com/dw-dengwei/daily-arXiv-ai-enhanced snapshot (branch `data`, `data/YYYY-MM-DD.jsonl`, the
English files only; ``--days N`` for the first N), imported in one run, as
``paper-collection import data/*.jsonl`` would.
The taxonomy is the test suite's three-tag one (tags do not matter here), the tag model is off.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from paper_collection.collection.identity import IdentityIndex, paper_identity, reason_kind
from paper_collection.collection.model import Rejection
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.errors import GeneratorError
from paper_collection.ingest.importer import run_import
from paper_collection.ingest.readers.detect import read_input
from paper_collection.ingest.records import paper_from_record

TAXONOMY = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "model" / "taxonomy.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--show", type=int, default=50)
    parser.add_argument("--snapshot", type=Path, help="git dir of a daily-arXiv-ai-enhanced snapshot")
    parser.add_argument("--days", type=int, default=0, help="with --snapshot: only the first N days")
    parser.add_argument("--rule-only", action="store_true",
                        help="judge the records with the identity rule alone (no files written): fast, for big inputs")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="identity-"))
    try:
        if args.rule_only:
            days = _snapshot_days(args.snapshot, folder / "days", args.days) if args.snapshot else []
            paths = [*args.inputs, *days]
            _rule_only(paths, args.show)
            return
        runs = [[path] for path in args.inputs]
        if args.snapshot:
            runs.append(_snapshot_days(args.snapshot, folder / "days", args.days))
        papers = folder / "content" / "papers"
        papers.mkdir(parents=True)
        taxonomy = load_taxonomy(TAXONOMY)
        read = new = 0
        by_reason: collections.Counter = collections.Counter()
        merges: list[str] = []
        possible: list[str] = []  # the identity rule's: same title, kept apart
        near: list[str] = []  # near-identical titles (collection/similar.py)
        apart: list[str] = []
        refused: list[str] = []
        started = time.perf_counter()
        for paths in runs:
            try:
                report = run_import(paths, papers, taxonomy, added="2026-01-01", suggest=False)
            except GeneratorError as error:  # an input that needs --map, or is not a listing: said, skipped
                print(f"{paths[0]}: not read: {error}")
                continue
            for file in report.files:
                read += file.read
                new += len(file.new)
                by_reason.update(file.merged_by)
                merges += [line for line in file.merged + file.duplicate if ": same " in line or "(same " in line]
                possible += [note for note in file.notes if "possible duplicate:" in note and "same title, but" in note]
                near += [note for note in file.notes if "possible duplicate:" in note and "near-identical" in note]
                apart += [note for note in file.notes if "shares its title with" in note]
                refused += [r.reason for r in file.rejected if "matches two papers" in r.reason]
                if len(paths) == 1:
                    print(f"{paths[0]}: {file.render()[0].split(': ', 1)[1]}")
        inputs = sum(len(paths) for paths in runs)
        print(f"\nread {read} records from {inputs} inputs in {time.perf_counter() - started:.0f} s; new papers {new}; "
              f"judged one paper with a file: {sum(by_reason.values())}")
        for reason, count in by_reason.most_common():
            print(f"  {reason}: {count}")
        print(f"possible duplicates (same title, kept apart): {len(possible)}; near-identical titles noted: "
              f"{len(near)}; same title told apart by identifiers: {len(apart)}; refused (identifiers name two "
              f"papers): {len(refused)}")
        for title, items in (("merges", merges), ("possible duplicates", possible), ("near-identical titles", near),
                             ("told apart", apart), ("refused", refused)):
            if items:
                print(f"\n{title} (first {min(args.show, len(items))} of {len(items)}):")
                for item in items[: args.show]:
                    print("  " + re.sub(r"\s+", " ", item)[:300])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rule_only(paths: list[Path], show: int) -> None:
    """What the identity rule decides for every record, in input order, as the importer places them
    (`IdentityIndex.match`: merged into the paper it matches, else a paper of its own), without the
    rest of an import (no files, no tags): counts by reason, and the same-title pairs it keeps apart."""
    started = time.perf_counter()
    index = IdentityIndex()
    by_reason: collections.Counter = collections.Counter()
    read = papers = 0
    apart: list[str] = []
    possible: list[str] = []
    conflicts: list[str] = []
    for path in paths:
        _, result = read_input(path.read_text(encoding="utf-8"), path.name)
        for raw in result.records:
            paper = paper_from_record(raw)
            if isinstance(paper, Rejection):
                continue
            read += 1
            first = paper.authors[0] if paper.authors else "-"
            entry = _Judged(paper_identity(paper),
                            f"{path.name}:{raw.origin.line} {paper.arxiv or ''} {paper.title[:70]!r} ({first})")
            found = index.match(entry.identity)
            if found.conflict:
                conflicts.append(f"{entry.label} matches {', '.join(o.label for o, _ in found.conflict)}")
            elif found.same is not None:
                by_reason[reason_kind(found.reason)] += 1
                continue
            papers += 1
            index.add(entry)
            apart += [f"{entry.label} / {other.label}: {why}" for other, why in found.apart or ()]
            possible += [f"{entry.label} / {other.label}: {why}" for other, why in found.possible or ()]
    print(f"rule only: {read} records from {len(paths)} inputs in {time.perf_counter() - started:.0f} s; "
          f"papers {papers}; judged one paper with an earlier record: {sum(by_reason.values())}")
    for reason, count in by_reason.most_common():
        print(f"  {reason}: {count}")
    print(f"possible duplicates (same title, kept apart): {len(possible)}; same title told apart by identifiers: "
          f"{len(apart)}; refused (identifiers name two papers): {len(conflicts)}")
    for title, items in (("possible duplicates", possible), ("told apart", apart), ("refused", conflicts)):
        if items:
            print(f"\n{title} (first {min(show, len(items))} of {len(items)}):")
            for item in items[:show]:
                print("  " + re.sub(r"\s+", " ", item)[:300])


class _Judged:
    """A record as `_rule_only` indexes it: its identity and how to name it."""

    __slots__ = ("identity", "label")

    def __init__(self, identity, label: str) -> None:
        self.identity, self.label = identity, label


def _snapshot_days(gitdir: Path, folder: Path, days: int) -> list[Path]:
    """The snapshot's daily listings (English), written to `folder`, oldest first."""
    listed = subprocess.run(["git", "--git-dir", str(gitdir), "ls-tree", "-r", "--name-only", "data"],
                            check=True, capture_output=True, text=True).stdout.split()
    names = sorted(name for name in listed if re.fullmatch(r"data/\d{4}-\d{2}-\d{2}\.jsonl", name))
    folder.mkdir(parents=True)
    paths = []
    for name in names[:days] if days else names:
        path = folder / Path(name).name
        path.write_bytes(subprocess.run(["git", "--git-dir", str(gitdir), "show", f"data:{name}"], check=True,
                                        capture_output=True).stdout)
        paths.append(path)
    return paths


if __name__ == "__main__":
    main()
