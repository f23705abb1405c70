"""Known-item ranking of paper-search.js (issue 25), in headless Chromium, on search files written by
search.write_index from tests/fixtures/search/known_item.json: papers that share a query's words,
where the paper whose title holds them (in the query's order) must come first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.search_quality import ASSETS, PAGE, site_model
from paper_collection.site import search
from tests.helpers import serve

pytestmark = [pytest.mark.browser]

FIXTURE = Path(__file__).parent / "fixtures" / "search" / "known_item.json"
RESULTS = ".md-search-result__list a.md-search-result__link"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("known-item")
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))["papers"]
    model = site_model(records)
    cfg = SimpleNamespace(**{name: option.default for name, option in search.PaperSearchConfig._schema})
    search.write_index(root / "search", model, cfg)
    shutil.copytree(ASSETS, root / "assets" / "javascripts" / "search")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    with serve(root) as url:
        yield url


def ranked(page, url: str, query: str) -> list[str]:
    page.goto(url)
    page.click(".md-search__input")
    # the whole query in one input event: typed key by key, an earlier prefix's answer ("g": no
    # matching documents) could be read before the last search ran
    page.fill(".md-search__input", query)
    page.wait_for_function("() => /matching/.test(document.querySelector('.md-search-result__meta').textContent)")
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in page.locator(RESULTS).evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]


def test_the_title_holding_every_query_word_comes_first(site, page):
    # Two other papers hold the three words too, in shorter titles and often in their abstracts:
    # summed BM25 weights alone put them first.
    found = ranked(page, site, "pruning graph transformers")
    assert found[0] == "arxiv-2501-00001", found
    assert set(found[1:3]) == {"arxiv-2501-00002", "arxiv-2501-00003"}, found


def test_the_title_in_the_query_order_comes_first(site, page):
    # "Editing Neural Fields" holds the same three words in a shorter title, in another order.
    found = ranked(page, site, "neural field editing")
    assert found[:2] == ["arxiv-2501-00004", "arxiv-2501-00005"], found


def test_the_title_start_comes_first(site, page):
    assert ranked(page, site, "Editing Neural")[0] == "arxiv-2501-00005"


def test_a_word_being_typed_completes_and_ranks(site, page):
    # "pru" is the start of "pruning": the paper whose title holds both words comes first.
    assert ranked(page, site, "graph transformers pru")[0] == "arxiv-2501-00001"


def test_a_rare_title_word_and_a_surname_find_the_paper(site, page):
    assert ranked(page, site, "lottery Lindqvist")[0] == "arxiv-2501-00001"


def test_the_first_authors_paper_comes_first(site, page):
    # "Graph Pooling" also holds "graph" in its title and a Chen among fewer authors (more BM25
    # weight); the paper recalled is the one Chen wrote first.
    assert ranked(page, site, "graph chen")[0] == "arxiv-2501-00002"


def test_words_ending_in_a_vowel_and_y_are_found(site, page):
    # lunr.py stems "survey" to "survei", lunr.js (the browser) to "survey": the index must use
    # lunr.js's rule, or no query reaches these words.
    assert ranked(page, site, "replay survey")[:1] == ["arxiv-2501-00010"]


def test_words_joined_by_a_slash_are_found_apart(site, page):
    assert ranked(page, site, "male female")[:1] == ["arxiv-2501-00010"]


def test_a_typed_word_beats_a_completion_of_it(site, page):
    # "ali" is a whole surname here (the first author of 00012) and the start of "alignment" (00011,
    # whose title also starts with "Revisiting"): the word as typed wins.
    assert ranked(page, site, "revisiting ali")[:2] == ["arxiv-2501-00012", "arxiv-2501-00011"]
