"""`add IDENTIFIER` and `enrich` against replayed real responses (tests/fixtures/lookup/), never the network:
fields written, rate limit and Retry-After honoured (fake clock), cache hits, every error a message with
nothing written, and enrich never overwriting what a person wrote."""

from __future__ import annotations

import httpx
import pytest

from paper_collection.collection import frontmatter
from paper_collection.collection.slugs import base_slug
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.errors import GeneratorError
from paper_collection.ingest.add import add_paper
from paper_collection.ingest.enrich import run_enrich
from paper_collection.ingest.lookup.client import LookupClient, LookupFailed, LookupSettings
from paper_collection.ingest.lookup.resolve import (
    OnlineFinder,
    SavedFinder,
    look_up,
    parse_identifier,
    records_from_file,
)
from tests.helpers import SEED_TAXONOMY
from tests.lookup_fixtures import FIXTURES, Recorded, Replay, arxiv_ids, recorded

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
BETHE = recorded("arxiv-1111.2011v2.xml")  # has a DOI and a journal reference
HEAT_BATH = recorded("arxiv-id_1605.08386.json")
NO_RESULTS = recorded("arxiv-id_0000.0000.json")  # a well-formed id arXiv does not have
BAD_ID = recorded("arxiv-id_abc.json")  # HTTP 400 with an Atom error entry
CROSSREF_WORK = recorded("crossref-10.17705_1cais.04607.json")  # no abstract
CROSSREF_404 = recorded("crossref-works-404.yaml")


class FakeTime:
    """A clock that only moves when slept on: waits are recorded, never waited."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client_for(replay: Replay, time: FakeTime | None = None, cache=None, **settings) -> LookupClient:
    time = time or FakeTime()
    options = {"cache_dir": cache, "mailto": "curator@example.org", **settings}
    return LookupClient(LookupSettings(**options), transport=replay.transport, clock=time.clock, sleep=time.sleep)


def is_arxiv(request):
    return request.url.host == "export.arxiv.org"


# --- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "expected"), [
    ("arXiv:2401.10010", "arXiv:2401.10010"),
    ("2401.10010v2", "arXiv:2401.10010"),
    ("https://arxiv.org/abs/2401.10010v1", "arXiv:2401.10010"),
    ("https://arxiv.org/pdf/2401.10010.pdf", "arXiv:2401.10010"),
    ("https://huggingface.co/papers/2401.10010", "arXiv:2401.10010"),
    ("hep-th/9901001", "arXiv:hep-th/9901001"),
    ("10.1103/PhysRevB.85.115117", "doi:10.1103/PhysRevB.85.115117"),
    ("doi:10.1000/xyz123", "doi:10.1000/xyz123"),
    ("https://doi.org/10.17705/1cais.04607", "doi:10.17705/1cais.04607"),
    ("https://doi.org/10.48550/arXiv.2401.10010", "arXiv:2401.10010"),  # arXiv's own DOIs go to arXiv
])
def test_identifiers_in_every_accepted_form(given, expected):
    assert str(parse_identifier(given)) == expected


def test_something_that_is_no_identifier_says_what_would_be():
    with pytest.raises(GeneratorError, match=r"^'paper 12' is not an arXiv id or a DOI; give one like arXiv:2401"):
        parse_identifier("paper 12")


# --- add by identifier --------------------------------------------------------------------------


def test_add_by_arxiv_id_writes_the_fields_the_api_gives(tmp_path):
    replay = Replay([(is_arxiv, BETHE)])
    with client_for(replay) as client:
        record = look_up(parse_identifier("https://arxiv.org/abs/1111.2011v2"), client)
    request = replay.requests[0]
    assert request.url.params["id_list"] == "1111.2011"
    assert request.headers["user-agent"].startswith("paper-collection/")
    assert "mailto:curator@example.org" in request.headers["user-agent"]
    assert "mailto" not in request.url.params  # arXiv gets the contact in the User-Agent only
    papers = tmp_path / "content" / "papers"
    result = add_paper(papers, TAXONOMY, title=record.title, abstract=record.abstract, tags=["graphs"],
                       authors=record.authors, arxiv=record.arxiv, doi=record.doi, year=record.year,
                       month=record.month, day=record.day, venue=record.venue, source_file="arXiv:1111.2011",
                       added="2024-02-01", root=tmp_path)
    meta = frontmatter.parse(result.path.read_text(encoding="utf-8"), "x").meta
    assert meta["title"] == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert meta["authors"] == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert (meta["year"], meta["month"], meta["day"]) == (2011, 11, 8)
    assert meta["arxiv"] == "1111.2011" and meta["doi"] == "10.1103/PhysRevB.85.115117"
    assert meta["venue"] == "Phys. Rev. B 85, 115117 (2012)"
    assert [link["url"] for link in meta["links"]] == [
        "https://arxiv.org/abs/1111.2011", "https://arxiv.org/pdf/1111.2011",
        "https://doi.org/10.1103/PhysRevB.85.115117"]
    assert load_collection(papers, TAXONOMY, tmp_path).problems == ()


def test_a_doi_is_looked_up_in_crossref_and_openalex_is_asked_for_the_missing_abstract():
    replay = Replay([(lambda r: r.url.host == "api.crossref.org", CROSSREF_WORK),
                     (lambda r: r.url.host == "api.openalex.org", CROSSREF_404)])
    with client_for(replay) as client:
        record = look_up(parse_identifier("https://doi.org/10.17705/1cais.04607"), client)
    assert [r.url.path for r in replay.requests] == ["/works/10.17705/1cais.04607",
                                                     "/works/https://doi.org/10.17705/1cais.04607"]
    assert replay.requests[0].url.params["mailto"] == "curator@example.org"  # Crossref's polite pool
    assert record.title.startswith("A Knowledge Development Perspective on Literature Reviews")
    assert record.authors[:2] == ("Guido Schryen", "Paderborn University")  # as Crossref has it
    assert "Guy Paré" in record.authors
    assert (record.year, record.month, record.venue) == (2021, None,
                                                         "Communications of the Association for Information Systems")
    assert record.doi == "10.17705/1cais.04607" and record.abstract == ""


@pytest.mark.parametrize(("identifier", "rules", "message"), [
    ("arXiv:0000.0000", [(is_arxiv, NO_RESULTS)],
     "arXiv:0000.0000: the arXiv API has no paper with this id; check the id on https://arxiv.org "
     "(new papers appear there a day after submission)"),
    ("arXiv:abc", [(is_arxiv, BAD_ID)], None),
    ("10.1371/notarealdoi", [(lambda r: True, CROSSREF_404)],
     "doi:10.1371/notarealdoi: Crossref and OpenAlex have no work with this DOI; check the DOI on https://doi.org"),
])
def test_ids_no_service_knows_are_reported_by_name(identifier, rules, message):
    if message is None:  # 'abc' is refused before any request; the API's own error entry is read below
        with pytest.raises(GeneratorError, match="is not an arXiv id or a DOI"):
            parse_identifier(identifier)
        return
    with client_for(Replay(rules)) as client, pytest.raises(LookupFailed) as failure:
        look_up(parse_identifier(identifier), client)
    assert str(failure.value) == message


def test_the_arxiv_apis_error_entry_becomes_a_message(tmp_path):
    from paper_collection.ingest.lookup.arxiv import fetch_ids

    with client_for(Replay([(is_arxiv, BAD_ID)])) as client, pytest.raises(LookupFailed) as failure:
        fetch_ids(client, ["abc"])
    assert str(failure.value) == ("arXiv:abc: the arXiv API answered with an error: incorrect id format for abc; "
                                  "check the arXiv id (it looks like 2401.10010 or hep-th/9901001)")


# --- politeness: rate limit, Retry-After, retries, timeouts, cache ---------------------------------


def test_requests_to_one_service_are_spaced_by_the_minimum_interval():
    time = FakeTime()
    replay = Replay([(lambda r: arxiv_ids(r) == "1111.2011", BETHE), (is_arxiv, HEAT_BATH)])
    with client_for(replay, time) as client:
        look_up(parse_identifier("arXiv:1111.2011"), client)
        time.now += 1.0  # one second of other work
        look_up(parse_identifier("arXiv:1605.08386"), client)
    assert time.sleeps == [2.0]  # waited the rest of arXiv's 3 s
    with client_for(Replay([(is_arxiv, BETHE)]), time, min_interval=0) as client:
        look_up(parse_identifier("arXiv:1111.2011"), client)
        look_up(parse_identifier("arXiv:1111.2011"), client)
    assert time.sleeps == [2.0]


def test_429_with_retry_after_is_waited_out_then_answered():
    time = FakeTime()
    too_many = Recorded(429, b"Too Many Requests", (("retry-after", "7"),))
    replay = Replay([(is_arxiv, [too_many, BETHE])])
    with client_for(replay, time) as client:
        record = look_up(parse_identifier("arXiv:1111.2011"), client)
    assert record.arxiv == "1111.2011"
    assert len(replay.requests) == 2 and time.sleeps == [7.0]  # Retry-After, and no extra wait after it


def test_a_retry_after_longer_than_the_limit_is_reported_not_waited():
    time = FakeTime()
    replay = Replay([(is_arxiv, Recorded(429, b"Too Many Requests", (("retry-after", "3600"),)))])
    with client_for(replay, time) as client, pytest.raises(LookupFailed) as failure:
        look_up(parse_identifier("arXiv:1111.2011"), client)
    assert time.sleeps == [] and len(replay.requests) == 1
    assert str(failure.value) == ("arXiv:1111.2011: the arXiv API refused the request as too many (HTTP 429, "
                                  "4 tries) and asks to wait 3600 s; wait a while and run the command again "
                                  "(answers so far are cached)")


def test_503_is_retried_with_backoff_then_reported():
    time = FakeTime()
    replay = Replay([(lambda r: True, Recorded(503, b"Service Unavailable"))])
    with client_for(replay, time) as client, pytest.raises(LookupFailed) as failure:
        look_up(parse_identifier("10.17705/1cais.04607"), client)
    assert len(replay.requests) == 4 and time.sleeps == [3.0, 6.0, 12.0]
    assert str(failure.value) == ("doi:10.17705/1cais.04607: Crossref failed with HTTP 503 (4 tries); "
                                  "the service is having problems; try again later")


def test_a_timeout_is_retried_then_reported():
    time = FakeTime()
    replay = Replay([(lambda r: True, [httpx.ReadTimeout("timed out"), httpx.ReadTimeout("timed out"), BETHE])])
    with client_for(replay, time) as client:
        assert look_up(parse_identifier("arXiv:1111.2011"), client).arxiv == "1111.2011"
    assert time.sleeps == [3.0, 6.0]
    replay = Replay([(lambda r: True, httpx.ReadTimeout("timed out"))])
    with client_for(replay, time, retries=1) as client, pytest.raises(LookupFailed) as failure:
        look_up(parse_identifier("arXiv:1111.2011"), client)
    assert str(failure.value) == ("arXiv:1111.2011: the arXiv API did not answer within 30 s (2 tries); "
                                  "try again later, or save a response and use --from FILE")


@pytest.mark.parametrize(("identifier", "answer", "message"), [
    ("arXiv:1111.2011", Recorded(200, BETHE.body[:1500]),
     "arXiv:1111.2011: the arXiv API sent a response that is not a readable Atom feed (malformed XML"),
    ("10.17705/1cais.04607", Recorded(200, CROSSREF_WORK.body[:900]),
     "doi:10.17705/1cais.04607: Crossref sent a response that is not JSON ("),
])
def test_a_malformed_body_is_a_message(identifier, answer, message):
    with client_for(Replay([(lambda r: True, answer)])) as client, pytest.raises(LookupFailed) as failure:
        look_up(parse_identifier(identifier), client)
    assert str(failure.value).startswith(message)


def test_the_second_lookup_is_a_cache_hit(tmp_path):
    replay = Replay([(is_arxiv, BETHE)])
    with client_for(replay, cache=tmp_path / "cache") as client:
        first = look_up(parse_identifier("arXiv:1111.2011"), client)
    with client_for(replay, cache=tmp_path / "cache") as client:  # a later run
        second = look_up(parse_identifier("arXiv:1111.2011"), client)
        assert client.from_cache == 1
    assert len(replay.requests) == 1 and first == second
    assert (tmp_path / "cache" / "http-cache.sqlite").is_file()


def test_settings_come_from_options_then_environment(tmp_path):
    environ = {"PAPER_COLLECTION_ARXIV_API": "http://127.0.0.1:9/api/query/", "PAPER_COLLECTION_MAILTO": "a@b.org",
               "PAPER_COLLECTION_MIN_INTERVAL": "5"}
    settings = LookupSettings.from_environment(tmp_path, environ, endpoints={"crossref": "http://mirror.test"})
    assert settings.endpoints == {"arxiv": "http://127.0.0.1:9/api/query", "crossref": "http://mirror.test",
                                  "openalex": "https://api.openalex.org"}
    assert settings.mailto == "a@b.org" and settings.min_interval == 5.0
    assert settings.user_agent == ("paper-collection/0.1 (static site generator for paper collections; paper lookups; "
                                   "mailto:a@b.org)")
    in_actions = LookupSettings.from_environment(tmp_path, {"GITHUB_SERVER_URL": "https://github.com",
                                                            "GITHUB_REPOSITORY": "owner/papers"})
    assert in_actions.user_agent.endswith("paper lookups; +https://github.com/owner/papers)")
    assert settings.cache_dir == tmp_path / ".cache" / "lookup"
    assert LookupSettings.from_environment(tmp_path, {}, no_cache=True).cache_dir is None
    with pytest.raises(GeneratorError, match="'ftp://x' is not an http"):
        LookupSettings.from_environment(tmp_path, {}, endpoints={"arxiv": "ftp://x"})


# --- enrich -------------------------------------------------------------------------------------


def paper_file(papers, meta, abstract=None):
    # each paper its own abstract: the same abstract under two titles is a duplicate for validate
    abstract = abstract or f"An abstract of {meta['title']}, long enough to be one, about random walks and graphs."
    papers.mkdir(parents=True, exist_ok=True)
    path = papers / f"{base_slug(meta['title'])}.md"
    path.write_text(frontmatter.dump({**meta, "tags": ["graphs"], "added": "2024-01-01"}, abstract), encoding="utf-8")
    return path


@pytest.fixture
def collection(tmp_path):
    papers = tmp_path / "content" / "papers"
    by_id = paper_file(papers, {"title": "Bethe",
                                         "year": 2012, "arxiv": "1111.2011", "links": []})
    by_title = paper_file(papers, {"title": "Heat-Bath Random Walks with Markov Bases"})
    unknown = paper_file(papers, {"title": "A Paper Nobody Has", "doi": "10.1371/notarealdoi"})
    complete = paper_file(papers, {
        "title": "Complete", "authors": ["A"], "year": 2020, "month": 1, "day": 2, "venue": "V",
        "arxiv": "2001.00001", "doi": "10.1000/x", "links": []})
    return tmp_path, {"bethe": by_id, "heat-bath": by_title, "unknown": unknown, "complete": complete}


def online_replay():
    return Replay([
        (lambda r: arxiv_ids(r) == "1111.2011", BETHE),
        (lambda r: arxiv_ids(r) == "1605.08386", HEAT_BATH),  # the second run asks by the id the first found
        (lambda r: "Heat Bath Random Walks" in r.url.params.get("search_query", ""), HEAT_BATH),
        (lambda r: r.url.host == "api.crossref.org", CROSSREF_404),
    ])


def test_enrich_fills_only_missing_fields_and_reports_every_change(collection):
    root, files = collection
    before = {name: path.read_bytes() for name, path in files.items()}
    replay = online_replay()
    with client_for(replay) as client:
        report = run_enrich(root / "content" / "papers", OnlineFinder(client), root=root)
    bethe = frontmatter.parse(files["bethe"].read_text(encoding="utf-8"), "x").meta
    assert bethe["title"] == "Bethe"  # a person's title stays
    assert bethe["year"] == 2012  # not arXiv's 2011: a value written by a person is never changed
    assert bethe["links"] == []  # `links: []` means "keep empty"
    assert bethe["authors"] == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert (bethe["month"], bethe["day"], bethe["doi"]) == (11, 8, "10.1103/PhysRevB.85.115117")
    assert bethe["venue"] == "Phys. Rev. B 85, 115117 (2012)"
    heat = frontmatter.parse(files["heat-bath"].read_text(encoding="utf-8"), "x").meta
    assert heat["arxiv"] == "1605.08386" and heat["year"] == 2016 and heat["title"] == "Heat-Bath Random Walks with " \
        "Markov Bases"
    assert files["unknown"].read_bytes() == before["unknown"]
    assert files["complete"].read_bytes() == before["complete"]
    assert [r.url.params.get("id_list") for r in replay.requests if "id_list" in r.url.params] == ["1111.2011"]
    lines = report.render().splitlines()
    assert "content/papers/bethe.md: authors = James M. Murray; Adrian Del Maestro; Zlatko Tesanovic " \
           "(from the arXiv API (arXiv:1111.2011))" in lines
    assert "content/papers/bethe.md: doi = 10.1103/PhysRevB.85.115117 (from the arXiv API (arXiv:1111.2011))" in lines
    assert ("content/papers/heat-bath-random-walks-with-markov-bases.md: arxiv = 1605.08386 "
            "(from the arXiv API (exact title))") in lines
    assert not any(line.startswith("content/papers/bethe.md: year") for line in lines)
    assert not any("bethe.md: links" in line for line in lines)
    assert "not matched: content/papers/a-paper-nobody-has.md 'A Paper Nobody Has': Crossref has no paper with " \
           "its DOI 10.1371/notarealdoi" in lines
    assert lines[-1] == "enrich: filled 11 field(s) in 2 file(s); 1 paper(s) not matched; 1 already complete"
    assert sorted(p.name for p in report.written) == ["bethe.md", "heat-bath-random-walks-with-markov-bases.md"]
    assert load_collection(root / "content" / "papers", TAXONOMY, root).errors == ()
    with client_for(online_replay()) as client:  # a second run finds nothing more to fill
        again = run_enrich(root / "content" / "papers", OnlineFinder(client), root=root)
    assert again.changes == [] and again.written == []


def test_dry_run_reports_the_same_changes_and_writes_nothing(collection):
    root, files = collection
    before = {name: path.read_bytes() for name, path in files.items()}
    with client_for(online_replay()) as client:
        report = run_enrich(root / "content" / "papers", OnlineFinder(client), root=root, dry_run=True)
    assert len(report.changes) == 11 and report.written == []
    assert report.render().splitlines()[-1].endswith("(dry run: nothing written)")
    assert {name: path.read_bytes() for name, path in files.items()} == before


def test_a_failing_service_leaves_every_file_as_it_was(collection):
    root, files = collection
    before = {name: path.read_bytes() for name, path in files.items()}
    replay = Replay([(lambda r: arxiv_ids(r) == "1111.2011", BETHE),
                     (lambda r: True, Recorded(503, b"Service Unavailable"))])
    with client_for(replay) as client, pytest.raises(LookupFailed, match="HTTP 503"):
        run_enrich(root / "content" / "papers", OnlineFinder(client), root=root)
    assert {name: path.read_bytes() for name, path in files.items()} == before
    assert sorted(p.name for p in (root / "content" / "papers").iterdir()) == sorted(p.name for p in files.values())


def test_enrich_from_a_saved_feed_matches_by_id_and_exact_title(collection, tmp_path):
    root, files = collection
    saved = tmp_path / "saved.xml"
    saved.write_bytes(HEAT_BATH.body)
    report = run_enrich(root / "content" / "papers", SavedFinder(records_from_file(saved), "saved.xml"), root=root)
    lines = report.render().splitlines()
    assert ("content/papers/heat-bath-random-walks-with-markov-bases.md: year = 2016 "
            "(from saved.xml (by exact title))") in lines
    assert any(line.startswith("not matched: content/papers/bethe.md") for line in lines)
    saved_json = tmp_path / "work.json"
    saved_json.write_bytes(CROSSREF_WORK.body)
    (record,) = records_from_file(saved_json)
    assert record.doi == "10.17705/1cais.04607"
    assert record.origin.file == "doi:10.17705/1cais.04607"  # the identifier, not the local file's name


def test_a_saved_file_that_is_no_response_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(GeneratorError, match=r"x.json: not a saved arXiv API feed \(Atom\), Crossref work"):
        records_from_file(path)
    assert FIXTURES.is_dir()


def test_enrich_never_gives_a_second_file_an_id_another_file_has(tmp_path):
    papers = tmp_path / "content" / "papers"
    original = paper_file(papers, {"title": "Heat-bath random walks (the copy with the id)", "arxiv": "1605.08386"})
    copy = paper_file(papers, {"title": "Heat-bath random walks with Markov bases"})
    saved = tmp_path / "saved.xml"
    saved.write_bytes(HEAT_BATH.body)
    before = copy.read_bytes()
    report = run_enrich(papers, SavedFinder(records_from_file(saved), "saved.xml"), root=tmp_path)
    assert copy.read_bytes() == before
    assert (f"not matched: content/papers/{copy.name} 'Heat-bath random walks with Markov bases': found in saved.xml "
            f"(by exact title) as arxiv 1605.08386, which content/papers/{original.name} already has; if they are "
            "the same paper, keep one file") in report.render().splitlines()


def test_a_malformed_id_in_one_file_is_noted_and_the_others_are_still_looked_up(tmp_path):
    papers = tmp_path / "content" / "papers"
    broken = paper_file(papers, {"title": "Broken", "arxiv": "abc"})
    paper_file(papers, {"title": "Bethe", "arxiv": "1111.2011"})
    replay = Replay([(lambda r: arxiv_ids(r) == "1111.2011", BETHE), (is_arxiv, BAD_ID)])
    with client_for(replay) as client:
        report = run_enrich(papers, OnlineFinder(client), root=tmp_path)
    assert [arxiv_ids(r) for r in replay.requests] == ["1111.2011"]  # 'abc' would fail the whole batch
    assert (f"note: content/papers/{broken.name}: arxiv: 'abc' is not a valid arXiv id; not looked up "
            "(paper-collection validate says how to fix it)") in report.render().splitlines()
    assert {change.file for change in report.changes} == {"content/papers/bethe.md"}


def test_a_crossref_title_search_accepts_only_the_exact_title():
    from paper_collection.ingest.lookup import crossref

    # Crossref answers `query.title` with a work list; its items are works like this recorded one.
    replay = Replay([(lambda r: r.url.path == "/works", CROSSREF_WORK)])
    title = "A knowledge development perspective on literature reviews -- validation of a new typology in the IS field"
    with client_for(replay) as client:
        found = crossref.search_title(client, title)
        other = crossref.search_title(client, "A knowledge development perspective on literature reviews")
    assert found is not None and found.doi == "10.17705/1cais.04607"
    assert other is None  # a near title is not the paper
    assert replay.requests[0].url.params["query.title"] == title and replay.requests[0].url.params["rows"] == "5"


def test_an_unusable_cache_folder_is_a_message(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(GeneratorError, match=r"cannot use the cache folder .*not-a-folder.*--no-cache"):
        client_for(Replay([]), cache=blocker)
