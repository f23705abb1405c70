"""Authors: names matched across sources (accents, initials, order), ambiguous ones kept apart;
author pages, paper pages linking them, and one Atom feed per author."""

from __future__ import annotations

import json

import feedparser
import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.paper import Paper
from paper_collection.site.authors import build_index, parse_name
from tests.browse_fixture import BROWSE, build_browse_site
from tests.test_exports import slug


def paper(name: str, *authors: str, added: str = "2026-01-01") -> Paper:
    return Paper(slug=name, title=name, abstract="", tags=(), added=added, authors=authors)


@pytest.mark.parametrize("written", ["Götz, B.", "B. Götz", "Gotz, Bernd", "Bernd Gotz", "GÖTZ, B"])
def test_spellings_of_one_person_join_the_full_name(written):
    index = build_index([paper("a", "Bernd Götz"), paper("b", written)])
    assert list(index.people) == ["bernd-gotz"]
    assert index.name_of(written) == "Bernd Götz"
    assert index.people["bernd-gotz"].papers == ["a", "b"]


def test_initials_that_fit_two_people_are_kept_apart_and_reported():
    index = build_index([paper("a", "John Smith"), paper("b", "Jane Smith"), paper("c", "J. Smith")])
    assert sorted(p.name for p in index.people.values()) == ["J. Smith", "Jane Smith", "John Smith"]
    assert index.ambiguous == [("J. Smith", ("Jane Smith", "John Smith"))]


def test_different_given_names_are_different_people():
    index = build_index([paper("a", "Ada Lovelace"), paper("b", "Augusta Lovelace"), paper("c", "K. Lovelace")])
    assert len(index.people) == 3 and not index.ambiguous


def test_initials_without_a_full_name_are_one_person():
    index = build_index([paper("a", "B. Götz"), paper("b", "Götz, B.")])
    assert len(index.people) == 1 and index.people["b-gotz"].papers == ["a", "b"]


def test_name_parts():
    assert parse_name("Götz, B.K.").given == ("B.", "K.")
    assert parse_name("Ada  Lovelace").family == "Lovelace"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_browse_site(tmp_path_factory.mktemp("authors"))


def html(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.slow
def test_author_pages_list_papers_and_coauthors_and_paper_pages_link_them(site):
    index = html(site / "authors" / "index.html")
    rows = {a.get_text(): a["href"] for a in index.select(".author-table a")}
    assert rows == {"Bernd Götz": "bernd-gotz/", "Ada Lovelace": "ada-lovelace/", "Grace Hopper": "grace-hopper/",
                    "Alan Turing": "alan-turing/"}
    gotz = html(site / "authors" / "bernd-gotz" / "index.html")
    assert {a.get_text() for a in gotz.select(".paper-list__title")} == {BROWSE[0]["title"], BROWSE[1]["title"]}
    assert {a.get_text() for a in gotz.select(".coauthor-list a")} == {"Ada Lovelace", "Alan Turing"}
    # the paper page shows the name as the source wrote it, linked to the person
    solvers = html(site / "papers" / slug(BROWSE[1]) / "index.html")
    links = {a.get_text(): a["href"] for a in solvers.select(".paper__authors a")}
    assert links == {"Götz, B.": "../../authors/bernd-gotz/", "Alan Turing": "../../authors/alan-turing/"}


@pytest.mark.slow
def test_one_atom_feed_per_author(site):
    feed = feedparser.parse((site / "authors" / "ada-lovelace" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title.endswith("papers by Ada Lovelace")
    assert {e.title for e in feed.entries} == {p["title"] for p in BROWSE if "Ada Lovelace" in p.get("authors", [])}
    page = html(site / "authors" / "ada-lovelace" / "index.html")
    feeds = {link["title"]: link["href"] for link in page.select("link[type='application/atom+xml']")}
    assert feeds[f"{feed.feed.title}"] == "feed.xml"  # relative to authors/ada-lovelace/


def test_validate_notes_ambiguous_author_names(tmp_path):
    from tests.helpers import make_project, run_generator
    from tests.test_exports import write_papers

    papers = [{"title": f"Paper by {name}", "tags": ["benchmarks"], "added": "2026-01-01", "abstract": "Text.",
               "authors": [name]} for name in ("John Smith", "Jane Smith", "J. Smith")]
    root = make_project(tmp_path / "project", write_papers(tmp_path / "papers", papers))
    result = run_generator(root, "validate")
    [note] = [line for line in result.stdout.splitlines() if line.startswith("note: author")]
    assert "'J. Smith' (content/papers/paper-by-j-smith.md)" in note and "'Jane Smith', 'John Smith'" in note


def test_feeds_hold_names_with_control_characters():
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.site.authors import feed_files
    from paper_collection.site.exports import atom_feed
    from paper_collection.site.model import SiteSettings, build_model
    from tests.helpers import SEED_TAXONOMY

    papers = [paper("a", "Ada\x00 Lo\x1bvelace"), paper("b", "Ada Lovelace")]
    model = build_model(papers, load_taxonomy(SEED_TAXONOMY), SiteSettings(name="S"))
    files = dict(feed_files(model.authors, model.papers, lambda members, **kw: atom_feed(model, members, **kw),
                            "S", 2))
    [(path, content)] = files.items()
    assert "\x00" not in content.decode() and b"Ada Lovelace" in content
    assert model.authors.people[path.split("/")[1]].name == "Ada Lovelace"  # the clean spelling is shown


def test_a_persons_feed_holds_their_newest_papers_each_summed_up_by_its_first_sentence():
    """Issue 25: at 50,000 papers the feeds of 26,000 people, with up to 50 abstracts each, were a
    fifth of the site. A person's feed holds their newest `FEED_SIZE` papers, each with its
    abstract's first sentence; the main and tag feeds keep the whole abstract."""
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.site import authors
    from paper_collection.site.exports import atom_feed
    from paper_collection.site.model import SiteSettings, build_model
    from tests.helpers import SEED_TAXONOMY

    papers = [Paper(slug=f"paper-{n:02d}", title=f"Paper {n:02d}", tags=(), authors=("Ada Lovelace",),
                    abstract=f"Paper {n} finds $x < y$ & more. A second sentence, only on its page.",
                    added=f"2026-01-{n + 1:02d}") for n in range(authors.FEED_SIZE + 5)]
    model = build_model(papers, load_taxonomy(SEED_TAXONOMY), SiteSettings(name="S"))
    [(_, content)] = authors.feed_files(model.authors, model.papers,
                                        lambda members, **kw: atom_feed(model, members, **kw), "S", 2)
    feed = feedparser.parse(content)
    assert not feed.bozo
    newest = sorted(papers, key=lambda p: p.added, reverse=True)[:authors.FEED_SIZE]
    assert [e.title for e in feed.entries] == [p.title for p in newest]
    assert feed.entries[0].summary == f"Paper {authors.FEED_SIZE + 4} finds x < y & more."
    assert b"\n  " not in content  # no indentation: a tenth of every feed, read by no reader
    whole = feedparser.parse(atom_feed(model, newest, title="t", subtitle="s", feed_path="feed.xml", home_path="",
                                       updated="2026-01-01"))
    assert "A second sentence" in whole.entries[0].summary


@pytest.mark.slow
def test_the_author_index_is_paginated_with_an_a_to_z_jump_list(tmp_path):
    from tests.test_exports import build_fixture

    site = build_fixture(tmp_path, BROWSE, config_edit=lambda text: text.replace(
        "      per_page: 100\n", "      per_page: 100\n      authors_per_page: 2\n"))
    first, second = html(site / "authors" / "index.html"), html(site / "authors" / "page" / "2" / "index.html")
    # A-Z by family name: Götz, Hopper | Lovelace, Turing
    assert [a.get_text() for a in first.select(".author-table a")] == ["Bernd Götz", "Grace Hopper"]
    assert [a.get_text() for a in second.select(".author-table a")] == ["Ada Lovelace", "Alan Turing"]
    jumps = {a.get_text(): a["href"] for a in first.select(".letter-jumps a")}
    assert jumps == {"G": "#letter-g", "H": "#letter-h", "L": "page/2/#letter-l", "T": "page/2/#letter-t"}
    assert second.select_one("#letter-l a").get_text() == "Ada Lovelace"
    assert [a["href"] for a in second.select(".pagination a")] == ["../../"]
    # the navigation has one entry for the index, never one per person
    nav = [a.get_text(" ", strip=True) for a in first.select(".md-nav--primary > .md-nav__list > li > a")]
    assert "Authors" in nav and "Ada Lovelace" not in nav


def test_a_note_on_a_name_many_people_fit_names_five_and_counts_the_rest():
    from paper_collection.site.authors import NAMED_FITS, ambiguous_notes, build_index

    given = [f"Y{chr(97 + i)}n Wang" for i in range(9)]  # Yan Wang, Ybn Wang, ...: nine people "Y. Wang" fits
    papers = [paper(f"p{i}", name) for i, name in enumerate(given)] + [paper(f"q{i}", "Y. Wang") for i in range(7)]
    [note] = ambiguous_notes(build_index(papers), papers, lambda p: f"content/papers/{p.slug}.md")
    assert note.startswith("note: author 'Y. Wang' (content/papers/q0.md, content/papers/q1.md, content/papers/q2.md, "
                           "content/papers/q3.md, content/papers/q4.md and 2 more) could be any of 9 people: ")
    named = note.split("could be any of 9 people: ")[1].split(" and 4 more;")[0]
    assert named == ", ".join(repr(n) for n in sorted(given)[:NAMED_FITS])
    assert note.endswith("listed as a separate person. Write the full name there to join them.")


def test_the_people_are_kept_in_the_cache_as_data_and_made_again_when_an_author_list_changes(tmp_path, monkeypatch):
    from paper_collection.site import model
    from paper_collection.site.cache import cache_dir

    papers = [paper(slug(p), *p.get("authors", []), added=p["added"]) for p in BROWSE]
    papers += [paper("x", "John Smith"), paper("y", "Jane Smith"), paper("z", "J. Smith", "Götz, B."),
               paper("w", "Bernd Götz", added="2026-02-01")]
    made = model.people_of(papers, tmp_path)
    fresh = build_index(model.newest_first(papers))
    assert (made.people, made.of_written, made.ambiguous) == (fresh.people, fresh.of_written, fresh.ambiguous)
    assert made.ambiguous and any(len(p.written) > 1 for p in made.people.values())
    kept = cache_dir(tmp_path) / model.PEOPLE_FILE
    assert json.loads(kept.read_bytes())["kind"] == "people"  # data, read by json.loads

    def not_again(_papers):
        raise AssertionError("the index was made again although no author list changed")

    monkeypatch.setattr(model, "build_index", not_again)
    again = model.people_of(list(reversed(papers)), tmp_path)  # read from the cache, in any order given
    assert (again.people, again.of_written, again.ambiguous) == (fresh.people, fresh.of_written, fresh.ambiguous)
    monkeypatch.undo()

    changed = [*papers[:-1], paper("w", "Bernd Götz", "Ada Lovelace", added="2026-02-01")]
    assert "ada-lovelace" in model.people_of(changed, tmp_path).people
    for damaged in (b"", b"{", kept.read_bytes().replace(b'"people":[[', b'"people":[[1,')):
        kept.write_bytes(damaged)
        index = model.people_of(changed, tmp_path)
        assert index.people == build_index(model.newest_first(changed)).people
