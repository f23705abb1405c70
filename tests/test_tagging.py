"""Issue 11: every record of a real export arrives (JSON of any shape, odd CSV headers, BibTeX no
rule matches, another field's papers); tags come from the rules, the tag model or `untagged`;
suggestions are reviewed with `tags review` and survive re-imports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_collection.collection import frontmatter
from paper_collection.collection.review import decide, pending_papers, suggest_rules
from paper_collection.collection.tagger import Example, TagModel
from paper_collection.collection.taxonomy import UNTAGGED, load_taxonomy
from paper_collection.collection.validate import load_collection
from paper_collection.errors import InputError
from paper_collection.ingest.importer import run_import, write_all
from paper_collection.ingest.readers.detect import read_input
from tests.helpers import ROOT, SEED_TAXONOMY, make_project, run_generator

SHAPES = ROOT / "tests" / "fixtures" / "shapes"
ADDED = "2024-05-01"
TAXONOMY = load_taxonomy(SEED_TAXONOMY)


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    empty = tmp_path / "empty"
    empty.mkdir()
    return make_project(tmp_path / "project", papers=empty)


@pytest.fixture(scope="module")
def collection_template(tmp_path_factory) -> Path:
    """A project with a tagged collection to learn from (a copy of the bundled one: the tests below
    assert nothing about its size or content, only about the papers they import)."""
    return make_project(tmp_path_factory.mktemp("tagged") / "project")


@pytest.fixture
def tagged_project(collection_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(collection_template, root)
    return root


def papers_dir(root: Path) -> Path:
    return root / "content" / "papers"


def do_import(root: Path, *paths: Path, **options):
    return run_import(list(paths), papers_dir(root), TAXONOMY, added=ADDED, **options)


def new_files(report) -> list[Path]:
    return [path for path in report.written]


def meta_of(path: Path) -> dict:
    return frontmatter.parse(path.read_text(encoding="utf-8"), str(path)).meta


def read(name: str, mapping=None):
    text = (SHAPES / name).read_text(encoding="utf-8")
    return read_input(text, name, None, mapping)[1]


def assert_accounted(report) -> None:
    for file_report in report.files:
        assert file_report.read == (len(file_report.new) + len(file_report.merged) + len(file_report.unchanged)
                                    + len(file_report.duplicate) + len(file_report.rejected))
        if file_report.new:
            assert (file_report.by_rules + file_report.by_default_tag + len(file_report.by_model)
                    + len(file_report.untagged)) == len(file_report.new)


# --- JSON of every common shape -------------------------------------------------------------------


def test_object_keyed_by_id_gives_one_paper_per_key_with_the_key_as_arxiv_id():
    result = read("keyed_by_id.json")
    assert [(r.title, r.arxiv, r.origin.line) for r in result.records] == [
        ("Sparse Routing for Efficient Language Model Inference", "2312.17653", 2),
        ("Counting Objects in Crowded Images with Density Maps", "2401.04088", 6)]
    assert "arxiv <- the record's key" in result.notes[0]


def test_nested_details_give_abstract_arxiv_and_code_links():
    first = read("nested_details.json").records[0]
    assert first.abstract.startswith("We train speech recognition models")
    assert first.arxiv == "2402.01234"
    assert [(link.kind, link.url) for link in first.links if link.kind == "code"] == [
        ("code", "https://github.com/example/weak-asr"), ("code", "https://github.com/example/weak-asr-data")]
    assert read("nested_details.json").notes == (
        "fields read from the first record: title <- title, abstract <- details.abstract, url <- paper_url, "
        "arxiv <- details.arxiv_page_url, code <- details.github_links",)


def test_records_deep_under_a_results_key_are_found():
    result = read("deep_wrapped.json")
    assert [r.title for r in result.records] == ["Learning Dexterous Grasping from Human Videos",
                                                 "Legged Locomotion over Rough Terrain with Reinforcement Learning"]
    assert result.records[0].doi == "10.5555/grasp.2024.1"
    assert result.records[0].origin.line == 8


def test_paper_summary_and_metadata_author_names_are_read():
    result = read("paper_summary.json")
    first = result.records[0]
    assert first.abstract.startswith("We adapt diffusion models")
    assert first.authors == ("Ana Silva", "Wei Zhang")
    assert (first.arxiv, first.year, first.month, first.day) == ("2403.11111", 2024, 3, 18)
    assert "abstract <- paper.summary" in result.notes[0] and "authors <- metadata.authors[].name" in result.notes[0]


@pytest.mark.parametrize("key", ["papers", "data", "results", "items", "entries"])
def test_records_under_each_usual_key_at_any_depth(key):
    records = [{"title": f"Paper {n}", "abstract": "An abstract that is long enough to be an abstract here."}
               for n in range(3)]
    text = json.dumps({"meta": {"count": 3}, "outer": {key: records}}, indent=1)
    assert [r.title for r in read_input(text, "x.json")[1].records] == ["Paper 0", "Paper 1", "Paper 2"]
    flat = json.dumps({key: {f"2401.0000{n}": record for n, record in enumerate(records)}})
    assert [r.arxiv for r in read_input(flat, "x.json")[1].records] == ["2401.00000", "2401.00001", "2401.00002"]


def test_map_says_where_fields_are_and_a_wrong_map_lists_the_fields():
    with pytest.raises(InputError, match=r"no record has a title \(the first record's fields: headline, body, where"):
        read("needs_map.json")
    result = read("needs_map.json", {"title": "headline", "abstract": "body.text", "arxiv": "where"})
    assert [(r.title, r.arxiv) for r in result.records] == [
        ("Federated Learning under Non-IID Client Data", "2404.00001"),
        ("Privacy Budgets for Federated Analytics", "2404.00002")]
    with pytest.raises(InputError) as error:
        read("needs_map.json", {"title": "headline", "abstract": "body.txt"})
    assert "--map abstract=body.txt matches no record (the records have: headline, body, where, body.text)" in str(
        error.value)


def test_map_for_csv_names_columns_and_is_refused_for_bibtex():
    result = read("odd_headers.csv", {"venue": "Item Type"})
    assert result.records[0].venue == "journalArticle"
    with pytest.raises(InputError, match="--map venue=Journal matches no column .*'Article Title'"):
        read("odd_headers.csv", {"venue": "Journal"})
    with pytest.raises(InputError, match="--map applies to JSON, JSON Lines and CSV inputs"):
        read("unmatched.bib", {"title": "title"})


def test_csv_with_odd_headers_imports_completely():
    result = read("odd_headers.csv")
    assert len(result.records) == 2 and not result.rejected
    first = result.records[0]
    assert first.title == "Self-Supervised Pretraining for Chest X-ray Classification"
    assert first.authors == ("Okafor, Sara", "Kim, Min-jun")
    assert (first.year, first.arxiv) == (2023, "2305.01111")
    assert first.abstract.startswith("We pretrain an image encoder")


def test_every_shape_imports_every_record_from_the_command_line(empty_project):
    for name in ("keyed_by_id.json", "nested_details.json", "deep_wrapped.json", "paper_summary.json",
                 "odd_headers.csv", "unmatched.bib", "medical_imaging.jsonl"):
        result = run_generator(empty_project, "import", str(SHAPES / name), "--added", ADDED)
        first = result.stdout.splitlines()[0]
        read_count = int(first.split("read ")[1].split(",")[0])
        assert f"new {read_count}," in first and "rejected 0" in first, result.stdout
    result = run_generator(empty_project, "import", str(SHAPES / "needs_map.json"), "--added", ADDED,
                           "--map", "title=headline", "--map", "abstract=body.text", "--map", "arxiv=where")
    assert "new 2," in result.stdout
    assert load_collection(papers_dir(empty_project), TAXONOMY, empty_project).errors == ()


# --- nothing is dropped for lack of a tag ---------------------------------------------------------


def test_bibtex_no_rule_matches_arrives_with_suggestions_or_untagged(tagged_project):
    report = do_import(tagged_project, SHAPES / "unmatched.bib")
    assert_accounted(report)
    (file_report,) = report.files
    assert len(file_report.new) == 3 and file_report.by_rules == 0
    for path in report.written:
        meta = meta_of(path)
        assert meta["tags"] == [UNTAGGED]
        assert all(item["tag"] in TAXONOMY.topic_names and 0 <= item["confidence"] <= 1
                   for item in meta.get("tags_suggested", []))
    missing = papers_dir(tagged_project) / "bed-net-distribution-and-malaria-incidence-in-rural-districts.md"
    assert meta_of(missing)["abstract_missing"] is True and meta_of(missing)["doi"] == "10.5555/tph.2020.7"
    assert file_report.abstract_missing == [
        "unmatched.bib:18 'Bed Net Distribution and Malaria Incidence in Rural Districts': no abstract"]
    assert load_collection(papers_dir(tagged_project), TAXONOMY, tagged_project).errors == ()


def test_another_field_imported_into_the_bundled_taxonomy_every_paper_tagged_somehow(tagged_project):
    report = do_import(tagged_project, SHAPES / "medical_imaging.jsonl")
    assert_accounted(report)
    (file_report,) = report.files
    assert len(file_report.new) == 12 == len(report.written)
    by_rules = by_model = untagged = 0
    for path in report.written:
        meta = meta_of(path)
        if meta["tags"] != [UNTAGGED]:
            by_rules += 1
            assert set(meta["tags"]) <= set(TAXONOMY.topic_names) and "tags_suggested" not in meta
        elif meta.get("tags_suggested"):
            by_model += 1
        else:
            untagged += 1
    assert (by_rules, by_model, untagged) == (file_report.by_rules, len(file_report.by_model),
                                              len(file_report.untagged))
    assert by_model > 0  # the rules were written for language-model papers: most of these need the model
    text = report.render()
    assert f"tags of the new papers: by rules {by_rules}, suggested by the tag model {by_model}, none {untagged}" \
        in text


def test_without_a_model_papers_are_tagged_untagged(empty_project):
    report = do_import(empty_project, SHAPES / "unmatched.bib")
    (file_report,) = report.files
    assert len(file_report.untagged) == 3 and not file_report.by_model  # an empty collection teaches nothing
    assert all(meta_of(path)["tags"] == [UNTAGGED] for path in report.written)


def test_default_tag_still_wins_over_the_model(tagged_project):
    report = do_import(tagged_project, SHAPES / "unmatched.bib", default_tag="agents")
    (file_report,) = report.files
    assert file_report.by_default_tag == 3
    assert all(meta_of(path)["tags"] == ["agents"] for path in report.written)


def test_records_without_abstract_or_identifier_are_reported_not_imported(empty_project):
    path = empty_project / "bare.json"
    path.write_text(json.dumps([{"title": "A Bare Citation"}, {"title": "With an id", "doi": "10.1000/xyz123"}]),
                    encoding="utf-8")
    report = do_import(empty_project, path)
    (file_report,) = report.files
    assert file_report.read == 2 and len(file_report.new) == 1
    assert [r.reason for r in file_report.rejected] == [
        "'A Bare Citation': no abstract, and no arXiv id or DOI to find it by; add the abstract to the input, "
        "or the identifier so that paper-collection enrich can fetch it"]


# --- the model --------------------------------------------------------------------------------------


def _examples() -> list[Example]:
    topics = {
        "vision": "image pixels camera segmentation photo detection convolution",
        "robotics": "robot grasp manipulation locomotion arm policy gripper",
        "audio": "speech audio sound waveform speaker acoustic spectrogram",
    }
    examples = []
    for tag, words in topics.items():
        vocabulary = words.split()
        for n in range(6):
            text = " ".join(vocabulary[(n + k) % len(vocabulary)] for k in range(12))
            examples.append(Example(f"{tag} study {n}", text, (tag,)))
    return examples


def test_the_model_is_deterministic_and_explains_itself():
    names = ("vision", "robotics", "audio")
    first = TagModel.train(_examples(), names)
    second = TagModel.train(list(_examples()), names)
    queries = [("A new gripper", "The robot arm learns to grasp with a policy"),
               ("Spectrograms", "We model speech audio from the waveform")]
    assert first.suggest(queries) == second.suggest(queries)
    assert [s[0].tag for s in first.suggest(queries)] == ["robotics", "audio"]
    words = first.explain(*queries[0], "robotics")
    assert set(words) <= {"robot", "arm", "grasp", "policy", "gripper", "robot arm", "arm learns", "learns"}
    assert "grasp" in words or "gripper" in words


def test_the_same_import_into_the_same_collection_writes_the_same_files(collection_template, tmp_path):
    outputs = []
    for name in ("one", "two"):
        root = tmp_path / name
        shutil.copytree(collection_template, root)
        report = do_import(root, SHAPES / "medical_imaging.jsonl", SHAPES / "unmatched.bib")
        outputs.append({path.name: path.read_bytes() for path in report.written})
    assert outputs[0] == outputs[1]
    assert any(b"tags_suggested" in text for text in outputs[0].values())


# --- review ------------------------------------------------------------------------------------------


def test_review_lists_accepts_and_rejects(tagged_project):
    report = do_import(tagged_project, SHAPES / "medical_imaging.jsonl")
    listing = run_generator(tagged_project, "tags", "review").stdout
    suggested = [path.stem for path in report.written if meta_of(path).get("tags_suggested")]
    assert suggested
    for slug in suggested:
        assert f"{slug}: " in listing
    assert "words: " in listing and "paper(s) need tags" in listing
    accepted, rejected = suggested[0], suggested[-1]
    tags = [item["tag"] for item in meta_of(papers_dir(tagged_project) / f"{accepted}.md")["tags_suggested"]]
    result = run_generator(tagged_project, "tags", "review", "--accept", accepted, "--reject", rejected)
    assert f"{accepted}: accepted {', '.join(tags)}" in result.stdout
    meta = meta_of(papers_dir(tagged_project) / f"{accepted}.md")
    assert meta["tags"] == tags and "tags_suggested" not in meta
    meta = meta_of(papers_dir(tagged_project) / f"{rejected}.md")
    assert meta["tags"] == [UNTAGGED] and "tags_suggested" not in meta
    assert load_collection(papers_dir(tagged_project), TAXONOMY, tagged_project).errors == ()
    unknown = run_generator(tagged_project, "tags", "review", "--accept", "no-such-paper", check=False)
    assert unknown.returncode == 2 and "not a paper that needs tags: no-such-paper" in unknown.stderr


def test_accept_above_takes_only_confident_suggestions(tagged_project):
    do_import(tagged_project, SHAPES / "medical_imaging.jsonl")
    collection = load_collection(papers_dir(tagged_project), TAXONOMY, tagged_project)
    pending = pending_papers(collection.papers, TAXONOMY)
    confidences = sorted({s.confidence for item in pending for s in item.suggestions})
    cut = confidences[len(confidences) // 2]
    changes, decisions = decide(pending, papers_dir(tagged_project), accept=[], reject=[], accept_above=cut)
    expected = {item.paper.slug for item in pending if any(s.confidence >= cut for s in item.suggestions)}
    assert {line.split(":")[0] for line in decisions} == expected
    write_all(changes)
    for item in pending:
        meta = meta_of(papers_dir(tagged_project) / f"{item.paper.slug}.md")
        for suggestion in item.suggestions:
            assert (suggestion.tag in meta["tags"]) == (suggestion.confidence >= cut)


def test_suggest_rules_prints_yaml_for_the_taxonomy(tagged_project):
    collection = load_collection(papers_dir(tagged_project), TAXONOMY, tagged_project)
    text = suggest_rules(collection.papers, TAXONOMY, ["vision"])
    import yaml

    (block,) = yaml.safe_load(text)
    assert block["name"] == "vision" and block["rules"]["abstract"]
    assert all(rule.startswith("\\b") and rule.endswith("\\b") for rule in block["rules"]["abstract"])


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=st.integers(min_value=0, max_value=11))
def test_an_accepted_suggestion_survives_a_re_import(collection_template, tmp_path_factory, choice):
    root = tmp_path_factory.mktemp("reimport") / "project"
    shutil.copytree(collection_template, root)
    report = do_import(root, SHAPES / "medical_imaging.jsonl")
    path = sorted(report.written)[choice]
    collection = load_collection(papers_dir(root), TAXONOMY, root)
    pending = pending_papers(collection.papers, TAXONOMY)
    item = next((i for i in pending if i.paper.slug == path.stem), None)
    if item is None or not item.suggestions:
        return  # the rules tagged this paper: nothing to accept
    changes, _ = decide(pending, papers_dir(root), accept=[path.stem], reject=[], accept_above=None)
    write_all(changes)
    accepted = path.read_bytes()
    again = do_import(root, SHAPES / "medical_imaging.jsonl")
    assert path.read_bytes() == accepted
    assert meta_of(path)["tags"] == [s.tag for s in item.suggestions]
    assert len(again.files[0].unchanged) == 12


# --- the site ----------------------------------------------------------------------------------------


def test_site_lists_papers_that_need_tags_and_hides_suggestions(empty_project):
    from bs4 import BeautifulSoup

    do_import(empty_project, SHAPES / "medical_imaging.jsonl")
    report = do_import(empty_project, SHAPES / "unmatched.bib")
    run_generator(empty_project, "build")
    site = empty_project / "site"
    needing = {meta_of(path)["title"] for path in papers_dir(empty_project).glob("*.md")
               if meta_of(path)["tags"] == [UNTAGGED]}
    assert len(needing) >= 3
    page = BeautifulSoup((site / "tags" / UNTAGGED / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("h1").get_text() == "Papers that need tags"
    assert {a.get_text() for a in page.select(".paper-list__title")} == needing
    assert "Abstract not yet available." in page.get_text()
    tags_page = BeautifulSoup((site / "tags" / "index.html").read_text(encoding="utf-8"), "html.parser")
    counts = {row.select("td")[0].get_text(strip=True): row.select("td")[1].get_text(strip=True)
              for row in tags_page.select(".tag-table tbody tr")}
    assert counts["Papers that need tags"] == str(len(needing))
    slug = "bed-net-distribution-and-malaria-incidence-in-rural-districts"
    paper = BeautifulSoup((site / "papers" / slug / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert paper.select_one(".paper__abstract").get_text(strip=True) == "Abstract not yet available."
    assert [a.get_text() for a in paper.select(".paper__tags a")] == ["Papers that need tags"]
    suggested = [path for path in report.written if meta_of(path).get("tags_suggested")]
    for path in suggested:
        html = (site / "papers" / path.stem / "index.html").read_text(encoding="utf-8")
        tags = BeautifulSoup(html, "html.parser").select(".paper__tags a")
        assert [a.get_text() for a in tags] == ["Papers that need tags"]
    assert "tags_suggested" not in (site / "papers.json").read_text(encoding="utf-8")
