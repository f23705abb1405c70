"""Update benchmark (issue 26): `update` finding 200 new papers over two arXiv API pages, into a
10,000-paper collection, with arXiv's 3 s between requests.

    .venv/bin/python -m benchmarks.update [--papers 10000] [--keep tagged|all]

1. a 10,000-paper collection: the scale benchmark's generated listing (`benchmarks/scale.py`,
   fixed seed) imported into an empty copy of the project (its taxonomy.yml), with the index cache
   written as any import leaves it;
2. one watch (`arxiv: "all:testing"`, `max: 200`), answered in this process (an httpx transport, no
   network) by two pages of 100 entries: page 1 is a real recorded arXiv API answer
   (tests/fixtures/watch/arxiv-q_testing_s0_m100_cfe7536492ca.json.gz; its README says where it came
   from), page 2 the same entries with other ids, titles
   and abstracts (no second recorded page of 100 exists), so all 200 are new;
3. `run_update` with the real LookupClient (3 s between requests, the politeness wait, is recorded by
   a sleep that does not sleep) and the real importer; timed: the whole update without the waits, and
   its parts: reading the collection (`CollectionIndex`, from the index cache an import leaves), deciding
   what is on topic (rules, and training the tag model once), and the import (`run_import_records`:
   identity, merging, tags, near-duplicates, writing the files and watch-state.yml).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.scale import generate
from paper_collection.collection.removed import RemovedIndex
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.ingest import update as update_module
from paper_collection.ingest.importer import run_import
from paper_collection.ingest.lookup.client import LookupClient, LookupSettings
from paper_collection.ingest.watch import Watch, WatchConfig

ROOT = Path(__file__).resolve().parent.parent
PAGE_100 = ROOT / "tests" / "fixtures" / "watch" / "arxiv-q_testing_s0_m100_cfe7536492ca.json.gz"


def recorded_page() -> str:
    """The recorded 100-entry page (tests/fixtures/watch/README.md says where it came from)."""
    return json.loads(gzip.decompress(PAGE_100.read_bytes()))["body"]


def second_page(body: str) -> str:
    """Page 1 with every entry made another paper: new id, title and abstract, no DOI (dates and authors kept)."""
    counter = iter(range(10_000, 20_000))

    def entry(match: re.Match) -> str:
        number = next(counter)
        text = re.sub(r"abs/[^<\"]+?v\d+", f"abs/2612.{number}v1", match.group(0))
        text = re.sub(r"<arxiv:doi[^>]*>[^<]*</arxiv:doi>|<link[^>]*title=\"doi\"[^>]*/>", "", text)
        text = re.sub(r"<title>", f"<title>Second look {number}: ", text, count=1)
        return re.sub(r"<summary>", f"<summary>A second look, number {number}, at what follows. ", text, count=1)

    return re.sub(r"<entry>.*?</entry>", entry, body, flags=re.S)


def run(papers: int, keep: str, work: Path | None = None) -> dict:
    page1 = recorded_page()
    page2 = second_page(page1)
    with tempfile.TemporaryDirectory(prefix="update-bench-") as tmp:
        project = Path(tmp) / "project"
        folder = project / "content" / "papers"
        made = 0.0
        if work is not None and (work / "content" / "papers").is_dir():  # a collection made by an earlier run
            shutil.copytree(work, project, symlinks=True)
        else:
            folder.mkdir(parents=True)
            for name in ("mkdocs.yml", "taxonomy.yml"):  # the tests' fixed copies: the example's may change
                shutil.copy(ROOT / "tests" / "fixtures" / "seed" / name, project / name)
            dump = project / "dump.txt"
            dump.write_text(generate(papers)[0], encoding="utf-8")
            started = time.perf_counter()
            run_import([dump], folder, load_taxonomy(project / "taxonomy.yml"), added="2026-11-01",
                       default_tag="language-models", listed_year=2024)
            made = time.perf_counter() - started
            if work is not None:
                shutil.copytree(project, work, symlinks=True)
        taxonomy = load_taxonomy(project / "taxonomy.yml")

        def answer(request: httpx.Request) -> httpx.Response:
            body = page1 if request.url.params.get("start") == "0" else page2
            return httpx.Response(200, text=body, headers={"content-type": "application/atom+xml"})

        waits: list[float] = []
        clock = [0.0]

        def sleep(seconds: float) -> None:  # the politeness wait, counted, not slept
            waits.append(seconds)
            clock[0] += seconds

        seconds: dict[str, float] = {}
        real = {name: getattr(update_module, name) for name in ("run_import_records", "CollectionIndex", "choose")}

        def timed(name):
            def call(*args, **kwargs):
                begun = time.perf_counter()
                try:
                    return real[name](*args, **kwargs)
                finally:
                    seconds[name] = time.perf_counter() - begun
            return call

        for name in real:
            setattr(update_module, name, timed(name))
        watch = Watch("testing", "arxiv", "all:testing", max=200)
        settings = LookupSettings(min_interval=3.0, cache_dir=None)
        client = LookupClient(settings, transport=httpx.MockTransport(answer), sleep=sleep,
                              clock=lambda: time.monotonic() + clock[0])
        try:
            started, cpu = time.perf_counter(), time.process_time()
            report = update_module.run_update(project, folder, taxonomy, WatchConfig((watch,), keep=keep), (watch,),
                                              client, today=dt.date(2026, 12, 7), since=dt.date(2000, 1, 1),
                                              removed=RemovedIndex())
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            for name, function in real.items():
                setattr(update_module, name, function)
            client.close()
        run_report = report.runs[0]
        if os.environ.get("UPDATE_BENCH_REPORT"):
            print(report.render())
        return {"papers": papers, "keep": keep, "collection_seconds": round(made, 1),
                "found": len(run_report.found), "new": report.new_count, "off_topic": len(run_report.off_topic),
                "requests": len(run_report.asked), "politeness_wait_seconds": sum(waits),
                "update_seconds_without_waits": round(total, 2), "update_cpu_seconds": round(cpu, 2),
                "load_average": os.getloadavg()[0],
                "reading_the_collection_seconds": round(seconds["CollectionIndex"], 2),
                "topic_decision_and_tag_model_seconds": round(seconds["choose"], 2),
                "import_seconds": round(seconds["run_import_records"], 2),
                "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, "
                           f"Python {platform.python_version()}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--keep", choices=["tagged", "all"], default="all")
    parser.add_argument("--work", type=Path, help="keep the generated collection here and reuse it next time")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.papers, args.keep, args.work), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
