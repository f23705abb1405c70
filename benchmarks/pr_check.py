"""The paper-only pull request check (issue #24, item 5): the `papers` job of
.github/workflows/pull-request.yml at 1,000 papers, its steps read from the workflow and run as
GitHub runs them.

    .venv/bin/python -m benchmarks.pr_check            # --papers 1000 --runs 3

A collection of N generated papers (tests/fixtures/github/project/'s configuration; titles and
abstracts drawn from a fixed word list with a fixed seed, so every paper differs) is committed on
`main`; a contributor's branch adds one paper; GitHub's test merge (refs/pull/N/merge) is checked
out as actions/checkout does with the workflow's `fetch-depth: 2`, into a fresh folder each run
(no cache from an earlier run, as on a new runner). Then the job's steps run, each timed: `Check
the papers` (validate --base), `Build the site strictly`, `Summarise the papers in this pull
request` (pr-report). Not timed: checking out and installing (on GitHub, setup-python's pip cache
and the hash-locked install: see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.github_fixture import (  # noqa: E402 - the repository's test helpers, for the same git shapes
    checkout_like_actions,
    commit_file,
    git,
    make_pull_request_merge,
    new_project,
    paper_text,
    run_step,
    step_script,
    workflow_job,
)

STEPS = ("Check the papers", "Build the site strictly", "Summarise the papers in this pull request")
WORDS = ("segmentation images vision model learning transfer hospital scans labels tumour training data sparse "
         "dense attention graph policy robot language tokens generalize benchmark noise prior encoder decoder "
         "contrastive diffusion retrieval calibration shift domain adaptation few shot zero detection").split()


def generated_papers(count: int, seed: int = 24) -> dict[str, str]:
    rng = random.Random(seed)
    papers = {}
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9))).capitalize() + f" {number}"
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 160))).capitalize() + "."
        tags = ("vision", "segmentation") if number % 3 == 0 else ("vision",)
        papers[f"paper-{number:05d}.md"] = paper_text(title, abstract, tags=tags)
    return papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    job = workflow_job("pull-request.yml", "papers")
    scripts = {name: step_script(job, name) for name in STEPS}
    times: dict[str, list[float]] = {name: [] for name in STEPS}
    totals: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pr-check-bench-") as folder:
        origin = new_project(Path(folder) / "origin", generated_papers(args.papers))
        git(origin, "switch", "--quiet", "-c", "contribution")
        commit_file(origin, "a-new-paper-on-segmentation.md",
                    paper_text("A New Paper on Segmentation of Scans", "We segment scans from three hospitals with "
                               "twelve labelled images each, and transfer the model between them."),
                    "Add a paper", date="2026-02-01T10:00:00+00:00")
        make_pull_request_merge(origin, "contribution", 1, date="2026-02-02T10:00:00+00:00")
        for run in range(args.runs):
            checkout = checkout_like_actions(origin, Path(folder) / f"checkout-{run}", 1, 2)
            temp = Path(folder) / f"runner-temp-{run}"
            temp.mkdir()
            env = {"BASE_REF": "HEAD^1", "RUNNER_TEMP": str(temp), "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
                   "SITE_ARTIFACT_URL": "https://github.com/o/r/actions/runs/1/artifacts/2", "PR_NUMBER": "1",
                   "NO_MKDOCS_2_WARNING": "1"}
            total = 0.0
            for name in STEPS:
                started = time.perf_counter()
                result = run_step(checkout, scripts[name], env)
                elapsed = time.perf_counter() - started
                if result.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
                times[name].append(elapsed)
                total += elapsed
            totals.append(total)
            print(f"run {run + 1}: " + ", ".join(f"{name}: {times[name][-1]:.1f} s" for name in STEPS)
                  + f"; total {total:.1f} s", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    for name in STEPS:
        print(f"{name}: median {statistics.median(times[name]):.1f} s")
    print(f"the three steps: median {statistics.median(totals):.1f} s (runs {', '.join(f'{t:.1f}' for t in totals)})")


if __name__ == "__main__":
    main()
