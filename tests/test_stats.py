"""The statistics page: SVG charts made at build time (no script needed), numbers that match the
collection, labels that stay text, colours from the page's palette."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.paper import Paper
from paper_collection.site.stats import over_time
from tests.browse_fixture import BROWSE, build_browse_site

HOSTILE_VENUE = "<script>alert('venue')</script> & <img src=x onerror=alert(1)>"
PAPERS = (*BROWSE, {"title": "A Paper From a Hostile Venue", "tags": ["benchmarks"], "added": "2026-03-01",
                    "abstract": "An abstract.", "venue": HOSTILE_VENUE, "year": 2024})


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    site = build_browse_site(tmp_path_factory.mktemp("stats"), PAPERS)
    return BeautifulSoup((site / "stats" / "index.html").read_text(encoding="utf-8"), "html.parser")


def bars(page, chart: str) -> dict[str, int]:
    svg = page.select_one(f"figure#figure-{chart} svg")
    labels = [t.get_text() for t in svg.select("text.stats-chart__label")]
    values = [int(t.get_text()) for t in svg.select("text.stats-chart__value")]
    return dict(zip(labels, values, strict=True))


@pytest.mark.slow
def test_charts_show_the_collections_numbers(page):
    tags = bars(page, "tags")
    assert tags["Benchmarks and evaluation"] == 3 and tags["Segmentation"] == 2 and tags["Robotics"] == 0
    venues = bars(page, "venues")
    assert venues == {"ICLR": 2, "MICCAI": 2, HOSTILE_VENUE[:33] + "…": 1, "NeurIPS": 1}
    years = page.select_one("figure#figure-years svg")
    assert [t.get_text() for t in years.select("text.stats-chart__label")] == ["2021", "2022", "2023", "2024"]
    assert len(years.select("rect.stats-chart__bar")) == 4
    # each chart is an image with a name, and its numbers are also a table
    for svg in page.select("figure svg"):
        assert svg["role"] == "img" and svg.select_one("title").get_text()
    assert len(page.select("details.stats-table table")) == 4


@pytest.mark.slow
def test_labels_stay_text(page):
    content = page.select_one(".md-content")
    assert not content.select("script, img, iframe")
    assert HOSTILE_VENUE in page.select_one("figure#figure-venues svg desc").get_text()
    assert HOSTILE_VENUE in [td.get_text() for td in page.select("details.stats-table td")]


def test_over_time_is_per_day_for_short_spans_and_per_month_for_long_ones():
    def paper(added):
        return Paper(slug=added, title=added, abstract="", tags=(), added=added)
    short = over_time([paper("2026-01-01"), paper("2026-01-03"), paper("2026-01-03")])
    assert short == [("2026-01-01", 1), ("2026-01-02", 0), ("2026-01-03", 2)]
    long = over_time([paper("2025-11-20"), paper("2026-02-01")])
    assert long == [("2025-11", 1), ("2025-12", 0), ("2026-01", 0), ("2026-02", 1)]
