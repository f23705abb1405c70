"""The daily `update` workflow: linted and audited (actionlint, zizmor), read-only where project code runs,
and its shell steps run here, offline: the update job's steps in a git copy of the test collection
(the services are the recorded answers on 127.0.0.1), the writing job's with a fake `gh` on PATH that
records its arguments and a local bare repository as `origin`."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.helpers import link_environment
from tests.lookup_fixtures import replay_server
from tests.test_update import FIXTURES, arxiv_rules
from tests.test_workflows import (
    FULL_SHA_PIN,
    VERSION_COMMENT,
    WORKFLOWS_DIR,
    assert_linters_report_nothing,
    load,
    steps,
    triggers,
)

UPDATE = WORKFLOWS_DIR / "update.yml"
BRANCH = "update/new-papers"


def test_actionlint_and_zizmor_report_nothing():
    assert_linters_report_nothing(UPDATE)


def test_daily_and_by_hand_python_read_only_and_the_writer_runs_no_project_code():
    workflow = load(UPDATE)
    on = triggers(workflow)
    assert set(on) == {"schedule", "workflow_dispatch"} and on["schedule"][0]["cron"].endswith("* * *")
    assert workflow["permissions"] == {}
    update, writer = workflow["jobs"]["update"], workflow["jobs"]["open-pull-request"]
    assert update["permissions"] == {"contents": "read"}
    assert writer["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert writer["needs"] == "update" and writer["if"] == "needs.update.outputs.changed == 'true'"
    for script in [step["run"] for step in writer["steps"] if "run" in step]:
        assert not re.search(r"\b(python|make|pip|\.venv|paper-collection)\b", script), script
    for step in steps(workflow):
        if "uses" in step:
            assert FULL_SHA_PIN.match(step["uses"]), step["uses"]
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        assert "${{" not in step.get("run", "")
    for line in UPDATE.read_text(encoding="utf-8").splitlines():
        if "uses:" in line:
            assert VERSION_COMMENT.search(line), line


def _scripts(job: str) -> list[str]:
    return [step["run"] for step in load(UPDATE)["jobs"][job]["steps"] if "run" in step]


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # As GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


FAKE_GH = """#!/bin/sh
# Records its arguments, one call per line; `gh pr view` answers as $FAKE_GH_PR_STATE says.
printf '%s\\n' "$*" >> "$FAKE_GH_LOG"
if [ "$1 $2" = "pr view" ]; then
  if [ -n "$FAKE_GH_PR_STATE" ]; then echo "$FAKE_GH_PR_STATE"; exit 0; fi
  echo "no pull requests found for branch" >&2; exit 1
fi
exit 0
"""


@pytest.fixture
def repository(tmp_path):
    """The test collection as a git repository with a bare `origin`, and the environment a runner gives."""
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "collection", work)
    (work / "watch.yml").write_text('min_confidence: 0.8\nwatches:\n  - name: testing\n    arxiv: "all:testing"\n'
                                    "    max: 20\n", encoding="utf-8")
    (work / ".gitignore").write_text(".venv\n.cache/\n.paper-collection/\n", encoding="utf-8")
    for command in (["init", "--quiet", "--initial-branch=main"], ["config", "user.name", "t"],
                    ["config", "user.email", "t@example.org"], ["add", "."], ["commit", "--quiet", "-m", "start"],
                    ["remote", "add", "origin", str(origin)], ["push", "--quiet", "origin", "main"]):
        _git(work, *command)
    link_environment(work)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod((bin_dir / "gh").stat().st_mode | stat.S_IEXEC)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(runner_temp),
           "GITHUB_OUTPUT": str(tmp_path / "github-output"), "FAKE_GH_LOG": str(tmp_path / "gh.log"),
           "GH_TOKEN": "not-a-token", "PAPER_COLLECTION_MIN_INTERVAL": "0", "PAPER_COLLECTION_MAILTO": "",
           "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    return tmp_path, work, origin, env


def _run_update_job(work: Path, env: dict[str, str]) -> str:
    """The update job's shell steps (after `make .venv/.installed`, which link_environment stands for)."""
    scripts = _scripts("update")
    assert scripts[0] == "make .venv/.installed"
    for script in scripts[1:]:
        result = _bash(script, work, env)
        assert result.returncode == 0, script + "\n" + result.stdout + result.stderr
    return Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")


def _run_writer_job(tmp_path: Path, origin: Path, env: dict[str, str]) -> Path:
    """The writing job's shell steps in a fresh checkout of origin's main, with the artifact in RUNNER_TEMP."""
    checkout = tmp_path / f"checkout-{len(list(tmp_path.glob('checkout-*')))}"
    _git(tmp_path, "clone", "--quiet", str(origin), str(checkout))
    for script in _scripts("open-pull-request"):
        result = _bash(script, checkout, env)
        assert result.returncode == 0, script + "\n" + result.stdout + result.stderr
    return checkout


def test_update_opens_one_pull_request_then_updates_it_and_opens_nothing_when_nothing_is_new(repository):
    tmp_path, work, origin, env = repository
    with replay_server(arxiv_rules()) as (base, _):
        env = {**env, "PAPER_COLLECTION_ARXIV_API": f"{base}/api/query", "SINCE": "2010-01-01",
               "PAPER_COLLECTION_CACHE": str(tmp_path / "cache")}
        output = _run_update_job(work, env)
    assert output.strip() == "changed=true"
    runner_temp = Path(env["RUNNER_TEMP"])
    body = (runner_temp / "update" / "pull-request.md").read_text(encoding="utf-8")
    # Titles and tags are escaped Markdown text: a title cannot become a link or a heading.
    assert ("- Property\\-Based Mutation Testing (`property-based-mutation-testing`): "
            "software\\-testing \\(rules\\)") in body
    assert "off topic (not added): 5" in body
    # The writing job: new branch, one commit with the papers and watch-state.yml, `gh pr create`.
    _run_writer_job(tmp_path, origin, env)
    files = _git(tmp_path, "--git-dir", str(origin), "show", "--name-only", "--format=%s", BRANCH).split()
    title = "New papers for " + subprocess.run(["date", "-u", "+%Y-%m-%d"], capture_output=True, text=True,
                                                check=True).stdout.strip()
    assert " ".join(files[:4]) == title
    assert "watch-state.yml" in files and "content/papers/property-based-mutation-testing.md" in files
    assert sum(name.startswith("content/papers/") for name in files) == 14  # 13 new, 1 filled in
    calls = Path(env["FAKE_GH_LOG"]).read_text(encoding="utf-8").splitlines()
    body_file = f"{runner_temp}/update/pull-request.md"
    assert calls == ["auth setup-git", f"pr view {BRANCH} --json state --jq .state",
                     f"pr create --head {BRANCH} --title {title} --body-file {body_file}"]
    # The next day the pull request is still open: the branch is force-pushed and the pull request edited.
    Path(env["FAKE_GH_LOG"]).unlink()
    _run_writer_job(tmp_path, origin, {**env, "FAKE_GH_PR_STATE": "OPEN"})
    calls = Path(env["FAKE_GH_LOG"]).read_text(encoding="utf-8").splitlines()
    assert calls[-1] == f"pr edit {BRANCH} --title {title} --body-file {body_file}"
    # Nothing new (the papers are in now): the update job says so and the writing job does not run.
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "merged")
    Path(env["GITHUB_OUTPUT"]).unlink()
    with replay_server(arxiv_rules()) as (base, _):
        output = _run_update_job(work, {**env, "PAPER_COLLECTION_ARXIV_API": f"{base}/api/query", "SINCE": ""})
    assert output.strip() == "changed=false"


def test_the_writer_refuses_an_artifact_with_other_files(repository):
    tmp_path, work, origin, env = repository
    runner_temp = Path(env["RUNNER_TEMP"])
    (runner_temp / "update").mkdir()
    (work / ".github").mkdir()
    (work / ".github" / "evil.yml").write_text("x", encoding="utf-8")
    subprocess.run(["tar", "-cf", str(runner_temp / "update" / "changes.tar"), ".github/evil.yml"], cwd=work,
                   check=True)
    checkout = tmp_path / "checkout"
    _git(tmp_path, "clone", "--quiet", str(origin), str(checkout))
    result = _bash(_scripts("open-pull-request")[0], checkout, env)
    assert result.returncode == 1 and "handed over files other than papers" in result.stdout
    assert not (checkout / ".github" / "evil.yml").exists()


def test_without_watch_yml_the_update_job_runs_nothing_and_opens_nothing(repository):
    tmp_path, work, origin, env = repository
    _git(work, "rm", "--quiet", "watch.yml")
    _git(work, "commit", "--quiet", "-m", "no watches")
    assert _run_update_job(work, {**env, "SINCE": ""}).strip() == "changed=false"


def test_the_report_cannot_act_as_workflow_commands_and_a_failed_watch_is_a_warning(repository):
    tmp_path, work, origin, env = repository
    with replay_server([]) as (base, _):  # every request answered 404
        (work / "watch.yml").write_text(f"watches:\n  - name: journal\n    feed: {base}/toc.xml\n", encoding="utf-8")
        step = next(s for s in _scripts("update") if "paper-collection update" in s)
        result = _bash(step, work, {**env, "SINCE": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    report = lines[1:lines.index(f"::{token}::")]
    assert report[0].startswith("watch 'journal' (feed: ") and report[-2].endswith("; failed: journal")
    assert lines[-1].startswith("::warning::a watch failed: watch 'journal': the feed answered HTTP 404")
