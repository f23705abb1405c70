"""Related papers: the k most similar papers of each paper, by title and abstract.

TF-IDF over words and word pairs (sublinear term frequency, English stop words), with the
title counting more than the abstract; cosine similarity by sparse matrix products, each row's
best products kept while multiplying (`sparse_dot_topn`; the rows an edit changed, a block at
a time so memory stays bounded, about `BLOCK_CELLS` floats). Deterministic: papers are ordered
by slug, the space's columns by term, and equal scores are broken by slug. A paper with nothing
in common (score 0) is never listed as related.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, count, filterfalse, islice

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

from paper_collection import parallel
from paper_collection.collection.paper import Paper
from paper_collection.parallel import map_shares
from paper_collection.site.stop_words import ENGLISH_STOP_WORDS
from paper_collection.site.tex import to_plain

TITLE_WEIGHT = 0.5  # the title vector is added to the abstract's: title words count more (tuned by reading)
# A term in more papers than this says little about which are alike (its IDF is low), and each such
# term costs the products its papers squared: dropping them keeps the cost in proportion to the
# collection. Collections of up to twice this many papers are not affected (half is the rule there).
MAX_PAPERS_PER_TERM = 2_000
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
    # map and filterfalse over C-level callables (stem's cache hits too): no Python loop per word.
    words = list(map(stem, filterfalse(ENGLISH_STOP_WORDS.__contains__, WORD.findall(text.lower()))))
    return words + list(map(" ".join, zip(words, words[1:], strict=False)))


def counts(documents: Iterable[list[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Term counts, one row per document; new terms are added to `vocabulary`, numbered in order of
    first appearance. (A dict and sparse matrices: several times faster than CountVectorizer's
    per-token loop.) The documents are taken `COUNT_CHUNK` at a time and each chunk's term lists
    let go once counted: at 50,000 papers, holding every paper's words and word pairs at once
    cost more than a gigabyte."""
    documents = iter(documents)
    data, indices, lengths = [], [], []
    while chunk := list(islice(documents, COUNT_CHUNK)):
        terms = list(chain.from_iterable(chunk))
        # New terms numbered in order of first appearance, then every term looked up: each step a
        # loop in C (a Python loop per term was half of `fit`'s time).
        new = list(filterfalse(vocabulary.__contains__, dict.fromkeys(terms)))
        vocabulary.update(zip(new, count(len(vocabulary))))
        ids = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int_, count=len(terms))
        part = sparse.csr_matrix((np.ones(len(ids)), ids, np.cumsum([0, *map(len, chunk)])),
                                 shape=(len(chunk), max(len(vocabulary), 1)))
        part.sum_duplicates()
        data.append(part.data)
        indices.append(part.indices)
        lengths.append(np.diff(part.indptr))
        del chunk, terms, ids  # before the next chunk is drawn
    if not lengths:
        return sparse.csr_matrix((0, max(len(vocabulary), 1)))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))])
    return sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr),
                             shape=(len(indptr) - 1, max(len(vocabulary), 1)))


COUNT_CHUNK = 2_000  # documents counted at once (`counts`)


RESERVE = 2  # `refresh` keeps each row's best RESERVE * k papers: a listed paper may fall that far


@dataclass
class Kept:
    """Per row: its best papers, best first (row numbers, -1 past the last), their scores, and a
    (score, row) that every paper not kept ranks after (score 0: none of them has a positive score)."""

    rows: np.ndarray  # n x m
    scores: np.ndarray  # n x m
    bound_score: np.ndarray  # n
    bound_row: np.ndarray  # n

    @classmethod
    def empty(cls, n: int, m: int) -> Kept:
        return cls(np.full((n, m), -1, dtype=np.int64), np.full((n, m), np.nan), np.zeros(n),
                   np.full(n, -1, dtype=np.int64))

    @property
    def size(self) -> int:
        return self.rows.shape[1]

    def put(self, row: int, best: Sequence[tuple[float, int]], bound: tuple[float, int]) -> None:
        self.rows[row], self.scores[row] = -1, np.nan
        self.rows[row, :len(best)] = [j for _, j in best]
        self.scores[row, :len(best)] = [score for score, _ in best]
        self.bound_score[row], self.bound_row[row] = bound

    def take(self, rows: np.ndarray) -> Kept:
        return Kept(self.rows[rows], self.scores[rows], self.bound_score[rows], self.bound_row[rows])

    def place(self, rows: np.ndarray, part: Kept) -> None:
        self.rows[rows], self.scores[rows] = part.rows, part.scores
        self.bound_score[rows], self.bound_row[rows] = part.bound_score, part.bound_row

    def copy(self) -> Kept:
        return Kept(self.rows.copy(), self.scores.copy(), self.bound_score.copy(), self.bound_row.copy())


@dataclass
class Fitted:
    """A fitted TF-IDF space: the kept terms and their IDF, and one unit row per paper."""

    terms: dict[str, int]  # kept term -> column
    transformer: Weights
    slugs: list[str]  # the rows of `matrix`, in slug order
    matrix: sparse.csr_matrix
    # per row, the score of the last of its k related papers (0 with fewer than k; NaN: not known):
    # what a changed paper must beat to enter the list (`update`)
    floors: np.ndarray | None = None
    # each row's best papers beyond its k (see Kept): kept by a full computation so that the next
    # build can compute again only the rows an edit changed (`refresh`)
    kept: Kept | None = None

    def transform(self, papers: Sequence[Paper]) -> sparse.csr_matrix:
        """Rows for papers in this fitted space (terms it has not seen are left out)."""
        terms = self.terms

        def kept(text: str) -> list[str]:
            return [t for t in analyze(text) if t in terms]

        abstracts = counts((kept(p.abstract) for p in papers), dict(terms))
        titles = counts((kept(to_plain(p.title)) for p in papers), dict(terms))
        shape = (len(papers), len(terms))
        abstracts.resize(shape)
        titles.resize(shape)
        return _combine(self.transformer, abstracts, titles)


@dataclass(frozen=True)
class Weights:
    """TF-IDF weights as scikit-learn's `TfidfTransformer(sublinear_tf=True, norm="l2")` makes them
    (smoothed IDF, 1 + log of the count, unit rows), written out here: importing scikit-learn
    took 1.3 s of every build before anything else could start (tests/test_related.py compares)."""

    idf: np.ndarray

    @classmethod
    def fit(cls, present: sparse.csr_matrix) -> Weights:
        """From a papers x terms matrix whose entries say that the term is present."""
        documents = np.bincount(present.indices, minlength=present.shape[1]).astype(np.float64) + 1.0
        return cls(np.log((present.shape[0] + 1) / documents) + 1)

    def transform(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        weighted = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
        np.log(weighted.data, weighted.data)
        weighted.data += 1.0
        weighted.data *= self.idf[weighted.indices]
        return _unit_rows(weighted)


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row divided by its Euclidean length (rows of zeros stay so), in place."""
    # Sums of squares added in order along each row (a product with ones: scipy's loop), as
    # scikit-learn adds them: the same rows to the last bit.
    squares = sparse.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    lengths = np.sqrt(squares @ np.ones(matrix.shape[1]))
    lengths[lengths == 0] = 1.0
    matrix.data /= np.repeat(lengths, np.diff(matrix.indptr))
    return matrix


def _combine(transformer: Weights, abstracts, titles) -> sparse.csr_matrix:
    combined = transformer.transform(abstracts) + TITLE_WEIGHT * transformer.transform(titles)
    matrix = _unit_rows(sparse.csr_matrix(combined))
    matrix.sort_indices()  # a product then adds the shared terms of two rows in one order, whichever comes first
    return matrix


@dataclass
class Counts:
    """Every paper's term counts, abstract and title, with the text they were counted from: what
    `fit` needs of the papers, so that the next fit counts only papers it has not seen."""

    terms: list[str]  # every term counted, numbered by position (in no particular order)
    keys: list[str]  # per row: `text_key` of the paper it counts
    abstracts: sparse.csr_matrix  # rows x terms
    titles: sparse.csr_matrix

    def unused(self) -> int:
        """Terms in no row (their papers removed or edited since they were counted)."""
        return len(self.terms) - int(np.count_nonzero(np.bincount(
            np.concatenate([self.abstracts.indices, self.titles.indices]), minlength=len(self.terms))))


def text_key(paper: Paper) -> str:
    """What a paper's counts depend on: its title and abstract."""
    text = f"{len(paper.title)}:{paper.title}{paper.abstract}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def fit(papers: Sequence[Paper], counted: Counts | None = None,
        on_counts: Callable[[Counts], None] | None = None) -> Fitted:
    """One L2-normalised TF-IDF row per paper (in the order given): sublinear term frequency and
    smoothed IDF as scikit-learn's TfidfTransformer computes them, IDF over titles and abstracts
    together. Terms in one paper only are dropped (they cannot make two papers similar), as are
    terms in more than half the papers of a large collection, or in more than
    `MAX_PAPERS_PER_TERM` papers. The kept terms are the columns in alphabetical order, as
    scikit-learn orders them: the same space however the papers' words were numbered.

    `counted`: an earlier fit's counts (`on_counts` is handed this fit's); papers with the same
    title and abstract are not read again (a rebuild after one new paper counts one paper)."""
    vocabulary: dict[str, int] = dict(zip(counted.terms, count())) if counted is not None else {}
    keys = [text_key(p) for p in papers]
    row_of = {key: row for row, key in enumerate(counted.keys)} if counted is not None else {}
    earlier = np.fromiter((row_of.get(key, -1) for key in keys), dtype=np.int64, count=len(keys))
    fresh = np.flatnonzero(earlier < 0)
    fresh_abstracts = counts((analyze(papers[i].abstract) for i in fresh), vocabulary)
    fresh_titles = counts((analyze(to_plain(papers[i].title)) for i in fresh), vocabulary)
    abstracts = _assemble(counted.abstracts if counted is not None else None, earlier, fresh_abstracts, len(vocabulary))
    titles = _assemble(counted.titles if counted is not None else None, earlier, fresh_titles, len(vocabulary))
    del fresh_abstracts, fresh_titles
    present = ((abstracts + titles) > 0).astype(np.float64)
    df = np.asarray(present.sum(axis=0)).ravel()
    n = len(papers)
    keep = np.flatnonzero((df >= 2) & (df <= (min(0.5 * n, MAX_PAPERS_PER_TERM) if n >= 20 else n)))
    words = list(vocabulary)
    if on_counts is not None:
        on_counts(Counts(words, keys, abstracts, titles))
    if not len(keep):
        raise ValueError("no term is shared by two papers")
    kept = [words[i] for i in keep.tolist()]
    order = sorted(range(len(kept)), key=kept.__getitem__)
    keep = keep[order]
    transformer = Weights.fit(present[:, keep].tocsr())
    terms = {kept[i]: column for column, i in enumerate(order)}
    # Columns taken in alphabetical order leave each row's entries out of order: sorted before any
    # sum runs along a row, so that the sums are the same to the last bit whatever the numbering.
    matrix = _combine(transformer, abstracts[:, keep].sorted_indices(), titles[:, keep].sorted_indices())
    return Fitted(terms, transformer, [p.slug for p in papers], matrix)


def _assemble(earlier_rows: sparse.csr_matrix | None, earlier: np.ndarray, fresh: sparse.csr_matrix,
              width: int) -> sparse.csr_matrix:
    """Rows in the papers' order: row `earlier[i]` of `earlier_rows` where it is not -1, else the
    next row of `fresh`; `width` columns."""
    fresh = sparse.csr_matrix(fresh)
    fresh.resize((fresh.shape[0], width))
    if earlier_rows is None or not (earlier >= 0).any():
        return fresh
    known = np.flatnonzero(earlier >= 0)
    taken = earlier_rows[earlier[known]]
    taken.resize((taken.shape[0], width))
    position = np.empty(len(earlier), dtype=np.int64)
    position[known] = np.arange(len(known))
    position[earlier < 0] = len(known) + np.arange(len(earlier) - len(known))
    return sparse.vstack([taken, fresh], format="csr")[position]


def vectors(papers: Sequence[Paper]) -> sparse.csr_matrix:
    return fit(papers).matrix


def _best(scores: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The k best candidates (score > 0), best score first; ties by the smaller index (slug order)."""
    candidates = candidates[scores[candidates] > 0]
    return candidates[np.lexsort((candidates, -scores[candidates]))][:k]


def _floor(scores: np.ndarray, chosen: np.ndarray, k: int) -> float:
    return float(scores[chosen[-1]]) if len(chosen) == k else 0.0


def neighbours(matrix: sparse.csr_matrix, slugs: Sequence[str], k: int,
               rows: Sequence[int] | None = None, floors: np.ndarray | None = None,
               kept: Kept | None = None) -> dict[str, tuple[str, ...]]:
    """Top k of the given rows (all by default), a block of rows at a time; with `floors`, each
    row's floor (see Fitted) is set there, and with `kept` its best papers beyond k."""
    n = matrix.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    if k <= 0 or n < 2:
        return {slugs[r]: () for r in rows}
    result: dict[str, tuple[str, ...]] = {}
    transposed = matrix.T.tocsr()
    m = kept.size if kept is not None else k
    # Each row's m + 2 best products (itself, its m best, and one more), made without the whole
    # row of products (sparse_dot_topn: the same sums as scipy's, term by term in column order, so
    # the same scores to the last bit; a third of the time and memory).
    best = sp_matmul_topn(matrix[rows], transposed, top_n=m + 2, threshold=0.0)
    _choose_among_shared(rows, best, k, slugs, result, floors, kept)
    # Where papers tie at a row's m-th score, some of them may have been left out of its m + 2:
    # those rows choose again among all their products.
    tied = rows[_cut_at_a_tie(rows, best, m)]
    block = max(1, BLOCK_CELLS // n)
    for start in range(0, len(tied), block):
        chunk = tied[start:start + block]
        _choose_among_shared(chunk, matrix[chunk] @ transposed, k, slugs, result, floors, kept)
    return result


def _cut_at_a_tie(rows: np.ndarray, best: sparse.csr_matrix, m: int) -> np.ndarray:
    """Per row of `best` (each row's top products, of which `_choose_among_shared` took the m best
    other papers): whether a product left out could equal the m-th best taken. Only a row given
    all m + 2 products can have left any out, and whatever was left out scores at most its lowest."""
    cut = np.zeros(len(rows), dtype=bool)
    for i in np.flatnonzero(np.diff(best.indptr) == m + 2):
        columns, scores = best.indices[best.indptr[i]:best.indptr[i + 1]], best.data[best.indptr[i]:best.indptr[i + 1]]
        others = np.sort(scores[columns != rows[i]])[::-1]
        cut[i] = others[m - 1] <= scores.min()
    return cut


def _choose_among_shared(chunk: np.ndarray, products: sparse.csr_matrix, k: int, slugs: Sequence[str],
                         result: dict, floors: np.ndarray | None, kept: Kept | None) -> None:
    """`_choose` on a sparse block of products: only the papers a row shares a term with are
    looked at (the others score 0, never listed), so the cost follows the products, not n x n.
    The same scores, so the same lists, floors and kept papers as the dense block gives."""
    m = kept.size if kept is not None else k
    indptr, indices, data = products.indptr, products.indices, products.data
    for i, row in enumerate(chunk):
        columns, scores = indices[indptr[i]:indptr[i + 1]], data[indptr[i]:indptr[i + 1]]
        wanted = (scores > 0) & (columns != row)
        columns, scores = columns[wanted], scores[wanted]
        if len(scores) > m:  # the m-th best score; ties at it are settled by the smaller row below
            floor = -np.partition(-scores, m - 1)[m - 1]
            columns, scores = columns[scores >= floor], scores[scores >= floor]
        order = np.lexsort((columns, -scores))[:m]
        best, best_scores = columns[order].astype(np.int64), scores[order]
        chosen = best[:k]
        result[slugs[row]] = tuple(slugs[j] for j in chosen)
        if floors is not None:
            floors[row] = float(best_scores[k - 1]) if len(chosen) == k else 0.0
        if kept is not None:
            pairs = list(zip(best_scores.tolist(), best.tolist(), strict=True))
            kept.put(row, pairs, pairs[-1] if len(pairs) == m else (0.0, -1))


def _blocks(matrix: sparse.csr_matrix, rows: np.ndarray):
    """(rows, their scores with every row), a block of about `BLOCK_CELLS` scores at a time; a
    paper's score with itself is -inf (never its own neighbour)."""
    n = matrix.shape[0]
    transposed = matrix.T.tocsr()  # what `@` would convert it to for every block
    block = max(1, BLOCK_CELLS // n)
    for start in range(0, len(rows), block):
        chunk = rows[start:start + block]
        scores = (matrix[chunk] @ transposed).toarray()
        scores[np.arange(len(chunk)), chunk] = -np.inf
        yield chunk, scores


def _choose(chunk: np.ndarray, scores: np.ndarray, k: int, slugs: Sequence[str], result: dict,
            floors: np.ndarray | None, kept: Kept | None) -> None:
    # The m best of each row (in no order); the m-th best score then admits ties at the boundary.
    m = kept.size if kept is not None else k
    top = np.argpartition(-scores, m - 1, axis=1)[:, :m]
    kth = scores[np.arange(len(chunk))[:, None], top].min(axis=1)
    for i, row in enumerate(chunk):
        candidates = np.flatnonzero(scores[i] >= kth[i])
        best = _best(scores[i], candidates, m)
        chosen = best[:k]
        result[slugs[row]] = tuple(slugs[j] for j in chosen)
        if floors is not None:
            floors[row] = _floor(scores[i], chosen, k)
        if kept is not None:
            pairs = list(zip(scores[i][best].tolist(), best.tolist(), strict=True))
            kept.put(row, pairs, pairs[-1] if len(pairs) == m else (0.0, -1))


def related_papers(papers: Sequence[Paper], k: int) -> dict[str, tuple[str, ...]]:
    """For every paper's slug, the slugs of up to `k` most similar other papers, best first."""
    return related_with_space(papers, k)[0]


def related_with_space(papers: Sequence[Paper], k: int, on_fit: Callable[[Fitted], None] | None = None,
                       counted: Counts | None = None, on_counts: Callable[[Counts], None] | None = None
                       ) -> tuple[dict[str, tuple[str, ...]], Fitted | None]:
    """Related papers and the fitted space; `on_fit` is handed the space as soon as it is fitted
    (before the products, which take longer). `counted`, `on_counts`: see `fit`."""
    ordered = sorted(papers, key=lambda p: p.slug)
    slugs = [p.slug for p in ordered]
    k = min(k, len(ordered) - 1)
    if k <= 0:
        return {slug: () for slug in slugs}, None
    try:
        fitted = fit(ordered, counted, on_counts)
    except ValueError:  # an empty vocabulary: nothing is related to anything
        return {slug: () for slug in slugs}, None
    if on_fit is not None:
        on_fit(fitted)
    return _all_rows(fitted, k), fitted


def _all_rows(fitted: Fitted, k: int) -> dict[str, tuple[str, ...]]:
    """Every row's neighbours in a fitted space, its floors and best papers kept in it."""
    n = len(fitted.slugs)
    fitted.floors = np.full(n, np.nan)
    fitted.kept = Kept.empty(n, min(RESERVE * k, n - 1))
    return all_neighbours(fitted.matrix, fitted.slugs, k, fitted.floors, fitted.kept)


def all_neighbours(matrix: sparse.csr_matrix, slugs: Sequence[str], k: int,
                   floors: np.ndarray | None = None, kept: Kept | None = None) -> dict[str, tuple[str, ...]]:
    """`neighbours` of every row, the rows shared out among the machine's CPUs (parallel.py)."""
    n = len(slugs)

    def share(rows: list[int]) -> list[tuple]:
        mine = np.full(n, np.nan)
        best = Kept.empty(n, kept.size) if kept is not None else None
        found = neighbours(matrix, slugs, k, rows, mine, best)
        if best is None:
            return [(found[slugs[row]], float(mine[row]), None) for row in rows]
        return [(found[slugs[row]], float(mine[row]), (best.rows[row], best.scores[row], best.bound_score[row],
                                                        best.bound_row[row])) for row in rows]

    found = map_shares(share, list(range(n)), what="related papers")
    if floors is not None:
        floors[:] = [floor for _, floor, _ in found]
    if kept is not None and found:
        kept.rows[:] = np.stack([part[0] for _, _, part in found])
        kept.scores[:] = np.stack([part[1] for _, _, part in found])
        kept.bound_score[:] = [part[2] for _, _, part in found]
        kept.bound_row[:] = [part[3] for _, _, part in found]
    return dict(zip(slugs, (listed for listed, _, _ in found), strict=True))


def _unchanged_rows(before: Fitted, after: Fitted) -> np.ndarray:
    """Per row, whether it holds the same terms with the same weights, in the same order, in both
    spaces (same papers): the products of two such rows are then the same to the last bit."""
    column_of_term = dict(before.terms)
    old_column = np.full(len(after.terms), -1, dtype=np.int64)  # after's column -> before's column (-1: new)
    for term, column in after.terms.items():
        old_column[column] = column_of_term.get(term, -1)
    old, new = before.matrix, after.matrix
    lengths = np.diff(new.indptr)
    same = np.diff(old.indptr) == lengths
    # Entry by entry over the rows of equal length (their entries, in order, in both matrices).
    rows = np.flatnonzero(same)
    owner = np.repeat(rows, lengths[rows])
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(lengths[rows]) - lengths[rows], lengths[rows])
    old_at, new_at = old.indptr[owner] + offset, new.indptr[owner] + offset
    differs = (old.indices[old_at] != old_column[new.indices[new_at]]) | (old.data[old_at] != new.data[new_at])
    same[owner[differs]] = False
    return same


def refresh(previous: Fitted, previous_result: dict[str, tuple[str, ...]], papers: Sequence[Paper], k: int,
            on_fit: Callable[[Fitted], None] | None = None, counted: Counts | None = None,
            on_counts: Callable[[Counts], None] | None = None) -> tuple[dict[str, tuple[str, ...]], Fitted | None, int]:
    """Exactly `related_with_space(papers, k)`, computed from a previous full computation (its space
    with floors and scores, and its result) after some papers were edited: the space is fitted
    again, but only the rows whose weights changed are multiplied with every row. An unchanged
    row's scores with unchanged rows are the previous ones to the last bit; its list is made
    again from those and its scores with the changed rows, and in full when a listed paper fell
    so far that a paper it never kept might now come in. Anything else (papers added or removed,
    another k) is a full computation. Also returns how many rows were multiplied with every row."""
    ordered = sorted(papers, key=lambda p: p.slug)
    slugs = [p.slug for p in ordered]
    k_used = min(k, len(ordered) - 1)
    kept = previous.kept
    if (previous.slugs != slugs or kept is None or previous.floors is None or k_used <= 0
            or kept.size != min(RESERVE * k_used, len(slugs) - 1)):
        return *related_with_space(papers, k, on_fit, counted, on_counts), len(slugs)
    try:
        fitted = fit(ordered, counted, on_counts)
    except ValueError:
        return {slug: () for slug in slugs}, None, 0
    if on_fit is not None:
        on_fit(fitted)
    n, m = len(slugs), kept.size
    same = _unchanged_rows(previous, fitted)
    changed = np.flatnonzero(~same)
    fitted.floors, fitted.kept = previous.floors.copy(), kept.copy()
    result = dict(previous_result)
    # The changed rows' lists in full; and for every other row, the m best changed rows that
    # reach it (a changed row's products are every other row's scores with it). Shared out
    # among the CPUs when there are several blocks of them.
    share = functools.partial(_changed_rows_share, fitted.matrix, slugs, k_used, m)
    share_count = min(parallel.workers(), -(-len(changed) * n // BLOCK_CELLS))
    shares = (parallel.split(list(changed), share_count) if share_count > 1 and parallel.worth_forking(n)
              else [list(changed)])
    parts = parallel.each_share(share, shares, what="related papers")
    best_score = np.full((n, m), -np.inf)
    best_row = np.full((n, m), n, dtype=np.int64)
    for rows, (lists, floors, part, part_score, part_row) in zip(shares, parts, strict=True):
        result.update(lists)
        fitted.floors[rows] = floors
        fitted.kept.place(np.asarray(rows, dtype=np.int64), part)
        _merge_best(best_score, best_row, part_score, part_row, m)
    again: list[int] = []
    for row in np.flatnonzero(same):
        known = [int(j) for j in kept.rows[row] if j >= 0]
        if best_score[row, 0] == -np.inf and all(same[j] for j in known):
            continue  # nothing it kept moved, and no changed paper reaches it
        # Its scores with unchanged papers are those of the last computation; every paper it did
        # not keep ranks after its bound, and every changed paper not among the m best after the m-th.
        ranked = sorted([(float(kept.scores[row, place]), j) for place, j in enumerate(known) if same[j]]
                        + [(float(score), int(j)) for score, j in zip(best_score[row], best_row[row], strict=True)
                           if score > 0], key=lambda pair: (-pair[0], pair[1]))
        bound = (float(kept.bound_score[row]), int(kept.bound_row[row]))
        if best_score[row, m - 1] > 0:
            bound = min(bound, (float(best_score[row, m - 1]), int(best_row[row, m - 1])),
                        key=lambda pair: (-pair[0], pair[1]))
        sure = [pair for pair in ranked if (-pair[0], pair[1]) <= (-bound[0], bound[1])][:m]
        if len(sure) < k_used and bound[0] > 0:
            again.append(int(row))  # a paper it never kept might come in now
            continue
        result[slugs[row]] = tuple(slugs[j] for _, j in sure[:k_used])
        fitted.floors[row] = sure[k_used - 1][0] if len(sure) >= k_used else 0.0
        fitted.kept.put(row, sure, sure[-1] if len(sure) == m else bound)
    if again:
        result.update(neighbours(fitted.matrix, slugs, k_used, again, fitted.floors, fitted.kept))
    return {slug: result[slug] for slug in slugs}, fitted, len(changed) + len(again)


def _keep_best(best_score: np.ndarray, best_row: np.ndarray, scores: np.ndarray, rows: np.ndarray, k: int) -> None:
    """Merge into each row's k best (score > 0; by score, then the smaller row) the columns of
    `scores` (n x len(rows)), which are its scores with `rows`."""
    scores = np.where(scores > 0, scores, -np.inf)
    n, width = scores.shape
    if width > k:
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        kth = scores[np.arange(n)[:, None], top].min(axis=1)
        ties = np.flatnonzero(((scores >= kth[:, None]) & (scores > -np.inf)).sum(axis=1) > k)
    else:
        top = np.broadcast_to(np.arange(width), (n, width))
        ties = np.zeros(0, dtype=np.int64)
    new_score = np.take_along_axis(scores, top, axis=1)
    new_row = np.where(new_score > -np.inf, rows[top], n)
    for r in ties:  # equal scores at the k-th place: the smaller rows, as a full computation takes them
        candidates = np.flatnonzero(scores[r] >= kth[r])
        order = candidates[np.lexsort((rows[candidates], -scores[r, candidates]))][:k]
        new_score[r], new_row[r] = scores[r, order], rows[order]
    _merge_best(best_score, best_row, new_score, new_row, k)


def _merge_best(best_score: np.ndarray, best_row: np.ndarray, new_score: np.ndarray, new_row: np.ndarray,
                k: int) -> None:
    all_score = np.concatenate([best_score, new_score], axis=1)
    all_row = np.concatenate([best_row, new_row], axis=1)
    order = np.lexsort((all_row, -all_score), axis=1)[:, :k]
    best_score[:] = np.take_along_axis(all_score, order, axis=1)
    best_row[:] = np.take_along_axis(all_row, order, axis=1)


def _changed_rows_share(matrix: sparse.csr_matrix, slugs: Sequence[str], k: int, m: int, rows: list[int]) -> tuple:
    """For `refresh`: these changed rows' lists, floors and kept papers, and every row's m best among them."""
    n = len(slugs)
    rows_array = np.asarray(rows, dtype=np.int64)
    lists: dict[str, tuple[str, ...]] = {}
    floors, kept = np.full(n, np.nan), Kept.empty(n, m)
    best_score, best_row = np.full((n, m), -np.inf), np.full((n, m), n, dtype=np.int64)
    for chunk, scores in _blocks(matrix, rows_array):
        _choose(chunk, scores, k, slugs, lists, floors, kept)
        _keep_best(best_score, best_row, scores.T, chunk, m)
    return lists, floors[rows_array], kept.take(rows_array), best_score, best_row


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
