"""The weekly `enrich` workflow: linted and audited like the others (actionlint, zizmor), write access
only on its one job, pinned actions, no event text in scripts, and it runs the documented command."""

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


def test_runs_weekly_and_by_hand_with_write_access_on_its_one_job_only():
    workflow = load(ENRICH)
    on = triggers(workflow)
    assert set(on) == {"schedule", "workflow_dispatch"} and on["schedule"][0]["cron"]
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert isinstance(job["timeout-minutes"], int)


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
    assert any("python -m generator enrich" in script for script in scripts)
    assert any(script.strip() == "make validate" for script in scripts)
