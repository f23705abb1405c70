"""`import`: read inputs, merge them with the collection, write paper files all-or-nothing."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import frontmatter
from .errors import GeneratorError, InputError
from .model import Rejection
from .paper import Paper, Source, from_front_matter, normalize_title, to_front_matter
from .readers.detect import read_input
from .readers.text import decode_input
from .records import abstract_problem, paper_from_record
from .slugs import unique_slug

# Fields an import may fill when the paper file lacks them; present values are never changed.
FILLABLE = ("authors", "year", "month", "day", "venue", "arxiv", "doi", "keywords", "links")


@dataclass
class FileReport:
    file: str
    format: str = ""
    read: int = 0
    new: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def accounted(self) -> int:
        return len(self.new) + len(self.merged) + len(self.unchanged) + len(self.duplicate) + len(self.rejected)


@dataclass
class ImportReport:
    files: list[FileReport]
    written: list[Path] = field(default_factory=list)

    def render(self) -> str:
        out: list[str] = []
        for f in self.files:
            out.append(f"{f.file} ({f.format}): read {f.read}, new {len(f.new)}, merged {len(f.merged)}, "
                       f"unchanged {len(f.unchanged)}, duplicate {len(f.duplicate)}, rejected {len(f.rejected)}")
            out += [f"  duplicate: {d}" for d in f.duplicate]
            out += [f"  merged: {m}" for m in f.merged]
            out += [f"  rejected: {r.file}:{r.line}: {r.reason}" for r in f.rejected]
            out += [f"  note: {n}" for n in f.notes]
        return "\n".join(out)


@dataclass
class _Existing:
    path: Path
    meta: dict
    body: str
    paper: Paper | None  # None when the file does not validate: matched by title only, never rewritten


class _Index:
    """The collection as the importer sees it: who is who by title, source title, arXiv id and DOI."""

    def __init__(self, papers_dir: Path) -> None:
        self.by_key: dict[tuple[str, str], _Existing] = {}
        self.slugs: set[str] = set()
        for path in sorted(papers_dir.glob("*.md")):
            self.slugs.add(path.stem)
            try:
                parsed = frontmatter.parse(path.read_text(encoding="utf-8"), str(path))
            except (InputError, UnicodeDecodeError, OSError):
                continue  # `validate` reports broken files; import leaves them alone
            meta = parsed.meta
            paper = None
            try:
                paper = from_front_matter(path.stem, meta, parsed.body)
            except (KeyError, TypeError, ValueError, AttributeError):
                paper = None
            self.add(_Existing(path, meta, parsed.body, paper))

    def keys(self, title: str, arxiv: str | None, doi: str | None, source_titles=()) -> list[tuple[str, str]]:
        keys = [("title", normalize_title(title))] + [("title", normalize_title(t)) for t in source_titles]
        if arxiv:
            keys.append(("arxiv", arxiv.lower()))
        if doi:
            keys.append(("doi", doi.lower()))
        return [k for k in keys if k[1]]

    def add(self, existing: _Existing) -> None:
        meta = existing.meta
        title = meta.get("title") if isinstance(meta.get("title"), str) else ""
        sources = [s.get("title") for s in meta.get("sources") or [] if isinstance(s, dict)
                   and isinstance(s.get("title"), str)]
        arxiv = meta.get("arxiv") if isinstance(meta.get("arxiv"), str) else None
        doi = meta.get("doi") if isinstance(meta.get("doi"), str) else None
        for key in self.keys(title, arxiv, doi, sources):
            self.by_key.setdefault(key, existing)

    def find(self, paper: Paper) -> _Existing | None:
        source_titles = [s.title for s in paper.sources]
        for key in self.keys(paper.title, paper.arxiv, paper.doi, source_titles):
            if key in self.by_key:
                return self.by_key[key]
        return None


def merge(existing: _Existing, incoming: Paper) -> tuple[dict, list[str], list[str]]:
    """Fill fields the file lacks from `incoming`; never change a present value.
    Returns (new front matter, filled field names, conflicts)."""
    meta = dict(existing.meta)
    data = to_front_matter(incoming)
    filled: list[str] = []
    conflicts: list[str] = []
    for name in FILLABLE:
        if name not in data:
            continue
        if name not in meta:
            meta[name] = data[name]
            filled.append(name)
        elif name in ("year", "arxiv", "doi", "venue") and meta[name] != data[name]:
            conflicts.append(f"{name}: file has {meta[name]!r}, input has {data[name]!r}")
    if filled:
        sources = list(meta.get("sources") or [])
        new_sources = [s for s in data.get("sources", []) if s not in sources]
        if new_sources:
            meta["sources"] = sources + new_sources
        ordered = [k for k in to_front_matter_order() if k in meta] + [k for k in meta if k not in
                                                                      to_front_matter_order()]
        meta = {k: meta[k] for k in ordered}
    return meta, filled, conflicts


def to_front_matter_order() -> tuple[str, ...]:
    from .paper import FIELD_NAMES

    return FIELD_NAMES


def run_import(paths: list[Path], papers_dir: Path, taxonomy, *, added: str, fmt: str | None = None,
               listed_year: int | None = None, default_tag: str | None = None,
               progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import every input or nothing. Raises GeneratorError (collection untouched) when an input
    cannot be read or holds no papers at all."""
    if default_tag and taxonomy.get(default_tag) is None:
        raise GeneratorError(f"--default-tag: '{default_tag}' is not a tag in taxonomy.yml")
    index = _Index(papers_dir)
    taken = set(index.slugs)
    pending: dict[Path, str] = {}  # path -> new file text
    reports: list[FileReport] = []
    seen_here: dict[tuple[str, str], str] = {}  # keys seen in this run -> "file:line"

    for path in paths:
        shown = path.as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(shown, None, f"cannot read: {error.strerror}") from None
        text = decode_input(data, shown)
        detected, result = read_input(text, path.name, fmt)
        report = FileReport(file=shown, format=detected, read=len(result.records) + len(result.rejected))
        report.rejected.extend(result.rejected)
        report.notes.extend(result.notes)
        if not result.records:
            raise InputError(shown, None, f"no papers found (read as {detected})",
                             fix="check that this is a paper listing, or force a format with --format")
        total = len(result.records)
        for number, raw in enumerate(result.records, start=1):
            if progress and (number % 1000 == 0 or number == total) and total >= 1000:
                progress(f"{shown}: {number}/{total} records")
            candidate = paper_from_record(raw, taxonomy, slug="", added=added, listed_year=listed_year,
                                          default_tag=default_tag)
            if isinstance(candidate, Rejection):
                report.rejected.append(candidate)
                continue
            where = f"{raw.origin.file}:{raw.origin.line}"
            label = f"{where} '{candidate.title[:80]}'"
            problem = abstract_problem(candidate.title, candidate.abstract)
            if problem:
                report.notes.append(f"{where}: {problem}; check the abstract")
            keys = index.keys(candidate.title, candidate.arxiv, candidate.doi)
            first = next((seen_here[k] for k in keys if k in seen_here), None)
            if first:
                report.duplicate.append(f"{label} repeats {first} in this import")
                continue
            for key in keys:
                seen_here[key] = where
            existing = index.find(candidate)
            if existing is None:
                slug = unique_slug(candidate.title, taken)
                taken.add(slug)
                paper = replace(candidate, slug=slug)
                target = papers_dir / f"{slug}.md"
                pending[target] = frontmatter.dump(to_front_matter(paper), paper.abstract)
                report.new.append(f"{target.name} '{paper.title[:80]}'")
                continue
            rel = existing.path.name
            if _same_source(existing.meta, candidate.sources[0]):
                report.unchanged.append(f"{rel}")
                continue
            meta, filled, conflicts = merge(existing, candidate)
            for conflict in conflicts:
                report.notes.append(f"{where}: conflicts with {rel}: {conflict} (kept the file's value)")
            if filled and existing.path not in pending:
                pending[existing.path] = frontmatter.dump(meta, existing.body)
                existing.meta = meta
                report.merged.append(f"{label} into {rel} (filled {', '.join(filled)})")
            else:
                report.duplicate.append(f"{label} is already in the collection as {rel}")
        reports.append(report)
        if report.accounted() != len(result.records) + len(result.rejected):
            raise GeneratorError(f"{shown}: internal error: the report does not account for every record")

    written = write_all(pending)
    return ImportReport(files=reports, written=written)


def _same_source(meta: dict, source: Source) -> bool:
    for item in meta.get("sources") or []:
        if isinstance(item, dict) and Path(str(item.get("file", ""))).name == Path(source.file).name \
                and item.get("title") == source.title:
            return True
    return False


def write_all(pending: dict[Path, str]) -> list[Path]:
    """Write every file or none: stage each next to its target, then swap them all in; on any
    failure restore what was there."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in sorted(pending.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and target.read_text(encoding="utf-8") == text:
                continue
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            staged.append((Path(temp), target))
    except OSError as error:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise GeneratorError(f"cannot write the collection: {error}; nothing was changed") from None
    backups: list[tuple[Path, bytes | None]] = []
    try:
        for temp, target in staged:
            backups.append((target, target.read_bytes() if target.exists() else None))
            os.replace(temp, target)
    except OSError as error:
        for target, old in backups:
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise GeneratorError(f"cannot write the collection: {error}; nothing was changed") from None
    return [target for _, target in staged]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
