"""The hostile corpus (data in this folder) and the checks run on a site built from it.

Shared by tests/test_hostile.py (built files) and tests/test_hostile_browser.py (Chromium).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from paper_collection.collection import frontmatter
from paper_collection.collection.slugs import unique_slug
from tests.helpers import make_project, run_generator

HERE = Path(__file__).resolve().parent
CORPUS_FILES = ("markdown_it_xss.json", "commonmark.json", "payloads.json")
DEFAULT_TAG = "language-models"
# Today: newer than the bundled papers, so hostile papers lead the home page's "latest"; never in the
# future, which `validate` refuses.
ADDED = dt.date.today().isoformat()

# Elements a paper, tag or home page must hold exactly as many of as a clean page of the same kind.
WATCHED_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
                "select", "textarea", "img", "svg", "math", "style", "link", "meta", "base", "template",
                "noscript", "video", "audio", "source", "track", "picture", "portal", "xmp", "plaintext")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background",
                  "ping", "cite", "codebase", "manifest", "longdesc", "lowsrc", "dynsrc", "usemap")
DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:", "livescript:", "mocha:")


def cases() -> list[str]:
    """Every hostile string, in a stable order: markdown-it's, CommonMark's, then ours."""
    found: list[str] = []
    for name in CORPUS_FILES:
        data = json.loads((HERE / name).read_text(encoding="utf-8"))
        assert data["source"] and data["cases"], name
        found.extend(data["cases"])
    return found


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- inputs ---------------------------------------------------------------------------------


def json_dump(items: list[str]) -> str:
    """A JSON export with a hostile string in every field a reader takes: marker HXnnn."""
    papers = []
    for number, case in enumerate(items):
        marker = f"HX{number:03d}"
        papers.append({
            "title": f"{case} {marker}",
            "abstract": f"Hostile abstract {marker} carries this text as data and nothing more: {case} The end.",
            "authors": [case, f"Author {marker}"],
            "venue": case,
            "keywords": [case, f"kw {marker}"],
            "doi": case,
            "url": case,
            "links": [case, "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                      "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                      f"https://example.org/{marker}\"><script>alert(1)</script>"],
        })
    return json.dumps({"papers": papers}, ensure_ascii=False, indent=1)


def listing_dump(items: list[str]) -> str:
    """A listing dump (title line, blank, abstract line) of the hostile strings: marker LXnnn."""
    blocks = ["Mar 20"]
    for number, case in enumerate(items):
        marker = f"LX{number:03d}"
        blocks.append(f"{one_line(case)} {marker}")
        blocks.append(f"This abstract {marker} repeats the hostile text as plain data, {one_line(case)}, "
                      "and then ends like a sentence.")
    return "\n\n".join(blocks) + "\n"


def paper_files(items: list[str], taken: set[str]) -> dict[str, str]:
    """Paper files a contributor could send in a pull request: valid, hostile in every text field
    (marker PXnnn). Returns file name -> text."""
    files: dict[str, str] = {}
    for number, case in enumerate(items):
        marker = f"PX{number:03d}"
        title = f"{case} {marker}"
        slug = unique_slug(title, taken)
        taken.add(slug)
        meta = {
            "title": title,
            "authors": [case, f"Author {marker}"],
            "venue": case,
            "tags": [DEFAULT_TAG],
            "keywords": [case],
            "links": [{"kind": "code", "url": f"https://example.org/{marker}\"onmouseover=\"alert(1)"},
                      {"kind": "project", "url": f"https://example.org/{marker}/<script>alert(1)</script>"}],
            "added": ADDED,
            # The title as read carries the marker too: the corpus repeats some cases, and two files whose
            # sources read one title (by one first author) are one paper (collection/identity.py).
            "sources": [{"file": case, "line": number, "format": case, "listed": case, "title": title}],
        }
        body = f"Abstract of {marker}, raw as a contributor wrote it:\n\n{case}\n\n<script>alert('{marker}')</script>\n"
        files[f"{slug}.md"] = frontmatter.dump(meta, body)
    return files


@dataclass
class HostileBuild:
    root: Path
    items: list[str]
    import_output: str

    @property
    def site(self) -> Path:
        return self.root / "site"

    def papers(self) -> dict[str, dict]:
        """slug -> front matter of every paper file in the collection."""
        return {p.stem: frontmatter.parse(p.read_text(encoding="utf-8"), p.name).meta
                for p in sorted((self.root / "content" / "papers").glob("*.md"))}


def build_hostile(tmp: Path, *, escape_text: bool = True) -> HostileBuild:
    """Import the hostile dumps into a copy of the project, add hostile paper files, build."""
    tmp.mkdir(parents=True, exist_ok=True)
    root = make_project(tmp)
    if not escape_text:
        config = root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "      related: 5\n" in text
        config.write_text(text.replace("      related: 5\n", "      related: 5\n      escape_text: false\n"),
                          encoding="utf-8")
    items = cases()
    inputs = root / "inputs"
    inputs.mkdir()
    (inputs / "hostile.json").write_text(json_dump(items), encoding="utf-8")
    (inputs / "hostile.txt").write_text(listing_dump(items), encoding="utf-8")
    # The listing is forced: detection reads it as BibTeX (see test_listing_with_bibtex_lookalike_line).
    result = run_generator(root, "import", "inputs/hostile.json", "--added", ADDED, "--default-tag", DEFAULT_TAG)
    listed = run_generator(root, "import", "inputs/hostile.txt", "--format", "listing", "--added", ADDED,
                           "--default-tag", DEFAULT_TAG)
    papers_dir = root / "content" / "papers"
    for name, text in paper_files(items, {p.stem for p in papers_dir.glob("*.md")}).items():
        (papers_dir / name).write_text(text, encoding="utf-8")
    run_generator(root, "build")
    return HostileBuild(root, items, result.stdout + result.stderr + listed.stdout + listed.stderr)


# --- checks on built HTML -------------------------------------------------------------------


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def _normalise_inline(script: str) -> str:
    """Material's inline scripts hold the page's relative path to the site root."""
    script = re.sub(r'"(?:\.\.?/)*\.\.?"', '"REL"', script)
    return re.sub(r'"(?:\.\./)+', '"', script)


def _normalise_src(src: str) -> str:
    return re.sub(r"^(?:\.\./)+|^\./", "", src)


@dataclass(frozen=True)
class ScriptAllowList:
    srcs: frozenset[str]
    inline: frozenset[str]

    @classmethod
    def from_site(cls, site: Path) -> ScriptAllowList:
        srcs: set[str] = set()
        inline: set[str] = set()
        for page in site.rglob("*.html"):
            for script in soup(page.read_text(encoding="utf-8")).find_all("script"):
                if script.get("src"):
                    srcs.add(_normalise_src(script["src"]))
                else:
                    inline.add(_normalise_inline(script.get_text()))
        return cls(frozenset(srcs), frozenset(inline))


def url_is_dangerous(value: str) -> bool:
    """What a browser's URL parser sees as the scheme (WHATWG URL): entities decoded, leading and
    trailing C0 controls and spaces stripped, every tab and newline removed."""
    decoded = html.unescape(value).strip("".join(map(chr, range(0x21))))
    squeezed = re.sub(r"[\t\n\r]+", "", decoded).lower()
    return squeezed.startswith(BAD_SCHEMES)


def markup_problems(document: BeautifulSoup, allowed: ScriptAllowList | None, where: str) -> list[str]:
    """Scripts we did not ship, event handlers, dangerous URLs, srcdoc."""
    problems: list[str] = []
    for element in document.find_all(True):
        for name, value in element.attrs.items():
            values = value if isinstance(value, list) else [value]
            if name.lower().startswith("on"):
                problems.append(f"{where}: <{element.name} {name}=...>")
            if name.lower() == "srcdoc":
                problems.append(f"{where}: <{element.name} srcdoc>")
            if name.lower() in URL_ATTRIBUTES and any(url_is_dangerous(str(v)) for v in values):
                problems.append(f"{where}: <{element.name} {name}={value!r}>")
            if name.lower() == "style" and re.search(r"url\s*\(|expression\s*\(", str(value), re.I):
                problems.append(f"{where}: <{element.name} style={value!r}>")
        if element.name == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"{where}: <meta http-equiv=refresh>")
        if element.name == "script" and (element.get("type") or "").lower() in DATA_SCRIPT_TYPES \
                and not element.get("src"):
            # Per-page data (JSON-LD citation metadata): never runs, but must be JSON that cannot
            # close its <script> element early.
            text = element.get_text()
            try:
                json.loads(text)
            except ValueError:
                problems.append(f"{where}: <script type={element.get('type')}> is not JSON: {text[:80]!r}")
            if "<" in text:
                problems.append(f"{where}: <script type={element.get('type')}> holds a raw '<'")
            continue
        if element.name == "script":
            if allowed is None:
                problems.append(f"{where}: <script> {str(element)[:80]!r}")
            elif element.get("src"):
                if _normalise_src(element["src"]) not in allowed.srcs:
                    problems.append(f"{where}: <script src={element['src']!r}> not in a clean build")
            elif _normalise_inline(element.get_text()) not in allowed.inline:
                problems.append(f"{where}: inline <script> not in a clean build: {element.get_text()[:80]!r}")
    return problems


def tag_counts(document: BeautifulSoup) -> dict[str, int]:
    return {name: len(document.find_all(name)) for name in WATCHED_TAGS}


def page_kind(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    if rel == "index.html":
        return "home"
    if rel.startswith("papers/"):
        return "paper"
    if rel == "tags/index.html":
        return "tags"
    if rel.startswith("tags/"):
        return "tag"
    return "other"
