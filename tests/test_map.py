"""The collection map's layout and data (generator/site/collection_map.py): deterministic, similar
papers nearer than unrelated ones, cached by titles and abstracts, colours with enough contrast."""

from __future__ import annotations

import json
import random
from itertools import combinations

import numpy as np
import pytest

from paper_collection.collection.paper import Paper
from paper_collection.site import cache, collection_map
from paper_collection.site.collection_map import BACKGROUND, GRID, OTHER, PALETTE, cached_layout, layout, map_files

PROTEINS = ("protein folding structure residue amino acid chain binding enzyme molecular dynamics "
            "ligand docking sequence alignment peptide conformation").split()
GALAXIES = ("galaxy survey redshift telescope stellar cosmology dark matter halo spectrum luminosity "
            "cluster supernova quasar photometric lensing").split()
COMMON = "we propose method results show approach model data study analysis new novel".split()


def topic_papers(per_topic: int = 30, seed: int = 3) -> list[Paper]:
    """Two clear topics: each paper's words come from its topic's pool and a pool shared by both."""
    rng = random.Random(seed)
    papers = []
    for topic, pool in (("protein", PROTEINS), ("galaxy", GALAXIES)):
        for i in range(per_topic):
            words = [rng.choice(pool) if rng.random() < 0.7 else rng.choice(COMMON) for _ in range(40)]
            title = " ".join(rng.sample(pool, 4)).capitalize()
            papers.append(Paper(slug=f"{topic}-{i:02d}", title=title, abstract=" ".join(words) + ".",
                                tags=("benchmarks",), added=f"2026-01-{1 + i % 28:02d}"))
    return papers


def test_same_collection_gives_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPER_COLLECTION_NO_CACHE", "1")
    papers = topic_papers()
    first = map_files(None, papers, ["benchmarks"], "v1")
    assert map_files(None, papers, ["benchmarks"], "v1") == first
    assert layout(list(reversed(papers))) == layout(papers)  # the order papers are read in does not matter...
    data = json.loads(first[collection_map.DATA])
    points = collection_map.points_of(data, len(papers))
    assert len(data["points"]["data"]) == 2 * 2 * len(papers)  # two base-64 digits a coordinate on the 4096 grid
    assert len(points) == 2 * len(papers) and all(isinstance(v, int) and 0 <= v < GRID for v in points)
    assert len(set(zip(points[::2], points[1::2], strict=True))) > len(papers) // 2  # ...and the points differ


def test_similar_papers_land_nearer_each_other_than_unrelated_ones():
    papers = topic_papers()
    positions = layout(papers)
    topic = {p.slug: p.slug.split("-")[0] for p in papers}
    same, different = [], []
    for a, b in combinations(positions, 2):
        distance = float(np.hypot(*np.subtract(positions[a], positions[b])))
        (same if topic[a] == topic[b] else different).append(distance)
    assert np.mean(same) < 0.5 * np.mean(different)
    # every paper's nearest paper on the map is of its own topic
    for slug, point in positions.items():
        nearest = min((other for other in positions if other != slug),
                      key=lambda other: np.hypot(*np.subtract(positions[other], point)))
        assert topic[nearest] == topic[slug], slug


def test_layout_is_cached_by_titles_and_abstracts(tmp_path, monkeypatch):
    monkeypatch.delenv("PAPER_COLLECTION_NO_CACHE", raising=False)
    papers = topic_papers(per_topic=10)
    computed = cached_layout(tmp_path, papers)
    assert list(cache.cache_dir(tmp_path).glob("map-*.json"))

    def refuse(*args, **kwargs):
        raise AssertionError("the layout was computed again")

    monkeypatch.setattr(collection_map, "layout", refuse)
    retagged = [Paper(slug=p.slug, title=p.title, abstract=p.abstract, tags=("medicine",), added="2026-02-01")
                for p in papers]
    assert cached_layout(tmp_path, retagged) == computed  # tags and dates do not move a paper
    edited = [*papers[:-1], Paper(slug=papers[-1].slug, title=papers[-1].title, abstract="Completely other words.",
                                  tags=papers[-1].tags, added=papers[-1].added)]
    with pytest.raises(AssertionError, match="computed again"):
        cached_layout(tmp_path, edited)


def test_the_related_papers_space_is_reused_in_the_same_build(tmp_path, monkeypatch):
    monkeypatch.delenv("PAPER_COLLECTION_NO_CACHE", raising=False)
    papers = topic_papers(per_topic=10)
    cache.cached_related(tmp_path, papers, 5)

    def refuse(*args, **kwargs):
        raise AssertionError("TF-IDF fitted a second time")

    monkeypatch.setattr(collection_map, "fit", refuse)
    positions = cached_layout(tmp_path, papers)
    assert len(positions) == len(papers)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
def test_tiny_collections_get_points_on_the_grid(count, monkeypatch):
    monkeypatch.setenv("PAPER_COLLECTION_NO_CACHE", "1")
    papers = topic_papers(per_topic=3)[:count]
    positions = cached_layout(None, papers)
    assert sorted(positions) == sorted(p.slug for p in papers)
    assert all(0 <= v < GRID for point in positions.values() for v in point)


def test_papers_with_no_shared_word_still_get_points():
    papers = [Paper(slug=f"p{i}", title=f"Word{i}a", abstract=f"Only{i} unique{i} terms{i}.", tags=("benchmarks",),
                    added="2026-01-01") for i in range(6)]
    positions = layout(papers)
    assert len(set(positions.values())) == len(papers)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tag_colours_stand_out_from_the_background(scheme):
    # WCAG 1.4.11: graphical objects need 3:1 against what is next to them
    for colour in [*PALETTE[scheme], OTHER[scheme]]:
        assert contrast(colour, BACKGROUND[scheme]) >= 3, colour
    assert len(set(PALETTE[scheme])) == len(PALETTE[scheme])


def test_the_most_common_first_tags_get_colours_and_the_rest_share_one():
    tags = [f"t{i}" for i in range(12)]
    papers = [Paper(slug=f"p{i}", title=f"P {i}", abstract="x", tags=(tags[i % 12], "t0"), added="2026-01-01")
              for i in range(12)] + [Paper(slug="q", title="Q", abstract="x", tags=("t11",), added="2026-01-01")]
    coloured, index = collection_map.tag_colours(papers, tags)
    assert coloured[0] == "t11" and len(coloured) == len(PALETTE["light"])
    assert sorted(index.values()).count(len(PALETTE["light"])) == len(tags) - len(coloured)


def test_serve_places_a_new_paper_beside_its_related_paper_without_a_new_layout(tmp_path, monkeypatch):
    monkeypatch.delenv("PAPER_COLLECTION_NO_CACHE", raising=False)
    papers = topic_papers(per_topic=10)
    before = cached_layout(tmp_path, papers)
    new = Paper(slug="protein-new", title="Protein folding", abstract="Protein folding of amino acid chains.",
                tags=("benchmarks",), added="2026-03-01")

    def refuse(*args, **kwargs):
        raise AssertionError("the layout was computed again")

    monkeypatch.setattr(collection_map, "layout", refuse)
    related = {"protein-new": ("protein-03", "protein-04")}
    after = cached_layout(tmp_path, [*papers, new], preview=True, related=related)
    assert {slug: after[slug] for slug in before} == before
    assert np.hypot(*np.subtract(after["protein-new"], before["protein-03"])) < 20
    # a build lays the collection out again, and so does serve after a large change
    with pytest.raises(AssertionError, match="computed again"):
        cached_layout(tmp_path, [*papers, new], related=related)
    many = [Paper(slug=f"extra-{i}", title=f"Extra {i}", abstract="Galaxy survey.", tags=("benchmarks",),
                  added="2026-03-01") for i in range(3)]
    with pytest.raises(AssertionError, match="computed again"):
        cached_layout(tmp_path, [*papers, *many], preview=True, related=related)


@pytest.mark.parametrize("kind", ["two shared words", "identical papers"])
def test_degenerate_collections_still_get_points_on_the_grid(kind):
    if kind == "two shared words":
        papers = [Paper(slug=f"p{i}", title=f"Alpha beta x{i}", abstract=f"alpha beta only{i}.", tags=("benchmarks",),
                        added="2026-01-01") for i in range(5)]
    else:
        papers = [Paper(slug=f"p{i}", title="Same title here", abstract="Same abstract words everywhere.",
                        tags=("benchmarks",), added="2026-01-01") for i in range(8)]
    positions = layout(papers)
    assert sorted(positions) == sorted(p.slug for p in papers)
    assert all(0 <= v < GRID for point in positions.values() for v in point)
