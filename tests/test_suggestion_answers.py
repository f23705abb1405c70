"""Suggestions answered on the issue: suggest-paper.yml's own steps (`Check the suggestion`, and
`Write the paper file from the issue` once accepted) run on recorded `issues` events (octokit's
webhook examples, tests/fixtures/github/README.md, with the body replaced by a form's answers where
a case needs one: said in each test), with the lookups answered by recorded arXiv and Crossref
responses on 127.0.0.1. Each answer is checked as the visitor reads it (rendered Markdown)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from paper_collection.collection import frontmatter
from paper_collection.contrib.suggestion import RETRY, form_fields
from tests.github_fixture import FIXTURES, PROJECT, git, run_step, step_script, workflow_job
from tests.helpers import ROOT, link_environment
from tests.lookup_fixtures import recorded, replay_server

FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
FIELDS = form_fields(FORM)
OPENED = json.loads((FIXTURES / "events" / "issues.opened.json").read_text(encoding="utf-8"))
LABELED = json.loads((FIXTURES / "events" / "issues.labeled.json").read_text(encoding="utf-8"))
EDITED = json.loads((FIXTURES / "events" / "issues.edited.json").read_text(encoding="utf-8"))
NO_RESULTS = recorded("arxiv-id_0000.0000.json")
CROSSREF_WORK = recorded("crossref-10.17705_1cais.04607.json")  # a work with no abstract
BETHE = recorded("arxiv-1111.2011v2.xml")
FORM_URL = "https://github.com/Codertocat/Hello-World/issues/new?template=suggest-paper.yml"
ABSTRACT = ("We review how literature reviews build knowledge in information systems research and validate a "
            "typology of review types on the reviews published in the field's main journals.")


def form_body(**answers: str) -> str:
    """The body GitHub writes for the form: every field under its label, `_No response_` when empty."""
    return "\n\n".join(f"### {label}\n\n{answers.get(field_id) or '_No response_'}" for field_id, label in FIELDS)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    (root / "content" / "papers").mkdir(parents=True)
    (root / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    shutil.copy(FORM, root / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml")
    (root / ".gitignore").write_text(".venv\nsite/\n.cache/\n", encoding="utf-8")
    git(root, "init", "--quiet")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "The collection")
    link_environment(root)
    return root


def run_job_step(root: Path, event: dict, job: str, step: str, base: str | None) -> tuple[int, str]:
    """The workflow step with the env GitHub gives it for `event`; returns its exit code and answer."""
    temp = root.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    env = {"RUNNER_TEMP": str(temp), "ISSUE_BODY": event["issue"]["body"] or "",
           "ISSUE_NUMBER": str(event["issue"]["number"]), "FORM_URL": FORM_URL, "PAPER_COLLECTION_CACHE": str(temp)}
    if base:
        env.update({"PAPER_COLLECTION_ARXIV_API": f"{base}/api/query", "PAPER_COLLECTION_CROSSREF_API":
                    f"{base}/crossref", "PAPER_COLLECTION_OPENALEX_API": f"{base}/openalex",
                    "PAPER_COLLECTION_MIN_INTERVAL": "0"})
    result = run_step(root, step_script(workflow_job("suggest-paper.yml", job), step), env)
    answer = temp / "answer" / "answer.md"
    return result.returncode, answer.read_text(encoding="utf-8") if answer.exists() else ""


def with_body(event: dict, body: str) -> dict:
    event = copy.deepcopy(event)
    event["issue"]["body"] = body
    return event


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def papers(root: Path) -> list[str]:
    return sorted(path.name for path in (root / "content" / "papers").glob("*.md"))


def test_an_opened_suggestion_is_answered_with_what_would_be_added_and_nothing_is_written(project):
    event = with_body(OPENED, form_body(title="Learning <b>to</b> Segment Images", abstract=ABSTRACT,
                                        authors="Ada Lovelace\nAlan Turing", tags="vision"))
    code, answer = run_job_step(project, event, "check", "Check the suggestion (writes nothing)", None)
    assert code == 0
    assert answer.startswith("**Thank you for the suggestion.** It was checked; if a maintainer accepts it (label "
                             "`accepted-suggestion`), a pull request adds this paper.")
    html = rendered(answer)
    assert "<li><strong>Title</strong>: Learning &lt;b&gt;to&lt;/b&gt; Segment Images</li>" in html
    assert "<li><strong>File</strong>: content/papers/learning-b-to-b-segment-images.md</li>" in html
    assert "<li><strong>Authors</strong>: Ada Lovelace; Alan Turing</li>" in html
    assert papers(project) == []  # the check writes nothing


def test_an_edited_suggestion_that_misses_the_abstract_says_how_to_fix_it(project):
    event = with_body(EDITED, form_body(title="Learning to Segment Images"))
    code, answer = run_job_step(project, event, "check", "Check the suggestion (writes nothing)", None)
    assert code == 0  # the step succeeds: its job is the answer
    assert answer == ("**This suggestion cannot be added yet.** the suggestion has a title but no abstract\\; edit "
                      "the issue to add it.\n\nTo fix it, edit the issue (the **⋯** menu at the top right of the "
                      "issue, then **Edit**) and save; this comment is updated when the check runs again.\n")


def test_an_issue_that_is_not_the_form_is_told_to_use_it(project):
    """The recorded `issues.opened` example, as is: a bug report, not the form."""
    code, answer = run_job_step(project, OPENED, "check", "Check the suggestion (writes nothing)", None)
    assert code == 0
    assert answer.startswith("**This issue was not written with the paper suggestion form**, so there is nothing "
                             f"to add. Please open a new issue with the [Suggest a paper]({FORM_URL}) form")


def test_an_identifier_that_does_not_exist_is_answered(project):
    event = with_body(OPENED, form_body(arxiv="2401.99999", tags="vision"))
    with replay_server([(lambda path, query: path == "/api/query", NO_RESULTS)]) as (base, asked):
        code, answer = run_job_step(project, event, "check", "Check the suggestion (writes nothing)", base)
    assert code == 0 and len(asked) == 1
    assert answer.startswith("**This suggestion cannot be added yet.** arXiv\\:2401\\.99999\\: the arXiv API has "
                             "no paper"), answer
    assert papers(project) == []


def test_the_forms_abstract_is_used_when_the_record_has_none(project):
    """Accepted (the recorded `issues.labeled` event, its label renamed): a DOI whose Crossref record
    has no abstract, and the abstract given in the form."""
    event = with_body(LABELED, form_body(doi="10.17705/1cais.04607", abstract=ABSTRACT, tags="vision"))
    event["label"]["name"] = "accepted-suggestion"
    with replay_server([(lambda path, query: path.startswith("/crossref/works/"), CROSSREF_WORK)]) as (base, _):
        code, answer = run_job_step(project, event, "prepare", "Write the paper file from the issue", base)
    assert code == 0, answer
    (name,) = papers(project)
    paper = frontmatter.parse((project / "content" / "papers" / name).read_text(encoding="utf-8"), name)
    assert paper.body.strip() == ABSTRACT
    assert paper.meta["doi"] == "10.17705/1cais.04607"
    assert answer.startswith("**Accepted.** The paper's file was written and checked; a pull request that adds it "
                             "and closes this issue follows.")
    assert "#1" in (project.parent / "runner-temp" / "suggestion" / "pull-request.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("already", ["in the collection", "removed"])
def test_an_accepted_paper_already_there_or_removed_is_answered_with_how_to_retry(project, already):
    event = with_body(LABELED, form_body(arxiv="1111.2011", tags="vision"))
    event["label"]["name"] = "accepted-suggestion"
    rules = [(lambda path, query: path == "/api/query", BETHE)]
    with replay_server(rules) as (base, _):
        code, _ = run_job_step(project, event, "prepare", "Write the paper file from the issue", base)
        assert code == 0
        (name,) = papers(project)
        if already == "removed":
            result = run_step(project, f".venv/bin/python -m paper_collection remove {name[:-3]} --reason "
                                       "'off topic'", {})
            assert result.returncode == 0, result.stderr
        shutil.rmtree(project.parent / "runner-temp")
        code, answer = run_job_step(project, event, "prepare", "Write the paper file from the issue", base)
    assert code != 0  # the job fails: no pull request
    expected = "this paper is already in the collection" if already == "in the collection" else "this paper was removed"
    assert answer.startswith(f"**The accepted suggestion could not be added.** {expected}"), answer
    assert answer.endswith(RETRY + "\n")
    assert "remove" in RETRY and "add" in RETRY and "untick" in RETRY
    assert len(papers(project)) == (1 if already == "in the collection" else 0)
