"""Issue #24, item 1: of two duplicates in a pull request's check, the file the base branch lacks
is blamed, whatever the commit dates and the clone's depth.

Played as on GitHub: a contributor's branch adds a paper on Feb 1; on Mar 1 main gains the same
paper from someone else; GitHub's test merge (refs/pull/N/merge) is checked out as actions/checkout
does, shallow (the workflow's `fetch-depth: 2`) and whole, and the workflow's own `validate` step
runs with the base the workflow gives it."""

from __future__ import annotations

import pytest

from tests.github_fixture import (
    checkout_like_actions,
    commit_file,
    git,
    make_pull_request_merge,
    new_project,
    paper_text,
    run_step,
    step_script,
    workflow_env,
    workflow_job,
)
from tests.helpers import run_generator

ABSTRACT = "We show that models trained on a few tasks generalize to unseen ones when the training data varies."
OTHER = "Segmentation of tumours in scans from three hospitals, with twelve labelled images per hospital."
NUMBER = 7
PR_FILE = "content/papers/learning-to-generalize-from-few-tasks.md"  # sorts after main's file
MAIN_FILE = "content/papers/generalizing-from-few-tasks.md"


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    """main (Jan 5) <- the contributor's branch adds the paper (Feb 1); main gains it too (Mar 1)."""
    root = new_project(tmp_path_factory.mktemp("origin") / "repo",
                       {"tumour-segmentation-in-three-hospitals.md": paper_text("Tumour Segmentation in Three "
                                                                                "Hospitals", OTHER)})
    git(root, "switch", "--quiet", "-c", "contributor")
    commit_file(root, PR_FILE.rsplit("/", 1)[1], paper_text("Learning to Generalize from Few Tasks", ABSTRACT,
                                                            added="2026-02-01"),
                "Add a paper", date="2026-02-01T10:00:00+00:00")
    git(root, "switch", "--quiet", "main")
    commit_file(root, MAIN_FILE.rsplit("/", 1)[1], paper_text("Learning to generalize from few tasks!", ABSTRACT,
                                                              added="2026-03-01"),
                "Add the same paper (someone else)", date="2026-03-01T10:00:00+00:00")
    make_pull_request_merge(root, "contributor", NUMBER, date="2026-03-02T10:00:00+00:00")
    return root


def validate_step() -> tuple[str, str]:
    """The workflow's validate command and the base it gives on a pull_request event."""
    expression = workflow_env("pull-request.yml")["BASE_REF"]
    assert expression.startswith("${{ github.event_name == 'pull_request' && 'HEAD^1' || "), expression
    return step_script(workflow_job("pull-request.yml", "papers"), "Check the papers"), "HEAD^1"


@pytest.mark.parametrize("fetch_depth", [2, 0], ids=["shallow", "full"])
def test_the_workflow_blames_the_pull_requests_file_never_mains(origin, tmp_path, fetch_depth):
    checkout = checkout_like_actions(origin, tmp_path / "checkout", NUMBER, fetch_depth)
    script, base = validate_step()
    result = run_step(checkout, script, {"BASE_REF": base})
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and errors[0].startswith(f"::error file={PR_FILE},line=2,title=Paper check%3A title::")
    assert f"keep {MAIN_FILE} (move anything this file adds into it) and delete this file" in errors[0]
    assert not [line for line in result.stdout.splitlines() if MAIN_FILE in line.split("::")[1]]


@pytest.mark.parametrize("fetch_depth", [2, 0], ids=["shallow", "full"])
def test_without_the_base_commit_time_blames_mains_file(origin, tmp_path, fetch_depth):
    """The bug the base fixes: the later commit (main's, Mar 1) is taken for the newcomer."""
    checkout = checkout_like_actions(origin, tmp_path / "checkout", NUMBER, fetch_depth)
    result = run_generator(checkout, "validate", check=False)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{MAIN_FILE}:2: title: same title as {PR_FILE}"), result.stdout


def test_pr_report_blames_the_same_file(origin, tmp_path):
    checkout = checkout_like_actions(origin, tmp_path / "checkout", NUMBER, 2)
    result = run_generator(checkout, "pr-report", "--base", "HEAD^1", check=False)
    assert result.returncode == 1
    added = result.stdout.split("- **added** ", 1)[1]
    assert added.startswith("content\\/papers\\/learning\\-to\\-generalize\\-from\\-few\\-tasks\\.md: "
                            "Learning to Generalize from Few Tasks — 1 problem(s)\n  - line 2, title: same title as "
                            "content\\/papers\\/generalizing\\-from\\-few\\-tasks\\.md"), result.stdout
    assert "Other problems in the collection" not in result.stdout


def test_annotations_only_on_the_files_the_pull_request_changed(origin, tmp_path):
    """A problem in a file the pull request never touched is a log line, not an annotation: GitHub
    shows only 10 annotations of a kind per step, and the contributor's own come first."""
    checkout = checkout_like_actions(origin, tmp_path / "checkout", NUMBER, 2)
    git(checkout, "switch", "--quiet", "-c", "main-now")
    git(checkout, "rm", "--quiet", "--", PR_FILE)
    untouched = checkout / "content" / "papers" / "tumour-segmentation-in-three-hospitals.md"
    untouched.write_text(untouched.read_text(encoding="utf-8").replace("- vision", "- vison"), encoding="utf-8")
    git(checkout, "commit", "--quiet", "-am", "main broke a file since")
    git(checkout, "switch", "--quiet", "-c", "more")
    commit_file(checkout, "images-without-labels.md", paper_text("Images Without Labels", OTHER.replace(
        "Segmentation", "Detection"), tags=("segmentaton",)), "A paper", date="2026-03-03T10:00:00+00:00")
    result = run_generator(checkout, "validate", "--format", "github", "--base", "main-now", check=False)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=content/papers/images-without-labels.md,line=4,title=Paper check%3A tags[0]::'segmentaton' "
        "is not a tag; did you mean 'segmentation'?",
        "1 problem(s) in files this pull request does not change (not annotated):",
        "elsewhere: content/papers/tumour-segmentation-in-three-hospitals.md:4: tags[0]: 'vison' is not a tag; "
        "did you mean 'vision'?"]


def test_an_unknown_base_is_a_clear_error(origin, tmp_path):
    checkout = checkout_like_actions(origin, tmp_path / "checkout", NUMBER, 2)
    result = run_generator(checkout, "validate", "--base", "origin/no-such-branch", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --base origin/no-such-branch: not a commit git knows here; fetch the "
                                    "base branch first"), result.stderr
