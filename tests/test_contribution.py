"""A simulated contribution, end to end: `add` a paper, `validate`, `build`, then find the paper
on its tag page and in search, and browse the site from a project subpath as on GitHub Pages."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from paper_collection.collection import frontmatter
from tests.helpers import make_project, run_generator, serve

TITLE = "Zero-Shot Transfer of Segmentation Models Across Hospitals"
SLUG = "zero-shot-transfer-of-segmentation-models-across-hospitals"
ABSTRACT = ("We study whether medical image segmentation models trained in one hospital generalize to scans from "
            "hospitals they never saw. A vision foundation model adapted with few labels transfers best. "
            "Code is at https://github.com/example/zero-shot-hospitals.")
SUBPATH = "/paper-collection/"
SITE_URL = f"https://example.org{SUBPATH}"
REPO_URL = "https://github.com/example/paper-collection"
ENV = {"SITE_URL": SITE_URL, "REPO_URL": REPO_URL, "EDIT_URI": "edit/main/content/"}


@pytest.fixture(scope="module")
def contributed(tmp_path_factory):
    """A copy of the project where a contributor followed CONTRIBUTING.md: add, validate, build."""
    root = make_project(tmp_path_factory.mktemp("contribution"))
    before = len(list((root / "content" / "papers").glob("*.md")))
    (root / "abstract.txt").write_text(ABSTRACT, encoding="utf-8")
    added = run_generator(root, "add", "--title", TITLE, "--abstract-file", "abstract.txt", "--author", "Ada Lovelace",
                          "--added", dt.date.today().isoformat())  # newest, never in the future
    assert added.stdout.splitlines()[0] == f"wrote content/papers/{SLUG}.md"
    assert run_generator(root, "validate").stdout == f"ok: {before + 1} papers valid\n"
    run_generator(root, "build", env=ENV)
    return root


def tags_of(root: Path) -> list[str]:
    return frontmatter.parse((root / "content" / "papers" / f"{SLUG}.md").read_text(encoding="utf-8"), "x").meta["tags"]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_paper_has_its_page(contributed):
    page = soup(contributed / "site" / "papers" / SLUG / "index.html")
    assert page.select_one("h1.paper__title").get_text(strip=True) == TITLE
    assert ABSTRACT[:60] in page.select_one(".paper__abstract").get_text()
    assert {"vision", "segmentation"} <= set(tags_of(contributed))  # suggested by taxonomy.yml


def test_the_paper_is_on_each_of_its_tag_pages(contributed):
    for tag in tags_of(contributed):
        page = soup(contributed / "site" / "tags" / tag / "index.html")
        hrefs = [a["href"] for a in page.select("a[href]") if a.get_text(strip=True) == TITLE]
        assert hrefs == [f"../../papers/{SLUG}/"], tag


def test_the_paper_is_in_the_search_index(contributed):
    """The prebuilt index (generator/site/search.py): the paper is a result document, and the words of
    its title and abstract point at it."""
    folder = contributed / "site" / "search"
    manifest = json.loads((folder / "paper-search.json").read_text(encoding="utf-8"))
    docs = [doc for chunk in sorted((folder / "docs").glob("*.json"), key=lambda p: int(p.stem))
            for doc in json.loads(chunk.read_text(encoding="utf-8"))]
    assert len(docs) == manifest["docs"] == len(list((contributed / "content" / "papers").glob("*.md")))
    (number,) = [i for i, doc in enumerate(docs) if doc[0] == SLUG]
    assert docs[number][1] == TITLE
    terms: set[str] = set()
    for shard in (folder / "terms").glob("*.json"):
        for term, postings in json.loads(shard.read_text(encoding="utf-8")).items():
            doc = 0
            for delta in postings[::2]:
                doc += delta
                if doc == number:
                    terms.add(term)
    assert {"hospit", "segment", "zero", "transfer"} <= terms, sorted(terms)


def test_paper_page_links_to_edit_and_report(contributed):
    page = soup(contributed / "site" / "papers" / SLUG / "index.html")
    actions = {a.get_text(strip=True): a["href"] for a in page.select(".paper__actions a")}
    assert actions["Edit this page"] == f"{REPO_URL}/edit/main/content/papers/{SLUG}.md"
    report = urlsplit(actions["Report a problem"])
    assert f"{report.scheme}://{report.netloc}{report.path}" == f"{REPO_URL}/issues/new"
    query = parse_qs(report.query)
    assert query["template"] == ["paper-problem.yml"]
    assert query["title"] == [f"Problem with: {TITLE}"]
    assert query["page-url"] == [f"{SITE_URL}papers/{SLUG}/"]


def test_sitemap_urls_use_site_url_and_exist(contributed):
    site = contributed / "site"
    tree = ET.parse(site / "sitemap.xml")
    locs = [el.text for el in tree.iter() if el.tag.endswith("loc")]
    assert f"{SITE_URL}papers/{SLUG}/" in locs
    for loc in locs:
        assert loc.startswith(SITE_URL), loc
        rel = loc[len(SITE_URL):]
        assert (site / rel / "index.html").is_file() or (site / rel).is_file(), loc


# -- in the browser, under the subpath -------------------------------------------------------------------


class Watch:
    """Every request the page makes: third-party ones are aborted and remembered, failures kept."""

    def __init__(self, page, base: str):
        self.outside: list[str] = []
        self.failed: list[str] = []
        origin = "{0.scheme}://{0.netloc}/".format(urlsplit(base))

        def route(route):
            if route.request.url.startswith(origin):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        # A request cut short because the test moved on to the next page (net::ERR_ABORTED: the search
        # manifest the page asks for at load, say) is not a failure of the site.
        page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED" and self.failed.append(
            f"failed {r.url} ({r.failure})"))


@pytest.mark.browser
def test_browse_from_home_to_the_paper_and_find_it_by_search(contributed, page):
    tag = tags_of(contributed)[0]
    with serve(contributed / "site", SUBPATH) as base:
        watch = Watch(page, base)
        page.goto(base)
        page.locator(f"a[href$='tags/{tag}/']").first.click()
        page.wait_for_url(f"{base}tags/{tag}/")
        page.get_by_role("link", name=TITLE, exact=True).click()
        page.wait_for_url(f"{base}papers/{SLUG}/")
        assert page.locator("h1.paper__title").inner_text() == TITLE
        edits = page.locator("a", has_text="Edit this page").or_(page.locator("a[rel=edit]"))
        hrefs = {edits.nth(i).get_attribute("href") for i in range(edits.count())}
        assert hrefs == {f"{REPO_URL}/edit/main/content/papers/{SLUG}.md"}
        report = page.locator(".paper__actions a", has_text="Report a problem").get_attribute("href")
        query = parse_qs(urlsplit(report).query)
        assert urlsplit(report).path.endswith("/issues/new")
        assert query["template"] == ["paper-problem.yml"] and query["title"] == [f"Problem with: {TITLE}"]

        page.goto(base)
        search = page.locator(".md-search__input")
        search.click()
        search.press_sequentially("hospitals never saw", delay=20)
        result = page.locator(".md-search-result__item", has_text=TITLE).first
        result.wait_for(timeout=15000)
        result.locator("a").first.click()
        page.wait_for_url(re.compile(re.escape(f"{base}papers/{SLUG}/") + r"(\?.*)?(#.*)?$"))
        assert page.locator("h1.paper__title").inner_text() == TITLE
        assert watch.failed == []
        assert watch.outside == []


@pytest.mark.browser
def test_sitemap_and_404_work_under_the_subpath(contributed, page):
    with serve(contributed / "site", SUBPATH) as base:
        watch = Watch(page, base)
        sitemap = page.request.get(f"{base}sitemap.xml")
        assert sitemap.status == 200
        locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.text())
        for loc in locs:
            assert loc.startswith(SITE_URL)
            assert page.request.get(base + loc[len(SITE_URL):]).status == 200, loc

        response = page.goto(f"{base}no/such/page/")
        assert response.status == 404
        assert "404" in page.locator("article, .md-content").first.inner_text()
        # The 404 page's stylesheets and scripts resolve under the subpath and load.
        styles = page.eval_on_selector_all("link[rel=stylesheet]", "els => els.map(e => e.href)")
        assert styles and all(href.startswith(base) for href in styles)
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
        home = page.locator("a.md-header__button.md-logo").get_attribute("href")
        assert page.request.get(urljoin_(page.url, home)).status == 200
        assert [f for f in watch.failed if not f.startswith("404 ") or "/no/such/page/" not in f] == []
        assert watch.outside == []


def urljoin_(base: str, href: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, href)
