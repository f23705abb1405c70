"""The explorer's data files (generator/site/explore.py) without a browser: the author table is
apart from the facet data, the title chunks carry the names rows show, the bytes are the same for
the same input."""

from __future__ import annotations

import json

from paper_collection.site import explore
from paper_collection.site.explore import decode_lists


def paper(slug: str, authors: tuple[str, ...], added: str):
    from paper_collection.collection.paper import Paper

    return Paper(slug=slug, title=slug.replace("-", " ").title(), abstract="A.", tags=("vision",), added=added,
                 authors=authors)


PAPERS = [paper("deep-nets", ("Ada Lovelace", "Lovelace, Ada", "Grace Hopper"), "2026-02-01"),
          paper("no-authors", (), "2026-01-15"),
          paper("shallow-nets", ("Grace Hopper",), "2026-01-01")]
SAME = {"Lovelace, Ada": "Ada Lovelace"}  # as authors.py merges the ways a name is written


def files(papers=PAPERS):
    return explore.explore_files(papers, [("vision", "Vision")], {p.slug: p.slug for p in papers},
                                 lambda name: SAME.get(name, name))


def test_the_author_table_is_apart_and_the_rows_carry_the_names():
    out = files()
    facets, authors = json.loads(out[explore.FACETS]), json.loads(out[explore.AUTHORS])
    assert "authors" not in facets and "authorIds" not in facets and facets["authorCount"] == 2
    assert authors["authors"] == ["Ada Lovelace", "Grace Hopper"]
    ids = decode_lists(authors["authorIds"], facets["count"])
    assert [[authors["authors"][a] for a in paper_ids] for paper_ids in ids] == \
        [["Ada Lovelace", "Grace Hopper"], [], ["Grace Hopper"]]
    rows = json.loads(out["explore/titles/0.json"])
    # the same names, in the same order, with the title (none: no third item)
    assert [row[2:] for row in rows] == [[["Ada Lovelace", "Grace Hopper"]], [], [["Grace Hopper"]]]


def test_the_same_papers_give_the_same_bytes_and_another_author_another_version():
    assert files() == files()
    # only the author file and the title chunks hold names: the version must follow them too,
    # since the browser asks for authors.json?v=<version of facets.json>
    renamed = [*PAPERS[:2], paper("shallow-nets", ("Alan Turing",), "2026-01-01")]
    before, after = files(), files(renamed)
    assert before[explore.AUTHORS] != after[explore.AUTHORS]
    assert json.loads(before[explore.FACETS])["version"] != json.loads(after[explore.FACETS])["version"]
