"""Related papers: the k most similar papers of each paper, by title and abstract.

TF-IDF over words and word pairs (sublinear term frequency, English stop words), with the
title counting more than the abstract; cosine similarity by sparse matrix products, a block of
rows at a time so memory stays bounded (about `BLOCK_CELLS` floats) however large the
collection; the top k of each row with `argpartition`. Deterministic: papers are ordered by
slug, and equal scores are broken by slug. A paper with nothing in common (score 0) is never
listed as related.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer
from sklearn.preprocessing import normalize

from generator.collection.paper import Paper
from generator.parallel import map_shares
from generator.site.tex import to_plain

TITLE_WEIGHT = 0.5  # the title vector is added to the abstract's: title words count more (tuned by reading)
BLOCK_CELLS = 4_000_000  # similarity cells computed at once (32 MB of float64)
WORD = re.compile(r"(?u)\b[^\W\d_]\w+\b")  # two or more characters, starting with a letter


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light plural folding ("PDEs" ~ "PDE", "studies" ~ "study"): enough for matching titles."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def analyze(text: str) -> list[str]:
    """Lower-cased words without English stop words, plural-folded, plus adjacent word pairs."""
    words = [stem(w) for w in WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def counts(documents: Sequence[list[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Term counts, one row per document; new terms are added to `vocabulary`. (A dict and one
    sparse matrix: several times faster than CountVectorizer's per-token loop.)"""
    terms = list(chain.from_iterable(documents))
    for term in dict.fromkeys(terms):  # new terms numbered in order of first appearance
        if term not in vocabulary:
            vocabulary[term] = len(vocabulary)
    indices = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int_, count=len(terms))
    indptr = np.cumsum([0, *map(len, documents)])
    data = np.ones(len(indices), dtype=np.float64)
    matrix = sparse.csr_matrix((data, indices, indptr),
                               shape=(len(documents), max(len(vocabulary), 1)))
    matrix.sum_duplicates()
    return matrix


@dataclass
class Fitted:
    """A fitted TF-IDF space: the kept terms and their IDF, and one unit row per paper."""

    terms: dict[str, int]  # kept term -> column
    transformer: TfidfTransformer
    slugs: list[str]  # the rows of `matrix`, in slug order
    matrix: sparse.csr_matrix
    # per row, the score of the last of its k related papers (0 with fewer than k; NaN: not known):
    # what a changed paper must beat to enter the list (`update`)
    floors: np.ndarray | None = None

    def transform(self, papers: Sequence[Paper]) -> sparse.csr_matrix:
        """Rows for papers in this fitted space (terms it has not seen are left out)."""
        terms = self.terms

        def kept(text: str) -> list[str]:
            return [t for t in analyze(text) if t in terms]

        abstracts = counts([kept(p.abstract) for p in papers], dict(terms))
        titles = counts([kept(to_plain(p.title)) for p in papers], dict(terms))
        shape = (len(papers), len(terms))
        abstracts.resize(shape)
        titles.resize(shape)
        return _combine(self.transformer, abstracts, titles)


def _combine(transformer: TfidfTransformer, abstracts, titles) -> sparse.csr_matrix:
    combined = transformer.transform(abstracts) + TITLE_WEIGHT * transformer.transform(titles)
    return normalize(combined.tocsr(), norm="l2", copy=False)


def fit(papers: Sequence[Paper]) -> Fitted:
    """One L2-normalised TF-IDF row per paper (in the order given): sublinear term frequency and
    smoothed IDF as scikit-learn's TfidfTransformer computes them, IDF over titles and abstracts
    together. Terms in one paper only are dropped (they cannot make two papers similar), as are
    terms in more than half the papers of a large collection."""
    vocabulary: dict[str, int] = {}
    abstracts = counts([analyze(p.abstract) for p in papers], vocabulary)
    titles = counts([analyze(to_plain(p.title)) for p in papers], vocabulary)
    abstracts.resize(titles.shape)  # the vocabulary grew while counting titles
    present = ((abstracts + titles) > 0).astype(np.float64)
    df = np.asarray(present.sum(axis=0)).ravel()
    n = len(papers)
    keep = np.flatnonzero((df >= 2) & (df <= (0.5 * n if n >= 20 else n)))
    if not len(keep):
        raise ValueError("no term is shared by two papers")
    transformer = TfidfTransformer(sublinear_tf=True, norm="l2").fit(present[:, keep])
    words = list(vocabulary)
    terms = {words[i]: column for column, i in enumerate(keep.tolist())}
    matrix = _combine(transformer, abstracts[:, keep], titles[:, keep])
    return Fitted(terms, transformer, [p.slug for p in papers], matrix)


def vectors(papers: Sequence[Paper]) -> sparse.csr_matrix:
    return fit(papers).matrix


def _best(scores: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The k best candidates (score > 0), best score first; ties by the smaller index (slug order)."""
    candidates = candidates[scores[candidates] > 0]
    return candidates[np.lexsort((candidates, -scores[candidates]))][:k]


def _floor(scores: np.ndarray, chosen: np.ndarray, k: int) -> float:
    return float(scores[chosen[-1]]) if len(chosen) == k else 0.0


def neighbours(matrix: sparse.csr_matrix, slugs: Sequence[str], k: int,
               rows: Sequence[int] | None = None, floors: np.ndarray | None = None) -> dict[str, tuple[str, ...]]:
    """Top k of the given rows (all by default), a block of rows at a time; with `floors`, each
    row's floor (see Fitted) is set there."""
    n = matrix.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    result: dict[str, tuple[str, ...]] = {}
    if k <= 0 or n < 2:
        return {slugs[r]: () for r in rows}
    transposed = matrix.T.tocsc()
    block = max(1, BLOCK_CELLS // n)
    for start in range(0, len(rows), block):
        chunk = rows[start:start + block]
        scores = (matrix[chunk] @ transposed).toarray()
        scores[np.arange(len(chunk)), chunk] = -np.inf  # never a paper's own neighbour
        # The k best of each row (in no order); the k-th best score then admits ties at the boundary.
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        kth = scores[np.arange(len(chunk))[:, None], top].min(axis=1)
        for i, row in enumerate(chunk):
            candidates = np.flatnonzero(scores[i] >= kth[i])
            chosen = _best(scores[i], candidates, k)
            result[slugs[row]] = tuple(slugs[j] for j in chosen)
            if floors is not None:
                floors[row] = _floor(scores[i], chosen, k)
    return result


def related_papers(papers: Sequence[Paper], k: int) -> dict[str, tuple[str, ...]]:
    """For every paper's slug, the slugs of up to `k` most similar other papers, best first."""
    return related_with_space(papers, k)[0]


def related_with_space(papers: Sequence[Paper], k: int) -> tuple[dict[str, tuple[str, ...]], Fitted | None]:
    ordered = sorted(papers, key=lambda p: p.slug)
    slugs = [p.slug for p in ordered]
    k = min(k, len(ordered) - 1)
    if k <= 0:
        return {slug: () for slug in slugs}, None
    try:
        fitted = fit(ordered)
    except ValueError:  # an empty vocabulary: nothing is related to anything
        return {slug: () for slug in slugs}, None
    fitted.floors = np.full(len(slugs), np.nan)
    return all_neighbours(fitted.matrix, slugs, k, fitted.floors), fitted


def all_neighbours(matrix: sparse.csr_matrix, slugs: Sequence[str], k: int,
                   floors: np.ndarray | None = None) -> dict[str, tuple[str, ...]]:
    """`neighbours` of every row, the rows shared out among the machine's CPUs (parallel.py)."""
    def share(rows: list[int]) -> list[tuple[tuple[str, ...], float]]:
        mine = np.full(len(slugs), np.nan)
        found = neighbours(matrix, slugs, k, rows, mine)
        return [(found[slugs[row]], float(mine[row])) for row in rows]

    found = map_shares(share, list(range(len(slugs))), what="related papers")
    if floors is not None:
        floors[:] = [floor for _, floor in found]
    return dict(zip(slugs, (listed for listed, _ in found), strict=True))


def update(fitted: Fitted, previous: dict[str, tuple[str, ...]], papers: Sequence[Paper], changed: set[str],
           k: int) -> tuple[dict[str, tuple[str, ...]], Fitted]:
    """Related papers after a few papers were added, edited (`changed`) or removed, in the fitted
    space of an earlier full computation (its terms and IDF; see benchmarks/README.md for how
    much this differs from a full recomputation). Exact for that space: a changed paper's
    neighbours are computed in full, and so are those of every paper that listed a changed or
    removed paper; any other paper keeps its list unless a changed paper now scores higher."""
    ordered = sorted(papers, key=lambda p: p.slug)
    slugs = [p.slug for p in ordered]
    index = {slug: i for i, slug in enumerate(slugs)}
    old_row = {slug: i for i, slug in enumerate(fitted.slugs)}
    k = min(k, len(ordered) - 1)
    fresh = [p for p in ordered if p.slug in changed or p.slug not in old_row]
    fresh_rows = fitted.transform(fresh) if fresh else None
    if fitted.slugs == slugs:  # the same papers (a preview after an edit): replace the changed rows only
        pieces, start = [], 0
        for number, paper in enumerate(fresh):
            row = index[paper.slug]
            pieces += [fitted.matrix[start:row], fresh_rows[number]]
            start = row + 1
        matrix = sparse.vstack([*pieces, fitted.matrix[start:]], format="csr")
    else:
        kept = [slug for slug in slugs if slug not in changed and slug in old_row]
        parts = [fitted.matrix[[old_row[slug] for slug in kept]]] + ([fresh_rows] if fresh else [])
        stacked = sparse.vstack(parts, format="csr")
        at = {slug: i for i, slug in enumerate([*kept, *(p.slug for p in fresh)])}
        matrix = stacked[[at[slug] for slug in slugs]]
    # Floors carry over: a row that does not move, listing papers that do not move, keeps its scores.
    floors = np.full(len(slugs), np.nan)
    if fitted.floors is not None:
        for slug, row in old_row.items():
            if slug in index and slug not in changed:
                floors[index[slug]] = fitted.floors[row]
    new_space = Fitted(fitted.terms, fitted.transformer, slugs, matrix, floors)
    if k <= 0:
        return {slug: () for slug in slugs}, new_space
    gone = set(fitted.slugs) - set(slugs)
    moved = {p.slug for p in fresh}
    redo = set(moved)
    for slug in slugs:
        if slug not in moved and any(other in moved or other in gone for other in previous.get(slug, ())):
            redo.add(slug)
    result = dict(neighbours(matrix, slugs, k, sorted(index[s] for s in redo), floors))
    changed_rows = np.array(sorted(index[s] for s in moved), dtype=np.int64)
    against = (matrix[changed_rows] @ matrix.T).toarray() if len(changed_rows) else np.zeros((0, len(slugs)))
    # Any other paper: its k-th score now (its listed papers did not move), against the best a
    # changed paper scores with it; only where a changed paper reaches it is the list made again.
    # A paper no changed paper shares a term with keeps its list as it is.
    reached = against.max(axis=0) > 0 if len(changed_rows) else np.zeros(len(slugs), dtype=bool)
    for slug in slugs:
        if slug not in result and not reached[index[slug]]:
            result[slug] = tuple(previous.get(slug, ()))
    rest = [slug for slug in slugs if slug not in result]
    # Floors not known (a space saved before floors were kept): the score of each row's last listed paper.
    pairs = [(index[slug], index[other]) for slug in rest if np.isnan(floors[index[slug]])
             for other in previous.get(slug, ())]
    pair_scores = np.asarray(matrix[[a for a, _ in pairs]].multiply(matrix[[b for _, b in pairs]]).sum(axis=1)
                             ).ravel() if pairs else np.zeros(0)
    kth: dict[int, float] = {}
    for (row, _), score in zip(pairs, pair_scores, strict=True):
        kth[row] = min(kth.get(row, np.inf), score)
    for slug in rest:
        row = index[slug]
        listed = [index[s] for s in previous.get(slug, ())]
        if np.isnan(floors[row]):
            floors[row] = kth.get(row, 0.0) if len(listed) >= k else 0.0
        floor = floors[row]
        reach = against[:, row] if len(changed_rows) else np.zeros(0)
        if not len(reach) or reach.max() < floor or reach.max() <= 0:
            result[slug] = tuple(previous.get(slug, ()))
            continue
        candidates = np.unique(np.concatenate([np.array(listed, dtype=np.int64), changed_rows]))
        scores = np.full(len(slugs), -np.inf)
        scores[candidates] = (matrix[row] @ matrix[candidates].T).toarray().ravel()
        scores[row] = -np.inf
        chosen = _best(scores, candidates, k)
        result[slug] = tuple(slugs[j] for j in chosen)
        floors[row] = _floor(scores, chosen, k)
    return {slug: result[slug] for slug in slugs}, new_space
