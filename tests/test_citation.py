"""Citation data on paper pages: the BibTeX entry, Highwire citation_* tags, JSON-LD, OpenGraph
and Twitter metadata, read back from the built HTML and compared with the paper files."""

from __future__ import annotations

import json
import re

import bibtexparser
import extruct
import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.paper import Paper
from paper_collection.site.citation import bibtex, bibtex_entry, bibtex_keys, script_json
from tests.test_exports import MATH, MED_1, PDE_1, PDE_2, build_fixture, slug

BASE = "https://example.github.io/paper-collection/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("citation"))


def page(site, data) -> tuple[str, BeautifulSoup]:
    text = (site / "papers" / slug(data) / "index.html").read_text(encoding="utf-8")
    return text, BeautifulSoup(text, "html.parser")


def meta(soup, name) -> list[str]:
    return [m["content"] for m in soup.select(f'head meta[name="{name}"]')]


def page_bibtex(soup):
    library = bibtexparser.parse_string(soup.select_one("#bibtex-entry").get_text())
    assert not library.failed_blocks and len(library.entries) == 1
    return library.entries[0]


def test_highwire_tags_match_the_paper_file(site):
    _, soup = page(site, PDE_1)
    url = f"{BASE}papers/{slug(PDE_1)}/"
    assert meta(soup, "citation_title") == [PDE_1["title"]]
    assert meta(soup, "citation_author") == PDE_1["authors"]
    assert meta(soup, "citation_publication_date") == ["2024/03"]
    assert meta(soup, "citation_journal_title") == [PDE_1["venue"]]
    assert meta(soup, "citation_arxiv_id") == [PDE_1["arxiv"]]
    assert meta(soup, "citation_doi") == [PDE_1["doi"]]
    assert meta(soup, "citation_abstract_html_url") == [url]
    assert meta(soup, "citation_pdf_url") == [f"https://arxiv.org/pdf/{PDE_1['arxiv']}"]
    assert soup.select_one('head link[rel="canonical"]')["href"] == url


def test_nothing_is_invented_when_the_collection_does_not_know_it(site):
    _, soup = page(site, MED_1)
    assert meta(soup, "citation_title") == [MED_1["title"]]
    for name in ("citation_author", "citation_publication_date", "citation_date", "citation_arxiv_id",
                 "citation_doi", "citation_pdf_url"):
        assert meta(soup, name) == [], name
    entry = page_bibtex(soup)
    assert entry.entry_type == "misc" and entry.key == slug(MED_1)
    assert set(entry.fields_dict) == {"title"}


def test_bibtex_on_the_page_parses_back_with_the_same_fields(site):
    _, soup = page(site, PDE_1)
    entry = page_bibtex(soup)
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert entry.entry_type == "article" and entry.key == "lovelace2024neural"
    assert fields == {"title": PDE_1["title"], "author": "Ada Lovelace and Alan Turing", "journal": PDE_1["venue"],
                      "year": "2024", "month": "3", "eprint": PDE_1["arxiv"], "archivePrefix": "arXiv",
                      "doi": PDE_1["doi"], "url": f"https://arxiv.org/abs/{PDE_1['arxiv']}"}
    button = soup.select_one("button[data-clipboard-target]")
    assert button["data-clipboard-target"] == "#bibtex-entry"
    # The same key as in papers.bib; the second Lovelace 2024 "Neural" paper gets a suffix.
    assert page_bibtex(page(site, PDE_2)[1]).key == "lovelace2024neuralb"


def test_titles_with_math_are_plain_everywhere_but_the_heading(site):
    text, soup = page(site, MATH)
    plain = "Fast O(n²) Attention & <Friends>"
    assert soup.title.get_text() == f"{plain} - Generalization Papers"
    assert meta(soup, "citation_title") == [plain]
    assert soup.select_one('meta[property="og:title"]')["content"] == plain
    assert page_bibtex(soup).fields_dict["title"].value == "Fast $O(n^2)$ Attention \\& <Friends>"  # TeX stays TeX
    assert soup.select_one("h1 .arithmatex") is not None


def test_json_ld_and_opengraph_read_back_with_extruct(site):
    text, _ = page(site, PDE_1)
    url = f"{BASE}papers/{slug(PDE_1)}/"
    data = extruct.extract(text, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
    [article] = data["json-ld"]
    assert article["@type"] == "ScholarlyArticle"
    assert article["name"] == PDE_1["title"] and article["url"] == url
    assert [a["name"] for a in article["author"]] == PDE_1["authors"]
    assert article["datePublished"] == "2024-03"
    assert {i["propertyID"]: i["value"] for i in article["identifier"]} == {"arXiv": PDE_1["arxiv"],
                                                                           "DOI": PDE_1["doi"]}
    assert article["abstract"] == PDE_1["abstract"]
    [og] = data["opengraph"]
    assert og["og:title"] == PDE_1["title"] and og["@type"] == "article" and og["og:url"] == url
    assert og["og:description"] == "We train neural operators as PDE solvers for fluid dynamics."


def test_json_ld_cannot_break_out_of_its_script(site):
    text, soup = page(site, MATH)
    script = soup.select_one('script[type="application/ld+json"]')
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    article = json.loads(script.string)
    assert "</script>" in article["abstract"] and article["name"] == "Fast O(n²) Attention & <Friends>"
    assert "datePublished" not in article and "author" not in article
    assert script_json({"a": "</script><b>&"}) == '{"a":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'


def test_twitter_card(site):
    _, soup = page(site, MED_1)
    assert meta(soup, "twitter:card") == ["summary"]
    # X falls back to OpenGraph's title and description: not repeated under twitter: names
    assert meta(soup, "twitter:title") == meta(soup, "twitter:description") == []
    assert soup.find("meta", property="og:title")["content"] == MED_1["title"]
    assert soup.find("meta", property="og:description")["content"]


def test_seed_pages_have_citation_data_without_a_year(bundled_site):
    path = bundled_site / "site" / "papers" / "poseidon-efficient-foundation-models-for-pdes" / "index.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    assert meta(soup, "citation_title") == ["Poseidon: Efficient Foundation Models for PDEs"]
    assert meta(soup, "citation_publication_date") == []
    entry = page_bibtex(soup)
    assert "year" not in entry.fields_dict and entry.key == "poseidon-efficient-foundation-models-for-pdes"


def paper(slug_, title, added="2026-01-01", **extra) -> Paper:
    return Paper(slug=slug_, title=title, abstract="x", tags=("code",), added=added, **extra)


def test_keys_are_unique_and_stable_when_papers_are_added():
    first = paper("deep-a", "Deep Nets", authors=("Ada Lovelace",), year=2024)
    second = paper("deep-b", "The Deep Nets", added="2026-02-01", authors=("Lovelace, Ada",), year=2024)
    no_year = paper("deep-c", "Deep Nets", authors=("Ada Lovelace",))
    keys = bibtex_keys([second, first, no_year])
    assert keys == {"deep-a": "lovelace2024deep", "deep-b": "lovelace2024deepb", "deep-c": "deep-c"}
    later = paper("aaa", "Deep Nets Again", added="2026-03-01", authors=("Ada Lovelace",), year=2024)
    assert bibtex_keys([first, second, no_year, later]) == {**keys, "aaa": "lovelace2024deepc"}


def test_bibtex_values_with_latex_specials_and_braces_round_trip():
    odd = paper("odd", "50% of {Nets} & #1 {unbalanced", authors=("Smith and Sons", "Jo Doe"), year=2020)
    text = bibtex([bibtex_entry(odd, "k")])
    [entry] = bibtexparser.parse_string(text).entries
    assert entry.fields_dict["title"].value == "50\\% of (Nets) \\& \\#1 (unbalanced"
    assert entry.fields_dict["author"].value == "{Smith and Sons} and Jo Doe"
