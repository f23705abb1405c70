"""Near-identical titles: pairs close enough to be the same paper, found without comparing
every pair (validate and import both use this at tens of thousands of papers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from generator.parallel import map_shares

NEAR_DUPLICATE_SCORE = 95  # rapidfuzz ratio on normalised titles; below this titles just look alike

_SEGMENT = 5  # characters per segment of the near-duplicate filter
_BUCKET = 8  # positions per bucket of its index
_ALL_PAIRS_UP_TO = 4_000_000  # comparing every pair is faster than building the filter's index


MATCHES_PER_TITLE = 3  # a title close to dozens of others is a pattern, not a duplicate to list


def similar_pairs(queries: list[str], titles: list[str], cutoff: float = NEAR_DUPLICATE_SCORE,
                  limit: int | None = MATCHES_PER_TITLE, index: TitleIndex | None = None) -> list[tuple[int, int]]:
    """(i, j) with ``fuzz.ratio(queries[i], titles[j]) >= cutoff`` and different texts: for each
    query its `limit` best matches (all of them with limit=None).

    Exact, and fast when both lists are long (10,000 x 10,000 titles in about a second instead of
    10 s for all pairs): two texts that close are at most D = (1 - cutoff/100) * (la + lb)
    insertions/deletions apart, and each edit breaks at most one of a's disjoint segments, so any
    D + 1 of them include one that b holds unchanged, within D positions of where a has it. Only
    titles that share one of the query's D + 1 rarest segments near its position are compared.
    Candidates are produced one query at a time, so memory stays bounded even when thousands of
    titles look alike. Many queries are shared out among forked workers (generator/parallel.py;
    the index is built once, before the fork); the result is the same. ``index``: a `TitleIndex`
    of exactly ``titles``, when the caller built it already (the importer, while records arrive)."""
    if not worth_an_index(len(queries), len(titles)):
        return sorted(_matches(queries, titles, cutoff, limit, range(len(queries)), None))
    if index is None:
        index = TitleIndex(titles)
    elif index.count != len(titles):
        raise ValueError("the index was not built from these titles")

    def share(rows: list[int]) -> list[list[tuple[int, int]]]:
        return [_matches(queries, titles, cutoff, limit, [row], index) for row in rows]

    found = map_shares(share, list(range(len(queries))), what="near-identical titles")
    return sorted(pair for pairs in found for pair in pairs)


def worth_an_index(queries: int, titles: int) -> bool:
    """Whether `similar_pairs` with this many queries and titles uses a `TitleIndex`."""
    return queries * titles > _ALL_PAIRS_UP_TO


def _matches(queries: list[str], titles: list[str], cutoff: float, limit: int | None, rows,
             index: TitleIndex | None) -> list[tuple[int, int]]:
    pairs = []
    slack = 1 - cutoff / 100
    for i in rows:
        query = queries[i]
        columns = list(range(len(titles)) if index is None else index.candidates(query, slack))
        found = process.extract(query, [titles[j] for j in columns], scorer=fuzz.ratio, score_cutoff=cutoff,
                                limit=None)
        found = [(choice, score, k) for choice, score, k in found if choice != query]
        found.sort(key=lambda item: (-item[1], columns[item[2]]))
        pairs += [(i, columns[k]) for _, _, k in (found if limit is None else found[:limit])]
    return pairs


class TitleIndex:
    """Where each segment of each title is: hash((segment, position // _BUCKET)) -> title numbers.
    Titles are numbered in the order they are added. Keyed by the hash (an int) rather than the
    pair, for memory: two pairs with one hash only add candidates, which are all compared anyway."""

    def __init__(self, titles: Iterable[str] = ()) -> None:
        self.count = 0
        self.where: defaultdict[int, list[int]] = defaultdict(list)
        for title in titles:
            self.add(title)

    def add(self, title: str) -> None:
        size, bucket, where, j = _SEGMENT, _BUCKET, self.where, self.count
        for p in range(len(title) - size + 1):
            where[hash((title[p:p + size], p // bucket))].append(j)
        self.count += 1

    def candidates(self, query: str, slack: float):
        size, bucket, where = _SEGMENT, _BUCKET, self.where
        reach = int(2 * slack * len(query) / (1 - slack)) + 1  # the most edits a match can need
        segments = [(query[p:p + size], range((p - reach) // bucket, (p + reach) // bucket + 1))
                    for p in range(0, len(query) - size + 1, size)]
        if len(segments) <= reach:  # too short to filter: compare with every title
            return range(self.count)
        # Any reach + 1 segments are exact; the ones with the fewest titles near their place are fastest.
        lists = [[where.get(hash((text, b)), ()) for b in buckets] for text, buckets in segments]
        lists.sort(key=lambda found: sum(map(len, found)))
        return sorted({j for found in lists[:reach + 1] for titles in found for j in titles})
