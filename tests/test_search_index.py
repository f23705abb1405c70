"""The search index's postings (generator/site/search.py): each value carries the BM25 weight and
where the term first occurs in the paper's title, which paper-search.js ranks by (issue 25)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from benchmarks.search_quality import site_model
from paper_collection.site import search

FIXTURE = Path(__file__).parent / "fixtures" / "search" / "known_item.json"


def postings(folder: Path) -> dict[str, dict[int, int]]:
    """term -> {document number: value}"""
    out: dict[str, dict[int, int]] = {}
    for shard in (folder / "terms").glob("*.json"):
        for term, flat in json.loads(shard.read_text(encoding="utf-8")).items():
            doc, values = 0, {}
            for delta, value in zip(flat[0::2], flat[1::2], strict=True):
                doc += delta
                values[doc] = value
            out[term] = values
    return out


def write(tmp_path: Path) -> tuple[dict, list[str]]:
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))["papers"]
    model = site_model(records)
    cfg = SimpleNamespace(**{name: option.default for name, option in search.PaperSearchConfig._schema})
    search.write_index(tmp_path / "search", model, cfg)
    return postings(tmp_path / "search"), list(model.papers)


def test_values_carry_the_title_position_and_the_first_author(tmp_path):
    found, slugs = write(tmp_path)
    first = slugs.index("arxiv-2501-00001")  # "Pruning Graph Transformers with Lottery Tickets ..."
    position = {term: found[term][first] % search.POSITIONS for term in ("prune", "graph", "transform", "lotteri")}
    # 1 + the place among the title's terms ("with" and "for" are stop words)
    assert position == {"prune": 1, "graph": 2, "transform": 3, "lotteri": 4}
    assert found["accuraci"][first] % search.POSITIONS == 0  # abstract only
    assert found["lindqvist"][first] % search.POSITIONS == search.FIRST_AUTHOR  # first author, not in the title
    assert found["berg"][first] % search.POSITIONS == 0  # second author
    assert all(value // search.POSITIONS >= 1 for values in found.values() for value in values.values())


def test_title_weight_is_kept_beside_the_position(tmp_path):
    found, slugs = write(tmp_path)
    short, long_ = slugs.index("arxiv-2501-00005"), slugs.index("arxiv-2501-00004")
    # the shorter title weighs more per term (BM25's length normalisation), as before positions
    assert found["edit"][short] // search.POSITIONS > found["edit"][long_] // search.POSITIONS


def test_the_index_is_the_same_twice(tmp_path):
    write(tmp_path / "a")
    write(tmp_path / "b")
    for path in sorted((tmp_path / "a" / "search").rglob("*.json")):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def test_terms_are_stemmed_as_the_browser_stems_queries():
    """paper-search.js runs lunr.js's stemmer on queries, which turns a final y into i only after a
    consonant; lunr.py's turned "survey" into "survei", a term no query reached."""
    analyzer = search.Analyzer()
    assert [analyzer.term(w) for w in ("survey", "replay", "key", "happy", "anomaly", "sky")] == [
        "survey", "replay", "key", "happi", "anomali", "ski"]
    assert analyzer.terms("CSCW/HCI male/female") == ["cscw", "hci", "male", "femal"]


def test_the_quality_benchmark_runs_on_the_fixture(tmp_path):
    """benchmarks/search_quality.py on the fixture's papers (the real runs read a snapshot of arXiv
    listings): it measures the shipped ranking in Chromium and prints its table."""
    import os
    import subprocess
    import sys

    from tests.helpers import require_chromium

    require_chromium()
    run = subprocess.run([sys.executable, "-m", "benchmarks.search_quality", "--records", str(FIXTURE),
                          "--sample", "4", "--cold", "1", "--keep", str(tmp_path / "site")],
                         capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "| all | " in run.stdout and "cold first query (1 queries" in run.stdout, run.stdout
    assert (tmp_path / "site" / "search" / "paper-search.json").exists()


def test_postings_are_turned_into_text_a_block_at_a_time(tmp_path, monkeypatch):
    """At 50,000 papers every posting's numbers as Python strings at once were 1.3 GB for a moment,
    the peak of the build's search worker (issue 25). A block at a time, any block size gives
    the same files, and a small block holds less."""
    import tracemalloc

    records = json.loads(FIXTURE.read_text(encoding="utf-8"))["papers"]
    records = [{**r, "id": f"{r['id']}{copy}", "title": f"{r['title']} {copy}"} for copy in range(400) for r in records]
    model = site_model(records)
    cfg = SimpleNamespace(**{name: option.default for name, option in search.PaperSearchConfig._schema})
    written, peaks = {}, {}
    for block in (1 << 40, 1, 1000):
        monkeypatch.setattr(search, "TEXT_BLOCK", block)
        out = tmp_path / str(block) / "search"
        tracemalloc.start()
        try:
            search.write_index(out, model, cfg)
            peaks[block] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        written[block] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.json"))}
    numbers = sum(len(shard) for path, shard in written[1000].items() if path.startswith("terms/"))
    assert numbers > 200_000
    assert written[1] == written[1000] == written[1 << 40]
    assert peaks[1 << 40] - peaks[1000] > numbers, peaks  # every number at once: far more than its text
