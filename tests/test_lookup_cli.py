"""`paper-collection add IDENTIFIER` and `enrich` end to end: the real command, real recorded responses
served on 127.0.0.1 through the endpoint options, the messages people see, and no file on any error."""

from __future__ import annotations

import pytest

from paper_collection.collection import frontmatter
from tests.helpers import SEED_CONFIG, SEED_TAXONOMY, run_generator
from tests.lookup_fixtures import Recorded, recorded, replay_server

BETHE = recorded("arxiv-1111.2011v2.xml")
HEAT_BATH = recorded("arxiv-id_1605.08386.json")
NO_RESULTS = recorded("arxiv-id_0000.0000.json")
CROSSREF_WORK = recorded("crossref-10.17705_1cais.04607.json")
NOT_FOUND = recorded("crossref-works-404.yaml")
HEAT_BATH_FILE = "content/papers/heat-bath-random-walks-with-markov-bases.md"
BETHE_FILE = "content/papers/quantum-criticality-for-extended-nodes-on-a-bethe-lattice-in-the-large.md"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "mkdocs.yml").write_bytes(SEED_CONFIG.read_bytes())
    (tmp_path / "taxonomy.yml").write_bytes(SEED_TAXONOMY.read_bytes())
    (tmp_path / "content" / "papers").mkdir(parents=True)
    return tmp_path


def ids(query):
    return query.get("id_list", [""])[0]


def endpoints(base, project):
    return ["--arxiv-api", f"{base}/api/query", "--crossref-api", f"{base}/crossref", "--openalex-api",
            f"{base}/openalex", "--min-interval", "0", "--cache", str(project / "cache"), "--mailto", "me@example.org"]


def papers(project):
    return sorted(p.name for p in (project / "content" / "papers").iterdir())


def test_add_by_arxiv_link_writes_a_valid_file_and_the_cache_answers_the_second_time(project):
    rules = [(lambda path, query: path == "/api/query" and ids(query) == "1111.2011", BETHE)]
    with replay_server(rules) as (base, asked):
        result = run_generator(project, "add", "https://arxiv.org/abs/1111.2011v2", "--tag", "graphs",
                               "--code", "https://github.com/example/bethe", "--added", "2024-02-01",
                               *endpoints(base, project))
        assert result.stdout.splitlines()[0] == f"wrote {BETHE_FILE}"
        again = run_generator(project, "add", "arXiv:1111.2011", "--tag", "graphs", *endpoints(base, project),
                              check=False)
    assert len(asked) == 1  # the second lookup came from .cache
    assert "paper-collection/" in asked[0][1]["User-Agent"] and "mailto:me@example.org" in asked[0][1]["User-Agent"]
    assert again.returncode == 2 and "this paper is already in the collection" in again.stderr
    meta = frontmatter.parse((project / BETHE_FILE).read_text(encoding="utf-8"), "x").meta
    assert meta["authors"] == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert (meta["year"], meta["month"], meta["day"], meta["doi"]) == (2011, 11, 8, "10.1103/PhysRevB.85.115117")
    assert meta["tags"] == ["graphs"] and meta["links"][0] == {"kind": "code", "url": "https://github.com/example/bethe"}
    assert meta["sources"][0]["file"] == "arXiv:1111.2011"
    assert run_generator(project, "validate").stdout.strip() == "ok: 1 papers valid"


def test_add_by_identifier_of_a_paper_no_rule_matches_gets_the_models_suggestions(tmp_path):
    """A statistics paper (the recorded arXiv response) that no rule of taxonomy.yml matches, added without --tag
    to a collection of tagged papers: written, not refused, as an import writes it: 'untagged' plus the
    tag model's suggestions (trained on the collection), which validate accepts."""
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.ingest.importer import CollectionIndex
    from paper_collection.ingest.tag_model import model_suggestions
    from tests.helpers import make_project

    project = make_project(tmp_path / "project")
    before = set(papers(project))
    rules = [(lambda path, query: path == "/api/query" and ids(query) == "1605.08386", HEAT_BATH)]
    with replay_server(rules) as (base, asked):
        result = run_generator(project, "add", "arXiv:1605.08386", "--added", "2024-02-01", *endpoints(base, project))
    (name,) = set(papers(project)) - before
    assert f"content/papers/{name}" == HEAT_BATH_FILE
    parsed = frontmatter.parse((project / HEAT_BATH_FILE).read_text(encoding="utf-8"), "x")
    taxonomy = load_taxonomy(project / "taxonomy.yml")
    assert taxonomy.assign(parsed.meta["title"], parsed.body) == ()  # no rule matches this paper
    assert parsed.meta["tags"] == ["untagged"]
    index = CollectionIndex(project / "content" / "papers")
    index.entries = [e for e in index.entries if e.path.name != name]  # the collection the model learned from
    (expected,) = model_suggestions(index.entries, taxonomy, [(parsed.meta["title"], parsed.body)])
    assert expected, "the tag model proposes nothing for this paper; the test needs a paper it has a guess for"
    assert parsed.meta["tags_suggested"] == [{"tag": s.tag, "confidence": s.confidence} for s in expected]
    assert "no rule in taxonomy.yml matches; the tag model suggests: " in result.stdout
    assert f"{expected[0].tag} ({expected[0].confidence:.2f})" in result.stdout
    assert run_generator(project, "validate").returncode == 0


def test_add_by_identifier_into_an_empty_collection_writes_it_untagged(project):
    rules = [(lambda path, query: path == "/api/query" and ids(query) == "1605.08386", HEAT_BATH)]
    with replay_server(rules) as (base, asked):
        result = run_generator(project, "add", "arXiv:1605.08386", *endpoints(base, project))
    meta = frontmatter.parse((project / HEAT_BATH_FILE).read_text(encoding="utf-8"), "x").meta
    assert meta["tags"] == ["untagged"] and "tags_suggested" not in meta
    assert "the tag model suggests: nothing" in result.stdout


@pytest.mark.parametrize(("identifier", "rules", "message"), [
    ("https://huggingface.co/papers/0000.0000", [(lambda p, q: p == "/api/query", NO_RESULTS)],
     "error: arXiv:0000.0000: the arXiv API has no paper with this id; check the id on https://arxiv.org"),
    ("10.1371/notarealdoi", [(lambda p, q: True, NOT_FOUND)],
     "error: doi:10.1371/notarealdoi: Crossref and OpenAlex have no work with this DOI; check the DOI"),
    ("10.17705/1cais.04607", [(lambda p, q: p.startswith("/crossref/works/"), CROSSREF_WORK),
                              (lambda p, q: True, NOT_FOUND)],
     "error: doi:10.17705/1cais.04607: the lookup found no abstract; give it with --abstract-file PATH"),
    ("arXiv:1111.2011", [(lambda p, q: True, Recorded(503, b"Service Unavailable", (("retry-after", "0"),)))],
     "error: arXiv:1111.2011: the arXiv API failed with HTTP 503 (4 tries); the service is having problems"),
    ("arXiv:1111.2011", [(lambda p, q: True, Recorded(200, BETHE.body[:2000]))],
     "error: arXiv:1111.2011: the arXiv API sent a response that is not a readable Atom feed (malformed XML"),
])
def test_every_failed_lookup_is_one_message_and_writes_nothing(project, identifier, rules, message):
    with replay_server(rules) as (base, asked):
        result = run_generator(project, "add", identifier, *endpoints(base, project), check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1].startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert papers(project) == []


def test_add_by_doi_with_the_abstract_given_uses_crossrefs_fields(project, tmp_path):
    abstract = tmp_path / "abstract.txt"
    abstract.write_text("We validate a typology of literature reviews in information systems research "
                        "with a knowledge development perspective.", encoding="utf-8")
    rules = [(lambda p, q: p == "/crossref/works/10.17705/1cais.04607", CROSSREF_WORK), (lambda p, q: True, NOT_FOUND)]
    with replay_server(rules) as (base, asked):
        result = run_generator(project, "add", "https://doi.org/10.17705/1cais.04607", "--abstract-file",
                               str(abstract), "--tag", "surveys", *endpoints(base, project))
    assert [path.split("?")[0] for path, _ in asked] == ["/crossref/works/10.17705/1cais.04607",
                                                         "/openalex/works/https://doi.org/10.17705/1cais.04607"]
    assert "mailto=me%40example.org" in asked[0][0]
    (name,) = papers(project)
    assert result.stdout.startswith(f"wrote content/papers/{name}")
    meta = frontmatter.parse((project / "content" / "papers" / name).read_text(encoding="utf-8"), "x").meta
    assert meta["venue"] == "Communications of the Association for Information Systems"
    assert meta["doi"] == "10.17705/1cais.04607" and meta["year"] == 2021 and "month" not in meta
    assert meta["links"] == [{"kind": "doi", "url": "https://doi.org/10.17705/1cais.04607"}]


def test_add_without_identifier_or_title_says_what_to_give(project):
    result = run_generator(project, "add", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: add needs an arXiv id or DOI (paper-collection add arXiv:2401.10010), "
                                     "or --title and --abstract-file")


def test_enrich_dry_run_then_enrich_through_the_command(project):
    paper = project / "content" / "papers" / "heat-bath-random-walks-with-markov-bases.md"
    paper.write_text(frontmatter.dump({"title": "Heat-bath random walks with Markov bases", "year": 2017,
                                       "tags": ["graphs"], "added": "2024-01-01"},
                                      "Graphs on lattice points whose edges come from a finite set of moves."),
                     encoding="utf-8")
    before = paper.read_bytes()
    rules = [(lambda p, q: p == "/api/query" and "ti:" in q.get("search_query", [""])[0], HEAT_BATH),
             (lambda p, q: True, NOT_FOUND)]
    with replay_server(rules) as (base, asked):
        dry = run_generator(project, "enrich", "--dry-run", *endpoints(base, project))
        assert paper.read_bytes() == before
        real = run_generator(project, "enrich", *endpoints(base, project))
    assert asked[0][0].startswith("/api/query?search_query=ti%3A%22Heat+bath+random+walks+with+Markov+bases%22")
    assert len(asked) == 1  # the second run was answered by the cache
    shown = "content/papers/heat-bath-random-walks-with-markov-bases.md"
    expected = [f"{shown}: authors = Caprice Stanley; Tobias Windisch (from the arXiv API (exact title))",
                f"{shown}: month = 5 (from the arXiv API (exact title))",
                f"{shown}: day = 26 (from the arXiv API (exact title))",
                f"{shown}: arxiv = 1605.08386 (from the arXiv API (exact title))",
                f"{shown}: links = arxiv https://arxiv.org/abs/1605.08386v1, pdf https://arxiv.org/pdf/1605.08386v1 "
                "(from the arXiv API (exact title))"]
    assert dry.stdout.splitlines() == [*expected, "enrich: would fill 5 field(s) in 1 file(s); 0 paper(s) not "
                                                  "matched; 0 already complete (dry run: nothing written)"]
    assert real.stdout.splitlines() == [*expected, "enrich: filled 5 field(s) in 1 file(s); 0 paper(s) not matched; "
                                                   "0 already complete"]
    assert "enrich: looked up 1/1 papers" in real.stderr
    meta = frontmatter.parse(paper.read_text(encoding="utf-8"), "x").meta
    assert meta["year"] == 2017  # the person's year, not arXiv's 2016
    assert run_generator(project, "validate").returncode == 0


def test_enrich_from_a_saved_feed_needs_no_network(project, tmp_path):
    paper = project / "content" / "papers" / "heat-bath-random-walks-with-markov-bases.md"
    paper.write_text(frontmatter.dump({"title": "Heat-bath random walks with Markov bases", "tags": ["graphs"],
                                       "added": "2024-01-01", "links": []},
                                      "Graphs on lattice points whose edges come from a finite set of moves."),
                     encoding="utf-8")
    saved = tmp_path / "feed.xml"
    saved.write_bytes(HEAT_BATH.body)
    result = run_generator(project, "enrich", "--from", str(saved), "--arxiv-api", "http://127.0.0.1:9/nothing")
    assert "links" not in result.stdout  # `links: []` stays empty
    assert result.stdout.splitlines()[-1] == ("enrich: filled 5 field(s) in 1 file(s); 0 paper(s) not matched; "
                                              "0 already complete")
    meta = frontmatter.parse(paper.read_text(encoding="utf-8"), "x").meta
    assert meta["links"] == [] and meta["year"] == 2016 and meta["sources"][-1]["file"] == "arXiv:1605.08386"
