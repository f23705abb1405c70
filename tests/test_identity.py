"""Paper identity (issue #23): bounded addresses, author entries that are not one person, and the
rule that decides "same paper" (arXiv id, DOI, title and first author, abstract), with real records.

Fixtures (tests/fixtures/identity/README.md says where each came from): a real arXiv API response
for a query for "science" (ten entries, two of them comments sharing a title), and the record of
arXiv 2506.02197 with 35 names glued into one author entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
