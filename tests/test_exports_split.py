"""Whole-collection exports split by publication year (issue #25): no published file larger than
exports.LIMIT, the parts together hold every paper once, exports/index.json lists them with sizes
and hashes, and papers.json / papers.bib stay while they fit. The limit is made small here so a
handful of papers has to be cut."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.site import exports
from paper_collection.site.model import SiteSettings, build_model
from tests.helpers import ROOT, SEED_TAXONOMY, make_project
from tests.test_exports import write_papers

SCHEMAS = ROOT / "generator" / "site" / "schemas"
SETTINGS = SiteSettings(name="Years", url="https://example.org/y", per_page=5, latest=3, related=2,
                        authors_per_page=5)


def paper(title: str, year: int | None, added: str, words: int = 40) -> dict:
    data = {"title": title, "tags": ["benchmarks"], "added": added, "authors": ["Ada Lovelace"],
            "abstract": f"{title} measured. " + "Ünïcödé \"quoted\" words \\ and more. " * words}
    if year:
        data["year"] = year
    return data


# Three years, one of them large, and papers without a year.
YEARS = ([paper(f"Paper {i} of 2021", 2021, "2026-01-01") for i in range(2)]
         + [paper(f"Paper {i} of 2023", 2023, f"2026-01-{i + 1:02d}") for i in range(9)]
         + [paper("Lone paper of 2024", 2024, "2026-02-01", words=2)]
         + [paper(f"Undated paper {i}", None, "2026-01-05") for i in range(3)])


def model_of(tmp: Path, papers=YEARS):
    folder = write_papers(tmp / "papers", papers)
    taxonomy = load_taxonomy(SEED_TAXONOMY)
    collection = load_collection(folder, taxonomy, tmp)
    assert not collection.problems, collection.problems
    return build_model(collection.papers, taxonomy, SETTINGS, related={})


def test_json_size_is_exactly_what_json_dumps_writes():
    samples = [{}, [], {"a": [], "b": {}, "c": None}, {"x": ["é", "\"\\\n", 1, 2.5, True], "y": {"z": [{}]}},
               [[["deep"]], {"k": [1, {"q": "ü"}]}]]
    for value in samples:
        for depth in (0, 2):
            wrapped = value
            for _ in range(depth):  # nested as the n-th level of lists
                wrapped = [wrapped]
            assert (exports.json_size(wrapped) == len(json.dumps(wrapped, ensure_ascii=False, indent=2).encode()))


@pytest.fixture
def small_limit(monkeypatch):
    limit = 12_000
    monkeypatch.setattr(exports, "LIMIT", limit)
    return limit


def test_parts_split_by_year_and_a_large_year_is_cut_below_the_limit(tmp_path, small_limit):
    model = model_of(tmp_path)
    plan = exports.export_plan(model)
    names = [part.name for part in plan.parts]
    assert names[0] == "2021" and names[-2:] == ["2024", "undated"]
    cut = [name for name in names if name.startswith("2023")]
    assert len(cut) >= 2 and cut == [f"2023-{n}" for n in range(1, len(cut) + 1)]
    assert not plan.whole and plan.whole_bytes > small_limit
    for part in plan.parts:
        assert {p.year for p in part.papers} == {part.year}
        assert [p.slug for p in part.papers] == sorted(p.slug for p in part.papers)
    slugs = [p.slug for part in plan.parts for p in part.papers]
    assert sorted(slugs) == sorted(model.papers) and len(slugs) == len(set(slugs))


def test_every_file_fits_the_index_is_right_and_the_parts_hold_every_paper(tmp_path, small_limit):
    model = model_of(tmp_path)
    files = exports.year_files(model, exports.export_plan(model))
    assert "papers.json" not in files and "papers.bib" not in files  # over the limit: by year only
    assert all(len(content) <= small_limit for content in files.values())
    index = json.loads(files[exports.INDEX])
    jsonschema.validate(index, json.loads((SCHEMAS / "exports-index.schema.json").read_text(encoding="utf-8")))
    assert files["exports/index.schema.json"] == (SCHEMAS / "exports-index.schema.json").read_bytes()
    assert index["count"] == len(YEARS) == sum(part["count"] for part in index["parts"])
    assert index["whole"] == {"json": None, "bib": None} and index["limit"] == small_limit
    schema = json.loads((SCHEMAS / "papers.schema.json").read_text(encoding="utf-8"))
    records, keys = [], []
    for part in index["parts"]:
        for kind in ("json", "bib"):
            content = files[f"exports/{part[kind]['path']}"]
            assert part[kind]["bytes"] == len(content)
            assert part[kind]["sha256"] == hashlib.sha256(content).hexdigest()
        data = json.loads(files[f"exports/{part['json']['path']}"])
        jsonschema.validate(data, schema)
        assert data["part"] == {"name": part["name"], "year": part["year"]}
        assert data["count"] == part["count"] == len(data["papers"])
        assert data["updated"] == part["updated"] == max(p["added"] for p in data["papers"])
        assert {p["year"] for p in data["papers"]} == {part["year"]}
        records += data["papers"]
        library = bibtexparser.parse_string(files[f"exports/{part['bib']['path']}"].decode())
        assert not library.failed_blocks and len(library.entries) == part["count"]
        assert sorted(e.key for e in library.entries) == sorted(p["bibtex_key"] for p in data["papers"])
        keys += [e.key for e in library.entries]
    assert sorted(r["slug"] for r in records) == sorted(model.papers)
    assert sorted(keys) == sorted(model.keys.values())
    # The parts hold the same records as papers.json would.
    whole = {r["slug"]: r for r in json.loads(exports.papers_json(model))["papers"]}
    assert {r["slug"]: r for r in records} == whole


def test_the_plan_predicts_every_json_file_to_the_byte(tmp_path, small_limit):
    model = model_of(tmp_path)
    plan = exports.export_plan(model)
    files = exports.year_files(model, plan)
    for part in plan.parts:
        assert part.json_bytes == len(files[part.json_path]), part.name
    assert plan.whole_bytes == len(exports.papers_json(model).encode())


def test_the_whole_files_stay_while_they_fit(tmp_path):
    model = model_of(tmp_path)
    files = exports.year_files(model, exports.export_plan(model))
    assert files["papers.json"] == exports.papers_json(model).encode()
    assert files["papers.bib"] == model.bibliography(model.papers.values()).encode()
    index = json.loads(files[exports.INDEX])
    assert index["whole"]["json"] == {"path": "../papers.json", "bytes": len(files["papers.json"]),
                                      "sha256": hashlib.sha256(files["papers.json"]).hexdigest()}
    assert [p["name"] for p in index["parts"]] == ["2021", "2023", "2024", "undated"]  # not cut


def test_rebuilding_gives_the_same_bytes(tmp_path, small_limit):
    first = exports.year_files(model := model_of(tmp_path / "a"), model.export_plan)
    again = exports.year_files(model := model_of(tmp_path / "b", list(reversed(YEARS))), model.export_plan)
    assert first == again


def test_a_paper_larger_than_the_limit_is_named_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "LIMIT", 1_500)
    model = model_of(tmp_path)
    with pytest.raises(exports.ExportError, match=r"paper-0-of-2021\.md.*Fix: shorten its abstract"):
        exports.export_plan(model)


@pytest.mark.slow
def test_a_built_site_links_every_part_and_no_file_passes_the_limit(tmp_path, small_limit, monkeypatch):
    """A whole build in this process (so the small limit holds): the home page sends readers to the
    exports page, which links each part; no export is larger than the limit."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    project = make_project(tmp_path / "project", write_papers(tmp_path / "papers", YEARS))
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "1")
    monkeypatch.chdir(project)
    config = load_config(str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    site = project / "site"
    assert not (site / "papers.json").exists() and not (site / "papers.bib").exists()
    index = json.loads((site / "exports" / "index.json").read_text(encoding="utf-8"))
    for path in [site / "exports" / "index.json", *(site / "exports").glob("papers-*")]:
        assert path.stat().st_size <= small_limit, path
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in home.select(".md-content a")}
    assert "exports/" in links and not {"papers.json", "papers.bib"} & links
    page = BeautifulSoup((site / "exports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = {a["href"] for a in page.select(".md-content a")}
    for part in index["parts"]:
        for kind in ("json", "bib"):
            assert part[kind]["path"] in hrefs
            assert (site / "exports" / part[kind]["path"]).stat().st_size == part[kind]["bytes"]
    assert "index.json" in hrefs and "papers.json" not in hrefs


def test_record_sizes_kept_in_the_build_cache_give_the_same_plan_and_follow_what_changed(tmp_path, small_limit,
                                                                                        monkeypatch):
    from dataclasses import replace

    from paper_collection.site.cache import Memo

    model = model_of(tmp_path)
    memo = Memo(tmp_path)
    sizes = exports.SizeMemo(memo)
    planned = exports.export_plan(model, sizes=sizes)
    assert planned == exports.export_plan(model)  # the sizes measured the first time
    memo.save()

    again = Memo(tmp_path)
    measured = []
    original = exports.json_size
    monkeypatch.setattr(exports, "json_size", lambda value, depth=0: measured.append(depth) or original(value, depth))
    assert exports.export_plan(model, sizes=exports.SizeMemo(again)) == planned
    assert 2 not in measured  # no record measured: every size from the cache, and no record made
    assert again.hits_of(exports.SizeMemo.KIND) == len(model.papers)

    # A paper whose related papers changed has a larger record: measured again, and the plan follows.
    slug = next(iter(model.papers))
    changed = replace(model, related={slug: tuple(s for s in model.papers if s != slug)})
    measured.clear()
    fresh = exports.export_plan(changed)
    assert exports.export_plan(changed, sizes=exports.SizeMemo(again)) == fresh != planned
    assert measured.count(2) == 1 + len(model.papers)  # the one changed record (and every one of `fresh`)
    files = exports.year_files(changed, exports.export_plan(changed, sizes=exports.SizeMemo(again)))
    assert all(len(files[part.json_path]) == part.json_bytes for part in fresh.parts)
