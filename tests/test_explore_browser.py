"""The explorer (/explore/) and the reading list in Chromium: a filter combination gives the
expected papers and counts, the address keeps the view (reload and Back), keyboard-only selection
and export (BibTeX and RIS read back with bibtexparser and rispy), hostile text stays text."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import parse_qs, urlsplit

import bibtexparser
import pytest
import rispy

from paper_collection.site.explore import decode_column, decode_lists, simple_slug
from paper_collection.site.tex import to_plain
from tests.browse_fixture import BROWSE, build_browse_site
from tests.helpers import console_problem, serve
from tests.test_exports import slug

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLES = ".explore-row .explore-row__title"
SEGMENTATION_2024 = "Multi-Modal Medical Image Segmentation"
SCALING, SOLVERS, OPERATORS = (BROWSE[5]["title"], BROWSE[1]["title"], BROWSE[0]["title"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_browse_site(tmp_path_factory.mktemp("explore"))


@pytest.fixture
def clip_page(browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console_problem(m) and errors.append(m.text))
    yield page
    context.close()
    assert errors == []


def open_explorer(page, url: str):
    page.goto(url)
    page.wait_for_selector("#explore.explore--ready")


def settled(page):
    """Wait until the list shows the current view: titles the text filter needs are fetched first."""
    page.wait_for_selector("#explore-list:not([aria-busy])", state="attached")


def titles(page) -> list[str]:
    return page.locator(TITLES).all_inner_texts()


def count_of(page, label_for: str) -> int:
    return int(page.inner_text(f"label[for='{label_for}'] .explore-value__count"))


def tag_box(page, name: str) -> str:
    return page.eval_on_selector(f"#explore-controls input[value='{name}']", "e => e.id")


def test_filter_combination_gives_the_papers_and_counts(site, clip_page):
    page = clip_page
    with serve(site) as base:
        open_explorer(page, f"{base}explore/")
        assert len(titles(page)) == len(BROWSE)
        segmentation = tag_box(page, "segmentation")
        assert count_of(page, segmentation) == 2
        page.check(f"#{segmentation}")
        assert sorted(titles(page)) == ["Generative Tumor Segmentation in CT", SEGMENTATION_2024]
        page.select_option("#explore-from", "2023")
        assert titles(page) == [SEGMENTATION_2024]
        assert page.inner_text("#explore-status") == f"1 of {len(BROWSE)} papers"
        # what each value would leave: "benchmarks" added to any-of gives 3 papers of 2023-2024
        assert count_of(page, tag_box(page, "benchmarks")) == 3
        assert count_of(page, segmentation) == 4  # unticking it: every paper of 2023-2024
        assert page.inner_text("label[for='explore-venues-1']").startswith("MICCAI")
        # the year options count with the tag filter kept: from 2022 there are 2 segmentation papers
        assert page.inner_text("#explore-from option[value='2022']") == "2022 (2)"
        page.select_option("#explore-mode", "all")
        assert count_of(page, tag_box(page, "medicine")) == 1 and count_of(page, tag_box(page, "benchmarks")) == 0
        page.select_option("#explore-mode", "none")
        assert set(titles(page)) == {SCALING, SOLVERS, OPERATORS}
        assert count_of(page, tag_box(page, "medicine")) == 3 and count_of(page, tag_box(page, "benchmarks")) == 1
        assert count_of(page, segmentation) == 4
        page.check("#explore-code")
        assert set(titles(page)) == {SCALING, OPERATORS}
        page.fill("#explore-q", "lovelace operators")
        settled(page)
        assert titles(page) == [OPERATORS]
        fulltext = page.get_attribute(".explore-fulltext", "href")
        assert parse_qs(urlsplit(fulltext).query)["search"] == ["lovelace operators"]


def test_the_address_keeps_the_view_and_back_restores_it(site, clip_page):
    page = clip_page
    with serve(site) as base:
        open_explorer(page, f"{base}explore/")
        page.check(f"#{tag_box(page, 'segmentation')}")
        page.select_option("#explore-from", "2023")
        page.select_option("#explore-sort", "title")
        query = parse_qs(urlsplit(page.url).query)
        assert query == {"tag": ["segmentation"], "year": ["2023-"], "sort": ["title"]}
        shared = page.url
        page.check("label[for='explore-venues-1'] input")  # MICCAI
        assert "venue=MICCAI" in page.url and titles(page) == [SEGMENTATION_2024]
        page.uncheck(f"#{tag_box(page, 'segmentation')}")
        assert sorted(titles(page)) == [SEGMENTATION_2024]
        page.go_back()
        page.go_back()
        page.wait_for_function("location.search.indexOf('venue') < 0")
        assert page.url == shared and titles(page) == [SEGMENTATION_2024]
        assert page.is_checked(f"#{tag_box(page, 'segmentation')}")
        page.go_back()  # before the sort
        page.wait_for_function("location.search.indexOf('sort') < 0")
        assert page.input_value("#explore-sort") == "added"

        # the shared address in a new page gives the same view
        other = page.context.new_page()
        open_explorer(other, shared)
        assert titles(other) == [SEGMENTATION_2024]
        assert other.input_value("#explore-from") == "2023" and other.input_value("#explore-sort") == "title"
        other.close()


def press_tab_until(page, selector: str, limit: int = 80, key: str = "Tab"):
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_selection_and_export_read_back(site, clip_page):
    page = clip_page
    with serve(site) as base:
        open_explorer(page, f"{base}explore/")
        order = titles(page)
        page.locator("body").focus()
        page.keyboard.press("j")  # first row
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("j")  # third row
        page.keyboard.press("x")
        assert page.evaluate("document.activeElement.textContent") == order[2]
        page.keyboard.press("k")
        assert page.evaluate("document.activeElement.textContent") == order[1]
        chosen = {order[0], order[2]}
        stored = page.evaluate("JSON.parse(localStorage.getItem('paper-collection:reading-list'))")
        assert {next(p["title"] for p in BROWSE if slug(p) == s) for s in stored} == chosen

        press_tab_until(page, "#explore-export-format", key="Shift+Tab")  # from the list up to the export panel
        press_tab_until(page, ".explore-export .md-button:first-of-type")  # Copy
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('.explore-export__message').textContent.startsWith('Copied')")
        library = bibtexparser.parse_string(page.evaluate("navigator.clipboard.readText()"))
        assert {e.fields_dict["title"].value for e in library.entries} == chosen
        # exactly the entry shown on the paper page
        first = next(p for p in BROWSE if p["title"] == order[0])
        page_entry = page.context.new_page()
        page_entry.goto(f"{base}papers/{slug(first)}/")
        on_page = page_entry.inner_text("#bibtex-entry").strip()
        page_entry.close()
        assert on_page in page.evaluate("navigator.clipboard.readText()")

        page.focus("#explore-export-format")
        page.keyboard.press("ArrowDown")  # RIS
        assert page.input_value("#explore-export-format") == "ris"
        press_tab_until(page, ".explore-export .md-button:first-of-type")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('.explore-export__message').textContent.includes('RIS')")
        records = rispy.loads(page.evaluate("navigator.clipboard.readText()"))
        assert {r["title"] for r in records} == chosen
        assert all(r["type_of_reference"] in {"JOUR", "CPAPER", "GEN"} for r in records)

        page.select_option("#explore-export-format", "csl")
        page.click(".explore-export .md-button:first-of-type")
        page.wait_for_function("document.querySelector('.explore-export__message').textContent.includes('CSL')")
        csl = json.loads(page.evaluate("navigator.clipboard.readText()"))
        assert {item["title"] for item in csl} == chosen

        # the reading list's link shares the selection: opened elsewhere it lists exactly those papers
        share = page.get_attribute(".explore-export__share", "href")
        other = page.context.browser.new_context().new_page()
        open_explorer(other, f"{base}explore/{share[share.index('?'):]}")
        assert set(titles(other)) == chosen
        other.context.close()


def test_download_of_the_listed_view_as_bibtex(site, clip_page):
    page = clip_page
    with serve(site) as base:
        open_explorer(page, f"{base}explore/?venue=ICLR")
        page.select_option("#explore-export-scope", "view")
        with page.expect_download() as download:
            page.click(".explore-export .md-button:nth-of-type(2)")
        text = open(download.value.path(), encoding="utf-8").read()
        titles_found = {e.fields_dict["title"].value for e in bibtexparser.parse_string(text).entries}
        assert titles_found == {p["title"] for p in BROWSE if p.get("venue") == "ICLR"}
        assert download.value.suggested_filename == "papers.bib"


def test_reading_list_toggles_on_tag_and_paper_pages(site, clip_page):
    page = clip_page
    with serve(site) as base:
        page.goto(f"{base}tags/segmentation/")
        toggles = page.locator(".paper-list__item .reading-toggle")
        assert toggles.count() == 2
        toggles.first.focus()
        page.keyboard.press("Enter")
        assert toggles.first.get_attribute("aria-pressed") == "true"
        picked = page.locator(".paper-list__item .paper-list__title").first.inner_text()
        page.goto(f"{base}papers/{slug(BROWSE[0])}/")
        page.click(".paper__title + .reading-toggle")
        # and in the search results
        page.click(".md-search__input")
        page.keyboard.type("Scaling Laws")
        page.wait_for_load_state("networkidle")
        result = page.locator(".md-search-result__item", has_text=SCALING)
        toggle = result.locator(".reading-toggle")
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true"
        open_explorer(page, f"{base}explore/?only=selected")
        assert set(titles(page)) == {picked, BROWSE[0]["title"], SCALING}


def test_explorer_data_is_compact_and_slugs_resolve(site):
    data = json.loads((site / "explore" / "facets.json").read_text(encoding="utf-8"))
    rows = json.loads((site / "explore" / "titles" / "0.json").read_text(encoding="utf-8"))
    assert data["count"] == len(rows) == len(BROWSE)
    for title, stored, *_ in rows:
        found = stored or simple_slug(title)
        assert (site / "papers" / found / "index.html").exists(), found
    # "Götz" is not ASCII: that slug is stored, the plain ASCII ones are derived
    assert any(row[1] == 0 for row in rows) and any(row[1] for row in rows)
    # the facet columns decode to each paper's year, venue (titles are not in this file)
    years = decode_column(data["year"], data["count"])
    by_title = {row[0]: i for i, row in enumerate(rows)}
    operators = by_title[OPERATORS]
    assert years[operators] + data["yearBase"] == 2024
    assert data["venues"][decode_column(data["venue"], data["count"])[operators] - 1] == "NeurIPS"
    # the authors: their names with the title (rows, text filter), the table and ids apart (the filter)
    author_data = json.loads((site / "explore" / "authors.json").read_text(encoding="utf-8"))
    assert data["authorCount"] == len(author_data["authors"]) and "authors" not in data and "authorIds" not in data
    assert [author_data["authors"][a] for a in decode_lists(author_data["authorIds"], data["count"])[operators]] == \
        rows[operators][2] == ["Ada Lovelace", "Bernd Götz"]
    assert [rows[i][0] for i in decode_column(data["titleOrder"], data["count"])] == \
        sorted((row[0] for row in rows), key=str.casefold)
    assert OPERATORS not in json.dumps(data, ensure_ascii=False) and "abstract" not in json.dumps(data)
    assert "Lovelace" not in json.dumps(data, ensure_ascii=False)


def test_hostile_titles_and_authors_stay_text_in_the_explorer_and_exports(tmp_path_factory, browser):
    from tests.hostile.corpus import build_hostile

    built = build_hostile(tmp_path_factory.mktemp("hostile-explore"))
    metas = built.papers()
    hostile = {s: m for s, m in metas.items() if re.search(r"\b[HLP]X\d{3}\b", m["title"])}
    data = json.loads((built.site / "explore" / "facets.json").read_text(encoding="utf-8"))
    assert data["count"] == len(metas)
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        with serve(built.site) as base:
            page.goto(f"{base}explore/")
            page.wait_for_selector("#explore.explore--ready")
            page.fill("#explore-q", "PX0")  # paper files written by hand: hostile authors, venues, titles
            settled(page)
            page.wait_for_selector(TITLES)
            before = page.evaluate("document.querySelectorAll('script, img, iframe, svg, object, embed').length")
            while page.locator(".explore-more").count():
                page.click(".explore-more")
                settled(page)
            shown = page.evaluate("""() => [...document.querySelectorAll('.explore-row')].map(r => ({
                title: r.querySelector('.explore-row__title').textContent,
                meta: r.querySelector('.explore-row__meta').textContent}))""")
            assert len(shown) > 10
            assert len(shown) == sum(1 for m in hostile.values() if "PX0" in m["title"])
            # no element came from the data, and every title reads as written (TeX delimiters aside)
            assert page.evaluate("document.querySelectorAll('.explore__list script, .explore__list img, "
                                 ".explore__list iframe, .explore__list svg').length") == 0
            assert page.evaluate("document.querySelectorAll('script, img, iframe, svg, object, embed').length") \
                == before
            expected = {m["title"] for m in hostile.values() if "PX0" in m["title"]}
            from paper_collection.site.tex import to_plain
            assert {r["title"] for r in shown} == {to_plain(t) for t in expected}
            page.select_option("#explore-export-scope", "view")
            for fmt in ("bibtex", "ris", "csl"):
                page.select_option("#explore-export-format", fmt)
                page.click(".explore-export .md-button:first-of-type")
                page.wait_for_function("document.querySelector('.explore-export__message').textContent"
                                       ".startsWith('Copied')")
                text = page.evaluate("navigator.clipboard.readText()")
                page.evaluate("document.querySelector('.explore-export__message').textContent = ''")
                if fmt == "bibtex":
                    assert len(bibtexparser.parse_string(text).entries) == len(shown)
                elif fmt == "ris":
                    assert len(rispy.loads(text)) == len(shown)
                else:
                    assert {to_plain(t) for t in expected} == {item["title"] for item in json.loads(text)}
        assert dialogs == []
    finally:
        context.close()


def test_on_a_phone_the_list_comes_first_and_rows_can_be_picked(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        with serve(site) as base:
            open_explorer(page, f"{base}explore/?tag=medicine")
            assert not page.eval_on_selector(".explore-filters", "e => e.open")  # folded: the list is near the top
            assert page.inner_text(".explore-filters > summary") == "Filters (1 on)"
            first = page.locator(".explore-row").first
            assert first.bounding_box()["y"] < 844
            first.locator(".explore-row__select").tap()
            assert page.evaluate("JSON.parse(localStorage.getItem('paper-collection:reading-list')).length") == 1
            page.tap(".explore-filters > summary")
            assert page.locator(f"#{tag_box(page, 'medicine')}").is_checked()
    finally:
        context.close()


def test_without_javascript_the_newest_papers_are_listed(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        with serve(site) as base:
            page.goto(f"{base}explore/")
            newest = sorted(BROWSE, key=lambda p: p["added"], reverse=True)
            assert titles(page)[:4] == [to_plain(p["title"]) for p in newest[:4]]
    finally:
        context.close()


def test_the_full_text_link_opens_the_search_with_the_words(site, page):
    with serve(site) as base:
        open_explorer(page, f"{base}explore/?q=fluid")
        page.click(".explore-fulltext")
        page.wait_for_selector(".md-search-result__item h1", state="visible")
        assert page.input_value(".md-search__input") == "fluid"
        found = page.locator(".md-search-result__item h1").all_inner_texts()
        assert OPERATORS in found and SOLVERS in found


def test_titles_come_in_chunks_for_the_rows_shown_and_all_only_for_the_text_filter(site, tmp_path, browser):
    # The same site with title chunks of 2 papers (10,000 papers have 100 of 100): the explorer
    # must fetch the chunk of the rows it shows, and every chunk only when it filters by text.
    small = tmp_path / "site"
    shutil.copytree(site, small)
    facets_file = small / "explore" / "facets.json"
    facets = json.loads(facets_file.read_text(encoding="utf-8"))
    rows = json.loads((small / "explore" / "titles" / "0.json").read_text(encoding="utf-8"))
    facets["titleChunk"] = 2
    facets_file.write_text(json.dumps(facets), encoding="utf-8")
    for n in range(0, len(rows), 2):
        (small / "explore" / "titles" / f"{n // 2}.json").write_text(json.dumps(rows[n:n + 2]), encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: "/explore/titles/" in r.url and fetched.append(urlsplit(r.url).path.rsplit("/", 1)[1]))
    try:
        with serve(small) as base:
            # the two segmentation papers were added first: the last chunk of the newest-first order
            open_explorer(page, f"{base}explore/?tag=segmentation")
            assert sorted(titles(page)) == ["Generative Tumor Segmentation in CT", SEGMENTATION_2024]
            assert fetched == ["2.json"]
            released = []
            page.route("**/explore/titles/*.json*", lambda route: released.append(route))
            page.fill("#explore-q", "tumor")
            page.wait_for_function("document.getElementById('explore-status').textContent.startsWith('Loading titles')")
            assert page.get_attribute("#explore-list", "aria-busy") == "true"
            while len(released) < 2:
                page.wait_for_timeout(50)
            for route in released:
                route.continue_()
            page.wait_for_function("document.getElementById('explore-status').textContent === '1 of 6 papers'")
            assert titles(page) == ["Generative Tumor Segmentation in CT"]
            assert sorted(fetched) == ["0.json", "1.json", "2.json"]
            assert page.get_attribute("#explore-list", "aria-busy") is None
    finally:
        context.close()


def test_facets_link_the_year_venue_and_author_pages(site, page):
    with serve(site) as base:
        open_explorer(page, f"{base}explore/")
        links = {a.inner_text(): a.get_attribute("href") for a in page.locator(".explore-index-link").all()}
        assert links == {"Papers by year": f"{base}years/", "All venues": f"{base}venues/",
                         "All authors": f"{base}authors/"}
        page.click(".explore-index-link >> text=All venues")
        page.wait_for_url(f"{base}venues/")
        assert page.locator(".md-content table a", has_text="MICCAI").count() == 1


def widened(column: dict, is_list: bool) -> dict:
    """The same numbers written with two more digits each (leading zeros, "A"): what a collection
    with 4,096 times more authors, venues or dates would need."""
    width, data = column["width"], column["data"]
    if not width:
        return column
    if is_list:
        parts = data.split(".")[:-1]
        data = "".join("".join("AA" + p[i:i + width] for i in range(0, len(p), width)) + "." for p in parts)
    else:
        data = "".join("AA" + data[i:i + width] for i in range(0, len(data), width))
    return {"width": width + 2, "data": data}


def test_the_explorer_reads_columns_of_any_width(site, tmp_path, page):
    wide = tmp_path / "site"
    shutil.copytree(site, wide)
    facets_file, authors_file = wide / "explore" / "facets.json", wide / "explore" / "authors.json"
    facets = json.loads(facets_file.read_text(encoding="utf-8"))
    for name in ("year", "venue", "code", "added", "titleOrder", "tagIds"):
        facets[name] = widened(facets[name], is_list=name.endswith("Ids"))
    facets_file.write_text(json.dumps(facets), encoding="utf-8")
    author_data = json.loads(authors_file.read_text(encoding="utf-8"))
    author_data["authorIds"] = widened(author_data["authorIds"], is_list=True)
    assert decode_lists(author_data["authorIds"], facets["count"]) == \
        decode_lists(json.loads((site / "explore" / "authors.json").read_text())["authorIds"], facets["count"])
    authors_file.write_text(json.dumps(author_data), encoding="utf-8")
    with serve(wide) as base:
        open_explorer(page, f"{base}explore/?author=Grace+Hopper&sort=title")
        assert titles(page) == ["Generative Tumor Segmentation in CT", SEGMENTATION_2024]
        open_explorer(page, f"{base}explore/?venue=ICLR&year=2023-2023&code=1&added=2026-01..2026-01")
        assert titles(page) == [SCALING]
        assert count_of(page, tag_box(page, "segmentation")) == 0


def test_the_author_table_loads_only_for_the_author_filter(site, browser):
    # 50,000 real papers have ~135,000 authors: their table is most of the data, so the first load
    # (and the text filter, and the rows' author names) must do without explore/authors.json.
    context = browser.new_context()
    page = context.new_page()
    fetched, errors = [], []
    page.on("request", lambda r: "/explore/" in r.url and fetched.append(urlsplit(r.url).path.rsplit("/", 2)[-1]))
    page.on("pageerror", lambda e: errors.append(str(e)))
    hopper = ["Generative Tumor Segmentation in CT", SEGMENTATION_2024]  # Grace Hopper's, by title
    try:
        with serve(site) as base:
            open_explorer(page, f"{base}explore/")
            assert "facets.json" in fetched and "authors.json" not in fetched
            operators = page.locator(".explore-row", has_text=OPERATORS)
            assert "Ada Lovelace, Bernd Götz" in operators.locator(".explore-row__meta").inner_text()
            page.fill("#explore-q", "lovelace operators")  # title or authors, from the title chunks
            settled(page)
            assert titles(page) == [OPERATORS] and "authors.json" not in fetched
            page.fill("#explore-q", "")
            settled(page)
            # the control: a button until the table is in; by keyboard, focus stays in the facet
            assert page.locator("input[id^='explore-authors-']").count() == 0
            page.focus(".explore-authors-load")
            page.keyboard.press("Enter")
            page.wait_for_selector("input[id^='explore-authors-']")
            assert page.locator(".explore-authors-load").count() == 0 and fetched.count("authors.json") == 1
            assert page.evaluate("document.activeElement.closest('.explore-facet--authors') !== null")
            # (click, not check: the chosen value moves to the top of the facet, into another item)
            page.locator(".explore-facet--authors label", has_text="Grace Hopper").locator("input").click()
            settled(page)
            assert sorted(titles(page)) == sorted(hopper)
            assert parse_qs(urlsplit(page.url).query) == {"author": ["Grace Hopper"]}
        # the address (a paper page's link for an author without a page): loaded before the list
        fetched.clear()
        with serve(site) as base:
            open_explorer(page, f"{base}explore/?author=Grace+Hopper&sort=title")
            assert titles(page) == hopper and fetched.count("authors.json") == 1
            assert page.locator(".explore-authors-load").count() == 0
            assert page.locator(".explore-facet--authors label", has_text="Grace Hopper").locator("input").is_checked()
            # an unknown name lists nothing rather than everything
            open_explorer(page, f"{base}explore/?author=Nobody+Known")
            assert titles(page) == []
    finally:
        context.close()
    assert errors == []
