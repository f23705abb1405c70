"""End-to-end import: formats, merging, re-import, hand edits, reports, all-or-nothing writes."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
import yaml

from paper_collection import atomic, parallel
from paper_collection.collection import frontmatter, identity, similar
from paper_collection.collection.similar import similar_pairs
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.errors import GeneratorError, InputError
from paper_collection.ingest import importer, records
from paper_collection.ingest.importer import run_import
from paper_collection.ingest.readers.listing import read_listing
from tests.helpers import ROOT, SEED_LISTING, SEED_TAXONOMY, empty_project, make_project, run_generator, similar_titles

SEED = SEED_LISTING
FORMATS = ROOT / "tests" / "fixtures" / "formats"
FIXTURES = ROOT / "tests" / "fixtures" / "import"
ADDED = "2024-04-01"
TAXONOMY = load_taxonomy(SEED_TAXONOMY)
ABSTRACT = ("We train a small language model on a curated corpus and show that careful data selection "
            "matters more than its size for reasoning benchmarks, at a fraction of the usual cost.")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return empty_project(tmp_path)


def papers_dir(root: Path) -> Path:
    return root / "content" / "papers"


def do_import(root: Path, *paths: Path, **options):
    options.setdefault("added", ADDED)
    return run_import(list(paths), papers_dir(root), TAXONOMY, **options)


def meta_of(path: Path) -> dict:
    return frontmatter.parse(path.read_text(encoding="utf-8"), str(path)).meta


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(papers_dir(root).iterdir())}


def assert_valid(root: Path) -> None:
    collection = load_collection(papers_dir(root), TAXONOMY, root)
    assert not collection.errors, "\n".join(map(str, collection.errors))


def write_listing(path: Path, papers: list[tuple[str, str]]) -> Path:
    path.write_text("Mar 20\n\n" + "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in papers),
                    encoding="utf-8")
    return path


# --- the seed listing and re-imports --------------------------------------------------------


def test_seed_imports_to_110_files_with_titles_as_dumped(project):
    report = do_import(project, SEED)
    (file_report,) = report.files
    assert (file_report.format, file_report.read, len(file_report.new)) == ("listing", 110, 110)
    files = sorted(papers_dir(project).glob("*.md"))
    assert len(files) == 110
    dumped = {record.title for record in read_listing(SEED.read_text(encoding="utf-8"), SEED.name).records}
    titles = {meta_of(path)["title"] for path in files}
    assert titles == dumped
    for path in files:
        meta = meta_of(path)
        assert meta["sources"][0]["title"] == meta["title"]
        assert meta["sources"][0]["listed"] == "Mar 20" and "listed_on" not in meta["sources"][0]
    assert_valid(project)


def test_reimporting_the_same_dump_changes_no_file(project):
    do_import(project, SEED)
    before = snapshot(project)
    report = do_import(project, SEED, added="2025-01-01")  # another day, never in the future
    assert snapshot(project) == before
    assert report.written == []
    (file_report,) = report.files
    assert (len(file_report.unchanged), len(file_report.new), len(file_report.merged)) == (110, 0, 0)


def test_overlapping_dump_adds_only_the_new_papers(project, tmp_path):
    do_import(project, SEED)
    records = read_listing(SEED.read_text(encoding="utf-8"), SEED.name).records[:20]
    new = [("Sparse Attention Routing for Large Language Models",
            "We route attention in large language models through a sparse set of heads and halve the cost."),
           ("Curriculum Tuning of Language Models on Small Data",
            "We tune language models on small data sets with a curriculum and beat plain fine-tuning.")]
    dump = write_listing(tmp_path / "overlap.txt", [(r.title, r.abstract) for r in records] + new)
    before = snapshot(project)
    report = do_import(project, dump)
    (file_report,) = report.files
    assert file_report.read == 22 and len(file_report.new) == 2 and len(file_report.duplicate) == 20
    assert not file_report.merged and not file_report.rejected
    assert sorted(path.name for path in report.written) == [
        "curriculum-tuning-of-language-models-on-small-data.md",
        "sparse-attention-routing-for-large-language-models.md"]
    after = snapshot(project)
    assert {name: after[name] for name in before} == before  # the known papers' files untouched


def test_hand_edits_survive_a_reimport_and_the_paper_is_recognised(project):
    do_import(project, SEED)
    old = papers_dir(project) / "generative-medical-segmentation.md"
    meta = meta_of(old)
    body = frontmatter.parse(old.read_text(encoding="utf-8"), str(old)).body
    meta["title"] = "Generative Medical Image Segmentation"
    meta["tags"] = ["vision"]
    old.unlink()
    fixed = papers_dir(project) / "generative-medical-image-segmentation.md"
    fixed.write_text(frontmatter.dump(meta, body), encoding="utf-8")
    before = snapshot(project)
    report = do_import(project, SEED)
    assert snapshot(project) == before
    assert len(report.files[0].unchanged) == 110 and not report.files[0].new
    assert meta_of(fixed)["title"] == "Generative Medical Image Segmentation"
    assert meta_of(fixed)["tags"] == ["vision"]
    assert_valid(project)


def test_every_record_is_accounted_for(project, tmp_path):
    paths = [FORMATS / "papers.bib", FORMATS / "papers.csv", FIXTURES / "odd_abstracts.csv", SEED]
    report = do_import(project, *paths, default_tag="language-models")
    for file_report in report.files:
        assert file_report.read == file_report.accounted()
    assert_valid(project)


# --- formats --------------------------------------------------------------------------------

EXPECTED = {
    "papers.bib": ("sparse-mixture-of-experts-for-low-resource-translation.md", {
        "title": "Sparse Mixture-of-Experts for Low-Resource Translation",
        "authors": ["Jörg Müller", "María García", "Wei Zhang"],
        "year": 2023, "month": 12,
        "venue": "Advances in Neural Information Processing Systems",
        "keywords": ["mixture of experts", "translation", "low-resource"],
        "links": [{"kind": "code", "url": "https://github.com/example/sparse-moe"}],
    }, "We study sparse MoE layers for translation into languages with little parallel data."),
    "arxiv_api.atom": ("scaling-laws-for-sparse-autoencoders.md", {
        "title": "Scaling Laws for Sparse Autoencoders",
        "authors": ["Ana Souza", "Kenji Watanabe"],
        "year": 2024, "month": 3, "day": 19, "venue": "ICLR 2024",
        "arxiv": "2403.12345", "doi": "10.48550/arXiv.2403.12345",
        "keywords": ["cs.CL", "cs.LG"],
        "links": [{"kind": "doi", "url": "http://dx.doi.org/10.48550/arXiv.2403.12345"},
                  {"kind": "arxiv", "url": "http://arxiv.org/abs/2403.12345v2"},
                  {"kind": "pdf", "url": "http://arxiv.org/pdf/2403.12345v2"}],
    }, None),
    "arxiv_snapshot.jsonl": ("calculation-of-prompt-diphoton-production-cross-sections-at-tevatron-and-lhc.md", {
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
        "authors": ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"],
        "year": 2007, "month": 4, "day": 2, "venue": "Phys.Rev.D76:013009,2007",
        "arxiv": "0704.0001", "doi": "10.1103/PhysRevD.76.013009", "keywords": ["hep-ph"],
        "links": [{"kind": "arxiv", "url": "https://arxiv.org/abs/0704.0001"},
                  {"kind": "pdf", "url": "https://arxiv.org/pdf/0704.0001"},
                  {"kind": "doi", "url": "https://doi.org/10.1103/PhysRevD.76.013009"}],
    }, None),
    "papers.csv": ("graph-networks-revisited.md", {
        "title": "Graph Networks, Revisited", "authors": ["Alice Martin", "Bob Chen"], "year": 2023,
        "doi": "10.1000/xyz123", "keywords": ["graphs", "GNN"],
        "links": [{"kind": "code", "url": "https://github.com/example/gnn-revisited"},
                  {"kind": "doi", "url": "https://doi.org/10.1000/xyz123"}],
    }, "We revisit message passing, and find that simple baselines win."),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_format_imports_end_to_end(project, name):
    file_name, expected, abstract = EXPECTED[name]
    report = do_import(project, FORMATS / name, default_tag="language-models")
    assert report.files[0].format == {"papers.bib": "bibtex", "arxiv_api.atom": "atom",
                                      "arxiv_snapshot.jsonl": "jsonl", "papers.csv": "csv"}[name]
    path = papers_dir(project) / file_name
    meta = meta_of(path)
    assert {key: meta.get(key) for key in expected} == expected
    assert meta["added"] == ADDED and meta["sources"][0]["file"] == name and meta["tags"]
    if abstract:
        assert frontmatter.parse(path.read_text(encoding="utf-8"), "x").body == abstract
    assert_valid(project)


def test_hugging_face_json_imports_with_its_links(project):
    report = do_import(project, FORMATS / "hf_daily_papers.json", default_tag="language-models")
    (file_report,) = report.files
    assert file_report.format == "json" and file_report.read == file_report.accounted()
    metas = [meta_of(path) for path in sorted(papers_dir(project).glob("*.md"))]
    assert metas
    for meta in metas:
        if "arxiv" in meta:
            urls = [link["url"] for link in meta["links"]]
            assert any("huggingface.co/papers/" in url for url in urls)
            assert any("arxiv.org/abs/" in url for url in urls) and any("arxiv.org/pdf/" in url for url in urls)
    assert_valid(project)


def test_a_real_arxiv_export_without_dates_is_dated_by_its_arxiv_ids(project):
    # A real daily arXiv export (tests/fixtures/new_collection/README.md): id, title, authors, abstract,
    # and no date. Every id is 2606.x, given in June 2026; the export's records say nothing else.
    export = ROOT / "tests" / "fixtures" / "new_collection" / "arxiv-medical-imaging-2026-06-19.jsonl"
    report = do_import(project, export, default_tag="language-models")
    (file_report,) = report.files
    assert len(file_report.new) == 17 and file_report.dated_by_arxiv == 17
    assert "dated by their arXiv id (the month it was given), having no date in the input: 17 new paper(s)" \
        in "\n".join(file_report.render())
    for path in papers_dir(project).glob("*.md"):
        meta = meta_of(path)
        assert meta["arxiv"].startswith("2606.") and (meta["year"], meta["month"]) == (2026, 6)
        assert "day" not in meta  # the id gives no day
    assert_valid(project)


def test_a_date_in_the_input_wins_over_the_arxiv_id(project):
    # a record with a year of its own keeps it; one without is dated by its id, old style too
    path = project / "dated.json"
    path.write_text(json.dumps([
        {"title": "A paper the export dates", "abstract": ABSTRACT, "arxiv": "2503.19633", "year": 2024},
        {"title": "A paper dated by its id", "abstract": ABSTRACT, "arxiv": "hep-th/9901001"},
    ]), encoding="utf-8")
    report = do_import(project, path, default_tag="language-models")
    assert report.files[0].dated_by_arxiv == 1
    dated = meta_of(papers_dir(project) / "a-paper-the-export-dates.md")
    assert dated["year"] == 2024 and "month" not in dated
    by_id = meta_of(papers_dir(project) / "a-paper-dated-by-its-id.md")
    assert (by_id["year"], by_id["month"]) == (1999, 1)


def test_listing_variant_imports_with_dates_that_carry_their_year(project):
    report = do_import(project, FIXTURES / "listing_variant.txt")
    (file_report,) = report.files
    assert (file_report.format, file_report.read, len(file_report.new)) == ("listing", 3, 3)
    first = meta_of(papers_dir(project) / "sparse-mixtures-of-tiny-experts-for-language-model-reasoning.md")
    assert first["sources"][0]["listed"] == "March 20, 2024"
    assert first["sources"][0]["listed_on"] == "2024-03-20"
    assert "year" not in first  # a listing date is not a publication date
    body = frontmatter.parse((papers_dir(project) / "sparse-mixtures-of-tiny-experts-for-language-model-reasoning.md")
                             .read_text(encoding="utf-8"), "x").body
    assert body.startswith("We study sparse mixtures of very small experts in large language models and show")
    third = meta_of(papers_dir(project) / "a-benchmark-for-long-context-retrieval-in-language-models.md")
    assert third["sources"][0]["listed_on"] == "2024-03-21"
    assert_valid(project)


def test_listing_year_is_never_invented(project):
    do_import(project, FIXTURES / "near_duplicate.txt")
    (path,) = papers_dir(project).glob("*.md")
    assert "listed_on" not in meta_of(path)["sources"][0]


def test_listing_year_given_by_the_maintainer(project):
    do_import(project, FIXTURES / "near_duplicate.txt", listed_year=2024)
    (path,) = papers_dir(project).glob("*.md")
    assert meta_of(path)["sources"][0]["listed_on"] == "2024-03-21"


# --- merging ---------------------------------------------------------------------------------


def test_the_same_paper_from_bibtex_and_atom_is_merged(project):
    do_import(project, FIXTURES / "merge.bib")
    path = papers_dir(project) / "token-routing-for-efficient-large-language-models.md"
    meta = meta_of(path)
    assert meta["arxiv"] == "2405.01234" and "authors" not in meta and "doi" not in meta
    assert meta["links"] == [{"kind": "arxiv", "url": "https://arxiv.org/abs/2405.01234"},
                             {"kind": "pdf", "url": "https://arxiv.org/pdf/2405.01234"}]
    # A person fixes the title and deletes the links: the title stays, the links come back.
    body = frontmatter.parse(path.read_text(encoding="utf-8"), "x").body
    meta["title"] = "Token Routing for Efficient Large Language Models!"
    del meta["links"]
    path.write_text(frontmatter.dump(meta, body), encoding="utf-8")

    report = do_import(project, FIXTURES / "merge.atom")
    (file_report,) = report.files
    assert len(file_report.merged) == 1 and not file_report.new
    assert file_report.merged[0].endswith("into token-routing-for-efficient-large-language-models.md: "
                                          "same arXiv id 2405.01234 (filled authors, month, day, doi, links)")
    assert file_report.notes == [
        "merge.atom:4: differs from token-routing-for-efficient-large-language-models.md: venue: the file has "
        "'arXiv preprint', the input has 'ACL 2024' (kept the file's value)"]
    merged = meta_of(path)
    assert merged["title"] == "Token Routing for Efficient Large Language Models!"
    assert merged["authors"] == ["Min-jun Kim", "Sara Okafor"]
    assert merged["doi"] == "10.48550/arXiv.2405.01234" and merged["venue"] == "arXiv preprint"
    assert (merged["year"], merged["month"], merged["day"]) == (2024, 5, 2)
    assert merged["keywords"] == ["mixture of experts", "efficiency"]  # the file's, not the feed's
    assert merged["links"] == [{"kind": "arxiv", "url": "http://arxiv.org/abs/2405.01234v2"},
                               {"kind": "pdf", "url": "http://arxiv.org/pdf/2405.01234v2"},
                               {"kind": "doi", "url": "https://doi.org/10.48550/arXiv.2405.01234"}]
    assert [s["format"] for s in merged["sources"]] == ["bibtex", "atom"]
    assert list(merged) == [k for k in ("title", "authors", "year", "month", "day", "venue", "arxiv", "doi", "tags",
                                        "keywords", "links", "added", "sources") if k in merged]
    assert len(list(papers_dir(project).glob("*.md"))) == 1
    # Importing the feed again changes nothing: its source is recorded now.
    before = snapshot(project)
    again = do_import(project, FIXTURES / "merge.atom")
    assert snapshot(project) == before and len(again.files[0].unchanged) == 1


def test_conflicting_values_are_reported_and_the_file_kept(project, tmp_path):
    do_import(project, FIXTURES / "merge.atom")
    path = papers_dir(project) / "token-routing-for-efficient-large-language-models.md"
    before = path.read_bytes()
    report = do_import(project, FIXTURES / "merge.bib")
    (file_report,) = report.files
    assert path.read_bytes() == before
    assert len(file_report.duplicate) == 1
    assert file_report.notes == [
        "merge.bib:1: differs from token-routing-for-efficient-large-language-models.md: venue: the file has "
        "'ACL 2024', the input has 'arXiv preprint' (kept the file's value)"]


def test_both_formats_in_one_import_become_one_paper(project):
    report = do_import(project, FIXTURES / "merge.bib", FIXTURES / "merge.atom")
    assert [len(f.new) for f in report.files] == [1, 0] and len(report.files[1].merged) == 1
    (path,) = papers_dir(project).glob("*.md")
    assert meta_of(path)["authors"] == ["Min-jun Kim", "Sara Okafor"]
    assert_valid(project)


def test_an_empty_list_is_present_and_stays_empty(project):
    do_import(project, FIXTURES / "merge.bib")
    path = papers_dir(project) / "token-routing-for-efficient-large-language-models.md"
    parsed = frontmatter.parse(path.read_text(encoding="utf-8"), "x")
    meta = {**parsed.meta, "links": []}
    path.write_text(frontmatter.dump(meta, parsed.body), encoding="utf-8")
    existing = identity.PaperFile(path, meta, parsed.body)
    incoming = records.paper_from_record(
        importer.read_input((FIXTURES / "merge.atom").read_text(encoding="utf-8"), "merge.atom")[1].records[0])
    merged, filled, _ = identity.merge(existing, incoming)
    assert merged["links"] == [] and "links" not in filled
    do_import(project, FIXTURES / "merge.atom")
    assert meta_of(path)["links"] == []
    assert meta_of(path)["authors"] == ["Min-jun Kim", "Sara Okafor"]


def test_a_near_identical_title_is_reported_not_merged(project):
    do_import(project, SEED)
    report = do_import(project, FIXTURES / "near_duplicate.txt")
    (file_report,) = report.files
    assert len(file_report.new) == 1 and not file_report.merged and not file_report.duplicate
    assert file_report.notes[-1] == (
        "near_duplicate.txt:3: possible duplicate: 'Meta Flow Matching: Integrating Vector Fields on Wasserstein "
        "Manifolds' (meta-flow-matching-integrating-vector-fields-on-wasserstein-manifolds.md) has a near-identical "
        "title to meta-flow-matching-integrating-vector-fields-on-the-wasserstein-manifold.md; written as a new "
        "paper, remove one if they are the same")
    assert len(list(papers_dir(project).glob("*.md"))) == 111


def test_abstracts_that_are_not_abstracts_are_marked_missing(project):
    report = do_import(project, FIXTURES / "odd_abstracts.csv")
    (file_report,) = report.files
    assert len(file_report.new) == 3
    assert [(r.line, r.reason) for r in file_report.rejected] == [
        (4, "'No Abstract for Language Models': no abstract, and no arXiv id or DOI to find it by; add the "
            "abstract to the input, or the identifier so that paper-collection enrich can fetch it")]
    assert file_report.duplicate == ["odd_abstracts.csv:6 'Large Language Models Sometimes Repeat Papers' "
                                     "repeats odd_abstracts.csv:5 in this import (same title)"]
    assert file_report.abstract_missing == [
        "odd_abstracts.csv:2 'Language Models Repeat Themselves': the abstract repeats the title",
        "odd_abstracts.csv:3 'Tiny Abstracts in Language Models': the abstract has fewer than 8 words"]
    path = papers_dir(project) / "tiny-abstracts-in-language-models.md"
    parsed = frontmatter.parse(path.read_text(encoding="utf-8"), "x")
    assert parsed.meta["abstract_missing"] is True and parsed.body == ""
    assert load_collection(papers_dir(project), TAXONOMY, project).errors == ()
    assert "abstract missing: odd_abstracts.csv:3" in report.render()


def test_similar_pairs_filter_finds_exactly_what_comparing_every_pair_finds(monkeypatch):
    from rapidfuzz import fuzz

    rng = random.Random(7)
    words = "graph neural language model vision sparse dense learning attention tokens robot policy".split()
    titles = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 9))) for _ in range(300)]
    titles += [t[:-1] for t in titles[:40]] + [t.replace(" ", "", 1) for t in titles[40:80]] + ["ab", "abc"]
    brute = sorted((i, j) for i, a in enumerate(titles) for j, b in enumerate(titles)
                   if a != b and fuzz.ratio(a, b) >= 95)
    monkeypatch.setattr(similar, "_ALL_PAIRS_UP_TO", 0)
    assert similar_pairs(titles, titles, limit=None) == brute
    assert brute


# --- errors and safety ----------------------------------------------------------------------


def test_a_dump_with_no_papers_is_an_error_naming_the_file(project, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("Daily Papers\n\nSubscribe\n", encoding="utf-8")
    result = run_generator(project, "import", str(empty), "--added", ADDED, check=False)
    assert result.returncode == 2
    assert f"error: {empty.as_posix()}: no papers found (read as listing)" in result.stderr
    assert not list(papers_dir(project).iterdir())


@pytest.mark.parametrize(("name", "message"), [
    ("truncated.json", "truncated.json:"),
    ("malformed.xml", "malformed.xml:"),
])
def test_a_malformed_input_fails_with_file_and_line_and_writes_nothing(project, name, message):
    with pytest.raises(InputError) as caught:
        do_import(project, SEED, FORMATS / name)
    assert caught.value.line and message in str(caught.value) and caught.value.fix
    assert not list(papers_dir(project).iterdir())


def test_an_unrecognised_file_fails_clearly(project, tmp_path):
    binary = tmp_path / "dump.pdf"
    binary.write_bytes(b"%PDF-1.7\n\x00\x01\x02")
    result = run_generator(project, "import", str(SEED), str(binary), check=False)
    assert result.returncode == 2 and "looks like a PDF file" in result.stderr
    assert not list(papers_dir(project).iterdir())


def test_a_failed_swap_restores_every_file(project, monkeypatch):
    do_import(project, FIXTURES / "merge.bib")
    before = snapshot(project)
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        if Path(target).parent == papers_dir(project) and str(source).endswith(".new"):
            calls.append(target)  # a staged paper file moved into place
            if len(calls) == 3:
                raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(GeneratorError, match="nothing was changed"):
        do_import(project, FIXTURES / "listing_variant.txt", FIXTURES / "merge.atom")
    assert len(calls) == 3
    assert {name: data for name, (data, _) in snapshot(project).items()} == {
        name: data for name, (data, _) in before.items()}
    assert not [p for p in papers_dir(project).iterdir() if p.name.startswith(".import-")]


# --- the command line -------------------------------------------------------------------------


def test_cli_report_text(project):
    result = run_generator(project, "import", str(FIXTURES / "listing_variant.txt"), "--added", ADDED)
    shown = (FIXTURES / "listing_variant.txt").as_posix()
    assert result.stdout == f"""\
{shown} (listing): read 3, new 3, merged 0, unchanged 0, duplicate 0, rejected 0
  tags of the new papers: by rules 3, suggested by the tag model 0, none 0
  note: line 1: skipped page boilerplate 'Hugging Face'
  note: line 2: skipped page boilerplate 'Papers'
  note: line 3: skipped page boilerplate 'Log In'
  note: line 4: skipped page boilerplate 'Sign Up'
  note: line 6: skipped page boilerplate 'Trending Papers'
  note: line 8: listing date 'March 20, 2024'
  note: line 10: skipped page boilerplate 'Submitted by akhaliq'
  note: line 13: skipped page boilerplate '· 5 authors'
  note: line 14: skipped page boilerplate '42'
  note: line 21: skipped page boilerplate 'Submitted by osanseviero'
  note: line 25: skipped page boilerplate 'Upvote'
  note: line 26: skipped page boilerplate '17'
  note: line 30: listing date '2024-03-21'
  note: line 33: skipped page boilerplate '· 12 authors'
  note: line 34: skipped page boilerplate '3'
  note: line 38: skipped page boilerplate 'Previous'
  note: line 39: skipped page boilerplate 'Next'
wrote 3 file(s) under content/papers/
"""


def test_importing_into_two_empty_collections_gives_identical_files(tmp_path):
    roots = []
    for name in ("one", "two"):
        empty = tmp_path / f"{name}-empty"
        empty.mkdir()
        (tmp_path / name).mkdir()
        root = make_project(tmp_path / name, papers=empty)
        inputs = [str(SEED), str(FIXTURES / "merge.bib"), str(FIXTURES / "merge.atom"), str(FORMATS / "papers.csv")]
        run_generator(root, "import", *inputs, "--added", ADDED, "--default-tag", "language-models")
        roots.append(root)
    one, two = ({p.name: p.read_bytes() for p in papers_dir(r).iterdir()} for r in roots)
    assert one == two and len(one) > 110


def test_written_front_matter_loads_with_the_fast_and_the_strict_loader(project):
    do_import(project, FIXTURES / "merge.bib", FIXTURES / "merge.atom")
    (path,) = papers_dir(project).glob("*.md")
    text = path.read_text(encoding="utf-8")
    assert identity.load_meta(path)[0] == meta_of(path) == yaml.safe_load(text.split("---\n")[1])


def test_the_benchmark_dump_is_varied_and_deterministic():
    from benchmarks.import_bench import SEED as BENCH_SEED
    from benchmarks.import_bench import generate_listing

    text = generate_listing(200, random.Random(BENCH_SEED))
    assert text == generate_listing(200, random.Random(BENCH_SEED))
    records = read_listing(text, "bench.txt").records
    assert len(records) == 200
    assert len({r.title.casefold() for r in records}) == 200 and len({r.abstract for r in records}) == 200
    seed_abstracts = {r.abstract for r in read_listing(SEED.read_text(encoding="utf-8"), SEED.name).records}
    assert not seed_abstracts & {r.abstract for r in records}  # sampled sentences, no paper copied


def test_a_large_import_shows_progress(project, tmp_path):
    from benchmarks.import_bench import generate_listing

    dump = tmp_path / "big.txt"
    dump.write_text(generate_listing(1000, random.Random(3)), encoding="utf-8")
    result = run_generator(project, "import", str(dump), "--added", ADDED, "--default-tag", "language-models")
    assert f"{dump.as_posix()}: 1000/1000 records" in result.stderr
    assert result.stdout.startswith(f"{dump.as_posix()} (listing): read 1000, new 1000,")


def test_a_broken_paper_file_is_not_duplicated(project):
    do_import(project, FIXTURES / "listing_variant.txt")
    broken = papers_dir(project) / "why-do-linear-probes-work-in-language-models.md"
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    report = do_import(project, FIXTURES / "listing_variant.txt")
    (file_report,) = report.files
    assert len(file_report.unchanged) == 2 and not file_report.new and report.written == []
    assert [r.line for r in file_report.rejected] == [23]
    assert "whose front matter cannot be read" in file_report.rejected[0].reason
    assert broken.read_text(encoding="utf-8") == "---\ntitle: [unclosed\n---\nText.\n"


@pytest.mark.parametrize("front", ["added: 2024-13-01", "year: " + "9" * 5000])
def test_a_paper_file_yaml_cannot_construct_does_not_stop_an_import(project, front):
    (papers_dir(project) / "odd.md").write_text(f"---\ntitle: Odd\n{front}\n---\nText.\n", encoding="utf-8")
    report = do_import(project, FIXTURES / "listing_variant.txt")
    assert len(report.files[0].new) == 3


def test_similar_pairs_in_worker_processes_equal_one_process(monkeypatch):
    """The near-duplicate search split over forked workers finds the same pairs as in one process."""
    titles = similar_titles(11, 400, 4, 12, 60)
    monkeypatch.setattr(similar, "_ALL_PAIRS_UP_TO", 0)
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "1")
    alone = similar_pairs(titles, titles)
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "2")
    monkeypatch.setenv("PAPER_COLLECTION_PARALLEL_FROM", "10")
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # idle threads of other tests
    forked = []
    monkeypatch.setattr(parallel, "Child", _counting(parallel.Child, forked))
    assert alone and similar_pairs(titles, titles) == alone
    assert forked, "the queries were not shared with a worker"


def _counting(cls, made: list):
    def make(*args, **kwargs):
        child = cls(*args, **kwargs)
        made.append(child)
        return child
    return make
