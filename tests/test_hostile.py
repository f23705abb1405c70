"""Issue 7: hostile input never executes or injects markup, on any page or export that shows it.

The corpus (tests/hostile/*.json: markdown-it's and CommonMark's XSS and raw-HTML cases, and
our own) goes in three ways: a JSON export and a listing dump through `import`, and paper files
as a contributor would send them. The collection is validated and built; then every built file
is checked against a clean build of the bundled collection.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from paper_collection.collection import frontmatter
from paper_collection.site.tex import to_plain
from tests.helpers import ROOT, make_project, run_generator
from tests.hostile.corpus import (
    ADDED,
    DEFAULT_TAG,
    WATCHED_TAGS,
    ScriptAllowList,
    build_hostile,
    cases,
    listing_dump,
    markup_problems,
    page_kind,
    soup,
    tag_counts,
    url_is_dangerous,
)

CLEAN_PAPER = "limo-less-is-more-for-reasoning"  # a bundled paper: the reference paper page
MARKER = re.compile(r"\b([HLP]X\d{3})\b")
CITATION_META = re.compile(r"^(?:citation_[a-z_]+|og:[a-z_:]+|twitter:[a-z_]+|description|author|keywords)$")
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """The bundled collection built from the same theme and plugin: the scripts we ship."""
    root = make_project(tmp_path_factory.mktemp("clean"))
    run_generator(root, "build")
    return root / "site"


@pytest.fixture(scope="module")
def allowed(clean) -> ScriptAllowList:
    return ScriptAllowList.from_site(clean)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def norm(text: str) -> str:
    """Whitespace collapsed; control characters dropped (HTML parsers drop or replace them: see
    test_no_control_characters_reach_the_collection)."""
    return " ".join(CONTROLS.sub(" ", text.replace("\x00", "").replace("\ufffd", "")).split())


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- the corpus itself ------------------------------------------------------------------------


def test_corpus_is_large_and_sourced():
    items = cases()
    assert len(items) >= 150
    assert len(set(items)) == len(items)
    for name in ("markdown_it_xss.json", "commonmark.json", "payloads.json"):
        data = json.loads((Path(__file__).parent / "hostile" / name).read_text(encoding="utf-8"))
        assert len(data["source"]) > 40 and data["cases"]


# --- nothing is lost --------------------------------------------------------------------------


def test_every_hostile_record_is_in_the_collection(hostile):
    titles = [meta["title"] for meta in hostile.papers().values()]
    found = {m for title in titles for m in MARKER.findall(title)}
    count = len(hostile.items)
    for prefix in ("HX", "LX", "PX"):
        missing = [f"{prefix}{n:03d}" for n in range(count) if f"{prefix}{n:03d}" not in found]
        assert not missing, f"{prefix} papers neither in the collection nor rejected: {missing[:20]}"
    assert "rejected 0" in hostile.import_output


def test_listing_with_bibtex_lookalike_line_is_read_as_listing(tmp_path):
    root = make_project(tmp_path)
    (root / "dump.txt").write_text(listing_dump(cases()), encoding="utf-8")
    result = run_generator(root, "import", "dump.txt", "--added", ADDED, "--default-tag", DEFAULT_TAG, check=False)
    assert "(listing)" in result.stdout, result.stdout[:500]
    assert re.search(r"read 167, new 167", result.stdout), result.stdout[:500]


# --- nothing executes -------------------------------------------------------------------------


def test_no_script_handler_or_dangerous_url_on_any_page(hostile, allowed):
    problems: list[str] = []
    for page in html_pages(hostile.site):
        problems += markup_problems(soup(page.read_text(encoding="utf-8")), allowed,
                                    page.relative_to(hostile.site).as_posix())
    assert not problems, "\n".join(problems[:40])


def test_pages_hold_the_same_elements_as_clean_pages_of_their_kind(hostile):
    site = hostile.site
    reference = {
        "paper": site / "papers" / CLEAN_PAPER / "index.html",
        "home": site / "index.html",
        "tags": site / "tags" / "index.html",
        "tag": site / "tags" / "reasoning" / "index.html",
    }
    # <meta> and <link> vary with a paper's fields (citation_author per author): checked by name below.
    counted = [name for name in WATCHED_TAGS if name not in ("meta", "link")]
    expected = {kind: {k: v for k, v in tag_counts(soup(path.read_text(encoding="utf-8"))).items() if k in counted}
                for kind, path in reference.items()}
    meta_names: set[str] = set()
    link_rels: set[str] = set()
    for path in reference.values():
        document = soup(path.read_text(encoding="utf-8"))
        meta_names |= {m.get("name") or m.get("property") or m.get("charset") or "" for m in document.find_all("meta")}
        link_rels |= {" ".join(x.get("rel") or []) for x in document.find_all("link")}
    different: list[str] = []
    for page in html_pages(site):
        kind = page_kind(site, page)
        if kind not in expected:
            continue
        document = soup(page.read_text(encoding="utf-8"))
        counts = {k: v for k, v in tag_counts(document).items() if k in counted}
        if counts != expected[kind]:
            delta = {k: (expected[kind][k], v) for k, v in counts.items() if v != expected[kind][k]}
            different.append(f"{page.relative_to(site)}: (clean, here) {delta}")
        for meta in document.find_all("meta"):
            name = meta.get("name") or meta.get("property") or meta.get("charset") or ""
            if (name not in meta_names and not CITATION_META.match(name)) or meta.get("http-equiv"):
                different.append(f"{page.relative_to(site)}: unexpected {meta}")
        for link in document.find_all("link"):
            if " ".join(link.get("rel") or []) not in link_rels:
                different.append(f"{page.relative_to(site)}: unexpected {link}")
    assert not different, "\n".join(different[:40])


def test_paper_links_are_only_http(hostile):
    bad: list[str] = []
    for slug in hostile.papers():
        document = soup((hostile.site / "papers" / slug / "index.html").read_text(encoding="utf-8"))
        article = document.select_one("article.paper")
        for anchor in article.find_all("a", href=True):
            href = anchor["href"]
            scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", href)
            if scheme and scheme.group(1).lower() not in ("http", "https"):
                bad.append(f"{slug}: {href!r}")
        for anchor in article.select(".paper__links a[href]"):
            if not anchor["href"].startswith(("https://", "http://")):
                bad.append(f"{slug}: link button {anchor['href']!r}")
    assert not bad, "\n".join(bad[:40])


def test_every_link_button_has_a_target(hostile):
    dead = []
    for slug in hostile.papers():
        document = soup((hostile.site / "papers" / slug / "index.html").read_text(encoding="utf-8"))
        dead += [f"{slug}: {a}" for a in document.select(".paper__links a") if not a.get("href")]
    assert not dead, "\n".join(dead[:20])


def test_no_control_characters_reach_the_collection(hostile):
    found = []
    for slug in hostile.papers():
        if not re.search(r"-[hl]x\d{3}$", slug):  # imported, not written by hand
            continue
        text = (hostile.root / "content" / "papers" / f"{slug}.md").read_text(encoding="utf-8")
        parsed = frontmatter.parse(text, slug)
        values = [parsed.meta["title"], parsed.body, *parsed.meta.get("authors", []), parsed.meta.get("venue") or ""]
        if any(CONTROLS.search(v) for v in values):
            found.append(slug)
    assert not found, found


# --- hostile text is shown as text ------------------------------------------------------------


def _mathless(title: str) -> bool:
    return "$" not in title and "\\(" not in title and "\\[" not in title


def test_titles_authors_venues_show_as_text_on_paper_pages(hostile):
    wrong: list[str] = []
    for slug, meta in hostile.papers().items():
        if not MARKER.search(meta["title"]):
            continue
        document = soup((hostile.site / "papers" / slug / "index.html").read_text(encoding="utf-8"))
        heading = document.select_one("h1.paper__title").get_text()
        # What the title says once its TeX is read (`\\emph{x}` -> x): text, never markup.
        expected = to_plain(meta["title"])
        if _mathless(meta["title"]) and norm(heading) != norm(expected):
            wrong.append(f"{slug}: h1 {heading!r} != {expected!r}")
        title = document.title.get_text()
        if _mathless(meta["title"]) and not norm(title).startswith(norm(expected)):
            wrong.append(f"{slug}: <title> {title!r}")
        if meta.get("authors"):
            shown = norm(document.select_one(".paper__authors").get_text())
            if shown != norm(", ".join(meta["authors"])):
                wrong.append(f"{slug}: authors {shown!r}")
        if meta.get("venue"):
            shown = norm(document.select_one(".paper__venue").get_text())
            if not shown.startswith(norm(meta["venue"])):
                wrong.append(f"{slug}: venue {shown!r}")
    assert not wrong, "\n".join(wrong[:40])


def test_titles_show_as_text_on_tag_pages_and_home(hostile):
    listed: Counter[str] = Counter()
    for page in sorted((hostile.site / "tags").rglob("index.html")) + [hostile.site / "index.html"]:
        document = soup(page.read_text(encoding="utf-8"))
        for anchor in document.select("a.paper-list__title"):
            listed[norm(anchor.get_text())] += 1
    missing = [meta["title"] for meta in hostile.papers().values()
               if MARKER.search(meta["title"]) and _mathless(meta["title"])
               and not listed[norm(to_plain(meta["title"]))]]
    assert not missing, missing[:20]


# --- search index, exports and feeds ----------------------------------------------------------


def test_search_index_keeps_titles_as_data_and_the_client_inserts_text_only(hostile):
    # The index holds titles as JSON strings (exactly as written, markup characters and all);
    # they are safe only because the client never parses them as HTML.
    titles = Counter()
    for chunk in sorted((hostile.site / "search" / "docs").glob("*.json")):
        for _slug, title, *_ in json.loads(chunk.read_text(encoding="utf-8")):
            titles[title] += 1
    assert titles == Counter(to_plain(meta["title"]) for meta in hostile.papers().values())
    client = "\n".join(p.read_text(encoding="utf-8") for p in
                       (ROOT / "generator" / "theme" / "assets" / "javascripts" / "search").glob("*.js"))
    sinks = re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", client)
    assert not sinks, sinks


def test_json_export_keeps_every_title_exactly(hostile):
    path = hostile.site / "papers.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data["papers"] if isinstance(data, dict) else data
    titles = Counter(r["title"] for r in records)
    expected = Counter(meta["title"] for meta in hostile.papers().values())
    assert titles == expected


def test_bibtex_export_has_one_entry_per_paper_and_no_breakout(hostile):
    path = hostile.site / "papers.bib"
    import bibtexparser

    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    assert not library.failed_blocks, [b.raw[:200] for b in library.failed_blocks[:5]]
    assert len(library.entries) == len(hostile.papers())
    keys = [entry.key for entry in library.entries]
    assert "evil" not in keys and len(set(keys)) == len(keys)
    for entry in library.entries:
        assert "title" in entry.fields_dict, entry.key


def test_feeds_are_well_formed_and_hold_no_markup(hostile):
    feeds = sorted(hostile.site.rglob("*.xml"))
    assert feeds
    problems: list[str] = []
    for feed in feeds:
        try:
            tree = etree.fromstring(feed.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as error:
            problems.append(f"{feed.relative_to(hostile.site)}: not well-formed XML: {error}")
            continue
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            if etree.QName(element).localname.lower() in ("script", "iframe", "object", "embed"):
                problems.append(f"{feed.relative_to(hostile.site)}: <{element.tag}>")
            for name, value in element.attrib.items():
                if name.lower() in ("href", "src") and url_is_dangerous(value):
                    problems.append(f"{feed.relative_to(hostile.site)}: {name}={value!r}")
            if element.get("type") in ("html", "xhtml") and element.text:
                problems += markup_problems(soup(f"<div>{element.text}</div>"), None,
                                            f"{feed.relative_to(hostile.site)} <{etree.QName(element).localname}>")
    assert not problems, "\n".join(problems[:40])


# --- the second defence: the sanitiser alone --------------------------------------------------


@pytest.mark.slow
def test_sanitiser_alone_keeps_the_hostile_corpus_inert(tmp_path, allowed):
    built = build_hostile(tmp_path, escape_text=False)
    problems: list[str] = []
    for page in html_pages(built.site):
        problems += markup_problems(soup(page.read_text(encoding="utf-8")), allowed,
                                    page.relative_to(built.site).as_posix())
    assert not problems, "\n".join(problems[:40])


@pytest.mark.slow
def test_sanitiser_alone_keeps_page_content_inert(tmp_path, allowed):
    """What the sanitiser does see (the page body) is clean even without escaping."""
    built = build_hostile(tmp_path, escape_text=False)
    problems: list[str] = []
    for page in html_pages(built.site):
        document = soup(page.read_text(encoding="utf-8"))
        for article in document.select("article"):
            problems += markup_problems(article, None, page.relative_to(built.site).as_posix())
    assert not problems, "\n".join(problems[:40])


# --- contributor files with dangerous links are refused ---------------------------------------

DANGEROUS_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                  "&#106;avascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                  "file:///etc/passwd", "//evil.example/x", "/relative", "https://", "http:alert(1)",
                  "https://example.org/\nx", "https://example.org/\x00"]


@pytest.mark.parametrize("url", DANGEROUS_URLS)
def test_paper_file_with_non_http_link_is_refused_and_site_kept(tmp_path, url):
    root = make_project(tmp_path)
    run_generator(root, "build")
    before = _tree_hash(root / "site")
    meta = {"title": "A Paper With a Bad Link", "tags": [DEFAULT_TAG], "links": [{"kind": "code", "url": url}],
            "added": "2024-01-01"}
    (root / "content" / "papers" / "a-paper-with-a-bad-link.md").write_text(
        frontmatter.dump(meta, "An abstract long enough to be an abstract of a paper."), encoding="utf-8")
    result = run_generator(root, "build", check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/papers/a-paper-with-a-bad-link.md" in result.stdout
    assert "links[0].url" in result.stdout
    assert _tree_hash(root / "site") == before


# --- determinism ------------------------------------------------------------------------------


def _tree_hash(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_import_and_build_are_byte_identical_when_repeated(tmp_path):
    first = build_hostile(tmp_path / "first")
    again = build_hostile(tmp_path / "again")
    first_content, second_content = (_tree_hash(b.root / "content") for b in (first, again))
    assert first_content == second_content
    first_site, second_site = (_tree_hash(b.site) for b in (first, again))
    changed = sorted(k for k in first_site.keys() | second_site.keys() if first_site.get(k) != second_site.get(k))
    assert not changed, changed[:20]
    # Importing the same dumps into the same collection again changes nothing.
    result = run_generator(again.root, "import", "inputs/hostile.json", "--added", ADDED,
                           "--default-tag", DEFAULT_TAG)
    assert "no file changed" in result.stdout
    assert _tree_hash(again.root / "content") == second_content


def test_url_check_matches_browsers():
    assert url_is_dangerous(" JaVa\tScRipt:alert(1)")
    assert url_is_dangerous("&#106;avascript:x")
    assert url_is_dangerous("\x01data:text/html,x")
    assert not url_is_dangerous("java script:alert(1)")  # inner space: a relative URL to a browser
    assert not url_is_dangerous("https://example.org/javascript:x")
    assert html.unescape("&#x3A;") == ":"
