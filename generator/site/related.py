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
from array import array
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer
from sklearn.preprocessing import normalize

from generator.collection.paper import Paper
from generator.site.render import plain_title

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
    indices = array("l", (vocabulary.setdefault(term, len(vocabulary)) for doc in documents for term in doc))
    indptr = np.cumsum([0, *map(len, documents)])
    data = np.ones(len(indices), dtype=np.float64)
    matrix = sparse.csr_matrix((data, np.frombuffer(indices, dtype=np.int_), indptr),
                               shape=(len(documents), max(len(vocabulary), 1)))
    matrix.sum_duplicates()
    return matrix


def vectors(papers: Sequence[Paper]) -> sparse.csr_matrix:
    """One L2-normalised TF-IDF row per paper (in the order given): sublinear term frequency and
    smoothed IDF as scikit-learn's TfidfTransformer computes them, IDF over titles and abstracts
    together. Terms in one paper only are dropped (they cannot make two papers similar), as are
    terms in more than half the papers of a large collection."""
    vocabulary: dict[str, int] = {}
    abstracts = counts([analyze(p.abstract) for p in papers], vocabulary)
    titles = counts([analyze(plain_title(p.title)) for p in papers], vocabulary)
    abstracts.resize(titles.shape)  # the vocabulary grew while counting titles
    present = ((abstracts + titles) > 0).astype(np.float64)
    df = np.asarray(present.sum(axis=0)).ravel()
    n = len(papers)
    keep = np.flatnonzero((df >= 2) & (df <= (0.5 * n if n >= 20 else n)))
    if not len(keep):
        raise ValueError("no term is shared by two papers")
    transformer = TfidfTransformer(sublinear_tf=True, norm="l2").fit(present[:, keep])
    combined = transformer.transform(abstracts[:, keep]) + TITLE_WEIGHT * transformer.transform(titles[:, keep])
    return normalize(combined.tocsr(), norm="l2", copy=False)


def related_papers(papers: Sequence[Paper], k: int) -> dict[str, tuple[str, ...]]:
    """For every paper's slug, the slugs of up to `k` most similar other papers, best first."""
    ordered = sorted(papers, key=lambda p: p.slug)
    slugs = [p.slug for p in ordered]
    result: dict[str, tuple[str, ...]] = {slug: () for slug in slugs}
    n = len(ordered)
    k = min(k, n - 1)
    if k <= 0:
        return result
    try:
        matrix = vectors(ordered)
    except ValueError:  # an empty vocabulary: nothing is related to anything
        return result
    transposed = matrix.T.tocsc()
    block = max(1, BLOCK_CELLS // n)
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = (matrix[start:stop] @ transposed).toarray()
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never a paper's own neighbour
        # The k best of each row (in no order); the k-th best score then admits ties at the boundary.
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        kth = scores[np.arange(stop - start)[:, None], top].min(axis=1)
        for row in range(stop - start):
            candidates = np.flatnonzero((scores[row] >= kth[row]) & (scores[row] > 0))
            # Best score first; among equal scores, the smaller index, which is slug order.
            best = candidates[np.lexsort((candidates, -scores[row, candidates]))][:k]
            result[slugs[start + row]] = tuple(slugs[i] for i in best)
    return result
