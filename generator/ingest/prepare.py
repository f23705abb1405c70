"""The per-record work of an import, in worker processes when there are many records: each record
made a clean paper, its identity (`collection.identity`), what is wrong with its abstract, its
title's slug, and, unless the collection may know it already, its draft as a new file (the tags
the taxonomy's rules give, the file's text staged by the worker). The main process (`importer`)
then places each prepared record, in input order."""

from __future__ import annotations

import collections
import contextlib
import itertools
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from paper_collection import parallel
from paper_collection.atomic import Staged, stage_text
from paper_collection.atomic import current as current_workspace
from paper_collection.collection import frontmatter
from paper_collection.collection.identity import Identity, pack, paper_identity
from paper_collection.collection.model import RawRecord, Rejection
from paper_collection.collection.paper import Paper, to_front_matter
from paper_collection.collection.slugs import base_slug
from paper_collection.ingest import index_cache
from paper_collection.ingest.records import abstract_problem, paper_from_record
from paper_collection.ingest.tag_model import needing_tags
from paper_collection.parallel import die_with_parent

PARALLEL_FROM = 1000  # records; fewer are prepared in this process (starting workers costs more)
# Records a worker prepares at a time: small enough that results flow back steadily and that Ctrl-C
# (which lets the running chunks finish) stops a large import within a second or so.
CHUNK = 250


@dataclass(frozen=True)
class Options:
    taxonomy: object
    added: str
    listed_year: int | None
    default_tag: str | None
    suggest: bool = True  # let the tag model propose tags for papers no rule matches
    staging: Path | None = None  # worker processes write new files' texts here (see `prepare_all`)
    extra_tags: tuple[str, ...] = ()  # given to every new paper of one input (a watch's `tags:`)


@dataclass(frozen=True)
class Draft:
    """What a record would be as a new paper file: its tags and, when it has some, the file text."""

    tags: tuple[str, ...]
    text: str | Staged  # Staged: written to the staging folder by a worker process
    by_rules: bool = False  # the tags came from taxonomy rules (not --default-tag)
    digest: bytes = b""  # of a staged text's bytes (`index_cache`)
    packed: bytes = b""  # a staged text's front matter, pickled and compressed (`PaperFile.meta`)
    needs_model: bool = False  # no rule, no default tag: `untagged`, for the tag model (`importer._Run.suggest_tags`)


_staged_count = itertools.count()


def make_draft(paper: Paper, options: Options) -> Draft:
    """Tags from the rules (else the default tag) and the file text; no tags -> the reserved tag
    ``untagged``, and the tag model's suggestions are added to the file after every input is read
    (`importer._Run.suggest_tags`). In a worker the text goes straight to the staging folder, tagged or not:
    the main process need not hold every new file's text, nor any new paper's abstract."""
    by_rules = options.taxonomy.assign(paper.title, paper.abstract)
    tags = by_rules or ((options.default_tag,) if options.default_tag else ())
    if options.extra_tags:
        tags = tuple(dict.fromkeys((*tags, *options.extra_tags)))
    paper = replace(paper, tags=tuple(tags)) if tags else needing_tags(paper)
    meta = to_front_matter(paper)  # the slug is not in the front matter
    text = frontmatter.dump(meta, paper.abstract)
    if options.staging is None:
        return Draft(paper.tags, text, bool(by_rules), needs_model=not tags)
    staged = Staged(str(stage_text(options.staging, f"{os.getpid()}-{next(_staged_count)}.md", text).path))
    return Draft(paper.tags, staged, bool(by_rules), index_cache.digest(text.encode("utf-8")), pack(meta),
                  needs_model=not tags)


def overwrite_staged(path: str, text: str) -> None:
    """Write a staged file's new text over its old one. Not truncated first: ext4 flushes a file that
    was truncated to nothing and written again when it is closed (auto_da_alloc), milliseconds a file
    on a busy disk; a text with suggestions added is longer than the one it replaces anyway."""
    with open(path, "r+", encoding="utf-8", newline="\n") as out:
        out.write(text)
        out.truncate()


def without_abstract(paper: Paper) -> Paper:
    return replace(paper, abstract="", abstract_missing=True)


@dataclass(frozen=True)
class Prepared:
    """A record after the per-record work: the clean paper (or why it cannot be one), its identity
    (`collection.identity`), what is wrong with its abstract, its title's slug, and, unless the collection already
    knows it, its draft as a new file. Computed here once, so the main process does not repeat it."""

    paper: Paper | Rejection
    identity: Identity | None = None
    problem: str | None = None  # `abstract_problem`
    slug: str = ""  # `base_slug` of the title
    draft: Draft | None = None


def prepare(raw: RawRecord, options: Options, known: frozenset) -> Prepared:
    """The record as a clean paper and, unless the collection already knows it, as a new file.
    The costly per-record work (cleaning, tagging, YAML, keys) is here, so it can run in parallel."""
    paper = paper_from_record(raw, added=options.added, listed_year=options.listed_year)
    if isinstance(paper, Rejection):
        return Prepared(paper)
    ident = paper_identity(paper)
    prepared = Prepared(paper, ident, abstract_problem(paper.title, paper.abstract), base_slug(paper.title))
    if not paper.abstract or any(key in known for key in ident.keys()):  # may merge: drafted if it does not
        return prepared
    return replace(prepared, draft=make_draft(paper, options))


_WORKER: tuple[Options, frozenset] | None = None


def _start_worker(options: Options, known: frozenset) -> None:
    global _WORKER
    die_with_parent()  # a killed import leaves no worker behind
    _WORKER = (options, known)


def worker_count() -> int:
    """Worker processes for a large import: as many as a build's (`parallel.workers`: the CPUs this
    process may use, or PAPER_COLLECTION_WORKERS; 1 prepares every record in this process)."""
    return parallel.workers()


def _prepare_chunk(raws: list[RawRecord]) -> list[Prepared]:
    assert _WORKER is not None
    return [prepare(raw, *_WORKER) for raw in raws]


@contextlib.contextmanager
def prepare_all(records: Iterator[RawRecord], options: Options,
                 known: frozenset) -> Iterator[Iterator[tuple[RawRecord, Prepared]]]:
    """(record, `prepare`d record) for every record, in worker processes when there are many; the
    order is kept. Records are taken from ``records`` only as the workers need them (a few chunks
    ahead of the caller, who places each result meanwhile), so a streamed input is never held whole."""
    workers = worker_count()
    first = list(itertools.islice(records, PARALLEL_FROM))  # enough to choose between one process and workers
    if len(first) < PARALLEL_FROM or workers < 2:
        yield ((raw, prepare(raw, options, known)) for raw in itertools.chain(first, records))
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    workspace = current_workspace()
    if workspace is not None:
        options = replace(options, staging=workspace.new_dir("import-texts"))
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(options, known))
    try:
        yield in_order(pool, itertools.chain(first, records), workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def in_order(pool: ProcessPoolExecutor, records: Iterator[RawRecord],
              workers: int) -> Iterator[tuple[RawRecord, Prepared]]:
    """Each record with its result, in order, with at most 4 chunks a worker given to the workers
    and not yet taken by the caller (`Executor.map` would take every record at once). Chunks grow
    to `CHUNK` records as more are read: small ones keep both workers busy on a small input."""
    waiting: collections.deque = collections.deque()
    taken = 0
    while True:
        while len(waiting) < workers * 4:
            part = list(itertools.islice(records, max(1, min(CHUNK, (taken + PARALLEL_FROM) // (workers * 8)))))
            if not part:
                break
            taken += len(part)
            waiting.append((part, pool.submit(_prepare_chunk, part)))
        if not waiting:
            return
        part, future = waiting.popleft()
        yield from zip(part, future.result(), strict=True)
