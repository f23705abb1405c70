"""MkDocs plugin `paper-search`: a prebuilt, sharded lunr index of the paper collection.

Replaces Material's `search` plugin. Material (9.x) ships `search_index.json` (every page's
text) and builds a lunr index from it in the browser on every page load: the download and the
indexing grow with the collection (3-4 s and 10 MB at 5,000 papers), and Material dropped its
`prebuild_index` option. Here the index is built once, at build time, and split so that a
query only downloads what it needs:

- the documents are the site model's (`model.SiteModel.search_documents`, obtained through
  the build's `session.BuildSession`: the same model the `paper-collection` plugin renders from, never read
  from that plugin);
- documents are papers only, with the fields that matter: title (boost 10), tags and authors
  (boost 3), abstract (boost 1). Terms come from lunr's own pipeline (lunr.py: tokenizer,
  trimmer, English stop words, Porter stemmer) and each (term, paper) weight is lunr's BM25
  field score (k1 1.2, b 0.75, field boosts, rounded as lunr rounds), summed over fields.
  Ranking by the sum of these weights is exactly lunr's ranking for a query of those terms
  (lunr's query-vector normalisation is the same for every document of one query); the browser
  ranks by it after the known-item keys (query words held, in the title or first author, in
  order: see paper-search.js's `score`). Terms are stemmed with lunr.js's rule, as queries are.
- `search/paper-search.json`: small manifest (shard boundaries, chunk size, tag titles).
- `search/terms/N.json`: the postings of a contiguous range of sorted terms (about 16 KB),
  `{term: [doc-delta, value, doc-delta, value, ...]}`, value = weight x10 (an integer) x 64
  + 32 if the term is in the first author's name + where the term first occurs in the title (1 for
  the title's first term, at most 31; 0: not in the title). The browser ranks a paper whose title
  (or first author) holds the query's words, in the query's order, above papers that only share
  the words: at 50,000 papers thousands share a query's words, and the summed BM25 weights alone
  put a long abstract full of them, or a paper with a Li among twenty authors, first.
  A query fetches only the shards holding its terms (and, for the word being typed, the
  shards holding terms with that prefix).
- `search/docs/N.json`: what a result shows, `[slug, title, [tags], snippet]`, in chunks of
  `chunk` papers, fetched only for the results on screen.

The browser side (`generator/theme/assets/javascripts/search/paper-search.js`) loads lunr.js
lazily for its query pipeline (the same stemmer and stop words), queues what is typed before
the manifest has arrived, and renders results into Material's search box as text.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import time
from collections import Counter
from itertools import chain
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from paper_collection.site import session
from paper_collection.site.cache import content_key
from paper_collection.site.model import SiteModel
from paper_collection.site.stopping import stop_point

log = logging.getLogger("mkdocs.plugins.paper-search")
FORMAT = 2  # 2: postings carry the title position and the first author mark (see above)
VERSION = 2  # of the per-paper term counts kept in the cache: bump when the Analyzer changes
K1, B = 1.2, 0.75
# lunr's tokenizer separator, and the slash: "CSCW/HCI", "male/female" are two words each to a reader
# (paper-search.js splits queries the same way)
SEPARATOR = re.compile(r"[\s\-/]+")
POSITIONS = 64  # a posting's value = weight x10 x POSITIONS + FIRST_AUTHOR? + 1 + title position
FIRST_AUTHOR = 32  # the term is in the first author's name
TITLE_LAST = 31  # title positions past 30 are written as 31 (0: not in the title)
TITLE_AT = "title_at"  # a document's counts: {term: its first position among the title's terms}
FIRST_AT = "first_author"  # a document's counts: the terms of its first author's name


class PaperSearchConfig(Config):
    enabled = c.Type(bool, default=True)
    lang = c.Type(str, default="en")  # accepted for symmetry with Material's plugin; English only
    title_boost = c.Type(int, default=10)
    tags_boost = c.Type(int, default=3)
    authors_boost = c.Type(int, default=3)
    abstract_boost = c.Type(int, default=1)
    # target size of one term shard, and papers per result-document chunk: a query fetches a shard
    # per word and a chunk per result on screen (at 50,000 real papers, 16 KB and 8 bring a first
    # query to 103 KB median, 152 KB max, from 24 KB and 16: 138 KB, 168 KB; the manifest grows
    # from 14 to 23 KB; benchmarks/README.md, "Known-item search at 50,000 papers")
    shard_bytes = c.Type(int, default=16_000)
    chunk = c.Type(int, default=8)
    snippet = c.Type(int, default=140)  # characters of abstract shown under a result


class _HeaderSwitch:
    """Material's header renders the search box only when `material/search` is a plugin with
    `config.enabled`. This stand-in is put into `config.plugins` without registering any event,
    so the box (our partials/search.html) appears while Material's indexing never runs."""

    def __init__(self, config):
        self.config = config


class PaperSearchPlugin(BasePlugin[PaperSearchConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        # Used only on a site without the paper-collection plugin, which otherwise keeps them (session.of).
        self.session: session.BuildSession | None = None
        self.projects: dict[Path, session.Project] = {}

    def on_config(self, config):
        if self.config.enabled and "material/search" not in config.plugins:
            dict.__setitem__(config.plugins, "material/search", _HeaderSwitch(self.config))
        # The index depends on the site model only, not on its related papers: it is written while
        # they are computed and the pages are written (in a worker process for a large collection;
        # the paper-collection plugin waits for it in on_post_build).
        self.started = False
        if self.config.enabled:
            session.of(config, self).when_model_is_made(functools.partial(self._write, config))
        return config

    def on_env(self, env, config, files):
        if self.config.enabled and not self.started:  # no model was made (the paper-collection plugin is off)
            self._write(config)
        return env

    def _write(self, config):
        self.started = True
        # The paper-collection plugin's session for this build (this plugin's own on a site without it).
        build = session.of(config, self)
        model = build.model()
        memo = build.memo_for()

        def work() -> dict:
            start = time.perf_counter()
            stats = write_index(Path(config.site_dir) / "search", model, self.config, memo)
            return {**stats, "seconds": time.perf_counter() - start}

        def report(stats: dict) -> None:
            for key, counts in stats["memo"].items():
                memo.put("search", key, counts)
            log.info("paper-search: indexed %d papers in %.2f s (%d from the cache): %d terms in %d shards, %d bytes",
                     len(model.papers), stats["seconds"], stats["reused"], stats["terms_count"],
                     stats["shards"], stats["manifest"] + stats["terms"] + stats["docs"])

        build.in_background("the search index", work, report)


# -- index -------------------------------------------------------------------------------
_LEADING, _TRAILING = re.compile(r"^\W+", re.ASCII), re.compile(r"\W+$", re.ASCII)


def js_trimmer(token, i=None, tokens=None):
    """lunr.js's trimmer, which the browser runs on queries: strip non-word characters (ASCII
    \\W, as in JavaScript) at both ends. lunr.py's own trimmer leaves a token alone when it has
    non-word characters inside ("<b>x</b>", "e.g."), so such words were never found."""
    return token.update(lambda s, metadata=None: _TRAILING.sub("", _LEADING.sub("", s)))


@functools.cache
def _js_porter():
    """lunr.py's Porter stemmer with lunr.js's step 1c, which the browser runs on queries: lunr.js
    turns a final y into i only after a consonant ("happy" -> "happi", "survey" -> "survey"), lunr.py
    whenever the stem has a vowel ("survey" -> "survei"). With lunr.py's rule every word ending in a
    vowel and y (survey, replay, key, way, Shapley) was indexed under a term no query reached."""
    from lunr.stemmer import PorterStemmer

    class JsPorter(PorterStemmer):
        def step1c(self):
            # lunr.js: /^(.+?[^aeiou])y$/ -> the same with i
            if self.ends("y") and self.j > self.k0 and self.b[self.j] not in "aeiou":
                self.b = self.b[: self.k] + "i" + self.b[self.k + 1:]

    return JsPorter()


def js_stemmer(token, i=None, tokens=None):
    """lunr's stemmer as the browser's lunr.js runs it (see `_js_porter`)."""
    return token.update(_js_porter().stem)


class Analyzer:
    """lunr's indexing pipeline (lunr.py, with lunr.js's trimmer and stemmer: the browser analyses
    queries with lunr.js): lowercase, split on whitespace, hyphens and slashes, trimmer, stop-word filter,
    Porter stemmer; memoised per raw token, as a collection repeats words."""

    def __init__(self):
        from lunr.stop_word_filter import stop_word_filter
        from lunr.token import Token

        self._token, self._steps = Token, (js_trimmer, stop_word_filter, js_stemmer)
        self._cache: dict[str, str | None] = {}

    def term(self, raw: str) -> str | None:
        try:
            return self._cache[raw]
        except KeyError:
            pass
        token = self._token(raw)
        for step in self._steps:
            token = step(token, 0, [token])
            if token is None or not str(token):
                token = None
                break
        result = self._cache[raw] = str(token) if token is not None else None
        return result

    def terms(self, text: str) -> list[str]:
        out = []
        for raw in SEPARATOR.split(text.lower()):
            if raw:
                term = self.term(raw)
                if term:
                    out.append(term)
        return out


def field_counts(analyzer: Analyzer, text: str) -> dict[str, int]:
    """One field's terms (lunr's pipeline) and how often each occurs."""
    term_of, cache = analyzer.term, analyzer._cache
    counts: dict[str, int] = {}
    for raw, tf in Counter(SEPARATOR.split(text.lower())).items():
        term = cache[raw] if raw in cache else term_of(raw)
        if term:
            counts[term] = counts.get(term, 0) + tf
    return counts


def build_postings(fields: list[dict[str, str]], boosts: dict[str, int],
                   counted: list[dict[str, dict[str, int]]] | None = None):
    """lunr's BM25 field scores, summed over fields, for every (term, paper).

    `counted` (optional): each document's `field_counts` per field, when already known (cache).
    Returns (terms, starts, docs, weights): `terms` sorted; the postings of terms[i] are
    docs[starts[i]:starts[i+1]] (ascending) with the matching weights (floats)."""
    import numpy as np

    if counted is None:
        analyzer = Analyzer()
        counted = [{name: field_counts(analyzer, record[name]) for name in boosts} for record in fields]
    n = len(counted)
    vocab: dict[str, int] = {}
    columns = {}
    for name in boosts:
        # Straight into arrays (Python lists of every posting were 0.5 GB at 50,000 papers).
        add = vocab.setdefault
        ids = np.fromiter((add(t, len(vocab)) for document in counted for t in document[name]), dtype=np.int64)
        tfs = np.fromiter(chain.from_iterable(document[name].values() for document in counted), dtype=np.float64,
                          count=len(ids))
        sizes = np.fromiter((len(document[name]) for document in counted), dtype=np.int64, count=n)
        docs = np.repeat(np.arange(n, dtype=np.int64), sizes)
        lengths = np.fromiter((sum(document[name].values()) for document in counted), dtype=np.float64, count=n)
        columns[name] = (ids, tfs, docs, lengths)
    size = len(vocab)
    # lunr.idf counts a document once per field the term occurs in
    df = sum(np.bincount(col[0], minlength=size) for col in columns.values())
    idf = np.log(1 + np.abs((n - df + 0.5) / (df + 0.5)))
    terms = sorted(vocab)
    rank = np.empty(size, dtype=np.int64)
    rank[np.array([vocab[t] for t in terms], dtype=np.int64)] = np.arange(size)
    keys, scores = [], []
    for name, boost in boosts.items():
        ids, tfs, docs, lengths = columns[name]
        average = (lengths.mean() if len(lengths) else 0) or 1.0  # no paper yet: no mean to take
        norm = K1 * (1 - B + B * (lengths[docs] / average))
        scores.append(idf[ids] * ((K1 + 1) * tfs) / (norm + tfs) * boost)
        keys.append(rank[ids] * n + docs)
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    weights = np.bincount(inverse, weights=np.concatenate(scores))
    term_rank, docs = np.divmod(unique, n)
    starts = np.searchsorted(term_rank, np.arange(size + 1))
    return terms, starts, docs, weights


def title_positions(analyzer: Analyzer, title: str) -> dict[str, int]:
    """Where each of the title's terms first occurs among them (0 for the first), stop words left
    out as the query pipeline leaves them out, so "A Survey of Graph Models" puts survey 0, graph 1."""
    at: dict[str, int] = {}
    for position, term in enumerate(analyzer.terms(title)):
        at.setdefault(term, position)
    return at


def posting_positions(counted: list[dict], terms: list[str], starts, docs):
    """For every posting of `build_postings` (term i's postings are docs[starts[i]:starts[i+1]]):
    1 + the term's first position in the paper's title (at most TITLE_LAST; 0 when the title does
    not hold it), plus FIRST_AUTHOR when the first author's name holds it."""
    import numpy as np

    n = len(counted)
    index = {term: i for i, term in enumerate(terms)}
    ranks = np.repeat(np.arange(len(terms), dtype=np.int64), np.diff(starts))
    keys = ranks * n + docs  # ascending, as build_postings made them
    wanted, values = [], []
    for doc, document in enumerate(counted):
        marks = {term: min(position + 1, TITLE_LAST) for term, position in (document.get(TITLE_AT) or {}).items()}
        for term in document.get(FIRST_AT) or ():
            marks[term] = marks.get(term, 0) + FIRST_AUTHOR
        for term, mark in marks.items():
            if term in index:  # a title or author term is always indexed; guard a stale cache entry
                wanted.append(index[term] * n + doc)
                values.append(mark)
    out = np.zeros(len(docs), dtype=np.int64)
    if wanted:
        wanted_keys = np.array(wanted, dtype=np.int64)
        at = np.searchsorted(keys, wanted_keys)
        found = (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == wanted_keys)
        out[at[found]] = np.array(values, dtype=np.int64)[found]
    return out


def document_counts(model: SiteModel, papers, names, memo) -> tuple[list[dict[str, dict[str, int]]], dict, int]:
    """Each paper's term counts per field, from `memo` (cache.Memo, kind "search") when its
    inputs were seen before; returns them, the entries used (a worker hands these back to be
    kept) and how many came from the memo."""
    analyzer = Analyzer()
    counted, made, reused = [], {}, 0
    for paper in papers:
        stop_point()  # a superseded preview stops here (stopping.py)
        key = content_key("search", VERSION, *names, *model.search_inputs(paper))
        counts = memo.get("search", key) if memo is not None else None
        if counts is None:
            record = model.search_document(paper)
            counts = {name: field_counts(analyzer, record[name]) for name in names}
            counts[TITLE_AT] = title_positions(analyzer, record["title"])
            counts[FIRST_AT] = sorted(set(analyzer.terms(paper.authors[0]))) if paper.authors else []
        else:
            reused += 1
        made[key] = counts
        counted.append(counts)
    return counted, made, reused


TEXT_BLOCK = 1 << 18  # postings numbers turned into text at once (`write_index`)


def write_index(out: Path, model: SiteModel, cfg, memo=None) -> dict:
    """Write the manifest, term shards and document chunks under `out`; returns byte counts, and
    under "memo" the cache entries this index used (see `document_counts`)."""
    from paper_collection.site.tex import to_plain

    papers = list(model.papers.values())  # slug order
    boosts = {"title": cfg.title_boost, "tags": cfg.tags_boost, "authors": cfg.authors_boost,
              "abstract": cfg.abstract_boost}
    counted, used, reused = document_counts(model, papers, tuple(boosts), memo)
    terms, starts, docs, weights = build_postings([], boosts, counted)
    (out / "terms").mkdir(parents=True, exist_ok=True)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1()
    sizes = {"terms": 0, "docs": 0}

    def write(path: Path, blob: bytes, kind: str) -> None:
        digest.update(blob)
        path.write_bytes(blob)
        sizes[kind] += len(blob)

    # One term's postings: "doc-delta,value,..." with value = weight x10 as an integer (at least
    # 1) x POSITIONS + the marks of `posting_positions` (title position, first author).
    import numpy as np

    deltas = np.diff(docs, prepend=0)
    deltas[starts[:-1]] = docs[starts[:-1]]
    flat = np.empty(2 * len(docs), dtype=np.int64)
    flat[0::2] = deltas
    flat[1::2] = np.maximum(1, np.rint(weights * 10)).astype(np.int64) * POSITIONS \
        + posting_positions(counted, terms, starts, docs)

    # term shards: contiguous ranges of sorted terms, about `shard_bytes` each
    bounds: list[str] = []
    fragments: list[str] = []
    size = 0

    def flush():
        nonlocal fragments, size
        if fragments:
            write(out / "terms" / f"{len(bounds) - 1}.json", ("{" + ",".join(fragments) + "}").encode(), "terms")
        fragments, size = [], 0

    # The numbers are turned into text a block at a time: all at once, at 50,000 papers, they were
    # 16 million Python strings (1.3 GB) for a moment.
    block_start, numbers = 0, []
    for i, term in enumerate(terms):
        first, end = 2 * int(starts[i]), 2 * int(starts[i + 1])
        if end > block_start + len(numbers):
            block_start, numbers = first, list(map(str, flat[first:max(end, first + TEXT_BLOCK)].tolist()))
        postings = ",".join(numbers[first - block_start:end - block_start])
        fragment = json.dumps(term, ensure_ascii=False) + ":[" + postings + "]"
        if not fragments or size + len(fragment) > cfg.shard_bytes:
            flush()
            bounds.append(term)
        fragments.append(fragment)
        size += len(fragment) + 1
    flush()

    for start in range(0, len(papers), cfg.chunk):
        chunk = []
        for paper in papers[start:start + cfg.chunk]:
            abstract = to_plain(paper.abstract)
            snippet = abstract if len(abstract) <= cfg.snippet else abstract[:cfg.snippet].rsplit(" ", 1)[0] + " …"
            chunk.append([paper.slug, to_plain(paper.title), list(paper.tags), snippet])
        write(out / "docs" / f"{start // cfg.chunk}.json",
              json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode(), "docs")

    manifest = {"format": FORMAT, "version": digest.hexdigest()[:12], "docs": len(papers), "chunk": cfg.chunk,
                "shards": bounds, "tags": model.tag_titles}
    text = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
    (out / "paper-search.json").write_text(text, encoding="utf-8")
    return {"manifest": len(text.encode()), **sizes, "shards": len(bounds), "terms_count": len(terms), "memo": used,
            "reused": reused}
