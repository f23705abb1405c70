"""Map benchmark (issue 12): the build time the collection map adds, at 110, 1,000 and 10,110 papers,
and the map page at 10,110 papers in headless Chromium.

    .venv/bin/python -m benchmarks.map [--sizes 110 1000 10110] [--runs 3] [--browser-runs 5] [--json OUT]

1. Build time, per size, on the explorer benchmark's synthetic papers (benchmarks/explore.py: titles
   and abstracts from the seed listing's words and sentences, fixed seed), median of --runs:
   - reference, same run: related papers from scratch (`related.related_with_space`: TF-IDF + top k);
   - the map when related papers were computed in the same build (a title or abstract changed):
     SVD + t-SNE on the shared TF-IDF space, and the data file;
   - the map alone (related papers read from their cache, the map's not): TF-IDF fitted again too;
   - the map with its cache warm (no title or abstract changed): reading the cached layout.
2. The page at 10,110 papers: the browsing fixture (tests/browse_fixture.py) is built with the real
   generator for the page, theme and scripts as served; its explorer data and map data are then
   replaced by those of the synthetic papers ("full" shape: authors, years, venues, code links).
   --browser-runs fresh browser contexts open /map/ from a plain static server (no compression):
   time until the map is drawn (performance.mark "map:drawn"), bytes transferred until then and
   once the network is idle (response bodies as served); then a word typed into the find box (a
   text filter reads every title: all title chunks are fetched) and the bytes once idle again.
3. --quality: how well the layout keeps neighbourhoods, on benchmarks/related.py's synthetic papers
   (each drawn from one seed paper's words: topics): the share of each paper's 10 nearest papers in
   the SVD space that are among its 10 nearest on the map, for the schedule used and for openTSNE's
   defaults (perplexity 30, 250 + 500 iterations), with the time each takes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.explore import synthetic, write_data
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.site import cache, collection_map, explore, related
from paper_collection.site.model import newest_first
from tests.browse_fixture import build_browse_site
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, SEED_TAXONOMY, serve


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def build_times(papers, runs: int, tags: list[str]) -> dict[str, float]:
    newest = newest_first(papers)
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for run in range(runs):
            print(f"  run {run + 1}/{runs} ...", file=sys.stderr)
            seconds, (_, space) = timed(related.related_with_space, papers, 5)
            times.setdefault("related papers (reference)", []).append(seconds)
            cache._remember_space(papers, space)
            for old in cache.cache_dir(root).glob("map-*.json"):
                old.unlink()
            seconds, _ = timed(collection_map.map_files, root, newest, tags, "bench")
            times.setdefault("map, TF-IDF shared with related papers", []).append(seconds)
            for old in cache.cache_dir(root).glob("map-*.json"):
                old.unlink()
            seconds, _ = timed(collection_map.map_files, root, newest, tags, "bench")
            times.setdefault("map alone (TF-IDF fitted again)", []).append(seconds)
            seconds, files = timed(collection_map.map_files, root, newest, tags, "bench")
            times.setdefault("map, cache warm", []).append(seconds)
    result = {name: statistics.median(values) for name, values in times.items()}
    result["points.json bytes"] = len(files[collection_map.DATA])
    return result


DRAWN = """() => {
  const drawn = performance.getEntriesByName('map:drawn')[0].startTime;
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const bytes = (until) => nav.encodedBodySize + resources.filter(r => r.responseEnd <= until)
    .reduce((sum, r) => sum + r.encodedBodySize, 0);
  return {drawn, bytesDrawn: bytes(drawn), bytesAll: bytes(Infinity),
          files: [nav, ...resources].map(r => [r.name.replace(location.origin, ''), r.encodedBodySize])};
}"""


def open_map(browser, base: str, **context_options):
    """A fresh context's page on the map, drawn and idle, and what it loaded until then (DRAWN)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    # room for every title chunk in the resource timings (the default keeps 250 entries)
    page.add_init_script("performance.setResourceTimingBufferSize(5000)")
    page.goto(f"{base}map/")
    page.wait_for_selector("#map.map--ready", timeout=120_000)
    page.wait_for_load_state("networkidle")
    return context, page, page.evaluate(DRAWN)


HIGHLIGHTED = "() => / papers highlighted/.test(document.getElementById('map-summary').textContent)"


def measure_page(site: Path, runs: int, word: str) -> dict:
    """The map page opened `runs` times; in each, `word` typed into the find box once the page is idle."""
    from playwright.sync_api import sync_playwright

    loads, queries = [], []
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context, page, load = open_map(browser, base)
            loads.append(load)
            start = time.perf_counter()
            page.fill("#map-q", word)
            page.wait_for_function(HIGHLIGHTED, timeout=60_000)
            seconds = time.perf_counter() - start
            page.wait_for_load_state("networkidle")
            queries.append({"ms": seconds * 1000, "summary": page.inner_text("#map-summary"), **page.evaluate(DRAWN)})
            context.close()
        browser.close()
    return {"map drawn ms": statistics.median(r["drawn"] for r in loads),
            "bytes until drawn": statistics.median(r["bytesDrawn"] for r in loads),
            "bytes once idle": statistics.median(r["bytesAll"] for r in loads),
            "runs ms": [round(r["drawn"]) for r in loads], "files": loads[-1]["files"],
            "query": word, "query summary": queries[-1]["summary"],
            "query highlighted ms": statistics.median(r["ms"] for r in queries),
            "query runs ms": [round(r["ms"]) for r in queries],
            "bytes after query": statistics.median(r["bytesAll"] for r in queries),
            "title chunks after query": sum(1 for name, _ in queries[-1]["files"] if "/explore/titles/" in name)}


FRAMES = """() => {
  if (window.__frames) return;
  window.__frames = [];
  const tick = (t) => { window.__frames.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""


def _frame_rate(page, act) -> dict:
    """The browser's frames (requestAnimationFrame) while `act(page)` zooms or pans without a
    pause: each input asks map.js for a redraw in the next frame, so a frame lasts as long as a
    redraw takes (at least the display's 16.7 ms)."""
    page.evaluate(FRAMES)
    page.wait_for_timeout(300)
    start = page.evaluate("() => performance.now()")
    act(page)
    page.wait_for_timeout(50)  # the last input's frame
    end = page.evaluate("() => performance.now()")
    times = sorted(set(t for t in page.evaluate("() => window.__frames") if start <= t <= end))
    gaps = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    if not gaps:
        return {"frames": len(times), "fps": 0.0, "median frame ms": None, "p95 frame ms": None}
    return {"frames": len(times), "fps": round(1000 * len(gaps) / (times[-1] - times[0]), 1),
            "median frame ms": round(statistics.median(gaps), 1),
            "p95 frame ms": round(gaps[min(len(gaps) - 1, int(0.95 * len(gaps)))], 1),
            "longest frame ms": round(gaps[-1], 1)}


def measure_pan_zoom(site: Path, runs: int, viewports: dict[str, dict]) -> dict:
    """The map page at each viewport, `runs` fresh contexts each: Ctrl + wheel (as a pinch sends)
    zooms in and out 24 times at the canvas's centre, then, zoomed in 1.5^4 times, a drag pans the
    map in 80 pointer moves (35 % of the canvas each way); the frame rate during each, and the bytes
    transferred until the map was drawn."""
    from playwright.sync_api import sync_playwright

    results: dict = {}
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, viewport in viewports.items():
            zooms, pans, loads = [], [], []
            for _ in range(runs):
                context, page, load = open_map(browser, base, viewport=viewport["size"],
                                               device_scale_factor=viewport["scale"])
                loads.append(load)
                box = page.locator("#map canvas").bounding_box()
                cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
                page.mouse.move(cx, cy)

                def zoom(page):  # in and out between the whole map and 1.5x: every point drawn each time
                    page.keyboard.down("Control")
                    for step in range(24):
                        page.mouse.wheel(0, -100 if step % 2 == 0 else 100)
                    page.keyboard.up("Control")

                def zoom_in(page):
                    page.keyboard.down("Control")
                    for _ in range(4):
                        page.mouse.wheel(0, -100)
                    page.keyboard.up("Control")

                def pan(page, to=(cx - box["width"] * 0.35, cy - box["height"] * 0.35)):
                    page.mouse.down()
                    page.mouse.move(*to, steps=80)
                    page.mouse.up()

                zooms.append(_frame_rate(page, zoom))
                zoom_in(page)  # panning needs a zoomed map (at the whole map a drag does nothing)
                pans.append(_frame_rate(page, pan))
                context.close()
            results[name] = {
                "zoom fps (median of runs)": statistics.median(z["fps"] for z in zooms),
                "pan fps (median of runs)": statistics.median(p["fps"] for p in pans),
                "pan p95 frame ms (worst run)": max(p["p95 frame ms"] or 0 for p in pans),
                "zoom p95 frame ms (worst run)": max(z["p95 frame ms"] or 0 for z in zooms),
                "zoom runs": zooms, "pan runs": pans,
                "bytes until drawn": statistics.median(r["bytesDrawn"] for r in loads),
                "map drawn ms": statistics.median(r["drawn"] for r in loads)}
        browser.close()
    return results


VIEWPORTS = {"desktop 1280x900": {"size": {"width": 1280, "height": 900}, "scale": 1},
             "phone 390x844 at 3x": {"size": {"width": 390, "height": 844}, "scale": 3}}


def real_papers(count: int):
    """The first `count` papers of benchmarks/real_corpus.py, as papers (title and abstract)."""
    from benchmarks import real_corpus
    from paper_collection.collection.paper import Paper

    return [Paper(slug=f"p{i:06d}", title=" ".join(r["title"].split()), abstract=r["summary"], tags=(),
                  added="2026-01-01") for i, r in enumerate(real_corpus.papers(count))]


def quality(count: int, real: bool = False) -> dict[str, dict[str, float]]:
    import random

    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    from benchmarks.related import seed_papers
    from benchmarks.related import synthetic as topic_papers

    papers = sorted(real_papers(count) if real else topic_papers(seed_papers(), count, random.Random(4)),
                    key=lambda p: p.slug)
    matrix = related.fit(papers).matrix
    with threadpool_limits(limits=1):
        reduced = normalize(TruncatedSVD(collection_map.DIMENSIONS, n_iter=4, random_state=0).fit_transform(matrix))
    near = NearestNeighbors(n_neighbors=11).fit(reduced).kneighbors(reduced, return_distance=False)[:, 1:]
    # The TF-IDF space's own 10 nearest (cosine), which no choice of SVD shapes.
    tfidf_near = []
    for start in range(0, matrix.shape[0], 1000):
        scores = (matrix[start:start + 1000] @ matrix.T).toarray()
        scores[np.arange(scores.shape[0]), np.arange(start, start + scores.shape[0])] = -1
        tfidf_near.append(np.argsort(-scores, axis=1, kind="stable")[:, :10])
    tfidf_near = np.vstack(tfidf_near)
    # name -> (SVD power iterations, perplexity, early exaggeration iterations, iterations after it)
    used = (collection_map.SVD_ITERATIONS, collection_map.PERPLEXITY, collection_map.EXAGGERATION_ITERATIONS,
            collection_map.ITERATIONS)
    schedules = {"used": used, "used, with 4 SVD power iterations (before 2026-12-07)": (4, *used[1:]),
                 "openTSNE defaults": (4, 30, 250, 500)}
    results = {}
    for name, schedule in schedules.items():
        (collection_map.SVD_ITERATIONS, collection_map.PERPLEXITY, collection_map.EXAGGERATION_ITERATIONS,
         collection_map.ITERATIONS) = schedule
        seconds, points = timed(collection_map.embed, matrix)
        on_map = NearestNeighbors(n_neighbors=11).fit(points).kneighbors(points, return_distance=False)[:, 1:]

        def kept(truth, on_map=on_map) -> float:
            return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, on_map, strict=True)]))

        results[name] = {"seconds (SVD + t-SNE)": seconds, "10 nearest kept": kept(near),
                         "10 nearest by TF-IDF kept": kept(tfidf_near)}
    (collection_map.SVD_ITERATIONS, collection_map.PERPLEXITY, collection_map.EXAGGERATION_ITERATIONS,
     collection_map.ITERATIONS) = used
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[110, 1_000, 10_110])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--quality", action="store_true", help="also measure how well neighbourhoods are kept")
    parser.add_argument("--real", action="store_true",
                        help="--quality on real papers (benchmarks/real_corpus.py) instead of topic papers")
    parser.add_argument("--pan-zoom", action="store_true",
                        help="also measure the frame rate while zooming and panning, at the largest size")
    parser.add_argument("--no-build-times", action="store_true", help="measure the page only")
    parser.add_argument("--keep", type=Path, help="build the page's site here and keep it")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", file=sys.stderr)
    taxonomy = load_taxonomy(SEED_TAXONOMY)
    tags = [t.name for t in taxonomy.tags]
    results: dict = {"load average before": os.getloadavg()[0], "build": {}}
    for size in [] if args.no_build_times else args.sizes:
        print(f"{size} papers: build times ...", file=sys.stderr)
        results["build"][size] = build_times(synthetic(size, taxonomy.names, full=False), args.runs, tags)
    if args.browser_runs:
        size = max(args.sizes)
        with tempfile.TemporaryDirectory() as tmp:
            print("building the fixture site ...", file=sys.stderr)
            site = build_browse_site((args.keep or Path(tmp)) / "project")
            papers = synthetic(size, taxonomy.names, full=True)
            write_data(site, papers, taxonomy)
            version = json.loads((site / explore.FACETS).read_bytes())["version"]
            (site / collection_map.DATA).write_bytes(
                collection_map.map_files(None, newest_first(papers), tags, version)[collection_map.DATA])
            print(f"{size} papers: the page in Chromium, {args.browser_runs} runs ...", file=sys.stderr)
            word = next(w for w in papers[len(papers) // 2].title.split() if len(w) > 4 and w.isalpha())
            results["page"] = {"papers": size, **measure_page(site, args.browser_runs, word)}
            if args.pan_zoom:
                print(f"{size} papers: zooming and panning, {args.browser_runs} runs ...", file=sys.stderr)
                results["pan and zoom"] = {"papers": size, **measure_pan_zoom(site, args.browser_runs, VIEWPORTS)}
    if args.quality:
        print(f"{max(args.sizes)} {'real' if args.real else 'topic'} papers: layout quality ...", file=sys.stderr)
        results["quality"] = quality(max(args.sizes), real=args.real)
    results["load average after"] = os.getloadavg()[0]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    for size, build in results["build"].items():
        print(f"\n{size} papers (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in build.items()
                                                         if isinstance(v, float)))
        print(f"  points.json {build['points.json bytes'] / 1e3:.1f} KB")
    if "page" in results:
        page = results["page"]
        print(f"\nmap page at {page['papers']} papers: drawn {page['map drawn ms']:.0f} ms (runs {page['runs ms']}), "
              f"{page['bytes until drawn'] / 1e6:.2f} MB until drawn, {page['bytes once idle'] / 1e6:.2f} MB once idle")
        for name, size in sorted(page["files"], key=lambda f: -f[1])[:8]:
            print(f"  {size / 1e3:8.1f} KB  {name}")
        for name, figures in results.get("pan and zoom", {}).items():
            if isinstance(figures, dict):
                print(f"{name}: zoom {figures['zoom fps (median of runs)']} fps, "
                      f"pan {figures['pan fps (median of runs)']} fps "
                      f"(worst p95 frame: zoom {figures['zoom p95 frame ms (worst run)']} ms, "
                      f"pan {figures['pan p95 frame ms (worst run)']} ms), "
                      f"{figures['bytes until drawn'] / 1e6:.2f} MB until drawn")
        print(f"after typing {page['query']!r}: highlighted in {page['query highlighted ms']:.0f} ms "
              f"(runs {page['query runs ms']}), {page['bytes after query'] / 1e6:.2f} MB transferred in all, "
              f"{page['title chunks after query']} title chunks\n  {page['query summary']}")
    for name, figures in results.get("quality", {}).items():
        print(f"quality, {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    print(f"load average after: {results['load average after']:.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
