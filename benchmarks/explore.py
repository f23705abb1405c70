"""Explorer benchmark (issue 12): the explorer page at 10,110 papers in headless Chromium.

    .venv/bin/python -m benchmarks.explore [--papers 10110] [--runs 5] [--real]

1. Build the small browsing fixture (tests/browse_fixture.py) with the real generator, for the
   page, theme and scripts as served.
2. Make N synthetic papers (titles from the seed listing's words, as benchmarks/scale.py does;
   fixed seed) in two shapes: "listing" (title, tags, date: what a listing dump gives, like the
   bundled collection) and "full" (plus 2-6 authors from a pool of 6,000 names, a year, a venue for
   60%, a code link for 30%: what arXiv or BibTeX sources give). Write their explorer data
   (explore/facets.json, title and citation chunks) with generator/site/explore.py into the built
   site, timing that step (the build time the explorer adds), and time the author index and the
   statistics charts too; the page's own first 50 rows become those of the synthetic papers.
3. For each shape, --runs fresh browser contexts open /explore/ from a plain static server
   (no compression): time until the first rows are visible and until the filters are live, bytes
   transferred until then (response bodies as served); then the redraw time of filter and sort
   changes (the click or keystroke handler until the rows are drawn, title chunks fetched if
   needed, and the next frame), median per kind of change, and the bytes transferred by the end.

With --real, one shape instead: "real", the first N arXiv papers of benchmarks/real_corpus.py
(titles and author lists as listed: 50,000 papers have about 137,000 distinct names; year from the
arXiv id), each given 1-4 of the seed taxonomy's tags (fixed seed), as benchmarks/explore_bytes.py
makes them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import lxml.html
from mkdocs.utils import get_relative_url

from benchmarks.scale import generate
from paper_collection.collection.model import Link
from paper_collection.collection.paper import Paper
from paper_collection.collection.slugs import unique_slug
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.site import authors, citation, explore, stats
from paper_collection.site.model import newest_first
from paper_collection.site.render import environment
from tests.browse_fixture import build_browse_site
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, SEED_TAXONOMY, serve

FIRST = "first rows visible"
READY = "filters live"
SEED = 12
GIVEN = ["Ada", "Alan", "Grace", "Bernd", "Jürgen", "Mei", "Ravi", "Sofia", "Olu", "Yuki", "Lena", "Omar", "Chloé",
         "Ivan", "Priya", "Tomás", "Hannah", "Kwame", "Zoë", "Marek"]
FAMILY = ["Lovelace", "Turing", "Hopper", "Götz", "Schmidhuber", "Chen", "Patel", "García", "Okafor", "Tanaka",
          "Müller", "Haddad", "Dubois", "Petrov", "Sharma", "Silva", "Becker", "Mensah", "Kowalski", "Nguyen"]
VENUES = [f"{name} {year}" for name in ("NeurIPS", "ICML", "ICLR", "CVPR", "ACL", "EMNLP", "AAAI", "JMLR", "TMLR",
                                         "Nature Machine Intelligence") for year in (2022, 2023, 2024, 2025)]


def synthetic(count: int, tags: list[str], full: bool) -> list[Paper]:
    rng = random.Random(SEED)
    _, pairs = generate(count)
    pool = [f"{g}{'' if n == 0 else ' ' + chr(65 + n % 26) + '.'} {f}{'' if n < 26 else '-' + str(n)}"
            for n in range(15) for g in GIVEN for f in FAMILY][:6000]
    taken: set[str] = set()
    papers = []
    for i, (title, abstract) in enumerate(pairs):
        slug = unique_slug(title, taken)
        taken.add(slug)
        added = f"2026-{1 + i * 12 // count:02d}-{1 + i % 28:02d}"
        extra = {}
        if full:
            extra = {"authors": tuple(rng.sample(pool, rng.randint(2, 6))), "year": rng.randint(2015, 2025),
                     "venue": rng.choice(VENUES) if rng.random() < 0.6 else None,
                     "links": (Link("code", f"https://github.com/example/repo{i}"),) if rng.random() < 0.3 else ()}
        papers.append(Paper(slug=slug, title=title, abstract=abstract, tags=tuple(rng.sample(tags, rng.randint(1, 4))),
                            added=added, **extra))
    return papers


def real(count: int, tags: list[str]) -> list[Paper]:
    """Real arXiv papers (explore_bytes.corpus), their categories replaced by the seed taxonomy's tags."""
    from benchmarks.explore_bytes import corpus

    rng = random.Random(SEED)
    return [dataclasses.replace(p, tags=tuple(rng.sample(tags, rng.randint(1, 4)))) for p in corpus(count)[0]]


def write_data(site: Path, papers: list[Paper], taxonomy) -> dict[str, float]:
    """Replace the fixture's explorer data with the synthetic collection's; time what the build adds."""
    timings = {}
    newest = newest_first(papers)
    start = time.perf_counter()
    index = authors.build_index(newest)
    timings["author index"] = time.perf_counter() - start
    start = time.perf_counter()
    keys = citation.bibtex_keys(papers)
    files = explore.explore_files(newest, [(t.name, t.title) for t in taxonomy.tags], keys, index.name_of)
    timings["explorer data and citations"] = time.perf_counter() - start
    start = time.perf_counter()
    stats.charts(papers, {t.name: t.title for t in taxonomy.tags})
    timings["statistics charts"] = time.perf_counter() - start
    for folder in ("cite", "titles"):
        shutil.rmtree(site / "explore" / folder, ignore_errors=True)
    for path, content in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(content)
    replace_first_rows(site / "explore" / "index.html", newest, {t.name: t.title for t in taxonomy.tags})
    timings["facets.json bytes"] = len(files[explore.FACETS])
    timings["title chunk bytes"] = sum(len(c) for p, c in files.items() if p.startswith("explore/titles/"))
    timings["title chunks"] = sum(1 for p in files if p.startswith("explore/titles/"))
    timings["citation chunks"] = sum(1 for p in files if p.startswith("explore/cite/"))
    return timings


def replace_first_rows(page: Path, newest: list[Paper], tag_titles: dict[str, str]) -> None:
    """The fixture page's own rows (those of its 6 papers) become the synthetic collection's newest 50,
    rendered by the explorer's template, so that the page weighs what it would at this size."""
    env = environment(ROOT / "generator" / "theme" / "collection")
    body = explore.render_page(env, newest, tag_titles, lambda target: get_relative_url(target, "explore/"))
    rows = lxml.html.fragment_fromstring(body, create_parent="div").get_element_by_id("explore-list")
    document = lxml.html.fromstring(page.read_bytes())
    old = document.get_element_by_id("explore-list")
    old.getparent().replace(old, rows)
    page.write_bytes(lxml.html.tostring(document, doctype="<!doctype html>", encoding="utf-8"))


REDRAW = """async (action) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  await frame();
  performance.clearMeasures();
  const start = performance.now();
  if (action === 'none') {
    // the reference: a frame with no change, under the same load
  } else if (action === 'type') {
    const q = document.getElementById('explore-q');
    q.value = 'learning mod';
    q.dispatchEvent(new Event('input', {bubbles: true}));
  } else if (action === 'sort') {
    const s = document.getElementById('explore-sort');
    s.value = 'title';
    s.dispatchEvent(new Event('change', {bubbles: true}));
  } else {
    document.querySelector(action).click();
  }
  await frame();
  const drawn = performance.now() - start;
  await window.paperCollectionExplorerDrawn();  // the titles of rows that waited for their chunk
  await frame();
  return [drawn, performance.now() - start];
}"""
BYTES = """() => performance.getEntriesByType('navigation')[0].encodedBodySize +
  performance.getEntriesByType('resource').reduce((sum, r) => sum + r.encodedBodySize, 0)"""


LOAD = """() => {
  const fcp = performance.getEntriesByName('first-contentful-paint')[0].startTime;
  const ready = performance.getEntriesByName('explore:ready')[0].startTime;
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const bytes = (until) => nav.encodedBodySize + resources.filter(r => r.responseEnd <= until)
    .reduce((sum, r) => sum + r.encodedBodySize, 0);
  return {fcp, ready, fcpBytes: bytes(fcp), readyBytes: bytes(ready)};
}"""
SCRIPT_TIME = """() => performance.getEntriesByType('measure').reduce((sum, e) => sum + e.duration, 0)"""


CHROME_COUNTERS = {"ScriptDuration": "script", "RecalcStyleDuration": "style", "LayoutDuration": "layout"}


def chrome_counters(cdp) -> dict[str, float]:
    """Chrome's own totals (seconds) of script, style and layout work in the page (CDP Performance)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {label: metrics[name] for name, label in CHROME_COUNTERS.items()}


def measure(site: Path, runs: int) -> dict:
    """First paint (the page's own rows), filters live, bytes (as served, uncompressed) until each;
    redraw per change: the handler's script time (performance.measure in explore.js) and the time
    to the next frame (style, layout, paint included)."""
    from playwright.sync_api import sync_playwright

    loads, redraws, titles, scripts, chrome = [], {}, {}, {}, {}
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Without JavaScript the page's own rows are on the first screen.
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}explore/")
        first_row_top = page.eval_on_selector(".explore-row", "e => e.getBoundingClientRect().top")
        viewport = page.evaluate("innerHeight")
        context.close()
        # The timed runs, then one more with Chrome's counters on (CDP's Performance domain slows frames).
        for run in range(runs + 1):
            counting = run == runs
            context = browser.new_context()
            # The text filter fetches every title chunk (500 at 50,000 papers): keep them all counted
            # (Chromium's resource timing buffer holds 250 entries by default).
            context.add_init_script("performance.setResourceTimingBufferSize(100000)")
            page = context.new_page()
            cdp = context.new_cdp_session(page) if counting else None
            if cdp:
                cdp.send("Performance.enable")
            page.goto(f"{base}explore/")
            page.wait_for_selector("#explore.explore--ready", timeout=30_000)
            timing = page.evaluate(LOAD)
            if not counting:
                loads.append({FIRST: timing["fcp"], READY: timing["ready"], "bytes at first rows": timing["fcpBytes"],
                              "bytes when live": timing["readyBytes"]})
            changes = {
                "no change (reference)": "none",
                "tag on": "#explore-controls input[value='benchmarks']",
                "second tag (any)": "#explore-controls input[value='language-models']",
                "venue on": "#explore-controls .explore-facet--venues input[type=checkbox]",
                "code on": "#explore-code",
                "sort by title": "sort",
                "text filter": "type",
                "clear all": ".explore-reset",
            }
            for name, selector in changes.items():
                if selector not in ("type", "sort", "none") and page.locator(selector).count() == 0:
                    continue
                if cdp:
                    before = chrome_counters(cdp)
                    page.evaluate(REDRAW, selector)
                    after = chrome_counters(cdp)
                    chrome[name] = {counter: 1000 * (value - before[counter]) for counter, value in after.items()}
                    continue
                drawn, titled = page.evaluate(REDRAW, selector)
                redraws.setdefault(name, []).append(drawn)
                titles.setdefault(name, []).append(titled)
                scripts.setdefault(name, []).append(page.evaluate(SCRIPT_TIME))
            if not counting:
                loads[-1]["bytes after the changes"] = page.evaluate(BYTES)
            context.close()
        browser.close()
    median = {key: statistics.median(run[key] for run in loads) for key in loads[0]}
    return {"load": median, "load runs": loads, "first row top px (no JS)": first_row_top, "viewport px": viewport,
            "redraw ms": {k: statistics.median(v) for k, v in redraws.items()},
            "titles shown ms": {k: statistics.median(v) for k, v in titles.items()},
            "script ms": {k: statistics.median(v) for k, v in scripts.items()},
            "chrome ms (one run)": {k: {c: round(v, 1) for c, v in counters.items()} for k, counters in chrome.items()},
            "redraw runs": redraws}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_110)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--real", action="store_true", help="real arXiv papers (benchmarks/real_corpus.py)")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", file=sys.stderr)
    taxonomy = load_taxonomy(SEED_TAXONOMY)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        print("building the fixture site ...", file=sys.stderr)
        site = build_browse_site(Path(tmp) / "project")
        for shape in ("real",) if args.real else ("listing", "full"):
            print(f"{shape}: {args.papers} papers ...", file=sys.stderr)
            papers = real(args.papers, taxonomy.names) if shape == "real" else \
                synthetic(args.papers, taxonomy.names, full=shape == "full")
            build = write_data(site, papers, taxonomy)
            print(f"{shape}: measuring in Chromium, {args.runs} runs ...", file=sys.stderr)
            results[shape] = {"build": build, **measure(site, args.runs)}
    text = json.dumps(results, indent=2, ensure_ascii=False)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    for shape, result in results.items():
        load = result["load"]
        build = result["build"]
        print(f"\n{shape}: facets.json {build['facets.json bytes'] / 1e6:.3f} MB, "
              f"{build['title chunks']} title chunks {build['title chunk bytes'] / 1e6:.2f} MB; "
              f"first rows {load[FIRST]:.0f} ms, {load['bytes at first rows'] / 1e6:.2f} MB; "
              f"filters live {load[READY]:.0f} ms, {load['bytes when live'] / 1e6:.2f} MB; "
              f"after the changes {load['bytes after the changes'] / 1e6:.2f} MB")
        print(f"  first row at {result['first row top px (no JS)']:.0f} px of {result['viewport px']} (no JS)")
        for label, key in (("redraw to next frame", "redraw ms"), ("until every title shows", "titles shown ms"),
                           ("script per change", "script ms")):
            print(f"  {label} (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in result[key].items()))
        print("  Chrome's counters per change (ms, one extra run): " + "; ".join(
            f"{k} " + ", ".join(f"{c} {v:.1f}" for c, v in counters.items())
            for k, counters in result["chrome ms (one run)"].items()))
        print("  build step (s): " + ", ".join(f"{k} {v:.2f}" for k, v in result["build"].items()
                                                if isinstance(v, float)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
