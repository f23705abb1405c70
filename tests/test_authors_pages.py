"""Author pages cost the site in proportion to papers (issue 25): a person gets a page and a feed
only with `author_pages_min_papers` papers (3 by default); below the line their name is plain text
on their paper's page, or a link to the explorer filtered to them, and the author index still
lists everyone."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.site.authors import name_path, paged_people
from paper_collection.site.model import SiteSettings, build_model
from paper_collection.site.pages import AuthorPage, site_pages
from tests.helpers import SEED_TAXONOMY, internal_links
from tests.test_exports import build_fixture, slug

# Ada Lovelace has two papers (written two ways); everyone else one.
TWO = {"title": "Neural Operators Solve Fluid PDEs", "tags": ["pdes-scientific-ml"], "added": "2026-01-02",
       "abstract": "Neural operators as PDE solvers.", "authors": ["Ada Lovelace", "Bernd Götz"]}
SECOND = {"title": "Medical Image Segmentation in CT", "tags": ["medicine"], "added": "2026-01-03",
          "abstract": "Segmentation of tumours in CT scans.", "authors": ["Lovelace, A.", "Grace Hopper"]}
ALONE = {"title": "Fast Attention for Long Inputs", "tags": ["transformers"], "added": "2026-01-04",
         "abstract": "Attention that costs less for long inputs.", "authors": ["Alan Turing"]}
PAPERS = (TWO, SECOND, ALONE)


def html(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def paper_page(site, data):
    return html(site / "papers" / slug(data) / "index.html")


def author_names(page) -> dict[str, str | None]:
    """A paper page's author names -> where each links (None: plain text)."""
    names = {}
    for node in page.select_one(".paper__authors").children:
        if getattr(node, "name", None) == "a":
            names[node.get_text()] = node["href"]
        else:
            for name in str(node.get_text() if hasattr(node, "get_text") else node).split(","):
                if name.strip():
                    names[name.strip()] = None
    return names


def index_rows(site) -> dict[str, str]:
    return {a.get_text(): a["href"] for a in html(site / "authors" / "index.html").select(".author-table a")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("author-line"), PAPERS)


@pytest.mark.slow
def test_only_a_person_with_two_papers_gets_a_page_and_a_feed(site):
    people = sorted(p.name for p in (site / "authors").iterdir() if p.is_dir() and p.name != "page")
    assert people == ["ada-lovelace"]
    assert (site / "authors" / "ada-lovelace" / "index.html").is_file()
    assert list((site / "authors").glob("*/feed.xml")) == [site / "authors" / "ada-lovelace" / "feed.xml"]
    page = html(site / "authors" / "ada-lovelace" / "index.html")
    assert {a.get_text() for a in page.select(".paper-list__title")} == {TWO["title"], SECOND["title"]}
    # co-authors whose one paper is listed above are counted, not named again nor linked to no page
    assert not page.select(".coauthor-list")
    assert page.select_one(".coauthor-list__others").get_text(" ", strip=True) == (
        "2 co-authors with no other paper in the collection, named on the pages of the papers above.")


@pytest.mark.slow
def test_paper_pages_link_only_people_with_a_page(site):
    assert author_names(paper_page(site, TWO)) == {"Ada Lovelace": "../../authors/ada-lovelace/", "Bernd Götz": None}
    assert author_names(paper_page(site, SECOND)) == {"Lovelace, A.": "../../authors/ada-lovelace/",
                                                      "Grace Hopper": None}
    assert author_names(paper_page(site, ALONE)) == {"Alan Turing": None}


@pytest.mark.slow
def test_the_index_lists_everyone_and_one_paper_people_link_to_their_paper(site):
    assert index_rows(site) == {"Bernd Götz": f"../papers/{slug(TWO)}/", "Grace Hopper": f"../papers/{slug(SECOND)}/",
                                "Ada Lovelace": "ada-lovelace/", "Alan Turing": f"../papers/{slug(ALONE)}/"}


@pytest.mark.slow
def test_no_link_leads_to_a_missing_page(site):
    checked, broken = internal_links(site)
    assert checked and not broken
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "authors/ada-lovelace/" in sitemap and "authors/alan-turing/" not in sitemap


@pytest.mark.slow
def test_the_option_moves_the_line(tmp_path):
    site = build_fixture(tmp_path, PAPERS, config_edit=lambda text: text.replace(
        "      author_pages_min_papers: 2\n", "      author_pages_min_papers: 3\n"))
    # nobody has 3 papers: no person's page or feed, but the index still lists everyone
    assert sorted(p.name for p in (site / "authors").iterdir()) == ["index.html"]
    # a person below the line with several papers links to the explorer filtered to them
    href = author_names(paper_page(site, TWO))["Ada Lovelace"]
    address = urlsplit(href)
    assert address.path == "../../explore/" and parse_qs(address.query) == {"author": ["Ada Lovelace"]}
    assert urlsplit(index_rows(site)["Ada Lovelace"]).query == address.query
    # ... by the name the explorer's author filter knows them by
    author_table = json.loads((site / "explore" / "authors.json").read_text(encoding="utf-8"))
    assert "Ada Lovelace" in author_table["authors"]
    checked, broken = internal_links(site)
    assert checked and not broken


def model_with(line: int):
    papers = [Paper(slug=slug(d), title=d["title"], abstract=d["abstract"], tags=tuple(d["tags"]), added=d["added"],
                    authors=tuple(d["authors"])) for d in PAPERS]
    return build_model(papers, load_taxonomy(SEED_TAXONOMY), SiteSettings(name="S", author_pages_min_papers=line))


def test_the_default_line_is_three_papers():
    """Measured on real author lists (benchmarks/README.md, "Author pages"): at 30,000 papers the
    pages and feeds of people with 2 papers were most of the site."""
    from paper_collection.site.plugin import PaperCollectionConfig

    assert SiteSettings(name="S").author_pages_min_papers == 3
    config = PaperCollectionConfig()
    config.load_dict({})
    assert not config.validate()[0] and config.author_pages_min_papers == 3


@pytest.mark.parametrize(("line", "paged"), [(1, ["ada-lovelace", "alan-turing", "bernd-gotz", "grace-hopper"]),
                                             (2, ["ada-lovelace"]), (3, [])])
def test_the_line_decides_the_pages(line, paged):
    model = model_with(line)
    pages = site_pages(model)
    assert sorted(p.person_slug for p in pages.values() if isinstance(p, AuthorPage)) == paged
    assert sorted(p.slug for p in paged_people(model.authors, line)) == paged
    assert "authors/index.md" in pages  # the index, whatever the line


def test_where_a_name_links():
    model = model_with(3)
    ada, alan = model.authors.people["ada-lovelace"], model.authors.people["alan-turing"]
    assert name_path(ada, 3, model.urls) == "explore/?author=Ada+Lovelace"
    assert name_path(ada, 2, model.urls) == "authors/ada-lovelace/"
    assert name_path(alan, 3, model.urls) == model.urls[slug(ALONE)]
    assert name_path(alan, 3, model.urls, alone=True) is None
