"""What visitors see of `update`: the Latest papers page (grouped by the day papers were added,
paginated, linked from home) and one Atom feed per watch, built from the test collection after an
update that replayed the recorded arXiv pages; and the page in Chromium at 390 px and 1280 px, light
and dark (axe runs on it in tests/test_accessibility_browser.py)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from lxml import etree

from tests.helpers import run_generator, serve
from tests.lookup_fixtures import Replay
from tests.test_update import FIXTURES, PAGE_1, PAGE_2, _run, only_watches

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The test collection after one update (13 new papers on 2026-12-07, beside two of January), with 5
    papers a page, built."""
    project = tmp_path_factory.mktemp("latest") / "collection"
    shutil.copytree(FIXTURES / "collection", project)
    config = (project / "mkdocs.yml").read_text(encoding="utf-8").replace("per_page: 100", "per_page: 5")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    only_watches(project, 'min_confidence: 0.8\nwatches:\n  - name: testing\n    arxiv: "all:testing"\n'
                          "    max: 20\n")
    replay = Replay([(lambda r: r.url.params.get("start") == "0", PAGE_1),
                     (lambda r: r.url.params.get("start") == "10", PAGE_2)])
    report = _run(project, replay, [], since=dt.date(2010, 1, 1))
    assert report.new_count == 13
    run_generator(project, "build")
    return project / "site"


def test_latest_groups_papers_by_the_day_they_were_added_over_pages(site):
    first = (site / "latest" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="added-2026-12-07"><time datetime="2026-12-07">7 December 2026</time>' in first
    assert "15 papers, newest additions first" in first and "page 1 of 3" in first
    assert first.count('class="paper-list__item"') == 5
    last = (site / "latest" / "page" / "3" / "index.html").read_text(encoding="utf-8")
    # The last page holds the oldest: the collection's own papers, each under its day.
    assert '<time datetime="2026-01-11">11 January 2026</time>' in last
    assert '<time datetime="2026-01-10">10 January 2026</time>' in last
    assert last.index("2026-01-11") < last.index("2026-01-10")
    assert 'href="../../../watches/testing/feed.xml"' in last
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="latest/">All the latest papers, by the day they were added</a>' in home


def test_each_watch_has_an_atom_feed_of_the_papers_it_brought(site):
    feed = etree.parse(str(site / "watches" / "testing" / "feed.xml")).getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert len(titles) == 14  # 13 new, and the paper the collection had, which the watch filled in
    assert "Property-Based Mutation Testing" in titles
    assert "A Paper About Property Checks" not in titles  # no watch brought it
    assert feed.findtext(f"{ATOM}updated").startswith("2026-12-07")
    paper = (site / "papers" / "property-based-mutation-testing" / "index.html").read_text(encoding="utf-8")
    assert "From the arXiv API (<code>watch:testing</code>" in paper


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_latest_page_fits_the_screen_in_light_and_dark(site, browser, width, scheme):
    with serve(site) as base:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        try:
            page.goto(base + "latest/")
            page.wait_for_load_state("networkidle")
            assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            heading = page.locator("h2#added-2026-12-07")
            assert heading.is_visible() and re.match(r"7 December 2026", heading.inner_text())
            box = page.locator(".paper-list__title").first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            colour = page.eval_on_selector(".paper-list__title", "e => getComputedStyle(e).color")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert colour != background
            page.screenshot(path=str(site.parent / f"latest-{width}-{scheme}.png"), full_page=False)
        finally:
            context.close()
