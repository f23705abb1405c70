"""The pre-commit hook: .pre-commit-hooks.yaml (published) and .pre-commit-config.yaml (this
repository's, the same hook run with .venv) validate the paper files a commit changes."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, link_environment, make_project

GOOD = "---\ntitle: A Good Paper About Vision\ntags:\n- vision\nadded: '2026-01-02'\n---\nAn abstract about images.\n"
BAD = GOOD.replace("A Good Paper About Vision", "A Paper With a Typo").replace("- vision", "- vison")


def published() -> dict:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return hook


def local() -> dict:
    [repo] = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    assert repo["repo"] == "local"
    [hook] = repo["hooks"]
    return hook


def test_the_local_hook_is_the_published_one_run_with_the_project_environment():
    hook, mine = published(), local()
    assert hook["language"] == "python" and mine["language"] == "system"
    for key in ("id", "name", "files", "require_serial"):
        assert mine[key] == hook[key], key
    assert hook["files"] == "^content/"
    assert hook["entry"] == "paper-collection validate"
    assert mine["entry"] == ".venv/bin/paper-collection validate"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A project copy with the hook files, a git repository and this interpreter as .venv/bin/python."""
    root = make_project(tmp_path / "repo")
    for name in (".pre-commit-config.yaml", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, root / name)
    link_environment(root)
    subprocess.run(["git", "init", "--quiet"], cwd=root, check=True)
    return root


def run_entry(root: Path, entry: str, files: list[str]) -> subprocess.CompletedProcess:
    """As pre-commit runs a hook: the entry's words, then the matching file names, from the root."""
    return subprocess.run([*shlex.split(entry), *files], cwd=root, capture_output=True, text=True)


@pytest.mark.parametrize("hook", [published, local], ids=["published", "local"])
def test_the_hook_entry_validates_the_given_files(repo, hook):
    entry = hook()["entry"]
    if entry.startswith("paper-collection "):  # pre-commit's own environment has the package's command on PATH
        command = Path(sys.executable).parent / "paper-collection"
        entry = f"{shlex.quote(str(command))} {entry[len('paper-collection '):]}"
    papers = repo / "content" / "papers"
    (papers / "a-good-paper-about-vision.md").write_text(GOOD, encoding="utf-8")
    (papers / "a-paper-with-a-typo.md").write_text(BAD, encoding="utf-8")
    good = run_entry(repo, entry, ["content/papers/a-good-paper-about-vision.md"])
    assert (good.returncode, good.stdout) == (0, "ok: 1 file(s) valid\n")
    bad = run_entry(repo, entry, ["content/papers/a-good-paper-about-vision.md",
                                  "content/papers/a-paper-with-a-typo.md"])
    assert bad.returncode == 1
    assert bad.stdout == ("content/papers/a-paper-with-a-typo.md:4: tags[0]: 'vison' is not a tag; "
                          "did you mean 'vision'?\n")


def test_pre_commit_runs_the_hook_on_the_staged_paper_files(repo, tmp_path):
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.fail("pre-commit is a test dependency: pip install -e '.[test]'")
    papers = repo / "content" / "papers"
    (papers / "a-paper-with-a-typo.md").write_text(BAD, encoding="utf-8")
    (repo / "notes.txt").write_text("not a paper", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    result = subprocess.run([str(pre_commit), "run", "validate-papers"], cwd=repo, capture_output=True, text=True,
                            env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "content/papers/a-paper-with-a-typo.md:4: tags[0]: 'vison' is not a tag" in result.stdout
    (papers / "a-paper-with-a-typo.md").write_text(BAD.replace("- vison", "- vision"), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    fixed = subprocess.run([str(pre_commit), "run", "validate-papers"], cwd=repo, capture_output=True, text=True,
                           env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Validate paper files" in fixed.stdout and "Passed" in fixed.stdout
