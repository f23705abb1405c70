"""A paper page carries only what it needs (issue #25): its bytes by part stay within budgets, the
theme's icons come from one shared sprite file instead of being inlined in every page, and the
sprite matches Material's icon files. `python -m tests.test_page_weight` writes the sprite again
(after a Material upgrade changes an icon)."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from paper_collection.site.compact import compact_source
from tests.helpers import ROOT, serve

SVG = "http://www.w3.org/2000/svg"
SPRITE = ROOT / "generator" / "theme" / "assets" / "images" / "icons.svg"
ICON_PARTIAL = ROOT / "generator" / "theme" / "partials" / "icon.html"
NOTICE = (" Icons from Material for MkDocs' bundled sets: Material Design Icons (Pictogrammers, licence:"
          " https://pictogrammers.com/docs/general/license/) and Font Awesome Free"
          " (icons CC BY 4.0, https://fontawesome.com/license/free). ")


def sprite_icons() -> dict[str, str]:
    """The icon names partials/icon.html serves from the sprite, with the viewBox it gives each."""
    text = ICON_PARTIAL.read_text(encoding="utf-8")
    table = re.search(r"set sprite = \{(.*?)\}", text, re.S)
    assert table, f"{ICON_PARTIAL}: no `set sprite = {{…}}` table"
    return dict(re.findall(r'"([^"]+)": "([^"]+)"', table.group(1)))


def material_icon(name: str) -> ET.Element:
    import material

    return ET.parse(Path(material.__file__).parent / "templates" / ".icons" / f"{name}.svg").getroot()


def build_sprite(names) -> bytes:
    """One <symbol> per icon, id = its name with / as -, its shapes copied from Material's file
    (comments dropped; the notice above names the sets and their licences)."""
    ET.register_namespace("", SVG)
    root = ET.Element(f"{{{SVG}}}svg")
    root.append(ET.Comment(NOTICE))
    for name in sorted(names):
        icon = material_icon(name)
        symbol = ET.SubElement(root, f"{{{SVG}}}symbol", {"id": name.replace("/", "-"), "viewBox": icon.get("viewBox")})
        symbol.extend(child for child in icon if isinstance(child.tag, str))
    return ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def test_sprite_is_materials_icons():
    icons = sprite_icons()
    assert "material/magnify" in icons and "fontawesome/brands/git-alt" in icons
    assert SPRITE.read_bytes() == build_sprite(icons), \
        "assets/images/icons.svg differs from Material's icons: run `python -m tests.test_page_weight`"
    for name, view_box in icons.items():
        assert material_icon(name).get("viewBox") == view_box, f"partials/icon.html: {name}'s viewBox"


# A paper page of the seed collection, by part (bytes). Measured when these were set (mean / max
# over its 110 paper pages): the whole page 20.1 / 21.9 KB (25.6 / 27.5 KB before issue #25); the
# theme around the article, without the paper's own metadata, 10.5 / 10.6 KB (15.6 / 15.7 KB);
# the head without that metadata 1.08 / 1.09 KB (1.35 KB); the header 4.55 / 4.61 KB (6.9 KB).
CHROME_BUDGET = 10_800
HEAD_BUDGET = 1_200
HEADER_BUDGET = 4_800
ARTICLE = re.compile(r'<article class="paper">.*?</article>', re.S)
PAPER_META = re.compile(r'<meta (?:name|property)="(?:citation_|og:|twitter:|description)[^>]*>'
                        r'|<script type="application/ld\+json">.*?</script>|<title>.*?</title>', re.S)
KEPT_TEXT = re.compile(r"<(pre|textarea|code|script)\b.*?</\1>", re.S)


def parts(html: str) -> dict[str, int]:
    """The page's bytes by part: the article (the paper's own content), the chrome (everything
    else but the paper's metadata in the head), the head without that metadata, the header."""
    head = html[html.index("<head>"):html.index("</head>")]
    header = re.search(r"<header\b.*?</header>", html, re.S).group(0)
    return {"article": len(ARTICLE.search(html).group(0).encode()),
            "chrome": len(PAPER_META.sub("", ARTICLE.sub("", html)).encode()),
            "head": len(PAPER_META.sub("", head).encode()), "header": len(header.encode())}


@pytest.fixture(scope="module")
def paper_pages(bundled_site):
    pages = sorted((bundled_site / "site" / "papers").glob("*/index.html"))
    assert len(pages) > 100
    return bundled_site / "site", pages


def test_a_paper_page_carries_little_besides_its_article(paper_pages):
    site, pages = paper_pages
    over = []
    for path in pages:
        measured = parts(path.read_text(encoding="utf-8"))
        for part, budget in (("chrome", CHROME_BUDGET), ("head", HEAD_BUDGET), ("header", HEADER_BUDGET)):
            if measured[part] > budget:
                over.append(f"{path.parent.name}: {part} {measured[part]} bytes > {budget}")
    assert not over, "\n".join(over[:5])


def test_icons_are_references_to_the_shared_sprite(paper_pages):
    from bs4 import BeautifulSoup

    site, pages = paper_pages
    symbols = {element.get("id") for element in ET.parse(site / "assets" / "images" / "icons.svg").getroot()}
    for path in (pages[0], site / "index.html", site / "tags" / "index.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        icons = soup.select("header svg, .md-nav svg, .md-content__button svg, .md-top svg")
        assert len(icons) >= 10, path
        for svg in icons:
            assert not svg.find("path"), f"{path}: an inline icon: {svg}"
            [use] = svg.find_all("use")
            href = use["xlink:href"]
            assert href.startswith("../" * (len(path.relative_to(site).parts) - 1) + "assets/images/icons.svg#")
            assert href.split("#")[1] in symbols, f"{path}: {href} is not in the sprite"
            assert svg.get("viewbox"), "the outer svg needs the viewBox: Material's CSS sizes icons by height"
        # Material's instant navigation sets `.href` on every [href] element of a page it loads,
        # which throws for an SVG element (its href is read-only): the page would not load
        assert not soup.select("svg [href], svg[href]"), f"{path}: an SVG element with href (use xlink:href)"


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_sprites_icons_are_drawn(paper_pages, browser, width):
    """A reference the browser cannot follow draws nothing (an empty box): every icon shown, at
    phone and desktop widths, has its shape. Served under a subpath, as a project site is."""
    site, pages = paper_pages
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        with serve(site, "/paper-collection/") as base:
            page.goto(f"{base}papers/{pages[0].parent.name}/")
            page.wait_for_load_state("networkidle")
            shown = page.evaluate("""[...document.querySelectorAll('svg use')]
                .filter(use => use.closest('svg').getClientRects().length)
                .map(use => [use.getAttribute('xlink:href'), use.getBBox().width, use.getBBox().height])""")
    finally:
        context.close()
    assert len(shown) >= 5
    assert all(w > 0 and h > 0 for _, w, h in shown), [href for href, w, h in shown if not (w and h)]


def test_pages_carry_no_indentation(paper_pages):
    site, pages = paper_pages
    for path in (pages[0], site / "index.html", site / "tags" / "index.html"):
        html = KEPT_TEXT.sub("", path.read_text(encoding="utf-8"))
        indented = [line for line in html.splitlines() if line[:1] in (" ", "\t")]
        assert not indented, f"{path}: {indented[:3]}"


def test_the_paper_page_keeps_its_metadata_and_bibtex_layout(paper_pages):
    site, pages = paper_pages
    html = (site / "papers" / "poseidon-efficient-foundation-models-for-pdes" / "index.html").read_text("utf-8")
    for kept in ('<meta name="citation_title"', '<link rel="canonical"', 'rel="alternate feed"',
                 '<script type="application/ld+json">', '<meta property="og:title"', '<meta name="twitter:card"'):
        assert kept in html
    # the BibTeX entry (a value in the page, not template text) keeps its indentation
    assert re.search(r'<code id="bibtex-entry">@\w+\{[^\n]*,\n  title = \{', html)


def test_compacting_a_template_never_glues_words():
    source = ("<p>\n    A\n    {% if x %}\n      B{% endif %}\n    {%- if y %}\n  C\n  {% include 'i' %}\n  D\n"
              "  {# note #}\n\n\n  E {{ v }}\n  {% endif %}\n</p>")
    compact = compact_source(source)
    assert compact == ("<p>\nA\n{% if x %}\nB{% endif %}\n{%- if y %}\nC\n{% include 'i' %}\nD\n{# note #}\n"
                       "E {{ v }}\n{% endif %}\n</p>")
    import jinja2

    env = jinja2.Environment(loader=jinja2.DictLoader({"i": "  I  "}))
    for x in (True, False):
        for y in (True, False):
            before = env.from_string(source).render(x=x, y=y, v="V").split()
            assert env.from_string(compact).render(x=x, y=y, v="V").split() == before
    assert compact_source("<pre>\n  kept\n  {% if x %}\n</pre>") == "<pre>\n  kept\n  {% if x %}\n</pre>"


if __name__ == "__main__":
    SPRITE.write_bytes(build_sprite(sprite_icons()))
    print(f"wrote {SPRITE.relative_to(ROOT)}", file=sys.stderr)
