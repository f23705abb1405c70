"""axe-core (WCAG 2.1 AA) on every kind of page, in light and dark mode, and the keyboard paths
axe cannot see: the skip link, search results by arrow keys and Tab, the closed drawer on a phone,
the copy confirmation announced. An empty collection and a one-paper collection (issue #22): every
page at phone and desktop widths, light and dark, passes axe, fits the screen, and logs no error."""

from __future__ import annotations

import pytest

from tests.browse_fixture import BROWSE, build_browse_site
from tests.helpers import console_problem, serve
from tests.test_exports import slug
from tests.test_small_collections import ONE_PAPER, project_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
SCHEMES = ("light", "dark")

# Pages every collection has; features add theirs to this list (path, what to do once loaded).
PAGES = {
    "home": "",
    "tags": "tags/",
    "tag": "tags/segmentation/",
    "paper": f"papers/{slug(BROWSE[0])}/",
    "paper-with-math": f"papers/{slug(BROWSE[4])}/",
    "search-results": "",
    "explorer": "explore/",
    "explorer-filtered": "explore/?tag=segmentation&year=2023-2024&only=selected",
    "authors": "authors/",
    "author": "authors/bernd-gotz/",
    "statistics": "stats/",
    "map": "map/",
    "map-highlighted": "map/?q=segmentation",
    "years": "years/",
    "year": "years/2024/",
    "venues": "venues/",
    "venue": "venues/miccai/",
    "explorer-text-filter": "explore/?q=segmentation&sort=title",
    "explorer-author": "explore/?author=Grace+Hopper",  # the author facet once its table is loaded
    "latest": "latest/",
    "exports": "exports/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_browse_site(tmp_path_factory.mktemp("a11y"))


def open_page(browser, url: str, scheme: str, **context_options):
    context = browser.new_context(color_scheme=scheme, **context_options)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Material picks the palette from prefers-color-scheme: the emulation must have taken effect
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    return context, page


def open_search(page, query: str = "segmentation"):
    page.click(".md-search__input")
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item a", state="visible")
    page.wait_for_load_state("networkidle")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            for node in violation["nodes"]:
                found.append(f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}")
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(site, browser, name, scheme):
    with serve(site) as base:
        context, page = open_page(browser, base + PAGES[name], scheme)
        try:
            if name == "search-results":
                open_search(page)
            if name.startswith("explorer"):
                page.wait_for_selector("#explore.explore--ready")
            if name.startswith("map"):
                page.wait_for_selector("#map.map--ready")
                page.focus("#map-view")  # a paper is current: its tooltip and announcement are shown
            assert serious_violations(page) == []
        finally:
            context.close()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_into_the_content(site, browser):
    with serve(site) as base:
        context, page = open_page(browser, base, "light")
        try:
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            inside = page.evaluate("!!document.activeElement.closest('.md-content')")
            assert inside, page.evaluate("document.activeElement.outerHTML")
        finally:
            context.close()


def test_every_search_result_is_reachable_by_arrow_keys_and_tab(site, browser):
    with serve(site) as base:
        context, page = open_page(browser, base, "light")
        try:
            open_search(page, "segmentation")
            hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
            assert len(hrefs) >= 2
            assert page.get_attribute("[data-paper-search]", "aria-label")
            assert page.get_attribute(".md-search__input", "autocorrect") is None
            seen = []
            for _ in hrefs:
                page.keyboard.press("ArrowDown")
                seen.append(page.evaluate("document.activeElement.href"))
            assert seen == hrefs
            page.keyboard.press("ArrowUp")
            assert page.evaluate("document.activeElement.href") == hrefs[-2]
            # Tab goes through the results too (none is taken out of the tab order)
            assert page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.tabIndex)") == \
                [0] * len(hrefs)
        finally:
            context.close()


def test_on_a_phone_the_closed_drawer_takes_no_tab_stops(site, browser):
    with serve(site) as base:
        context, page = open_page(browser, base, "light", viewport={"width": 390, "height": 844}, is_mobile=True)
        try:
            for _ in range(8):
                page.keyboard.press("Tab")
                in_drawer = page.evaluate("!!document.activeElement.closest('.md-sidebar--primary')")
                assert not in_drawer, page.evaluate("document.activeElement.outerHTML")
            # opened, the drawer's links are reachable (Escape first: Tab may have opened the search)
            page.keyboard.press("Escape")
            page.click(".md-header label[for='__drawer']")
            page.wait_for_timeout(400)
            assert page.locator(".md-sidebar--primary a.md-nav__link").first.is_visible()
        finally:
            context.close()


def test_the_copy_confirmation_is_announced(site, browser):
    with serve(site) as base:
        context, page = open_page(browser, base + PAGES["paper"], "light",
                                  permissions=["clipboard-read", "clipboard-write"])
        try:
            live = page.get_attribute(".md-dialog", "aria-live")
            assert live == "polite" and page.get_attribute(".md-dialog", "role") == "status"
            page.click(".paper-bibtex__copy")
            page.wait_for_function("document.querySelector('.md-dialog').textContent.trim().length > 0")
        finally:
            context.close()


# Every page of a collection with no paper, and of one with a single paper (its author index, year and
# venue too; a one-paper author has no page of their own).
SMALL_PAGES = {
    "empty": ["", "tags/", "tags/segmentation/", "explore/", "stats/", "map/", "exports/"],
    "one paper": ["", "tags/", "tags/segmentation/", f"papers/{ONE_PAPER[0]['slug']}/", "explore/", "stats/", "map/",
                  "authors/", "years/", "years/2024/", "venues/", "venues/miccai/", "exports/"],
}
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def small_sites(tmp_path_factory):
    from tests.helpers import run_generator

    sites = {}
    for case, papers in (("empty", None), ("one paper", ONE_PAPER)):  # None: not even a docs folder
        root = project_for(tmp_path_factory.mktemp("a11y-small"), papers)
        run_generator(root, "build")
        sites[case] = root / "site"
    return sites


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("case", list(SMALL_PAGES))
def test_small_collections_pass_axe_fit_the_screen_and_log_no_error(small_sites, browser, case, scheme, width):
    with serve(small_sites[case], "/paper-collection/") as base:
        context, page = open_page(browser, base, scheme, viewport=WIDTHS[width], is_mobile=width == "phone")
        problems = []
        page.on("console", lambda message: console_problem(message) and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            for path in SMALL_PAGES[case]:
                assert page.goto(base + path).status == 200, path
                page.wait_for_load_state("networkidle")
                if path == "explore/":
                    page.wait_for_selector("#explore.explore--ready")
                if path == "map/":
                    page.wait_for_selector("#map.map--ready")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path}: {overflow}px wider than the screen"
                assert serious_violations(page) == [], path
                assert problems == [], path
            # search: no result in an empty collection, the paper in the other
            page.goto(base)
            page.wait_for_load_state("networkidle")
            if width == "phone":
                page.click(".md-header label[for='__search']")
            page.click(".md-search__input")
            page.keyboard.type("segmentation")
            if case == "empty":
                page.wait_for_function("/no matching/i.test(document.querySelector('.md-search-result__meta')"
                                       ".textContent)")
            else:
                page.wait_for_selector(".md-search-result__item a", state="visible")
            # The search panel fades in: axe measures colours once it is opaque (on a busy machine,
            # mid-fade colours once read as too little contrast).
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
            assert serious_violations(page) == []
            assert problems == []
        finally:
            context.close()
