"""The collection map (/map/): every paper as a point, placed by the similarity of its title and
abstract, made at build time.

Layout: the TF-IDF rows related papers use (`related.fit`; the very matrix when related papers
were computed in the same build, see `cache.recent_space`), reduced to `DIMENSIONS` with
TruncatedSVD, then t-SNE (openTSNE: exact nearest neighbours, PCA initialisation, FFT-accelerated
gradients, a shortened schedule; the figures are in benchmarks/README.md, "Map"). Deterministic:
papers in slug order, fixed random states, one thread for BLAS and openTSNE, and coordinates
rounded to an integer grid, so the same collection gives the same bytes (on the same machine and
library versions: floating point may differ across CPUs).

Output: `map/points.json`, integer coordinates (x, y of each paper, as fixed-width base-64 digits,
`points_of` reads them) in the order of the explorer's data
(`explore/facets.json` and its title chunks, newest first: `explore_files` and `map_files` are both
given `model.newest`), whose facets and titles map.js reads; plus the tag colours. The layout is
cached like related papers, keyed by every paper's slug, title and abstract.
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from paper_collection.collection.paper import Paper
from paper_collection.site import cache
from paper_collection.site.explore import decode_column, encode_column
from paper_collection.site.related import Fitted, fit

log = logging.getLogger("mkdocs.plugins.paper-collection")

MAP = "map"
PAGE = f"{MAP}/index.md"
DATA = f"{MAP}/points.json"
LAYOUT_VERSION = 3  # bump when the layout's algorithm or parameters change (a new cache key); 3: the
# TF-IDF columns in alphabetical order (the SVD's random projection meets the terms in another order)
DIMENSIONS = 50  # TruncatedSVD components before t-SNE
# Power iterations of the randomized SVD: one keeps as many of each paper's TF-IDF neighbours on the map
# as four, in two thirds of the time (benchmarks/README.md, "Map")
SVD_ITERATIONS = 1
PERPLEXITY = 15  # better neighbourhoods than the usual 30 here, and faster (benchmarks/README.md, "Map")
EXAGGERATION_ITERATIONS = 50  # early exaggeration phase (openTSNE's default is 250)
ITERATIONS = 100  # the phase after it (default 500): enough with PCA initialisation, see benchmarks/README.md
FFT_FROM = 3_000  # papers from which FFT gradients beat Barnes-Hut (fixed cost per iteration, linear growth)
PREVIEW_SHARE = 0.01  # `serve` patches the last layout while at most this share of papers is new
GRID = 4096  # coordinates are integers in [0, GRID): 4 digits each in the data file

# Tag colours, light and dark. Each has at least 3:1 contrast with Material's background in its
# scheme (WCAG 1.4.11; tests/test_map.py checks it). The most common tags get a colour of their own,
# the others share OTHER; the legend names each colour's tags, and every point's tooltip its tags.
PALETTE = {
    "light": ["#1f5fbf", "#c0392b", "#1e7b34", "#7b3fb5", "#b35900", "#00796b", "#ad1457", "#5d6d00"],
    "dark": ["#6ea8ff", "#ff7b72", "#56d364", "#c297ff", "#ffa657", "#39c5bb", "#ff7eb6", "#d4c84a"],
}
OTHER = {"light": "#6b7280", "dark": "#9ea4b0"}
BACKGROUND = {"light": "#ffffff", "dark": "#1e2129"}  # Material's default and slate page backgrounds


def _spread(count: int) -> np.ndarray:
    """Points on a circle: the layout of a collection too small or too dissimilar for t-SNE."""
    angles = 2 * np.pi * np.arange(count) / max(count, 1)
    return np.column_stack([np.cos(angles), np.sin(angles)]) if count > 1 else np.zeros((count, 2))


def embed(matrix) -> np.ndarray:
    """2-D coordinates for the rows of a (sparse, L2-normalised) TF-IDF matrix."""
    from openTSNE import TSNEEmbedding, affinity, initialization
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    count, terms = matrix.shape
    if count < 4 or terms < 3:  # t-SNE needs a few papers, and PCA initialisation two components
        return _spread(count)
    # BLAS threads may change the last bits of the SVD; degenerate input (papers with the same words)
    # divides by zero on the way, which is checked below rather than printed.
    with threadpool_limits(limits=1), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        components = min(DIMENSIONS, terms - 1, count - 1)
        reduced = TruncatedSVD(components, algorithm="randomized", n_iter=SVD_ITERATIONS,
                               random_state=0).fit_transform(matrix)
        # Unit rows: Euclidean distance then orders pairs as cosine similarity does, and a paper
        # with no shared term (a zero row) is equally far from all, instead of a NaN.
        reduced = normalize(reduced)
        perplexity = min(PERPLEXITY, (count - 1) / 3)
        similarities = affinity.PerplexityBasedNN(reduced, perplexity=perplexity, metric="euclidean",
                                                  method="exact", n_jobs=1, random_state=0)
        start = initialization.pca(reduced, random_state=0)
        if not np.isfinite(start).all():  # no spread to start from: a fixed random start instead
            start = initialization.random(reduced, random_state=0)
        embedding = TSNEEmbedding(start, similarities, negative_gradient_method="fft" if count >= FFT_FROM else "bh",
                                  n_jobs=1, random_state=0)
        embedding = embedding.optimize(n_iter=EXAGGERATION_ITERATIONS, exaggeration=12, momentum=0.5)
        embedding = embedding.optimize(n_iter=ITERATIONS, momentum=0.8)
    points = np.asarray(embedding, dtype=np.float64)
    return points if np.isfinite(points).all() else _spread(count)


def to_grid(points: np.ndarray) -> np.ndarray:
    """Scale to the integer grid, the same factor on both axes (distances keep their meaning), centred."""
    if not len(points):
        return np.zeros((0, 2), dtype=np.int64)
    low, high = points.min(axis=0), points.max(axis=0)
    span = float((high - low).max())
    if span == 0:
        return np.full(points.shape, GRID // 2, dtype=np.int64)
    scale = (GRID - 1) / span
    offset = ((GRID - 1) - (high - low) * scale) / 2
    return np.rint((points - low) * scale + offset).astype(np.int64)


def layout(papers: Sequence[Paper], space: Fitted | None = None) -> dict[str, tuple[int, int]]:
    """slug -> (x, y) on the grid, for every paper. `space`: the TF-IDF space already fitted on
    exactly these papers, if any (else it is fitted here)."""
    ordered = sorted(papers, key=lambda p: p.slug)
    slugs = [p.slug for p in ordered]
    if space is None or space.slugs != slugs:
        try:
            space = fit(ordered) if len(ordered) > 1 else None
        except ValueError:  # no term shared by two papers: nothing to place them by
            space = None
    points = embed(space.matrix) if space is not None else _spread(len(ordered))
    grid = to_grid(points)
    return {slug: (int(x), int(y)) for slug, (x, y) in zip(slugs, grid, strict=True)}


def layout_key(papers: Sequence[Paper]) -> str:
    ordered = sorted(papers, key=lambda p: p.slug)
    settings = (LAYOUT_VERSION, DIMENSIONS, SVD_ITERATIONS, PERPLEXITY, EXAGGERATION_ITERATIONS, ITERATIONS,
                FFT_FROM, GRID, metadata.version("openTSNE"))
    return cache.texts_digest(f"map-{settings}", ordered)


def _read(path: Path) -> dict[str, tuple[int, int]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {slug: (int(x), int(y)) for slug, (x, y) in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def preview_layout(previous: Mapping[str, tuple[int, int]], papers: Sequence[Paper],
                   related: Mapping[str, Sequence[str]]) -> dict[str, tuple[int, int]] | None:
    """For `serve` only: the last layout with a few papers added, each placed beside the first of its
    related papers that has a place (edited papers keep theirs); None when more than
    `PREVIEW_SHARE` of the papers are new. A build always lays the whole collection out again."""
    new = [p.slug for p in sorted(papers, key=lambda p: p.slug) if p.slug not in previous]
    if len(new) > max(1, PREVIEW_SHARE * len(papers)):
        return None
    result = {p.slug: previous[p.slug] for p in papers if p.slug in previous}
    for offset, slug in enumerate(new, 1):
        beside = next((result[other] for other in related.get(slug, ()) if other in result), (GRID // 2, GRID // 2))
        result[slug] = (min(GRID - 1, beside[0] + 8 * offset), beside[1])
    return result


def cached_layout(root: Path | None, papers: Sequence[Paper], *, preview: bool = False,
                  related: Mapping[str, Sequence[str]] | None = None) -> dict[str, tuple[int, int]]:
    """`layout(papers)`, read from the cache while no slug, title or abstract changed. `preview`
    (`serve`): after a small change, the last layout patched by `preview_layout` instead."""
    start = time.perf_counter()
    if root is None or os.environ.get("PAPER_COLLECTION_NO_CACHE"):
        return layout(papers, cache.recent_space(papers))
    folder = cache.cache_dir(root)
    name = f"map-{layout_key(papers)}.json"
    cached = _read(folder / name)
    if cached is not None:
        log.info("paper-collection: map layout reused from the cache")
        return cached
    if preview and related is not None:
        for path in sorted(folder.glob("map-*.json")):
            previous = _read(path)
            patched = preview_layout(previous, papers, related) if previous is not None else None
            if patched is not None:
                log.info("paper-collection: map layout of the last build, new papers beside related ones (preview)")
                return patched
    log.info("paper-collection: placing %d papers on the map ...", len(papers))
    result = layout(papers, cache.recent_space(papers))
    cache.store_entry(folder, name, json.dumps(result, separators=(",", ":")), prefix="map-")
    log.info("paper-collection: map layout computed in %.1f s", time.perf_counter() - start)
    return result


def tag_colours(newest: Sequence[Paper], tags: Sequence[str]) -> tuple[list[str], dict[str, int]]:
    """Which tags get a colour of their own: the most common first tags (ties: taxonomy order).
    Returns those tags in colour order and tag -> colour index for every tag (len(palette) = other)."""
    known = {name: i for i, name in enumerate(tags)}
    firsts = Counter(next((t for t in p.tags if t in known), None) for p in newest)
    firsts.pop(None, None)
    size = len(PALETTE["light"])
    coloured = sorted(firsts, key=lambda t: (-firsts[t], known[t]))[:size]
    index = {name: size for name in tags}
    index.update({name: i for i, name in enumerate(coloured)})
    return coloured, index


def map_data(newest: Sequence[Paper], positions: Mapping[str, tuple[int, int]], tags: Sequence[str],
             explore_version: str) -> dict:
    """What map.js reads: coordinates in the explorer data's order (`explore_version` names that
    data), and each tag's colour index."""
    coloured, index = tag_colours(newest, tags)
    # x, y of each paper as fixed-width base-64 digits (explore.py's columns): 4 characters a point
    # on the 4096 grid, against about 10 as JSON numbers (490 KB at 50,000 papers)
    points = encode_column([value for p in newest for value in positions[p.slug]])
    return {"explore": explore_version, "grid": GRID, "palette": PALETTE, "other": OTHER,
            "colour": [index[name] for name in tags], "coloured": coloured, "points": points}


def points_of(data: Mapping, count: int) -> list[int]:
    """map_data's coordinates of `count` papers as numbers again, x and y of each in turn (as map.js
    reads them)."""
    return decode_column(data["points"], 2 * count)


def map_files(root: Path | None, newest: Sequence[Paper], tags: Sequence[str], explore_version: str, *,
              preview: bool = False, related: Mapping[str, Sequence[str]] | None = None) -> dict[str, bytes]:
    """{path inside the site: bytes}: the map's data file."""
    data = map_data(newest, cached_layout(root, newest, preview=preview, related=related), tags, explore_version)
    return {DATA: json.dumps(data, separators=(",", ":")).encode()}


def render_page(env, count: int, url: Callable[[str], str]) -> str:
    """The page's text: what the map is, and without JavaScript a way to the same papers."""
    return env.get_template("map.html").render(count=count, explore_url=url("explore/"))
