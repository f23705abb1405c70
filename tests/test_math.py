"""Math in abstracts: TeX between dollars becomes an arithmatex span for the vendored KaTeX; a
lone dollar stays text; KaTeX is served from the site itself."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.helpers import ROOT
from tests.test_exports import build_fixture, slug

PAPER = {"title": "Quadratic Costs", "tags": ["transformers"], "added": "2026-01-01",
         "abstract": "Attention costs $O(n^2)$ in time, while a GPU hour costs $5 on our cloud."}
KATEX = ROOT / "theme_overrides" / "assets" / "vendor" / "katex"


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
