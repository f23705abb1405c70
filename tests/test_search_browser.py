"""The search visitors use (generator/site/search.py + paper-search.js) on the seed collection's site, in
headless Chromium: ranking, titles before abstract-only matches, queries typed before the index
arrived, and results inserted as text."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESULTS = ".md-search-result__list .md-search-result__item h1"


def titles(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(RESULTS).all_inner_texts()]


def search(page, url: str, query: str) -> list[str]:
    page.goto(url)
    page.click(".md-search__input")
    page.keyboard.type(query)
    page.wait_for_selector(RESULTS, state="visible")
    page.wait_for_load_state("networkidle")
    return titles(page)


def test_title_query_ranks_the_paper_first(bundled_site, page):
    with serve(bundled_site / "site") as url:
        assert search(page, url, "Poseidon")[0] == "Poseidon: Efficient Foundation Models for PDEs"


def test_two_word_query_ranks_a_matching_title_first(bundled_site, page):
    with serve(bundled_site / "site") as url:
        found = search(page, url, "medical segmentation")
    assert re.search(r"medical", found[0], re.I) and re.search(r"segment", found[0], re.I), found[:3]


def test_titles_rank_above_abstract_only_matches(bundled_site, page):
    index = json.loads((bundled_site / "site" / "search" / "paper-search.json").read_text())
    assert index["docs"] == len(list((bundled_site / "content" / "papers").glob("*.md")))
    with serve(bundled_site / "site") as url:
        found = search(page, url, "segmentation")
    in_title = [bool(re.search(r"segment", t, re.I)) for t in found]
    assert in_title[0] and any(not t for t in in_title), found
    # every title match comes before the first abstract-only match
    assert in_title == sorted(in_title, reverse=True), found


def test_prefix_of_the_word_being_typed_matches(bundled_site, page):
    with serve(bundled_site / "site") as url:
        assert "Poseidon: Efficient Foundation Models for PDEs" in search(page, url, "posei")[:3]


def test_query_typed_before_the_index_loaded_is_answered(bundled_site, page):
    held = []
    page.route(re.compile(r".*/search/paper-search\.json.*"), lambda route: held.append(route))  # hold it back
    with serve(bundled_site / "site") as url:
        page.goto(url)
        page.click(".md-search__input")
        page.keyboard.type("Poseidon")
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the manifest request was not made"
        page.wait_for_timeout(300)
        assert page.locator(RESULTS).count() == 0  # not ready yet: nothing shown, the query is kept
        held[0].continue_()
        page.wait_for_selector(RESULTS, state="visible", timeout=15_000)
        assert titles(page)[0] == "Poseidon: Efficient Foundation Models for PDEs"


def test_only_the_small_manifest_loads_before_search_is_used(bundled_site, page):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    with serve(bundled_site / "site") as url:
        page.goto(url, wait_until="networkidle")
        index = re.compile(r"/search/(terms|docs)/|search_index")
        assert not [u for u in requested if index.search(u)], requested  # shards wait for a query
        search(page, url, "reasoning")
    assert any(re.search(r"/search/paper-search\.json", u) for u in requested)
    assert any(re.search(r"/search/terms/\d+\.json", u) for u in requested)
    assert not any("search_index.json" in u for u in requested)  # Material's index is not built or fetched


def test_results_are_text_and_links_resolve_under_a_subpath(bundled_site, page):
    with serve(bundled_site / "site", prefix="/paper-collection/") as url:
        found = search(page, url, "Poseidon")
        assert found[0] == "Poseidon: Efficient Foundation Models for PDEs"
        link = page.locator(".md-search-result__link").first
        href = link.get_attribute("href")
        assert href.startswith(url + "papers/") and href.endswith("/")
        # titles are set with textContent: the heading has no element children
        assert page.locator(RESULTS).first.evaluate("h => h.children.length") == 0
        link.click()
        page.wait_for_load_state()
        assert "Poseidon" in page.title()


def test_enter_opens_the_first_result_and_escape_closes(bundled_site, page):
    with serve(bundled_site / "site") as url:
        search(page, url, "Poseidon")
        assert page.is_checked("#__search")
        page.keyboard.press("Escape")
        assert not page.is_checked("#__search")
        page.click(".md-search__input")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/papers/.*poseidon.*"))
