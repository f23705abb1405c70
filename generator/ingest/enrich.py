"""`enrich`: fill the fields existing paper files lack, from the arXiv API, Crossref or a saved response.

The rule is the importer's (`collection.identity.merge`): only a field the file does not have is filled; a
value a person wrote is never changed, and an empty value such as ``links: []`` counts as written
("keep it empty"). A paper is found by the arXiv id or DOI in its file, else by its exact title
(normalised); anything else is reported as not matched, never guessed. Every change is reported
(file, field, value, source), and the files are written all-or-nothing (`importer.write_all`).

Scheduling, so that a weekly run fits its time limit at 10,000 papers: the date each paper was last
asked about is kept in `enrich-asked.json` (data, committed with the papers it changed); a paper
asked about in the last `recheck_days` days is not asked again; the papers never asked come first,
then the longest since asked, so a run cut short by `time_limit` (or by a service that stopped
answering) is resumed by the next one. What a cut-short run found is still written.
"""

from __future__ import annotations

import datetime as dt
import json
import time
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
from paper_collection.errors import GeneratorError
from paper_collection.ingest.importer import write_all
from paper_collection.ingest.records import paper_from_record

# The fields enrich may fill (the importer also fills keywords; a lookup's categories are not the curator's).
ENRICHABLE = ("authors", "year", "month", "day", "venue", "arxiv", "doi", "links")
ASKED_FILE = "enrich-asked.json"  # at the project's root: when each paper was last asked about
RECHECK_DAYS = 28  # a paper asked about is not asked again for four weeks
BATCH = 100  # papers whose arXiv ids are asked for together

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
    asked: int = 0  # papers looked up in this run
    recent: int = 0  # papers with missing fields, asked about within recheck_days: not asked again
    left: int = 0  # papers due that this run did not reach (time limit, or a service stopped answering)
    scheduled: bool = False  # run with the record of when papers were asked (enrich --recheck-days)

    def render(self) -> str:
        lines = [change.render() for change in self.changes]
        lines += [f"not matched: {item}" for item in self.unmatched]
        lines += [f"note: {note}" for note in self.notes]
        files = len({change.file for change in self.changes})
        verb = "would fill" if self.dry_run else "filled"
        summary = (f"enrich: {verb} {len(self.changes)} field(s) in {files} file(s); "
                   f"{len(self.unmatched)} paper(s) not matched; {self.complete} already complete")
        if self.scheduled:
            summary += f"; {self.asked} looked up, {self.recent} asked recently (not again yet)"
            if self.left:
                summary += f", {self.left} left for the next run"
        if self.dry_run:
            summary += " (dry run: nothing written)"
        return "\n".join([*lines, summary])


def missing_fields(meta: dict) -> list[str]:
    return [name for name in ENRICHABLE if name not in meta]


class AskedRecord:
    """When each paper (by file name) was last asked about: `enrich-asked.json`, sorted, one paper a line."""

    def __init__(self, path: Path, dates: dict[str, str] | None = None) -> None:
        self.path = path
        self.dates = dict(dates or {})

    @classmethod
    def load(cls, path: Path, shown: str) -> AskedRecord:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise GeneratorError(f"{shown}: cannot be read ({error}); delete it to ask about every paper again") \
                from None
        dates = data.get("asked") if isinstance(data, dict) else None
        if not isinstance(dates, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in dates.items()):
            raise GeneratorError(f'{shown}: expected {{"asked": {{"file-name": "YYYY-MM-DD", ...}}}}; delete it to ask '
                                 "about every paper again")
        return cls(path, dates)

    def due(self, slug: str, today: dt.date, recheck_days: int) -> bool:
        last = self.dates.get(slug)
        try:
            return last is None or (today - dt.date.fromisoformat(last)).days >= recheck_days
        except ValueError:
            return True

    def text(self, present: set[str]) -> str:
        """The record as written: papers that are gone are dropped."""
        kept = {slug: date for slug, date in self.dates.items() if slug in present}
        return json.dumps({"asked": dict(sorted(kept.items()))}, indent=1, ensure_ascii=False) + "\n"


def run_enrich(papers_dir: Path, finder, *, root: Path, dry_run: bool = False,
               progress: Progress | None = None, record: AskedRecord | None = None,
               recheck_days: int = RECHECK_DAYS, time_limit: float | None = None,
               today: dt.date | None = None, clock: Callable[[], float] = time.monotonic) -> EnrichReport:
    """Look up the papers with a missing field that are due (see the module's notes), fill what is
    found, and write all files (and the record) or none. A run that reaches `time_limit` seconds, or
    meets a service that stopped answering, writes what it found and says what is left."""
    started = clock()
    today = today or dt.date.today()
    report = EnrichReport(dry_run=dry_run, scheduled=record is not None)
    papers: list[PaperFile] = []
    present: set[str] = set()
    owners = IdentityIndex()  # every readable file, so that enrich never gives an arXiv id or DOI to a second file
    for path in sorted(papers_dir.glob("*.md")):
        present.add(path.stem)
        existing = read_paper_file(path)
        if existing is not None:
            owners.add(existing)
        if existing is None or not strictly_readable(path):
            report.notes.append(f"{_shown(path, root)}: front matter cannot be read; skipped "
                                "(paper-collection validate says why)")
            continue
        if not missing_fields(existing.meta):
            report.complete += 1
        elif record is None or record.due(path.stem, today, recheck_days):
            papers.append(existing)
        else:
            report.recent += 1
    usable: list[PaperFile] = []
    for existing in papers:
        problem = _identifier_problem(existing.meta)
        if problem:
            report.notes.append(f"{_shown(existing.path, root)}: {problem}; not looked up "
                                "(paper-collection validate says how to fix it)")
        else:
            usable.append(existing)
    if record is not None:  # never asked first, then the longest since asked: a cut-short run is resumed
        usable.sort(key=lambda e: (record.dates.get(e.path.stem, ""), e.path.name))
    pending: dict[Path, str] = {}

    def out_of_time() -> bool:
        return time_limit is not None and clock() - started >= time_limit

    for start in range(0, len(usable), BATCH):
        batch = usable[start:start + BATCH]
        try:
            if out_of_time():
                break
            finder.prepare([existing.meta["arxiv"] for existing in batch if existing.meta.get("arxiv")])
            for existing in batch:
                if out_of_time():  # looked at before each paper: one DOI or title costs a request or two
                    break
                _enrich_one(existing, finder, root, report, pending, owners)
                report.asked += 1
                if record is not None:
                    record.dates[existing.path.stem] = today.isoformat()
        except GeneratorError as error:
            if record is None:
                raise
            report.left = len(usable) - report.asked
            report.notes.append(f"stopped: {error}; kept what was found, and the next run continues with the "
                                f"{report.left} paper(s) left")
            break
        if progress:
            progress(f"enrich: looked up {report.asked}/{len(usable)} papers")
    if report.asked < len(usable) and not report.left:
        report.left = len(usable) - report.asked
        report.notes.append(f"stopped at the time limit ({time_limit:g} s) with {report.left} paper(s) left; "
                            "the next run continues with them")
    if record is not None:
        pending[record.path] = record.text(present)
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
