"""`enrich --recheck-days N --time-limit S`: a weekly run that fits its time at 10,000 papers. Papers
asked about in the last N days are not asked again; the record of when each was asked
(enrich-asked.json) is written with the papers, all or nothing; a run cut short by its time limit
or by a service that stopped answering writes what it found, and the next run resumes with the
papers it did not reach."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from paper_collection.collection import frontmatter
from paper_collection.collection.model import Origin, RawRecord
from paper_collection.errors import GeneratorError
from paper_collection.ingest.enrich import ASKED_FILE, BATCH, AskedRecord, run_enrich
from tests.helpers import run_generator

TODAY = dt.date(2026, 12, 7)


def write_papers(root: Path, count: int) -> Path:
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    for number in range(count):
        meta = {"title": f"Paper number {number}", "tags": ["vision"], "added": "2026-01-01"}
        (papers / f"paper-{number:03d}.md").write_text(frontmatter.dump(meta, f"Abstract {number}."),
                                                        encoding="utf-8")
    return papers


class Finder:
    """Answers every title with a record holding authors and a year; keeps the titles asked; can stop
    answering after `fail_after` questions."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.titles: list[str] = []
        self.fail_after = fail_after
        self.now = 0.0  # each question takes a second: the clock of the run (`clock=finder.clock`)

    def clock(self) -> float:
        return self.now

    def prepare(self, arxiv_ids):
        pass

    def asked(self, arxiv, doi):
        return "the test service"

    def find(self, arxiv, doi, title):
        if self.fail_after is not None and len(self.titles) >= self.fail_after:
            raise GeneratorError(f"{title}: the test service failed with HTTP 503 (4 tries)")
        self.titles.append(title)
        self.now += 1.0
        record = RawRecord(title=title, abstract="", origin=Origin("service", 0, "test"), authors=("Ada Lovelace",),
                           year=2020)
        return record, "the test service"


def record_of(root: Path) -> dict[str, str]:
    return json.loads((root / ASKED_FILE).read_text(encoding="utf-8"))["asked"]


def test_asked_papers_are_not_asked_again_until_the_recheck_days_pass(tmp_path):
    papers = write_papers(tmp_path, 3)
    finder = Finder()
    report = run_enrich(papers, finder, root=tmp_path, record=AskedRecord(tmp_path / ASKED_FILE), recheck_days=28,
                        today=TODAY)
    assert len(finder.titles) == 3 and report.asked == 3
    assert record_of(tmp_path) == {f"paper-{n:03d}": "2026-12-07" for n in range(3)}
    assert (tmp_path / ASKED_FILE).read_text(encoding="utf-8") == (
        '{\n "asked": {\n  "paper-000": "2026-12-07",\n  "paper-001": "2026-12-07",\n  "paper-002": "2026-12-07"\n'
        ' }\n}\n')
    # The papers now have authors and year, but still lack fields (month, links...): due again only later.
    for day, expected in ((TODAY + dt.timedelta(days=27), 0), (TODAY + dt.timedelta(days=28), 3)):
        finder = Finder()
        report = run_enrich(papers, finder, root=tmp_path, record=AskedRecord.load(tmp_path / ASKED_FILE, ASKED_FILE),
                            recheck_days=28, today=day, dry_run=True)
        assert len(finder.titles) == expected, day
        assert report.recent == 3 - expected
    assert report.render().endswith("3 looked up, 0 asked recently (not again yet) (dry run: nothing written)")


def test_a_run_that_reaches_its_time_limit_writes_what_it_found_and_the_next_resumes(tmp_path):
    count = 2 * BATCH + 10
    limit = BATCH + 20  # seconds: a question takes one
    papers = write_papers(tmp_path, count)
    finder = Finder()
    report = run_enrich(papers, finder, root=tmp_path, record=AskedRecord(tmp_path / ASKED_FILE), recheck_days=28,
                        today=TODAY, time_limit=limit, clock=finder.clock)
    assert report.asked == limit and report.left == count - limit
    assert f"note: stopped at the time limit ({limit} s) with {count - limit} paper(s) left; the next run continues " \
           "with them" in report.render().splitlines()
    assert report.render().endswith(f"{limit} looked up, 0 asked recently (not again yet), {count - limit} left "
                                    "for the next run")
    assert sorted(record_of(tmp_path)) == [f"paper-{n:03d}" for n in range(limit)]
    assert "year: 2020" in (papers / "paper-000.md").read_text(encoding="utf-8")  # written, not lost
    assert "year" not in (papers / f"paper-{limit:03d}.md").read_text(encoding="utf-8")
    # The next run (a day later) starts with the papers never asked, and finishes them.
    finder = Finder()
    report = run_enrich(papers, finder, root=tmp_path, record=AskedRecord.load(tmp_path / ASKED_FILE, ASKED_FILE),
                        recheck_days=28, today=TODAY + dt.timedelta(days=1), time_limit=limit, clock=finder.clock)
    assert finder.titles == [f"Paper number {n}" for n in range(limit, count)]
    assert report.left == 0 and report.recent == limit
    assert len(record_of(tmp_path)) == count


def test_a_service_that_stops_answering_keeps_what_was_found(tmp_path):
    papers = write_papers(tmp_path, 5)
    report = run_enrich(papers, Finder(fail_after=3), root=tmp_path, record=AskedRecord(tmp_path / ASKED_FILE),
                        recheck_days=28, today=TODAY)
    assert report.asked == 3 and report.left == 2
    assert ("note: stopped: Paper number 3: the test service failed with HTTP 503 (4 tries); kept what was found, "
            "and the next run continues with the 2 paper(s) left") in report.render().splitlines()
    assert sorted(record_of(tmp_path)) == ["paper-000", "paper-001", "paper-002"]
    # Without the record (a person's one-off run), a failure still writes nothing, as before.
    fresh = write_papers(tmp_path / "other", 5)
    with pytest.raises(GeneratorError):
        run_enrich(fresh, Finder(fail_after=3), root=tmp_path / "other")
    assert not any("year" in path.read_text(encoding="utf-8") for path in fresh.glob("*.md"))


def test_papers_that_are_gone_leave_the_record(tmp_path):
    papers = write_papers(tmp_path, 2)
    run_enrich(papers, Finder(), root=tmp_path, record=AskedRecord(tmp_path / ASKED_FILE), recheck_days=28,
               today=TODAY)
    (papers / "paper-001.md").unlink()
    run_enrich(papers, Finder(), root=tmp_path, record=AskedRecord.load(tmp_path / ASKED_FILE, ASKED_FILE),
               recheck_days=28, today=TODAY)
    assert record_of(tmp_path) == {"paper-000": "2026-12-07"}


def test_a_broken_record_is_a_clear_error(tmp_path):
    root = write_papers(tmp_path / "project", 1).parent.parent
    for name in ("mkdocs.yml", "taxonomy.yml"):
        (root / name).write_text((Path(__file__).parent / "fixtures" / "github" / "project" / name).read_text())
    (root / ASKED_FILE).write_text('{"asked": ["paper-000"]}', encoding="utf-8")
    result = run_generator(root, "enrich", "--recheck-days", "28", "--from", str(root / "none.json"), check=False)
    assert result.returncode == 2
    assert result.stderr == (f'error: {ASKED_FILE}: expected {{"asked": {{"file-name": "YYYY-MM-DD", ...}}}}; '
                             "delete it to ask about every paper again\n")
    result = run_generator(root, "enrich", "--time-limit", "0", check=False)
    assert result.stderr == "error: --time-limit 0: give a number of seconds above 0\n"
