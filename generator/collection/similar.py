"""Near-identical titles: pairs close enough to be the same paper, found without comparing
every pair (validate and import both use this at tens of thousands of papers)."""

from __future__ import annotations

from collections import Counter, defaultdict

from rapidfuzz import fuzz, process

NEAR_DUPLICATE_SCORE = 95  # rapidfuzz ratio on normalised titles; below this titles just look alike

_SEGMENT = 5  # characters per segment of the near-duplicate filter
_BUCKET = 8  # positions per bucket of its index
_ALL_PAIRS_UP_TO = 4_000_000  # comparing every pair is faster than building the filter's index


MATCHES_PER_TITLE = 3  # a title close to dozens of others is a pattern, not a duplicate to list


def similar_pairs(queries: list[str], titles: list[str], cutoff: float = NEAR_DUPLICATE_SCORE,
                  limit: int | None = MATCHES_PER_TITLE) -> list[tuple[int, int]]:
    """(i, j) with ``fuzz.ratio(queries[i], titles[j]) >= cutoff`` and different texts: for each
    query its `limit` best matches (all of them with limit=None).

    Exact, and fast when both lists are long (10,000 x 10,000 titles in about a second instead of
    10 s for all pairs): two texts that close are at most D = (1 - cutoff/100) * (la + lb)
    insertions/deletions apart, and each edit breaks at most one of a's disjoint segments, so any
    D + 1 of them include one that b holds unchanged, within D positions of where a has it. Only
    titles that share one of the query's D + 1 rarest segments near its position are compared.
    Candidates are produced one query at a time, so memory stays bounded even when thousands of
    titles look alike."""
    if len(queries) * len(titles) <= _ALL_PAIRS_UP_TO:
        candidates = (range(len(titles)) for _ in queries)
    else:
        candidates = _candidates(queries, titles, 1 - cutoff / 100)
    pairs = []
    for i, (query, columns) in enumerate(zip(queries, candidates, strict=True)):
        columns = list(columns)
        found = process.extract(query, [titles[j] for j in columns], scorer=fuzz.ratio, score_cutoff=cutoff,
                                limit=None)
        found = [(choice, score, k) for choice, score, k in found if choice != query]
        found.sort(key=lambda item: (-item[1], columns[item[2]]))
        pairs += [(i, columns[k]) for _, _, k in (found if limit is None else found[:limit])]
    return sorted(pairs)


def _candidates(queries: list[str], titles: list[str], slack: float):
    size, bucket = _SEGMENT, _BUCKET
    index: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    frequency: Counter[str] = Counter()
    for j, title in enumerate(titles):
        grams = [title[p:p + size] for p in range(len(title) - size + 1)]
        frequency.update(grams)
        for p, gram in enumerate(grams):
            index[gram, p // bucket].append(j)
    for query in queries:
        reach = int(2 * slack * len(query) / (1 - slack)) + 1  # the most edits a match can need
        segments = [(query[p:p + size], p) for p in range(0, len(query) - size + 1, size)]
        if len(segments) <= reach:  # too short to filter: compare with every title
            yield range(len(titles))
            continue
        chosen = sorted(segments, key=lambda item: frequency[item[0]])[:reach + 1]
        yield sorted({j for text, p in chosen for b in range((p - reach) // bucket, (p + reach) // bucket + 1)
                      for j in index.get((text, b), ())})
