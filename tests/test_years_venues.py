"""Year and venue pages in a built site: each lists its papers newest first with a count, paper
pages and the statistics tables link them, the navigation lists their indexes; hostile venue names
stay text; a collection that gives no years or venues gets no such pages or entries."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.browse_fixture import BROWSE, build_browse_site
from tests.test_exports import slug

pytestmark = pytest.mark.slow

HOSTILE_VENUE = "<script>alert('venue')</script> & <img src=x onerror=alert(1)>"
HOSTILE = {"title": "A Paper From a Hostile Venue", "tags": ["benchmarks"], "added": "2026-03-01",
           "abstract": "An abstract.", "venue": HOSTILE_VENUE, "year": 2024}


def html(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def nav_titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text(" ", strip=True) for a in page.select(".md-nav--primary > .md-nav__list > li > a")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_browse_site(tmp_path_factory.mktemp("years-venues"), (*BROWSE, HOSTILE))


def test_year_pages_list_their_papers_newest_first(site):
    index = html(site / "years" / "index.html")
    rows = [(a.get_text(), a["href"], a.find_parent("tr").select("td")[1].get_text())
            for a in index.select(".md-content table a")]
    assert rows == [("2024", "2024/", "3"), ("2023", "2023/", "2"), ("2022", "2022/", "1"), ("2021", "2021/", "1")]
    year = html(site / "years" / "2024" / "index.html")
    assert year.select_one(".md-content h1").get_text() == "Papers from 2024"
    assert [a.get_text() for a in year.select(".paper-list__title")] == \
        [HOSTILE["title"], BROWSE[0]["title"], "Multi-Modal Medical Image Segmentation"]
    assert year.select_one(".tag__count").get_text().startswith("3 papers.")


def test_venue_pages_keep_hostile_names_as_text(site):
    index = html(site / "venues" / "index.html")
    names = {a.get_text(): a["href"] for a in index.select(".md-content table a")}
    assert names["MICCAI"] == "miccai/" and names["ICLR"] == "iclr/"
    hostile_href = names[HOSTILE_VENUE]
    assert hostile_href == "script-alert-venue-script-img-src-x-onerror-alert-1/"
    page = html(site / "venues" / hostile_href / "index.html")
    assert page.select_one(".md-content h1").get_text() == f"Papers in {HOSTILE_VENUE}"
    assert not page.select(".md-content script, .md-content img")
    assert [a.get_text() for a in page.select(".paper-list__title")] == [HOSTILE["title"]]
    miccai = html(site / "venues" / "miccai" / "index.html")
    assert len(miccai.select(".paper-list__item")) == 2


def test_paper_pages_and_statistics_link_years_and_venues(site):
    paper = html(site / "papers" / slug(BROWSE[3]) / "index.html")  # MICCAI 2024
    links = {a.get_text(): a["href"] for a in paper.select(".paper__venue a")}
    assert links == {"MICCAI": "../../venues/miccai/", "2024": "../../years/2024/"}
    stats = html(site / "stats" / "index.html")
    table_links = {a.get_text(): a["href"] for a in stats.select("details.stats-table a")}
    assert table_links["2022"] == "../years/2022/" and table_links["ICLR"] == "../venues/iclr/"
    assert table_links["Segmentation"] == "../tags/segmentation/"
    assert {a.get_text() for a in stats.select("figcaption a")} == {"All tags", "All years", "All venues"}


def test_the_navigation_lists_the_indexes_not_every_year_or_venue(site):
    home = html(site / "index.html")
    assert nav_titles(home) == ["Home", "Tags", "Explore", "Statistics", "Map", "Authors", "Years", "Venues"]
    assert not home.select(".md-nav a[href*='years/2024']")


def test_a_collection_without_years_venues_or_authors_gets_no_such_pages(tmp_path):
    listing = [{key: value for key, value in p.items() if key not in ("year", "venue", "authors", "month")}
               for p in BROWSE]
    site = build_browse_site(tmp_path, listing)
    assert not (site / "years").exists() and not (site / "venues").exists() and not (site / "authors").exists()
    home = html(site / "index.html")
    assert nav_titles(home) == ["Home", "Tags", "Explore", "Statistics", "Map"]
    paper = html(site / "papers" / slug(BROWSE[0]) / "index.html")
    assert not paper.select(".paper__venue")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/years/" not in sitemap and "/venues/" not in sitemap
