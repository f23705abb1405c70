"""The command line's shared rules: one exit-code table for every command (README, "Exit codes"),
the project folder found from any folder inside it, `validate FILE...`, and `serve` on a busy port."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from tests.helpers import ROOT, make_project, run_generator

GOOD = "---\ntitle: A Good Paper About Vision\ntags:\n- vision\nadded: '2026-01-02'\n---\nAn abstract about images.\n"
BAD_TAG = GOOD.replace("A Good Paper About Vision", "A Paper With a Typo").replace("- vision", "- vison")


def generator_in(folder: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` run from `folder`, without --root."""
    return subprocess.run([sys.executable, "-m", "paper_collection", *args], cwd=folder, capture_output=True, text=True,
                          **kwargs)


@pytest.fixture
def project(tmp_path) -> Path:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a-good-paper-about-vision.md").write_text(GOOD, encoding="utf-8")
    (papers / "a-paper-with-a-typo.md").write_text(BAD_TAG, encoding="utf-8")
    return make_project(tmp_path / "project", papers)


def test_the_readme_documents_the_exit_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Exit codes"):]
    for code in (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE):
        assert re.search(rf"^\| `{code}` \|", table, re.M), code


def test_the_readme_lists_every_command():
    from generator.cli import parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [commands] = [action for action in parser()._actions if action.dest == "command"]
    for name in commands.choices:
        assert f"`python -m generator {name}" in readme, name


@pytest.mark.parametrize(("args", "code"), [
    (["validate"], EXIT_PROBLEMS),  # a paper has a problem
    (["build"], EXIT_PROBLEMS),
    (["validate", "content/papers/a-good-paper-about-vision.md"], EXIT_OK),
    (["validate", "content/papers/a-paper-with-a-typo.md"], EXIT_PROBLEMS),
    (["validate", "content/papers/no-such-paper.md"], EXIT_USAGE),
    (["validate", "--format", "xml"], EXIT_USAGE),  # argparse's usage error
    (["no-such-command"], EXIT_USAGE),
    ([], EXIT_USAGE),
    (["add", "--title", "T", "--abstract-file", "missing.txt"], EXIT_USAGE),
    (["import", "missing.txt"], EXIT_USAGE),
    (["serve", "--dev-addr", "not-an-address"], EXIT_USAGE),
    (["pr-report", "--base", "main"], EXIT_USAGE),  # not a git repository
])
def test_every_command_uses_the_exit_code_table(project, args, code):
    result = run_generator(project, *args, check=False)
    assert result.returncode == code, result.stdout + result.stderr
    if code == EXIT_USAGE:
        assert "Traceback" not in result.stderr and result.stderr.strip()


def test_a_broken_configuration_is_a_usage_error(project):
    (project / "taxonomy.yml").unlink()
    result = run_generator(project, "validate", check=False)
    assert result.returncode == EXIT_USAGE and "taxonomy.yml" in result.stderr


def test_validate_checks_just_the_given_files(project):
    good = run_generator(project, "validate", "content/papers/a-good-paper-about-vision.md")
    assert good.stdout == "ok: 1 file(s) valid\n"
    bad = run_generator(project, "validate", "content/papers/a-good-paper-about-vision.md",
                        "content/papers/a-paper-with-a-typo.md", check=False)
    assert bad.stdout == ("content/papers/a-paper-with-a-typo.md:4: tags[0]: 'vison' is not a tag; "
                          "did you mean 'vision'?\n")
    assert bad.stderr == "1 problem(s) in 2 file(s)\n"


def test_validate_of_one_file_still_sees_duplicates_in_the_whole_collection(project):
    original = project / "content" / "papers" / "a-good-paper-about-vision.md"
    original.write_text(GOOD.replace("tags:", "arxiv: '2401.10010'\ntags:"), encoding="utf-8")
    new = project / "content" / "papers" / "the-same-paper-under-another-title.md"
    new.write_text(GOOD.replace("A Good Paper About Vision", "The Same Paper Under Another Title")
                   .replace("tags:", "arxiv: '2401.10010'\ntags:"), encoding="utf-8")
    result = run_generator(project, "validate", "content/papers/the-same-paper-under-another-title.md", check=False)
    assert result.returncode == EXIT_PROBLEMS
    assert result.stdout.startswith("content/papers/the-same-paper-under-another-title.md:3: arxiv: same arXiv id "
                                    "2401.10010 as content/papers/a-good-paper-about-vision.md")


def test_commands_work_from_any_folder_of_the_repository(project):
    papers = project / "content" / "papers"
    from_papers = generator_in(papers, "validate", "a-good-paper-about-vision.md")
    assert (from_papers.returncode, from_papers.stdout) == (EXIT_OK, "ok: 1 file(s) valid\n")
    everything = generator_in(papers, "validate")
    assert everything.returncode == EXIT_PROBLEMS
    assert "content/papers/a-paper-with-a-typo.md:4: tags[0]" in everything.stdout
    with_root = generator_in(Path("/"), "--root", str(project), "validate",
                             str(papers / "a-good-paper-about-vision.md"))
    assert with_root.stdout == "ok: 1 file(s) valid\n"


def test_outside_a_repository_says_how_to_point_at_one(tmp_path):
    result = generator_in(tmp_path, "validate")
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (f"error: no mkdocs.yml in {tmp_path.resolve()} or any folder above it: run the command "
                             "inside the collection's repository, or give its folder with --root\n")


def test_serve_on_a_busy_port_says_so_and_suggests_another(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_generator(project, "serve", "--dev-addr", f"127.0.0.1:{port}", check=False)
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (f"error: port {port} on 127.0.0.1 is already in use (is another preview running?); "
                             f"stop it, or preview on another port: paper-collection serve "
                             f"--dev-addr 127.0.0.1:{port + 1}\n")
