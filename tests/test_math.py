"""Math in abstracts: TeX between dollars becomes an arithmatex span for the vendored KaTeX; a
lone dollar stays text; KaTeX is served from the site itself."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from tests.helpers import ROOT, serve
from tests.test_exports import build_fixture, slug

PAPER = {"title": "Quadratic Costs", "tags": ["transformers"], "added": "2026-01-01",
         "abstract": "Attention costs $O(n^2)$ in time, while a GPU hour costs $5 on our cloud."}
KATEX = ROOT / "generator" / "theme" / "assets" / "vendor" / "katex"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("math"), papers=[PAPER])


def test_math_becomes_one_arithmatex_span_and_a_lone_dollar_stays_text(site):
    soup = BeautifulSoup((site / "papers" / slug(PAPER) / "index.html").read_text(encoding="utf-8"), "html.parser")
    abstract = soup.select_one(".paper__abstract")
    spans = abstract.select(".arithmatex")
    assert [s.get_text() for s in spans] == ["\\(O(n^2)\\)"]
    assert "costs $5 on our cloud" in abstract.get_text()


def test_katex_is_vendored_and_loaded_from_the_site(site):
    soup = BeautifulSoup((site / "papers" / slug(PAPER) / "index.html").read_text(encoding="utf-8"), "html.parser")
    scripts = [s["src"] for s in soup.select("script[src]")]
    styles = [s["href"] for s in soup.select('link[rel="stylesheet"]')]
    # math.js loads KaTeX from next to itself, and only on pages with math (browser test).
    assert "../../assets/javascripts/math.js" in scripts
    assert not [u for u in scripts + styles if "katex" in u]
    assert not [u for u in scripts + styles if re.match(r"(https?:)?//", u)], "no third-party assets"
    for name in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js"):
        assert (site / "assets" / "vendor" / "katex" / name).is_file()
    css = (site / "assets" / "vendor" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\(([^)]+)\)", css))
    assert fonts and all(f.startswith("fonts/") and f.endswith(".woff2") for f in fonts)
    assert all((site / "assets" / "vendor" / "katex" / f).is_file() for f in fonts)
    assert (KATEX / "LICENSE").is_file()


# -- every place a title or abstract appears ---------------------------------------------------

ELUDER = {"title": "The $\\sigma$-rank of eluder classes", "tags": ["transformers"], "added": "2026-02-01",
          "authors": ["Ada Lovelace"], "year": 2024,
          "abstract": "We bound the $\\alpha$-rank of eluder classes by $O(\\sqrt{T})$, 10$\\times$ below the "
                      "\\emph{best} bound of \\citet{russo2013}, with a shadow price $η$. A GPU hour costs $5 and "
                      "a TPU hour $10. Code: \\url{https://example.org/eluder}. Our \\(\\projectname\\) "
                      "is fast~--- really.\n\nSecond paragraph: $$\\sum_i x_i^2$$ holds for eluder classes."}
ELUDER_2 = {"title": "Eluder dimension and $\\alpha$-rank of classes", "tags": ["transformers"],
            "added": "2026-02-02",
            "abstract": "The eluder dimension bounds the $\\alpha$-rank of eluder classes in $1$D and $2$D."}


@pytest.fixture(scope="module")
def eluder_site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("eluder"), papers=[ELUDER, ELUDER_2])


def soup_of(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_paper_page_renders_math_and_text_commands_and_its_head_reads_plain(eluder_site):
    soup = soup_of(eluder_site / "papers" / slug(ELUDER) / "index.html")
    assert [s.get_text() for s in soup.select("h1.paper__title .arithmatex")] == ["\\(\\sigma\\)"]
    abstract = soup.select_one(".paper__abstract")
    assert [s.get_text() for s in abstract.select(".arithmatex")] == [
        "\\(\\alpha\\)", "\\(O(\\sqrt{T})\\)", "\\(\\times\\)", "\\(η\\)", "\\(\\projectname\\)",
        "\\[\\sum_i x_i^2\\]"]
    assert abstract.select_one("em").get_text() == "best"
    link = abstract.select_one("a")
    assert link["href"] == "https://example.org/eluder" and link["rel"] == ["nofollow", "noopener"]
    text = abstract.get_text()
    assert "[russo2013]" in text and "A GPU hour costs $5 and a TPU hour $10." in text
    assert "\\emph" not in text and "\\url" not in text and "fast\u00a0— really" in text
    plain = "The σ-rank of eluder classes"
    assert soup.title.get_text() == f"{plain} - Generalization Papers"
    assert soup.select_one('meta[property="og:title"]')["content"] == plain
    description = soup.select_one('meta[name="description"]')["content"]
    assert description.startswith("We bound the α-rank of eluder classes by O(√(T)), 10× below the best bound")
    ld = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    assert ld["name"] == plain and "$" not in ld["abstract"].replace("$5", "").replace("$10", "")
    assert "\\" not in ld["abstract"] and "[russo2013]" in ld["abstract"]
    # BibTeX keeps the author's TeX.
    assert "title = {The $\\sigma$-rank of eluder classes}" in soup.select_one("#bibtex-entry").get_text()


def test_lists_render_math_and_exports_keep_their_form(eluder_site):
    tag = soup_of(eluder_site / "tags" / "transformers" / "index.html")
    titles = {a.get_text(): a for a in tag.select("a.paper-list__title")}
    assert titles["\\(\\sigma\\)-rank of eluder classes".join(["The ", ""])].select(".arithmatex")
    assert tag.select(".paper-list__summary .arithmatex")
    home = soup_of(eluder_site / "index.html")
    assert home.select("a.paper-list__title .arithmatex")
    related = soup_of(eluder_site / "papers" / slug(ELUDER_2) / "index.html").select(".paper__related a")
    assert related and related[0].select(".arithmatex")
    papers = {p["slug"]: p for p in json.loads((eluder_site / "papers.json").read_text(encoding="utf-8"))["papers"]}
    assert papers[slug(ELUDER)]["title"] == ELUDER["title"]  # the source text
    assert papers[slug(ELUDER)]["abstract"] == ELUDER["abstract"]
    feed = (eluder_site / "feed.xml").read_text(encoding="utf-8")
    assert "<title>The σ-rank of eluder classes</title>" in feed
    docs = json.loads((eluder_site / "search" / "docs" / "0.json").read_text(encoding="utf-8"))
    shown = {row[0]: row for row in docs}
    assert shown[slug(ELUDER)][1] == "The σ-rank of eluder classes"
    assert shown[slug(ELUDER)][3].startswith("We bound the α-rank of eluder classes by O(√(T)), 10× below")
    assert "\\" not in shown[slug(ELUDER)][3]


@pytest.mark.browser
def test_math_renders_in_chromium_without_errors_or_raw_tex(eluder_site, page):
    pages = [f"papers/{slug(ELUDER)}/", f"papers/{slug(ELUDER_2)}/", "tags/transformers/", ""]
    with serve(eluder_site) as base:
        for path in pages:
            page.goto(f"{base}{path}")
            page.wait_for_function("document.querySelectorAll('.arithmatex').length > 0 && "
                                   "!document.querySelector('.arithmatex:not(.arithmatex--done)')", timeout=10000)
            assert page.locator(".katex-error").count() == 0, path
            assert page.locator(".arithmatex .katex").count() > 0, path
            visible = page.evaluate("""() => {
                const main = document.querySelector('article.paper, .md-content').cloneNode(true);
                main.querySelectorAll('.paper__cite, .katex, code.math-source').forEach(e => e.remove());
                return main.innerText; }""")
            assert not re.search(r"\$(?=\S)[^$]+?(?<=\S)\$(?!\d)", visible), (path, visible)
            assert not re.search(r"\\[A-Za-z]+", visible), (path, visible)
        page.goto(f"{base}papers/{slug(ELUDER)}/")
        page.wait_for_selector(".arithmatex--display .katex-display", timeout=10000)
        # \projectname is the author's own macro: shown as their TeX, in a code style, not as an error.
        assert page.locator("code.math-source").all_inner_texts() == ["$\\projectname$"]
