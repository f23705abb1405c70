"""Paper identity (issue #23): bounded addresses, author entries that are not one person, and the
rule that decides "same paper" (arXiv id, DOI, title and first author, abstract), with real records.

Fixtures (tests/fixtures/identity/README.md says where each came from): a real arXiv API response
for a query for "science" (ten entries, two of them comments sharing a title), and the record of
arXiv 2506.02197 with 35 names glued into one author entry."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from paper_collection.collection import frontmatter
from paper_collection.collection.identity import identity, judge
from paper_collection.collection.links import paper_links
from paper_collection.collection.model import Link
from paper_collection.collection.removed import load_removed
from paper_collection.collection.slugs import MAX_LENGTH, MAX_PART_BYTES, address_slug, check_addresses
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.errors import GeneratorError
from paper_collection.ingest.importer import run_import
from tests.helpers import make_project, run_generator

FIXTURES = Path(__file__).parent / "fixtures" / "identity"
TAXONOMY = Path(__file__).parent / "fixtures" / "model" / "taxonomy.yml"
NTIRE = FIXTURES / "ntire_2506.02197_glued_authors.jsonl"
SCIENCE = FIXTURES / "arxiv_api_science_10.atom"
ADDED = "2026-01-05"


def _import(tmp: Path, *inputs: Path):
    papers = tmp / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in inputs:
        copy = tmp / source.name
        shutil.copy(source, copy)
        copies.append(copy)
    return papers, run_import(copies, papers, load_taxonomy(TAXONOMY), added=ADDED, suggest=False)


# -- addresses are bounded, in one place ---------------------------------------------------------


def test_a_long_name_gets_a_bounded_address_with_a_digest_that_keeps_names_apart():
    glued = NTIRE.read_text(encoding="utf-8").split('"authors": "')[1].split('"')[0]
    first, second = address_slug(glued, "author"), address_slug(glued + "x", "author")
    assert len(first.encode()) <= MAX_LENGTH and len(second.encode()) <= MAX_LENGTH
    assert first != second and first == address_slug(glued, "author")
    assert first.startswith("marcos-v-conde-radu-timofte")


def test_the_build_check_names_every_address_too_long_for_a_file_name():
    long = "authors/" + "x" * 300 + "/index.md"
    with pytest.raises(GeneratorError) as raised:
        check_addresses(["index.md", long])
    assert "1 page address(es) too long" in str(raised.value) and "xxxx" in str(raised.value)
    check_addresses(["index.md", "authors/" + "x" * MAX_LENGTH + "/index.md"])


def test_glued_author_record_imports_validates_with_a_warning_and_builds(tmp_path):
    papers, report = _import(tmp_path / "import", NTIRE)
    rendered = report.render()
    assert "new 1" in rendered
    assert "author 4 of 'NTIRE 2025 Challenge on RAW Image Restoration and Super-Resolution' looks like 35 names " \
           "glued with 'and'" in rendered
    collection = load_collection(papers, load_taxonomy(TAXONOMY), tmp_path / "import")
    [warning] = [p for p in collection.problems if p.field == "authors[3]"]
    assert warning.warning and "35 names glued with 'and'" in warning.message
    assert "one entry per person" in warning.message
    assert warning.line > 2  # the entry's own line
    assert len(collection.papers) == 1  # a warning keeps no paper off the site

    root = make_project(tmp_path / "site", papers)
    result = run_generator(root, "build")
    assert result.returncode == 0, result.stderr
    built = [path for path in (root / "site").rglob("*") if path.is_file()]
    assert any("authors" in path.parts for path in built)
    assert max(len(part.encode()) for path in built for part in path.relative_to(root).parts) <= MAX_PART_BYTES


# -- the identity rule on the real arXiv response ----------------------------------------------------

COMMENT = "Comment: The 2005 Neyman Lecture: Dynamic Indeterminism in Science"
COMMENT_SLUG = "comment-the-2005-neyman-lecture-dynamic-indeterminism-in-science"
ABSTRACT = ("A discussion of the lecture, of its history and of what it says about determinism, chance and "
            "the way statistics describes the sciences.")


def _json(tmp: Path, name: str, records: list[dict]) -> Path:
    path = tmp / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _run(papers: Path, *inputs: Path, removed=None):
    return run_import(list(inputs), papers, load_taxonomy(TAXONOMY), added=ADDED, suggest=False, removed=removed)


def _front(path: Path) -> dict:
    return frontmatter.parse(path.read_text(encoding="utf-8"), path.name).meta


def test_the_ten_entries_of_the_science_response_import_as_ten_papers(tmp_path):
    papers, report = _import(tmp_path, SCIENCE)
    rendered = report.render()
    assert "read 10, new 10, merged 0, unchanged 0, duplicate 0, rejected 0" in rendered
    files = {path.stem: _front(path) for path in papers.glob("*.md")}
    assert len(files) == 10
    comments = {meta["arxiv"]: slug for slug, meta in files.items() if meta["title"] == COMMENT}
    # A generic title ("Comment: ...") is always qualified by the first author: no address depends on
    # which comment came first (see the add test, which writes them in the other order).
    assert comments == {"0808.0631": f"{COMMENT_SLUG}-kunsch", "0808.0638": f"{COMMENT_SLUG}-yang"}
    assert {meta.get("arxiv") for meta in files.values()} >= {"quant-ph/0210005", "physics/0507092"}
    assert load_collection(papers, load_taxonomy(TAXONOMY), tmp_path).errors == ()
    # The same response again changes nothing.
    again = _run(papers, tmp_path / SCIENCE.name)
    assert "new 0, merged 0, unchanged 10, duplicate 0" in again.render() and again.written == []


def test_add_writes_both_comments_at_distinct_addresses_and_validate_passes(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    root = make_project(tmp_path / "project", empty)
    for arxiv in ("0808.0638", "0808.0631"):  # the other order than the response's: the same addresses
        result = run_generator(root, "add", f"arXiv:{arxiv}", "--from", str(SCIENCE))
        assert "wrote content/papers/comment-the-2005" in result.stdout
    papers = root / "content" / "papers"
    files = {path.stem: _front(path) for path in papers.glob("*.md")}
    assert {slug: meta["arxiv"] for slug, meta in files.items()} == {
        f"{COMMENT_SLUG}-yang": "0808.0638", f"{COMMENT_SLUG}-kunsch": "0808.0631"}
    assert "ok: 2 papers valid" in run_generator(root, "validate").stdout
    refused = run_generator(root, "add", "arXiv:0808.0631v1", "--from", str(SCIENCE), check=False)
    assert refused.returncode == 2 and "same arXiv id 0808.0631" in refused.stderr
    assert f"{COMMENT_SLUG}-kunsch.md" in refused.stderr


def test_removing_one_comment_keeps_the_other_through_a_reimport(tmp_path):
    root = make_project(tmp_path / "project", _import(tmp_path / "first", SCIENCE)[0])
    run_generator(root, "remove", f"{COMMENT_SLUG}-yang", "--reason", "not about the lecture itself")
    papers = root / "content" / "papers"
    report = _run(papers, SCIENCE, removed=load_removed(root / "removed.yml")).render()
    assert "new 0, merged 0, unchanged 9, duplicate 0, rejected 0, skipped 1" in report
    assert f"skipped: {SCIENCE.name}" in report and "not about the lecture itself" in report
    assert (papers / f"{COMMENT_SLUG}-kunsch.md").exists() and not (papers / f"{COMMENT_SLUG}-yang.md").exists()
    assert "ok: 9 papers valid" in run_generator(root, "validate").stdout


@pytest.mark.parametrize(("identifier", "reason"), [
    ({"arxiv": "arXiv:0808.0631v2"}, "same arXiv id 0808.0631"),
    ({"doi": "https://doi.org/10.1214/07-sts246b"}, "same DOI 10.1214/07-sts246b"),
])
def test_a_known_identifier_under_a_new_title_merges_and_creates_none(tmp_path, identifier, reason):
    papers, _ = _import(tmp_path, SCIENCE)
    retitled = {"title": "Discussion of Brillinger's Neyman Lecture", "abstract": ABSTRACT, **identifier}
    report = _run(papers, _json(tmp_path, "retitled.json", [retitled]))
    rendered = report.render()
    assert "read 1, new 0, merged 1" in rendered
    assert f"into {COMMENT_SLUG}-kunsch.md: {reason}" in rendered
    assert f"judged the same paper as a file by: {reason.rsplit(' ', 1)[0]} 1" in rendered
    meta = _front(papers / f"{COMMENT_SLUG}-kunsch.md")
    assert meta["title"] == COMMENT  # the file's title is kept ...
    assert meta["sources"][-1]["title"] == retitled["title"]  # ... and the other one recorded
    assert len(list(papers.glob("*.md"))) == 10
    again = _run(papers, tmp_path / "retitled.json").render()
    assert "new 0, merged 0, unchanged 1" in again


def test_a_record_whose_id_and_doi_name_two_papers_is_merged_into_neither(tmp_path):
    papers, _ = _import(tmp_path, SCIENCE)
    both = {"title": COMMENT, "abstract": ABSTRACT, "arxiv": "0808.0631", "doi": "10.1214/07-STS246A"}
    report = _run(papers, _json(tmp_path, "both.json", [both]))
    [rejected] = report.files[0].rejected
    assert f"{COMMENT_SLUG}-kunsch.md (same arXiv id 0808.0631)" in rejected.reason
    assert f"{COMMENT_SLUG}-yang.md (same DOI 10.1214/07-sts246a)" in rejected.reason
    assert "merged into neither" in rejected.reason and report.written == []


def test_same_title_without_identifiers(tmp_path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    first = {"title": "Sparse Mixtures of Experts at Scale", "abstract": ABSTRACT, "authors": ["Ada Lovelace"],
             "year": 2024}
    _run(papers, _json(tmp_path, "first.json", [first]))
    same = {**first, "abstract": ABSTRACT + " Revised.", "authors": ["Lovelace, A."], "year": 2025}
    other = {**first, "abstract": ABSTRACT + " Another.", "authors": ["Alan Turing"]}
    old = {**first, "abstract": ABSTRACT + " Old.", "year": 2019}
    report = _run(papers, _json(tmp_path, "same.json", [same]), _json(tmp_path, "other.json", [other]),
                  _json(tmp_path, "old.json", [old])).render()
    assert "same.json (json): read 1, new 0, merged 0, unchanged 0, duplicate 1" in report
    assert "sparse-mixtures-of-experts-at-scale.md: same title and first author" in report
    assert "other.json (json): read 1, new 1" in report and "old.json (json): read 1, new 1" in report
    assert "possible duplicate: 'Sparse Mixtures of Experts at Scale' (sparse-mixtures-of-experts-at-scale-turing.md)" \
           " and sparse-mixtures-of-experts-at-scale.md: same title, but the first authors differ" in report
    assert "(sparse-mixtures-of-experts-at-scale-lovelace.md) and sparse-mixtures-of-experts-at-scale.md: " \
           "same title, but the years differ (2019, 2024)" in report
    problems = load_collection(papers, load_taxonomy(TAXONOMY), tmp_path).problems
    assert all(p.warning for p in problems) and len(problems) == 3  # each pair kept is a possible duplicate
    assert all("possible duplicate of" in p.message for p in problems)


def test_validate_judges_duplicates_by_the_same_rule(tmp_path):
    papers, _ = _import(tmp_path, SCIENCE)
    collection = load_collection(papers, load_taxonomy(TAXONOMY), tmp_path)
    assert collection.problems == ()  # same title, different arXiv ids: two valid papers, not even a note
    text = (papers / f"{COMMENT_SLUG}-kunsch.md").read_text(encoding="utf-8")
    (papers / "a-copy-under-another-title.md").write_text(
        text.replace(f'title: "{COMMENT}"', 'title: "Another Title"').replace("added: '2026-01-05'",
                                                                            "added: '2026-01-06'"),
        encoding="utf-8")
    [problem] = load_collection(papers, load_taxonomy(TAXONOMY), tmp_path).problems
    assert problem.file.endswith("a-copy-under-another-title.md") and not problem.warning
    assert problem.message.startswith(f"same arXiv id 0808.0631 as content/papers/{COMMENT_SLUG}-kunsch.md")


# -- order does not matter -----------------------------------------------------------------------------

TITLES = ["Sparse Mixtures of Experts at Scale", "Comment: On Sparse Experts"]
record = st.fixed_dictionaries({
    "title": st.sampled_from(TITLES),
    "arxiv": st.sampled_from([None, "2401.00001", "2401.00002", "quant-ph/0210005"]),
    "doi": st.sampled_from([None, "10.1000/a", "10.1000/b"]),
    "authors": st.sampled_from([["Ada Lovelace"], ["Alan Turing"], []]),
    "year": st.sampled_from([2024, 2025, 2019]),
})


def _outcome(papers: Path) -> list[tuple]:
    """Which records became one paper: each file's arXiv id and every title it knows. Not compared: the
    addresses, and the values the first record gave (a present value is never changed, so a file's
    title or DOI is the first record's)."""
    out = []
    for path in papers.glob("*.md"):
        meta = _front(path)
        out.append((meta.get("arxiv"), tuple(sorted({meta["title"], *(s["title"] for s in meta.get("sources", []))}))))
    return sorted(out, key=repr)


def _record(title=TITLES[0], arxiv=None, doi=None, authors=("Ada Lovelace",), year=2024) -> dict:
    return {"title": title, "arxiv": arxiv, "doi": doi, "authors": list(authors), "year": year}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(record, record).filter(lambda pair: pair[0] != pair[1]))
@example(pair=(_record(arxiv="2401.00001"), _record(arxiv="2401.00002")))  # same title, different ids
@example(pair=(_record(doi="10.1000/a"), _record(doi="10.1000/b", authors=())))
@example(pair=(_record(arxiv="2401.00001"), _record(TITLES[1], arxiv="2401.00001")))  # same id, other titles
@example(pair=(_record(doi="10.1000/a"), _record(TITLES[1], doi="10.1000/a", year=2019)))
@example(pair=(_record(arxiv="2401.00001"), _record()))  # an id on one side only
@example(pair=(_record(TITLES[1], arxiv="2401.00001"), _record(TITLES[1], authors=("Alan Turing",))))
def test_order_does_not_matter(tmp_path_factory, pair):
    first, second = ({**r, "abstract": f"{ABSTRACT} Record {n}.", "arxiv": r["arxiv"], "doi": r["doi"]}
                     for n, r in enumerate(pair))
    tmp = tmp_path_factory.mktemp("order")
    a, b = _json(tmp, "a.json", [first]), _json(tmp, "b.json", [second])
    outcomes = []
    for name, runs in (("ab", [[a], [b]]), ("ba", [[b], [a]]), ("both", [[a, b]])):
        papers = tmp / name
        papers.mkdir()
        for inputs in runs:
            _run(papers, *inputs)
        outcomes.append(_outcome(papers))
    assert outcomes[0] == outcomes[1] == outcomes[2]


@settings(max_examples=300, deadline=None)
@given(record, record)
def test_the_rule_is_symmetric_and_identifiers_decide(first, second):
    a = identity(first["title"], first["arxiv"], first["doi"], first["authors"], first["year"])
    b = identity(second["title"], second["arxiv"], second["doi"], second["authors"], second["year"])
    one, other = judge(a, b), judge(b, a)
    assert (one is None) == (other is None)
    if one is not None:
        assert (one.same, one.possible) == (other.same, other.possible)
    if a.arxiv and a.arxiv == b.arxiv:
        assert one.same and one.reason == f"same arXiv id {a.arxiv}"  # whatever the titles
    elif (a.arxiv and b.arxiv) or (a.doi and b.doi and a.doi != b.doi):
        assert one is not None and not one.same  # different papers whatever the titles


# -- links follow from identifiers, once --------------------------------------------------------------


def test_an_arxiv_pdf_url_is_the_pdf_link_never_a_second_arxiv_link(tmp_path):
    papers, _ = _import(tmp_path, FIXTURES / "daily_arxiv_pdf_abs.jsonl")
    collection = load_collection(papers, load_taxonomy(TAXONOMY), tmp_path)
    assert len(collection.papers) == 3
    for paper in collection.papers:
        kinds = [link.kind for link in paper_links(paper)]
        assert kinds.count("arxiv") == 1 and kinds.count("pdf") == 1, paper_links(paper)
        assert next(link.url for link in paper_links(paper) if link.kind == "pdf").startswith("http://arxiv.org/pdf/")
    # A file written before, with the PDF filed as an "arxiv" link, still gets one arXiv button.
    [first, *_] = collection.papers
    legacy = replace(first, links=(Link("arxiv", f"http://arxiv.org/pdf/{first.arxiv}v1"),
                                   Link("arxiv", f"http://arxiv.org/abs/{first.arxiv}v1")))
    assert [link.kind for link in paper_links(legacy)] == ["pdf", "arxiv"]


def test_generic_titles_stay_apart_and_a_second_import_changes_nothing(tmp_path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    records = [{"title": "Editorial", "abstract": ABSTRACT, "authors": ["Ada Lovelace"], "year": 2020},
               {"title": "Editorial", "abstract": ABSTRACT + " Another one.", "authors": ["Ada Lovelace"],
                "year": 2020},
               {"title": "Erratum", "abstract": "Table 2 was wrong.", "authors": ["Alan Turing"]},
               {"title": "Erratum", "abstract": "Figure 3 was wrong.", "authors": ["Alan Turing"]}]
    source = _json(tmp_path, "editorials.json", records)
    first = _run(papers, source).render()
    assert "read 4, new 4" in first
    assert first.count("same title, but a title many papers share") == 2
    # Generic titles are always qualified: the surname, else (taken) the year, else a digest of the title.
    assert sorted(path.stem for path in papers.glob("*.md")) == ["editorial-2020", "editorial-lovelace",
                                                                 "erratum-406606", "erratum-turing"]
    again = _run(papers, source)
    assert "read 4, new 0, merged 0, unchanged 4, duplicate 0" in again.render() and again.written == []


def test_a_build_with_an_address_too_long_for_a_file_fails_before_writing_any_page(tmp_path):
    papers, _ = _import(tmp_path / "import", SCIENCE)
    root = make_project(tmp_path / "site", papers)
    long_tag = "-".join(["vision"] * 40)  # 279 bytes: a valid tag name, too long for a file name
    taxonomy = TAXONOMY.read_text(encoding="utf-8").replace("- name: vision", f"- name: {long_tag}")
    (root / "taxonomy.yml").write_text(taxonomy, encoding="utf-8")
    result = run_generator(root, "build", check=False)
    assert result.returncode != 0
    assert "page address(es) too long to be file names; nothing was written" in result.stderr
    assert f"tags/{long_tag}"[:100] in result.stderr and "OSError" not in result.stderr
    assert not (root / "site").exists()
