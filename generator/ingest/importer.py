"""`import`: read inputs, merge them with the collection, write paper files all-or-nothing.

How a record meets the collection:

* It is the same paper as a file (same arXiv id, same DOI, or the same normalised title or
  title as once read, ``sources[].title``) -> the file's missing fields are filled from it
  ("merged"); nothing to fill -> "unchanged" when the file already records this source, else
  "duplicate". A present value is never changed, so a person's edits survive every import:
  deleting a field (the whole ``key:`` line) lets a later import fill it, while an empty value
  such as ``links: []`` counts as present and stays empty. Differing values are reported.
* It is not -> a new file. Its tags come from the taxonomy's rules; when no rule matches, from
  ``--default-tag``; otherwise the tag model (``collection/tagger.py``, trained on the tags of the
  collection and of this import's rule-tagged papers) records its proposals as ``tags_suggested``
  and the paper carries the reserved tag ``untagged`` until a person accepts them
  (``tags review``): visitors never see unreviewed suggestions, and the paper is listed on
  "Papers that need tags". A near-identical title (not proven the same paper) is written too,
  with a "possible duplicate" note.
* Its abstract is not one (empty, the title again, a few words) -> written with
  ``abstract_missing: true`` and an empty body, for ``enrich`` to fill; a record with no abstract
  at all is written so only when it has an arXiv id or DOI to look it up by.
* It cannot be a paper (no title; no abstract and no identifier) -> "rejected", with its line and
  reason. Every record read is accounted for in the report.

Nothing is written until every input has been read; then all files are swapped in or none.
"""

from __future__ import annotations

import collections
import contextlib
import heapq
import itertools
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from paper_collection.atomic import Staged, workspace_for
from paper_collection.collection import frontmatter
from paper_collection.collection.identity import (
    Identity,
    IdentityIndex,
    Match,
    PaperFile,
    has_source,
    merge,
    meta_identity,
    paper_address,
    paper_identity,
    parse_meta,
    reason_kind,
)
from paper_collection.collection.model import RawRecord, Rejection
from paper_collection.collection.paper import (
    Paper,
    SuggestedTag,
    added_problem,
    author_problem,
    from_front_matter,
    normalize_title,
    to_front_matter,
)
from paper_collection.collection.removed import RemovedIndex
from paper_collection.collection.similar import TitleIndex, similar_pairs, worth_an_index
from paper_collection.collection.taxonomy import UNTAGGED
from paper_collection.errors import GeneratorError, InputError
from paper_collection.ingest import index_cache, tag_model
from paper_collection.ingest.prepare import (
    Options,
    Prepared,
    make_draft,
    overwrite_staged,
    prepare_all,
    without_abstract,
)
from paper_collection.ingest.readers.detect import read_input, streams_as_listing
from paper_collection.ingest.readers.listing import iter_listing
from paper_collection.ingest.readers.text import decode_input, decoded_chunks, lines_of
from paper_collection.ingest.tag_model import model_inputs, needing_tags

PROGRESS_EVERY = 1000
# Papers no rule tagged that the tag model reads at a time (their texts, one TF-IDF matrix): the
# suggestions are the same for any size, the memory is bounded.
SUGGEST_CHUNK = 1000

Progress = Callable[[str], None]


@dataclass
class FileReport:
    file: str
    format: str = ""
    read: int = 0
    new: list[str] = field(default_factory=list)  # the new papers' slugs
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # records of papers removed from the collection
    # How the new papers got their tags, and which of them have no abstract yet ("file:line 'title'").
    by_rules: int = 0
    by_default_tag: int = 0
    by_model: list[str] = field(default_factory=list)
    untagged: list[str] = field(default_factory=list)
    dated_by_arxiv: int = 0  # new papers with no date in the input, dated by their arXiv id
    abstract_missing: list[str] = field(default_factory=list)
    # Records judged one paper with a file (merged, unchanged or duplicate), by the identity rule's reason.
    merged_by: collections.Counter = field(default_factory=collections.Counter)

    def accounted(self) -> int:
        return (len(self.new) + len(self.merged) + len(self.unchanged) + len(self.duplicate) + len(self.rejected)
                + len(self.skipped))

    def render(self) -> list[str]:
        out = [f"{self.file} ({self.format}): read {self.read}, new {len(self.new)}, merged {len(self.merged)}, "
               f"unchanged {len(self.unchanged)}, duplicate {len(self.duplicate)}, rejected {len(self.rejected)}"
               + (f", skipped {len(self.skipped)}" if self.skipped else "")]
        out += [f"  skipped: {s}" for s in self.skipped]
        if self.new:
            counts = [f"by rules {self.by_rules}"]
            if self.by_default_tag:
                counts.append(f"by --default-tag {self.by_default_tag}")
            counts += [f"suggested by the tag model {len(self.by_model)}", f"none {len(self.untagged)}"]
            out.append(f"  tags of the new papers: {', '.join(counts)}")
            if self.by_model or self.untagged:
                out.append(f"  the {len(self.by_model) + len(self.untagged)} paper(s) without accepted tags carry "
                           f"'{UNTAGGED}' (\"Papers that need tags\"): paper-collection tags review")
        if self.dated_by_arxiv:
            out.append(f"  dated by their arXiv id (the month it was given), having no date in the input: "
                       f"{self.dated_by_arxiv} new paper(s)")
        if self.merged_by:
            out.append("  judged the same paper as a file by: "
                       + ", ".join(f"{kind} {count}" for kind, count in sorted(self.merged_by.items())))
        out += [f"  abstract missing: {a}" for a in self.abstract_missing]
        out += [f"  duplicate: {d}" for d in self.duplicate]
        out += [f"  merged: {m}" for m in self.merged]
        out += [f"  rejected: {r.file}:{r.line}: {r.reason}" for r in self.rejected]
        out += [f"  note: {n}" for n in self.notes]
        return out


@dataclass
class ImportReport:
    files: list[FileReport]
    written: list[Path] = field(default_factory=list)

    def render(self) -> str:
        return "\n".join(line for f in self.files for line in f.render())


class CollectionIndex:
    """The collection as the importer sees it: its paper files, and who is who by the identity rule
    (`collection.identity`: arXiv id, DOI, title and titles as read, first author, year, abstract).

    Each file's front matter and identity come from `index_cache` when a file with the same bytes was
    indexed before (import and add keep it with `save`), else from the file itself."""

    def __init__(self, papers_dir: Path, progress: Progress | None = None) -> None:
        self.papers_dir = papers_dir
        self.ids = IdentityIndex()
        self.entries: list[PaperFile] = []
        paths = sorted(papers_dir.glob("*.md"))
        self.slugs: set[str] = {path.stem for path in paths}
        self.unreadable: set[str] = set()  # file names (stems) whose front matter cannot be read
        self.aliases: set[str] = set()  # old addresses the papers keep (their `aliases`)
        self.digests: dict[Path, bytes] = {}  # each file read -> the digest of its bytes (`index_cache`)
        self.kept = index_cache.load(papers_dir)
        self.parsed = 0  # files whose front matter was read, not found in the cache
        for number, path in enumerate(paths, start=1):
            if progress and number % PROGRESS_EVERY == 0:
                progress(f"reading the collection: {number}/{len(paths)} files")
            try:
                data = path.read_bytes()
            except OSError:
                self.unreadable.add(path.stem)
                continue
            digest = index_cache.digest(data)
            self.digests[path] = digest
            body = None
            if digest in self.kept:
                entry = self.kept[digest]
            else:
                self.parsed += 1
                try:
                    loaded = parse_meta(data.decode("utf-8"), path)
                except UnicodeDecodeError:
                    loaded = None
                entry = None if loaded is None else (loaded[0], meta_identity(*loaded))
                body = None if loaded is None else loaded[1]
                self.kept[digest] = entry
            if entry is None:
                self.unreadable.add(path.stem)
            else:
                self.add(PaperFile(path, entry[0], body, identity=entry[1]))

    @property
    def by_key(self) -> dict:
        """Every key that may recognise a paper of the collection (`IdentityIndex.by_key`)."""
        return self.ids.by_key

    def add(self, existing: PaperFile) -> None:
        """Index a paper file (by its `identity`)."""
        self.entries.append(existing)
        if not existing.packed:  # a packed front matter is a new paper's, made from a record: no aliases
            aliases = existing.meta.get("aliases")
            if isinstance(aliases, list):
                self.aliases.update(a for a in aliases if isinstance(a, str))
        self.ids.add(existing)

    def changed(self, existing: PaperFile) -> None:
        """Index a file again after a merge changed what identifies it (an arXiv id, a year, a title read)."""
        self.ids.discard(existing)
        existing.identity = meta_identity(existing.meta, existing.body)
        self.ids.add(existing)

    def match(self, ident: Identity) -> Match:
        return self.ids.match(ident)

    def save(self, written: dict[str, bytes]) -> None:
        """Keep the index for the next run, after the files in `written` (path as text -> digest of the text)
        were written: the entries of the files there are now, so the cache never outgrows the collection."""
        index_cache.save(self.papers_dir, self._kept(written))

    def _kept(self, written: dict[str, bytes]) -> Iterator[tuple[bytes, index_cache.Entry]]:
        """What `save` keeps, one entry at a time (a new paper's front matter is a dict only while written)."""
        for path, digest in self.digests.items():
            if path.stem in self.unreadable and str(path) not in written:
                yield digest, None
        for existing in self.entries:
            digest = written.get(existing.key) or (existing.digest if existing.staged is not None else None)
            if digest is None:
                digest = self.digests.get(existing.path)
            if digest is not None:
                yield digest, (existing.meta, existing.identity)  # kept up to date by `changed`


def _note_authors(paper: Paper, where: str, report: FileReport) -> None:
    """Note each author entry that is not one person (`author_problem`): written as read, for a person to split."""
    for number, name in enumerate(paper.authors, start=1):
        wrong = author_problem(name)
        if wrong:
            report.notes.append(f"{where}: author {number} of '{paper.title[:80]}' {wrong}; "
                                "fix it in the paper file or the input")


class _Run:
    """One import: the index, the files to write, and what each record became."""

    def __init__(self, papers_dir: Path, options: Options, fmt: str | None, progress: Progress | None,
                 removed: RemovedIndex | None = None, mapping: dict[str, str] | None = None,
                 index: CollectionIndex | None = None) -> None:
        self.papers_dir = papers_dir
        self.mapping = mapping
        self.options = options
        self.fmt = fmt
        self.progress = progress
        self.index = index if index is not None else CollectionIndex(papers_dir, progress)
        self.pretrained: tuple = ()  # (the tag model, or None,) when the caller trained it (`run_import_records`)
        self.removed = removed or RemovedIndex()
        # Old addresses (aliases) and removed papers' addresses are never given to a new paper.
        self.taken = set(self.index.slugs) | self.index.aliases | set(self.removed.by_slug)
        # Path (as text: `PaperFile.key`) -> new file text; besides, the new papers' staged texts (`to_write`).
        self.pending: dict[str, str] = {}
        self.created: list[tuple[PaperFile, FileReport, str]] = []  # new files, for the near-duplicate check
        # New papers no rule matched (`untagged` in their files until `suggest_tags`): only their entries.
        self.need_tags: list[tuple[PaperFile, FileReport, str]] = []
        # Every indexed paper's normalised title, in index order, and (for many titles) their
        # near-duplicate index, built while records arrive (see `flag_near_duplicates`).
        self.titles: list[str] = []
        self.title_index: TitleIndex | None = None
        # The tag model's process (`tag_model.model_process`) of a large import, started as soon as a
        # staged paper needs it (it loads scikit-learn while the records are read), and the model's
        # training submitted to it before the near-duplicate check runs (`start_suggesting`).
        self.processes = contextlib.ExitStack()
        self.model_process: ProcessPoolExecutor | None = None
        self.fitting: Future | None = None
        # Whether the model's process may start while records are read: only while the last input is
        # read, whose workers are forked by then (a process never forks while it has other threads,
        # and the model's process comes with some).
        self.early_model = False

    def close(self) -> None:
        """End the tag model's process, if started (also when the import fails)."""
        self.model_process = self.fitting = None
        self.processes.close()

    def read_file(self, path: Path) -> FileReport:
        shown = path.as_posix()
        if streams_as_listing(path, shown, self.fmt, self.mapping):
            # Read as it streams: records go to the workers as they are read, so the process never
            # holds the whole input, its text or all of its records (see `prepare.prepare_all`).
            detected, reader_rejected, reader_notes = "listing", [], []
            records = iter_listing(lines_of(decoded_chunks(path, shown)), path.name, reader_rejected, reader_notes)
        else:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise InputError(shown, None, f"cannot read: {error.strerror}") from None
            text = decode_input(data, shown)
            del data  # the input's bytes need not stay in memory while its text is read, nor the text after
            detected, result = read_input(text, path.name, self.fmt, self.mapping)
            del text
            if not result.records:
                raise InputError(shown, None, f"no papers found (read as {detected})",
                                 fix="check that this is a paper listing, or force a format with --format")
            reader_rejected, reader_notes = list(result.rejected), list(result.notes)
            records = iter(result.records)
            del result  # each record is let go once placed: the input need not stay in memory beside the papers
        return self.place(shown, detected, records, reader_rejected, reader_notes)

    def place(self, shown: str, detected: str, records: Iterator[RawRecord], reader_rejected: list[Rejection],
              reader_notes: list[str]) -> FileReport:
        """Meet each record of one input (``shown``, read as ``detected``) with the collection."""
        report = FileReport(file=shown, format=detected)
        placed = 0
        with prepare_all(records, self.options, frozenset(self.index.by_key)) as prepared:
            self._index_titles()  # the collection's titles, while the workers start
            for raw, item in prepared:
                placed += 1
                if self.progress and placed % PROGRESS_EVERY == 0:
                    if placed == PROGRESS_EVERY:
                        self.progress(f"{shown}: read as {detected}; cleaning and tagging its records as they are read")
                    self.progress(f"{shown}: {placed} records")
                self._record(raw, item, shown, report)
                del raw, item
                self._index_titles()
        if not placed:
            raise InputError(shown, None, f"no papers found (read as {detected})",
                             fix="check that this is a paper listing, or force a format with --format")
        if self.progress and placed >= PROGRESS_EVERY:
            self.progress(f"{shown}: {placed}/{placed} records")
        # The reader's rejections and notes come first, as when a whole input was read before its records were placed.
        report.rejected[:0] = reader_rejected
        report.notes[:0] = reader_notes
        report.read = placed + len(reader_rejected)
        if report.accounted() != report.read:
            raise GeneratorError(f"{shown}: internal error: the report does not account for every record")
        report.rejected.sort(key=lambda r: r.line)
        return report

    def _record(self, raw: RawRecord, prepared: Prepared, shown: str, report: FileReport) -> None:
        paper = prepared.paper
        if isinstance(paper, Rejection):
            report.rejected.append(paper)
            return
        where = f"{raw.origin.file}:{raw.origin.line}"
        assert prepared.identity is not None
        found = self.index.match(prepared.identity)
        if found.same is None and found.possible:
            # A paper the rule cannot tell from another (a generic title, no identifier, no abstract) is
            # still recognised when a file from before records this very record (input, line, title as
            # read), one file per record: re-importing a dump changes nothing.
            found.same = next((entry for entry, _ in found.possible if not entry.new and entry.read_in(shown) is None
                               and has_source(entry.meta, paper.sources[0], line=True)), None)
            if found.same is not None:
                found.reason, found.possible = "the same record, read before", [
                    (entry, why) for entry, why in found.possible if entry is not found.same]
        existing = found.same
        if found.conflict:
            files = " and ".join(f"{entry.path.name} ({reason})" for entry, reason in found.conflict)
            report.rejected.append(Rejection(
                raw.origin.file, raw.origin.line,
                f"'{paper.title[:80]}' matches two papers, {files}; merged into neither: if those files are "
                "one paper, keep one (paper-collection remove OTHER --reason ...) and import again; otherwise "
                "fix the arXiv id or DOI in the input"))
            return
        gone = self.removed.match_paper(paper, prepared.identity) if existing is None else None
        if gone is not None:
            report.skipped.append(f"{where} '{paper.title[:80]}': removed on {gone.date} ({gone.reason}); "
                                  "see removed.yml")
        elif existing is None:
            self._add(paper, raw, prepared, report, found)
        elif (earlier := existing.read_in(shown)) is not None:
            report.duplicate.append(f"{where} '{paper.title[:80]}' repeats {earlier} in this import ({found.reason})")
            report.merged_by[reason_kind(found.reason)] += 1
        else:
            existing.read_by += ((shown, where),)
            self._merge(existing, paper, where, report, found.reason)

    def _add(self, paper: Paper, raw: RawRecord, prepared: Prepared, report: FileReport,
             found: Match | None = None) -> None:
        """A new paper file, or a rejection when the record has no abstract and no identifier."""
        where = f"{raw.origin.file}:{raw.origin.line}"
        problem, ident = prepared.problem, prepared.identity
        draft = prepared.draft or make_draft(paper, self.options)
        reason = None
        if problem == "no abstract" and not (paper.arxiv or paper.doi):
            reason = ("no abstract, and no arXiv id or DOI to find it by; add the abstract to the input, "
                      "or the identifier so that paper-collection enrich can fetch it")
        elif prepared.slug in self.index.unreadable:
            reason = (f"may be the paper in {prepared.slug}.md, whose front matter cannot be read; "
                      "fix that file (paper-collection validate) and import again")
        if reason:
            report.rejected.append(Rejection(raw.origin.file, raw.origin.line, f"'{paper.title[:80]}': {reason}"))
            return
        _note_authors(paper, where, report)
        if problem:
            paper = without_abstract(paper)
            draft = make_draft(paper, self.options)  # tagged by the title alone
            ident = paper_identity(paper)  # without the abstract's key
            report.abstract_missing.append(f"{where} '{paper.title[:80]}': {problem}")
        assert ident is not None
        slug = paper_address(paper, self.taken, prepared.slug)
        self.taken.add(slug)
        if isinstance(draft.text, Staged):
            # Only what later steps need: the front matter as the worker pickled it, and the identity.
            entry = PaperFile(None, None, None, ((report.file, where),), True, ident, packed=draft.packed,
                              staged=draft.text.path, digest=draft.digest, folder=self.papers_dir, slug=slug)
        else:
            path = self.papers_dir / f"{slug}.md"
            paper = needing_tags(replace(paper, slug=slug)) if draft.needs_model else replace(
                paper, slug=slug, tags=draft.tags)
            entry = PaperFile(path, to_front_matter(paper), paper.abstract, ((report.file, where),), True, ident)
            self.pending[entry.key] = draft.text  # a staged text is found from its entry (`to_write`)
        self.index.add(entry)
        self._index_titles(ident.titles[0] if ident.titles else None)  # the identity's text, not a copy
        for other, why in (found.possible or []) if found else []:
            report.notes.append(f"{where}: possible duplicate: '{paper.title[:80]}' ({slug}.md) and "
                                f"{other.path.name}: {why}; kept as two papers, remove one if they are the same")
        for other, why in (found.apart or []) if found else []:
            report.notes.append(f"{where}: '{paper.title[:80]}' ({slug}.md) shares its title with "
                                f"{other.path.name}, but {why}: a paper of its own")
        if draft.needs_model:
            self.need_tags.append((entry, report, where))
            if self.early_model and self.model_process is None and self._model_apart():
                self._start_model_process().submit(tag_model.warm_up)
        elif draft.by_rules:
            report.by_rules += 1
        else:
            report.by_default_tag += 1
        if raw.year is None and paper.year is not None:
            report.dated_by_arxiv += 1
        self.created.append((entry, report, where))
        report.new.append(slug)  # the text kept for the address anyway: an import of 100,000 papers keeps one per paper

    def _model_apart(self) -> bool:
        """Whether the tag model runs in a process of its own: in a large import (its workers staged
        the texts), so that this process never loads scikit-learn and SciPy (about 110 MB) beside its papers."""
        return bool(self.options.suggest and not self.pretrained
                    and any(entry.staged is not None for entry, _, _ in self.need_tags))

    def _start_model_process(self) -> ProcessPoolExecutor:
        self.model_process = self.processes.enter_context(tag_model.model_process())
        return self.model_process

    def start_suggesting(self) -> None:
        """Submit the tag model's training to its process, if it has one: it trains while this process
        goes on (the near-duplicate check); `suggest_tags` then waits for it."""
        if self.need_tags and self.model_process is not None and self.fitting is None:
            try:
                self.fitting = self.model_process.submit(tag_model.fit_model, *self._model_inputs())
            except BrokenProcessPool:
                raise tag_model.stopped() from None

    def suggest_tags(self) -> None:
        """Tag-model suggestions for the new papers no rule matched: the model is trained once, on the
        collection's tags and this import's rule-tagged papers, then reads `SUGGEST_CHUNK` papers at a
        time, each one's title and abstract read back from its staged file; a paper given suggestions has
        its staged text rewritten. Nothing is kept for them but their entries, as for tagged papers.
        In a large import the model lives in a process of its own (`_model_apart`)."""
        if not self.need_tags:
            self.close()
            return
        try:
            if self.model_process is None and self._model_apart():
                self._start_model_process()
            suggest = self._model(self.model_process) if self.options.suggest else None
            for start in range(0, len(self.need_tags), SUGGEST_CHUNK):
                chunk = self.need_tags[start:start + SUGGEST_CHUNK]
                texts = [(entry.title, entry.body) for entry, _, _ in chunk] if suggest is not None else []
                suggestions = suggest(texts) if suggest is not None else [() for _ in chunk]
                for position, ((entry, report, where), found) in enumerate(zip(chunk, suggestions, strict=True)):
                    if not found:
                        report.untagged.append(where)
                        continue
                    report.by_model.append(where)
                    self._with_suggestions(entry, found, texts[position][1])
                if self.progress and len(self.need_tags) >= PROGRESS_EVERY:
                    self.progress(f"suggesting tags: {min(start + SUGGEST_CHUNK, len(self.need_tags))}/"
                                  f"{len(self.need_tags)} papers")
        except BrokenProcessPool:
            raise tag_model.stopped() from None
        finally:
            self.close()
        self.need_tags = []

    def _model_inputs(self):
        if self.progress and len(self.need_tags) >= PROGRESS_EVERY:
            self.progress(f"training the tag model for {len(self.need_tags)} papers no rule matched")
        return model_inputs(self.index.entries, self.options.taxonomy)

    def _model(self, process: ProcessPoolExecutor | None) -> Callable[[list[tuple[str, str]]], list] | None:
        """What suggests tags for (title, abstract) pairs, trained here or in ``process``; None when
        there is too little to learn from."""
        if self.pretrained:
            model = self.pretrained[0]
            return model.suggest if model is not None else None
        if process is None:
            from paper_collection.collection.tagger import TagModel

            model = TagModel.fit(*self._model_inputs())
            return model.suggest if model is not None else None
        self.start_suggesting()
        if not self.fitting.result():
            return None
        return lambda texts: process.submit(tag_model.suggest_with_model, texts).result()

    def _with_suggestions(self, entry: PaperFile, found: tuple[SuggestedTag, ...], abstract: str) -> None:
        """A new paper's file with the tag model's suggestions: the paper as its file says, plus them."""
        meta = to_front_matter(needing_tags(from_front_matter("", entry.meta, abstract), found))
        text = frontmatter.dump(meta, abstract)
        if entry.staged is None:
            entry.meta = meta
            self.pending[entry.key] = text
            return
        overwrite_staged(entry.staged, text)
        entry.digest = index_cache.digest(text.encode("utf-8"))
        entry.pack(meta)

    def _merge(self, existing: PaperFile, paper: Paper, where: str, report: FileReport, why: str) -> None:
        """Fill what `existing` lacks from the record judged the same paper (`why`: the identity rule's reason)."""
        name = existing.path.name
        label = f"{where} '{paper.title[:80]}'"
        known_source = has_source(existing.meta, paper.sources[0])
        meta, filled, differences = merge(existing, paper, record_title=True)
        report.merged_by[reason_kind(why)] += 1
        if not known_source:
            report.notes += [f"{where}: differs from {name}: {c} (kept the file's value)" for c in differences]
        if filled and not self._writable(existing):
            report.notes.append(f"{where}: {name} has invalid front matter; not filled ({', '.join(filled)})")
            filled = []
        if "authors" in filled:
            _note_authors(paper, where, report)
        if filled:
            existing.meta = meta
            self.pending[existing.key] = frontmatter.dump(meta, existing.body)
            self.index.changed(existing)
            what = [f"filled {', '.join(f for f in filled if f != 'sources')}"] if filled != ["sources"] else []
            if "sources" in filled:
                what.append("kept its title in sources")
            report.merged.append(f"{label} into {name}: {why} ({'; '.join(what)})")
        elif known_source:
            report.unchanged.append(name)
        else:
            report.duplicate.append(f"{label} is already in the collection as {name}: {why}")

    def _writable(self, existing: PaperFile) -> bool:
        """Rewrite only files the strict loader accepts (the index read them with a lenient one)."""
        if existing.new:
            return True
        try:
            frontmatter.parse(existing.path.read_text(encoding="utf-8"), str(existing.path))
        except (InputError, UnicodeDecodeError, OSError, ValueError):
            return False
        return True

    def _index_titles(self, last: str | None = None) -> None:
        """Bring `titles` (and `title_index`) up to date with the index's entries; ``last``: the
        normalised title of the entry added last, when the caller has it (a new paper's)."""
        waiting = self.index.entries[len(self.titles):]
        for number, entry in enumerate(waiting, start=1):
            title = last if last is not None and number == len(waiting) else normalize_title(entry.title)
            self.titles.append(title)
            if self.title_index is not None:
                self.title_index.add(title)
        # The near-duplicate index, once this import's titles are enough to want one (`similar_pairs`
        # would build the same index at the end; built as records arrive, it costs no wait then).
        if self.title_index is None and worth_an_index(len(self.created), len(self.titles)):
            self.title_index = TitleIndex(self.titles)

    def let_go(self) -> None:
        """Drop what only reading and the near-duplicate check need (the title index, who is who by
        key, the slugs taken), so that writing the files does not add to their memory."""
        self.title_index, self.titles, self.taken = None, [], set()
        self.index.ids = IdentityIndex()

    def _staged(self) -> list[PaperFile]:
        """The new papers whose staged text is still what is to be written (not changed by a merge)."""
        return [entry for entry, _, _ in self.created if entry.staged is not None and entry.key not in self.pending]

    def write(self, also_write: dict[Path, str] | None = None) -> list[Path]:
        """Write the papers (and ``also_write``: other files, path -> text) all or none, and keep the index."""
        self.let_go()
        for path, text in (also_write or {}).items():
            self.pending[str(path)] = text
        count, pairs = self.to_write()
        if self.progress and count >= PROGRESS_EVERY:
            self.progress(f"writing {count} files")
        written = write_all(pairs)
        self.index.save(self.written_digests())
        return written

    def to_write(self) -> tuple[int, Iterator[tuple[str, str | Staged]]]:
        """How many files to write, and each (path as text, its text), sorted by path: the staged
        texts' pairs are made as they are written, not kept for every paper until then."""
        staged = self._staged()
        staged.sort(key=lambda entry: entry.key)
        pairs = heapq.merge(((entry.key, Staged(entry.staged)) for entry in staged), sorted(self.pending.items()),
                            key=lambda pair: pair[0])
        return len(staged) + len(self.pending), pairs

    def written_digests(self) -> dict[str, bytes]:
        """Each written file's digest (`CollectionIndex.save`), by path as text; a staged text's is
        kept on its entry (`PaperFile.digest`)."""
        return {key: index_cache.digest(text.encode("utf-8")) for key, text in self.pending.items()}

    def flag_near_duplicates(self) -> None:
        """Note every new paper whose title is near-identical to another paper's (not merged)."""
        if not self.created:
            return
        self._index_titles()
        entries, titles = self.index.entries, self.titles
        position = {id(e): i for i, e in enumerate(entries)}
        new_titles = [titles[position[id(e)]] for e, _, _ in self.created]
        for row, column in similar_pairs(new_titles, titles, index=self.title_index):
            entry, report, where = self.created[row]
            other = entries[column]
            if other.new and position[id(other)] > position[id(entry)]:
                continue  # a pair of new papers is noted once, on the later one
            report.notes.append(f"{where}: possible duplicate: '{entry.title[:80]}' ({entry.path.name}) has "
                                f"a near-identical title to {other.path.name}; written as a new paper, "
                                "remove one if they are the same")


def run_import(paths: list[Path], papers_dir: Path, taxonomy, *, added: str, fmt: str | None = None,
               listed_year: int | None = None, default_tag: str | None = None, suggest: bool = True,
               mapping: dict[str, str] | None = None, progress: Progress | None = None,
               removed: RemovedIndex | None = None) -> ImportReport:
    """Import every input or nothing. Raises GeneratorError (collection untouched) when an input
    cannot be read or holds no papers at all."""
    if default_tag and taxonomy.get(default_tag) is None:
        raise GeneratorError(f"--default-tag: '{default_tag}' is not a tag in taxonomy.yml")
    wrong_date = added_problem(added)
    if wrong_date:
        raise GeneratorError(f"--added: {wrong_date}")
    with workspace_for(papers_dir / "index", "import"):  # one run at a time, from reading to writing
        run = _Run(papers_dir, Options(taxonomy, added, listed_year, default_tag, suggest), fmt, progress,
                   removed, mapping)
        try:
            reports = []
            for number, path in enumerate(paths, start=1):
                run.early_model = number == len(paths)
                reports.append(run.read_file(path))
            run.start_suggesting()  # the tag model trains in its process meanwhile
            run.flag_near_duplicates()
            run.suggest_tags()
        finally:
            run.close()
        written = run.write()
    return ImportReport(files=reports, written=written)


@dataclass(frozen=True)
class RecordsInput:
    """Records read elsewhere (a watch's answers: `ingest/update.py`), imported as one input named `name`."""

    name: str
    format: str
    records: tuple[RawRecord, ...]
    tags: tuple[str, ...] = ()  # given to each new paper besides its rules' tags


def run_import_records(inputs: list[RecordsInput], papers_dir: Path, taxonomy, *, added: str,
                       suggest: bool = True, progress: Progress | None = None, removed: RemovedIndex | None = None,
                       dry_run: bool = False, also_write: dict[Path, str] | None = None,
                       index: CollectionIndex | None = None, model: tuple = ()) -> ImportReport:
    """`run_import` for records already read: the same identity, merging, removed papers and tagging.
    ``also_write``: other files (path -> text) swapped in with the papers, all or none; ``dry_run``:
    nothing is written, the report is the same. ``index`` (the collection, read by the caller just
    before) and ``model`` ((`train_model`'s result,), trained by the caller on that index) are used
    instead of reading and training again."""
    wrong_date = added_problem(added)
    if wrong_date:
        raise GeneratorError(f"--added: {wrong_date}")
    with workspace_for(papers_dir / "index", "import"):
        run = _Run(papers_dir, Options(taxonomy, added, None, None, suggest), None, progress, removed, index=index)
        run.pretrained = model
        base = run.options
        reports = []
        try:
            for given in inputs:
                run.options = replace(base, extra_tags=given.tags)
                reports.append(run.place(given.name, given.format, iter(given.records), [], []))
            run.options = base
            run.start_suggesting()
            run.flag_near_duplicates()
            run.suggest_tags()
        finally:
            run.close()
        if dry_run:
            return ImportReport(files=reports)
        written = run.write(also_write)
    return ImportReport(files=reports, written=written)


def write_all(pending: dict[Path, str] | Iterator[tuple[str, str | Staged]]) -> list[Path]:
    """Write every file or none (see generator/atomic.py); unchanged files are not touched.
    ``pending``: path -> text, or (path as text, text) pairs sorted by path, taken one at a time."""
    if isinstance(pending, dict):
        if not pending:
            return []
        with workspace_for(next(iter(pending)), "import") as workspace:
            return workspace.replace_files(pending)
    first = next(pending, None)
    if first is None:
        return []
    with workspace_for(Path(first[0]), "import") as workspace:
        return workspace.replace_in_order(itertools.chain([first], pending))


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
