"""The weekly `enrich` workflow: linted and audited like the others (actionlint, zizmor), write access
only on the job that installs and runs nothing, pinned actions, no event text in scripts, the
documented command with its schedule and time limit, and a lookup cache restored by exact keys and
saved only from the default branch."""

from __future__ import annotations

import json
import subprocess

from tests.test_workflows import (
    FULL_SHA_PIN,
    ROOT,
    VERSION_COMMENT,
    WORKFLOWS_DIR,
    _describe_finding,
    find_tool,
    load,
    run_scripts,
    steps,
    triggers,
)

ENRICH = WORKFLOWS_DIR / "enrich.yml"


def test_actionlint_and_zizmor_report_nothing():
    result = subprocess.run([find_tool("actionlint"), "-no-color", str(ENRICH)], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    for persona in ("regular", "auditor"):
        result = subprocess.run([find_tool("zizmor"), "--offline", "--no-config", f"--persona={persona}",
                                 "--format=json", str(ENRICH)], cwd=ROOT, capture_output=True, text=True, check=False)
        findings = json.loads(result.stdout)
        assert result.returncode == 0 and findings == [], "\n".join(map(_describe_finding, findings)) + result.stderr


def test_runs_weekly_and_by_hand_with_write_access_only_where_nothing_is_installed():
    workflow = load(ENRICH)
    on = triggers(workflow)
    assert set(on) == {"schedule", "workflow_dispatch"} and on["schedule"][0]["cron"]
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert set(jobs) == {"enrich", "open-pull-request"}
    assert jobs["enrich"]["permissions"] == {"contents": "read"}
    assert jobs["open-pull-request"]["needs"] == "enrich"
    assert jobs["open-pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write",
                                                         "actions": "write"}
    for script in [step["run"] for step in jobs["open-pull-request"]["steps"] if "run" in step]:
        assert "pip" not in script and "python" not in script and ".venv" not in script, script
    assert all(isinstance(job["timeout-minutes"], int) for job in jobs.values())
    # The patch is applied to paper files and the record only.
    apply = next(step["run"] for step in jobs["open-pull-request"]["steps"] if "git apply" in step.get("run", ""))
    assert "--include='content/papers/*.md' --include=enrich-asked.json" in apply


def test_the_lookup_cache_is_restored_by_exact_keys_and_saved_only_from_the_default_branch():
    job = load(ENRICH)["jobs"]["enrich"]
    restore = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/cache/restore@"))
    save = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["path"] == save["with"]["path"] == ".cache/lookup"  # SQLite answers: data, not code
    assert restore["with"]["key"] == save["with"]["key"] == "${{ steps.weeks.outputs.this }}"
    assert restore["with"]["restore-keys"] == "${{ steps.weeks.outputs.last }}"
    weeks = next(step["run"] for step in job["steps"] if step.get("id") == "weeks")
    assert "lookup-cache-v1-$(date -u +%G-W%V)" in weeks and "lookup-cache-v1-$(date -u -d '7 days ago' +%G-W%V)" \
        in weeks  # full keys: a prefix cannot match another key
    assert "github.event.repository.default_branch" in save["if"]
    assert not any(step.get("uses", "").startswith("actions/cache@") for step in job["steps"])


def test_actions_are_pinned_and_checkout_keeps_no_credentials():
    workflow = load(ENRICH)
    for step in steps(workflow):
        if "uses" in step:
            assert FULL_SHA_PIN.match(step["uses"]), step["uses"]
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
    for line in ENRICH.read_text(encoding="utf-8").splitlines():
        if "uses:" in line:
            assert VERSION_COMMENT.search(line), line
    assert any(step.get("uses", "").startswith("peter-evans/create-pull-request@") for step in steps(workflow))


def test_scripts_run_the_documented_commands_and_interpolate_nothing():
    scripts = run_scripts(load(ENRICH))
    assert all("${{" not in script and "github.event" not in script for script in scripts)
    assert any("python -m paper_collection enrich --recheck-days 90 --time-limit 1200" in script
               for script in scripts)
    assert any(script.strip() == ".venv/bin/python -m paper_collection validate" for script in scripts)
