"""Near-identical titles: pairs close enough to be the same paper, found without comparing
every pair (validate and import both use this at tens of thousands of papers)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from paper_collection.parallel import map_shares

NEAR_DUPLICATE_SCORE = 95  # rapidfuzz ratio on normalised titles; below this titles just look alike

_SEGMENT = 5  # characters per segment of the near-duplicate filter
_BUCKET = 8  # positions per bucket of its index
_LOW = 0xFFFFFFFF  # the low 32 bits of an index entry: a title's number; the high 32: a hash
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
    """Where each segment of each title is: for each (segment, position // _BUCKET) of every title,
    one 64-bit entry, the pair's hash (32 bits) above the title's number (32 bits), all in one
    array sorted in place before the first query (8 bytes a segment, and no copy to sort it: a
    dict of lists took 6 times the memory). Titles are numbered in the order they are added. Two
    pairs with one hash only add candidates, which are all compared anyway. Candidates whose length
    differs by more than a match's edits can change are dropped before they are compared."""

    def __init__(self, titles: Iterable[str] = ()) -> None:
        self.count = 0
        self._added = array("Q")  # entries of the titles added since the last sort
        self._lengths = array("i")  # each title's length, by title number
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None  # see `_lookup`
        self._sorted_count = 0  # titles in `_sorted`
        for title in titles:
            self.add(title)

    def add(self, title: str) -> None:
        size, bucket, number = _SEGMENT, _BUCKET, self.count
        self._added.extend([(hash((title[p:p + size], p // bucket)) & _LOW) << 32 | number
                            for p in range(len(title) - size + 1)])
        self._lengths.append(len(title))
        self.count += 1

    def _lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """(entries sorted, each title's length by number), with the titles added since the last call."""
        if self._sorted is None or self._sorted_count != self.count:
            # A view of the array's own memory (the array lives on as its base), sorted in place.
            entries = np.frombuffer(self._added, dtype=np.uint64) if self._added else np.zeros(0, np.uint64)
            if self._sorted is not None and len(self._sorted[0]):
                entries = np.concatenate([self._sorted[0], entries])
            self._added = array("Q")
            entries.sort()
            self._sorted = entries, np.array(self._lengths, dtype=np.int32)
            self._sorted_count = self.count
        return self._sorted

    def candidates(self, query: str, slack: float):
        size, bucket = _SEGMENT, _BUCKET
        reach = int(2 * slack * len(query) / (1 - slack)) + 1  # the most edits a match can need
        starts = range(0, len(query) - size + 1, size)
        if len(starts) <= reach:  # too short to filter: compare with every title
            return range(self.count)
        entries, lengths = self._lookup()
        keys, owner = [], []  # (segment, bucket) hashes near each segment's place, and which segment
        for s, p in enumerate(starts):
            for b in range((p - reach) // bucket, (p + reach) // bucket + 1):
                keys.append((hash((query[p:p + size], b)) & _LOW) << 32)
                owner.append(s)
        wanted = np.array(keys, dtype=np.uint64)
        low, high = np.searchsorted(entries, wanted, "left"), np.searchsorted(entries, wanted | _LOW, "right")
        # Any reach + 1 segments are exact; the ones with the fewest titles near their place are fastest.
        sizes = np.bincount(np.array(owner), weights=high - low, minlength=len(starts))
        chosen = set(np.argsort(sizes, kind="stable")[:reach + 1].tolist())
        parts = [entries[lo:hi] for lo, hi, s in zip(low.tolist(), high.tolist(), owner, strict=True)
                 if s in chosen and hi > lo]
        if not parts:
            return []
        found = np.unique((np.concatenate(parts) & _LOW).astype(np.int64))
        # A match is at most `reach` characters longer or shorter (each edit changes the length by one).
        return found[np.abs(lengths[found] - len(query)) <= reach].tolist()
