"""`enrich`: fill the fields existing paper files lack, from the arXiv API, Crossref or a saved response.

The rule is the importer's (`collection.identity.merge`): only a field the file does not have is filled; a
value a person wrote is never changed, and an empty value such as ``links: []`` counts as written
("keep it empty"). A paper is found by the arXiv id or DOI in its file, else by its exact title
(normalised); anything else is reported as not matched, never guessed. Every change is reported
(file, field, value, source), and the files are written all-or-nothing (`importer.write_all`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from paper_collection.collection import frontmatter
from paper_collection.collection.identifiers import ARXIV_ID, DOI
from paper_collection.collection.identity import (
    Identity,
    IdentityIndex,
    PaperFile,
    meta_identity,
    normal_arxiv,
    normal_doi,
    read_paper_file,
    strictly_readable,
)
from paper_collection.collection.identity import merge as merge_record
from paper_collection.collection.model import Rejection
from paper_collection.collection.paper import normalize_title
from paper_collection.ingest.importer import write_all
from paper_collection.ingest.records import paper_from_record

# The fields enrich may fill (the importer also fills keywords; a lookup's categories are not the curator's).
ENRICHABLE = ("authors", "year", "month", "day", "venue", "arxiv", "doi", "links")
PROGRESS_EVERY = 10

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Change:
    file: str
    field: str
    value: object
    source: str

    def render(self) -> str:
        value = self.value
        if self.field == "links" and isinstance(value, list):
            value = ", ".join(f"{link['kind']} {link['url']}" for link in value)
        elif isinstance(value, list):
            value = "; ".join(map(str, value))
        return f"{self.file}: {self.field} = {value} (from {self.source})"


@dataclass
class EnrichReport:
    changes: list[Change] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: int = 0  # papers with nothing to fill: not looked up
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False

    def render(self) -> str:
        lines = [change.render() for change in self.changes]
        lines += [f"not matched: {item}" for item in self.unmatched]
        lines += [f"note: {note}" for note in self.notes]
        files = len({change.file for change in self.changes})
        verb = "would fill" if self.dry_run else "filled"
        summary = (f"enrich: {verb} {len(self.changes)} field(s) in {files} file(s); "
                   f"{len(self.unmatched)} paper(s) not matched; {self.complete} already complete")
        if self.dry_run:
            summary += " (dry run: nothing written)"
        return "\n".join([*lines, summary])


def missing_fields(meta: dict) -> list[str]:
    return [name for name in ENRICHABLE if name not in meta]


def run_enrich(papers_dir: Path, finder, *, root: Path, dry_run: bool = False,
               progress: Progress | None = None) -> EnrichReport:
    """Look up every paper with a missing field, fill what is found, write all files or none.
    Raises GeneratorError (nothing written) when a service fails."""
    report = EnrichReport(dry_run=dry_run)
    papers: list[PaperFile] = []
    owners = IdentityIndex()  # every readable file, so that enrich never gives an arXiv id or DOI to a second file
    for path in sorted(papers_dir.glob("*.md")):
        existing = read_paper_file(path)
        if existing is not None:
            owners.add(existing)
        if existing is None or not strictly_readable(path):
            report.notes.append(f"{_shown(path, root)}: front matter cannot be read; skipped "
                                "(paper-collection validate says why)")
            continue
        if missing_fields(existing.meta):
            papers.append(existing)
        else:
            report.complete += 1
    usable: list[PaperFile] = []
    for existing in papers:
        problem = _identifier_problem(existing.meta)
        if problem:
            report.notes.append(f"{_shown(existing.path, root)}: {problem}; not looked up "
                                "(paper-collection validate says how to fix it)")
        else:
            usable.append(existing)
    finder.prepare([existing.meta["arxiv"] for existing in usable if existing.meta.get("arxiv")])
    pending: dict[Path, str] = {}
    for number, existing in enumerate(usable, start=1):
        if progress and (number % PROGRESS_EVERY == 0 or number == len(usable)):
            progress(f"enrich: looked up {number}/{len(usable)} papers")
        _enrich_one(existing, finder, root, report, pending, owners)
    if not dry_run:
        report.written = write_all(pending)
    return report


def _identifier_problem(meta: dict) -> str | None:
    """Why the file's arXiv id or DOI cannot be asked for (one bad id would fail a whole batch)."""
    for name, pattern in (("arxiv", ARXIV_ID), ("doi", DOI)):
        value = meta.get(name)
        if value is not None and not (isinstance(value, str) and pattern.match(value)):
            return f"{name}: {value!r} is not a valid {'arXiv id' if name == 'arxiv' else 'DOI'}"
    return None


def _enrich_one(existing: PaperFile, finder, root: Path, report: EnrichReport, pending: dict[Path, str],
                owners: IdentityIndex) -> None:
    shown = _shown(existing.path, root)
    meta = existing.meta
    arxiv = meta.get("arxiv") if isinstance(meta.get("arxiv"), str) else None
    doi = meta.get("doi") if isinstance(meta.get("doi"), str) else None
    found = finder.find(arxiv, doi, existing.title)
    if found is None:
        how = f"arXiv id {arxiv}" if arxiv else f"DOI {doi}" if doi else "exact title"
        report.unmatched.append(f"{shown} {existing.title[:80]!r}: {finder.asked(arxiv, doi)} has no paper "
                                f"with its {how}")
        return
    record, source = found
    paper = paper_from_record(record)
    if isinstance(paper, Rejection):
        report.unmatched.append(f"{shown} {existing.title[:80]!r}: the answer from {source} has no title")
        return
    if normalize_title(paper.title) not in existing.identity.titles:
        report.notes.append(f"{shown}: {source} calls it {paper.title[:80]!r}; check the file's arXiv id or DOI "
                            "(the file's title is kept)")
    for name, value in (("arxiv", normal_arxiv(paper.arxiv)), ("doi", normal_doi(paper.doi))):
        held = owners.match(Identity((), **{name: value})) if value else None
        owner = held.same if held is not None else None
        if owner is not None and owner.path != existing.path:
            report.unmatched.append(f"{shown} {existing.title[:80]!r}: found in {source} as {name} {value}, which "
                                    f"{_shown(owner.path, root)} already has; if they are the same paper, "
                                    "keep one file")
            return
    filled_meta, filled, _ = merge_record(existing, paper, ENRICHABLE)
    if not filled:
        return
    for name in filled:
        report.changes.append(Change(shown, name, filled_meta[name], source))
    owners.discard(existing)
    existing.meta = filled_meta
    existing.identity = meta_identity(filled_meta, existing.body)
    owners.add(existing)  # an arXiv id or DOI filled here is this file's from now on
    pending[existing.path] = frontmatter.dump(filled_meta, existing.body)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
