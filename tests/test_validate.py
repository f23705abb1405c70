"""`validate`: every problem in a paper file is reported with its file, line, field and fix;
duplicates across files are found; the CLI exits non-zero on errors and prints a one-line
summary when the collection is valid."""

from __future__ import annotations

import os
import subprocess

import pytest

from paper_collection.collection import frontmatter
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import check_paper, load_collection
from tests.helpers import ROOT, SEED_TAXONOMY, make_project, run_generator

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
ABSTRACT = "We show that models trained on a few tasks generalize to many unseen tasks when the data is varied."
NAME = "learning-to-generalize.md"
WHERE = f"content/papers/{NAME}"


def doc(*front: str, body: str = ABSTRACT) -> str:
    return "---\n" + "".join(f"{line}\n" for line in front) + "---\n" + body + "\n"


# Lines: 1 '---', 2 title, 3 'tags:', 4 first tag, 5 added (unless a case says otherwise).
GOOD = ("title: Learning to Generalize", "tags:", "- vision", "added: '2024-01-05'")


def with_lines(*replacements: tuple[int, str | None], extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    lines = list(GOOD)
    for index, text in replacements:
        lines[index] = text
    return tuple(line for line in lines if line is not None) + extra


def problems_for(tmp_path, text: str, name: str = NAME) -> list[str]:
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    (papers / name).write_text(text, encoding="utf-8")
    collection = load_collection(papers, TAXONOMY, tmp_path)
    return [str(p) + (" (warning)" if p.warning else "") for p in collection.problems]


BAD = [
    # Hand-written values YAML would silently turn into a date, a float or a yes/no.
    ("date", doc(*with_lines((3, "added: 2024-01-05"))),
     [f"{WHERE}:5: added: expected text, found 2024-01-05 (a date); put it in quotes: added: '2024-01-05'"]),
    ("float arxiv", doc(*GOOD, "arxiv: 2401.10010"),
     [f"{WHERE}:6: arxiv: expected text, found 2401.1001 (a decimal number); "
      "put it in quotes: arxiv: '2401.10010'"]),
    ("yes/no title", doc(*with_lines((0, "title: no"))),
     [f"{WHERE}:2: title: expected text, found false (a yes/no value); put it in quotes: title: 'no'"]),
    ("number title", doc(*with_lines((0, "title: 1984"))),
     [f"{WHERE}:2: title: expected text, found 1984 (a number); put it in quotes: title: '1984'"]),
    ("quoted year", doc(*GOOD, "year: '2024'"),
     [f"{WHERE}:6: year: expected a whole number, found text '2024'; remove the quotes: year: 2024"]),
    ("impossible date", doc(*with_lines((3, "added: '2024-02-30'"))),
     [f"{WHERE}:5: added: '2024-02-30' is not a date like '2024-01-05'; write added: 'YYYY-MM-DD'"]),
    ("month out of range", doc(*GOOD, "month: 13"), [f"{WHERE}:6: month: 13 is out of range 1-12"]),
    ("bad arxiv", doc(*GOOD, "arxiv: 'arXiv:2401.10010'"),
     [f"{WHERE}:6: arxiv: 'arXiv:2401.10010' is not an arXiv id like '2401.10010' (no 'arXiv:' prefix, no version)"]),
    ("bad doi", doc(*GOOD, "doi: https://doi.org/10.1/x"),
     [f"{WHERE}:6: doi: 'https://doi.org/10.1/x' is not a DOI like '10.1000/xyz123' (no 'https://doi.org/' prefix)"]),
    # Keys and tags.
    ("unknown key, did you mean", doc(*GOOD, "autors: [Ada]"),
     [f"{WHERE}:6: autors: unknown field; did you mean 'authors'?"]),
    ("unknown key", doc(*GOOD, "colour: blue"),
     [f"{WHERE}:6: colour: unknown field; remove it (known fields: title, authors, year, month, day, venue, "
      "arxiv, doi, tags, tags_suggested, keywords, links, added, aliases, sources, abstract_missing)"]),
    ("tag typo", doc(*with_lines(extra=()), body=ABSTRACT).replace("- vision\n", "- vision\n- segmentaton\n"),
     [f"{WHERE}:5: tags[1]: 'segmentaton' is not a tag; did you mean 'segmentation'?"]),
    ("tag unknown", doc(*with_lines((2, "- zoology"))),
     [f"{WHERE}:4: tags[0]: 'zoology' is not a tag; use a tag listed in taxonomy.yml, or add the tag there"]),
    ("tag twice", doc(*GOOD).replace("- vision\n", "- vision\n- vision\n"),
     [f"{WHERE}:5: tags[1]: 'vision' is listed twice; remove one"]),
    ("tags not a list", doc(*with_lines((1, "tags: vision"), (2, None))),
     [f"{WHERE}:3: tags: expected a list, found text 'vision'; write it as a list: tags: [vision]"]),
    ("no tags", doc(*with_lines((1, "tags: []"), (2, None))),
     [f"{WHERE}:3: tags: is empty; give at least one tag from taxonomy.yml"]),
    # Links: http(s) only.
    ("javascript link", doc(*GOOD, "links:", "- kind: code", "  url: javascript:alert(1)"),
     [f"{WHERE}:8: links[0].url: 'javascript:alert(1)' is not an http(s) URL; "
      "only http:// and https:// links are allowed"]),
    ("ftp link", doc(*GOOD, "links:", "- kind: other", "  url: https://example.org/a", "- kind: pdf",
                     "  url: ftp://example.org/a.pdf"),
     [f"{WHERE}:10: links[1].url: 'ftp://example.org/a.pdf' is not an http(s) URL; "
      "only http:// and https:// links are allowed"]),
    ("link kind", doc(*GOOD, "links:", "- kind: repo", "  url: https://example.org/"),
     [f"{WHERE}:7: links[0].kind: 'repo' is not one of code, project, huggingface, arxiv, pdf, doi, other"]),
    ("link as text", doc(*GOOD, "links:", "- https://example.org/"),
     [f"{WHERE}:7: links[0]: expected a mapping with 'kind' and 'url', found text 'https://example.org/'; "
      "write '- kind: code' and 'url: https://...' on two lines"]),
    # File name, abstract, required fields, the shape of the file.
    ("empty abstract", doc(*GOOD, body=""),
     [f"{WHERE}:7: abstract: is empty; write the abstract after the closing '---' (or mark a paper whose "
     "abstract is not known yet with abstract_missing: true)"]),
    ("missing title", doc(*with_lines((0, None))), [f"{WHERE}:2: title: missing; add title: (the paper's title)"]),
    ("empty title", doc(*with_lines((0, "title: ''"))), [f"{WHERE}:2: title: is empty; write the paper's title"]),
    ("missing added", doc(*with_lines((3, None))),
     [f"{WHERE}:2: added: missing; add added: (date the paper joined the collection, 'YYYY-MM-DD' in quotes)"]),
    ("list front matter", doc("- title", "- tags"),
     [f"{WHERE}:2: front matter must be a mapping of fields, found list "
      "(write 'title: ...' style fields between the '---' lines)"]),
    ("no front matter", "Just an abstract.\n",
     [f"{WHERE}:1: no front matter (start the file with a '---' line)"]),
    ("unclosed front matter", "---\ntitle: x\n", [f"{WHERE}:1: front matter is not closed (end it with a '---' line)"]),
    ("duplicate key", doc(*GOOD, "title: Again"),
     [f"{WHERE}:6: title: this field is given twice; keep one of the two lines"]),
    ("every problem at once", doc(*with_lines((2, "- vison"), (3, "added: 2024-01-05")), "autors: [Ada]", body=""),
     [f"{WHERE}:4: tags[0]: 'vison' is not a tag; did you mean 'vision'?",
      f"{WHERE}:5: added: expected text, found 2024-01-05 (a date); put it in quotes: added: '2024-01-05'",
      f"{WHERE}:6: autors: unknown field; did you mean 'authors'?",
      f"{WHERE}:8: abstract: is empty; write the abstract after the closing '---' (or mark a paper whose "
      "abstract is not known yet with abstract_missing: true)"]),
    # Issue 11: the tag model's suggestions, the reserved tag, the missing-abstract marker.
    ("untagged beside tags", doc(*with_lines(extra=("- untagged",))[:3], "- untagged", GOOD[3]),
     [f"{WHERE}:5: tags[1]: 'untagged' is for papers without tags, and this one has tags; remove 'untagged'"]),
    ("bad suggestions", doc(*GOOD, "tags_suggested:", "- tag: vison", "  confidence: 1.5", "- vision"),
     [f"{WHERE}:7: tags_suggested[0].tag: 'vison' is not a tag in taxonomy.yml; remove the entry",
      f"{WHERE}:8: tags_suggested[0].confidence: expected a number from 0 to 1, found 1.5 (a decimal number)",
      f"{WHERE}:9: tags_suggested[1]: expected a mapping with 'tag' and 'confidence', found text 'vision'; "
      "accept or reject suggestions with paper-collection tags review, or remove the entry"]),
    ("suggestions not a list", doc(*GOOD, "tags_suggested: vision"),
     [f"{WHERE}:6: tags_suggested: expected a list, found text 'vision'; write it as a list: "
      "tags_suggested: [vision]"]),
    ("abstract_missing not yes/no", doc(*GOOD, "abstract_missing: 'yes'"),
     [f"{WHERE}:6: abstract_missing: expected true or false, found text 'yes'; write abstract_missing: true, "
      "or remove the line"]),
    ("marked missing but present", doc(*GOOD, "abstract_missing: true"),
     [f"{WHERE}:6: abstract_missing: the file has an abstract now; remove the line 'abstract_missing: true' "
      "(warning)"]),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_file_reports_exact_messages(tmp_path, text, expected):
    assert problems_for(tmp_path, text) == expected


VALID = [
    ("minimal", doc(*GOOD)),
    ("every field", doc(
        "title: 'Learning to Generalize: a Study'", "authors:", "- Ada Lovelace", "- Alan Turing", "year: 2024",
        "month: 1", "day: 5", "venue: NeurIPS", "arxiv: '2401.10010'", "doi: 10.1000/xyz123", "tags:", "- vision",
        "- segmentation", "keywords:", "- generalization", "links:", "- kind: code", "  url: https://github.com/a/b",
        "- kind: project", "  url: http://example.org/", "added: '2024-01-05'", "sources:",
        "- file: listing.txt", "  line: 3", "  format: listing", "  listed: Mar 20",
        "  title: 'Learning to Generalize: a Study'")),
    ("old-style arxiv id", doc(*GOOD, "arxiv: hep-th/9901001")),
    ("unicode and markdown-looking abstract", doc(*GOOD, body="# Not a heading?\n\n*Émergence* — 学习 <b>x</b>")),
    ("crlf and bom", "\ufeff" + doc(*GOOD).replace("\n", "\r\n")),
    ("needs tags, with suggestions, no abstract yet", doc(
        "title: Learning to Generalize", "arxiv: '2401.10010'", "tags:", "- untagged", "tags_suggested:",
        "- tag: vision", "  confidence: 0.61", "added: '2024-01-05'", "abstract_missing: true", body="")),
]


@pytest.mark.parametrize("text", [case[1] for case in VALID], ids=[case[0] for case in VALID])
def test_valid_files_have_no_problems(tmp_path, text):
    name = "learning-to-generalize-a-study.md" if "a Study" in text else NAME
    assert problems_for(tmp_path, text, name) == []


def test_a_fixed_title_needs_no_rename(tmp_path):
    """The address is fixed when the paper is created: the file name need not follow the title."""
    assert problems_for(tmp_path, doc(*with_lines((0, "title: Learning to Specialize, Corrected")))) == []


@pytest.mark.parametrize(("name", "expected"), [
    ("Learning_To_Generalize.md", "'Learning_To_Generalize.md' cannot be a paper's address: use only lowercase "
                                  "letters, digits and single hyphens; rename it to 'learning-to-generalize.md'"),
    ("learning--to.md", "'learning--to.md' cannot be a paper's address: use only lowercase letters, digits and "
                        "single hyphens; rename it to 'learning-to.md'"),
    ("tags.md", "'tags.md' cannot be a paper's address: the name is taken by the site's own pages; "
                "rename it to 'tags-paper.md'"),
])
def test_file_name_must_be_a_valid_address(tmp_path, name, expected):
    assert problems_for(tmp_path, doc(*GOOD), name) == [f"content/papers/{name}:1: file name: {expected}"]


def test_check_paper_points_at_the_list_item(tmp_path):
    text = doc(*GOOD).replace("- vision\n", "- vision\n- vison\n")
    problems = check_paper(WHERE, frontmatter.parse(text, WHERE), frozenset(TAXONOMY.names), TAXONOMY.suggest)
    assert [str(p) for p in problems] == [f"{WHERE}:5: tags[1]: 'vison' is not a tag; did you mean 'vision'?"]


# -- duplicates across files ---------------------------------------------------------------------------


def write_papers(tmp_path, files: dict[str, str]):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    for name, text in files.items():
        (papers / name).write_text(text, encoding="utf-8")
    return load_collection(papers, TAXONOMY, tmp_path)


def paper_text(title: str, *extra: str, tags: str = "vision", body: str | None = None) -> str:
    """A valid paper file; its abstract names the title, so that abstracts differ between papers."""
    body = body or f"The paper {title} shows that models trained on a few tasks generalize to unseen ones."
    return doc(f"title: '{title}'", "tags:", f"- {tags}", "added: '2024-01-05'", *extra, body=body)


KEEP = "(move anything this file adds into it) and delete this file"


def test_same_normalised_title_is_reported_on_the_later_file_by_name(tmp_path):
    collection = write_papers(tmp_path, {
        "learning-to-generalize.md": paper_text("Learning to Generalize"),
        "learning-to-generalize-2.md": paper_text("Learning to  generalize!"),
    })
    assert [str(p) for p in collection.errors] == [
        "content/papers/learning-to-generalize-2.md:2: title: same title as content/papers/learning-to-generalize.md "
        "('Learning to Generalize'): the paper is already in the collection; keep "
        f"content/papers/learning-to-generalize.md {KEEP}"]


def test_duplicate_is_reported_on_the_file_added_later(tmp_path):
    """Without git, the later `added` date marks the new file, whatever the names' order."""
    collection = write_papers(tmp_path, {
        "a-later-copy.md": paper_text("Learning to Generalize").replace("2024-01-05", "2024-03-01"),
        "learning-to-generalize.md": paper_text("Learning to Generalize"),
    })
    assert [(p.file, p.field) for p in collection.errors] == [("content/papers/a-later-copy.md", "title")]
    assert f"keep content/papers/learning-to-generalize.md {KEEP}" in collection.errors[0].message


def git(root, *args, date: str = "2024-01-05T12:00:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=root, check=True, capture_output=True, env=env)


def test_duplicate_is_reported_on_the_file_git_has_not_seen(tmp_path):
    """The untouched file is committed; the contributor's new file is not: the new one is told to go,
    even though its name sorts first and its `added` date is earlier."""
    write_papers(tmp_path, {"learning-to-generalize.md": paper_text("Learning to Generalize")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "collection")
    copy = paper_text("Learning to generalize").replace("2024-01-05", "2023-01-01")
    (tmp_path / "content" / "papers" / "a-copy.md").write_text(copy, encoding="utf-8")
    collection = load_collection(tmp_path / "content" / "papers", TAXONOMY, tmp_path)
    assert [(p.file, p.field) for p in collection.errors] == [("content/papers/a-copy.md", "title")]
    # Committed later (as in a pull request's checkout): still the new one, by the commit that added it.
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "copy", date="2024-06-01T12:00:00")
    collection = load_collection(tmp_path / "content" / "papers", TAXONOMY, tmp_path)
    assert [(p.file, p.field) for p in collection.errors] == [("content/papers/a-copy.md", "title")]


def test_same_abstract_under_another_title_is_a_duplicate(tmp_path):
    body = "We show that models trained on a few tasks generalize to many unseen tasks when data varies."
    collection = write_papers(tmp_path, {
        "learning-to-generalize.md": paper_text("Learning to Generalize", body=body),
        "generalization-from-few-tasks.md": paper_text("Generalization from Few Tasks", body=body.upper().replace(
            ".", "!")).replace("2024-01-05", "2024-02-01"),
    })
    assert [str(p) for p in collection.errors] == [
        "content/papers/generalization-from-few-tasks.md:7: abstract: the same abstract under another title as "
        "content/papers/learning-to-generalize.md: the paper is already in the collection; keep "
        f"content/papers/learning-to-generalize.md {KEEP}"]


def test_short_shared_abstracts_are_not_duplicates(tmp_path):
    collection = write_papers(tmp_path, {
        "learning-to-generalize.md": paper_text("Learning to Generalize", body="No abstract available."),
        "generalization-from-few-tasks.md": paper_text("Generalization from Few Tasks", body="No abstract available."),
    })
    assert collection.errors == ()


def test_same_arxiv_and_doi_in_two_files_are_errors(tmp_path):
    collection = write_papers(tmp_path, {
        "a-first-title.md": paper_text("A First Title", "arxiv: '2401.10010'", "doi: 10.1000/ABC"),
        "another-title.md": paper_text("Another Title", "arxiv: '2401.10010'", "doi: 10.1000/abc").replace(
            "2024-01-05", "2024-01-06"),
    })
    # One paper, told once, by the strongest reason (collection/identity.py).
    assert [str(p) for p in collection.errors] == [
        "content/papers/another-title.md:6: arxiv: same arXiv id 2401.10010 as content/papers/a-first-title.md: "
        f"the paper is already in the collection; keep content/papers/a-first-title.md {KEEP}"]


def test_duplicates_are_found_even_in_files_with_other_problems(tmp_path):
    collection = write_papers(tmp_path, {
        "learning-to-generalize.md": paper_text("Learning to Generalize"),
        "learning-to-generalize-2.md": paper_text("Learning to Generalize", tags="vison"),
    })
    messages = [str(p) for p in collection.errors]
    assert any("same title as content/papers/learning-to-generalize.md" in m for m in messages), messages
    assert any("'vison' is not a tag" in m for m in messages), messages


def test_near_identical_titles_are_a_warning_not_an_error(tmp_path):
    collection = write_papers(tmp_path, {
        "scaling-laws-for-neural-language-models.md": paper_text("Scaling Laws for Neural Language Models"),
        "scaling-law-for-neural-language-models.md": paper_text("Scaling Law for Neural Language Models"),
    })
    assert collection.errors == ()
    assert [str(p) for p in collection.problems] == [
        "content/papers/scaling-laws-for-neural-language-models.md:2: title: possible duplicate of "
        "content/papers/scaling-law-for-neural-language-models.md (near-identical title); "
        "remove one if they are the same paper"]
    assert all(p.warning for p in collection.problems)
    assert len(collection.papers) == 2


# -- the command line ------------------------------------------------------------------------------------


def project_with(tmp_path, files: dict[str, str]):
    source = tmp_path / "papers"
    source.mkdir()
    for name, text in files.items():
        (source / name).write_text(text, encoding="utf-8")
    root = tmp_path / "project"
    root.mkdir()
    return make_project(root, source)


def test_cli_valid_collection_prints_a_one_line_summary(tmp_path):
    root = project_with(tmp_path, {NAME: doc(*GOOD), "a-first-title.md": paper_text("A First Title")})
    result = run_generator(root, "validate")
    assert result.stdout == "ok: 2 papers valid\n"
    assert result.stderr == ""


def test_cli_warnings_are_listed_and_do_not_fail(tmp_path):
    root = project_with(tmp_path, {
        "scaling-laws-for-neural-language-models.md": paper_text("Scaling Laws for Neural Language Models"),
        "scaling-law-for-neural-language-models.md": paper_text("Scaling Law for Neural Language Models"),
    })
    result = run_generator(root, "validate")
    lines = result.stdout.splitlines()
    assert lines[0].endswith("remove one if they are the same paper (warning)")
    assert lines[-1] == "ok: 2 papers valid, 1 warning(s)"


def test_cli_reports_every_problem_and_exits_non_zero(tmp_path):
    root = project_with(tmp_path, {
        NAME: doc(*with_lines((2, "- vison"))),
        "a-first-title.md": paper_text("A First Title", "arxiv: 2401.10010"),
    })
    result = run_generator(root, "validate", check=False)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/papers/a-first-title.md:6: arxiv: expected text, found 2401.1001 (a decimal number); "
        "put it in quotes: arxiv: '2401.10010'",
        f"{WHERE}:4: tags[0]: 'vison' is not a tag; did you mean 'vision'?",
    ]
    assert "2 problem(s) in content/papers/" in result.stderr


def test_build_runs_the_same_checks_first(tmp_path):
    root = project_with(tmp_path, {NAME: doc(*with_lines((2, "- vison")))})
    result = run_generator(root, "build", check=False)
    assert result.returncode == 1
    assert f"{WHERE}:4: tags[0]: 'vison' is not a tag; did you mean 'vision'?" in result.stdout
    assert not (root / "site").exists()


def test_the_documented_template_validates_when_copied(tmp_path):
    """CONTRIBUTING.md tells contributors to copy docs/paper-template.md: it must be a valid paper."""
    text = (ROOT / "docs" / "paper-template.md").read_text(encoding="utf-8")
    assert problems_for(tmp_path, text, "learning-to-generalize-a-study.md") == []
