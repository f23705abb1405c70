"""`add`: one new, valid paper file from a title, an abstract and options; duplicates refused;
anything `add` or `import` writes validates."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from paper_collection.collection import frontmatter
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.errors import GeneratorError, InputError
from paper_collection.ingest.add import add_paper
from paper_collection.ingest.clean import clean_text
from paper_collection.ingest.importer import run_import
from tests.helpers import SEED_TAXONOMY, make_project, run_generator

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
ABSTRACT = ("We show that vision transformers trained on natural images generalize to medical image segmentation "
            "without labels. Code: https://github.com/example/seg-gen.")


def collection_of(papers: Path):
    return load_collection(papers, TAXONOMY, papers.parent.parent)


def test_add_writes_a_valid_file_with_slug_suggested_tags_and_links(tmp_path):
    papers = tmp_path / "content" / "papers"
    result = add_paper(papers, TAXONOMY, title="Segmenting  Anything, \\emph{Zero-Shot}", abstract=ABSTRACT,
                       authors=["Ada Lovelace", " "], arxiv="arXiv:2401.10010v2", doi="https://doi.org/10.1000/XYZ",
                       year=2024, added="2024-01-05", project=["https://example.org/seg"], root=tmp_path)
    assert result.path == papers / "segmenting-anything-zero-shot.md"
    meta = frontmatter.parse(result.path.read_text(encoding="utf-8"), "x").meta
    assert meta["title"] == "Segmenting Anything, Zero-Shot"
    assert meta["authors"] == ["Ada Lovelace"]
    assert meta["arxiv"] == "2401.10010" and meta["doi"] == "10.1000/XYZ" and meta["year"] == 2024
    assert meta["added"] == "2024-01-05"
    assert meta["tags"] == list(TAXONOMY.assign(meta["title"], ABSTRACT)) == list(result.suggested)
    assert {"vision", "segmentation"} <= set(meta["tags"])
    kinds = {link["url"]: link["kind"] for link in meta["links"]}
    assert kinds["https://example.org/seg"] == "project"
    assert kinds["https://github.com/example/seg-gen"] == "code"  # found in the abstract
    assert kinds["https://arxiv.org/abs/2401.10010"] == "arxiv"
    assert meta["sources"] == [{"file": "paper-collection add", "line": 1, "format": "add",
                                "title": "Segmenting Anything, Zero-Shot"}]
    collection = collection_of(papers)
    assert collection.problems == ()
    assert [p.slug for p in collection.papers] == ["segmenting-anything-zero-shot"]


def test_given_tags_win_and_unknown_ones_say_what_was_meant(tmp_path):
    papers = tmp_path / "papers"
    result = add_paper(papers, TAXONOMY, title="A Paper", abstract=ABSTRACT, tags=["robotics", "robotics"])
    assert result.paper.tags == ("robotics",)
    with pytest.raises(GeneratorError, match=r"^--tag 'vison' is not a tag; did you mean 'vision'\?$"):
        add_paper(papers, TAXONOMY, title="Another Paper", abstract=ABSTRACT, tags=["vison"])


@pytest.mark.parametrize(("options", "message"), [
    ({"links": ["javascript:alert(1)"]}, "--link 'javascript:alert(1)': only http:// and https:// links are allowed"),
    ({"code": ["ftp://example.org/x"]}, "--code 'ftp://example.org/x': only http:// and https:// links are allowed"),
    ({"arxiv": "1234"}, "--arxiv: '1234' is not an arXiv id like '2401.10010'"),
    ({"doi": "xyz"}, "--doi: 'xyz' is not a DOI like '10.1000/xyz123'"),
    ({"added": "2024-13-01"}, "--added: '2024-13-01' is not a date like '2024-01-05'"),
    ({"year": 24}, "--year: 24 is out of range 1000-2999"),
    ({"title": " \\emph{} "}, "--title: the title is empty"),
    ({"abstract": "  \n"}, "the abstract is empty; give it with --abstract-file PATH (or '-' for standard input)"),
])
def test_bad_options_are_refused_and_nothing_is_written(tmp_path, options, message):
    papers = tmp_path / "papers"
    papers.mkdir()
    arguments = {"title": "Plain Title", "abstract": ABSTRACT, **options}
    with pytest.raises(GeneratorError) as error:
        add_paper(papers, TAXONOMY, **arguments)
    assert str(error.value).startswith(message)
    assert list(papers.iterdir()) == []


@pytest.mark.parametrize(("first", "second", "reason"), [
    ({"title": "Learning to Generalize"}, {"title": "learning to generalize!"},
     "('Learning to Generalize') has the same title"),
    ({"title": "One", "arxiv": "2401.10010"}, {"title": "Two", "arxiv": "2401.10010v3"},
     "('One') has the same arXiv id 2401.10010"),
    ({"title": "One", "doi": "10.1000/abc"}, {"title": "Two", "doi": "doi:10.1000/ABC"},
     "('One') has the same DOI 10.1000/abc"),
])
def test_duplicates_of_existing_papers_are_refused(tmp_path, first, second, reason):
    papers = tmp_path / "content" / "papers"
    written = add_paper(papers, TAXONOMY, abstract=ABSTRACT, root=tmp_path, **first).path
    with pytest.raises(GeneratorError) as error:
        add_paper(papers, TAXONOMY, abstract=ABSTRACT, root=tmp_path, **second)
    assert str(error.value) == (f"this paper is already in the collection: content/papers/{written.name} {reason}; "
                                "edit that file instead of adding a new one")
    assert [p.name for p in papers.iterdir()] == [written.name]


def test_near_identical_title_is_added_with_a_note(tmp_path):
    papers = tmp_path / "content" / "papers"
    add_paper(papers, TAXONOMY, title="Scaling Laws for Neural Language Models", abstract=ABSTRACT, root=tmp_path)
    result = add_paper(papers, TAXONOMY, title="Scaling Law for Neural Language Models",
                       abstract=ABSTRACT.replace("medical", "satellite"), root=tmp_path)
    assert result.notes == ("possible duplicate of content/papers/scaling-laws-for-neural-language-models.md "
                            "(near-identical title)",)
    assert collection_of(papers).errors == ()


def test_same_abstract_under_another_title_is_refused(tmp_path):
    papers = tmp_path / "content" / "papers"
    add_paper(papers, TAXONOMY, title="Scaling Laws for Neural Language Models", abstract=ABSTRACT, root=tmp_path)
    with pytest.raises(GeneratorError, match="content/papers/scaling-laws-for-neural-language-models.md .* has the "
                                             "same abstract; edit that file instead of adding a new one"):
        add_paper(papers, TAXONOMY, title="A Different Title Entirely", abstract=ABSTRACT, root=tmp_path)


def test_slug_collision_gets_a_suffix_that_validates(tmp_path):
    papers = tmp_path / "content" / "papers"
    add_paper(papers, TAXONOMY, title="Über Generalization", abstract=ABSTRACT, root=tmp_path)
    second = add_paper(papers, TAXONOMY, title="Uber Generalization", abstract=ABSTRACT.replace("medical", "satellite"),
                       root=tmp_path)
    assert second.path.stem.startswith("uber-generalization-") and second.path.stem != "uber-generalization"
    assert collection_of(papers).problems == ()


# -- the command line ------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    return make_project(root, source)


def test_cli_add_from_an_abstract_file(project):
    (project / "abstract.txt").write_text(ABSTRACT + "\n", encoding="utf-8")
    result = run_generator(project, "add", "--title", "Zero-Shot Segmentation", "--abstract-file", "abstract.txt",
                           "--tag", "segmentation", "--link", "https://huggingface.co/x/y", "--author", "Ada",
                           "--added", "2024-01-05")
    assert result.stdout.splitlines()[0] == "wrote content/papers/zero-shot-segmentation.md"
    assert result.stdout.splitlines()[1].startswith("tags: segmentation (taxonomy.yml suggests: ")
    text = (project / "content" / "papers" / "zero-shot-segmentation.md").read_text(encoding="utf-8")
    meta = frontmatter.parse(text, "x").meta
    assert meta["tags"] == ["segmentation"] and meta["authors"] == ["Ada"]
    assert meta["links"][0] == {"kind": "huggingface", "url": "https://huggingface.co/x/y"}
    # The contributor's local file name is not published: the source is the command.
    assert meta["sources"][0]["file"] == "paper-collection add"
    assert "abstract.txt" not in text
    assert run_generator(project, "validate").stdout == "ok: 1 papers valid\n"


def test_cli_add_reads_standard_input(project):
    result = subprocess.run([sys.executable, "-m", "paper_collection", "--root", str(project), "add", "--title",
                             "Zero-Shot Segmentation", "--abstract-file", "-"], input=ABSTRACT, text=True,
                            capture_output=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "wrote content/papers/zero-shot-segmentation.md"
    assert lines[1].startswith("tags: vision, segmentation") and "suggested by taxonomy.yml" in lines[1]
    text = (project / "content" / "papers" / "zero-shot-segmentation.md").read_text(encoding="utf-8")
    assert text.rstrip("\n").endswith(ABSTRACT)


def test_cli_add_refuses_a_duplicate_with_exit_2(project):
    arguments = ("add", "--title", "Zero-Shot Segmentation", "--abstract-file", "abstract.txt")
    (project / "abstract.txt").write_text(ABSTRACT, encoding="utf-8")
    run_generator(project, *arguments)
    again = run_generator(project, *arguments, check=False)
    assert again.returncode == 2
    assert again.stderr == ("error: this paper is already in the collection: content/papers/zero-shot-segmentation.md"
                            " ('Zero-Shot Segmentation') has the same title; edit that file instead of adding a new "
                            "one\n")


def test_cli_add_missing_abstract_file(project):
    result = run_generator(project, "add", "--title", "X", "--abstract-file", "nope.txt", check=False)
    assert result.returncode == 2
    assert result.stderr == "error: --abstract-file nope.txt: cannot read: No such file or directory\n"


# -- properties: anything add or import writes validates ------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, abstract=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400))
def test_any_title_and_abstract_given_to_add_validates_and_round_trips(title, abstract):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        papers = root / "content" / "papers"
        papers.mkdir(parents=True)
        try:
            result = add_paper(papers, TAXONOMY, title=title, abstract=abstract, tags=["vision"], root=root)
        except GeneratorError as error:
            # Only a title or abstract with nothing left after cleaning is refused.
            assert not clean_text(title) or not clean_text(abstract), error
            return
        collection = collection_of(papers)
        assert collection.problems == (), collection.problems
        (paper,) = collection.papers
        assert paper.title == result.paper.title == clean_text(title)
        assert paper.abstract == result.paper.abstract
        assert paper.slug == result.path.stem


WORD = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Zp")), min_size=1, max_size=12)
LINE = st.lists(WORD, min_size=1, max_size=14).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers=st.lists(st.tuples(LINE, st.lists(WORD, min_size=8, max_size=60).map(" ".join)),
                       min_size=1, max_size=6))
def test_any_listing_import_writes_only_valid_files(papers):
    # A listing: a date line, then per paper a title line and an abstract paragraph (a sentence).
    dump = "Mar 20\n\n" + "".join(f"{title.rstrip('.')}\n\n{abstract}.\n\n" for title, abstract in papers)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "listing.txt"
        source.write_text(dump, encoding="utf-8")
        target = root / "content" / "papers"
        target.mkdir(parents=True)
        try:
            report = run_import([source], target, TAXONOMY, added="2024-01-05", fmt="listing", listed_year=2024,
                                default_tag="vision")
        except InputError:
            assume(False)  # the reader found no paper in this text
            return
        collection = collection_of(target)
        assert collection.errors == (), [str(p) for p in collection.errors]
        assert len(collection.papers) == len(report.written) == len(list(target.glob("*.md")))


def test_a_paper_no_rule_matches_is_written_untagged_not_refused(tmp_path):
    """Like an import: no rule and no --tag -> the reserved tag 'untagged' (the collection here is too
    small for the tag model, so there are no suggestions), and the file validates."""
    papers = tmp_path / "papers"
    papers.mkdir()
    abstract = "Nothing here matches any rule at all, honestly, not one word of it."
    assert TAXONOMY.assign("Plain Title", abstract) == ()
    result = add_paper(papers, TAXONOMY, title="Plain Title", abstract=abstract)
    meta = frontmatter.parse(result.path.read_text(encoding="utf-8"), "x").meta
    assert meta["tags"] == ["untagged"] and "tags_suggested" not in meta
    assert result.suggested == ()
