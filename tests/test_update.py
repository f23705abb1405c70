"""`paper-collection update`: watches answered by real recorded responses (tests/fixtures/watch/README.md
says where each came from) served on 127.0.0.1 as the configured endpoints; no network.

Covered: paging through a two-page arXiv API answer, the Hugging Face daily papers, an RSS feed, keeping
on-topic papers and reporting the rest with their titles, a removed paper skipped and said so, a second
run adding nothing, --dry-run writing nothing, a failing service reported for its own watch while the
others still run, 429 with Retry-After waited out, and the papers and watch-state.yml written together."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest

from paper_collection.collection import frontmatter
from paper_collection.collection.removed import load_removed
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.ingest.lookup.client import LookupClient, LookupSettings
from paper_collection.ingest.update import STATE_FILE, load_state, run_update
from paper_collection.ingest.watch import load_watches
from tests.helpers import run_generator
from tests.lookup_fixtures import Recorded, Replay, replay_server

FIXTURES = Path(__file__).parent / "fixtures" / "watch"
TODAY = "2026-12-07"


def arxiv_page(name: str) -> Recorded:
    """An arxiv.py recording ({url, status_code, body}) as the API sent it."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return Recorded(data["status_code"], data["body"].encode("utf-8"), (("content-type", "application/atom+xml"),))


PAGE_1 = arxiv_page("arxiv-q_testing_s0_m10_bc5a6c384fe9.json")
PAGE_2 = arxiv_page("arxiv-q_testing_s10_m10_34e56e15aaac.json")
HF_DAY = Recorded(200, (FIXTURES / "hf-daily-papers-2026-03-06.json").read_bytes(),
                  (("content-type", "application/json"),))
RSS = Recorded(200, (FIXTURES / "hf-mirror-rss.xml").read_bytes(), (("content-type", "application/rss+xml"),))


@pytest.fixture
def project(tmp_path):
    shutil.copytree(FIXTURES / "collection", tmp_path / "collection")
    return tmp_path / "collection"


def only_watches(project: Path, text: str) -> None:
    (project / "watch.yml").write_text(text, encoding="utf-8")


def arxiv_rules():
    def start(query):
        return query.get("start", [""])[0]
    return [(lambda path, query: path == "/api/query" and start(query) == "0", PAGE_1),
            (lambda path, query: path == "/api/query" and start(query) == "10", PAGE_2)]


def options(base: str, project: Path) -> list[str]:
    return ["--arxiv-api", f"{base}/api/query", "--huggingface-api", f"{base}/hf", "--min-interval", "0",
            "--cache", str(project / ".cache"), "--mailto", "curator@example.org", "--today", TODAY]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".paper-collection" not in p.parts and ".cache" not in p.parts}


def paper_files(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "content" / "papers").glob("*.md"))


# The tag model, trained on the two papers of the collection, is 0.70-0.76 sure of "software-testing" for
# every paper no rule tags (hypothesis tests included): only a rule or more certainty keeps a paper here.
ARXIV_ONLY = 'min_confidence: 0.8\nwatches:\n  - name: testing\n    arxiv: "all:testing"\n    max: 20\n'


def test_update_pages_through_arxiv_keeps_on_topic_papers_and_a_second_run_adds_none(project):
    only_watches(project, ARXIV_ONLY)
    before = paper_files(project)
    with replay_server(arxiv_rules()) as (base, asked):
        first = run_generator(project, "update", "--since", "2010-01-01", *options(base, project))
        asked_first = list(asked)
        after_first = snapshot(project)
        second = run_generator(project, "update", *options(base, project), "--no-cache")
    # Two pages, newest first, with the submittedDate range of what is new; polite headers.
    queries = [httpx.URL(path).params for path, _ in asked_first]
    assert [(q["start"], q["max_results"]) for q in queries] == [("0", "20"), ("10", "10")]
    assert queries[0]["search_query"] == "(all:testing) AND submittedDate:[201001010000 TO 202612072359]"
    assert queries[0]["sortBy"] == "submittedDate" and queries[0]["sortOrder"] == "descending"
    headers = asked_first[0][1]
    agent = headers["User-Agent"]
    assert agent.startswith("paper-collection/") and "mailto:curator@example.org" in agent
    out = first.stdout
    assert "found 20, new 13, already in 1, removed 1, off-topic 5" in out, out
    # The off-topic papers are named; none of them was written.
    for title in ("The Sample Complexity of Simple Binary Hypothesis Testing",
                  "Variable pool testing for infection spread estimation",
                  "Microcontroller Based Testing of Digital IP-Core"):
        assert f"off-topic: '{title}'" in out
    assert "the-sample-complexity-of-simple-binary-hypothesis-testing.md" not in paper_files(project)
    # The removed paper never comes back, and the report says why.
    assert "Automated Test Generation for REST APIs: No Time to Rest Yet': removed on 2026-02-01 " \
           "(out of scope for this collection)" in out
    assert "automated-test-generation-for-rest-apis-no-time-to-rest-yet.md" not in paper_files(project)
    added = sorted(set(paper_files(project)) - set(before))
    assert len(added) == 13
    paper = frontmatter.parse((project / "content/papers/property-based-mutation-testing.md").read_text("utf-8"), "x")
    assert paper.meta["tags"] == ["software-testing"] and paper.meta["arxiv"] == "2301.13615"
    assert paper.meta["added"] == TODAY and paper.meta["sources"][0]["file"] == "watch:testing"
    assert "new: 'Property-Based Mutation Testing' (property-based-mutation-testing): software-testing (rules)" in out
    assert load_state(project / STATE_FILE) == {"testing": "2025-03-07"}  # the newest paper it saw
    # The second run asks only from that date on, and everything it finds is already in.
    again = httpx.URL(asked[len(asked_first)][0]).params["search_query"]
    assert again == "(all:testing) AND submittedDate:[202503070000 TO 202612072359]"
    assert "found 1, new 0, already in 1, removed 0, off-topic 0" in second.stdout, second.stdout
    assert "no file changed" in second.stdout
    assert snapshot(project) == after_first
    assert run_generator(project, "validate").returncode == 0


def test_dry_run_changes_no_file_and_prints_the_same_report(project):
    only_watches(project, ARXIV_ONLY)
    before = snapshot(project)
    with replay_server(arxiv_rules()) as (base, _):
        dry = run_generator(project, "update", "--dry-run", "--since", "2010-01-01", *options(base, project),
                            "--no-cache")
        assert snapshot(project) == before
        real = run_generator(project, "update", "--since", "2010-01-01", *options(base, project), "--no-cache")
    assert "found 20, new 13, already in 1, removed 1, off-topic 5" in dry.stdout
    assert dry.stdout.splitlines()[-1].endswith("; dry run: nothing was written")
    # The same report as the run that writes, but for its last lines.
    assert dry.stdout.splitlines()[:-1] == real.stdout.splitlines()[:-2]
    assert real.stdout.splitlines()[-1] == "wrote 15 file(s)"  # 13 new papers, 1 filled in, watch-state.yml


def test_hugging_face_daily_and_a_feed_each_bring_their_papers_with_the_watch_in_sources(project):
    only_watches(project, "min_confidence: 0.8\nwatches:\n  - name: hf-daily\n    huggingface: daily\n"
                          "    tags: [machine-learning]\n  - name: mirror\n    feed: FEED\n")
    rules = [(lambda path, query: path == "/hf/daily_papers" and query.get("date") == ["2026-03-06"], HF_DAY),
             (lambda path, query: path == "/rss.xml", RSS)]
    with replay_server(rules) as (base, asked):
        text = (project / "watch.yml").read_text(encoding="utf-8").replace("FEED", f"{base}/rss.xml")
        (project / "watch.yml").write_text(text, encoding="utf-8")
        result = run_generator(project, "update", "--since", "2026-03-06", *options(base, project)[:-2],
                               "--today", "2026-03-06")
    assert [path for path, _ in asked] == ["/hf/daily_papers?date=2026-03-06", "/rss.xml"]
    hf = frontmatter.parse((project / "content/papers/large-multimodal-models-as-general-in-context-classifiers.md")
                           .read_text("utf-8"), "x").meta
    assert hf["tags"] == ["vision", "machine-learning"]  # its rule's tag, then the watch's
    assert hf["arxiv"] == "2602.23229" and hf["sources"][0]["file"] == "watch:hf-daily"
    assert {"kind": "code", "url": "https://github.com/marco-garosi/CIRCLE"} in hf["links"]
    video = frontmatter.parse((project / "content/papers/video-generation-models-a-survey-of-post-training-and-"
                                          "alignment.md").read_text("utf-8"), "x").meta
    assert video["tags"] == ["vision"] and video["sources"][0]["file"] == "watch:mirror"
    assert video["arxiv"] == "2610.00812"
    assert "off-topic: 'MemFold: Learning Compact Soft Memory" in result.stdout
    assert load_state(project / STATE_FILE) == {"hf-daily": "2026-03-06", "mirror": "2026-10-01"}


def _client(replay: Replay, sleeps: list[float]) -> LookupClient:
    settings = LookupSettings(min_interval=0, cache_dir=None, mailto="curator@example.org")
    return LookupClient(settings, transport=replay.transport, sleep=sleeps.append)


def _run(project: Path, replay: Replay, sleeps: list[float], **kwargs):
    taxonomy = load_taxonomy(project / "taxonomy.yml")
    config = load_watches(project / "watch.yml", taxonomy)
    with _client(replay, sleeps) as client:
        return run_update(project, project / "content" / "papers", taxonomy, config, config.watches, client,
                          today=dt.date.fromisoformat(TODAY), removed=load_removed(project / "removed.yml"), **kwargs)


def test_429_with_retry_after_is_waited_out_and_the_pages_still_arrive(project):
    only_watches(project, ARXIV_ONLY)
    # Built from the recordings: no recorded 429 of the arXiv API was found (see the fixtures' README).
    too_many = Recorded(429, b"Rate exceeded.", (("retry-after", "7"),))
    replay = Replay([(lambda r: r.url.params.get("start") == "0", [too_many, PAGE_1]),
                     (lambda r: r.url.params.get("start") == "10", PAGE_2)])
    sleeps: list[float] = []
    report = _run(project, replay, sleeps, since=dt.date(2010, 1, 1))
    assert sleeps == [7.0]
    assert [r.url.params["start"] for r in replay.requests] == ["0", "0", "10"]
    assert report.new_count == 13


def test_a_failing_service_is_reported_for_its_watch_and_the_others_still_run(project):
    only_watches(project, ARXIV_ONLY + "  - name: hf-daily\n    huggingface: daily\n"
                          "  - name: journal\n    feed: https://feeds.example.org/toc.xml\n")
    (project / STATE_FILE).write_text("hf-daily:\n  newest: '2026-12-06'\n", encoding="utf-8")
    unavailable = Recorded(503, b"Service Unavailable")  # built: no recorded 503 was found either
    replay = Replay([(lambda r: r.url.host == "huggingface.co", unavailable),
                     (lambda r: r.url.host == "feeds.example.org", httpx.ConnectError("connection refused")),
                     (lambda r: r.url.params.get("start") == "0", PAGE_1),
                     (lambda r: r.url.params.get("start") == "10", PAGE_2)])
    sleeps: list[float] = []
    report = _run(project, replay, sleeps, since=None)
    hf = next(run for run in report.runs if run.watch.name == "hf-daily")
    assert hf.failed == ("watch 'hf-daily': the Hugging Face API failed with HTTP 503 (4 tries); the service is "
                         "having problems; try again later")
    assert len(sleeps) == 3  # three retries with backoff before giving up
    journal = next(run for run in report.runs if run.watch.name == "journal")
    assert journal.failed == ("watch 'journal': the feed cannot be reached at https://feeds.example.org/toc.xml "
                              "(connection refused); check the network connection or the address (in watch.yml)")
    text = report.render()
    assert "failed: watch 'hf-daily'" in text and text.endswith("; failed: hf-daily, journal")
    # The arXiv watch ran (no state: the last FIRST_RUN_DAYS days, so nothing in the recorded pages is new);
    # the failed watch's state is not moved on.
    assert load_state(project / STATE_FILE)["hf-daily"] == "2026-12-06"


def test_a_malformed_answer_fails_only_its_watch_and_nothing_of_it_is_written(project):
    only_watches(project, ARXIV_ONLY)
    cut = Recorded(200, PAGE_1.body[: len(PAGE_1.body) // 2])  # the recorded page cut short
    replay = Replay([(lambda r: True, cut)])
    before = snapshot(project)
    report = _run(project, replay, [], since=dt.date(2010, 1, 1))
    assert report.runs[0].failed.startswith("watch 'testing': the arXiv API sent an answer that cannot be read")
    assert snapshot(project) == before


def test_watch_yml_problems_are_all_reported_with_the_watch_the_line_and_the_fix(project):
    only_watches(project, """keep: some
watches:
  - name: testing
    arxiv: "ti:(deep AND"
  - name: testing
    feed: https://example.org/feed.xml
  - name: odd
    rss: https://example.org/feed.xml
  - name: counted
    huggingface: daily
    max: lots
    tags: [no-such-tag]
""")
    result = run_generator(project, "update", "--today", TODAY, check=False)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 7 problem(s) in watch.yml:"
    assert "watch.yml:1: keep: 'some' is not one of: tagged" in lines[1]
    assert lines[2].startswith("watch.yml:4: watch 'testing': arxiv: 'ti:(deep AND' is not an arXiv query: ")
    assert lines[3] == ("watch.yml:5: watch 'testing': the name is used twice (first on line 3); give each watch "
                        "its own name")
    assert lines[4].startswith("watch.yml:8: watch 'odd': unknown key 'rss'")
    assert lines[5].startswith("watch.yml:7: watch 'odd': no source; give exactly one of")
    assert any(line.startswith("watch.yml:11: watch 'counted': max: 'lots' is not a whole number") for line in lines)
    assert any(line.startswith("watch.yml:12: watch 'counted': tags: 'no-such-tag' is not a tag") for line in lines)


@pytest.mark.parametrize(("query", "why"), [
    ("cat:cs.LG AND abs:generalization", None),
    ('ti:"graph neural" ANDNOT au:smith', None),
    ("cat:cs.LG AND (abs:transfer OR abs:shift)", None),
    ("abs:transfer AND", "the query ends with an operator"),
    ("AND abs:transfer", "'AND' has no term before it"),
    ("title:transfer", "'title:' is not an arXiv field"),
    ("(abs:transfer", "a '(' is not closed"),
    ('ti:"graph', "a double quote is not closed"),
])
def test_arxiv_queries_are_checked(query, why):
    from paper_collection.ingest.watch import arxiv_query_problem

    found = arxiv_query_problem(query)
    assert (found is None) if why is None else found.startswith(why)


def test_keep_all_keeps_every_paper_and_those_no_rule_tags_wait_as_untagged(project):
    only_watches(project, 'keep: all\nwatches:\n  - name: testing\n    arxiv: "all:testing"\n    max: 20\n')
    replay = Replay([(lambda r: r.url.params.get("start") == "0", PAGE_1),
                     (lambda r: r.url.params.get("start") == "10", PAGE_2)])
    report = _run(project, replay, [], since=dt.date(2010, 1, 1))
    assert report.new_count == 18 and report.runs[0].off_topic == []
    meta = frontmatter.parse((project / "content/papers/variable-pool-testing-for-infection-spread-estimation.md")
                             .read_text("utf-8"), "x").meta
    assert meta["tags"] == ["untagged"]
    assert meta["tags_suggested"][0]["tag"] == "software-testing"  # for a person to accept or reject
    assert "new: 'Variable pool testing for infection spread estimation' (variable-pool-testing-for-infection-" \
           "spread-estimation): untagged; the tag model suggests software-testing (0." in report.render()


def test_an_unknown_watch_name_is_an_error_that_lists_the_watches(project):
    result = run_generator(project, "update", "nope", "--today", TODAY, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: watch.yml: no watch named 'nope'; the watches are: testing, hf-daily, "
                                     "mirror")


def test_only_a_well_formed_watch_name_in_a_paper_file_names_a_watch():
    from paper_collection.ingest.watch import watch_of

    # The name becomes a path of the site (watches/NAME/feed.xml), and paper files are edited by hand.
    assert watch_of("watch:hf-daily") == "hf-daily"
    assert [watch_of(text) for text in ("watch:../../etc", "watch:a/b", "watch:", "watch:A", "listing.txt")] == \
        [None] * 5


def test_an_arxiv_rss_description_gives_the_abstract_and_the_id():
    from paper_collection.ingest.readers.rss import read_rss

    # One item in arXiv's RSS form (rss.arxiv.org). The description's text is a real one, quoted in a public
    # repository's notes (code search file id 27567038605); the title, authors and date around it are ours:
    # no whole recorded arXiv RSS feed was found (tests/fixtures/watch/README.md).
    text = ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><item>"
            "<title>FRR: A Fuzzy Rule-based Reasoner</title><link>https://arxiv.org/abs/2502.01375</link>"
            "<description>arXiv:2502.01375v2 Announce Type: replace-cross \nAbstract: Rule-based models are "
            "essential for high-stakes decision-making due to their transparency and interpretability, but their "
            "discrete nature creates challenges for optimization and scalability.</description>"
            "<dc:creator>Ada Lovelace, Alan Turing</dc:creator><pubDate>Thu, 10 Sep 2026 00:00:00 -0400</pubDate>"
            "</item></channel></rss>")
    (record,) = read_rss(text, "cs.LG").records
    assert record.abstract.startswith("Rule-based models are essential")
    assert record.arxiv == "2502.01375" and record.authors == ("Ada Lovelace", "Alan Turing")
    assert (record.year, record.month, record.day) == (2026, 9, 10)


def test_a_new_collection_has_the_workflow_and_example_watches_that_are_valid_once_uncommented(tmp_path):
    from paper_collection.scaffold import TEMPLATE
    from tests.adoption import cli, new_collection, ok

    root = new_collection(tmp_path, "reading-list")
    assert (root / ".github" / "workflows" / "update.yml").read_bytes() == \
        (Path(__file__).parent.parent / ".github" / "workflows" / "update.yml").read_bytes()
    # Commented out: update runs no watch, asks nothing and changes nothing.
    result = ok(cli("update", "--today", TODAY, cwd=root))
    assert result.stdout.splitlines()[-2:] == ["0 new paper(s) from 0 watch(es)", "no file changed"]
    # Each example, once its '#' is removed, is a valid watch.
    text = (TEMPLATE / "watch.yml").read_text(encoding="utf-8")
    uncommented = re.sub(r"^  # ", "  ", text, flags=re.M)
    (tmp_path / "watch.yml").write_text(uncommented, encoding="utf-8")
    config = load_watches(tmp_path / "watch.yml")
    assert [(w.name, w.source) for w in config.watches] == [("arxiv-search", "arxiv"), ("hf-daily", "huggingface"),
                                                            ("cs-cl", "feed")]


def test_a_query_the_arxiv_api_refuses_fails_its_watch_with_the_apis_words(project):
    from tests.lookup_fixtures import recorded

    only_watches(project, ARXIV_ONLY)
    # The real HTTP 400 answer with an Atom error entry (tests/fixtures/lookup/README.md: arxiv-id_abc.json).
    replay = Replay([(lambda r: True, recorded("arxiv-id_abc.json"))])
    report = _run(project, replay, [], since=dt.date(2010, 1, 1))
    assert report.runs[0].failed == ("watch 'testing': the arXiv API refused the query (answered with an error: "
                                     "incorrect id format for abc); correct the query in watch.yml")


@pytest.mark.slow
def test_the_update_benchmark_runs_at_a_small_size():
    from benchmarks import update as benchmark

    result = benchmark.run(60, "all")
    assert (result["found"], result["new"], result["requests"]) == (200, 200, 2)
    assert 2.5 < result["politeness_wait_seconds"] <= 3.0  # one wait of 3 s between the two pages, not slept
    assert 0 < result["import_seconds"] < result["update_seconds_without_waits"]
