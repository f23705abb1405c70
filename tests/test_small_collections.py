"""Any collection builds (issue #22): one with no docs folder at all, one with an empty
`content/papers/`, one with a single paper, and one whose papers give no authors, years or
venues. Each builds strictly; every page kind is there (home, tags index, each tag's page and
feeds, explorer, statistics, map, feeds, exports, search index), the author, year and venue
indexes exactly when the papers give them, and no link leads nowhere. An empty collection's home
page says how to add papers."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from paper_collection.collection import frontmatter
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.settings import Layout
from tests.helpers import SEED_TAXONOMY, internal_links, make_project, run_generator

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
TAG_NAMES = load_taxonomy(SEED_TAXONOMY).names
REPO_URL = "https://github.com/example/paper-collection"  # tests/fixtures/seed/mkdocs.yml's repo_url fallback

ONE_PAPER = [{"slug": "organ-segmentation-across-three-hospitals",
              "meta": {"title": "Organ Segmentation Across Three Hospitals", "authors": ["Ada Lovelace"],
                       "year": 2024, "venue": "MICCAI", "tags": ["segmentation"], "added": "2026-01-02"},
              "abstract": "We segment organs in abdominal CT scans from three hospitals and measure how well "
                          "the model transfers to the hospitals it never saw."}]
BARE_PAPERS = [{"slug": slug, "meta": {"title": title, "tags": [tag], "added": added}, "abstract": abstract}
               for slug, title, tag, added, abstract in [
                   ("robust-detectors-for-street-scenes", "Robust Detectors for Street Scenes", "vision",
                    "2026-01-01", "Object detectors trained on sunny street scenes fail at night; we show why."),
                   ("how-transformers-count", "How Transformers Count", "transformers", "2026-01-02",
                    "We probe how small transformers learn to count tokens and where the skill breaks."),
                   ("tagging-without-labels", "Tagging Without Labels", "untagged", "2026-01-03",
                    "A paper no rule matched yet: it waits for a maintainer to give it tags."),
               ]]
CASES = {"no docs folder": None, "empty papers folder": [], "one paper": ONE_PAPER,
         "no authors, years or venues": BARE_PAPERS}


def write_papers(folder: Path, papers: list[dict]) -> Path:
    folder.mkdir(parents=True)
    for paper in papers:
        (folder / f"{paper['slug']}.md").write_text(frontmatter.dump(paper["meta"], paper["abstract"]),
                                                    encoding="utf-8")
    return folder


def project_for(base: Path, papers: list[dict] | None) -> Path:
    """A project from the seed fixture with these papers; None: no docs folder (`content/`) at all."""
    root = make_project(base / "project", write_papers(base / "papers", papers or []))
    if papers is None:
        shutil.rmtree(root / "content")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Each case's project, built (`build` is strict: `mkdocs build --strict`)."""
    projects = {}
    for name, papers in CASES.items():
        root = project_for(tmp_path_factory.mktemp("small"), papers)
        result = run_generator(root, "build")
        assert result.stdout.splitlines()[-2:] == [f"ok: {len(papers or [])} papers valid", "built site/"]
        projects[name] = root
    return projects


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(path: Path) -> str:
    return " ".join(_soup(path).select_one("article").get_text(" ", strip=True).split())


@pytest.mark.parametrize("case", CASES)
def test_every_page_kind_is_built_and_counts_the_papers(built, case):
    papers = CASES[case] or []
    site = built[case] / "site"
    pages = ["index.html", "404.html", "tags/index.html", "explore/index.html", "stats/index.html",
             "map/index.html", "exports/index.html", "exports/index.json", "sitemap.xml",
             *(f"tags/{name}/index.html" for name in TAG_NAMES),
             *(f"tags/{name}/feed.xml" for name in TAG_NAMES), *(f"tags/{name}/papers.bib" for name in TAG_NAMES),
             *(f"papers/{p['slug']}/index.html" for p in papers)]
    assert [page for page in pages if not (site / page).is_file()] == []
    assert sorted(p.parent.name for p in site.glob("papers/*/index.html")) == sorted(p["slug"] for p in papers)
    count = len(papers)
    assert json.loads((site / "papers.json").read_text(encoding="utf-8"))["count"] == count
    assert len(json.loads((site / "papers.json").read_text(encoding="utf-8"))["papers"]) == count
    index = json.loads((site / "exports" / "index.json").read_text(encoding="utf-8"))
    assert index["count"] == sum(part["count"] for part in index["parts"]) == count
    assert len(re.findall(r"^@\w+\{", (site / "papers.bib").read_text(encoding="utf-8"), re.M)) == count
    assert len(ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry")) == count
    assert json.loads((site / "search" / "paper-search.json").read_text(encoding="utf-8"))["docs"] == count
    assert json.loads((site / "explore" / "facets.json").read_text(encoding="utf-8"))["count"] == count
    points = json.loads((site / "map" / "points.json").read_text(encoding="utf-8"))["points"]
    assert points["width"] == 0 or len(points["data"]) == 2 * count * points["width"]
    assert f"The shape of the collection's {count} papers" in _text(site / "stats" / "index.html")
    assert f"All {count} papers" in _text(site / "explore" / "index.html")
    assert f"tags over {count} papers" in _text(site / "tags" / "index.html")
    for name in TAG_NAMES:
        members = [p for p in papers if name in p["meta"]["tags"]]
        listed = _soup(site / "tags" / name / "index.html").select(".paper-list__title")
        assert sorted(a.get_text() for a in listed) == sorted(p["meta"]["title"] for p in members)
    checked, broken = internal_links(site)
    assert not broken and checked > 100


@pytest.mark.parametrize("case", CASES)
def test_author_year_and_venue_indexes_exist_when_the_papers_give_them(built, case):
    papers = CASES[case] or []
    site = built[case] / "site"
    nav = {a.get_text(strip=True) for a in _soup(site / "index.html").select("nav.md-nav--primary a")}
    for index, field in (("authors", "authors"), ("years", "year"), ("venues", "venue")):
        given = any(p["meta"].get(field) for p in papers)
        assert (site / index / "index.html").is_file() == given, index
        assert (index.capitalize() in nav) == given, index
    if case == "one paper":
        # a one-paper author has no page of their own (author_pages_min_papers): the index links the paper
        assert not (site / "authors" / "ada-lovelace").exists()
        rows = {a.get_text(): a["href"] for a in _soup(site / "authors" / "index.html").select(".author-table a")}
        assert rows == {"Ada Lovelace": f"../papers/{ONE_PAPER[0]['slug']}/"}
        assert (site / "years" / "2024" / "index.html").is_file()
        assert (site / "venues" / "miccai" / "index.html").is_file()


@pytest.mark.parametrize("case", ["no docs folder", "empty papers folder"])
def test_an_empty_collection_says_how_to_add_papers(built, case):
    home = _soup(built[case] / "site" / "index.html")
    text = " ".join(home.select_one("article").get_text(" ", strip=True).split())
    assert "This collection has no papers yet" in text
    commands = [code.get_text() for code in home.select(".home__empty code")]
    assert commands == ["paper-collection import FILE", "paper-collection add arXiv:ID", "paper-collection build"]
    assert home.select_one(".home__empty a")["href"] == f"{REPO_URL}/blob/HEAD/CONTRIBUTING.md"
    assert "Latest additions" not in text and not home.select(".paper-list")
    assert len(home.select(".tag-cloud a")) == len(TAG_NAMES)  # what papers will be tagged with


def test_a_collection_with_papers_does_not_say_it_is_empty(built):
    home = _soup(built["one paper"] / "site" / "index.html")
    assert not home.select(".home__empty")
    assert "A curated collection of 1 research paper:" in home.select_one(".home__intro").get_text()
    assert [a.get_text() for a in home.select(".paper-list__title")] == [ONE_PAPER[0]["meta"]["title"]]


def test_a_missing_docs_folder_is_made_by_build_and_left_empty(built):
    root = built["no docs folder"]
    assert Layout(root).docs_dir == root / "content"
    assert (root / "content").is_dir() and not any((root / "content").iterdir())
    assert run_generator(root, "validate").stdout == "ok: 0 papers valid\n"


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_an_empty_collection_builds_the_same_bytes_again(built, tmp_path):
    again = project_for(tmp_path, None)
    run_generator(again, "build")
    assert _tree_hash(again / "site") == _tree_hash(built["no docs folder"] / "site")
