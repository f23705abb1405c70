"""Checks for the GitHub Actions workflows and the contributor templates.

The workflows are linted with ``actionlint`` and audited with ``zizmor``
(both are test dependencies, so a missing binary is a failure, never a
skip), and the security properties we rely on are also asserted directly
on the parsed YAML so a regression names the exact rule it breaks.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB_DIR = ROOT / ".github"
WORKFLOWS_DIR = GITHUB_DIR / "workflows"
PULL_REQUEST = WORKFLOWS_DIR / "pull-request.yml"
DEPLOY = WORKFLOWS_DIR / "deploy.yml"
SUGGESTION = WORKFLOWS_DIR / "suggest-paper.yml"
SUGGESTION_FORM = GITHUB_DIR / "ISSUE_TEMPLATE" / "suggest-paper.yml"
UPDATE = WORKFLOWS_DIR / "update.yml"
WORKFLOWS = [PULL_REQUEST, DEPLOY, SUGGESTION, UPDATE]
# Jobs allowed to write, per workflow; none of them runs project code.
WRITERS = {DEPLOY: ["deploy"], SUGGESTION: ["open-pull-request"], UPDATE: ["open-pull-request"]}

FULL_SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses:\s*\S+@[0-9a-f]{40}\s+#\s*v\d+\.\d+\.\d+\s*$")
PRIVILEGED_SCOPES = {"pages": "write", "id-token": "write"}


def find_tool(name: str) -> str:
    """Locate a test-dependency binary next to the interpreter or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(
        f"`{name}` is required to run the workflow tests but was not found next "
        f"to {sys.executable} or on PATH. Install the test extras "
        "(`make test` does this)."
    )


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # PyYAML follows YAML 1.1, where a bare `on` key is parsed as True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict), "workflow has no `on:` triggers"
    return on


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def run_scripts(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


@pytest.fixture(scope="module", params=WORKFLOWS, ids=lambda p: p.name)
def workflow_path(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    assert path.is_file(), f"missing workflow {path.relative_to(ROOT)}"
    return path


# --- external linters -------------------------------------------------------


def test_actionlint_reports_nothing() -> None:
    actionlint = find_tool("actionlint")
    result = subprocess.run(
        [actionlint, "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stdout.strip(), (
        f"actionlint failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
    )


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_reports_nothing(persona: str) -> None:
    # `auditor` is the strictest security persona (it accepts false
    # positives); `regular` is what contributors see by default.
    zizmor = find_tool("zizmor")
    result = subprocess.run(
        [
            zizmor,
            "--offline",
            "--no-config",
            f"--persona={persona}",
            "--format=json",
            *map(str, WORKFLOWS),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        findings = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"zizmor did not print JSON (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    assert result.returncode == 0 and findings == [], (
        f"zizmor --persona={persona} exit {result.returncode}, findings:\n"
        + "\n".join(map(_describe_finding, findings))
        + f"\n{result.stderr}"
    )


def _describe_finding(finding: dict[str, Any]) -> str:
    where = []
    for location in finding.get("locations", []):
        concrete = location.get("concrete", {})
        row = concrete.get("location", {}).get("start_point", {}).get("row", "?")
        where.append(f"line {row + 1 if isinstance(row, int) else row}: {concrete.get('feature', '')}")
    return f"{finding.get('ident')}: {finding.get('desc')} [{'; '.join(where)}]"


# --- security properties, asserted directly ------------------------------------


def test_no_pull_request_target(workflow_path: Path) -> None:
    assert "pull_request_target" not in triggers(load(workflow_path))


def test_every_action_is_pinned_to_a_full_commit_sha(workflow_path: Path) -> None:
    workflow = load(workflow_path)
    uses = [step["uses"] for step in steps(workflow) if "uses" in step]
    uses += [job["uses"] for job in workflow["jobs"].values() if "uses" in job]
    assert uses, f"{workflow_path.name} uses no actions"
    for ref in uses:
        assert FULL_SHA_PIN.match(ref), f"{ref!r} is not pinned to a 40-hex commit SHA"
    # Each pin carries a `# vX.Y.Z` comment so humans can review updates.
    for line in workflow_path.read_text(encoding="utf-8").splitlines():
        if re.search(r"\buses:", line):
            assert VERSION_COMMENT.search(line), f"pin lacks a `# vX.Y.Z` comment: {line.strip()}"


def test_checkout_does_not_persist_credentials(workflow_path: Path) -> None:
    checkouts = [step for step in steps(load(workflow_path)) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts, f"{workflow_path.name} never checks out the repository"
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, (
            f"checkout in {workflow_path.name} must set persist-credentials: false"
        )


def test_no_event_data_interpolated_into_scripts(workflow_path: Path) -> None:
    for script in run_scripts(load(workflow_path)):
        assert "${{" not in script, f"expression interpolated into a run: script: {script!r}"
        assert "github.event" not in script, f"event data used in a run: script: {script!r}"


def test_workflows_have_timeouts(workflow_path: Path) -> None:
    for name, job in load(workflow_path)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"job {name!r} has no timeout-minutes"


def _write_scopes(permissions: Any) -> set[str]:
    if permissions in (None, {}):
        return set()
    if isinstance(permissions, str):  # read-all / write-all
        assert permissions != "write-all", "write-all permissions are not allowed"
        return set()
    return {scope for scope, level in permissions.items() if level == "write"}


def test_pull_request_workflow_is_read_only() -> None:
    workflow = load(PULL_REQUEST)
    assert "pull_request" in triggers(workflow)
    assert workflow.get("permissions") in ({"contents": "read"}, {}), workflow.get("permissions")
    for name, job in workflow["jobs"].items():
        assert not _write_scopes(job.get("permissions")), f"job {name!r} asks for write access"
        assert job.get("permissions", {"contents": "read"}) in ({"contents": "read"}, {})
    concurrency = workflow.get("concurrency")
    assert isinstance(concurrency, dict) and concurrency.get("cancel-in-progress") is True, (
        "superseded pull-request runs must be cancelled"
    )


def test_deploy_privileges_are_confined_to_the_deploy_job() -> None:
    workflow = load(DEPLOY)
    assert workflow.get("permissions") == {}, "top-level permissions must be {}"
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    jobs = workflow["jobs"]
    assert set(jobs) == {"build", "deploy"}

    deploy = jobs["deploy"]
    assert deploy.get("permissions") == PRIVILEGED_SCOPES
    assert deploy.get("needs") == "build"
    assert deploy.get("environment", {}).get("name") == "github-pages"
    assert not any("run" in step for step in deploy["steps"]), "the deploy job must run no project code"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in deploy["steps"])

    build = jobs["build"]
    assert not _write_scopes(build.get("permissions")), "the build job must not have write access"
    assert "id-token" not in build.get("permissions", {})
    assert any(
        step.get("uses", "").startswith("actions/upload-pages-artifact@") and step.get("with", {}).get("path") == "site"
        for step in build["steps"]
    ), "the build job must upload site/ as the Pages artifact"

    concurrency = workflow.get("concurrency")
    assert concurrency == {"group": "pages", "cancel-in-progress": False}


def test_privileged_scopes_appear_nowhere_else() -> None:
    for path in WORKFLOWS:
        workflow = load(path)
        holders = []
        if _write_scopes(workflow.get("permissions")) or "id-token" in (workflow.get("permissions") or {}):
            holders.append("<workflow>")
        for name, job in workflow["jobs"].items():
            perms = job.get("permissions") or {}
            if _write_scopes(perms) or "id-token" in perms:
                holders.append(name)
        expected = WRITERS.get(path, [])
        assert holders == expected, f"{path.name}: write/OIDC permissions held by {holders}"


# --- the workflows run what a person runs locally -------------------------------


def _step(job: dict[str, Any], needle: str) -> dict[str, Any]:
    found = [step for step in job["steps"] if needle in step.get("run", "") or needle in step.get("uses", "")]
    assert len(found) == 1, f"expected one step with {needle!r}, found {len(found)}"
    return found[0]


def test_pull_request_checks_papers_in_their_own_job_and_tests_in_another() -> None:
    jobs = load(PULL_REQUEST)["jobs"]
    assert set(jobs) == {"papers", "tests"}
    assert "needs" not in jobs["papers"], "the paper checks must not wait for (or depend on) the tests"
    assert [step["run"] for step in jobs["tests"]["steps"] if "run" in step] == ["make test"]
    papers = jobs["papers"]
    runs = [step["run"] for step in papers["steps"] if "run" in step]
    assert runs[:3] == ["make .venv/.installed", ".venv/bin/python -m generator validate --format github",
                        ".venv/bin/python -m generator build"], runs
    report = _step(papers, "generator pr-report")
    assert report["if"] == "always() && steps.install.outcome == 'success'"  # also when a paper check failed
    assert report["run"].endswith('>> "$GITHUB_STEP_SUMMARY"')
    upload = _step(papers, "actions/upload-artifact@")
    assert upload["with"]["path"] == "site" and upload["with"]["name"] == "site"
    assert upload["if"] == "always() && steps.build.outcome == 'success'"
    checkout = _step(papers, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 2, "pr-report compares with the merge commit's first parent"


def test_suggestion_runs_only_for_the_maintainers_label() -> None:
    workflow = load(SUGGESTION)
    assert triggers(workflow) == {"issues": {"types": ["labeled"]}}
    assert workflow.get("permissions") == {}
    jobs = workflow["jobs"]
    assert jobs["prepare"]["if"] == "github.event.label.name == 'accepted-suggestion'"
    assert jobs["prepare"]["permissions"] == {"contents": "read"}
    assert jobs["open-pull-request"]["needs"] == "prepare"
    assert jobs["open-pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write"}


def test_suggestion_issue_text_reaches_the_generator_only_through_a_file() -> None:
    prepare = load(SUGGESTION)["jobs"]["prepare"]
    step = _step(prepare, "generator suggestion")
    assert step["env"]["ISSUE_BODY"] == "${{ github.event.issue.body }}"
    assert '"$ISSUE_BODY" > "$RUNNER_TEMP/issue-body.md"' in step["run"]
    assert "--issue-body-file \"$RUNNER_TEMP/issue-body.md\"" in step["run"]
    runs = [s["run"] for s in prepare["steps"] if "run" in s]
    assert ".venv/bin/python -m generator validate --format github" in runs
    assert ".venv/bin/python -m generator build" in runs


def test_the_job_that_writes_runs_no_project_code() -> None:
    job = load(SUGGESTION)["jobs"]["open-pull-request"]
    for script in [step["run"] for step in job["steps"] if "run" in step]:
        assert not re.search(r"\b(python|make|pip|\.venv)\b", script), script
    assert any(step.get("uses", "").startswith("actions/download-artifact@") for step in job["steps"])


def test_suggestion_form_fields_are_the_ones_the_parser_reads() -> None:
    from paper_collection.contrib.suggestion import form_fields

    form = load(SUGGESTION_FORM)
    assert form["name"] == "Suggest a paper" and form["description"]
    fields = dict(form_fields(SUGGESTION_FORM))
    assert list(fields) == ["arxiv", "doi", "title", "abstract", "authors", "code", "tags"]
    answers = [item for item in form["body"] if "id" in item]
    assert all(item["validations"]["required"] is False for item in answers), "any one route may be used"
    assert len(set(fields.values())) == len(fields), "labels are the headings the parser looks for: unique"


def test_deploy_builds_with_the_local_command() -> None:
    build = load(DEPLOY)["jobs"]["build"]
    site_steps = [step for step in build["steps"] if step.get("run", "").strip() == "make site"]
    assert len(site_steps) == 1, "the build job must run `make site` exactly once"
    # The Pages base URL reaches mkdocs through the environment, not the script.
    env = site_steps[0].get("env", {})
    assert env.get("SITE_URL") == "${{ steps.pages.outputs.base_url }}"


# --- contributor templates -----------------------------------------------------


def test_pull_request_template_checklist() -> None:
    text = (GITHUB_DIR / "pull_request_template.md").read_text(encoding="utf-8")
    for needle in ("content/papers/", "make validate", "python -m generator serve", "taxonomy.yml"):
        assert needle in text, f"pull request template does not mention {needle!r}"
    assert text.count("- [ ]") >= 5


def test_paper_problem_issue_form() -> None:
    form = load(GITHUB_DIR / "ISSUE_TEMPLATE" / "paper-problem.yml")
    assert form["name"] and form["description"]
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert {"page-url", "problem"} <= set(fields)
    assert fields["page-url"]["type"] == "input"
    assert fields["problem"]["type"] == "textarea"
    for field in fields.values():
        assert field["validations"]["required"] is True
