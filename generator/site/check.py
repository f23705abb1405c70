"""`paper-collection check`: the checks a collection's own CI runs on its built site, after
`validate` and the strict build (cli.cmd_check). It does not run the generator's test suite.

- links: every internal `href`/`src` of every page (and every absolute one under `site_url`)
  resolves to a file in site/;
- the search index: the manifest loads, every term shard and document chunk parses, one
  document per paper file, each pointing at a paper page that exists;
- feeds: every `feed.xml` parses as XML (no entities expanded, nothing fetched) and is an Atom
  feed (or RSS channel) with the elements readers need, its entries' links inside the site;
- accessibility: axe-core (WCAG 2.1 AA, serious and critical findings) on a sample of pages, one
  of each kind, in Chromium through Playwright (`pip install paper-collection[check]`). Without a
  browser it is skipped with a note; with CI=true that is a failure.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from paper_collection.settings import Layout

ATOM = "{http://www.w3.org/2005/Atom}"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
MAX_LISTED = 20  # problems of one kind listed before "... and N more"


@dataclass
class SiteReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [*self.notes, *self.problems]
        lines.append(f"{len(self.problems)} problem(s) in the built site" if self.problems
                     else "ok: the site's links, search index, feeds and sampled pages pass")
        return "\n".join(lines)

    def add(self, kind: str, found: list[str]) -> None:
        self.problems.extend(f"{kind}: {p}" for p in found[:MAX_LISTED])
        if len(found) > MAX_LISTED:
            self.problems.append(f"{kind}: ... and {len(found) - MAX_LISTED} more")


class Site:
    """The built site in `folder`, published at `site_url`: turns a link on a page into a file."""

    def __init__(self, folder: Path, site_url: str | None) -> None:
        self.folder = folder
        parts = urlsplit(site_url or "http://localhost/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
        self._exists: dict[str, bool] = {}

    def page_url(self, path: Path) -> str:
        return self.origin + self.prefix + path.relative_to(self.folder).as_posix()

    def target(self, url: str) -> str | None:
        """The site-relative path a resolved URL names, or None when it is outside the site."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or not (parts.path + "/").startswith(self.prefix):
            return None
        return unquote(parts.path[len(self.prefix):])

    def resolves(self, relative: str) -> bool:
        if relative not in self._exists:
            path = self.folder / relative
            self._exists[relative] = (path.is_file() or (path / "index.html").is_file()) if relative else \
                (self.folder / "index.html").is_file()
        return self._exists[relative]


def _page_links(tree) -> list[str]:
    links = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("href", "src"):
            value = element.get(attribute)
            if value:
                links.append(value.strip())
    return links


def check_links(site: Site) -> tuple[int, list[str]]:
    """Every internal link of every page resolves: (pages read, problems)."""
    from lxml import etree, html

    problems = []
    pages = sorted(site.folder.rglob("*.html"))
    for page in pages:
        try:
            tree = html.fromstring(page.read_bytes())
        except (ValueError, etree.ParserError) as error:
            problems.append(f"{page.relative_to(site.folder)}: cannot be read as HTML ({error})")
            continue
        base = site.page_url(page)
        for link in _page_links(tree):
            if link.startswith(("#", "mailto:", "javascript:", "data:", "tel:")):
                continue
            relative = site.target(urljoin(base, link))
            if relative is not None and not site.resolves(relative):
                problems.append(f"{page.relative_to(site.folder).as_posix()}: {link} leads to no file in the site")
    return len(pages), problems


def check_search(site: Site, slugs: set[str]) -> list[str]:
    """The prebuilt index (generator/site/search.py): it loads and holds one document per paper."""
    folder = site.folder / "search"
    manifest_path = folder / "paper-search.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"search/paper-search.json: cannot be loaded ({error})"]
    problems = []
    if manifest.get("docs") != len(slugs):
        problems.append(f"search/paper-search.json: {manifest.get('docs')} documents for {len(slugs)} papers")
    seen: list[str] = []
    for start in range(0, max(len(slugs), 1), manifest.get("chunk") or 1):
        path = folder / "docs" / f"{start // manifest['chunk']}.json"
        try:
            seen.extend(doc[0] for doc in json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, IndexError) as error:
            if slugs:
                problems.append(f"{path.relative_to(site.folder)}: cannot be loaded ({error})")
    missing, extra = slugs - set(seen), set(seen) - slugs
    problems += [f"paper {slug} has no search document" for slug in sorted(missing)]
    problems += [f"document {slug} is no paper of the collection" for slug in sorted(extra)]
    problems += [f"document {slug} leads to no page" for slug in seen
                 if slug in slugs and not site.resolves(f"papers/{slug}/")]
    for index, first in enumerate(manifest.get("shards", [])):
        path = folder / "terms" / f"{index}.json"
        try:
            terms = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append(f"{path.relative_to(site.folder)}: cannot be loaded ({error})")
            continue
        if next(iter(terms), None) != first:
            problems.append(f"{path.relative_to(site.folder)}: starts with {next(iter(terms), None)!r}, the manifest "
                            f"says {first!r}")
        for term, postings in terms.items():
            if sum(postings[0::2]) >= len(seen):  # doc deltas: the last one reached
                problems.append(f"{path.relative_to(site.folder)}: term {term!r} names a document past the last")
                break
    return problems


def _atom_problems(root, name: str, site: Site) -> list[str]:
    problems = [f"{name}: the feed has no <{child}>" for child in ("id", "title", "updated")
                if root.find(ATOM + child) is None]
    for number, entry in enumerate(root.iter(ATOM + "entry"), 1):
        for child in ("id", "title", "updated"):
            if entry.find(ATOM + child) is None:
                problems.append(f"{name}: entry {number} has no <{child}>")
        for link in entry.iter(ATOM + "link"):
            relative = site.target(urljoin(site.page_url(site.folder / name), link.get("href", "")))
            if relative is not None and not site.resolves(relative):
                problems.append(f"{name}: entry {number} links to {link.get('href')}, which is not in the site")
    return problems


def check_feeds(site: Site) -> tuple[int, list[str]]:
    """Every feed.xml is a well-formed Atom feed (or RSS channel)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    feeds = sorted(site.folder.rglob("feed.xml"))
    problems = []
    for path in feeds:
        name = path.relative_to(site.folder).as_posix()
        try:
            root = etree.parse(str(path), parser).getroot()
        except etree.XMLSyntaxError as error:
            problems.append(f"{name}: not well-formed XML ({error})")
            continue
        if root.tag == ATOM + "feed":
            problems += _atom_problems(root, name, site)
        elif root.tag == "rss":
            channel = root.find("channel")
            if channel is None or channel.find("title") is None or channel.find("link") is None:
                problems.append(f"{name}: an RSS feed needs a <channel> with <title> and <link>")
        else:
            problems.append(f"{name}: neither an Atom feed nor RSS (root element {root.tag})")
    return len(feeds), problems


# --- accessibility --------------------------------------------------------------------------------

def find_browser(given: str | None) -> str | None:
    for candidate in (given, os.environ.get("PAPER_COLLECTION_CHROMIUM")):
        if candidate:
            return candidate
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def sample_pages(site: Site, slugs: list[str], limit: int) -> list[str]:
    """One page of each kind, site-relative: home, tag index, a tag, a paper, explorer, statistics,
    map, an author, a year. (Not the author index: 500 names a page made axe take 12 s of the
    check's time on a shared machine; the generator's own tests check it.)"""
    def first(folder: str) -> list[str]:
        found = sorted(p.parent.name for p in (site.folder / folder).glob("*/index.html") if p.parent.name != "page")
        return [f"{folder}/{found[0]}/"] if found else []

    candidates = ["", "tags/", *first("tags"), *[f"papers/{slug}/" for slug in slugs[:1]],
                  "explore/", "stats/", "map/", *first("authors"), *first("years")]
    return [page for page in candidates if site.resolves(page)][:limit]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(site: Site):
    """The site over HTTP at its own path (site_url's), as GitHub Pages serves it."""
    prefix = site.prefix

    class Handler(_Quiet):
        def translate_path(self, path):
            inside = path.startswith(prefix)
            return super().translate_path("/" + path[len(prefix):] if inside else "/__outside_the_site__")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Handler, directory=str(site.folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def check_accessibility(site: Site, pages: list[str], browser_path: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    problems = []
    axe = Axe()
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            for page_path in pages:
                context = browser.new_context()
                page = context.new_page()
                try:
                    page.goto(base + page_path)
                    page.wait_for_load_state("networkidle")
                    results = axe.run(page, options=WCAG_AA).response
                finally:
                    context.close()
                for violation in results["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        for node in violation["nodes"]:
                            problems.append(f"/{page_path}: {violation['id']} ({violation['impact']}) at "
                                            f"{' '.join(map(str, node['target']))}: {violation['help']}")
        finally:
            browser.close()
    return problems


def _accessibility(report: SiteReport, site: Site, slugs: list[str], browser: str | None, limit: int) -> None:
    ci = os.environ.get("CI") == "true"
    if limit <= 0:
        report.notes.append("accessibility: skipped (--axe-pages 0)")
        return
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        missing = "accessibility: Playwright and axe-playwright-python are not installed: pip install " \
                  "'paper-collection[check]' (make test does)"
        (report.problems if ci else report.notes).append(missing + ("" if ci else "; skipped"))
        return
    path = find_browser(browser)
    if path is None:
        missing = ("accessibility: no Chromium found (chromium, chromium-browser or google-chrome on PATH); install "
                   "one, or give its path with --browser or PAPER_COLLECTION_CHROMIUM")
        (report.problems if ci else report.notes).append(missing + ("" if ci else "; skipped"))
        return
    pages = sample_pages(site, slugs, limit)
    found = check_accessibility(site, pages, path)
    report.add("accessibility", found)
    report.notes.append(f"accessibility: axe-core on {len(pages)} page(s): {', '.join('/' + p for p in pages)}")


def check_site(layout: Layout, *, browser: str | None = None, pages: int = 8) -> SiteReport:
    report = SiteReport()
    site = Site(layout.site_dir, layout.config.get("site_url"))
    if not (layout.site_dir / "index.html").is_file():
        report.problems.append(f"{layout.shown(layout.site_dir)}/index.html: no built site; run paper-collection "
                               "build first (or check without --no-build)")
        return report
    slugs = sorted(p.stem for p in layout.papers_dir.glob("*.md"))
    count, found = check_links(site)
    report.add("links", found)
    report.notes.append(f"links: {count} pages read")
    report.add("search", check_search(site, set(slugs)))
    report.notes.append(f"search: {len(slugs)} papers, one document each expected")
    count, found = check_feeds(site)
    report.add("feeds", found)
    report.notes.append(f"feeds: {count} read")
    _accessibility(report, site, slugs, browser, pages)
    return report
