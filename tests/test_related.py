"""Related papers: known neighbours in a small collection, determinism, bounded blocks, the
`related` option, and sensible neighbours in the seed collection (tests/helpers.py)."""

from __future__ import annotations

import numpy as np
import pytest
from bs4 import BeautifulSoup

import paper_collection.site.related as related
from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.site.related import related_papers
from tests.helpers import SEED_TAXONOMY, seed_papers
from tests.test_exports import MED_1, MED_2, PDE_1, PDE_2, build_fixture, slug


def paper(slug_: str, title: str, abstract: str) -> Paper:
    return Paper(slug=slug_, title=title, abstract=abstract, tags=("code",), added="2026-01-01")


SMALL = [
    paper("pde-solver", "Neural PDE solvers", "Neural operators solve partial differential equations for fluid flow."),
    paper("pde-bench", "A benchmark for PDE solvers", "Fluid flow benchmark for neural partial differential "
          "equation solvers."),
    paper("tumor-seg", "Tumor segmentation", "Medical image segmentation of tumors in CT scans."),
    paper("organ-seg", "Organ segmentation in MRI", "Medical image segmentation of organs in MRI scans."),
    paper("code-llm", "Code generation with language models", "Language models write code for programming tasks."),
    paper("code-rank", "Code ranking", "Ranking code snippets for programming search with language models."),
]


def test_small_collection_has_its_known_neighbours():
    result = related_papers(SMALL, 1)
    assert result == {"pde-solver": ("pde-bench",), "pde-bench": ("pde-solver",), "tumor-seg": ("organ-seg",),
                      "organ-seg": ("tumor-seg",), "code-llm": ("code-rank",), "code-rank": ("code-llm",)}


def test_unrelated_papers_are_never_listed_and_k_is_capped():
    result = related_papers(SMALL, 10)
    assert result["pde-solver"][0] == "pde-bench"
    assert "code-llm" not in result["pde-solver"]  # nothing in common
    assert all(len(v) <= len(SMALL) - 1 and s not in v for s, v in result.items())
    assert related_papers(SMALL, 0) == {p.slug: () for p in SMALL}
    assert related_papers(SMALL[:1], 5) == {"pde-solver": ()}
    assert related_papers([], 5) == {}


def test_ties_are_broken_by_slug_whatever_the_input_order():
    twins = [paper(s, "Graph neural networks", "Message passing on graphs.") for s in ("c", "a", "d", "b")]
    assert related_papers(twins, 2) == {"a": ("b", "c"), "b": ("a", "c"), "c": ("a", "b"), "d": ("a", "b")}
    assert related_papers(list(reversed(twins)), 2) == related_papers(twins, 2)


def test_blocks_of_rows_give_the_same_answer(monkeypatch):
    whole = related_papers(SMALL, 3)
    monkeypatch.setattr(related, "BLOCK_CELLS", 1)  # one row at a time
    assert related_papers(SMALL, 3) == whole


def test_titles_count(monkeypatch):
    papers = [paper("q", "Tumour segmentation", "Cells under a microscope."),
              paper("t", "Tumour segmentation", "Forests seen from satellites."),
              paper("u", "Weather forecasting", "Rain and wind.")]
    assert related_papers(papers, 2)["q"] == ("t",)
    monkeypatch.setattr(related, "TITLE_WEIGHT", 0.0)
    assert related_papers(papers, 2)["q"] == ()


@pytest.fixture(scope="module")
def seed():
    collection = load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent)
    return {p.slug: p for p in collection.papers}, related_papers(collection.papers, 5)


def titles(seed, slug_):
    papers, result = seed
    return [papers[s].title for s in result[slug_]]


def test_seed_pde_paper_neighbours_are_pde_papers(seed):
    near = titles(seed, "poseidon-efficient-foundation-models-for-pdes")
    assert {"CFDBench: A Large-Scale Benchmark for Machine Learning Methods in Fluid Dynamics",
            "Learning Neural PDE Solvers with Parameter-Guided Channel Attention"} & set(near)


def test_seed_medical_segmentation_neighbours_are_medical_segmentation(seed):
    near = " | ".join(titles(seed, "generative-medical-segmentation"))
    assert "MulModSeg" in near or "FreeTumor" in near


def test_paper_pages_list_related_papers_with_tags_and_respect_the_option(tmp_path):
    site = build_fixture(tmp_path, config_edit=lambda text: text.replace("related: 5", "related: 1"))
    soup = BeautifulSoup((site / "papers" / slug(PDE_1) / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = soup.select(".paper__related li")
    assert len(items) == 1
    assert items[0].a["href"] == f"../{slug(PDE_2)}/"
    tags = [a.get_text() for a in items[0].select(".paper-tag")]
    assert tags == ["PDEs and scientific ML", "Benchmarks and evaluation"]
    med = BeautifulSoup((site / "papers" / slug(MED_1) / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert med.select_one(".paper__related li a")["href"] == f"../{slug(MED_2)}/"


@pytest.mark.slow
def test_related_is_not_written_into_the_collection(bundled_site):
    assert not list((bundled_site / "content").rglob("*related*"))


def test_incremental_update_equals_a_recomputation_in_the_same_space():
    """`related.update` after edits, an addition and a removal gives exactly what computing every
    neighbour again in the same fitted space gives (its terms and IDF are those of the first fit),
    and so does each further update from the last one (which reads the floors it kept), and an
    update from a space saved without floors."""
    from dataclasses import replace

    import numpy as np

    papers = sorted(load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent).papers,
                    key=lambda p: p.slug)
    first, space = related.related_with_space(papers, 5)
    assert first == related_papers(papers, 5)
    edited = [replace(p, abstract=papers[(i * 7) % len(papers)].abstract) for i, p in enumerate(papers[:3])]
    added = replace(papers[10], slug="zz-added-paper", abstract=papers[20].abstract + " " + papers[10].abstract)
    now = [*edited, *papers[3:-1], added]  # the last paper removed
    changed = {p.slug for p in edited} | {added.slug}
    without_floors = replace(space, floors=None)
    updated, new_space = related.update(space, first, now, changed, 5)
    assert new_space.slugs == sorted(p.slug for p in now)
    assert updated == related.neighbours(new_space.matrix, new_space.slugs, 5)
    assert updated != first
    assert related.update(without_floors, first, now, changed, 5)[0] == updated
    for round_ in range(1, 6):  # one edit at a time, as a preview makes them
        target = now[(round_ * 37) % len(now)]
        now = [replace(p, abstract=f"{p.abstract} {now[round_].abstract}") if p.slug == target.slug else p
               for p in now]
        updated, new_space = related.update(new_space, updated, now, {target.slug}, 5)
        fresh_floors = np.full(len(now), np.nan)
        assert updated == related.neighbours(new_space.matrix, new_space.slugs, 5, floors=fresh_floors)
        known = ~np.isnan(new_space.floors)
        assert known.sum() > len(now) // 2  # floors are carried, not recomputed
        assert np.allclose(new_space.floors[known], fresh_floors[known], rtol=1e-12, atol=1e-15)


def _same_computation(got, want) -> None:
    import numpy as np

    assert got[0] == want[0]
    assert np.array_equal(got[1].floors, want[1].floors, equal_nan=True)


@pytest.mark.parametrize("forked", [False, True])
def test_refresh_after_edits_equals_a_full_computation(monkeypatch, forked):
    """`related.refresh` (a build after edits: only the rows whose weights changed are multiplied
    with every row) gives exactly what a full computation gives, to the floors, edit after edit,
    each from the last one's state: a typo, a common word (its weight changes in many rows), a new
    title, an abstract copied from another paper (equal scores, broken by slug), one emptied of
    shared words. In small blocks, shared out among processes or not."""
    from dataclasses import replace

    monkeypatch.setattr(related, "BLOCK_CELLS", 600)  # many blocks, at 110 papers
    monkeypatch.setenv("PAPER_COLLECTION_PARALLEL_FROM", "1" if forked else "100000")
    papers = sorted(load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent).papers,
                    key=lambda p: p.slug)
    state = related.related_with_space(papers, 5)
    edits = [
        lambda p: replace(p, abstract=p.abstract.replace(" the ", " teh ", 1)),
        lambda p: replace(p, abstract="Language models and diffusion models. " + p.abstract),
        lambda p: replace(p, title="Segmentation of tumours in medical images"),
        lambda p: replace(p, abstract=papers[3].abstract),
        lambda p: replace(p, abstract="Quux."),
    ]
    redone_counts, moved = [], 0
    now = papers
    for number, edit in enumerate(edits):
        target = (number * 41 + 7) % len(now)
        now = [edit(p) if i == target else p for i, p in enumerate(now)]
        result, space, redone = related.refresh(state[1], state[0], list(reversed(now)), 5)
        _same_computation((result, space), related.related_with_space(now, 5))
        moved += result != state[0]
        redone_counts.append(redone)
        state = (result, space)
    # Many papers at once: rows lose most of the papers they kept and must be computed in full,
    # and papers that kept nothing in common come in past the last bound.
    now = [replace(p, abstract="Quux.") if i % 3 == 0 else
           replace(p, abstract=f"{p.abstract} {now[(i * 13) % len(now)].abstract}") if i % 3 == 1 else p
           for i, p in enumerate(now)]
    result, space, redone = related.refresh(state[1], state[0], now, 5)
    _same_computation((result, space), related.related_with_space(now, 5))
    state = (result, space)
    assert moved >= 3  # the edits move related papers: the comparison is not between unchanged lists
    assert min(redone_counts) < len(papers) // 2  # not a full computation in disguise
    # Another set of papers, or another k: a full computation.
    fewer = now[:-1]
    result, space, redone = related.refresh(state[1], state[0], fewer, 5)
    assert redone == len(fewer)
    _same_computation((result, space), related.related_with_space(fewer, 5))
    assert related.refresh(state[1], state[0], now, 3)[0] == related_papers(now, 3)


def test_refresh_computes_a_row_again_when_what_it_kept_fell_behind():
    """A paper whose own words did not move, but whose related papers grew longer (so their scores
    with it fell): papers it never listed come in. `refresh` must see that the papers it kept no
    longer decide its list, and compute the row in full (the result is a full computation's)."""
    def make(slug_: str, abstract: str) -> Paper:
        return paper(slug_, f"Paper q{slug_.replace('-', '')}", abstract)

    base = [make("x", "beta omega"), make("o", "omega"),
            *(make(f"y{i}", "beta gamma") for i in range(10)),
            *(make(f"w{i}", "beta mu nu xi") for i in range(5)),
            *(make(f"f{i}", "sigma tau") for i in range(20))]
    first = related.related_with_space(base, 5)
    assert first[0]["x"][1].startswith("y")  # the y papers were x's best after "o"
    grown = [replace_abstract(p, p.abstract + " eta theta iota kappa lambda") if p.slug.startswith("y") else p
             for p in base]
    result, space, redone = related.refresh(first[1], first[0], grown, 5)
    want = related.related_with_space(grown, 5)
    assert result["x"] == want[0]["x"] == ("o", "w0", "w1", "w2", "w3")
    _same_computation((result, space), want)
    assert redone < len(base)


def replace_abstract(p: Paper, abstract: str) -> Paper:
    from dataclasses import replace

    return replace(p, abstract=abstract)


def test_the_weights_are_scikit_learns_to_the_last_bit_without_importing_it():
    """related.py writes out TfidfTransformer(sublinear_tf=True, norm="l2") and scikit-learn's stop
    words (importing scikit-learn took 1.3 s of every build): the same matrix, bit for bit."""
    import subprocess
    import sys

    import numpy as np
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer
    from sklearn.preprocessing import normalize

    from paper_collection.site.stop_words import ENGLISH_STOP_WORDS as copied

    assert copied == ENGLISH_STOP_WORDS
    papers = sorted(load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent).papers,
                    key=lambda p: p.slug)
    fitted = related.fit(papers)
    vocabulary: dict[str, int] = {}
    abstracts = related.counts([related.analyze(p.abstract) for p in papers], vocabulary)
    titles = related.counts([related.analyze(related.to_plain(p.title)) for p in papers], vocabulary)
    abstracts.resize(titles.shape)
    columns = [vocabulary[term] for term in fitted.terms]  # in the fitted space's column order
    present = ((abstracts + titles) > 0).astype(np.float64)[:, columns]
    weights = TfidfTransformer(sublinear_tf=True, norm="l2").fit(present)
    # The count matrices in that order, each row's entries sorted by column (as `fit` has them).
    abstracts, titles = abstracts[:, columns].sorted_indices(), titles[:, columns].sorted_indices()
    expected = normalize((weights.transform(abstracts)
                          + related.TITLE_WEIGHT * weights.transform(titles)).tocsr(), norm="l2")
    expected.sort_indices()
    assert np.array_equal(weights.idf_, fitted.transformer.idf)
    assert np.array_equal(expected.indptr, fitted.matrix.indptr)
    assert np.array_equal(expected.indices, fitted.matrix.indices)
    assert np.array_equal(expected.data, fitted.matrix.data)
    loaded = subprocess.run([sys.executable, "-c", "import sys, paper_collection.site.related, "
                             "paper_collection.site.cache; "
                             "print('sklearn' in sys.modules)"], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"


def _dense_reference(fitted, k: int):
    """The dense computation (every paper scored against every paper), as `refresh` still does it."""
    n = len(fitted.slugs)
    result, floors, kept = {}, np.full(n, np.nan), related.Kept.empty(n, min(related.RESERVE * k, n - 1))
    for chunk, scores in related._blocks(fitted.matrix, np.arange(n)):
        related._choose(chunk, scores, k, fitted.slugs, result, floors, kept)
    return result, floors, kept


def test_the_sparse_choice_equals_scoring_every_pair():
    """The full computation looks only at papers that share a term with a row (issue 25: its cost
    follows the products, not n x n); its lists, floors and kept papers are the dense ones', ties
    included (many papers here share their words exactly)."""
    words = ["graph", "neural", "solver", "fluid", "tumor", "segmentation", "code", "ranking", "language", "model"]
    rng = np.random.default_rng(25)
    papers = [paper(f"p{i:03d}", " ".join(rng.choice(words, 3)), " ".join(rng.choice(words, 6))) for i in range(120)]
    ordered = sorted(papers, key=lambda p: p.slug)
    for k in (1, 5):
        fitted = related.fit(ordered)
        expected, expected_floors, expected_kept = _dense_reference(fitted, k)
        n = len(ordered)
        floors, kept = np.full(n, np.nan), related.Kept.empty(n, min(related.RESERVE * k, n - 1))
        found = related.neighbours(fitted.matrix, fitted.slugs, k, None, floors, kept)
        assert found == expected
        assert np.array_equal(floors, expected_floors)
        assert np.array_equal(kept.rows, expected_kept.rows)
        assert np.array_equal(kept.scores, expected_kept.scores, equal_nan=True)
        assert np.array_equal(kept.bound_score, expected_kept.bound_score)
        assert np.array_equal(kept.bound_row, expected_kept.bound_row)


def test_papers_tied_past_the_top_products_are_chosen_by_slug():
    """The full computation keeps each row's top m + 2 products only (issue 25: sparse_dot_topn,
    a third of the time). When more papers than that tie at the m-th score, which of them it kept
    is arbitrary: the row chooses again among all its products, and the smallest slugs win, as
    the dense computation has them. Here 30 papers have the same words, so every pair scores the
    same (their own title words are in one paper each, and dropped; the shared words are in
    fewer than half the papers, and kept)."""
    papers = [paper(f"p{i:02d}", f"Unique{i}x", "graph neural solver for fluid flow") for i in range(30)]
    papers += [paper(f"q{i:02d}", f"Other{i}y", f"tumor segmentation ranking {i % 5}z") for i in range(40)]
    fitted = related.fit(sorted(papers, key=lambda p: p.slug))
    n, k = len(fitted.slugs), 3
    top = related.sp_matmul_topn(fitted.matrix, fitted.matrix.T.tocsr(), top_n=2 * k + 2, threshold=0.0)
    assert top[0].nnz == 2 * k + 2  # 29 papers tie with p00, and the top products kept only some of them
    expected, expected_floors, expected_kept = _dense_reference(fitted, k)
    floors, kept = np.full(n, np.nan), related.Kept.empty(n, min(related.RESERVE * k, n - 1))
    found = related.neighbours(fitted.matrix, fitted.slugs, k, None, floors, kept)
    assert found["p00"] == ("p01", "p02", "p03") and found["p29"] == ("p00", "p01", "p02")
    assert found == expected
    assert np.array_equal(floors, expected_floors)
    assert np.array_equal(kept.rows, expected_kept.rows)
    assert np.array_equal(kept.bound_score, expected_kept.bound_score)


def test_a_term_in_very_many_papers_relates_none_of_them(monkeypatch):
    """Past `MAX_PAPERS_PER_TERM` papers a term is dropped, as terms in half the papers are: here
    "transformer" is in all 40 papers but one, and the only other words are each paper's own."""
    papers = [paper(f"p{i:02d}", f"Transformer {w}", f"transformer {w}")
              for i, w in enumerate(f"alpha{i}x" for i in range(39))]
    papers.append(paper("p99", "Unrelated", "nothing shared"))
    monkeypatch.setattr(related, "MAX_PAPERS_PER_TERM", 10_000)  # not reached: but half the papers is
    assert all(listed == () for listed in related_papers(papers, 3).values())
    few = papers[:8] + [paper(f"q{i}", f"Other {i}x", f"distinct{i}y words{i}z") for i in range(12)]
    assert related_papers(few, 3)["p00"] == ("p01", "p02", "p03")  # 8 of 20: under half, kept
    monkeypatch.setattr(related, "MAX_PAPERS_PER_TERM", 7)
    assert related_papers(few, 3)["p00"] == ()  # in 8 papers, more than 7: dropped


def test_counting_in_chunks_gives_the_same_space_and_lets_each_chunk_go(monkeypatch):
    """Issue 25: at 50,000 papers, holding every paper's words and word pairs at once while
    counting them raised a build's peak by more than a gigabyte. `fit` counts a few papers at a
    time and lets their terms go: the same matrix, the same columns, far fewer term lists alive."""
    import weakref

    papers = sorted(load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent).papers,
                    key=lambda p: p.slug)
    whole = related.fit(papers)  # seed: 110 papers, fewer than one chunk

    class Terms(list):  # a list that can be watched with a weak reference
        pass

    alive: list[weakref.ref] = []
    most_alive = 0
    analyze = related.analyze

    def watched(text: str) -> Terms:
        nonlocal most_alive
        terms = Terms(analyze(text))
        alive.append(weakref.ref(terms))
        most_alive = max(most_alive, sum(1 for ref in alive if ref() is not None))
        return terms

    monkeypatch.setattr(related, "analyze", watched)
    monkeypatch.setattr(related, "COUNT_CHUNK", 7)
    chunked = related.fit(papers)
    assert chunked.terms == whole.terms
    assert np.array_equal(chunked.matrix.indptr, whole.matrix.indptr)
    assert np.array_equal(chunked.matrix.indices, whole.matrix.indices)
    assert np.array_equal(chunked.matrix.data, whole.matrix.data)
    assert len(alive) == 2 * len(papers)  # each abstract and each title analysed once
    assert most_alive <= 7 + 1  # one chunk being counted, and the next paper's terms


def _same_space(a, b) -> None:
    assert list(a.terms.items()) == list(b.terms.items())  # the same columns, in the same order
    assert np.array_equal(a.transformer.idf, b.transformer.idf)
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a.matrix, part), getattr(b.matrix, part))


def test_a_fit_counts_only_the_papers_it_has_not_seen_and_gives_the_same_space(monkeypatch):
    """Issue 25: fitting the space again after one merged paper read every paper's words again
    (2.9 s of a 10,000-paper rebuild, 20 s at 50,000). With the last fit's counts it reads only
    the papers whose title or abstract is new, and the space is the one a fit from nothing makes,
    to the last bit: the same terms, columns, IDF and rows, whatever order the words were numbered in."""
    papers = sorted(load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent).papers,
                    key=lambda p: p.slug)
    kept: list[related.Counts] = []
    first = related.fit(papers, on_counts=kept.append)
    assert list(first.terms) == sorted(first.terms)  # alphabetical columns, as scikit-learn has them
    edited = papers[3]
    edited = Paper(**{**vars(edited), "abstract": "A new abstract about graph neural solvers for fluid flow."})
    added = paper("zz-added", "Graph neural solvers", "Solvers for fluid flow with graph neural networks.")
    later = sorted([*papers[:3], edited, *papers[5:], added], key=lambda p: p.slug)  # papers[4] removed
    read: list[str] = []
    analyze = related.analyze
    monkeypatch.setattr(related, "analyze", lambda text: read.append(text) or analyze(text))
    again = related.fit(later, kept[0], on_counts=kept.append)
    assert sorted(read) == sorted([edited.abstract, "Graph neural solvers", added.abstract,
                                   related.to_plain(edited.title)])
    _same_space(again, related.fit(later))
    # The counts handed on hold the new papers, and serve the next fit as well as a fit's from nothing.
    assert kept[1].keys == [related.text_key(p) for p in later]
    read.clear()
    _same_space(related.fit(later, kept[1]), again)
    assert read == []


def test_the_counts_round_trip_through_the_cache_and_a_damaged_file_is_not_used(tmp_path):
    from paper_collection.site import cache

    papers = sorted(load_collection(seed_papers(), load_taxonomy(SEED_TAXONOMY), seed_papers().parent).papers,
                    key=lambda p: p.slug)
    kept: list[related.Counts] = []
    whole = related.fit(papers, on_counts=kept.append)
    path = tmp_path / "related-counts.npz"
    cache._store_counts(path, kept[0])
    loaded = cache._load_counts(path)
    assert loaded.terms == kept[0].terms and loaded.keys == kept[0].keys
    for part in ("abstracts", "titles"):
        assert (getattr(loaded, part) != getattr(kept[0], part)).nnz == 0
    _same_space(related.fit(papers, loaded), whole)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    assert cache._load_counts(path) is None
    path.write_bytes(b"not a numpy file")
    assert cache._load_counts(path) is None
