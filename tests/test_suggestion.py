"""`suggestion`: a "Suggest a paper" issue body, as GitHub renders the form's answers, turned into
an `add` call; hostile answers stay data."""

from __future__ import annotations

import pytest

from paper_collection.collection import frontmatter
from paper_collection.contrib.suggestion import (
    SuggestionError,
    add_arguments,
    form_fields,
    parse_issue_body,
    suggestion_from_answers,
)
from tests.helpers import ROOT, make_project, run_generator

FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
FIELDS = form_fields(FORM)


def body(**answers: str) -> str:
    """An issue body as GitHub writes it for the form: every field, `_No response_` when empty."""
    return "\n\n".join(f"### {label}\n\n{answers.get(field_id) or '_No response_'}" for field_id, label in FIELDS)


TITLE_AND_ABSTRACT = body(
    title="Learning to Generalize: a Study",
    abstract="We study how vision models generalize to new hospitals.\n\nA second paragraph on segmentation.",
    authors="Ada Lovelace\nAlan Turing\n",
    code="https://github.com/example/learning-to-generalize",
    tags="vision, segmentation",
)


def test_form_answers_are_read_by_label():
    assert parse_issue_body(TITLE_AND_ABSTRACT, FIELDS) == {
        "arxiv": None,
        "doi": None,
        "title": "Learning to Generalize: a Study",
        "abstract": "We study how vision models generalize to new hospitals.\n\nA second paragraph on segmentation.",
        "authors": "Ada Lovelace\nAlan Turing",
        "code": "https://github.com/example/learning-to-generalize",
        "tags": "vision, segmentation",
    }


def test_windows_line_endings_and_missing_fields():
    text = "### Title\r\n\r\nA Title\r\n\r\n### Abstract\r\n\r\nAn abstract.\r\n"
    answers = parse_issue_body(text, FIELDS)
    assert answers["title"] == "A Title" and answers["abstract"] == "An abstract."
    assert answers["arxiv"] is None and answers["tags"] is None


def test_title_and_abstract_become_an_offline_add_call():
    suggestion = suggestion_from_answers(parse_issue_body(TITLE_AND_ABSTRACT, FIELDS))
    assert add_arguments(suggestion) == [
        "add", "--title=Learning to Generalize: a Study", "--abstract-file=-",
        "--author=Ada Lovelace", "--author=Alan Turing",
        "--tag=vision", "--tag=segmentation", "--code=https://github.com/example/learning-to-generalize"]


@pytest.mark.parametrize(("answers", "identifier"), [
    ({"arxiv": "2401.10010"}, "2401.10010"),
    ({"arxiv": "https://arxiv.org/abs/2401.10010v2"}, "https://arxiv.org/abs/2401.10010v2"),
    ({"doi": "10.1000/xyz123"}, "10.1000/xyz123"),
    ({"doi": "https://doi.org/10.1000/xyz123", "title": "Ignored When There Is an Id"}, "https://doi.org/10.1000/xyz123"),
])
def test_an_identifier_goes_to_add_as_its_one_positional_argument(answers, identifier):
    suggestion = suggestion_from_answers(parse_issue_body(body(**answers, tags="Vision"), FIELDS))
    assert suggestion.identifier == identifier
    # `paper-collection add IDENTIFIER` looks the paper up; after `--` nothing can be an option
    assert add_arguments(suggestion) == ["add", "--tag=vision", "--", identifier]


def test_text_that_looks_like_a_later_heading_stays_in_its_answer():
    abstract = "An abstract.\n### Tags\n\nrobotics\n\n### Title\n\nNot the title"
    answers = parse_issue_body(body(title="The Real Title", abstract=abstract, tags="vision"), FIELDS)
    assert answers["tags"] == "vision"
    assert answers["title"] == "The Real Title"
    assert answers["abstract"] == abstract


def test_hostile_answers_are_single_arguments():
    title = "--root=/etc $(touch pwned) `id` 'a' \"b\"; rm -rf ~"
    suggestion = suggestion_from_answers(parse_issue_body(body(title=title, abstract="x", tags="a;b"), FIELDS))
    assert add_arguments(suggestion)[:2] == ["add", f"--title={title}"]
    assert add_arguments(suggestion)[-2:] == ["--tag=a", "--tag=b"]
    hostile_id = suggestion_from_answers(parse_issue_body(body(arxiv="--root=/etc"), FIELDS))
    assert add_arguments(hostile_id) == ["add", "--", "--root=/etc"]


@pytest.mark.parametrize(("answers", "message"), [
    ({}, "the suggestion gives no arXiv id, no DOI, and no title and abstract; edit the issue to add it"),
    ({"title": "Only a Title"}, "the suggestion has a title but no abstract; edit the issue"),
    ({"abstract": "Only an abstract."}, "the suggestion has an abstract but no title; edit the issue"),
    ({"arxiv": "2401.10010 and 2401.10011"}, "'2401.10010 and 2401.10011' is not one identifier"),
])
def test_an_unusable_suggestion_says_what_is_missing(answers, message):
    with pytest.raises(SuggestionError) as error:
        suggestion_from_answers(parse_issue_body(body(**answers), FIELDS))
    assert str(error.value).startswith(message)


def test_suggestion_writes_a_valid_paper_and_a_pull_request_body(tmp_path):
    root = make_project(tmp_path / "project")
    before = len(list((root / "content" / "papers").glob("*.md")))
    issue = tmp_path / "issue.md"
    hostile_title = "Learning to Generalize: a Study of `$(touch pwned)` & <b>Friends</b> 100%"
    issue.write_text(body(title=hostile_title, abstract="We study how vision models generalize to new hospitals.",
                          authors="Ada Lovelace", tags="vision, segmentation"), encoding="utf-8")
    result = run_generator(root, "suggestion", "--issue-body-file", str(issue), "--issue", "12",
                           "--pr-body-file", str(tmp_path / "pr.md"), "--form", str(FORM))
    slug = "learning-to-generalize-a-study-of-touch-pwned-b-friends-b-100"
    assert result.stdout.splitlines()[0] == f"wrote content/papers/{slug}.md"
    paper = frontmatter.parse((root / "content" / "papers" / f"{slug}.md").read_text(encoding="utf-8"), "x")
    assert paper.meta["title"] == hostile_title
    assert paper.meta["tags"] == ["vision", "segmentation"] and paper.meta["authors"] == ["Ada Lovelace"]
    assert not (root / "pwned").exists() and not (tmp_path / "pwned").exists()
    assert run_generator(root, "validate").stdout == f"ok: {before + 1} papers valid\n"
    assert (tmp_path / "pr.md").read_text(encoding="utf-8") == (
        f"Adds content\\/papers\\/{slug.replace('-', chr(92) + '-')}\\.md, the paper suggested in #12.\n\n"
        "Closes #12\n\n"
        "Written by `paper-collection suggestion` from the issue form; `validate` and a strict build passed. "
        "Before merging, check the title, authors, abstract, links and tags against the paper.\n")


def test_suggestion_exit_codes(tmp_path):
    root = make_project(tmp_path / "project")
    issue = tmp_path / "issue.md"
    issue.write_text(body(title="Only a Title"), encoding="utf-8")
    empty = run_generator(root, "suggestion", "--issue-body-file", str(issue), "--form", str(FORM), check=False)
    assert (empty.returncode, empty.stderr) == (1, "error: the suggestion has a title but no abstract; edit the "
                                                   "issue to add it\n")
    missing = run_generator(root, "suggestion", "--issue-body-file", str(tmp_path / "nope.md"), "--form", str(FORM),
                            check=False)
    assert missing.returncode == 2 and missing.stderr.startswith(f"error: --issue-body-file {tmp_path / 'nope.md'}")
    issue.write_text(body(title="T", abstract="A.", tags="not-a-tag"), encoding="utf-8")
    unknown_tag = run_generator(root, "suggestion", "--issue-body-file", str(issue), "--form", str(FORM), check=False)
    assert unknown_tag.returncode == 2 and "not-a-tag" in unknown_tag.stderr
    assert not list((root / "content" / "papers").glob("t.md"))


def test_dry_run_prints_the_add_command(tmp_path):
    root = make_project(tmp_path / "project")
    issue = tmp_path / "issue.md"
    issue.write_text(body(arxiv="2401.10010", tags="vision"), encoding="utf-8")
    result = run_generator(root, "suggestion", "--issue-body-file", str(issue), "--form", str(FORM), "--dry-run")
    assert result.stdout == "paper-collection add --tag=vision -- 2401.10010\n"
