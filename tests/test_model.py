"""Golden tests on the site model (generator/site/model.py): a five-paper fixture collection
(tests/fixtures/model/) gives exactly these tags, pages, URLs, BibTeX keys and related papers;
the page types, the exports and the search index are made from it; settings come from mkdocs.yml."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.settings import Layout
from paper_collection.site.exports import export_files
from paper_collection.site.model import SiteSettings, build_model
from paper_collection.site.pages import (
    AuthorPage,
    AuthorsPage,
    ExplorePage,
    ExportsPage,
    GroupsPage,
    HomePage,
    LatestPage,
    ListingIndexPage,
    MapPage,
    PaperPage,
    StatsPage,
    TagIndexPage,
    TagsPage,
    optional_nav,
    site_pages,
)
from tests.helpers import SEED, SEED_TAXONOMY, make_project, run_generator

FIXTURE = Path(__file__).parent / "fixtures" / "model"
SETTINGS = SiteSettings(name="Golden", url="https://example.org/g", per_page=2, latest=3, related=2,
                        authors_per_page=2, author_pages_min_papers=2)  # the default (3) leaves no author page


@pytest.fixture(scope="module")
def model():
    taxonomy = load_taxonomy(FIXTURE / "taxonomy.yml")
    collection = load_collection(FIXTURE / "content" / "papers", taxonomy, FIXTURE)
    assert not collection.problems
    return build_model(collection.papers, taxonomy, SETTINGS)


def slugs(papers):
    return [p.slug for p in papers]


def test_papers_newest_first_and_by_tag(model):
    assert list(model.papers) == sorted(model.papers)
    assert slugs(model.newest) == ["images-and-language-together", "image-segmentation-at-scale",
                                   "language-models-count-words", "a-quiet-paper-about-nothing",
                                   "image-segmentation-with-transformers"]
    assert slugs(model.latest) == slugs(model.newest)[:3]
    assert {tag: slugs(papers) for tag, papers in model.by_tag.items()} == {
        "vision": ["images-and-language-together", "image-segmentation-at-scale",
                   "image-segmentation-with-transformers"],
        "language": ["images-and-language-together", "language-models-count-words", "a-quiet-paper-about-nothing"],
        "empty": [],
        "untagged": [],  # reserved: every taxonomy has it (papers that need tags)
    }
    assert model.updated == "2024-03-03"
    assert {person.name: person.papers for person in model.authors.people.values()} == {
        "Ada Lovelace": ["image-segmentation-at-scale", "image-segmentation-with-transformers"],
        "Alan Turing": ["image-segmentation-with-transformers"],
        "Grace Hopper": ["language-models-count-words", "a-quiet-paper-about-nothing"],
    }


def test_tag_pages_paginate(model):
    assert [(p.src_uri, p.url, p.number, p.pages, p.first, slugs(p.papers)) for p in model.tag_pages] == [
        ("tags/vision/index.md", "tags/vision/", 1, 2, 1,
         ["images-and-language-together", "image-segmentation-at-scale"]),
        ("tags/vision/page/2/index.md", "tags/vision/page/2/", 2, 2, 3, ["image-segmentation-with-transformers"]),
        ("tags/language/index.md", "tags/language/", 1, 2, 1,
         ["images-and-language-together", "language-models-count-words"]),
        ("tags/language/page/2/index.md", "tags/language/page/2/", 2, 2, 3, ["a-quiet-paper-about-nothing"]),
        ("tags/empty/index.md", "tags/empty/", 1, 1, 1, []),
        ("tags/untagged/index.md", "tags/untagged/", 1, 1, 1, []),
    ]


def test_urls_keys_and_related(model):
    assert model.urls == {slug: f"papers/{slug}/" for slug in model.papers}
    assert model.keys == {
        "images-and-language-together": "images-and-language-together",  # no author or year: the slug
        "a-quiet-paper-about-nothing": "hopper2023quiet",
        "language-models-count-words": "hopper2023language",
        "image-segmentation-with-transformers": "lovelace2024image",  # added first: keeps the bare key
        "image-segmentation-at-scale": "lovelace2024imageb",
    }
    assert model.related == {
        "a-quiet-paper-about-nothing": (),  # nothing in common with anything: never listed
        "image-segmentation-at-scale": ("image-segmentation-with-transformers", "images-and-language-together"),
        "image-segmentation-with-transformers": ("image-segmentation-at-scale", "images-and-language-together"),
        "images-and-language-together": ("language-models-count-words", "image-segmentation-with-transformers"),
        "language-models-count-words": ("images-and-language-together",),
    }


def test_bibtex_entries_are_made_once_and_shared_by_exports(model):
    entry = model.bibtex("image-segmentation-with-transformers")
    assert entry == ("@misc{lovelace2024image,\n  title = {Image Segmentation with Transformers},\n"
                     "  author = {Ada Lovelace and Alan Turing},\n  year = {2024},\n  eprint = {2401.00001},\n"
                     "  archivePrefix = {arXiv},\n  url = {https://arxiv.org/abs/2401.00001}\n}\n")
    assert model.bibtex("image-segmentation-with-transformers") is entry
    files = export_files(model)
    assert files["papers.bib"].decode() == "\n".join(model.bibtex(s) for s in sorted(model.papers,
                                                                                       key=model.keys.get))
    assert files["tags/empty/papers.bib"] == b""
    assert set(files) == {"papers.json", "papers.schema.json", "papers.bib", "feed.xml",
                          "exports/index.json", "exports/index.schema.json",
                          *(f"exports/papers-{part}.{kind}" for part in ("2023", "2024", "undated")
                            for kind in ("json", "bib")),
                          *(f"tags/{t}/{name}" for t in ("vision", "language", "empty", "untagged")
                            for name in ("papers.bib", "feed.xml"))}
    assert b'"url": "https://example.org/g/papers/language-models-count-words/"' in files["papers.json"]


def test_exports_are_made_and_written_one_file_at_a_time(model, tmp_path, monkeypatch):
    """At 50,000 papers the exports are 250 MB: the build writes each as it is made
    (`each_export_file`) instead of gathering them all first."""
    from paper_collection.site import exports

    made: list[str] = []
    atom_feed = exports.atom_feed
    monkeypatch.setattr(exports, "atom_feed", lambda *a, **kw: made.append(kw["feed_path"]) or atom_feed(*a, **kw))
    files = exports.each_export_file(model)
    for path, _ in files:
        if path == "feed.xml":
            break
    assert made == ["feed.xml"]  # no tag's feed made yet
    exports.write_exports(tmp_path, files)  # the rest, written as made
    assert made[1:] == [f"tags/{t}/feed.xml" for t in ("vision", "language", "empty", "untagged")]
    assert (tmp_path / "tags" / "untagged" / "feed.xml").read_bytes() == export_files(model)["tags/untagged/feed.xml"]


def test_search_documents(model):
    assert model.search_documents[0] == {"slug": "a-quiet-paper-about-nothing", "title": "A Quiet Paper About Nothing",
                                         "tags": "language Language", "authors": "Grace Hopper",
                                         "abstract": model.papers["a-quiet-paper-about-nothing"].abstract}
    assert [d["slug"] for d in model.search_documents] == list(model.papers)


def test_page_types_cover_the_site(model):
    pages = site_pages(model)
    kinds = {uri: type(page) for uri, page in pages.items()}
    assert kinds == {"index.md": HomePage, "tags/index.md": TagsPage,
                     **{p.src_uri: TagIndexPage for p in model.tag_pages},
                     "explore/index.md": ExplorePage, "stats/index.md": StatsPage, "authors/index.md": AuthorsPage,
                     "map/index.md": MapPage, "exports/index.md": ExportsPage,
                     # the latest papers, 2 a page (per_page): 5 papers
                     "latest/index.md": LatestPage, "latest/page/2/index.md": LatestPage,
                     "latest/page/3/index.md": LatestPage,
                     "authors/page/2/index.md": AuthorsPage,
                     # a page for each person with 2 papers or more (author_pages_min_papers): not Alan Turing
                     **{f"authors/{slug}/index.md": AuthorPage for slug in ("ada-lovelace", "grace-hopper")},
                     "years/index.md": GroupsPage, "years/2024/index.md": ListingIndexPage,
                     "years/2023/index.md": ListingIndexPage,  # no paper gives a venue: no venue pages
                     **{f"papers/{slug}.md": PaperPage for slug in model.papers}}
    assert optional_nav(site_pages(model)) == [("Authors", "authors/index.md"), ("Years", "years/index.md")]
    assert pages["years/2024/index.md"].title(model) == "Papers from 2024"
    assert pages["tags/vision/page/2/index.md"].title(model) == "Vision (page 2)"
    assert pages["index.md"].title(model) == "Golden"
    assert not pages["index.md"].editable and pages["papers/images-and-language-together.md"].editable


def test_layout_reads_folders_and_taxonomy_from_mkdocs_yml(tmp_path):
    root = make_project(tmp_path / "project")
    shutil.move(root / "content", root / "docs-elsewhere")
    shutil.move(root / "taxonomy.yml", root / "tags.yml")
    text = (root / "mkdocs.yml").read_text()
    text = text.replace("docs_dir: content", "docs_dir: docs-elsewhere").replace("site_dir: site", "site_dir: out")
    (root / "mkdocs.yml").write_text(text.replace("taxonomy: taxonomy.yml", "taxonomy: tags.yml"))
    layout = Layout(root)
    assert (layout.docs_dir, layout.site_dir, layout.taxonomy) == (root / "docs-elsewhere", root / "out",
                                                                   root / "tags.yml")
    assert layout.papers_dir == root / "docs-elsewhere" / "papers"
    assert Layout(SEED).taxonomy == SEED_TAXONOMY  # the default layout: taxonomy.yml beside mkdocs.yml
    result = run_generator(root, "build")
    assert "built out/" in result.stdout
    assert (root / "out" / "tags" / "index.html").exists() and not (root / "site").exists()
    assert (root / "out" / "search" / "paper-search.json").exists()


def test_build_checks_the_collection_once_and_mkdocs_alone_still_checks(tmp_path, monkeypatch, capsys):
    import subprocess
    import sys

    import paper_collection.collection.validate as validate
    from paper_collection.cli import main

    root = make_project(tmp_path / "project", FIXTURE / "content" / "papers")
    shutil.copy(FIXTURE / "taxonomy.yml", root / "taxonomy.yml")
    calls = []
    real = validate.load_collection
    monkeypatch.setattr(validate, "load_collection", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert main(["--root", str(root), "build"]) == 0
    assert len(calls) == 1  # the CLI's check; MkDocs, run in the same process, is handed its result
    assert (root / "site" / "tags" / "vision" / "index.html").exists()

    broken = root / "content" / "papers" / "a-quiet-paper-about-nothing.md"
    broken.write_text(broken.read_text().replace("tags: [language]", "tags: [not-a-tag]"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"),
                             "-d", str(tmp_path / "out")], capture_output=True, text=True, cwd=root)
    assert result.returncode != 0
    assert "a-quiet-paper-about-nothing.md" in result.stderr and "'not-a-tag' is not a tag" in result.stderr


def test_year_pages_list_their_papers_newest_first(model):
    groups = model.years_venues
    assert {key: (g.name, slugs(g.papers)) for key, g in groups.years.items()} == {
        "2024": ("2024", ["image-segmentation-at-scale", "image-segmentation-with-transformers"]),
        "2023": ("2023", ["language-models-count-words", "a-quiet-paper-about-nothing"]),
    }
    assert groups.venues == {}
    assert groups.year_url(model.papers["a-quiet-paper-about-nothing"]) == "years/2023/"
    assert groups.year_url(model.papers["images-and-language-together"]) is None  # no year given


HOSTILE_VENUE = "<script>alert(1)</script> & Co"


def venue_paper(n: int, venue: str | None, year: int | None = None) -> Paper:
    return Paper(slug=f"p{n}", title=f"Paper {n}", abstract="An abstract.", tags=(), added=f"2026-01-{n + 1:02d}",
                 venue=venue, year=year)


def test_venue_pages_paginate_with_safe_unique_addresses():
    papers = [venue_paper(0, "NeurIPS", 2024), venue_paper(1, "NeurIPS"), venue_paper(2, "NeurIPS"),
              venue_paper(3, "Neurips"), venue_paper(4, HOSTILE_VENUE), venue_paper(5, "???"), venue_paper(6, None)]
    model = build_model(papers, load_taxonomy(FIXTURE / "taxonomy.yml"), SETTINGS, related={})
    groups = model.years_venues
    # A-Z by venue; "NeurIPS" and "Neurips" slug alike, so the second gets a suffix made from its own name
    assert [(key, g.name, slugs(g.papers)) for key, g in groups.venues.items()] == [
        ("script-alert-1-script-co", HOSTILE_VENUE, ["p4"]),
        ("venue", "???", ["p5"]),
        ("neurips", "NeurIPS", ["p2", "p1", "p0"]),  # newest first, like a tag's list
        ("neurips-76124b", "Neurips", ["p3"]),
    ]
    assert [(p.src_uri, p.number, p.pages, p.first, slugs(p.papers)) for p in model.listing_pages
            if p.group.name == "NeurIPS"] == [("venues/neurips/index.md", 1, 2, 1, ["p2", "p1"]),
                                             ("venues/neurips/page/2/index.md", 2, 2, 3, ["p0"])]
    assert [p.src_uri for p in model.listing_pages if p.group.kind == "years"] == ["years/2024/index.md"]
    assert groups.venue_url(papers[3]) == "venues/neurips-76124b/" and groups.venue_url(papers[6]) is None
    # the same venues in another order get the same addresses
    again = build_model(list(reversed(papers)), load_taxonomy(FIXTURE / "taxonomy.yml"), SETTINGS, related={})
    assert list(again.years_venues.venues) == list(groups.venues)
    pages = site_pages(model)
    assert isinstance(pages["venues/index.md"], GroupsPage) and isinstance(pages["years/index.md"], GroupsPage)
    assert pages["venues/neurips/page/2/index.md"].title(model) == "Papers in NeurIPS (page 2)"


def test_a_listing_only_collection_has_no_year_or_venue_pages():
    papers = [venue_paper(0, None), venue_paper(1, None)]
    model = build_model(papers, load_taxonomy(FIXTURE / "taxonomy.yml"), SETTINGS, related={})
    pages = site_pages(model)
    assert not [uri for uri in pages if uri.startswith(("years/", "venues/", "authors/"))]
    assert model.listing_pages == () and optional_nav(site_pages(model)) == []


def test_author_index_paginates_with_a_jump_list_by_letter(model):
    parts = model.author_index_pages
    assert [(p.src_uri, p.number, p.pages, p.first, [person.name for person in p.people], p.initials)
            for p in parts] == [
        ("authors/index.md", 1, 2, 1, ["Grace Hopper", "Ada Lovelace"], ("H", "L")),
        ("authors/page/2/index.md", 2, 2, 3, ["Alan Turing"], ("T",)),
    ]
    assert parts[0].jumps == {"H": (1, "letter-h"), "L": (1, "letter-l"), "T": (2, "letter-t")}
    assert site_pages(model)["authors/page/2/index.md"].title(model) == "Authors (page 2)"


def test_the_search_index_and_the_map_start_before_related_papers_are_computed(tmp_path, monkeypatch):
    """The search index needs no related papers: it is handed out (to a worker, for a large
    collection) as soon as the model exists, and the related papers are computed meanwhile; the
    map, as soon as their TF-IDF space is fitted. The model handed to anyone else has them
    computed already."""
    from mkdocs.config import load_config

    from paper_collection.site import session
    from tests.helpers import make_project

    project = make_project(tmp_path / "project")
    config = load_config(str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    events: list[str] = []
    real = session.cached_related

    def related(*args, **kwargs):
        events.append("related papers")
        found = real(*args, **kwargs)
        events.append("related papers done")
        return found

    monkeypatch.setattr(session, "cached_related", related)
    monkeypatch.setattr(session.BuildSession, "in_background", lambda self, what, work, then: events.append(what))
    model = session.of(config).model()
    # the map once their TF-IDF space is fitted, before the products
    assert events == ["the search index", "related papers", "the explorer's data and the map", "related papers done"]
    assert model.related._value is not None  # computed before model_for returned
    assert any(model.related.values())


def test_the_watches_papers_are_found_once_a_model_not_once_a_latest_page(monkeypatch):
    """Every page of /latest/ names the watches' feeds; finding their papers went through every
    paper for each page, the square of the collection (94,000 papers: 940 pages)."""
    from paper_collection.collection.paper import Source
    from paper_collection.ingest.watch import SOURCE_PREFIX
    from paper_collection.site import latest
    from paper_collection.site.pages import Renderer, Where
    from paper_collection.site.plugin import THEME_DIR
    from paper_collection.site.render import environment

    papers = [Paper(slug=f"paper-{n:03d}", title=f"Paper {n}", abstract="A study.", tags=(), added="2026-01-01",
                    sources=(Source(file=f"{SOURCE_PREFIX}{'arxiv' if n % 2 else 'hf'}", line=1, format="arxiv",
                                    title=f"Paper {n}"),)) for n in range(300)]
    model = build_model(papers, load_taxonomy(SEED_TAXONOMY), dataclasses.replace(SETTINGS, per_page=10),
                        related={})
    asked = []
    watch_of = latest.watch_of
    monkeypatch.setattr(latest, "watch_of", lambda file: asked.append(file) or watch_of(file))
    renderer = Renderer(model, environment(THEME_DIR / "collection"))
    pages = [page for page in site_pages(model).values() if isinstance(page, LatestPage)]
    assert len(pages) == 30
    for page in pages:
        page.render(renderer, Where(page.src_uri.removesuffix("index.md"), None, None))
    assert len(asked) == len(papers)  # each paper's source read once, for all 30 pages
    assert list(model.watch_papers) == ["arxiv", "hf"]
