"""How soon `python -m generator serve` shows an edited paper (issue 13: ≤ 5 s after the save).

    .venv/bin/python -m benchmarks.scale --papers 10000 --with-seed --runs 1 --no-browser --keep WORK
    .venv/bin/python -m benchmarks.serve_edit WORK/project [--edits 5] [--json OUT]

Starts the preview on the collection, waits for its first build, then edits one paper's abstract
at a time (a different paper each time, spread over the collection), and measures from the save
to the moment the served page carries the edit, polling every 50 ms; also until the search index
has it. The files are put back at the end. Prints each edit and the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(url: str, text: str | None, deadline: float, interval: float = 0.05) -> float:
    while time.monotonic() < deadline:
        body = fetch(url)
        if body is not None and (text is None or text in body):
            return time.monotonic()
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    papers = sorted((args.project / "content" / "papers").glob("*.md"))
    chosen = [papers[(i + 1) * len(papers) // (args.edits + 1)] for i in range(args.edits)]
    originals = {path: path.read_bytes() for path in chosen}
    port = free_port()
    log = (args.project / "serve-benchmark.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "paper_collection", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                               cwd=args.project, stdout=log, stderr=log, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    rows = []
    try:
        base = f"http://127.0.0.1:{port}/"
        probe = fetch_base = None
        deadline = time.monotonic() + 3600
        while fetch_base is None:
            for prefix in ("", "paper-collection/"):
                probe = f"{base}{prefix}papers/{chosen[0].stem}/"
                if fetch(probe) is not None:
                    fetch_base = f"{base}{prefix}"
                    break
            else:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the preview never came up; see serve-benchmark.log")
                time.sleep(1)
        first = time.monotonic() - started
        print(json.dumps({"first_build_s": round(first, 2)}), flush=True)
        for n, path in enumerate(chosen):
            marker = f"Benchmark edit number {n} zqx"
            time.sleep(2)  # let the watcher settle after the previous build
            load = os.getloadavg()[0]
            saved = time.monotonic()
            path.write_bytes(originals[path].replace(b"\n---\n", f"\n---\n{marker}. ".encode(), 1))
            shown = wait_for(f"{fetch_base}papers/{path.stem}/", marker, saved + 600)
            chunks = [f"{fetch_base}search/docs/{i}.json" for i in range(len(papers) // 16 + 1)]
            index = papers.index(path)
            searched = wait_for(chunks[index // 16], marker, saved + 600, interval=0.2)
            row = {"edit": n + 1, "load": round(load, 2), "page_s": round(shown - saved, 2),
                   "search_s": round(searched - saved, 2)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
        process.terminate()
        process.wait(timeout=60)
        log.close()
    summary = {"papers": len(papers), "edits": rows, "first_build_s": round(first, 2),
               "median_page_s": statistics.median(r["page_s"] for r in rows),
               "median_search_s": statistics.median(r["search_s"] for r in rows)}
    print(json.dumps({k: v for k, v in summary.items() if k != "edits"}))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
