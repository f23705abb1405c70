"""The statistics page in Chromium at phone and desktop widths (issue #25): every chart label and
number is drawn at 12 px or more on screen (an SVG scaled down by its viewBox draws its 12 px text
smaller: the size is measured as drawn), labels do not overlap or leave their chart, and the page
fits the screen."""

from __future__ import annotations

import pytest

from tests.browse_fixture import build_browse_site
from tests.helpers import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VENUES = ["Conference on Neural Information Processing Systems", "International Conference on Machine Learning",
          "MICCAI", "ICLR", "Transactions on Machine Learning Research"]
TAGS = ["medicine", "segmentation", "benchmarks", "transformers", "language-models", "pdes-scientific-ml"]
# Years 2008-2024 (17 columns) and papers added over 20 months (per-month columns).
PAPERS = tuple({"title": f"Chart paper number {i}", "tags": [TAGS[i % len(TAGS)]],
                "added": f"{2025 + (i % 20) // 12}-{(i % 20) % 12 + 1:02d}-15",
                "abstract": f"An abstract for paper {i}.", "year": 2008 + i % 17, "venue": VENUES[i % len(VENUES)]}
               for i in range(40))
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# For each text of a chart: its drawn font size (computed size times the SVG's scale) and its box.
MEASURE = """() => [...document.querySelectorAll('.stats-figure')].map(figure => {
  const texts = [...figure.querySelectorAll('.stats-chart__label, .stats-chart__value')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
  const box = figure.getBoundingClientRect();
  return {id: figure.id, box: {left: box.left, right: box.right},
          texts: texts.map(el => {
            const scale = el.getScreenCTM ? el.getScreenCTM().a : 1;
            const r = el.getBoundingClientRect();
            return {text: el.textContent, kind: el.classList.contains('stats-chart__label') ? 'label' : 'value',
                    size: parseFloat(getComputedStyle(el).fontSize) * scale,
                    left: r.left, right: r.right, top: r.top, bottom: r.bottom};
          })};
})"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_browse_site(tmp_path_factory.mktemp("stats-browser"), PAPERS)


def overlap(a, b) -> bool:
    return a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5 and \
        a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5


@pytest.mark.parametrize("width", list(WIDTHS))
def test_chart_labels_are_legible_apart_and_inside_their_chart(site, browser, width):
    with serve(site) as base:
        context = browser.new_context(viewport=WIDTHS[width], is_mobile=width == "phone")
        page = context.new_page()
        try:
            page.goto(base + "stats/")
            page.wait_for_load_state("networkidle")
            figures = page.evaluate(MEASURE)
            assert [f["id"] for f in figures] == ["figure-tags", "figure-years", "figure-venues", "figure-added"]
            for figure in figures:
                labels = [t for t in figure["texts"] if t["kind"] == "label"]
                assert len(labels) >= 4, figure["id"]  # the charts keep their labels
                small = [(t["text"], round(t["size"], 1)) for t in figure["texts"] if t["size"] < 12]
                assert small == [], figure["id"]
                box = figure["box"]
                for text in figure["texts"]:
                    assert box["left"] - 0.5 <= text["left"] and text["right"] <= box["right"] + 0.5, \
                        (figure["id"], text["text"])
                crowded = [(a["text"], b["text"]) for i, a in enumerate(figure["texts"])
                           for b in figure["texts"][i + 1:] if overlap(a, b)]
                assert crowded == [], figure["id"]
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        finally:
            context.close()
