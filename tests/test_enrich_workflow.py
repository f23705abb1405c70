"""The weekly `enrich` workflow: linted and audited like the others (actionlint, zizmor), write access
only on the job that installs and runs nothing, pinned actions, no event text in scripts, the
documented command with its schedule and time limit, and a lookup cache restored by exact keys and
saved only from the default branch."""

from __future__ import annotations

import subprocess

from tests.test_workflows import (
    FULL_SHA_PIN,
    VERSION_COMMENT,
    WORKFLOWS_DIR,
    assert_linters_report_nothing,
    load,
    run_scripts,
    steps,
    triggers,
)

ENRICH = WORKFLOWS_DIR / "enrich.yml"


def test_actionlint_and_zizmor_report_nothing():
    assert_linters_report_nothing(ENRICH)


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


def _git(root, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True)


def _run(root, script, temp):
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=root,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "RUNNER_TEMP": str(temp)})


def test_the_patch_carries_paper_files_and_the_record_and_nothing_else(tmp_path):
    """The enrich job's `Write the changes as a patch` and the writing job's `Apply the patch`, run on
    two checkouts of one repository: the filled fields and enrich-asked.json arrive; a change to any
    other file (here a workflow) does not, even when the patch carries it."""
    jobs = load(ENRICH)["jobs"]
    write = next(step["run"] for step in jobs["enrich"]["steps"] if step.get("name") == "Write the changes as a patch")
    apply = next(step["run"] for step in jobs["open-pull-request"]["steps"] if "git apply" in step.get("run", ""))
    origin = tmp_path / "origin"
    (origin / "content" / "papers").mkdir(parents=True)
    (origin / ".github" / "workflows").mkdir(parents=True)
    (origin / "content" / "papers" / "a.md").write_text("---\ntitle: A\n---\nAbstract.\n", encoding="utf-8")
    (origin / ".github" / "workflows" / "x.yml").write_text("name: x\n", encoding="utf-8")
    _git(origin, "init", "-q")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "base")
    enrich, writer, temp = tmp_path / "enrich", tmp_path / "writer", tmp_path / "temp"
    for clone in (enrich, writer):
        _git(tmp_path, "clone", "-q", str(origin), str(clone))
    (temp / "enrich").mkdir(parents=True)
    (enrich / "content" / "papers" / "a.md").write_text("---\ntitle: A\nyear: 2020\n---\nAbstract.\n",
                                                        encoding="utf-8")
    (enrich / "enrich-asked.json").write_text('{\n "asked": {\n  "a": "2026-12-07"\n }\n}\n', encoding="utf-8")
    (enrich / ".github" / "workflows" / "x.yml").write_text("name: changed\n", encoding="utf-8")
    assert _run(enrich, write, temp).returncode == 0
    patch = (temp / "enrich" / "changes.patch").read_text(encoding="utf-8")
    assert "content/papers/a.md" in patch and "enrich-asked.json" in patch and "x.yml" not in patch
    # Even a patch that names another file (the artifact is the enrich job's output) applies only these.
    _git(enrich, "add", "-A")
    _git(enrich, "diff", "--cached", "--binary", "--output", str(temp / "enrich" / "changes.patch"))
    result = _run(writer, apply, temp)
    assert result.returncode == 0, result.stderr
    assert "year: 2020" in (writer / "content" / "papers" / "a.md").read_text(encoding="utf-8")
    assert (writer / "enrich-asked.json").is_file()
    assert (writer / ".github" / "workflows" / "x.yml").read_text(encoding="utf-8") == "name: x\n"
