"""The collection map (/map/) in Chromium: it highlights a search and the explorer's filters (the
same papers the explorer lists), shows a paper's title on hover and on keyboard focus, opens it on
click and Enter, keeps hostile titles as text, works at phone width and says what it is without
JavaScript; it fetches title chunks only for the papers it shows, and all of them for a text filter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from benchmarks.explore import synthetic, write_data
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.site import cache, collection_map, explore
from paper_collection.site.model import newest_first
from tests.browse_fixture import BROWSE, build_browse_site
from tests.helpers import SEED_TAXONOMY, console_problem, serve
from tests.test_exports import slug

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAD = 12  # map.js: the canvas's margin around the grid, in CSS pixels
HOSTILE = {"title": "<img src=x onerror=alert(1)> Segmentation & \"quotes\" </script>", "tags": ["segmentation"],
           "added": "2026-01-06",
           "abstract": "Medical image segmentation of organs in CT scans; <b>markup</b> stays text."}
PAPERS = (*BROWSE, HOSTILE)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_browse_site(tmp_path_factory.mktemp("map"), PAPERS)


@pytest.fixture
def watched(browser):
    """A page whose dialogs, console errors and page errors fail the test."""
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: console_problem(m) and problems.append(m.text))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    context.close()
    assert problems == []


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map.map--ready")


def explorer_rows(site) -> list[list]:
    """Every [title, slug or 0] in the explorer data's order (the map's points' order): the title chunks in turn."""
    facets = json.loads((site / explore.FACETS).read_text(encoding="utf-8"))
    chunks = range(-(-facets["count"] // facets["titleChunk"]))
    return [row for n in chunks for row in json.loads((site / "explore" / "titles" / f"{n}.json").read_bytes())]


def explorer_titles(site) -> list[str]:
    return [row[0] for row in explorer_rows(site)]


def point_of(site, page, title: str) -> tuple[float, float]:
    """Where a paper's point is on the screen (the map not zoomed)."""
    index = explorer_titles(site).index(title)
    points = json.loads((site / "map" / "points.json").read_text(encoding="utf-8"))
    canvas = page.locator("#map-view canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = (box["width"] - 2 * PAD) / points["grid"]
    xy = collection_map.points_of(points, len(explorer_titles(site)))
    x, y = xy[2 * index], xy[2 * index + 1]
    return box["x"] + PAD + x * scale, box["y"] + PAD + y * scale


def match_titles(page) -> list[str]:
    return page.locator("#map-matches button").all_inner_texts()


def test_the_map_highlights_a_search_and_lists_the_same_papers_as_the_explorer(site, watched):
    page = watched
    with serve(site) as base:
        page.goto(f"{base}explore/?q=segmentation")
        page.wait_for_selector("#explore.explore--ready")
        listed = page.locator(".explore-row .explore-row__title").all_inner_texts()
        assert len(listed) == 3
        open_map(page, f"{base}map/?q=segmentation")
        assert page.inner_text("#map-summary").startswith(f"3 of {len(PAPERS)} papers highlighted")
        assert sorted(match_titles(page)) == sorted(listed)
        assert page.input_value("#map-q") == "segmentation"
        # typing here changes the highlight and the address
        page.fill("#map-q", "fluid")
        assert sorted(match_titles(page)) == sorted([BROWSE[0]["title"], BROWSE[1]["title"]])
        assert parse_qs(urlsplit(page.url).query) == {"q": ["fluid"]}
        explorer_link = page.get_attribute(".map__explorer a", "href")
        assert urlsplit(explorer_link).path.endswith("/explore/") and "q=fluid" in explorer_link
        page.fill("#map-q", "")
        assert page.inner_text("#map-summary") == f"{len(PAPERS)} papers."
        assert match_titles(page) == []


def test_the_explorers_view_is_carried_to_the_map(site, watched):
    page = watched
    with serve(site) as base:
        page.goto(f"{base}explore/?tag=segmentation&year=2023-2024")
        page.wait_for_selector("#explore.explore--ready")
        listed = page.locator(".explore-row .explore-row__title").all_inner_texts()
        page.click("#explore-map-link")
        page.wait_for_selector("#map.map--ready")
        assert parse_qs(urlsplit(page.url).query) == {"tag": ["segmentation"], "year": ["2023-2024"]}
        assert match_titles(page) == listed == ["Multi-Modal Medical Image Segmentation"]
        assert "tagged Segmentation; published 2023–2024" in page.inner_text("#map-summary")


def test_hover_shows_the_title_and_a_click_opens_the_paper(site, watched):
    page = watched
    paper = BROWSE[5]
    with serve(site) as base:
        open_map(page, f"{base}map/")
        x, y = point_of(site, page, paper["title"])
        page.mouse.move(x, y)
        page.wait_for_selector("#map-tip", state="visible")
        assert page.inner_text("#map-tip .map-tip__title") == paper["title"]
        page.mouse.click(x, y)
        page.wait_for_url(f"**/papers/{slug(paper)}/")
        page.wait_for_load_state("networkidle")  # before the server stops


def test_by_keyboard_the_map_is_one_tab_stop_arrows_move_and_enter_opens(site, watched):
    page = watched
    with serve(site) as base:
        open_map(page, f"{base}map/")
        page.focus("#map-q")
        for _ in range(6):  # the find box, the zoom buttons, then the map
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "map-view":
                break
        assert page.evaluate("document.activeElement.id") == "map-view"
        newest = max(PAPERS, key=lambda p: p["added"])
        assert page.inner_text("#map-current").startswith(newest["title"])
        assert page.inner_text("#map-tip .map-tip__title") == newest["title"]
        seen = {newest["title"]}
        for key in ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"):
            page.keyboard.press(key)
            seen.add(page.inner_text("#map-tip .map-tip__title"))
        assert len(seen) >= 2  # the arrows reached other papers
        assert page.is_disabled("button:text-is('Zoom out')")
        page.keyboard.press("+")  # zooms in around the current paper, which stays in view
        assert page.is_enabled("button:text-is('Zoom out')")
        page.keyboard.press("-")
        assert page.is_disabled("button:text-is('Zoom out')")
        current = page.inner_text("#map-tip .map-tip__title")
        target = next(p for p in PAPERS if p["title"] == current)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/papers/{slug(target)}/")
        page.wait_for_load_state("networkidle")  # before the server stops
        # the next Tab stop after the map is not another point
        page.go_back()
        page.wait_for_selector("#map.map--ready")
        page.focus("#map-view")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") != "map-view"
        assert page.evaluate("!!document.activeElement.closest('#map-view')") is False


def test_a_hostile_title_is_shown_as_text(site, watched):
    page = watched
    with serve(site) as base:
        open_map(page, f"{base}map/?q=onerror")
        assert match_titles(page) == [HOSTILE["title"]]
        page.click("#map-matches button")  # choosing it moves the map to it
        assert page.evaluate("document.activeElement.id") == "map-view"
        assert page.inner_text("#map-tip .map-tip__title") == HOSTILE["title"]
        assert page.inner_text("#map-current").startswith(HOSTILE["title"])
        assert page.locator("#map img, #map script, #map b").count() == 0
        x, y = point_of(site, page, HOSTILE["title"])
        page.mouse.move(x, y)
        assert page.inner_text("#map-tip .map-tip__title") == HOSTILE["title"]


def test_the_map_works_at_phone_width(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        with serve(site) as base:
            open_map(page, f"{base}map/")
            assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
            box = page.locator("#map-view canvas").bounding_box()
            assert 250 <= box["width"] <= 390 and box["x"] >= 0 and box["x"] + box["width"] <= 390
            paper = BROWSE[2]
            x, y = point_of(site, page, paper["title"])
            page.touchscreen.tap(x, y)
            page.wait_for_url(f"**/papers/{slug(paper)}/")
            page.wait_for_load_state("networkidle")  # before the server stops
    finally:
        context.close()


def test_without_javascript_the_page_says_what_it_is_and_links_to_the_explorer(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        with serve(site) as base:
            page.goto(f"{base}map/")
            assert "explorer" in page.inner_text("#map-status")
            assert page.get_attribute("#map-status a", "href") == "../explore/"
            assert f"All {len(PAPERS)} papers as points" in page.inner_text(".map__intro")
            # and the home page and the navigation lead to the map
            page.goto(base)
            assert page.locator(".home__browse a[href='map/']").count() == 1
            assert page.locator(".md-nav a[href='map/']").count() >= 1
    finally:
        context.close()


@pytest.mark.parametrize("query", ["venue=MICCAI&author=Grace+Hopper", "venue=Nowhere", "code=1&year=2023-",
                                   "tag=segmentation&tag=benchmarks&mode=none",
                                   "tag=medicine&tag=segmentation&mode=all", "q=neural+fluid&added=2026-01..2026-01"])
def test_the_map_highlights_what_the_explorer_lists_for_the_same_address(site, watched, query):
    page = watched
    with serve(site) as base:
        page.goto(f"{base}explore/?{query}")
        page.wait_for_selector("#explore.explore--ready")
        listed = page.locator(".explore-row .explore-row__title").all_inner_texts()
        open_map(page, f"{base}map/?{query}")
        if listed:
            assert sorted(match_titles(page)) == sorted(listed)
            assert page.inner_text("#map-summary").startswith(f"{len(listed)} of {len(PAPERS)} papers highlighted")
        else:
            assert match_titles(page) == []
            assert page.inner_text("#map-summary").startswith(f"0 of {len(PAPERS)} papers highlighted")


def test_any_tag_can_be_highlighted_and_back_undoes_it(site, watched):
    page = watched
    with serve(site) as base:
        open_map(page, f"{base}map/")
        page.select_option("#map-tag", "segmentation")
        assert parse_qs(urlsplit(page.url).query) == {"tag": ["segmentation"]}
        segmentation = [p["title"] for p in PAPERS if "segmentation" in p["tags"]]
        assert sorted(match_titles(page)) == sorted(segmentation)
        page.go_back()
        page.wait_for_function("!location.search")
        assert page.inner_text("#map-summary") == f"{len(PAPERS)} papers."
        assert page.input_value("#map-tag") == ""


def test_points_are_in_the_order_of_the_explorers_data(site):
    """The n-th point of map/points.json is the n-th paper of explore/facets.json and its title chunks."""
    facets = json.loads((site / explore.FACETS).read_text(encoding="utf-8"))
    points = json.loads((site / collection_map.DATA).read_text(encoding="utf-8"))
    assert points["explore"] == facets["version"]
    layouts = list(cache.cache_dir(site.parent).glob("map-*.json"))  # slug -> point, as the build laid them out
    assert len(layouts) == 1
    placed = json.loads(layouts[0].read_text(encoding="utf-8"))
    slugs = [row[1] or explore.simple_slug(row[0]) for row in explorer_rows(site)]
    xy = collection_map.points_of(points, facets["count"])
    assert len(slugs) == facets["count"] == len(PAPERS) == len(xy) // 2
    assert [xy[2 * n:2 * n + 2] for n in range(len(slugs))] == [placed[s] for s in slugs]


LARGE = 250  # papers: three title chunks of explore.TITLE_CHUNK


def _with_papers(site: Path, folder: Path, count: int, full: bool, place) -> Path:
    """A copy of the built site in `folder` with the explorer's data of `count` synthetic papers,
    each at `place(n)` on the map's grid (n: its position, newest first)."""
    copy = folder / "site"
    shutil.copytree(site, copy)
    taxonomy = load_taxonomy(SEED_TAXONOMY)
    papers = newest_first(synthetic(count, taxonomy.names, full=full))
    write_data(copy, papers, taxonomy)
    version = json.loads((copy / explore.FACETS).read_bytes())["version"]
    positions = {p.slug: place(n) for n, p in enumerate(papers)}
    data = collection_map.map_data(papers, positions, [t.name for t in taxonomy.tags], version)
    (copy / collection_map.DATA).write_text(json.dumps(data), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def large_site(site, tmp_path_factory):
    """The built site with the explorer's data of LARGE synthetic papers, and their points on a grid
    (one every 256 units: far enough apart to point at one), so that the titles come in several chunks."""
    return _with_papers(site, tmp_path_factory.mktemp("map-large"), LARGE, True,
                        lambda n: (128 + 256 * (n % 16), 128 + 256 * (n // 16)))


def test_titles_are_fetched_for_the_papers_shown_and_all_only_for_a_text_filter(large_site, watched):
    page = watched
    fetched = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    titles = explorer_titles(large_site)
    assert explore.TITLE_CHUNK < len(titles) == LARGE
    with serve(large_site) as base:
        open_map(page, f"{base}map/")
        assert any(path.endswith("/explore/facets.json") for path in fetched)
        assert not any(path.endswith("/explore/papers.json") for path in fetched)
        chunks = sorted(path.rsplit("/", 1)[1] for path in fetched if "/explore/titles/" in path)
        assert chunks == ["0.json"]  # the first paper's, where the keyboard starts
        # pointing at a paper of the third chunk fetches that chunk, and shows its title
        x, y = point_of(large_site, page, titles[230])
        page.mouse.move(x, y)
        page.wait_for_function("t => document.querySelector('#map-tip .map-tip__title').textContent === t",
                               arg=titles[230])
        chunks = sorted(path.rsplit("/", 1)[1] for path in fetched if "/explore/titles/" in path)
        assert chunks == ["0.json", "2.json"]
        # a text filter needs every title: "Loading titles…" until they are in, then the highlight
        page.evaluate("""() => {
          window.summaries = [];
          new MutationObserver(() => summaries.push(document.getElementById('map-summary').textContent))
            .observe(document.getElementById('map-summary'), {childList: true, characterData: true, subtree: true});
        }""")
        # a word of a title and of no author's name
        names = " ".join(json.loads((large_site / explore.AUTHORS).read_bytes())["authors"]).lower()
        word = next(w for t in titles[150:] for w in t.lower().split() if len(w) > 4 and w not in names)
        page.fill("#map-q", word)
        page.wait_for_selector("#map-matches button")
        assert page.evaluate("summaries")[0] == "Loading titles\u2026"
        expected = [t for t in titles if word.lower() in t.lower()]
        assert page.inner_text("#map-summary").startswith(f"{len(expected)} of {LARGE} papers highlighted")
        assert match_titles(page) == expected[:8]
        chunks = sorted(path.rsplit("/", 1)[1] for path in fetched if "/explore/titles/" in path)
        assert chunks == ["0.json", "1.json", "2.json"]  # each chunk once


CROWDED = 6_000  # papers: more than map.js's PICTURE_FROM (5,000), from which it zooms and pans a picture


@pytest.fixture(scope="module")
def crowded_site(site, tmp_path_factory):
    """The built site with the explorer's data of CROWDED synthetic papers, at points scattered over the grid."""
    import random

    spot = random.Random(3)
    return _with_papers(site, tmp_path_factory.mktemp("map-crowded"), CROWDED, False,
                        lambda n: (spot.randrange(collection_map.GRID), spot.randrange(collection_map.GRID)))


DRAWN = "() => ({...window.paperCollectionMap.drawn})"


def _pinch(page, times: int) -> None:
    """Ctrl + wheel at the canvas's centre, in and out in turn, as a pinch sends them."""
    canvas = page.locator("#map-view canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Control")
    for step in range(times):
        page.mouse.wheel(0, -100 if step % 2 == 0 else 100)
    page.keyboard.up("Control")


def test_a_crowded_map_zooms_from_a_picture_of_its_points_and_draws_them_in_full_at_rest(crowded_site, watched):
    """Painting tens of thousands of points takes longer than a frame (100 ms for 50,000 in software):
    while a zoom goes on, each frame scales the last picture of the points, and once the view rests
    the points are drawn in full again (benchmarks/map.py --pan-zoom measures the frame rate)."""
    page = watched
    with serve(crowded_site) as base:
        open_map(page, f"{base}map/")
        before = page.evaluate(DRAWN)
        _pinch(page, 12)
        during = page.evaluate(DRAWN)
        assert during["picture"] - before["picture"] >= 6, (before, during)
        assert during["full"] - before["full"] <= 1, (before, during)
        page.wait_for_function("n => window.paperCollectionMap.drawn.full > n", arg=during["full"], timeout=3000)
        rested = page.evaluate(DRAWN)
        page.wait_for_timeout(400)
        assert page.evaluate(DRAWN) == rested  # drawn in full once, then nothing until the next change


def test_a_small_map_draws_its_points_in_full_every_frame(site, watched):
    page = watched
    with serve(site) as base:
        open_map(page, f"{base}map/")
        before = page.evaluate(DRAWN)
        _pinch(page, 6)
        page.wait_for_timeout(300)
        after = page.evaluate(DRAWN)
        assert after["picture"] == before["picture"] and after["full"] > before["full"], (before, after)
