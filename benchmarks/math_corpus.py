"""Math and TeX in real abstracts: build a site from 1,000+ real arXiv abstracts that contain math
and count, in Chromium, the paper pages that still show raw TeX and KaTeX's errors.

The corpus is not stored in this repository (it is third-party data); this script regenerates it
from a public snapshot:

  source      github.com/dw-dengwei/daily-arXiv-ai-enhanced, branch `data`, files data/YYYY-MM-DD.jsonl
              (one arXiv listing a day, 2025-03-18 to 2026-07-01: id, title, authors, `summary` = the
              abstract exactly as arXiv's API gives it). Fetched as a git snapshot; pass its git dir.
  selection   unique arXiv ids whose abstract or title holds a `$...$` pair, `\\(` or `\\[`, sorted by id,
              then every k-th so that `--papers` remain (spread over the whole period); plus the
              abstracts that name a price (`$5`, `$1 billion`: 99 in the snapshot), `--price-papers`.

  .venv/bin/python -m benchmarks.math_corpus --source /work/.mirror/dw-dengwei+daily-arXiv-ai-enhanced/repo

Steps: write the selection as JSON Lines, `generator import` it into a fresh project (the real
pipeline), `mkdocs build`, then open every paper page in headless Chromium, wait for math.js and
count, in the page's visible text outside the BibTeX box:
  - raw math: a `$...$` pair (opening `$` before a non-space, closing `$` after a non-space and not
    before a digit; looser than the renderer's rule, so it also catches what the renderer refused);
  - TeX commands: a backslash followed by letters or by one of `%&$#_{}`;
  - `.katex-error` elements, and math shown as the author's source (`code.math-source`);
  - prices: each `$<amount>` in the source that is not inside a math pair must be visible as typed.
Figures go to stdout as JSON; benchmarks/README.md records them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paper_collection.site.tex import math_spans  # noqa: E402
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, make_project, run_generator, serve  # noqa: E402

HAS_MATH = re.compile(r"\$(?=\S)[^$]{1,300}?(?<=\S)\$(?!\d)|\\\(|\\\[")  # a `$...$` pair (as RAW_PAIR), \( or \[
RAW_PAIR = re.compile(r"\$(?=\S)[^$]{1,300}?(?<=\S)\$(?!\d)")
RAW_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[%&$#_{}])")
PRICE = re.compile(r"(?<![\\$\w])\$\d+(?:[.,]\d+)*(?:\s?(?:[KMB]\b|k\b|million|billion|per\b|USD))?")


def read_snapshot(source: Path) -> list[dict]:
    """Every record of the snapshot's daily listings, first occurrence of each arXiv id."""
    names = subprocess.run(["git", "--git-dir", str(source), "ls-tree", "-r", "--name-only", "data"],
                           check=True, capture_output=True, text=True).stdout.split()
    days = sorted(n for n in names if re.fullmatch(r"data/\d{4}-\d{2}-\d{2}\.jsonl", n))
    records: dict[str, dict] = {}
    for number, name in enumerate(days, 1):
        blob = subprocess.run(["git", "--git-dir", str(source), "show", f"data:{name}"], check=True,
                              capture_output=True, text=True).stdout
        for line in blob.splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("id") and record.get("title") and record.get("summary"):
                records.setdefault(record["id"], record)
        if number % 50 == 0 or number == len(days):
            print(f"read {number}/{len(days)} daily listings, {len(records)} papers", file=sys.stderr)
    return [records[key] for key in sorted(records)]


def select(records: list[dict], papers: int, price_papers: int = 0) -> list[dict]:
    """`papers` records with math, spread over the listing, then up to `price_papers` more whose
    abstracts name a price (few abstracts with math also quote one)."""
    with_math = [r for r in records if HAS_MATH.search(r["summary"]) or HAS_MATH.search(r["title"])]
    step = max(1, len(with_math) // papers) if papers else 1
    chosen = with_math[::step][:papers]
    taken = {r["id"] for r in chosen}
    with_prices = [r for r in records if r["id"] not in taken and prices(r["summary"])]
    return chosen + with_prices[:price_papers]


def corpus_lines(selection: list[dict]) -> str:
    rows = [{"id": r["id"], "title": " ".join(r["title"].split()), "abstract": r["summary"],
             "authors": r.get("authors") or [], "url": f"https://arxiv.org/abs/{r['id']}"} for r in selection]
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_raw(folder: Path, selection: list[dict]) -> list[dict]:
    """One paper file per record, title and abstract as arXiv gives them (YAML by PyYAML)."""
    import yaml

    from paper_collection.collection.slugs import base_slug

    written: list[dict] = []
    used: set[str] = set()
    for record in selection:
        title = " ".join(record["title"].split())
        slug = base_slug(title)
        if not slug or slug in used:
            continue
        used.add(slug)
        meta = {"title": title, "tags": ["language-models"], "added": "2026-01-01", "arxiv": record["id"]}
        abstract = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n|\n  ", record["summary"]) if p.strip())
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + abstract + "\n"
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
        written.append(record)
    return written


def prices(text: str) -> list[str]:
    """`$<amount>` occurrences outside math spans (as the renderer finds math)."""
    spans = math_spans(text)
    return [m.group() for m in PRICE.finditer(text) if not any(s <= m.start() < e for s, e in spans)]


MEASURE = """() => {
  const article = document.querySelector("article.paper");
  const clone = article.cloneNode(true);
  clone.querySelectorAll(".paper__cite, .katex, code.math-source, .paper__provenance").forEach(e => e.remove());
  return {
    pending: document.querySelectorAll(".arithmatex:not(.arithmatex--done)").length,
    errors: document.querySelectorAll(".katex-error").length,
    rendered: document.querySelectorAll(".arithmatex .katex").length,
    source: document.querySelectorAll("code.math-source").length,
    sources: Array.from(document.querySelectorAll("code.math-source")).map(e => e.textContent),
    text: clone.innerText,
  };
}"""


def measure(site: Path, selection: list[dict]) -> dict:
    from playwright.sync_api import sync_playwright

    pages = sorted(p.parent.name for p in (site / "papers").glob("*/index.html"))
    totals = {"pages": len(pages), "pages_with_raw_math": 0, "pages_with_tex_commands": 0, "katex_errors": 0,
              "math_rendered": 0, "math_shown_as_source": 0, "prices_in_source": 0, "prices_shown": 0}
    examples: dict[str, list[str]] = {"raw_math": [], "tex_commands": [], "shown_as_source": [], "prices_lost": []}
    by_id = {r["id"]: r["summary"] for r in selection}
    unmatched = 0
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        started = time.monotonic()
        for number, slug in enumerate(pages, 1):
            page.goto(f"{base}papers/{slug}/", wait_until="load")
            try:
                page.wait_for_function("!document.querySelector('.arithmatex:not(.arithmatex--done)')",
                                       timeout=15000)
            except Exception:  # noqa: BLE001 - counted below as pending math
                pass
            result = page.evaluate(MEASURE)
            text = result["text"]
            totals["katex_errors"] += result["errors"] + result["pending"]
            totals["math_rendered"] += result["rendered"]
            totals["math_shown_as_source"] += result["source"]
            examples["shown_as_source"] += [f"{slug}: {s}" for s in result["sources"]]
            raw = RAW_PAIR.findall(text)
            if raw:
                totals["pages_with_raw_math"] += 1
                examples["raw_math"].append(f"{slug}: {raw[:3]}")
            commands = RAW_COMMAND.findall(text)
            if commands:
                totals["pages_with_tex_commands"] += 1
                examples["tex_commands"].append(f"{slug}: {commands[:5]}")
            arxiv = page.locator('meta[name="citation_arxiv_id"]')
            source = by_id.get(arxiv.first.get_attribute("content") if arxiv.count() else "", "")
            if not source:
                unmatched += 1
            visible = " ".join(text.split())
            for price in prices(source):
                totals["prices_in_source"] += 1
                if " ".join(price.split()) in visible:
                    totals["prices_shown"] += 1
                else:
                    examples["prices_lost"].append(f"{slug}: {price}")
            if number % 100 == 0 or number == len(pages):
                print(f"checked {number}/{len(pages)} pages in {time.monotonic() - started:.0f} s", file=sys.stderr)
        browser.close()
    totals["pages_without_source"] = unmatched
    return {"totals": totals, "examples": {k: v[:15] for k, v in examples.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True,
                        help="git dir of the fetched dw-dengwei/daily-arXiv-ai-enhanced snapshot")
    parser.add_argument("--papers", type=int, default=1200, help="abstracts with math to keep (default 1200)")
    parser.add_argument("--price-papers", type=int, default=100,
                        help="also take up to this many abstracts that name a price (default 100)")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--raw", action="store_true",
                        help="write the paper files with the abstracts exactly as arXiv gives them instead of "
                             "importing (the import cleans some TeX; this measures the renderer alone)")
    args = parser.parse_args(argv)
    records = read_snapshot(args.source)
    selection = select(records, args.papers, args.price_papers)
    print(f"{len(records)} papers in the snapshot; {len(selection)} selected", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        project = make_project(work / "project", papers=None)
        for old in (project / "content" / "papers").glob("*.md"):
            old.unlink()
        dump = work / "math-corpus.jsonl"
        dump.write_text(corpus_lines(selection), encoding="utf-8")
        started = time.monotonic()
        if args.raw:
            selection = write_raw(project / "content" / "papers", selection)
        else:
            run_generator(project, "import", str(dump), "--format", "jsonl", "--default-tag", "language-models",
                          "--added", "2026-01-01")
        imported = time.monotonic() - started
        run_generator(project, "build")
        built = time.monotonic() - started - imported
        print(f"imported in {imported:.0f} s, built in {built:.0f} s", file=sys.stderr)
        figures = measure(project / "site", selection)
    figures["corpus"] = {"source": "github.com/dw-dengwei/daily-arXiv-ai-enhanced@data", "papers": len(selection),
                         "with_math": sum(1 for r in selection if HAS_MATH.search(r["summary"] + r["title"])),
                         "mode": "raw paper files" if args.raw else "generator import",
                         "first_id": selection[0]["id"], "last_id": selection[-1]["id"]}
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
