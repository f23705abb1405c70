"""On-disk memory of costly per-build results, in the git-ignored `.paper-collection/cache/`,
each keyed by a hash of exactly the content it depends on: a stale entry is never read, it is
simply not found. Losing the folder costs time, never correctness.

- Related papers: keyed by every paper's slug, title and abstract and the number asked for
  (the TF-IDF vocabulary depends on all of them), so they are reused while no title or abstract
  changed (tags, links, dates and authors do not move them). After an edit, the last fitted space
  (`related-space.npz`) lets only the changed rows be computed again, exactly; every paper's term
  counts (`related-counts.npz`, by title and abstract) let the space be fitted again reading only
  the papers whose text is new.
- `Memo`: per-paper results (BibTeX entries, rendered and sanitised paper page bodies), each
  keyed by a hash of everything its output depends on (`content_key`). One file, loaded at the
  start of a build and rewritten at its end with only the entries that build used, so it
  never grows past one collection's worth.

Every file is pure data (JSON, and NumPy arrays saved without pickle; see generator/datafile.py):
the folder may be restored from a CI cache, and reading it must run no code. Files of the older,
pickled kind are never read, and removed when the new ones are written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from paper_collection import datafile
from paper_collection.collection.paper import Paper
from paper_collection.settings import STATE_DIR, code_fingerprint
from paper_collection.site.related import Counts, Fitted, Kept, Weights, refresh, related_with_space, update

log = logging.getLogger("mkdocs.plugins.paper-collection")

VERSION = 5  # bump when related.py's algorithm or its saved state changes
# What older versions kept here, pickled: never read, removed once the new files are written.
LEGACY = ("checks.pickle", "memo.pickle", "related-space.pickle")


def cache_dir(root: Path) -> Path:
    return root / STATE_DIR / "cache"


def checks_file(root: Path) -> Path:
    """Each paper file's last check (validate.CheckMemo)."""
    return cache_dir(root) / "checks.json"


def _digest(parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def related_key(papers: Sequence[Paper], k: int) -> str:
    ordered = sorted(papers, key=lambda p: p.slug)
    return _digest([f"related-v{VERSION}", str(k), *(x for p in ordered for x in (p.slug, p.title, p.abstract))])


REFIT_SHARE = 0.01  # an incremental update refits once this share of papers changed since the last fit


def cached_related(root: Path | None, papers: Sequence[Paper], k: int, *, incremental: bool = False,
                   on_fit: Callable[[], None] | None = None) -> dict[str, tuple[str, ...]]:
    """`related_papers(papers, k)`, read from the cache when the same titles and abstracts were seen.

    `incremental` (the `serve` preview only): when a few papers changed since the last full
    computation, update its result in its fitted space instead (`related.update`): seconds
    instead of a minute at 10,000 papers, slightly different from a full recomputation (see
    benchmarks/README.md). `build` never does this, so a built site depends on its input only;
    it keeps its own fitted space instead, from which the next build computes again only the
    rows an edit changed, with exactly a full computation's result (`related.refresh`).

    `on_fit` is called once a computation's space is fitted and remembered for the map
    (`recent_space`), before the products: work that needs only the space can start."""

    def fitted(space: Fitted) -> None:
        _remember_space(papers, space)
        if on_fit is not None:
            on_fit()

    if root is None or os.environ.get("PAPER_COLLECTION_NO_CACHE"):
        return related_with_space(papers, k, fitted)[0]
    folder = cache_dir(root)
    path = folder / f"related-{related_key(papers, k)}.json"
    space_path = folder / "related-space.npz"
    texts = {p.slug: content_key(p.title, p.abstract) for p in papers} if incremental else {}
    state = (_preview_spaces.get(space_path) or _load_space(space_path)) if incremental else None
    # A preview needs the fitted space of these very papers for its next edit to be a quick
    # update: without it, the result a build stored is not enough (the first preview pays instead).
    if not incremental or (state and state.get("k") == k and state.get("texts") == texts):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return {slug: tuple(found) for slug, found in data.items()}
        except (OSError, ValueError):
            pass
    if state and state.get("k") == k and state.get("space") is not None:
        changed = {slug for slug, text in texts.items() if state["texts"].get(slug) != text}
        drift = state["drift"] + len(changed) + len(set(state["texts"]) - set(texts))
        if drift <= max(1, REFIT_SHARE * len(papers)):
            result, space = update(state["space"], state["result"], papers, changed, k)
            # Kept in memory for this preview session only: writing it took a second per edit, and
            # the file keeps the last full computation, from which a build can refresh exactly.
            _preview_spaces[space_path] = {"k": k, "texts": texts, "result": result, "space": space, "drift": drift}
            return result
    if not incremental:
        state = _load_space(space_path)
    # Each paper's term counts, so that the space is fitted again counting only the papers whose
    # title or abstract is new (written as soon as they are counted, then let go).
    counts_path = folder / "related-counts.npz"
    counted = None if incremental else _load_counts(counts_path)

    def keep_counts(counts: Counts) -> None:
        _store_counts(counts_path, counts)

    if not incremental and state and state.get("k") == k and state.get("drift") == 0 and state.get("space"):
        # The last build's full computation: only the rows whose weights changed are computed
        # again, and the result is exactly a full computation's (`related.refresh`).
        result, space, redone = refresh(state["space"], state["result"], papers, k, fitted, counted, keep_counts)
        log.info("paper-collection: related papers computed again for %d of %d papers, the rest kept from "
                 "the last build", redone, len(papers))
    else:  # `fitted` remembered the space
        result, space = related_with_space(papers, k, fitted, None if incremental else counted,
                                           None if incremental else keep_counts)
    del counted
    _store(folder, path.name, json.dumps(result, separators=(",", ":")), prefix="related-")
    texts = texts or {p.slug: content_key(p.title, p.abstract) for p in papers}
    state = {"k": k, "texts": texts, "result": result, "space": space, "drift": 0}
    _store_space(space_path, state)
    if incremental:
        _preview_spaces[space_path] = state
    return result


_preview_spaces: dict[Path, dict] = {}  # a `serve` session's latest related-papers state, by its file


def texts_digest(label: str, ordered: Sequence[Paper]) -> str:
    """A key for results that depend on every paper's slug, title and abstract (and `label`)."""
    return _digest([label, *(x for p in ordered for x in (p.slug, p.title, p.abstract))])


# The TF-IDF space of this process's last full related-papers computation, for the map
# (collection_map.py) to reuse in the same build: (texts digest, space).
_recent: list[tuple[str, Fitted]] = []


def _remember_space(papers: Sequence[Paper], space: Fitted | None) -> None:
    _recent.clear()
    if space is not None:
        _recent.append((texts_digest("space", sorted(papers, key=lambda p: p.slug)), space))


def recent_space(papers: Sequence[Paper]) -> Fitted | None:
    """The TF-IDF space related papers fitted on exactly these papers in this process, if any
    (handed over once: the map is its only other reader)."""
    if _recent and _recent[0][0] == texts_digest("space", sorted(papers, key=lambda p: p.slug)):
        return _recent.pop()[1]
    return None


def store_entry(folder: Path, name: str, text: str, prefix: str) -> None:
    _store(folder, name, text, prefix)


def _load_space(path: Path) -> dict | None:
    """The related-papers state `_store_space` kept at `path`, or None (missing, corrupt, older)."""
    try:
        with np.load(path, allow_pickle=False) as arrays:  # never an object array: no pickle runs
            head = datafile.loads(arrays["head"].tobytes(), "related-space", VERSION)
            if not isinstance(head, dict):
                return None
            space = None
            if head["space"]:
                kept = Kept(*(arrays[f"kept_{name}"] for name in ("rows", "scores", "bound_score", "bound_row"))) \
                    if head["kept"] else None
                matrix = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                           shape=tuple(head["shape"]))
                space = Fitted(dict(head["terms"]), Weights(arrays["idf"]), list(head["slugs"]), matrix,
                               arrays["floors"] if head["floors"] else None, kept)
        return {"k": head["k"], "texts": dict(head["texts"]), "drift": head["drift"], "space": space,
                "result": {slug: tuple(found) for slug, found in head["result"].items()}}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, EOFError, RecursionError, zipfile.BadZipFile):
        return None


def _store_space(path: Path, state: dict) -> None:
    """Keep a related-papers state: its arrays as NumPy saves them, the rest as JSON (`datafile`)."""
    from paper_collection.atomic import write_bytes_atomic

    space: Fitted | None = state["space"]
    head = {"k": state["k"], "texts": state["texts"], "drift": state["drift"], "result": state["result"],
            "space": space is not None}
    arrays: dict[str, np.ndarray] = {}
    if space is not None:
        matrix = space.matrix
        head.update(terms=space.terms, slugs=list(space.slugs), shape=list(matrix.shape),
                    floors=space.floors is not None, kept=space.kept is not None)
        arrays.update(idf=space.transformer.idf, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr)
        if space.floors is not None:
            arrays["floors"] = space.floors
        if space.kept is not None:
            kept = space.kept
            arrays.update(kept_rows=kept.rows, kept_scores=kept.scores, kept_bound_score=kept.bound_score,
                          kept_bound_row=kept.bound_row)
    arrays["head"] = np.frombuffer(datafile.dumps("related-space", VERSION, head), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, buffer.getvalue())
        datafile.forget(*(path.parent / name for name in LEGACY if name.startswith("related-")))
    except OSError:
        pass


UNUSED_SHARE = 0.2  # terms of removed or edited papers kept in the counts file until they are this share


def _load_counts(path: Path) -> Counts | None:
    """The counts `_store_counts` kept at `path`, or None (missing, corrupt, another version)."""
    try:
        with np.load(path, allow_pickle=False) as arrays:  # plain arrays: no pickle runs
            # Made by this very code: the counts depend on how words are found, folded and left out.
            head = datafile.loads(arrays["head"].tobytes(), "related-counts", VERSION, code_fingerprint())
            if not isinstance(head, dict):
                return None
            terms = arrays["terms"].tobytes().decode("utf-8", "surrogatepass").split("\n") if head["terms"] else []
            keys = [key.tobytes().hex() for key in arrays["keys"].reshape(-1, 32)]
            if len(terms) != head["terms"] or len(keys) != head["rows"]:
                return None
            matrices = [sparse.csr_matrix((arrays[f"{part}_data"].astype(np.float64), arrays[f"{part}_indices"],
                                           arrays[f"{part}_indptr"]), shape=(len(keys), len(terms)))
                        for part in ("abstracts", "titles")]
            for matrix in matrices:
                matrix.check_format(full_check=True)  # indices in range: a damaged file is not used
        return Counts(terms, keys, *matrices)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, EOFError, IndexError, RecursionError,
            UnicodeDecodeError, zipfile.BadZipFile):
        return None


def _store_counts(path: Path, counts: Counts) -> None:
    """Keep every paper's term counts: terms as one UTF-8 text (a term holds no line break), keys
    as bytes, counts as integers. Terms no row uses any more are dropped once they are many."""
    from paper_collection.atomic import open_atomic

    terms, abstracts, titles = counts.terms, counts.abstracts, counts.titles
    if counts.unused() > UNUSED_SHARE * len(terms):
        used = np.flatnonzero(np.bincount(np.concatenate([abstracts.indices, titles.indices]),
                                          minlength=len(terms)))
        terms = [terms[i] for i in used.tolist()]
        abstracts, titles = abstracts[:, used].sorted_indices(), titles[:, used].sorted_indices()
    head = datafile.dumps("related-counts", VERSION, {"terms": len(terms), "rows": len(counts.keys)},
                          code_fingerprint())
    arrays = {"terms": np.frombuffer("\n".join(terms).encode("utf-8", "surrogatepass"), dtype=np.uint8),
              "keys": np.frombuffer(b"".join(bytes.fromhex(key) for key in counts.keys), dtype=np.uint8),
              "head": np.frombuffer(head, dtype=np.uint8)}
    for part, matrix in (("abstracts", abstracts), ("titles", titles)):
        arrays.update({f"{part}_data": matrix.data.astype(np.int32), f"{part}_indices": matrix.indices,
                       f"{part}_indptr": matrix.indptr})
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open_atomic(path) as out:  # straight to the file: at 50,000 papers it is 100 MB
            np.savez(out, **arrays)


def _store(folder: Path, name: str, text: str, prefix: str) -> None:
    """Write one entry atomically and drop older entries of the same kind (one is enough)."""
    from paper_collection.atomic import write_text_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{prefix}*.json"):
            if old.name != name:
                old.unlink(missing_ok=True)
        write_text_atomic(folder / name, text)
    except OSError:
        pass  # a cache that cannot be written is only slower


def content_key(*parts) -> str:
    """A hash of `parts` by their repr: frozen dataclasses, tuples, strings and numbers have
    stable reprs, so equal inputs give equal keys across runs."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


class _File:
    """An open file read at given offsets (the memo file a build started from, or this build's
    spill file), closed once nothing refers to it. A file replaced by a rename stays whole while
    it is open."""

    def __init__(self, fd: int, base: int = 0):
        self.fd, self.base, self.size = fd, base, 0

    def read(self, start: int, length: int) -> bytes:
        return os.pread(self.fd, length, self.base + start)

    def append(self, data: bytes) -> int:
        """Where `data` starts, written at the end."""
        start, view = self.size, memoryview(data)
        while view:
            view = view[os.pwrite(self.fd, view, self.base + start + len(data) - len(view)):]
        self.size += len(data)
        return start

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


@dataclasses.dataclass(frozen=True)
class _Span:
    """A value's bytes in a `_File`."""

    file: _File
    start: int
    length: int

    def read(self) -> bytes:
        return self.file.read(self.start, self.length)


JOINED_READ = 1 << 20  # bytes read at once when saving entries that lie one after the other in a file


def _adjacent_joined(parts):
    """`parts` (bytes, or `_Span`s), with spans that follow each other in one file joined, up to
    JOINED_READ bytes: a build that changed little writes back long runs of the file it read, in a
    few reads instead of one per entry (14,000 at 10,000 papers)."""
    run = None
    for part in parts:
        if (isinstance(part, _Span) and run is not None and part.file is run.file
                and part.start == run.start + run.length and run.length + part.length <= JOINED_READ):
            run = _Span(run.file, run.start, run.length + part.length)
            continue
        if run is not None:
            yield run
        run = part if isinstance(part, _Span) else None
        if run is None:
            yield part
    if run is not None:
        yield run


class _Kept(MutableMapping):
    """One kind's entries as a Memo file keeps them: each value's bytes, read from the file and
    turned into the value only when asked for (a build asks for most page bodies, but reading
    80 MB of JSON strings at 10,000 papers took seconds, and a value not asked for is written back
    as it was read). Entries set later (a `serve` preview adds its own) are kept beside them, as
    values."""

    def __init__(self, file: _File, spans: dict[str, list[int]], text: bool):
        self.file, self.spans, self.text = file, spans, text
        self.added: dict[str, object] = {}

    def span(self, key: str) -> _Span | None:
        """Where the bytes kept for `key` are; None if set since."""
        if key in self.added or key not in self.spans:
            return None
        start, length = self.spans[key]
        return _Span(self.file, start, length)

    def value(self, raw: bytes):
        data = str(raw, "utf-8", "surrogatepass")
        return data if self.text else json.loads(data)

    def __getitem__(self, key: str):
        if key in self.added:
            return self.added[key]
        span = self.span(key)
        if span is None:
            raise KeyError(key)
        return self.value(span.read())

    def __setitem__(self, key: str, value) -> None:
        self.added[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.added.pop(key, None)
        self.spans.pop(key, None)

    def __contains__(self, key) -> bool:
        return key in self.added or key in self.spans  # Mapping's own would read the value

    def __iter__(self):
        yield from self.spans
        yield from (key for key in self.added if key not in self.spans)

    def __len__(self) -> int:
        return len(self.spans) + sum(1 for key in self.added if key not in self.spans)


_IN_FILE = object()  # a value found in the memo file, written back from its bytes


class Memo:
    """Results kept from one build to the next, by kind and content key: texts (page bodies,
    BibTeX entries, written pages' keys) and search term counts.

    The file is one line of JSON (`datafile`: what it holds, in which shape) that gives each entry's
    place in the bytes after it: a text's UTF-8, or the JSON of the term counts. Pure data."""

    FILE = "memo.json"
    # Each kind's values: texts, or JSON objects (the search index's term counts); a kind not
    # named here keeps any JSON value.
    KINDS: dict[str, type] = {"page": str, "bibtex": str, "written": str, "search": dict, "export-size": int}
    # Kinds whose values this build does not keep in memory until `save`: a page body is written
    # to a spill file beside the memo when it is made (at 50,000 papers the bodies are more than
    # half a gigabyte), and one found in the file is written back from there.
    SPILLED = frozenset({"page"})
    # Kinds read whole when the file is opened: short values asked for one by one (a written page's
    # key, 64 characters, for each of 14,000 pages) cost a read each otherwise.
    READ_WHOLE = frozenset({"written", "export-size"})

    def __init__(self, root: Path | None):
        self.path = cache_dir(root) / self.FILE if root is not None else None
        self.old: dict[str, MutableMapping[str, object]] = {}
        self.used: dict[str, dict[str, object]] = {}
        self.hits: dict[str, int] = {}
        self._raw: dict[tuple[str, str], _Span] = {}  # what `get` found, written back as it was read
        self._owner = os.getpid()  # a forked worker keeps the values it makes (it hands them back)
        self._spill: _File | None = None
        if self.path is not None and not os.environ.get("PAPER_COLLECTION_NO_CACHE"):
            self.old = self._read(self.path)

    def _spills(self, kind: str) -> bool:
        """Whether this kind's values stay out of memory: written to the spill file (by the process
        that made the memo), or written back from the memo file they were found in."""
        return kind in self.SPILLED and self.path is not None and not os.environ.get("PAPER_COLLECTION_NO_CACHE")

    def _spill_text(self, text: str) -> _Span:
        data = text.encode("utf-8", "surrogatepass")
        if self._spill is None:
            self._spill = self._new_spill_file()
        return _Span(self._spill, self._spill.append(data), len(data))

    def _new_spill_file(self) -> _File:
        self.path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".memo-spill.")  # type: ignore[union-attr]
        os.unlink(name)  # gone with the process, however it ends
        return _File(handle)

    def spill_file_for_worker(self, kind: str) -> _File | None:
        """A spill file of its own for a process about to be forked (`spill_into`), made before the
        fork so that this process can read what the worker wrote there once it has ended; None
        when `kind` is not spilled."""
        return self._new_spill_file() if self._spills(kind) else None

    def spill_into(self, file: _File | None) -> None:
        """In a forked worker: spill the values it makes into `file` (`spill_file_for_worker`),
        instead of keeping them in memory to hand them back (at 50,000 papers a page writer's
        bodies were 0.5 GB of its 1.8 GB)."""
        if file is not None:
            self._spill, self._owner = file, os.getpid()

    def spilled_at(self, kind: str, key: str) -> tuple[int, int] | None:
        """Where in this process's spill file the value it made for `key` is (start, length)."""
        value = self.used.get(kind, {}).get(key)
        return (value.start, value.length) if isinstance(value, _Span) and value.file is self._spill else None

    def adopt(self, kind: str, key: str, file: _File, start: int, length: int) -> None:
        """Keep a value a worker spilled into `file` (`spilled_at` in the worker), read only when saved."""
        self._raw.pop((kind, key), None)
        self.used.setdefault(kind, {})[key] = _Span(file, start, length)

    @classmethod
    def _read(cls, path: Path) -> dict[str, MutableMapping[str, object]]:
        # Kept open and read entry by entry: neither read whole nor mapped, as the page bodies in
        # it (half a gigabyte at 50,000 papers) would then count in this process's memory.
        try:
            file = _File(os.open(path, os.O_RDONLY))
            with os.fdopen(os.dup(file.fd), "rb") as handle:
                head = handle.readline()
            size = os.fstat(file.fd).st_size
        except OSError:
            return {}
        index = datafile.loads(head, "memo", VERSION) if head.endswith(b"\n") else None
        if not isinstance(index, dict):
            return {}
        file.base = len(head)
        for spans in index.values():
            if not isinstance(spans, dict) or not all(
                    isinstance(span, list) and len(span) == 2 and all(type(n) is int and n >= 0 for n in span)
                    and span[0] + span[1] <= size - file.base for span in spans.values()):
                return {}
        return {kind: (cls._whole if kind in cls.READ_WHOLE else _Kept)(file, spans, cls.KINDS.get(kind) is str)
                for kind, spans in index.items()}

    @staticmethod
    def _whole(file: _File, spans: dict[str, list[int]], text: bool) -> dict[str, object]:
        """A kind's entries as values, read at once: the file holds each kind's entries together."""
        kept = _Kept(file, spans, text)
        if not spans:
            return {}
        start = min(start for start, _ in spans.values())
        try:
            block = file.read(start, max(start + length for start, length in spans.values()) - start)
        except OSError:
            return {}
        values = {}
        for key, (at, length) in spans.items():
            try:
                values[key] = kept.value(block[at - start:at - start + length])
            except ValueError:  # not UTF-8 or not JSON: as if not kept, made again
                continue
        return values

    def get(self, kind: str, key: str):
        kept = self.old.get(kind)
        if kept is None or key not in kept:
            return None
        span = kept.span(key) if isinstance(kept, _Kept) else None
        try:
            value = kept[key] if span is None else kept.value(span.read())  # type: ignore[union-attr]
        except (ValueError, OSError):  # not UTF-8 or not JSON, or unreadable: as if not found, made again
            return None
        if not isinstance(value, self.KINDS.get(kind, object)):
            return None
        self.hits[kind] = self.hits.get(kind, 0) + 1
        self._remember(kind, key, span, value)
        return value

    def keep(self, kind: str, key: str, *, hit: bool = False) -> None:
        """Keep for the next build an entry another process found (a page writer), or one this
        build needs not read (a page taken over, `hit`: counted as found): as `get` keeps it."""
        kept = self.old.get(kind)
        if kept is None or key not in kept:
            return
        if hit:
            self.hits[kind] = self.hits.get(kind, 0) + 1
        span = kept.span(key) if isinstance(kept, _Kept) else None
        self._remember(kind, key, span, kept[key] if span is None or not self._spills(kind) else _IN_FILE)

    def _remember(self, kind: str, key: str, span: _Span | None, value) -> None:
        """An entry found in the memo file (`span`) or added since, used by this build."""
        if span is not None:
            self._raw[kind, key] = span
        # Written back from the file's bytes: a spilled kind need not keep the value.
        self.used.setdefault(kind, {})[key] = _IN_FILE if span is not None and self._spills(kind) else value

    def hits_of(self, kind: str) -> int:
        return self.hits.get(kind, 0)

    def put(self, kind: str, key: str, value) -> None:
        self._raw.pop((kind, key), None)
        if isinstance(value, str) and self._spills(kind) and os.getpid() == self._owner:
            value = self._spill_text(value)
        self.used.setdefault(kind, {})[key] = value

    def save(self) -> None:
        if self.path is None or os.environ.get("PAPER_COLLECTION_NO_CACHE"):
            return
        from paper_collection.atomic import open_atomic

        # Two passes, the index first: each entry is encoded when it is measured and again when it
        # is written, so no second copy of every page body is ever held (the peak of a large build).
        index: dict[str, dict[str, list[int]]] = {}
        offset = 0
        for kind, key, data in self._entries():
            length = data.length if isinstance(data, _Span) else len(data)  # a span is not read to be measured
            index.setdefault(kind, {})[key] = [offset, length]
            offset += length
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open_atomic(self.path) as out:
                out.write(datafile.dumps("memo", VERSION, index))  # one line: JSON escapes every newline
                out.write(b"\n")
                for data in _adjacent_joined(data for _kind, _key, data in self._entries()):
                    out.write(data.read() if isinstance(data, _Span) else data)
        except OSError:
            pass  # a cache that cannot be written is only slower
        datafile.forget(*(self.path.parent / name for name in LEGACY if not name.startswith("related-")))

    def _entries(self):
        """(kind, key, bytes or the _Span that holds them) of every entry this build used, sorted:
        the same entries make the same file."""
        for kind, values in sorted(self.used.items()):
            for key, value in sorted(values.items()):
                span = self._raw.get((kind, key)) or (value if isinstance(value, _Span) else None)
                if span is not None:
                    yield kind, key, span
                    continue
                text = value if self.KINDS.get(kind) is str else json.dumps(value, ensure_ascii=False,
                                                                            separators=(",", ":"))
                yield kind, key, text.encode("utf-8", "surrogatepass")
