"""`enrich` at 10,000 papers (issue #24, item 6), against recorded responses served on 127.0.0.1.

    .venv/bin/python -m benchmarks.enrich_scale            # --papers 10000 --runs 1

The collection: N paper files lacking authors, dates and links (tests/fixtures/github/project/'s
configuration): 70% with an arXiv id, 20% with a DOI, 10% with only a title. The services: one
local server answering as the arXiv API and Crossref do, built from the recorded responses in
tests/fixtures/lookup/ (README there says where each came from): an arXiv `id_list` query gets the
recorded Bethe-lattice entry once per id asked, with that id, the paper's title and a DOI of its
own; a Crossref `/works/DOI` gets the recorded work with that DOI and title; a title search gets
the recorded empty arXiv feed, and Crossref's `query.title` a work list with no items (the recorded
work's envelope, emptied). The politeness wait is 0 (`--min-interval 0`) and the HTTP cache off, so
the time is the generator's own; the requests each service got are counted, to say how long the
same run takes at the real politeness wait (3 s between two requests to one service).

Timed, each through the real command: the first weekly run (every paper due, no time limit); the
next run (every paper asked about within 28 days: nothing to ask); and a run cut short by
`--time-limit`, to show it still writes what it found.
"""

from __future__ import annotations

import argparse
import copy
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "fixtures" / "github" / "project"
LOOKUP = ROOT / "tests" / "fixtures" / "lookup"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
POLITE_INTERVAL = 3.0


def make_collection(root: Path, count: int) -> dict[str, str]:
    """The project with `count` paper files; returns each identifier's title (arXiv id or DOI)."""
    from paper_collection.collection import frontmatter

    shutil.copytree(PROJECT, root)
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    titles: dict[str, str] = {}
    for number in range(count):
        title = f"Benchmark paper {number} on segmentation of images"
        meta: dict = {"title": title, "tags": ["vision"], "added": "2026-01-01"}
        kind = number % 10
        if kind < 7:
            meta["arxiv"] = f"2401.{number:05d}"
            titles[meta["arxiv"]] = title
        elif kind < 9:
            meta["doi"] = f"10.5555/bench.{number}"
            titles[meta["doi"]] = title
        (papers / f"benchmark-paper-{number:05d}.md").write_text(
            frontmatter.dump(meta, f"The abstract of benchmark paper {number}, on images."), encoding="utf-8")
    return titles


class Recorded:
    """The recorded answers, and how to give each paper its own."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles
        feed = etree.parse(str(LOOKUP / "arxiv-1111.2011v2.xml")).getroot()
        self.entry = feed.find(f"{ATOM}entry")
        feed.remove(self.entry)
        self.feed = feed
        self.empty_feed = json.loads((LOOKUP / "arxiv-id_0000.0000.json").read_text(encoding="utf-8"))["body"]
        self.work = json.loads((LOOKUP / "crossref-10.17705_1cais.04607.json").read_text(encoding="utf-8"))
        self.counts = {"arxiv ids": 0, "arxiv title": 0, "crossref doi": 0, "crossref title": 0}
        self.lock = threading.Lock()

    def arxiv_ids(self, ids: list[str]) -> bytes:
        feed = copy.deepcopy(self.feed)
        for arxiv_id in ids:
            if arxiv_id not in self.titles:
                continue
            entry = copy.deepcopy(self.entry)
            entry.find(f"{ATOM}id").text = f"http://arxiv.org/abs/{arxiv_id}v1"
            entry.find(f"{ATOM}title").text = self.titles[arxiv_id]
            entry.find(f"{ARXIV_NS}doi").text = f"10.5555/arxiv.{arxiv_id}"
            for link in entry.findall(f"{ATOM}link"):
                if link.get("title") == "doi":
                    link.set("href", f"http://dx.doi.org/10.5555/arxiv.{arxiv_id}")
                elif link.get("rel") == "alternate":
                    link.set("href", f"http://arxiv.org/abs/{arxiv_id}v1")
                elif link.get("title") == "pdf":
                    link.set("href", f"http://arxiv.org/pdf/{arxiv_id}v1")
            feed.append(entry)
        return etree.tostring(feed, xml_declaration=True, encoding="UTF-8")

    def crossref_work(self, doi: str) -> bytes | None:
        if doi not in self.titles:
            return None
        work = copy.deepcopy(self.work)
        work["message"]["DOI"] = doi
        work["message"]["title"] = [self.titles[doi]]
        return json.dumps(work).encode("utf-8")

    def crossref_empty_list(self) -> bytes:
        return json.dumps({"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                           "message": {"items": [], "total-results": 0, "items-per-page": 5}}).encode("utf-8")


def serve(recorded: Recorded) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def count(self, what: str) -> None:
            with recorded.lock:
                recorded.counts[what] += 1

        def do_GET(self):
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path == "/arxiv/query" and "id_list" in query:
                self.count("arxiv ids")
                return self.answer(200, recorded.arxiv_ids(query["id_list"][0].split(",")), "application/atom+xml")
            if url.path == "/arxiv/query":
                self.count("arxiv title")
                return self.answer(200, recorded.empty_feed.encode("utf-8"), "application/atom+xml")
            if url.path == "/crossref/works" and "query.title" in query:
                self.count("crossref title")
                return self.answer(200, recorded.crossref_empty_list(), "application/json")
            if url.path.startswith("/crossref/works/"):
                self.count("crossref doi")
                body = recorded.crossref_work(unquote(url.path[len("/crossref/works/"):]))
                if body is None:
                    return self.answer(404, b"Resource not found.", "text/plain")
                return self.answer(200, body, "application/json")
            return self.answer(404, b"not found", "text/plain")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def enrich(root: Path, base: str, *extra: str) -> tuple[float, subprocess.CompletedProcess]:
    command = [sys.executable, "-m", "paper_collection", "--root", str(root), "enrich", "--recheck-days", "28",
               "--min-interval", "0", "--no-cache", "--arxiv-api", f"{base}/arxiv/query",
               "--crossref-api", f"{base}/crossref", *extra]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PAPER_COLLECTION_MAILTO": ""})
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"enrich failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed, result


def polite_minutes(counts: dict[str, int]) -> float:
    """Minutes the same requests take at the real wait: one request per 3 s to each service; the two
    services are asked in turn, so the busier one sets the pace."""
    arxiv = counts["arxiv ids"] + counts["arxiv title"]
    crossref = counts["crossref doi"] + counts["crossref title"]
    return max(arxiv, crossref) * POLITE_INTERVAL / 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--cut", type=float, default=20.0, help="the --time-limit of the cut-short run (seconds)")
    args = parser.parse_args()
    first, again, counts = [], [], {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="enrich-bench-") as folder:
            root = Path(folder) / "project"
            titles = make_collection(root, args.papers)
            recorded = Recorded(titles)
            server = serve(recorded)
            base = f"http://127.0.0.1:{server.server_address[1]}"
            elapsed, result = enrich(root, base)
            first.append(elapsed)
            counts = dict(recorded.counts)
            summary = result.stdout.splitlines()[-1]
            elapsed, result = enrich(root, base)
            again.append(elapsed)
            summary_again = result.stdout.splitlines()[-1]
            (root / "enrich-asked.json").unlink()
            for path in (root / "content" / "papers").glob("*.md"):  # due again, fields missing again
                path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                                          if not line.startswith(("authors:", "- ", "  url:", "year:", "month:",
                                                                  "day:", "venue:", "links:", "doi: 10.5555/arxiv")))
                                + "\n", encoding="utf-8")
            cut_elapsed, result = enrich(root, base, "--time-limit", str(args.cut))
            summary_cut = result.stdout.splitlines()[-1]
            server.shutdown()
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print(f"first run, every paper due: median {statistics.median(first):.1f} s (runs "
          f"{', '.join(f'{t:.1f}' for t in first)}); {summary}")
    print(f"requests: {counts}; at the real wait ({POLITE_INTERVAL:g} s per service): "
          f"{polite_minutes(counts):.0f} min")
    print(f"next run, nothing due: median {statistics.median(again):.1f} s; {summary_again}")
    print(f"run cut at --time-limit {args.cut:g}: {cut_elapsed:.1f} s; {summary_cut}")


if __name__ == "__main__":
    main()
