"""The statistics page: SVG charts made at build time (no script needed), numbers that match the
collection, labels that stay text, colours from the page's palette."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.paper import Paper
from paper_collection.site import stats
from paper_collection.site.stats import column_chart, over_time
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
    assert venues == {"ICLR": 2, "MICCAI": 2, HOSTILE_VENUE[:stats.LABEL_CHARS - 1] + "…": 1, "NeurIPS": 1}
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


def test_charts_are_not_scaled_so_their_text_keeps_its_size():
    """A viewBox would scale the 13 px text with the chart (to 5-6 px on a phone): none has one,
    and positions across the width are percentages."""
    chart = column_chart("c", "Columns", [(str(year), year - 1999) for year in range(2000, 2025)])
    assert "viewBox" not in chart.attrib and chart.get("width") == "100%"
    assert all(r.get("x").endswith("%") and r.get("width").endswith("%") for r in chart.iter("rect"))
    for svg in (chart, stats.bar_chart("b", "Bars", [("A long label " * 5, 3), ("B", 1)])):
        assert "viewBox" not in svg.attrib


def test_column_labels_are_thinned_to_fit_a_phone_and_more_show_on_a_wide_chart():
    months = [(f"{2020 + m // 12}-{m % 12 + 1:02d}", m) for m in range(60)]
    labels = [t for t in column_chart("c", "Months", months).iter("text") if "stats-chart__label" in t.get("class")]
    width = len("2020-01") * stats.EM * stats.FONT + 12
    always = [t for t in labels if "stats-chart__label--wide" not in t.get("class")]
    assert len(always) * width <= stats.NARROW and len(labels) * width <= stats.WIDE
    assert len(always) >= 3 and len(labels) > len(always)
    # evenly spaced, the phone's labels among the wide chart's
    positions = [float(t.get("x").rstrip("%")) for t in labels]
    gaps = {round(b - a, 1) for a, b in zip(positions, positions[1:], strict=False)}
    assert len(gaps) == 1 and always[0].text == labels[0].text == "2020-01"
    few = [(str(y), 1) for y in (2021, 2022, 2023)]
    assert [t.text for t in column_chart("c", "Years", few).iter("text")][1:] == ["2021", "2022", "2023"]
