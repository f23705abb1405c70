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
PR_COMMENT = WORKFLOWS_DIR / "pr-comment.yml"
ENRICH = WORKFLOWS_DIR / "enrich.yml"
SUGGESTION_FORM = GITHUB_DIR / "ISSUE_TEMPLATE" / "suggest-paper.yml"
UPDATE = WORKFLOWS_DIR / "update.yml"
WORKFLOWS = [PULL_REQUEST, DEPLOY, SUGGESTION, PR_COMMENT, UPDATE]
# Jobs allowed to write, per workflow; none of them installs or runs project code (the comment
# writer, generator/contrib/comment.py, runs from the default branch with the standard library only).
WRITERS = {DEPLOY: ["deploy"], SUGGESTION: ["open-pull-request", "answer"], PR_COMMENT: ["comment"],
           UPDATE: ["open-pull-request"]}
COMMENT_WRITER = re.compile(r'^python3 generator/contrib/comment\.py (report|answer) ')

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
    for path in [*WORKFLOWS, ENRICH]:
        workflow = load(path)
        holders = []
        if _write_scopes(workflow.get("permissions")) or "id-token" in (workflow.get("permissions") or {}):
            holders.append("<workflow>")
        for name, job in workflow["jobs"].items():
            perms = job.get("permissions") or {}
            if _write_scopes(perms) or "id-token" in perms:
                holders.append(name)
        expected = WRITERS.get(path, ["open-pull-request"] if path == ENRICH else [])
        assert holders == expected, f"{path.name}: write/OIDC permissions held by {holders}"


def test_jobs_that_write_install_and_run_no_project_code() -> None:
    """Only git, gh, actions, and the stdlib comment writer checked out from the default branch."""
    for path in [SUGGESTION, PR_COMMENT, ENRICH]:
        for name, job in load(path)["jobs"].items():
            if not _write_scopes(job.get("permissions")):
                continue
            for script in [step["run"] for step in job["steps"] if "run" in step]:
                for line in script.splitlines():
                    if COMMENT_WRITER.match(line.strip()):
                        continue
                    assert not re.search(r"\b(python3?|make|pip|\.venv|paper_collection)\b", line), \
                        (path.name, name, line)
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@") and any(
                        "comment.py" in step.get("run", "") for step in job["steps"]):
                    assert step["with"]["sparse-checkout"] == "generator/contrib/comment.py", (path.name, name)


# --- the workflows run what a person runs locally -------------------------------


def _step(job: dict[str, Any], needle: str) -> dict[str, Any]:
    found = [step for step in job["steps"] if needle in step.get("run", "") or needle in step.get("uses", "")]
    assert len(found) == 1, f"expected one step with {needle!r}, found {len(found)}"
    return found[0]


LOCKED_INSTALL = [
    "python -m venv .venv",
    ".venv/bin/python -m pip install --quiet --no-compile --require-hashes --no-deps -r requirements/{lock}",
    ".venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .",
]


def test_pull_request_checks_papers_in_their_own_job_and_tests_only_when_code_changed() -> None:
    workflow = load(PULL_REQUEST)
    jobs = workflow["jobs"]
    assert set(jobs) == {"changes", "papers", "tests", "verdict"}
    assert "needs" not in jobs["papers"], "the paper checks must not wait for (or depend on) anything"
    assert jobs["tests"]["needs"] == "changes" and jobs["tests"]["if"] == "needs.changes.outputs.code == 'true'"
    assert [step["run"] for step in jobs["tests"]["steps"] if "run" in step][-1] == "make test"
    papers = jobs["papers"]
    runs = [step["run"].strip() for step in papers["steps"] if "run" in step]
    assert runs[0].splitlines() == [line.format(lock="lock.txt") for line in LOCKED_INSTALL]
    assert runs[1:3] == ['.venv/bin/python -m paper_collection validate --format github --base "$BASE_REF"',
                         ".venv/bin/python -m paper_collection build"], runs
    assert workflow["env"]["BASE_REF"] == ("${{ github.event_name == 'pull_request' && 'HEAD^1' || "
                                           "format('origin/{0}', github.event.repository.default_branch) }}")
    report = _step(papers, "paper_collection pr-report")
    assert report["if"] == "always() && steps.install.outcome == 'success'"  # also when a paper check failed
    assert '>> "$GITHUB_STEP_SUMMARY"' in report["run"] and '--base "$BASE_REF"' in report["run"]
    assert report["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    site = [step for step in papers["steps"] if step.get("with", {}).get("name") == "site"]
    assert site[0]["with"]["path"] == "site" and site[0]["if"] == "always() && steps.build.outcome == 'success'"
    assert report["env"]["SITE_ARTIFACT_URL"] == "${{ steps." + site[0]["id"] + ".outputs.artifact-url }}"
    handed = [step for step in papers["steps"] if step.get("with", {}).get("name") == "pr-report"]
    assert handed[0]["with"]["path"] == "${{ runner.temp }}/pr-report"
    checkout = _step(papers, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] == "${{ github.event_name == 'pull_request' && 2 || 0 }}"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.parametrize(("changed", "code"), [
    (["content/papers/a-new-paper.md"], "false"),
    (["content/papers/a-new-paper.md", "taxonomy.yml", "removed.yml"], "false"),
    (["content/papers/a-new-paper.md", "generator/cli.py"], "true"),
    (["content-not-papers.md"], "true"),
    ([".github/workflows/pull-request.yml"], "true"),
])
def test_the_changes_job_sends_only_code_changes_to_the_tests(tmp_path: Path, changed: list[str], code: str) -> None:
    """The `List the changed files` step, run on a pull request's merge commit."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "README.md").write_text("base\n", encoding="utf-8")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "switch", "-qc", "contribution")
    for name in changed:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("changed\n", encoding="utf-8")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "change")
    _git(tmp_path, "switch", "-q", "--detach", "main")
    _git(tmp_path, "merge", "-q", "--no-ff", "--no-edit", "contribution")
    output = tmp_path / "output.txt"
    script = _step(load(PULL_REQUEST)["jobs"]["changes"], "git diff --name-only")["run"]
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=tmp_path,
                            capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "BASE_REF": "HEAD^1", "RUNNER_TEMP": str(tmp_path),
                                 "GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == f"code={code}\n"


@pytest.mark.parametrize(("results", "passes"), [
    ("success success skipped", True), ("success success success", True), ("success failure skipped", False),
    ("success success failure", False), ("failure skipped skipped", False), ("success cancelled skipped", False),
])
def test_the_verdict_passes_only_when_every_check_passed_or_was_skipped(results: str, passes: bool) -> None:
    verdict = load(PULL_REQUEST)["jobs"]["verdict"]
    assert verdict["needs"] == ["changes", "papers", "tests"] and verdict["if"] == "always()"
    assert verdict["permissions"] == {}
    (step,) = verdict["steps"]
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "RESULTS": results})
    assert (result.returncode == 0) is passes, result.stdout


def test_the_comment_workflow_runs_after_the_checks_and_only_posts() -> None:
    workflow = load(PR_COMMENT)
    assert triggers(workflow) == {"workflow_run": {"workflows": [load(PULL_REQUEST)["name"]], "types": ["completed"]}}
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert job["if"].startswith("github.event.workflow_run.event == 'pull_request'")
    download = _step(job, "actions/download-artifact@")
    assert download["with"]["name"] == "pr-report" and download["with"]["path"] == "${{ runner.temp }}/pr-report"
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    (script,) = [step["run"] for step in job["steps"] if "run" in step]
    assert script == 'python3 generator/contrib/comment.py report --report-dir "$RUNNER_TEMP/pr-report"'


def test_installs_are_locked_with_hashes_and_the_pip_cache_keys_on_the_lock() -> None:
    for path in [PULL_REQUEST, SUGGESTION, ENRICH, DEPLOY]:
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                run = step.get("run", "")
                if "pip install" in run:
                    lock = "test.txt" if "test.txt" in run else "lock.txt"
                    assert run.strip().splitlines()[:3] == [line.format(lock=lock) for line in LOCKED_INSTALL], name
                    assert (ROOT / "requirements" / lock).is_file()
                if step.get("uses", "").startswith("actions/setup-python@"):
                    assert step["with"]["cache"] == "pip", (path.name, name)
                    assert step["with"]["cache-dependency-path"].startswith("requirements/"), (path.name, name)
                assert "make .venv/.installed" not in run, (path.name, name, "an unlocked install")
    for lock in ("lock.txt", "test.txt"):
        pins = [line for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines()
                if line and not line.startswith((" ", "#"))]
        assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[^ ]+ \\", line) for line in pins), lock
        assert any(line.startswith("setuptools==") for line in pins), "installing the project needs setuptools"


def test_dependabot_keeps_actions_and_the_lock_files_current() -> None:
    config = load(GITHUB_DIR / "dependabot.yml")
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    assert all(update["directory"] == "/" and update["schedule"]["interval"] for update in ecosystems.values())
    result = subprocess.run([find_tool("zizmor"), "--offline", "--no-config", "--persona=auditor", "--format=json",
                             str(GITHUB_DIR / "dependabot.yml")], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and json.loads(result.stdout) == [], result.stdout + result.stderr


def test_suggestion_checks_opened_and_edited_issues_and_acts_on_the_maintainers_label() -> None:
    workflow = load(SUGGESTION)
    assert triggers(workflow) == {"issues": {"types": ["opened", "edited", "labeled"]}}
    assert workflow.get("permissions") == {}
    assert "concurrency" not in workflow, "an unrelated label must not join the accepted run's group"
    jobs = workflow["jobs"]
    assert jobs["prepare"]["if"] == ("github.event.action == 'labeled' && "
                                     "github.event.label.name == 'accepted-suggestion'")
    assert jobs["prepare"]["concurrency"] == {"group": "suggestion-${{ github.event.issue.number }}",
                                              "cancel-in-progress": False}
    assert "contains(github.event.issue.labels.*.name, 'paper suggestion')" in jobs["check"]["if"]
    assert jobs["check"]["permissions"] == jobs["prepare"]["permissions"] == {"contents": "read"}
    assert jobs["open-pull-request"]["needs"] == "prepare"
    assert jobs["open-pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write",
                                                        "actions": "write"}
    assert jobs["answer"]["permissions"] == {"issues": "write"}
    assert jobs["answer"]["if"].startswith("always()")
    opening = _step(jobs["open-pull-request"], "gh pr create")["run"]
    assert 'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"' in opening
    assert opening.strip().endswith('gh workflow run pull-request.yml --ref "$branch"'), "the bot's PR gets checks"


def test_suggestion_issue_text_reaches_the_generator_only_through_a_file() -> None:
    jobs = load(SUGGESTION)["jobs"]
    for job, needle in (("prepare", "paper_collection suggestion --issue-body-file"),
                        ("check", "paper_collection suggestion --check")):
        step = _step(jobs[job], needle)
        assert step["env"]["ISSUE_BODY"] == "${{ github.event.issue.body }}"
        assert '"$ISSUE_BODY" > "$RUNNER_TEMP/issue-body.md"' in step["run"]
        assert "--issue-body-file \"$RUNNER_TEMP/issue-body.md\"" in step["run"]
    runs = [s["run"] for s in jobs["prepare"]["steps"] if "run" in s]
    assert ".venv/bin/python -m paper_collection validate --format github" in runs
    assert ".venv/bin/python -m paper_collection build" in runs


def test_the_job_that_writes_runs_no_project_code() -> None:
    job = load(SUGGESTION)["jobs"]["open-pull-request"]
    for script in [step["run"] for step in job["steps"] if "run" in step]:
        assert not re.search(r"\b(python3?|make|pip|\.venv)\b", script), script
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


TEMPLATE_DEPLOY = ROOT / "generator" / "templates" / "collection" / ".github" / "workflows" / "deploy.yml"
# What the deploys keep between builds: the generator's pure-data cache files and the last site.
# Never .paper-collection/cache/templates (compiled templates: Python bytecode, which runs when
# loaded), the importer's index, nor the folder whole.
BUILD_CACHE = [".paper-collection/cache/checks.json", ".paper-collection/cache/memo.json",
               ".paper-collection/cache/people.json",
               ".paper-collection/cache/related-*.json", ".paper-collection/cache/related-space.npz",
               ".paper-collection/cache/related-counts.npz",
               ".paper-collection/cache/map-*.json", "site"]
DEFAULT_BRANCH_ONLY = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"


def test_caches_restored_hold_data_never_code() -> None:
    """Only the lookup cache (SQLite, msgpack), the deploys' build cache (JSON, NumPy arrays
    without pickle, the site) and pip's downloads are cached: never a pickle or compiled code."""
    for path in [*WORKFLOWS, ENRICH, TEMPLATE_DEPLOY]:
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                if not step.get("uses", "").startswith("actions/cache"):
                    assert ".paper-collection" not in str(step.get("with", {})), (path.name, name)
                    continue
                cached = step["with"]["path"].split()
                if path == ENRICH:
                    assert cached == [".cache/lookup"], (path.name, name)
                else:
                    assert path in (DEPLOY, TEMPLATE_DEPLOY) and cached == BUILD_CACHE, (path.name, name)
                for entry in cached:
                    assert not entry.endswith((".pickle", ".pkl", ".pyc", "/", "cache")), (path.name, entry)
                    assert "templates" not in entry and "import-index" not in entry, (path.name, entry)
    assert "pull_request" not in triggers(load(ENRICH))


@pytest.mark.parametrize("path", [DEPLOY, TEMPLATE_DEPLOY], ids=["repository", "new-collection"])
def test_deploy_restores_the_build_cache_and_saves_it_only_from_the_default_branch(path: Path) -> None:
    build = load(path)["jobs"]["build"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}, "the build job stays least-privilege"
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    runs = [step.get("run", "").strip() for step in build["steps"]]
    restore_at, save_at = uses.index("actions/cache/restore"), uses.index("actions/cache/save")
    assert uses.count("actions/cache/restore") == uses.count("actions/cache/save") == 1
    assert "actions/cache" not in uses, "restore and save are separate steps"
    assert restore_at < runs.index("make site") < save_at < uses.index("actions/upload-pages-artifact")
    restore, save = build["steps"][restore_at], build["steps"][save_at]
    assert "if" not in restore, "every run starts from the last cache"
    # Saved only by the default branch (a workflow_dispatch elsewhere restores but never saves),
    # only after the build succeeded (no always()), and not again over an exact hit.
    assert save["if"] == f"steps.build-cache.outputs.cache-hit != 'true' && {DEFAULT_BRANCH_ONLY}"
    assert restore.get("id") == "build-cache"
    assert save["with"] == {"path": restore["with"]["path"],
                            "key": "${{ steps.build-cache.outputs.cache-primary-key }}"}
    # The key: the generator (its lock or pin), then the inputs; restore-keys only the generator's prefix
    # (every entry inside is keyed by its own inputs' digest and the generator's code).
    key, prefix = restore["with"]["key"], restore["with"]["restore-keys"]
    generator = "hashFiles('requirements/lock.txt', 'pyproject.toml', 'generator/**')" if path == DEPLOY \
        else "hashFiles('requirements.txt')"
    inputs = "hashFiles('content/**', 'taxonomy.yml', 'mkdocs.yml', 'theme_overrides/**', 'removed.yml')"
    assert key == f"paper-collection-build-v1-${{{{ runner.os }}}}-${{{{ {generator} }}}}-${{{{ {inputs} }}}}"
    assert prefix == f"paper-collection-build-v1-${{{{ runner.os }}}}-${{{{ {generator} }}}}-"
    assert key.startswith(prefix)
    assert_linters_report_nothing(path)


def test_every_pip_install_in_every_workflow_is_locked() -> None:
    """Each `pip install` installs a hash-locked requirements file, or the project itself (or its
    built wheel) once its dependencies are installed from one."""
    for path in sorted(WORKFLOWS_DIR.glob("*.yml")):
        for script in run_scripts(load(path)):
            lines = [line.strip() for line in script.splitlines() if "pip" in line and " install" in line]
            locked = [line for line in lines if "--require-hashes" in line and " -r requirements/" in line]
            for line in lines:
                if line in locked:
                    lock = line.split(" -r ")[1].split()[0]
                    assert (ROOT / lock).is_file(), (path.name, lock)
                else:
                    assert locked and line.endswith((" -e .", " dist/*.whl")), (path.name, line)
    pins = [line for line in (ROOT / "requirements" / "release.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith((" ", "#"))]
    assert {pin.split("==")[0] for pin in pins} >= {"build", "twine", "setuptools"}


def assert_linters_report_nothing(workflow: Path) -> None:
    """actionlint and zizmor (both personas, offline) find nothing in one workflow file."""
    result = subprocess.run([find_tool("actionlint"), "-no-color", str(workflow)], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    for persona in ("regular", "auditor"):
        result = subprocess.run([find_tool("zizmor"), "--offline", "--no-config", f"--persona={persona}",
                                 "--format=json", str(workflow)], cwd=ROOT, capture_output=True, text=True,
                                check=False)
        findings = json.loads(result.stdout)
        assert result.returncode == 0 and findings == [], "\n".join(map(_describe_finding, findings)) + result.stderr
