"""Known-item search on real papers (issue 25): MRR@10 of the shipped ranking, by query kind, with
the bytes the first query loads and the time to its first result.

    .venv/bin/python -m benchmarks.search_quality --snapshot /work/.mirror/dw-dengwei+daily-arXiv-ai-enhanced/repo
    .venv/bin/python -m benchmarks.search_quality --snapshot GITDIR --papers 10000 --sample 100
    .venv/bin/python -m benchmarks.search_quality --records tests/fixtures/search/known_item.json

Papers: the first ``--papers`` distinct arXiv ids of the daily listings of a fetched
github.com/dw-dengwei/daily-arXiv-ai-enhanced snapshot (branch ``data``, ``data/YYYY-MM-DD.jsonl``,
English files only), with their title, authors and abstract. The search files are written by
``search.write_index`` (the `paper-search` plugin's own writer) from a site model of those papers,
in a temporary folder: no site build.

Queries (seed ``--seed``): for ``--sample`` papers, what a person recalling that one paper types:

- ``title-words``: 3-4 of the title's rarest words, in title order;
- ``title-start``: the title's first four words, more while another title starts with them or they
  hold fewer than 3 indexed words ("Would a Large Language" is two);
- ``title+author``: the title's rarest word and the first author's surname;
- ``abstract-words``: 3 of the 8 rarest words of the abstract that are not in the title (nor in a URL).

The ranking measured is the shipped one: ``paper-search.js`` (with ``lunr-pipeline.js``) runs in
headless Chromium on a page holding the search box's markup, served over local HTTP with the
search files; each query is typed into the box as a whole (so its last word is also completed as a
prefix, as while typing) and the result links are read from the list. MRR@10: the mean of 1/rank of
the recalled paper when in the top 10, else 0. Bytes and time: ``--cold`` queries, each in a fresh
browser context (nothing cached), from the keystrokes to the first result shown; bytes are what the
page fetched for search (manifest, lunr pipeline, term shards, document chunks; not paper-search.js,
which every page loads).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import Taxonomy
from paper_collection.site import search
from paper_collection.site.model import SiteModel, SiteSettings

ASSETS = Path(search.__file__).resolve().parent.parent / "theme" / "assets" / "javascripts" / "search"
KINDS = ("title-words", "title-start", "title+author", "abstract-words")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
URL = re.compile(r"\S*(?:https?://|www\.|\.com|\.org|\.io)\S*")
# The search box's markup (partials/search.html without Material's icons), for paper-search.js.
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>search</title>
<script id="__config" type="application/json">{"base": "."}</script></head><body>
<input type="checkbox" id="__search">
<div class="md-search" data-paper-search><form class="md-search__form" name="paper-search">
<input type="text" class="md-search__input" name="query" aria-label="Search"></form>
<div class="md-search-result"><div class="md-search-result__meta">Type to start searching</div>
<ol class="md-search-result__list"></ol></div>
<script src="assets/javascripts/search/paper-search.js" defer></script></div></body></html>
"""


def read_snapshot(gitdir: Path, limit: int) -> list[dict]:
    """The first `limit` distinct arXiv ids of the snapshot's English daily listings, oldest day first."""
    listed = subprocess.run(["git", "--git-dir", str(gitdir), "ls-tree", "-r", "--name-only", "data"],
                            check=True, capture_output=True, text=True).stdout.split()
    names = sorted(name for name in listed if re.fullmatch(r"data/\d{4}-\d{2}-\d{2}\.jsonl", name))
    seen: set[str] = set()
    records = []
    for name in names:
        blob = subprocess.run(["git", "--git-dir", str(gitdir), "show", f"data:{name}"], check=True,
                              capture_output=True, text=True).stdout
        for line in blob.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            arxiv = str(record.get("id") or "").strip()
            title = " ".join(str(record.get("title") or "").split())
            if not arxiv or not title or arxiv in seen:
                continue
            seen.add(arxiv)
            records.append({"id": arxiv, "title": title, "authors": [str(a) for a in record.get("authors") or []],
                            "abstract": " ".join(str(record.get("summary") or "").split())})
            if len(records) == limit:
                return records
    return records


def site_model(records: list[dict]) -> SiteModel:
    papers = {}
    for record in records:
        slug = "arxiv-" + re.sub(r"[^0-9a-z]+", "-", record["id"].lower())
        papers[slug] = Paper(slug=slug, title=record["title"], abstract=record["abstract"], tags=(),
                             added="2026-01-01", authors=tuple(record["authors"]), arxiv=record["id"])
    papers = dict(sorted(papers.items()))
    return SiteModel(settings=SiteSettings(name="search quality"), taxonomy=Taxonomy(tags=()), papers=papers,
                     newest=tuple(papers.values()), by_tag={}, tag_pages=(), urls={}, keys={}, related={})


def queries(model: SiteModel, sample: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, query, slug) for `sample` papers picked with `seed`."""
    analyzer = search.Analyzer()
    df: Counter[str] = Counter()
    for paper in model.papers.values():
        df.update(set(analyzer.terms(paper.title + " " + paper.abstract)))

    def words(text: str) -> list[tuple[str, str]]:
        out, stems = [], set()
        for word in WORD.findall(text):
            stem = analyzer.term(word.lower())
            if stem and len(word) >= 3 and stem not in stems:
                stems.add(stem)
                out.append((word, stem))
        return out

    starts: Counter[str] = Counter()
    for paper in model.papers.values():
        split = model.search_document(paper)["title"].lower().split()
        starts.update(" ".join(split[:size]) for size in range(4, min(len(split), 8) + 1))

    rng = random.Random(seed)
    picked = rng.sample(sorted(model.papers), min(sample, len(model.papers)))
    out = []
    for slug in picked:
        paper = model.papers[slug]
        shown = model.search_document(paper)  # the words as readers see them (no TeX markup)
        title = words(shown["title"])
        if not title:
            continue
        rarest = sorted(range(len(title)), key=lambda i: (df[title[i][1]], i))
        count = min(len(title), rng.choice((3, 4)))
        chosen = sorted(rarest[:count])
        out.append(("title-words", " ".join(title[i][0] for i in chosen), slug))
        # the first four words, and more while another title starts the same way (a person types on)
        start = shown["title"].split()
        size = 4
        while size < min(len(start), 8) and (starts[" ".join(start[:size]).lower()] > 1
                                             or len(analyzer.terms(" ".join(start[:size]))) < 3):
            size += 1
        out.append(("title-start", " ".join(start[:size]), slug))
        if paper.authors:
            surname = paper.authors[0].split()[-1]
            out.append(("title+author", f"{title[rarest[0]][0]} {surname}", slug))
        in_title = {stem for _, stem in title}
        rare = sorted((df[stem], word) for word, stem in words(URL.sub(" ", shown["abstract"]))
                      if stem not in in_title and len(word) >= 4)
        if len(rare) >= 3:
            pool = [word for _, word in rare[:8]]
            out.append(("abstract-words", " ".join(rng.sample(pool, 3)), slug))
    return out


def unique(model: SiteModel, asked: list[tuple[str, str, str]]) -> list[bool]:
    """Whether each query names its paper alone: the paper meets the query's own rule (its title
    holds the words, starts with them, its first author has the surname, it holds the abstract words)
    and no other paper does. "Bench Li" names 19 papers (titles with "-Bench" by a first author Li);
    "Guardrails He" names none, "he" being a stop word. MRR@10 1.0 is reachable on these only."""
    analyzer = search.Analyzer()
    title, first, every = {}, {}, {}
    by_title: dict[str, set[str]] = {}
    by_any: dict[str, set[str]] = {}
    for slug, paper in model.papers.items():
        shown = model.search_document(paper)
        title[slug] = analyzer.terms(shown["title"])
        first[slug] = set(analyzer.terms(paper.authors[0])) if paper.authors else set()
        every[slug] = set(analyzer.terms(" ".join(shown[name] for name in ("title", "tags", "authors", "abstract"))))
        for term in title[slug]:
            by_title.setdefault(term, set()).add(slug)
        for term in every[slug]:
            by_any.setdefault(term, set()).add(slug)

    def meets(kind: str, terms: list[str], slug: str) -> bool:
        if kind == "title-words":
            return set(terms) <= set(title[slug])
        if kind == "title-start":
            return title[slug][:len(terms)] == terms
        if kind == "title+author":
            return len(terms) == 2 and terms[0] in title[slug] and terms[1] in first[slug]
        return set(terms) <= every[slug]

    out = []
    for kind, query, slug in asked:
        terms = analyzer.terms(query)
        if not terms or not meets(kind, terms, slug):
            out.append(False)
            continue
        pool = set.intersection(*((by_any if kind == "abstract-words" else by_title).get(t, set())
                                  for t in (terms[:1] if kind == "title+author" else terms)))
        out.append(not any(meets(kind, terms, other) for other in pool if other != slug))
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


SEARCH = """async (query) => {
  const input = document.querySelector('.md-search__input');
  const meta = document.querySelector('.md-search-result__meta');
  input.value = query;
  input.dispatchEvent(new Event('input'));
  const start = performance.now();
  while (!/matching/i.test(meta.textContent)) {
    await new Promise(r => setTimeout(r, 5));
    if (performance.now() - start > 30000) throw new Error('no answer: ' + query);
  }
  return Array.from(document.querySelectorAll('.md-search-result__list a.md-search-result__link'))
    .map(a => decodeURIComponent(a.pathname.split('/').filter(Boolean).pop()));
}"""


def rank_all(url: str, asked: list[tuple[str, str, str]], browser) -> list[list[str]]:
    page = browser.new_page()
    page.goto(url)
    found = []
    for _, query, _ in asked:
        # clear the box and wait for the placeholder, so the next answer cannot be the previous one
        page.evaluate("""() => { const i = document.querySelector('.md-search__input'); i.value = '';
                         i.dispatchEvent(new Event('input')); }""")
        page.wait_for_function("() => /Type to start/.test("
                               "document.querySelector('.md-search-result__meta').textContent)")
        found.append(page.evaluate(SEARCH, query))
    page.close()
    return found


def part(url: str) -> str | None:
    """Which part of the search a fetched URL is (None: not search)."""
    path = url.split("?")[0]
    for name in ("lunr-pipeline.js", "paper-search.json", "/terms/", "/docs/"):
        if name in path:
            return name.strip("/")
    return None


def cold(url: str, asked: list[tuple[str, str, str]], browser, root: Path) -> list[tuple[float, Counter]]:
    """(seconds to the first result, bytes fetched per part of the search) per query, each in a
    fresh browser context; "gzip": the same files gzipped (GitHub Pages compresses JSON and JS)."""
    out = []
    for _, query, _ in asked:
        context = browser.new_context()
        page = context.new_page()
        fetched: Counter[str] = Counter()

        def count(response, fetched=fetched):
            name = part(response.url)
            if name:
                fetched[name] += int(response.headers.get("content-length", 0))
                path = root / response.url.split("?")[0][len(url):]
                fetched["gzip"] += len(gzip.compress(path.read_bytes(), mtime=0))

        page.on("response", count)
        page.goto(url)
        page.wait_for_load_state("load")
        start = time.perf_counter()
        page.click(".md-search__input")
        page.keyboard.insert_text(query)
        page.wait_for_selector(".md-search-result__list .md-search-result__item", state="visible")
        seconds = time.perf_counter() - start
        page.wait_for_load_state("networkidle")
        out.append((seconds, fetched))
        context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshot", type=Path, help="git directory of the snapshot")
    source.add_argument("--records", type=Path,
                        help='a JSON file {"papers": [{"id", "title", "authors", "abstract"}, ...]} instead')
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--cold", type=int, default=20, help="queries timed in a fresh browser")
    parser.add_argument("--keep", type=Path, help="write the search files here and keep them")
    parser.add_argument("--show", type=int, default=0, help="print up to N missed queries")
    parser.add_argument("--only-cold", action="store_true", help="time the cold queries only (no MRR)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: use the search files already there (only the scripts changed)")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.records:
        records = json.loads(args.records.read_text(encoding="utf-8"))["papers"][:args.papers]
    else:
        records = read_snapshot(args.snapshot, args.papers)
    model = site_model(records)
    read = time.perf_counter() - started
    root = args.keep or Path(tempfile.mkdtemp(prefix="search-quality-"))
    (root / "assets" / "javascripts").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS, root / "assets" / "javascripts" / "search", dirs_exist_ok=True)
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    cfg = SimpleNamespace(**{name: option.default for name, option in search.PaperSearchConfig._schema})
    started = time.perf_counter()
    kept = root / "search" / "stats.json"
    if args.reuse and args.keep and kept.exists():
        stats = json.loads(kept.read_text(encoding="utf-8"))
    else:
        stats = search.write_index(root / "search", model, cfg)
        stats.pop("memo", None)
        if args.keep:
            kept.write_text(json.dumps(stats), encoding="utf-8")
    indexed = time.perf_counter() - started
    asked = queries(model, args.sample, args.seed)

    from playwright.sync_api import sync_playwright

    server, url = serve(root)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
            found = [[] for _ in asked] if args.only_cold else rank_all(url, asked, browser)
            step = max(1, len(asked) // max(1, args.cold))
            timed = cold(url, asked[::step][:args.cold], browser, root) if args.cold else []
            browser.close()
    finally:
        server.shutdown()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    reciprocal: dict[str, list[float]] = {kind: [] for kind in KINDS}
    missed = []
    by_query: list[float] = []
    for (kind, query, slug), results in zip(asked, found, strict=True):
        rank = results[:10].index(slug) + 1 if slug in results[:10] else None
        reciprocal[kind].append(1 / rank if rank else 0.0)
        by_query.append(1 / rank if rank else 0.0)
        if rank != 1:
            missed.append((kind, query, slug, rank, results[:3]))
    everything = [r for values in reciprocal.values() for r in values]
    print(f"{len(model.papers):,} papers ({read:.1f} s to read), index written in {indexed:.1f} s: "
          f"{stats['terms_count']:,} terms in {stats['shards']:,} shards, "
          f"{(stats['manifest'] + stats['terms'] + stats['docs']) / 1e6:.1f} MB, "
          f"manifest {stats['manifest'] / 1e3:.1f} KB")
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, seed {args.seed}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if not args.only_cold:
        print()
        print("| query kind | queries | MRR@10 | first | in top 10 |")
        print("| --- | --- | --- | --- | --- |")
        for kind in KINDS:
            values = reciprocal[kind]
            if values:
                print(f"| {kind} | {len(values)} | {statistics.mean(values):.3f} | {sum(v == 1 for v in values)} "
                      f"| {sum(v > 0 for v in values)} |")
        print(f"| all | {len(everything)} | {statistics.mean(everything):.3f} | {sum(v == 1 for v in everything)} "
              f"| {sum(v > 0 for v in everything)} |")
        alone = unique(model, asked)
        named = [r for r, kept in zip(by_query, alone, strict=True) if kept]
        if named:
            print(f"| queries naming one paper (see `unique`) | {len(named)} | {statistics.mean(named):.3f} "
                  f"| {sum(v == 1 for v in named)} | {sum(v > 0 for v in named)} |")
    if timed:
        seconds = sorted(t for t, _ in timed)
        sizes = sorted(sum(v for k, v in b.items() if k != "gzip") for _, b in timed)
        print()
        print(f"cold first query ({len(timed)} queries, fresh browser context each): first result median "
              f"{statistics.median(seconds) * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms; search bytes median "
              f"{statistics.median(sizes) / 1000:.0f} KB, max {sizes[-1] / 1000:.0f} KB")
        parts = ("lunr-pipeline.js", "paper-search.json", "terms", "docs", "gzip")
        print("  median KB by part: " + ", ".join(
            f"{name} {statistics.median(b[name] for _, b in timed) / 1000:.0f}" for name in parts))
    for kind, query, slug, rank, top in ([] if args.only_cold else missed[:args.show]):
        print(f"  {kind}: {query!r} -> {slug} at {rank or '>10'}; top: {', '.join(top)}")
    if not args.only_cold and math.isnan(statistics.mean(everything)):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
