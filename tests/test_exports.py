"""Exports: papers.json (against its schema), papers.bib, per-tag BibTeX, Atom feeds; all linked
from the site and byte-identical across builds."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import feedparser
import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup

from paper_collection.collection.slugs import base_slug
from paper_collection.site.exports import FEED_SIZE
from tests.helpers import ROOT, make_project, run_generator

SCHEMA = ROOT / "generator" / "site" / "schemas" / "papers.schema.json"

PDE_1 = {"title": "Neural Operators Solve Fluid PDEs", "authors": ["Ada Lovelace", "Alan Turing"], "year": 2024,
         "month": 3, "arxiv": "2405.19101", "doi": "10.1000/pde.1", "venue": "Journal of Fluid Learning",
         "tags": ["pdes-scientific-ml"], "added": "2026-01-02",
         "abstract": "We train neural operators as PDE solvers for fluid dynamics. The neural PDE solver generalizes "
                     "to unseen Navier-Stokes flows and turbulent fluid benchmarks."}
PDE_2 = {"title": "Neural PDE Solvers: A Fluid Dynamics Benchmark", "authors": ["Ada Lovelace"], "year": 2024,
         "tags": ["pdes-scientific-ml", "benchmarks"], "added": "2026-01-03",
         "abstract": "A benchmark of fluid dynamics problems for neural PDE solvers and neural operators: "
                     "Navier-Stokes flows, turbulent flows and heat equations."}
MED_1 = {"title": "Generative Tumor Segmentation in CT", "tags": ["medicine", "segmentation"], "added": "2026-01-01",
         "abstract": "Medical image segmentation of tumors in CT scans with a generative segmentation model. "
                     "Tumor masks are synthesised for medical segmentation training."}
MED_2 = {"title": "Multi-Modal Medical Image Segmentation", "tags": ["medicine", "segmentation"],
         "added": "2026-01-01",
         "abstract": "Medical image segmentation across CT and MRI scans: one segmentation model for tumors and organs "
                     "in medical images."}
MATH = {"title": "Fast $O(n^2)$ Attention & <Friends>", "tags": ["transformers"], "added": "2026-01-04",
        "links": [{"kind": "pdf", "url": "https://example.org/fast.pdf"}],
        "abstract": "Attention costs $O(n^2)$ for $n$ tokens over $16 \\times 16$ patches; a GPU hour costs $5. "
                    "Markup such as <b>bold</b> & </script> stays text."}
FIXTURE = (PDE_1, PDE_2, MED_1, MED_2, MATH)


def slug(data: dict) -> str:
    return base_slug(data["title"])


def write_papers(folder: Path, papers=FIXTURE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for data in papers:
        meta = {k: v for k, v in data.items() if k != "abstract"}
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + data["abstract"] + "\n"
        (folder / f"{slug(data)}.md").write_text(text, encoding="utf-8")
    return folder


def build_fixture(tmp: Path, papers=FIXTURE, config_edit=None) -> Path:
    root = make_project(tmp, write_papers(tmp / "_papers", papers))
    if config_edit:
        config = root / "mkdocs.yml"
        config.write_text(config_edit(config.read_text(encoding="utf-8")), encoding="utf-8")
    run_generator(root, "build")
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("exports"))


def html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# -- papers.json ---------------------------------------------------------------------------


def test_papers_json_validates_against_its_schema_and_matches_the_paper_files(site):
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert (site / "papers.schema.json").read_bytes() == SCHEMA.read_bytes()
    assert data["count"] == len(FIXTURE) == len(data["papers"])
    assert data["updated"] == "2026-01-04"
    records = {p["slug"]: p for p in data["papers"]}
    assert [p["slug"] for p in data["papers"]] == sorted(records)
    pde = records[slug(PDE_1)]
    for field in ("title", "authors", "year", "month", "arxiv", "doi", "venue", "tags", "added", "abstract"):
        assert pde[field] == PDE_1[field], field
    assert pde["day"] is None and pde["keywords"] == []
    # No links in the file: the arXiv, PDF and DOI links come from its identifiers, as on its page.
    assert pde["links"] == [{"kind": "arxiv", "url": f"https://arxiv.org/abs/{PDE_1['arxiv']}"},
                            {"kind": "pdf", "url": f"https://arxiv.org/pdf/{PDE_1['arxiv']}"},
                            {"kind": "doi", "url": f"https://doi.org/{PDE_1['doi']}"}]
    assert pde["url"] == f"https://example.github.io/paper-collection/papers/{slug(PDE_1)}/"
    assert pde["related"][0] == slug(PDE_2)
    math = records[slug(MATH)]
    assert math["title_plain"] == "Fast O(n²) Attention & <Friends>" and math["year"] is None
    assert len({p["bibtex_key"] for p in data["papers"]}) == len(FIXTURE)


def test_schema_rejects_a_broken_export(site):
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    del data["papers"][0]["title"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


# -- BibTeX --------------------------------------------------------------------------------


def test_papers_bib_has_one_entry_per_paper_and_tag_files_hold_their_papers(site):
    library = bibtexparser.parse_string((site / "papers.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    assert len(library.entries) == len(FIXTURE) == len({e.key for e in library.entries})
    titles = {e.fields_dict["title"].value for e in library.entries}
    assert "Neural Operators Solve Fluid PDEs" in titles
    tag = bibtexparser.parse_string((site / "tags" / "segmentation" / "papers.bib").read_text(encoding="utf-8"))
    assert sorted(e.fields_dict["title"].value for e in tag.entries) == sorted([MED_1["title"], MED_2["title"]])
    empty = bibtexparser.parse_string((site / "tags" / "robotics" / "papers.bib").read_text(encoding="utf-8"))
    assert empty.entries == []


# -- feeds ---------------------------------------------------------------------------------


def test_site_feed_is_valid_atom_newest_first(site):
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.updated.startswith("2026-01-04")
    assert [e.title for e in feed.entries][:2] == ["Fast O(n²) Attention & <Friends>", PDE_2["title"]]
    assert len(feed.entries) == len(FIXTURE)
    for entry in feed.entries:
        assert entry.title and entry.link.startswith("https://example.github.io/paper-collection/papers/")
        assert entry.summary and entry.id
    by_title = {e.title: e for e in feed.entries}
    assert [a.name for a in by_title[PDE_1["title"]].authors] == PDE_1["authors"]
    assert "$" not in by_title["Fast O(n²) Attention & <Friends>"].summary.replace("$5", "")


def test_tag_feeds_are_valid_and_hold_only_their_tag(site):
    feed = feedparser.parse((site / "tags" / "segmentation" / "feed.xml").read_bytes())
    assert feed.bozo == 0
    assert sorted(e.title for e in feed.entries) == sorted([MED_1["title"], MED_2["title"]])
    assert feed.feed.updated.startswith("2026-01-01")
    empty = feedparser.parse((site / "tags" / "robotics" / "feed.xml").read_bytes())
    assert empty.bozo == 0 and empty.entries == []


def test_seed_feed_holds_the_newest_fifty(bundled_site):
    feed = feedparser.parse((bundled_site / "site" / "feed.xml").read_bytes())
    assert feed.bozo == 0
    assert len(feed.entries) == FEED_SIZE
    data = json.loads((bundled_site / "site" / "papers.json").read_text(encoding="utf-8"))
    assert data["count"] == len(list((bundled_site / "content" / "papers").glob("*.md")))


def test_feeds_and_exports_are_linked_from_the_site(site):
    home = html(site / "index.html")
    alternates = home.select('head link[rel~="alternate"][type="application/atom+xml"]')
    # Never a bare rel="alternate": Material fetches a sitemap.xml beside each of those.
    assert not home.select('link[rel="alternate"]')
    assert [a["href"] for a in alternates] == ["feed.xml"]
    body_links = {a["href"] for a in home.select("article a, .md-content a")}
    assert {"feed.xml", "papers.bib", "papers.json", "exports/"} <= body_links
    # The exports page: the whole files (small enough) and each year's part, from exports/index.json.
    exports_page = html(site / "exports" / "index.html")
    hrefs = {a["href"] for a in exports_page.select(".md-content a")}
    index = json.loads((site / "exports" / "index.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in index["parts"]] == ["2024", "undated"]
    assert {"../papers.json", "../papers.bib", "index.json"} <= hrefs
    assert {p[kind]["path"] for p in index["parts"] for kind in ("json", "bib")} <= hrefs
    for part in index["parts"]:
        assert (site / "exports" / part["json"]["path"]).stat().st_size == part["json"]["bytes"]
    tag = html(site / "tags" / "segmentation" / "index.html")
    assert {a["href"] for a in tag.select('head link[rel~="alternate"]')} == {"../../feed.xml", "feed.xml"}
    assert {"feed.xml", "papers.bib"} <= {a["href"] for a in tag.select(".md-content a")}
    paper = html(site / "papers" / slug(PDE_1) / "index.html")
    assert paper.select_one('head link[rel~="alternate"]')["href"] == "../../feed.xml"


# -- determinism ---------------------------------------------------------------------------


def test_two_builds_are_byte_identical(site, tmp_path):
    again = build_fixture(tmp_path)
    for path in ("papers.json", "papers.bib", "exports/index.json", "exports/papers-2024.json",
                 "exports/papers-undated.bib", "exports/index.html", "feed.xml", "tags/segmentation/feed.xml",
                 "tags/segmentation/papers.bib", f"papers/{slug(PDE_1)}/index.html", "index.html"):
        assert (again / path).read_bytes() == (site / path).read_bytes(), path
