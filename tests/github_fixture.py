"""A collection in git shaped as GitHub shapes a pull request, and checked out as actions/checkout
does: a `main` branch, a contributor's branch, and refs/pull/N/merge (a merge of the branch's head
into main, main as its first parent), fetched shallow (`fetch-depth: 2`) or whole (`fetch-depth: 0`).

The project (site configuration, taxonomy) is tests/fixtures/github/project/; the paper files are
written by each test. Commands run with this interpreter's environment as the copy's `.venv`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.helpers import link_environment

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "github"
PROJECT = FIXTURES / "project"
WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
GIT = ["git", "-c", "user.name=Contributor", "-c", "user.email=contributor@example.org", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", "-c", "protocol.file.allow=always"]


def git(root: Path, *args: str, date: str = "2026-01-05T12:00:00+00:00") -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    result = subprocess.run([*GIT, *args], cwd=root, capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def paper_text(title: str, abstract: str, added: str = "2026-01-05", tags: tuple[str, ...] = ("vision",)) -> str:
    meta = {"title": title, "tags": list(tags), "added": added}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + abstract + "\n"


def new_project(folder: Path, papers: dict[str, str]) -> Path:
    """The fixture project in `folder`, with `papers` (file name -> text), committed on main."""
    shutil.copytree(PROJECT, folder)
    (folder / "content" / "papers").mkdir(parents=True)
    (folder / ".gitignore").write_text(".venv\nsite/\n.cache/\n", encoding="utf-8")
    for name, text in papers.items():
        (folder / "content" / "papers" / name).write_text(text, encoding="utf-8")
    git(folder, "init", "--quiet")
    git(folder, "add", "-A")
    git(folder, "commit", "--quiet", "-m", "The collection")
    return folder


def commit_file(root: Path, name: str, text: str, message: str, date: str) -> None:
    path = root / "content" / "papers" / name
    path.write_text(text, encoding="utf-8")
    git(root, "add", "--", str(path.relative_to(root)))
    git(root, "commit", "--quiet", "-m", message, date=date)


def make_pull_request_merge(origin: Path, branch: str, number: int, date: str) -> str:
    """refs/pull/NUMBER/merge in `origin`: `branch` merged into main, main the first parent."""
    git(origin, "checkout", "--quiet", "--detach", "main")
    git(origin, "merge", "--quiet", "--no-ff", "--no-edit", branch, date=date)
    merge = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "update-ref", f"refs/pull/{number}/merge", merge)
    git(origin, "checkout", "--quiet", "main")
    return merge


def checkout_like_actions(origin: Path, target: Path, number: int, fetch_depth: int) -> Path:
    """What actions/checkout runs for a pull_request event: init, fetch the merge ref (and, with
    fetch-depth 0, every branch), check it out detached."""
    target.mkdir(parents=True)
    git(target, "init", "--quiet")
    git(target, "remote", "add", "origin", origin.as_uri())
    ref = f"+refs/pull/{number}/merge:refs/remotes/pull/{number}/merge"
    if fetch_depth:
        git(target, "fetch", "--quiet", "--no-tags", f"--depth={fetch_depth}", "origin", ref)
    else:
        git(target, "fetch", "--quiet", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*", ref)
    git(target, "checkout", "--quiet", "--force", f"refs/remotes/pull/{number}/merge")
    link_environment(target)
    return target


def workflow_job(name: str, job: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))["jobs"][job]


def workflow_env(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8")).get("env", {})


def step_script(job: dict, step_name: str) -> str:
    (step,) = [step for step in job["steps"] if step.get("name") == step_name]
    return step["run"]


def run_step(root: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A `run:` script as GitHub's default shell runs it."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=root,
                          capture_output=True, text=True, env={**os.environ, "CI": "true", **env})
