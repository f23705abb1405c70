"""`update`: run the watches of `watch.yml`, import what is new, remember what each watch has seen.

For each watch, ask its service what appeared since the newest date it saw last time (kept in the
committed `watch-state.yml` beside `watch.yml`; a first run looks `FIRST_RUN_DAYS` back, `--since`
overrides): the arXiv API (the query with a `submittedDate` range, newest first, page after page of
`start`/`max_results`), the Hugging Face daily papers (one request per day, so a missed day is caught
up), or an RSS/Atom feed. Requests go through the lookup client (`lookup/client.py`): User-Agent,
contact, 3 s between requests to a host, retries with `Retry-After`, the cache.

Which papers stay (`keep:` in watch.yml): `tagged` keeps a paper a taxonomy rule tags, or one the tag
model suggests a tag for with at least `min_confidence`; the others are reported as off topic, with
their titles, and not written. `all` keeps every paper; those no rule tags wait as `untagged`.

What stays is imported through the importer (`run_import_records`): identity, merging, removed papers
(`removed.yml`), duplicates and tagging are the same as for any import; each paper records the watch
that brought it in `sources:` (``file: watch:NAME``). The papers and the new `watch-state.yml` are
written together, all or nothing. A watch whose service fails is reported as failed; the other
watches still run, and its state is not moved on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from lxml import etree

from paper_collection.collection.identity import paper_identity
from paper_collection.collection.model import Origin, RawRecord, Rejection
from paper_collection.collection.removed import RemovedIndex
from paper_collection.errors import GeneratorError, InputError
from paper_collection.ingest.importer import (
    CollectionIndex,
    FileReport,
    RecordsInput,
    run_import_records,
    write_all,
)
from paper_collection.ingest.lookup.client import FEED, LookupClient, LookupFailed
from paper_collection.ingest.readers.atom import read_atom
from paper_collection.ingest.readers.jsonfmt import read_json
from paper_collection.ingest.readers.rss import read_feed
from paper_collection.ingest.records import paper_from_record
from paper_collection.ingest.tag_model import train_model
from paper_collection.ingest.watch import Watch, WatchConfig, source_file

STATE_FILE = "watch-state.yml"
STATE_HEADER = ("# Written by `paper-collection update`: the newest date each watch in watch.yml has seen.\n"
                "# The next run asks from that date on. Delete a watch's entry to start it afresh.\n")
FIRST_RUN_DAYS = 7  # how far back a watch with no state looks
CATCH_UP_DAYS = 31  # the most days of Hugging Face daily papers one run asks for
PAGE = 100  # arXiv API results per request (its manual suggests at most 2000; 100 keeps answers small)
ARXIV_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
SOURCE_NAMES = {"arxiv": "arXiv API", "huggingface": "Hugging Face daily papers", "feed": "feed"}

Progress = Callable[[str], None]


@dataclass
class WatchRun:
    """One watch in one run: what was asked, found and kept, and what became of it."""

    watch: Watch
    since: dt.date
    asked: list[str] = field(default_factory=list)  # one line per request
    found: list[RawRecord] = field(default_factory=list)
    newest: str | None = None  # the newest date among the answers
    failed: str | None = None
    kept: list[RawRecord] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)  # titles
    tags: dict[str, str] = field(default_factory=dict)  # a kept paper's title -> its tags, as reported
    imported: FileReport | None = None
    new_titles: list[tuple[str, str]] = field(default_factory=list)  # (slug, title) of the new papers


@dataclass
class UpdateReport:
    runs: list[WatchRun]
    today: dt.date
    dry_run: bool
    written: list[Path] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return sum(len(run.imported.new) for run in self.runs if run.imported)

    def render(self) -> str:
        out = []
        for run in self.runs:
            watch = run.watch
            out.append(f"watch '{watch.name}' ({SOURCE_NAMES[watch.source]}: {watch.query}), "
                       f"since {run.since.isoformat()}")
            out += [f"  asked: {line}" for line in run.asked]
            if run.failed:
                failed = " ".join(run.failed.split())  # one line: the workflow reads it (update.yml)
                out.append(f"  failed: {failed}; nothing from this watch was written, and it will ask again "
                           "from the same date next time")
                continue
            report = run.imported
            new = len(report.new) if report else 0
            already = len(report.merged) + len(report.unchanged) + len(report.duplicate) if report else 0
            removed = len(report.skipped) if report else 0
            out.append(f"  found {len(run.found)}, new {new}, already in {already}, removed {removed}, "
                       f"off-topic {len(run.off_topic)}")
            out += [f"  new: '{title[:100]}' ({slug}): {run.tags.get(title, '')}" for slug, title in run.new_titles]
            if report:
                out += [f"  removed: {line}" for line in report.skipped]
                out += [f"  rejected: {r.file}:{r.line}: {r.reason}" for r in report.rejected]
                out += [f"  note: {note}" for note in report.notes]
            out += [f"  off-topic: '{title[:100]}'" for title in run.off_topic]
        failed = [run.watch.name for run in self.runs if run.failed]
        summary = f"{self.new_count} new paper(s) from {len(self.runs)} watch(es)"
        if failed:
            summary += f"; failed: {', '.join(failed)}"
        out.append(summary + ("; dry run: nothing was written" if self.dry_run else ""))
        return "\n".join(out)

    def markdown(self) -> str:
        """The pull request's body: per watch, the new papers' titles and tags, and how many were off topic."""
        from paper_collection.contrib.github import markdown_text

        out = [f"New papers found by `paper-collection update` on {self.today.isoformat()}.", ""]
        for run in self.runs:
            out.append(f"### {markdown_text(run.watch.name)}")
            if run.failed:
                out += ["", f"Failed: {markdown_text(run.failed)}", ""]
                continue
            out.append("")
            for slug, title in run.new_titles:
                out.append(f"- {markdown_text(title)} (`{slug}`): {markdown_text(run.tags.get(title, ''))}")
            if not run.new_titles:
                out.append("- no new paper")
            removed = len(run.imported.skipped) if run.imported else 0
            out += ["", f"Found {len(run.found)}; off topic (not added): {len(run.off_topic)}; removed before "
                        f"(skipped): {removed}.", ""]
        out.append("Check the titles and tags; papers tagged `untagged` need tags "
                   "(`paper-collection tags review`).")
        return "\n".join(out) + "\n"


# --- state -------------------------------------------------------------------------------------


def load_state(path: Path) -> dict[str, str]:
    """watch name -> the newest date (ISO) it has seen."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise GeneratorError(f"{STATE_FILE}: cannot read it ({error}); delete it to let every watch start afresh") \
            from None
    state = {}
    for name, entry in (data or {}).items() if isinstance(data, dict) else ():
        newest = entry.get("newest") if isinstance(entry, dict) else None
        if isinstance(newest, dt.date):
            newest = newest.isoformat()
        if isinstance(newest, str):
            state[str(name)] = newest
    return state


def dump_state(state: dict[str, str]) -> str:
    data = {name: {"newest": state[name]} for name in sorted(state)}
    return STATE_HEADER + yaml.safe_dump(data, sort_keys=True, allow_unicode=True, default_flow_style=False)


# --- asking the services -----------------------------------------------------------------------


def record_date(raw: RawRecord) -> str | None:
    if raw.year and raw.month and raw.day:
        try:
            return dt.date(raw.year, raw.month, raw.day).isoformat()
        except ValueError:
            return None
    return None


def _since_ok(raw: RawRecord, since: dt.date) -> bool:
    when = record_date(raw)
    return when is None or when >= since.isoformat()


def _stamped(records, name: str, fmt: str, first: int) -> list[RawRecord]:
    return [replace(raw, origin=Origin(source_file(name), first + number, fmt)) for number, raw in enumerate(records)]


def fetch_arxiv(client: LookupClient, watch: Watch, since: dt.date, today: dt.date, run: WatchRun,
                page: int = PAGE) -> None:
    """Page through the arXiv API's answer (newest first) until `watch.max` papers, the end of the
    answer, or papers older than `since`."""
    query = f"({watch.query}) AND submittedDate:[{since:%Y%m%d}0000 TO {today:%Y%m%d}2359]"
    start = 0
    what = f"watch '{watch.name}'"
    while len(run.found) < watch.max:
        size = min(page, watch.max - len(run.found))
        response = client.get("arxiv", client.endpoint("arxiv"), {
            "search_query": query, "start": start, "max_results": size,
            "sortBy": "submittedDate", "sortOrder": "descending"}, what)
        run.asked.append(f"arXiv API search_query={query} start={start} max_results={size}: HTTP "
                         f"{response.status_code}")
        if response.status_code not in (200, 400):
            raise LookupFailed(what, "arxiv", f"answered HTTP {response.status_code}",
                               "check the address (--arxiv-api) or try again later")
        try:
            result = read_atom(response.text, "arXiv API")
        except InputError as error:
            if "answered with an error" in error.message:  # the API's error entry: the query is wrong
                raise LookupFailed(what, "arxiv", f"refused the query ({error.message.removeprefix('the arXiv API ')})",
                                   "correct the query in watch.yml") from None
            raise LookupFailed(what, "arxiv", f"sent an answer that cannot be read ({error.message})",
                               "check the query in watch.yml, or try again later") from None
        total = _total_results(response.text)
        records = list(result.records)
        run.found += _stamped((raw for raw in records if _since_ok(raw, since)), watch.name, "arxiv-api",
                              start + 1)
        start += len(records)
        if not records or (total is not None and start >= total) or not all(_since_ok(r, since) for r in records):
            break
    del run.found[watch.max:]


def _total_results(text: str) -> int | None:
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        found = root.find(f"{ARXIV_OPENSEARCH}totalResults")
        return int(found.text) if found is not None and found.text else None
    except (etree.XMLSyntaxError, ValueError):
        return None


def fetch_huggingface(client: LookupClient, watch: Watch, since: dt.date, today: dt.date, run: WatchRun) -> None:
    """One request per day from `since` to `today` (at most `CATCH_UP_DAYS`): a missed day is caught up."""
    first = max(since, today - dt.timedelta(days=CATCH_UP_DAYS - 1))
    what = f"watch '{watch.name}'"
    url = f"{client.endpoint('huggingface')}/daily_papers"
    day = first
    while day <= today and len(run.found) < watch.max:
        response = client.get("huggingface", url, {"date": day.isoformat()}, what)
        run.asked.append(f"Hugging Face daily papers date={day.isoformat()}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise LookupFailed(what, "huggingface", f"answered HTTP {response.status_code} for {day.isoformat()}",
                               "check the address (--huggingface-api) or try again later")
        try:
            empty = json.loads(response.text) == []
        except ValueError:
            empty = False  # the JSON reader names the problem
        if not empty:
            try:
                result = read_json(response.text, f"daily papers {day.isoformat()}")
            except InputError as error:
                raise LookupFailed(what, "huggingface", f"sent an answer that cannot be read ({error})",
                                   "try again later; if it persists, the API may have changed") from None
            run.found += _stamped(result.records, watch.name, "huggingface", len(run.found) + 1)
            run.newest = max(run.newest or "", day.isoformat())
        day += dt.timedelta(days=1)
    del run.found[watch.max:]


def fetch_feed(client: LookupClient, watch: Watch, since: dt.date, run: WatchRun) -> None:
    what = f"watch '{watch.name}'"
    response = client.get(FEED, watch.query, {}, what)
    run.asked.append(f"feed {watch.query}: HTTP {response.status_code}")
    if response.status_code != 200:
        raise LookupFailed(what, FEED, f"answered HTTP {response.status_code}", "check its address in watch.yml")
    try:
        fmt, result = read_feed(response.text, watch.query)
    except InputError as error:
        raise LookupFailed(what, FEED, f"sent something that is not a readable feed ({error})",
                           "check its address in watch.yml") from None
    kept = [raw for raw in result.records if _since_ok(raw, since)][:watch.max]
    run.found += _stamped(kept, watch.name, fmt, 1)


def ask(client: LookupClient, watch: Watch, since: dt.date, today: dt.date, page: int = PAGE) -> WatchRun:
    run = WatchRun(watch, since)
    try:
        if watch.source == "arxiv":
            fetch_arxiv(client, watch, since, today, run, page)
        elif watch.source == "huggingface":
            fetch_huggingface(client, watch, since, today, run)
        else:
            fetch_feed(client, watch, since, run)
    except LookupFailed as error:
        run.failed, run.found = str(error), []
        return run
    dates = [when for raw in run.found if (when := record_date(raw))]
    run.newest = max([*dates, *([run.newest] if run.newest else [])], default=None)
    return run


# --- which papers stay -------------------------------------------------------------------------


def choose(runs: list[WatchRun], config: WatchConfig, index: CollectionIndex, removed: RemovedIndex, taxonomy,
           added: str) -> tuple:
    """Sort each watch's papers into kept and off topic (`keep:`); papers the collection has, or removed,
    go to the importer as they are (it reports them). Returns (the tag model,) when it was trained (on the
    collection as it is: the importer suggests tags with the same model), else ()."""
    model = None
    model_trained = False
    for run in runs:
        undecided: list[tuple[RawRecord, object]] = []
        for raw in run.found:
            paper = paper_from_record(raw, added=added)
            if isinstance(paper, Rejection):  # the importer reports it
                run.kept.append(raw)
                continue
            known = index.match(paper_identity(paper))  # the identity rule, as the importer applies it
            if known.same is not None or known.conflict or removed.match_paper(paper) is not None:
                run.kept.append(raw)  # the importer reports it: merged, unchanged, duplicate, or skipped as removed
                continue
            rules = taxonomy.assign(paper.title, paper.abstract)
            if rules:
                run.kept.append(raw)
                run.tags[paper.title] = ", ".join(dict.fromkeys((*rules, *run.watch.tags))) + " (rules)"
                continue
            undecided.append((raw, paper))
        if not undecided:
            continue
        if not model_trained:
            model, model_trained = train_model(index.entries, taxonomy), True
        suggestions = (model.suggest([(p.title, p.abstract) for _, p in undecided]) if model is not None
                       else [() for _ in undecided])
        for (raw, paper), found in zip(undecided, suggestions, strict=True):
            best = max((s.confidence for s in found), default=0.0)
            shown = ", ".join(f"{s.tag} ({s.confidence:.2f})" for s in found) or "nothing"
            if config.keep == "all" or best >= config.min_confidence:
                run.kept.append(raw)
                given = ", ".join(run.watch.tags) if run.watch.tags else "untagged"
                run.tags[paper.title] = f"{given}; the tag model suggests {shown}"
            else:
                run.off_topic.append(paper.title)
    return (model,) if model_trained else ()


# --- the command ---------------------------------------------------------------------------------


def run_update(root: Path, papers_dir: Path, taxonomy, config: WatchConfig, watches: tuple[Watch, ...],
               client: LookupClient, *, today: dt.date, since: dt.date | None = None, dry_run: bool = False,
               removed: RemovedIndex | None = None, progress: Progress | None = None,
               page: int = PAGE) -> UpdateReport:
    """Run `watches`; import what stays; write the papers and `watch-state.yml` together (unless `dry_run`)."""
    state_path = root / STATE_FILE
    state = load_state(state_path)
    runs = []
    for watch in watches:
        start = since or (dt.date.fromisoformat(state[watch.name]) if watch.name in state
                          else today - dt.timedelta(days=FIRST_RUN_DAYS))
        if progress:
            progress(f"watch '{watch.name}': asking {SOURCE_NAMES[watch.source]} for papers since {start}")
        runs.append(ask(client, watch, start, today, page))
    removed = removed or RemovedIndex()
    index = CollectionIndex(papers_dir)
    model = choose([run for run in runs if not run.failed], config, index, removed, taxonomy, today.isoformat())
    new_state = dict(state)
    for run in runs:
        if not run.failed and run.newest:
            new_state[run.watch.name] = max(run.newest, state.get(run.watch.name, ""))
    state_text = dump_state(new_state)
    changed_state = new_state != state or not state_path.exists() and new_state
    inputs = [RecordsInput(source_file(run.watch.name), run.watch.source, tuple(run.kept), run.watch.tags)
              for run in runs if run.kept]
    report = UpdateReport(runs, today, dry_run)
    also = {state_path: state_text} if changed_state else {}
    if inputs:
        imported = run_import_records(inputs, papers_dir, taxonomy, added=today.isoformat(), progress=progress,
                                      removed=removed, dry_run=dry_run, also_write=also, index=index, model=model)
        by_name = {file_report.file: file_report for file_report in imported.files}
        for run in runs:
            run.imported = by_name.get(source_file(run.watch.name))
            if run.imported:
                run.new_titles = _new_titles(run)
        report.written = imported.written
    elif also and not dry_run:
        report.written = write_all(also)
    return report


def _new_titles(run: WatchRun) -> list[tuple[str, str]]:
    """(slug, title) of each new paper of `run`, in the order written: a new paper's slug is its title's
    (`base_slug`), with a number added when the address was taken."""
    from paper_collection.collection.slugs import base_slug

    titles = []
    for raw in run.kept:
        paper = paper_from_record(raw)
        if not isinstance(paper, Rejection):
            titles.append((base_slug(paper.title), paper.title))
    out = []
    for slug in run.imported.new:
        title = next((t for base, t in titles if slug == base or slug.startswith(f"{base}-")), slug)
        out.append((slug, title))
    return out
