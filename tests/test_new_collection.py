"""A curator makes the repository their own collection (issue #22), on a copy of it: a four-tag
medical-imaging taxonomy replaces taxonomy.yml, the example's papers and sources are deleted, a
real arXiv export of medical-imaging papers is imported (tests/fixtures/new_collection/), and then
`make site` and the README's test command, `make test` (ruff and the whole suite), must pass there.

The copy is the work tree's tracked and untracked (not ignored) files in a fresh git repository,
with this interpreter's environment as `.venv`; make is told not to remake the environment's stamp
files or the browser (`-o`), so nothing is installed. The suite inside runs with INSIDE set, so
this test does not run again there. It runs the whole suite a second time: the suite's own time
again."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from paper_collection.collection.taxonomy import load_taxonomy
from tests.helpers import FIXTURES, ROOT, link_environment

INSIDE = "PAPER_COLLECTION_INSIDE_A_NEW_COLLECTION"  # set for the copy's own `make test`

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get(INSIDE) == "1",
                                 reason="the copy's own suite, run by this test: not again (no recursion)")]

FIXTURE = FIXTURES / "new_collection"
EXPORT = FIXTURE / "arxiv-medical-imaging-2026-06-19.jsonl"
KEEP = ["-o", ".venv/.installed", "-o", ".venv/.installed-test", "-o", "/usr/bin/chromium"]  # make: do not remake
SUITE_TIMEOUT = 3600  # seconds; CI allows 90 minutes for everything


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=Curator", "-c", "user.email=curator@example.org",
                             "-c", "commit.gpgsign=false", *args], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def copy_repository(target: Path) -> Path:
    """What a curator's clone holds: the work tree's tracked and untracked (not ignored) files,
    committed in a new repository, with this environment as `.venv` (kept out of git)."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in listed:
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    git(target, "init", "--quiet")
    (target / ".git" / "info" / "exclude").write_text(".venv\n", encoding="utf-8")
    git(target, "add", "-A")
    git(target, "commit", "--quiet", "-m", "The example collection")
    link_environment(target)
    return target


def run(repo: Path, *command: str, timeout: int = 900) -> subprocess.CompletedProcess:
    # CI runs this suite under `make test`: the copy's make must not think it is a sub-make (it
    # would print "Entering/Leaving directory" lines and inherit the outer make's flags)
    outer_make = {"MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"}
    env = {name: value for name, value in os.environ.items() if name not in outer_make}
    result = subprocess.run(list(command), cwd=repo, capture_output=True, text=True, timeout=timeout,
                            env={**env, INSIDE: "1", "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, (f"{' '.join(command)} failed ({result.returncode}):\n"
                                    f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return result


def test_a_curators_own_collection_builds_and_passes_the_test_suite(tmp_path):
    repo = copy_repository(tmp_path / "medical-imaging")

    # the curator's changes: their taxonomy, no example papers or sources, their export imported
    shutil.copy(FIXTURE / "taxonomy.yml", repo / "taxonomy.yml")
    for path in [*(repo / "content" / "papers").glob("*.md"), *(repo / "sources").iterdir()]:
        path.unlink()
    shutil.copy(EXPORT, repo / "sources" / EXPORT.name)
    imported = run(repo, ".venv/bin/python", "-m", "generator", "import", f"sources/{EXPORT.name}",
                   "--added", "2026-06-19")
    assert re.search(r"read 22, new 17, merged 0, unchanged 0, duplicate 5, rejected 0", imported.stdout), \
        imported.stdout
    papers = sorted((repo / "content" / "papers").glob("*.md"))
    assert len(papers) == 17
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "A medical-imaging collection")

    built = run(repo, "make", *KEEP, "site")
    assert "ok: 17 papers valid" in built.stdout and "built site/" in built.stdout
    site = repo / "site"
    assert sorted(p.parent.name for p in site.glob("papers/*/index.html")) == sorted(p.stem for p in papers)
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "collection of 17 research papers" in home.select_one(".home__intro").get_text()
    names = load_taxonomy(repo / "taxonomy.yml").names
    assert {a["href"].strip("/").split("/")[-1] for a in home.select(".tag-cloud a")} == set(names)
    assert len(names) == 5  # the curator's four tags and the reserved `untagged`
    # the export has no dates: its arXiv ids (2606.x) date every paper June 2026, with a year page
    assert "dated by their arXiv id (the month it was given), having no date in the input: 17" in imported.stdout
    year_page = BeautifulSoup((site / "years" / "2026" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(year_page.select("article ol > li")) == 17, year_page.select_one("article")

    tested = run(repo, "make", *KEEP, "test", timeout=SUITE_TIMEOUT)
    summaries = [line for line in tested.stdout.splitlines() if re.match(r"=+ .* in [\d.]+s", line)]
    assert summaries, tested.stdout[-3000:]
    summary = summaries[-1]  # pytest's last line, "==== N passed, M skipped in S s ===="
    assert re.search(r"\d+ passed", summary) and not re.search(r"\d+ (failed|error)", summary), summary
    assert "not again (no recursion)" in tested.stdout  # -ra lists the skip: this test did not run inside
