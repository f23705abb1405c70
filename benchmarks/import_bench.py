"""Import benchmark: a realistic 10,000-paper listing dump into an empty collection, then one
more paper into that 10,000-paper collection, first without the importer's index cache (as after a
fresh clone: every paper file's front matter is read), then with it (as after any import or add).
Each is timed through the real command line (`python -m generator import`), median of 3 runs, and
the figures are printed.

    .venv/bin/python -m benchmarks.import_bench [--papers 10000] [--runs 3] [--no-default-tag]

As a reference measured in the same run (the machine is shared and noisy), it also times reading
and parsing the dump alone (no cleaning, tagging or writing), in this process. With
``--no-default-tag`` the import runs as a maintainer's would without flags: papers no rule matches
get the tag model's suggestions (trained on the rule-tagged papers of the same import).

The dump is generated from the seed listing (tests/fixtures/seed/huggingface-papers-mar-20.txt) with a fixed
random seed: titles are words and abstracts are sentences sampled from the seed abstracts, so
every paper is different and the text has the seed's vocabulary, length and LaTeX/URL residue.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paper_collection.ingest import index_cache

ROOT = Path(__file__).resolve().parent.parent
SEED_DUMP = ROOT / "tests" / "fixtures" / "seed" / "huggingface-papers-mar-20.txt"
SEED = 20240320
DEFAULT_TAG = "language-models"


def seed_abstracts() -> list[str]:
    """The seed listing's abstracts (its long paragraphs)."""
    blocks = [block.strip() for block in SEED_DUMP.read_text(encoding="utf-8").split("\n\n")]
    return [block for block in blocks if len(block) > 300]


def generate_listing(count: int, rng: random.Random) -> str:
    """A listing dump of `count` papers in the seed's page layout, all titles distinct."""
    abstracts = seed_abstracts()
    sentences = [s for a in abstracts for s in re.split(r"(?<=[.!?])\s+", a) if len(s.split()) >= 5]
    words = sorted({w.strip(".,;:()\"'") for s in sentences for w in s.split() if len(w) > 3 and w.isalpha()})
    lines = ["new", "", "Get trending papers in your email inbox!", "", "Subscribe", "",
             "byAK and the research community", ""]
    seen: set[str] = set()
    for number in range(count):
        if number % 250 == 0:
            lines += [f"Mar {1 + number // 250 % 28}", ""]
        while True:
            title_words = rng.sample(words, rng.randint(4, 11))
            title = " ".join(title_words).capitalize()
            if rng.random() < 0.4:
                title = f"{rng.choice(words).capitalize()}: {title}"
            if title.lower() not in seen:
                seen.add(title.lower())
                break
        abstract = " ".join(rng.sample(sentences, rng.randint(5, 12)))
        lines += [title, "", abstract, ""]
    return "\n".join(lines)


def make_root(base: Path) -> Path:
    root = Path(tempfile.mkdtemp(dir=base))
    for name in ("taxonomy.yml", "mkdocs.yml"):  # fixed inputs, whatever the example collection is
        shutil.copy(SEED_DUMP.parent / name, root / name)
    (root / "content" / "papers").mkdir(parents=True)
    return root


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_parse(dump: Path) -> tuple[float, float]:
    """(wall, CPU) seconds to read and parse the dump, the floor under any import."""
    from paper_collection.ingest.readers.detect import read_input
    from paper_collection.ingest.readers.text import decode_input

    start, cpu = time.perf_counter(), time.process_time()
    read_input(decode_input(dump.read_bytes(), dump.name), dump.name)
    return time.perf_counter() - start, time.process_time() - cpu


def timed_import(root: Path, dump: Path, default_tag: bool = True) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the import and its workers, the report's first lines)."""
    command = [sys.executable, "-m", "paper_collection", "--root", str(root), "import", str(dump),
               "--added", "2024-03-20", "--year", "2024", *(["--default-tag", DEFAULT_TAG] if default_tag else [])]
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"import failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed, _children_cpu() - cpu, " / ".join(result.stdout.splitlines()[:2])


def _figures(label: str, runs: list[tuple[float, float]]) -> str:
    wall = statistics.median(t for t, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    shown = ", ".join(f"{t:.2f}" for t, _ in runs)
    return f"{label}: median {wall:.2f} s wall, {cpu:.2f} s CPU (wall runs: {shown})"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--papers", type=int, default=10_000)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--no-default-tag", action="store_true",
                         help="import without --default-tag (the tag model suggests tags for what rules miss)")
    args = options.parse_args(argv)
    default_tag = not args.no_default_tag
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        dump = base / "listing-10k.txt"
        dump.write_text(generate_listing(args.papers, rng), encoding="utf-8")
        one = base / "one-more.txt"
        one.write_text(generate_listing(1, random.Random(SEED + 1)), encoding="utf-8")
        another = base / "another.txt"
        another.write_text(generate_listing(1, random.Random(SEED + 2)), encoding="utf-8")
        full, add_cold, add_one, parse, summary, one_summary, files = [], [], [], [], "", "", 0
        for _ in range(args.runs):
            parse.append(timed_parse(dump))
            root = make_root(base)
            *timing, summary = timed_import(root, dump, default_tag)
            full.append(tuple(timing))
            index_cache.cache_file(root / "content" / "papers").unlink(missing_ok=True)
            *timing, _ = timed_import(root, another, default_tag)
            add_cold.append(tuple(timing))
            *timing, one_summary = timed_import(root, one, default_tag)
            add_one.append(tuple(timing))
            files = len(list((root / "content" / "papers").glob("*.md")))
            shutil.rmtree(root)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
        print(f"dump: {args.papers} papers, {dump.stat().st_size / 1e6:.1f} MB; {summary.split(': ', 1)[-1]}")
        print(_figures("reference: reading and parsing the dump only", parse))
        print(_figures("full import into an empty collection", full))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of an import process: {peak:.0f} MB")
        print(_figures(f"adding one paper to the {files - 2}-paper collection, no index cache", add_cold))
        print(_figures(f"adding one paper to the {files - 1}-paper collection", add_one))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
