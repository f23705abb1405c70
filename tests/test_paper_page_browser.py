"""A paper page in Chromium: KaTeX renders the math, the BibTeX copy button fills the clipboard
with the entry, related-paper links lead to those papers, and nothing is fetched from elsewhere."""

from __future__ import annotations

import bibtexparser
import pytest

from tests.helpers import serve
from tests.test_exports import MATH, PDE_1, PDE_2, build_fixture, slug

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("browser"))


def test_copy_bibtex_then_follow_a_related_paper(site, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        with serve(site, "/paper-collection/") as base:
            page.goto(f"{base}papers/{slug(PDE_1)}/")
            page.click("button[data-clipboard-target='#bibtex-entry']")
            page.wait_for_function("navigator.clipboard.readText().then(t => t.includes('@'))", polling=100,
                                   timeout=5000)
            text = page.evaluate("navigator.clipboard.readText()")
            [entry] = bibtexparser.parse_string(text).entries
            assert entry.fields_dict["title"].value == PDE_1["title"]
            assert entry.key == "lovelace2024neural"

            page.click(f".paper__related a[href='../{slug(PDE_2)}/']")
            page.wait_for_url(f"{base}papers/{slug(PDE_2)}/")
            assert page.inner_text("h1") == PDE_2["title"]
        assert requests and all(url.startswith(base) for url in requests), "no third-party requests"
    finally:
        context.close()


def test_math_is_typeset_by_katex(site, page):
    with serve(site) as base:
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}tags/")  # the all-tags page has no math: KaTeX is not downloaded
        page.wait_for_load_state("networkidle")
        assert not [u for u in requested if "katex" in u]
        page.goto(f"{base}papers/{slug(MATH)}/")
        page.wait_for_selector(".paper__abstract .arithmatex .katex", timeout=5000)
        assert page.locator(".paper__abstract .katex").count() == 3
        assert page.locator("h1 .katex").count() == 1
        assert "costs $5" in page.inner_text(".paper__abstract")
