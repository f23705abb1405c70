"""Scale benchmark (issue 6): a realistic N-paper collection, imported and built through the
real command line, compared with a plain MkDocs build of the same pages, and searched in
headless Chromium.

    .venv/bin/python -m benchmarks.scale [--papers 10000] [--search paper|material] [--json OUT]

Steps, each timed:
1. generate a listing dump of N papers from the seed listing
   (tests/fixtures/seed/huggingface-papers-mar-20.txt, fixed seed): titles are words sampled from
   the seed titles, abstracts sentences sampled from the seed abstracts, so every paper differs
   and the text has the seed's vocabulary and length;
2. `python -m generator import` it into an empty project made from the tests' fixed copies of
   the example's mkdocs.yml and taxonomy (tests/fixtures/seed/, so the figures do not change with
   the example collection; real taxonomy rules assign the tags; unmatched papers get --default-tag);
3. `python -m generator build` (time and peak RSS of the process tree via /usr/bin/time -v);
4. plain MkDocs: the same paper files, material theme, no plugins, papers not in nav (best of
   --runs);
5. site size, largest paper page, search index bytes;
6. search in headless Chromium: for each query (words of a paper's title, or its rarest
   abstract words), a fresh browser context opens the home page, types the query at once and
   waits for the first result to be visible; time from typing, bytes downloaded until then
   (Playwright request events, body bytes as served), and the rank of the paper it came from.

`--search material` swaps in Material's own search plugin for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DUMP = ROOT / "tests" / "fixtures" / "seed" / "huggingface-papers-mar-20.txt"
SEED = 6
DEFAULT_TAG = "language-models"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
STOP = set("a an and are as at be by for from has in is it its of on or that the this to was were will with we our "
           "via using towards toward based into can not no do does how what when where which while".split())
WORD = re.compile(r"[A-Za-z][A-Za-z]+")


# -- the collection ----------------------------------------------------------------------
def seed_papers() -> list[tuple[str, str]]:
    """(title, abstract) pairs of the seed listing: a short block followed by a long one."""
    blocks = [b.strip() for b in SEED_DUMP.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [(a, b) for a, b in zip(blocks, blocks[1:], strict=False) if len(a) < 250 and len(b) > 300]


def generate(count: int, seed: int = SEED) -> tuple[str, list[tuple[str, str]]]:
    """A listing dump of `count` distinct papers, and the papers as (title, abstract)."""
    rng = random.Random(seed)
    seeds = seed_papers()
    title_words = sorted({w for t, _ in seeds for w in t.replace(":", " ").split() if len(w) > 2})
    sentences = [s for _, a in seeds for s in re.split(r"(?<=[.!?])\s+", a) if len(s.split()) >= 5]
    papers, seen = [], set()
    while len(papers) < count:
        words = rng.sample(title_words, rng.randint(4, 9))
        if rng.random() < 0.5:  # many real titles start with a name: "Poseidon: ..."
            name = "".join(rng.choice("BCDFGHKLMNPRSTVZ") + rng.choice("aeiou") for _ in range(rng.randint(2, 3)))
            words = [name.capitalize() + ":", *words]
        title = " ".join(words)
        key = title.casefold()
        if key in seen:
            continue
        seen.add(key)
        abstract = " ".join(rng.sample(sentences, rng.randint(5, 10)))
        papers.append((title, abstract))
    head = SEED_DUMP.read_text(encoding="utf-8").split("Mar 20", 1)[0] + "Mar 20\n\n"
    dump = head + "".join(f"{t}\n\n{a}\n\n" for t, a in papers)
    return dump, papers


def queries(papers: list[tuple[str, str]], n: int = 10, seed: int = SEED) -> list[dict]:
    """Half title queries (three title words), half abstract queries (the paper's three rarest
    abstract words): what a visitor remembers of a paper."""
    rng = random.Random(seed + 1)
    df: dict[str, int] = {}
    for _, abstract in papers:
        for w in {w.lower() for w in WORD.findall(abstract)}:
            df[w] = df.get(w, 0) + 1
    out = []
    for i, (title, abstract) in enumerate(rng.sample(papers, n)):
        if i % 2 == 0:
            words = [w for w in WORD.findall(title) if w.lower() not in STOP]
            picked = rng.sample(words, min(3, len(words)))
            kind = "title"
        else:
            words = sorted({w.lower() for w in WORD.findall(abstract) if w.lower() not in STOP and len(w) > 3},
                           key=lambda w: (df[w], w))
            picked = words[:3]
            kind = "abstract"
        out.append({"query": " ".join(picked).lower(), "kind": kind, "expect": title})
    return out


# -- processes ---------------------------------------------------------------------------
LAST_OUTPUT = {"stderr": ""}


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak RSS in MB (largest process of the tree) of a command."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    wrapper = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    result = subprocess.run(wrapper + command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    LAST_OUTPUT["stderr"] = result.stderr
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    if match:
        peak_kb = int(match.group(1))
    else:
        import resource

        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kb // 1024


def make_project(root: Path, search: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "taxonomy.yml"):  # fixed inputs, whatever the example collection is
        shutil.copy(SEED_DUMP.parent / name, root / name)
    # The tests' fixture lowers the author page line for its small collection; a benchmark
    # measures the default.
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"^ *author_pages_min_papers: \d+\n", "", config.read_text(), flags=re.M))
    (root / "theme_overrides").mkdir()
    (root / "content" / "papers").mkdir(parents=True)
    if search == "material":
        use_material_search(root / "mkdocs.yml")
    return root


def use_material_search(config: Path) -> None:
    """Swap our search plugin for Material's and drop our search box override."""
    text = re.sub(r"^  - paper-search:?\n(    .*\n)*", "  - search:\n      lang: en\n", config.read_text(), flags=re.M)
    config.write_text(text)
    # The generator's theme replaces Material's search box: the site's own layer puts Material's back.
    import material
    box = config.parent / "theme_overrides" / "partials" / "search.html"
    box.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(material.__file__).parent / "templates" / "partials" / "search.html", box)


def plain_mkdocs(project: Path, work: Path) -> Path:
    """The same paper files under plain MkDocs + Material: no plugins, papers not in nav."""
    plain = work / "plain"
    (plain / "docs").mkdir(parents=True)
    os.symlink(project / "content" / "papers", plain / "docs" / "papers")
    (plain / "docs" / "index.md").write_text("# Papers\n")
    (plain / "mkdocs.yml").write_text(
        "site_name: Plain\nsite_url: https://example.org/\ndocs_dir: docs\nuse_directory_urls: true\n"
        "theme:\n  name: material\n  font: false\nplugins: []\nnav:\n  - Home: index.md\n"
        "validation:\n  nav:\n    omitted_files: ignore\n")
    return plain


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- browser -----------------------------------------------------------------------------
SEARCH_FILES = re.compile(r"/search/|/pagefind/|workers/search|search_index")
FIRST_RESULT = """() => {
  const h = document.querySelector('.md-search-result__list .md-search-result__item h1');
  return h && h.offsetParent !== null ? performance.now() : null;
}"""


def browser_search(site: Path, cases: list[dict], settle: float = 1.5, block_sitemap: bool = False,
                   path: str = "", box: str = ".md-search__input") -> list[dict]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.helpers import serve

    results = []
    with serve(site) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for case in cases:
                context = browser.new_context()
                page = context.new_page()
                if block_sitemap:  # isolate search from Material's sitemap.xml fetch and parse
                    page.route("**/sitemap.xml", lambda route: route.abort())
                finished: list = []
                context.on("requestfinished", lambda r, log=finished: log.append((time.perf_counter(), r)))
                page.goto(url + path, wait_until="load")
                t0 = page.evaluate("() => performance.now()")
                page.click(box)
                page.keyboard.type(case["query"])
                first = page.wait_for_function(FIRST_RESULT, polling="raf", timeout=60_000).json_value()
                wall1 = time.perf_counter()
                page.wait_for_timeout(settle * 1000)  # let the result list settle before reading ranks
                titles = [" ".join(t.split()).casefold() for t in
                          page.locator(".md-search-result__list .md-search-result__item h1").all_inner_texts()]
                expect = " ".join(case["expect"].split()).casefold()
                rank = titles.index(expect) + 1 if expect in titles[:10] else None
                before = sum(_body_bytes(r) for t, r in finished if t <= wall1)
                search_bytes = sum(_body_bytes(r) for t, r in finished if t <= wall1 and SEARCH_FILES.search(r.url))
                results.append({**case, "first_result_s": round((first - t0) / 1000, 3), "rank": rank,
                                "bytes_before_first_result": before, "search_bytes_before_first_result": search_bytes})
                context.close()
        finally:
            browser.close()
    return results


PAGEFIND_SCRIPT = """<script type="module">
// Pagefind driving the same Material search box, in a copy of the home page.
const input = document.querySelector(".md-search__input"), list = document.querySelector(".md-search-result__list");
let pagefind = null, seq = 0;
const ready = import("./pagefind/pagefind.js").then(async m => { pagefind = m; await m.init(); });
input.addEventListener("focus", () => { document.getElementById("__search").checked = true; });
input.addEventListener("input", async () => {
  const mine = ++seq; await ready;
  const found = await pagefind.debouncedSearch(input.value, {}, 25);
  if (found === null || mine !== seq) return;
  const data = await Promise.all(found.results.slice(0, 10).map(r => r.data()));
  if (mine !== seq) return;
  list.textContent = "";
  for (const d of data) {
    const li = document.createElement("li"), h = document.createElement("h1");
    li.className = "md-search-result__item";
    h.textContent = (d.meta.title || "").replace(/ - [^-]*$/, "");
    li.append(h); list.append(li);
  }
});
</script>
"""


def pagefind_page(site: Path) -> str:
    """The home page with our search script swapped for Pagefind on the same search box."""
    home = (site / "index.html").read_text(encoding="utf-8")
    home = re.sub(r'<script src="[^"]*paper-search\.js"[^>]*></script>', "", home)
    return home.replace("</body>", PAGEFIND_SCRIPT + "</body>")


def pagefind(site: Path, cases: list[dict]) -> dict:
    """Index the built site with Pagefind (PyPI pagefind[bin]) and search it from the same page."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site)], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    (site / "pagefind-bench.html").write_text(pagefind_page(site), encoding="utf-8")
    found = browser_search(site, cases, path="pagefind-bench.html")
    times = [c["first_result_s"] for c in found]
    return {"pagefind_index_s": round(elapsed, 1), "pagefind_bytes": folder_bytes(site / "pagefind"),
            "pagefind_first_result_median_s": round(statistics.median(times), 3),
            "pagefind_bytes_before_first_result_median": int(statistics.median(
                c["search_bytes_before_first_result"] for c in found)),
            "pagefind_top10": sum(1 for c in found if c["rank"]), "pagefind_cases": found}


def _body_bytes(request) -> int:
    try:
        return request.sizes()["responseBodySize"]
    except Exception:  # noqa: BLE001 - a request without a body
        return 0


# -- main --------------------------------------------------------------------------------
def site_parts(site: Path) -> dict[str, dict[str, int]]:
    """Bytes and files of the built site by part: each top-level folder, the files at the top
    level together, and the largest single file (hosts limit both files and file size)."""
    parts: dict[str, dict[str, int]] = {}
    largest = ("", 0)
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(site)
        part = relative.parts[0] + "/" if len(relative.parts) > 1 else "(top-level files)"
        entry = parts.setdefault(part, {"bytes": 0, "files": 0})
        size = path.stat().st_size
        entry["bytes"] += size
        entry["files"] += 1
        if size > largest[1]:
            largest = (str(relative), size)
    return {"parts": dict(sorted(parts.items(), key=lambda kv: -kv[1]["bytes"])),
            "largest_file": {"path": largest[0], "bytes": largest[1]}}


def run(papers: int, search: str = "paper", runs: int = 2, n_queries: int = 10, work: Path | None = None,
        browser: bool = True, plain: bool = True, block_sitemap: bool = False, with_pagefind: bool = False,
        with_seed: bool = False, real: bool = False, default_tag: bool = True, rebuild: bool = True) -> dict:
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="scale-")) if own else work
    try:
        project = make_project(work / "project", search)
        py = sys.executable
        if real:  # real arXiv listings with their authors (benchmarks/real_corpus.py), imported as they are
            from benchmarks import real_corpus

            dump = work / "real.jsonl"
            generated = [(p["title"], p["summary"]) for p in real_corpus.write(papers, dump)]
        else:
            dump_text, generated = generate(papers)
            dump = work / "listing.txt"
            dump.write_text(dump_text, encoding="utf-8")
        # --with-seed: the seed listing too (N generated papers + the seed's, as in issue 13's figures).
        dumps = [str(dump), *([str(SEED_DUMP)] if with_seed else [])]
        flags = ["--added", "2026-01-01"] + ([] if real else ["--year", "2025"])
        if default_tag:
            flags += ["--default-tag", DEFAULT_TAG]
        import_s, import_mb = timed([py, "-m", "paper_collection", "--root", str(project), "import", *dumps,
                                     *flags], work)
        written = len(list((project / "content" / "papers").glob("*.md")))

        def clean_build():  # as from a clean checkout: no cache from an earlier build
            shutil.rmtree(project / ".paper-collection", ignore_errors=True)
            return timed([py, "-m", "paper_collection", "--root", str(project), "build"], work)

        builds = [clean_build() for _ in range(runs)]
        build_s, build_mb = min(b[0] for b in builds), max(b[1] for b in builds)
        indexed = re.search(r"paper-search: indexed \d+ papers in ([\d.]+) s", LAST_OUTPUT["stderr"])
        result = {"papers": papers, "papers_written": written, "search": search,
                  "import_s": round(import_s, 2), "import_peak_mb": import_mb,
                  "build_s": round(build_s, 2), "build_runs_s": [round(b[0], 2) for b in builds],
                  "build_peak_mb": build_mb, "search_index_build_s": float(indexed.group(1)) if indexed else None}
        if rebuild:  # one paper edited (a sentence added to its abstract), then built again with the cache warm
            edited = sorted((project / "content" / "papers").glob("*.md"))[len(generated) // 2]
            edited.write_text(edited.read_text(encoding="utf-8").replace("\n---\n", "\n---\nEdited for the benchmark. ",
                                                                          1), encoding="utf-8")
            edit_s, edit_mb = timed([py, "-m", "paper_collection", "--root", str(project), "build"], work)
            result.update({"edit_rebuild_s": round(edit_s, 2), "edit_rebuild_peak_mb": edit_mb,
                           "edit_rebuild_vs_build": round(edit_s / build_s, 2)})
        if plain:
            plain_root = plain_mkdocs(project, work)
            plains = [timed([py, "-m", "mkdocs", "build", "-q", "-f", str(plain_root / "mkdocs.yml"), "-d",
                             str(plain_root / "site")], work) for _ in range(runs)]
            result["plain_mkdocs_s"] = round(min(p[0] for p in plains), 2)
            result["plain_mkdocs_peak_mb"] = max(p[1] for p in plains)
            result["build_vs_plain"] = round(build_s / result["plain_mkdocs_s"], 2)
            result["plain_site_kb_per_paper"] = round(folder_bytes(plain_root / "site") / 1024 / max(1, written), 2)
        site = project / "site"
        pages = list((site / "papers").glob("*/index.html"))
        largest = max(pages, key=lambda p: p.stat().st_size)
        index = site / "search"
        site_bytes = folder_bytes(site)
        result.update(site_parts(site))
        result.update({"site_mb": round(site_bytes / 2**20, 1), "paper_pages": len(pages),
                       "site_kb_per_paper": round(site_bytes / 1024 / max(1, written), 2),
                       "site_files": sum(v["files"] for v in result["parts"].values()),
                       "largest_paper_page_kb": round(largest.stat().st_size / 1024, 1),
                       "largest_paper_page": largest.parent.name,
                       "search_index_bytes": folder_bytes(index) if index.exists() else 0,
                       "search_index_files": sum(1 for p in index.rglob("*") if p.is_file()) if index.exists() else 0})
        manifest = index / "paper-search.json"
        if manifest.exists():
            result["search_manifest_bytes"] = manifest.stat().st_size
            shards = list((index / "terms").glob("*.json"))
            result["largest_term_shard_bytes"] = max(p.stat().st_size for p in shards)
        if browser:
            cases = browser_search(site, queries(generated, n_queries), block_sitemap=block_sitemap)
            result["sitemap_blocked"] = block_sitemap
            if with_pagefind:
                result.update(pagefind(site, queries(generated, n_queries)))
            result["sitemap_bytes"] = (site / "sitemap.xml").stat().st_size if (site / "sitemap.xml").exists() else 0
            times = [c["first_result_s"] for c in cases]
            result.update({
                "search_first_result_median_s": round(statistics.median(times), 3),
                "search_first_result_max_s": max(times),
                "search_bytes_before_first_result_median": int(statistics.median(
                    c["bytes_before_first_result"] for c in cases)),
                "search_bytes_before_first_result_max": max(c["bytes_before_first_result"] for c in cases),
                "search_only_bytes_before_first_result_median": int(statistics.median(
                    c["search_bytes_before_first_result"] for c in cases)),
                "search_top10": sum(1 for c in cases if c["rank"]), "search_queries": len(cases),
                "search_cases": cases})
        if rebuild:  # last, so the figures above are of N papers: one paper merged, as a deploy builds it
            merged = work / "merged.jsonl"
            if real:
                from benchmarks import real_corpus

                merged.write_text(json.dumps(real_corpus.papers(papers + 1)[-1], ensure_ascii=False) + "\n",
                                  encoding="utf-8")
            else:
                merged = work / "merged.txt"
                text, more = generate(papers + 1)
                head = text.split(f"{generated[0][0]}\n", 1)[0]
                merged.write_text(head + f"{more[-1][0]}\n\n{more[-1][1]}\n", encoding="utf-8")
            timed([py, "-m", "paper_collection", "--root", str(project), "import", str(merged),
                   "--added", "2026-01-02", *(["--year", "2025"] if not real else []),
                   *(["--default-tag", DEFAULT_TAG] if default_tag else [])], work)
            merged_papers = len(list((project / "content" / "papers").glob("*.md")))
            merge_s, merge_mb = timed([py, "-m", "paper_collection", "--root", str(project), "build"], work)
            result.update({"merge_rebuild_s": round(merge_s, 2), "merge_rebuild_peak_mb": merge_mb,
                           "merge_rebuild_vs_build": round(merge_s / build_s, 2),
                           "merge_rebuild_papers": merged_papers})
        result["machine"] = (f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
                             f"Python {platform.python_version()}")
        result["date"] = dt.date.today().isoformat()
        return result
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def table(result: dict) -> str:
    rows = [("papers", result["papers"]), ("import (s)", result["import_s"]), ("build (s)", result["build_s"]),
            ("build peak RSS (MB)", result["build_peak_mb"]),
            ("build after editing one paper, warm cache (s)", result.get("edit_rebuild_s")),
            ("  / full build", result.get("edit_rebuild_vs_build")),
            ("build after merging one newer paper (s)", result.get("merge_rebuild_s")),
            ("  / full build", result.get("merge_rebuild_vs_build")),
            ("  of which search index (s)", result.get("search_index_build_s")),
            ("plain MkDocs (s)", result.get("plain_mkdocs_s")),
            ("build / plain", result.get("build_vs_plain")), ("site (MB)", result["site_mb"]),
            ("site per paper (KB)", result.get("site_kb_per_paper")), ("site files", result.get("site_files")),
            ("largest file", f"{result['largest_file']['path']} ({result['largest_file']['bytes']} B)"),
            ("largest paper page (KB)", result["largest_paper_page_kb"]),
            ("search index (bytes)", result["search_index_bytes"]),
            ("search first result, median (s)", result.get("search_first_result_median_s")),
            ("search first result, max (s)", result.get("search_first_result_max_s")),
            ("bytes before first result, median", result.get("search_bytes_before_first_result_median")),
            ("bytes before first result, max", result.get("search_bytes_before_first_result_max")),
            ("  of which search files, median", result.get("search_only_bytes_before_first_result_median")),
            ("sitemap.xml (bytes)", result.get("sitemap_bytes")),
            ("right paper in top 10", f"{result.get('search_top10')}/{result.get('search_queries')}")]
    rows += [(f"  {part}", f"{v['bytes'] / 2**20:.1f} MB in {v['files']} files")
             for part, v in result.get("parts", {}).items()]
    if "pagefind_first_result_median_s" in result:
        rows += [("pagefind: first result, median (s)", result["pagefind_first_result_median_s"]),
                 ("pagefind: search bytes before first result", result["pagefind_bytes_before_first_result_median"]),
                 ("pagefind: right paper in top 10", f"{result['pagefind_top10']}/{result['search_queries']}"),
                 ("pagefind: indexing (s)", result["pagefind_index_s"])]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--search", choices=["paper", "material"], default="paper",
                        help="our prebuilt sharded lunr index (default) or Material's search plugin")
    parser.add_argument("--runs", type=int, default=2, help="builds of each kind; the best time counts")
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the results here (default: print only)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--pagefind", action="store_true", help="also index with Pagefind and time its search")
    parser.add_argument("--block-sitemap", action="store_true",
                        help="abort Material's sitemap.xml fetch in the browser (isolates search cost)")
    parser.add_argument("--with-seed", action="store_true", help="import the seed listing too (N + its papers)")
    parser.add_argument("--real", action="store_true",
                        help="real arXiv listings with authors (benchmarks/real_corpus.py), not generated papers")
    parser.add_argument("--no-flags", action="store_true",
                        help="import without --default-tag (papers no rule tags go through the tag model)")
    parser.add_argument("--no-rebuild", action="store_true",
                        help="skip the build after one edit (for the largest sizes, measured once)")
    args = parser.parse_args(argv)
    result = run(args.papers, args.search, args.runs, args.queries, args.keep, browser=not args.no_browser,
                 block_sitemap=args.block_sitemap, with_pagefind=args.pagefind, with_seed=args.with_seed,
                 real=args.real, default_tag=not args.no_flags, rebuild=not args.no_rebuild)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    for case in result.get("search_cases", []):
        print(f"  {case['first_result_s']:6.3f}s  rank {case['rank']}  {case['bytes_before_first_result']:>9} B  "
              f"[{case['kind']}] {case['query']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
